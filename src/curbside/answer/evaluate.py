"""Run a question set in process: the shared scorer's checks plus the composition checker.

Used by the tests (one process for the whole set, instead of one per question) and by
`benchmarks/bench_answer.py`. The scorer is ../shared/eval/score.py, loaded from its path.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from curbside.answer.checker import check_answer
from curbside.answer.engine import answer_question
from curbside.store.sqlite import Store


def load_scorer(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("curbside_eval_score", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@dataclass
class Report:
    questions: int = 0
    expect: list[int] = field(default_factory=lambda: [0, 0])
    concerns: list[int] = field(default_factory=lambda: [0, 0])
    drugs: list[int] = field(default_factory=lambda: [0, 0])
    tiers: list[int] = field(default_factory=lambda: [0, 0])
    citation_violations: int = 0
    repeated_texts: int = 0
    max_citations: int = 0
    checker: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)    # needs an intent not recognised
    problems: dict[str, list[str]] = field(default_factory=dict)

    def line(self) -> str:
        def r(v: list[int]) -> str:
            return f"{v[0] / v[1]:.2f}" if v[1] else "1.00"
        return (f"questions={self.questions} expectations={self.expect[0]}/{self.expect[1]} "
                f"concern_recall={r(self.concerns)} drug_recall={r(self.drugs)} "
                f"tier_coverage={r(self.tiers)} citation_violations={self.citation_violations} "
                f"repeated_texts={self.repeated_texts} max_citations={self.max_citations} "
                f"checker_violations={len(self.checker)} intent_not_recognised={len(self.skipped)}")


def evaluate(store: Store, questions: Path, concepts: Path, scorer: ModuleType
             ) -> Report:
    """Answer every question of a set and score it the way score.py does."""
    cons = json.loads(concepts.read_text())
    rep = Report()
    for line in questions.read_text().splitlines():
        if not line.strip():
            continue
        q: dict[str, Any] = json.loads(line)
        ans = json.loads(json.dumps(answer_question(store, q["question"],
                                                    audience=q["audience"])))
        rep.questions += 1
        need = q.get("needs_intent")
        if need and need not in (ans.get("intents") or []):
            # The expectation is about answering that intent; without it recognised (issue
            # 10's ids) only the composition rules are checked.
            rep.skipped.append(q["id"])
            q = {**q, "expect": {}, "tiers": [], "concerns": []}
        f = scorer.check(q, ans, cons)
        for k in ("expect", "concerns", "drugs", "tiers"):
            getattr(rep, k)[0] += f[k][0]
            getattr(rep, k)[1] += f[k][1]
        rep.citation_violations += f["violations"]
        rep.repeated_texts += f["repeats"]
        rep.max_citations = max(rep.max_citations, f["max_cites"])
        issues = list(f["problems"]) + [f"checker: {v}" for v in check_answer(ans)]
        rep.checker += [f"{q['id']}: {v}" for v in check_answer(ans)]
        if issues:
            rep.problems[q["id"]] = issues
    return rep
