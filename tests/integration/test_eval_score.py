"""The shared evaluation (and our own neighbour questions) pass against a fresh store."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import ROOT, SHARED


@pytest.mark.slow
@pytest.mark.parametrize("questions", [SHARED / "eval" / "questions.jsonl",
                                       ROOT / "tests" / "data" / "neighbour_questions.jsonl"],
                         ids=["shared-eval", "neighbours"])
def test_score_passes(pack_db: Path, questions: Path) -> None:
    score = SHARED / "eval" / "score.py"
    if not score.exists():
        pytest.skip("../shared/eval absent")
    cmd = f"{sys.executable} -m curbside --db {pack_db}"
    res = subprocess.run([sys.executable, str(score), "--cmd", cmd, "--questions",
                          str(questions)], capture_output=True, text=True, timeout=900)
    last = res.stdout.strip().splitlines()[-1]
    assert res.returncode == 0, res.stdout[-3000:]
    assert last.startswith("PASS") and "citation_violations=0" in last
