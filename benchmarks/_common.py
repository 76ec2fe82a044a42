"""Shared helpers for the benchmark scripts: paths, timing, percentiles, tables, machine info.

Benchmarks are scripts, not tests. Each prints a figures table (and optionally JSON) and
times Curbside against a reference measured in the same run, since the machines are noisy.
"""

from __future__ import annotations

import json
import os
import platform
import re
import sqlite3
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = (ROOT / ".." / "shared").resolve()
DATA = SHARED / "data"
PUBMED_XML = DATA / "pubmed" / "pubmedqa_pqal.xml"
PUBMED_UNTITLED_XML = DATA / "pubmed" / "pubmedqa_pqal_untitled.xml"
OPENFDA_JSON = DATA / "openfda_labels" / "drug-label-sample.json"
PUBMEDQA_JSON = DATA / "pubmedqa" / "ori_pqal.json"
QUESTIONS_JSONL = SHARED / "eval" / "questions.jsonl"

# Run from a checkout without installing: make `curbside` importable from src/.
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

now = time.perf_counter


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    xs = sorted(values)
    if len(xs) == 1:
        return xs[0]
    pos = (len(xs) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


def human_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return f"{n:.1f} GiB"


def dir_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A GitHub-flavoured Markdown table (readable in a terminal, pasteable into docs)."""
    cells = [[str(h) for h in headers]] + [[_fmt(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(cells[0], widths, strict=True)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    for r in cells[1:]:
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")
    return "\n".join(lines)


def _fmt(c: Any) -> str:
    if isinstance(c, float):
        if c != c:
            return "n/a"
        if abs(c) >= 1000:
            return f"{c:,.0f}"
        if abs(c) >= 100:
            return f"{c:.1f}"
        return f"{c:.2f}"
    if isinstance(c, int):
        return f"{c:,}"
    return str(c)


class Progress:
    """A one-line progress indicator on stderr (quiet when stderr is not a terminal,
    except for a line every `every_s` seconds)."""

    def __init__(self, label: str, total: int | None = None, every_s: float = 5.0):
        self.label, self.total, self.every_s = label, total, every_s
        self.tty = sys.stderr.isatty()
        self.start = self.last = now()
        self.n = 0

    def update(self, n: int = 1) -> None:
        self.n += n
        t = now()
        if (self.tty and t - self.last >= 0.2) or t - self.last >= self.every_s:
            self.last = t
            self._print(end="\r" if self.tty else "\n")

    def _print(self, end: str) -> None:
        el = now() - self.start
        tot = f"/{self.total:,}" if self.total else ""
        rate = self.n / el if el > 0 else 0.0
        sys.stderr.write(f"  {self.label}: {self.n:,}{tot} ({rate:,.0f}/s, {el:.0f}s){end}")
        sys.stderr.flush()

    def done(self) -> None:
        self._print(end="\n")


def log(msg: str) -> None:
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def machine() -> dict[str, Any]:
    """The machine the figures come from."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    mem = ""
    try:
        m = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
        mem = f"{int(m.group(1)) / 1024 / 1024:.1f} GiB" if m else ""
    except OSError:
        pass
    info: dict[str, Any] = {
        "cpus": os.cpu_count(), "cpu_model": model, "ram": mem,
        "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
    }
    try:
        import lxml.etree as etree
        info["lxml"] = ".".join(map(str, etree.LXML_VERSION))
    except ImportError:
        pass
    try:
        from importlib.metadata import version

        import tantivy  # noqa: F401
        info["tantivy"] = version("tantivy")
    except Exception:  # noqa: BLE001
        pass
    return info


def print_machine() -> None:
    m = machine()
    log(f"machine: {m['cpus']} CPUs, {m['cpu_model']}, {m['ram']} RAM, Python {m['python']}, "
        f"SQLite {m['sqlite']}")


def write_json(path: str | None, payload: dict[str, Any]) -> None:
    if not path:
        return
    payload = {"machine": machine(), **payload}
    text = json.dumps(payload, indent=2, default=str)
    if path == "-":
        print(text)
    else:
        Path(path).write_text(text + "\n")
        log(f"wrote {path}")
