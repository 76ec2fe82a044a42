"""Every answer of every question set keeps the composition rules (issue 11).

The sets run in process (one store, no subprocess per question) through the shared scorer's
own checks (`../shared/eval/score.py`) and our composition checker.
"""

from __future__ import annotations

from types import ModuleType

import pytest
from tests.conftest import ROOT, SHARED, shared

from curbside.answer.evaluate import Report, evaluate, load_scorer
from curbside.ingest import ingest_file
from curbside.store import init_store
from curbside.store.sqlite import Store

EVAL = SHARED / "eval"
SETS = {
    "shared-eval": (EVAL / "questions.jsonl", EVAL / "concepts.json"),
    "shared-eval-v2": (EVAL / "questions_v2.jsonl", EVAL / "concepts_v2.json"),
    "neighbours": (ROOT / "tests" / "data" / "neighbour_questions.jsonl",
                   EVAL / "concepts.json"),
    # Our own scope checks (other drugs, intents, every audience); the held-out third was
    # kept aside while the composition was written and is reported on its own.
    "compose": (ROOT / "tests" / "data" / "compose_questions.jsonl", EVAL / "concepts_v2.json"),
    "compose-heldout": (ROOT / "tests" / "data" / "compose_questions_heldout.jsonl",
                        EVAL / "concepts_v2.json"),
}
# Expectations another issue's work meets: emergencies (issue 9); names that are not
# medicines, single-drug intents (missed dose, renal dosing, disposal) and class-only pairs
# (issue 10's intent ids and class members). Each id leaves this list when that lands.
ELSEWHERE = {
    "v01", "v02", "v03", "v04", "v05", "v06", "v07", "v08", "v09", "v10", "v13", "v20",
    "v51", "v52", "v53", "v54", "v55",
    "v22", "v25", "v30", "v39", "v40",
    # Ours, not made true: no methotrexate lactation text could be verified against a label,
    # so the answer says the stored label has no section on breastfeeding.
    "v28",
}


@pytest.fixture(scope="module")
def scorer() -> ModuleType:
    path = EVAL / "score.py"
    if not path.exists():
        pytest.skip("../shared/eval absent")
    return load_scorer(path)


@pytest.fixture(scope="module")
def reports(pack_store: Store, scorer: ModuleType) -> dict[str, Report]:
    return {name: evaluate(pack_store, q, c, scorer) for name, (q, c) in SETS.items()
            if q.exists()}


@pytest.mark.parametrize("name", list(SETS))
def test_no_repeats_no_citation_piles_no_checker_violations(
        reports: dict[str, Report], name: str) -> None:
    rep = reports[name]
    assert rep.questions > 0
    assert rep.repeated_texts == 0, rep.problems
    assert rep.max_citations <= 3
    assert rep.citation_violations == 0, rep.problems
    assert rep.checker == [], rep.checker


@pytest.mark.parametrize("name", list(SETS))
def test_every_expectation_met(reports: dict[str, Report], name: str) -> None:
    rep = reports[name]
    failing = {qid: p for qid, p in rep.problems.items()
               if qid not in ELSEWHERE and any(not x.startswith("checker:") for x in p)}
    assert failing == {}


@pytest.fixture(scope="module")
def real_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """Only the real openFDA labels of ../shared/data (no starter pack)."""
    store = init_store(tmp_path_factory.mktemp("real") / "real.db", starter_pack=False)
    folder = shared("openfda_labels")
    for path in sorted(folder.glob("*.json")):
        assert ingest_file(store, "openfda", str(path)).error is None
    return store


def test_real_labels_alone_keep_the_rules(real_store: Store, scorer: ModuleType) -> None:
    """On real labels the claims are their own sentences, and the same rules hold."""
    for name in ("shared-eval-v2", "compose", "compose-heldout"):
        q, c = SETS[name]
        rep = evaluate(real_store, q, c, scorer)
        assert rep.checker == [], (name, rep.checker)
        assert rep.repeated_texts == 0 and rep.max_citations <= 3, name
        assert rep.citation_violations == 0, name
