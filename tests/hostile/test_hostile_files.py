"""Every hostile file ends in one line: no traceback, no hang, bounded memory, store intact.

The corpus (`corpus.py`, >= 100 cases) is generated into a temp folder; each format's files
run in one child process (`driver.py`), interleaved with good files that must still be
ingested. Peak memory is the child's `ru_maxrss`, a high-water mark: it is checked after
every file, so the first file to pass 300 MB is the one named.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli
from tests.hostile.corpus import Case, make_corpus

PEAK_MB = 300
SECONDS = 10


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Case]:
    return make_corpus(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def results(corpus: list[Case], tmp_path_factory: pytest.TempPathFactory
            ) -> dict[str, dict[str, object]]:
    by_fmt: dict[str, list[Case]] = defaultdict(list)
    for case in corpus:
        by_fmt[case.fmt].append(case)
    out: dict[str, dict[str, object]] = {}
    for fmt, cases in by_fmt.items():
        db = tmp_path_factory.mktemp(f"db-{fmt}") / "store.db"
        proc = subprocess.run(
            [sys.executable, "-m", "tests.hostile.driver", str(db), fmt,
             *[c.path for c in cases]],
            capture_output=True, text=True, cwd=ROOT, timeout=60 + SECONDS * len(cases))
        assert proc.returncode == 0, proc.stderr[-3000:]
        lines = [json.loads(line) for line in proc.stdout.splitlines()]
        baseline = lines[0]["baseline_mb"]
        for case, line in zip(cases, lines[1:], strict=True):
            assert line["path"] == case.path
            out[case.name] = line | {"case": case, "baseline_mb": baseline}
    return out


def test_corpus_has_every_kind(corpus: list[Case]) -> None:
    assert len(corpus) >= 100
    names = " ".join(c.name for c in corpus)
    for kind in ("deep-list", "lone-surrogate", "year-5000-digits", "deep-flow-10k",
                 "billion-laughs", "dev-zero", "dev-urandom", "fifo", "zip-bomb", "gzip-bomb",
                 "version-negative", "version-10e400", "year-99999", "duplicate-version-other"):
        assert kind in names, kind


def test_no_traceback_no_hang_bounded_memory(results: dict[str, dict[str, object]]) -> None:
    problems = []
    for name, r in results.items():
        if r.get("traceback"):
            problems.append(f"{name}: traceback {r['traceback']}")
        if r.get("hang") or float(r["seconds"]) >= SECONDS:  # type: ignore[arg-type]
            problems.append(f"{name}: took {r['seconds']} s")
        if float(r["peak_mb"]) > PEAK_MB:  # type: ignore[arg-type]
            problems.append(f"{name}: peak memory {r['peak_mb']} MB")
    assert problems == []


def test_each_file_is_refused_or_ingested_as_expected(
        results: dict[str, dict[str, object]]) -> None:
    wrong = []
    for name, r in results.items():
        case: Case = r["case"]  # type: ignore[assignment]
        error = r.get("error")
        if case.expect == "refused":
            if not error:
                wrong.append(f"{name}: ingested, expected refused")
            elif r["changed"]:
                wrong.append(f"{name}: refused but the store changed")
        elif case.expect == "ingested" and error:
            wrong.append(f"{name}: expected ingested, got {error!r}")
        if error:
            text = str(error)
            if "\n" in text or not text.startswith(case.path if case.path != "-" else ""):
                wrong.append(f"{name}: not one line naming the file: {text!r}")
            if "Traceback" in text:
                wrong.append(f"{name}: a traceback in the message")
    assert wrong == []


def test_good_files_between_hostile_ones_are_ingested(
        results: dict[str, dict[str, object]]) -> None:
    goods = {n: r for n, r in results.items() if ":" in n}
    assert len(goods) >= 5
    assert all(not r["error"] and r["changed"] for r in goods.values()), goods


def test_cli_reports_each_refused_file_on_one_line_and_a_summary(
        corpus: list[Case], tmp_path: Path) -> None:
    cases = [c for c in corpus if c.fmt == "guideline"]
    res = run_cli("ingest", "guideline", *[c.path for c in cases], "--quiet",
                  db=tmp_path / "cli.db")
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    refused = sum(1 for c in cases if c.expect == "refused")
    errors = [line for line in res.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) >= refused
    ingested = len(cases) - len(errors)
    assert f"guideline: {ingested} file(s) ingested, {len(errors)} refused" in res.stderr
