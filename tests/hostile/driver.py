"""Ingest files one by one into a store and report, per file, what it cost (JSON lines).

Run in its own process by the hostile-file test: `python -m tests.hostile.driver DB FMT
PATH...`. Per file it prints the error (if any), the seconds it took, the process's peak
resident memory so far (`resource`, MB), whether the store changed, and any exception that
escaped `ingest_file` (which would be a traceback for a user). A file still running after
10 s is stopped by an alarm and reported as a hang.
"""

from __future__ import annotations

import hashlib
import json
import resource
import signal
import sys
import time
import traceback
from pathlib import Path
from types import FrameType

from curbside.config import load_settings
from curbside.ingest import ingest_file
from curbside.sources.limits import Limits
from curbside.store import init_store
from curbside.store.sqlite import Store

HANG_SECONDS = 10


class Hang(BaseException):
    """Raised by the alarm; a BaseException so that no `except Exception` swallows it."""


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise Hang()


def fingerprint(store: Store) -> str:
    """A digest of everything ingest writes: sources, passages, names (the search index is
    fed from these in the same transaction)."""
    digest = hashlib.sha256()
    for sql in ("SELECT id, content_hash, status, superseded_by FROM sources ORDER BY id",
                "SELECT count(*), total(length(text)) FROM passages",
                "SELECT count(*) FROM source_drugs",
                "SELECT count(*) FROM drug_aliases"):
        for row in store.db.execute(sql):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def peak_mb() -> float:
    """This process's peak resident memory, MB.

    Linux carries `ru_maxrss` over an exec from the parent's memory at fork time (here a
    pytest process of ~150 MB), so the figure is VmHWM of /proc/self/status, which starts
    afresh at exec; `resource` where /proc is absent.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> None:
    db, fmt, paths = Path(argv[0]), argv[1], argv[2:]
    # Protect the machine if a limit fails: 4 GB of address space, then MemoryError.
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
    store = init_store(db, starter_pack=False)
    limits = Limits.from_settings(load_settings(db=str(db)))
    seen: dict[str, str] = {}
    signal.signal(signal.SIGALRM, _alarm)
    print(json.dumps({"baseline_mb": peak_mb()}), flush=True)
    for path in paths:
        before = fingerprint(store)
        start = time.monotonic()
        out: dict[str, object] = {"path": path}
        signal.alarm(HANG_SECONDS)
        try:
            res = ingest_file(store, fmt, path, limits=limits, seen=seen)
            out["error"] = res.error
            out["added"] = res.added + res.updated + res.unchanged + res.deleted
        except Hang:
            out["hang"] = True
        except BaseException:  # noqa: BLE001 - exactly what the test looks for
            out["traceback"] = traceback.format_exc()[-2000:]
        finally:
            signal.alarm(0)
        out["seconds"] = round(time.monotonic() - start, 3)
        out["peak_mb"] = round(peak_mb(), 1)
        out["changed"] = fingerprint(store) != before
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
