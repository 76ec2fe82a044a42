"""Ingest files into the store: short batches, bad files reported and taken back, good
ones kept.

The readers in `curbside.sources` parse; this module decides what reaches the store.
Records are written in batches of a few hundred, one short transaction each, so the site's
own writes (articles, sign-ins, review actions) wait at most one batch for the write lock,
never a whole file. Every batch is journalled under the run's id (store/journal.py): a file
that fails anywhere has its batches taken back, so it leaves nothing behind, and the run
goes on with the next file. The file's last batch drops its journal in the same
transaction, so a file is either complete or undoable. The search index is brought up to
date once per file (and every `INDEX_EVERY` records of a long one), not per batch.
"""

from __future__ import annotations

import glob
import io
import os
import stat
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path
from typing import BinaryIO

from curbside.errors import InputError, StoreError, UserError
from curbside.knowledge.interaction_lists import register_names
from curbside.knowledge.lexicon import normalise_source_drugs, register_label_names
from curbside.model import Deletion, Source
from curbside.sources.checks import check_source
from curbside.sources.limits import DEFAULT, Limits, bounded
from curbside.store import journal
from curbside.store.sqlite import Store

BATCH_RECORDS = 400           # records per write transaction ...
BATCH_CHARS = 3_000_000       # ... or fewer when their text is long (labels)
INDEX_EVERY = 20_000          # records between search-index catch-ups within one file

FORMATS = ("openfda", "spl", "pubmed", "guideline", "onc")
_SUFFIXES = {"openfda": (".json", ".jsonl", ".zip", ".ndjson"), "spl": (".xml",),
             "pubmed": (".xml", ".gz"), "guideline": (".md", ".markdown"),
             "onc": (".xls", ".xlsx", ".csv")}


@dataclass
class FileResult:
    path: str
    records: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    superseded: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    articles_redone: list[str] = field(default_factory=list)  # living evidence


@dataclass
class IngestReport:
    format: str
    files: list[FileResult] = field(default_factory=list)

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.error]

    def totals(self) -> dict[str, int]:
        keys = ("records", "added", "updated", "unchanged", "deleted")
        out = {k: sum(getattr(f, k) for f in self.files) for k in keys}
        out["files"] = len(self.files)
        out["failed_files"] = len(self.failed)
        out["superseded"] = sum(len(f.superseded) for f in self.files)
        return out


def expand_paths(fmt: str, specs: list[str]) -> list[str]:
    """Files named by paths, folders (searched recursively by suffix) and globs; '-' kept."""
    out: list[str] = []
    for spec in specs:
        if spec == "-":
            out.append(spec)
        elif os.path.isdir(spec):
            found = sorted(str(p) for p in Path(spec).rglob("*")
                           if p.is_file() and p.name.lower().endswith(_SUFFIXES[fmt]))
            if not found:
                raise UserError(f"{spec}: no {fmt} files in this folder")
            out += found
        elif any(ch in spec for ch in "*?["):
            matches = sorted(glob.glob(spec, recursive=True))
            if not matches:
                raise UserError(f"{spec}: no files match this pattern")
            out += matches
        else:
            out.append(spec)
    return out


def reader_for(fmt: str) -> Callable[..., Iterator[Source | Deletion]]:
    if fmt not in FORMATS:
        raise UserError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return import_module(f"curbside.sources.{fmt}").read  # type: ignore[no-any-return]


def open_input(path: str, limits: Limits) -> BinaryIO:
    """A file to read, bounded by `limits`; refused (InputError) unless it is a regular file.

    FIFOs, devices and sockets are refused from `stat` before they are opened, and again
    from `fstat` after a non-blocking open (in case the path was swapped in between), so
    /dev/zero, /dev/urandom or a FIFO nobody writes to never hang or fill memory.
    """
    if path == "-":
        return bounded(sys.stdin.buffer, limits, "<stdin>")
    fd: int | None = None
    try:
        info = os.stat(path)
        if stat.S_ISREG(info.st_mode):
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
            info = os.fstat(fd)
    except OSError as e:
        raise InputError(f"cannot open: {e.strerror or e}", path=path) from None
    problem = None
    if not stat.S_ISREG(info.st_mode):
        kind = ("a folder" if stat.S_ISDIR(info.st_mode) else
                "a FIFO" if stat.S_ISFIFO(info.st_mode) else
                "a socket" if stat.S_ISSOCK(info.st_mode) else
                "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else
                "something else")
        problem = f"refused: this is {kind}, not a regular file"
    elif info.st_size > limits.max_file_bytes:
        problem = (f"the file is {info.st_size} bytes, over the max_file_bytes setting "
                   f"({limits.max_file_bytes})")
    if problem or fd is None:
        if fd is not None:
            os.close(fd)
        raise InputError(problem or "refused: not a regular file", path=path)
    return bounded(os.fdopen(fd, "rb", buffering=0), limits, path)


def _unexpected(exc: Exception, records: int) -> str:
    """One line for an error no reader check anticipated (named, never a traceback)."""
    where = f"record {records + 1}: "
    if isinstance(exc, RecursionError):
        return f"{where}nested too deeply to read"
    if isinstance(exc, MemoryError):
        return f"{where}too large to read in the memory available"
    if isinstance(exc, UnicodeError):
        return f"{where}text is not valid Unicode ({getattr(exc, 'reason', exc)})"
    return f"{where}cannot be read ({type(exc).__name__}: {str(exc)[:200]})"


@contextmanager
def ingest_run(store: Store) -> Iterator[str]:
    """One ingest run: first takes back the files of runs whose process died, then yields
    the new run's id (its journal is dropped at the end)."""
    run = uuid.uuid4().hex[:12]
    with store.transaction() as db:
        journal.undo_orphans(db)
        journal.start_run(db, run, datetime.now(UTC).isoformat(timespec="seconds"))
    try:
        yield run
    finally:
        with store.transaction() as db:
            journal.forget(db, run)


def ingest_file(store: Store, fmt: str, path: str,
                on_record: Callable[[], None] | None = None, *, run: str | None = None,
                on_bytes: Callable[[int], None] | None = None,
                parsed: list[Source | Deletion] | str | None = None,
                limits: Limits = DEFAULT, seen: dict[str, str] | None = None) -> FileResult:
    """Ingest one file in journalled batches; errors are recorded on the result, not raised.

    `on_bytes` gets the file position after each batch (for a progress bar). `parsed` is
    the file already read by another process (`parse_ahead`): its records, or its error."""
    if run is None:
        with ingest_run(store) as own:
            return ingest_file(store, fmt, path, on_record, run=own, on_bytes=on_bytes,
                               parsed=parsed, limits=limits, seen=seen)
    read = reader_for(fmt)
    res = FileResult(path)
    if isinstance(parsed, str) and parsed.startswith("cannot open: "):
        res.error = f"{path}: {parsed}"
        return res
    try:
        stream: BinaryIO = io.BytesIO() if parsed is not None else open_input(path, limits)
    except InputError as e:
        res.error = str(e)
        return res
    # Same identity and version, other content: refused in a file, and across the files of
    # a run but for PubMed, whose update files re-issue revised records (later one wins).
    seen = {} if seen is None or fmt == "pubmed" else seen
    ids: dict[str, str] = {}
    repeats: dict[int, tuple[str, str]] = {}  # id(record) -> (where, where seen first)
    done = 0  # records fully handled: a failure is in record done + 1
    if parsed is not None:
        read = _replay(parsed)
    names: list[Source] = []        # lexicon additions, made when the file is complete
    deferred, store.defer_index = store.defer_index, True
    store.journal = (run, path)
    try:
        with stream:
            batch: list[Source | Deletion] = []
            chars = since_index = 0
            for item in read(stream, path, limits):
                res.records += 1
                if isinstance(item, Source):
                    try:
                        check_source(item, limits)
                    except InputError as e:
                        raise InputError(str(e), path=path, record=f"record {res.records} "
                                         f"({item.source_id[:80]})") from None
                    sid = item.source_id
                    earlier = ids.get(sid) or seen.get(sid)
                    if earlier:
                        repeats[id(item)] = (f"record {res.records}", earlier)
                    else:
                        ids[sid] = f"record {res.records} of {path}"
                batch.append(item)
                done += 1
                if isinstance(item, Source):
                    chars += sum(len(p.text) for p in item.passages)
                if on_record:
                    on_record()
                if len(batch) >= BATCH_RECORDS or chars >= BATCH_CHARS:
                    _write(store, fmt, path, batch, res, names, repeats)
                    since_index += len(batch)
                    batch, chars = [], 0
                    if since_index >= INDEX_EVERY:
                        store.catch_up_index()
                        since_index = 0
                    if on_bytes:
                        on_bytes(stream.tell())
            if res.records == 0:
                raise InputError("no records found (empty file?)", path=path)
            _write(store, fmt, path, batch, res, names, repeats, last=True)
    except InputError as e:
        _take_back(store, run, path)
        res.error = str(e) if e.path else f"{path}: {e}"
    except StoreError:
        _take_back(store, run, path)
        raise  # the store itself is unusable: the run cannot go on
    except Exception as e:  # noqa: BLE001 - a reader must never abort the run
        _take_back(store, run, path)
        res.error = f"{path}: {_unexpected(e, done)}"
    except BaseException:
        _take_back(store, run, path)      # Ctrl-C, a bug: still nothing half-done
        raise
    finally:
        store.journal = None
        store.defer_index = deferred
        store.catch_up_index()
    if res.error:
        # A message may quote a hostile value (a lone surrogate cannot be printed).
        res.error = res.error.encode("utf-8", "backslashreplace").decode("utf-8")
        res.added = res.updated = res.unchanged = res.deleted = 0
        res.superseded = []
        return res
    seen.update(ids)
    if res.superseded:  # articles citing what this file superseded get a new revision
        from curbside.review.living import refresh
        res.articles_redone, problems = refresh(store, res.superseded)
        res.warnings += problems
    return res


def _write(store: Store, fmt: str, path: str, batch: list[Source | Deletion], res: FileResult,
           names: list[Source], repeats: dict[int, tuple[str, str]] | None = None,
           last: bool = False) -> None:
    """One batch in one transaction; the last also adds the file's names to the lexicon and
    drops its journal, so the file's completion is atomic."""
    with store.transaction():
        for item in batch:
            if isinstance(item, Deletion):
                res.deleted += store.delete_key(item.key)
                continue
            normalise_source_drugs(store, item)
            put = store.put_source(item, origin=fmt)
            if repeats and id(item) in repeats and put.action == "updated":
                here, earlier = repeats[id(item)]
                raise InputError(f"{here} has the same identity and version as {earlier} "
                                 f"({put.source_id}) but different content", path=path)
            setattr(res, put.action, getattr(res, put.action) + 1)
            res.superseded += put.superseded
            res.warnings += [f"{path}: {w}" for w in item.warnings]
            if (fmt in ("openfda", "spl") and item.status == "current") or fmt == "onc":
                # Kept without their passages: only names and classes are needed.
                names.append(item if fmt == "onc" else replace(item, passages=[]))
        if last:
            for src in names:
                if fmt == "onc":
                    register_names(store, src)
                else:
                    register_label_names(store, src)
            if store.journal:
                journal.forget(store.db, *store.journal)


def _replay(parsed: list[Source | Deletion] | str
            ) -> Callable[[BinaryIO, str], Iterator[Source | Deletion]]:
    """A reader over records parsed elsewhere (a parse error is raised where it was met)."""
    def read(_stream: BinaryIO, path: str, _limits: Limits = DEFAULT
             ) -> Iterator[Source | Deletion]:
        if isinstance(parsed, str):
            raise InputError(parsed, path=path)
        yield from parsed
    return read


def _parse_whole(fmt: str, path: str, limits: Limits = DEFAULT
                 ) -> list[Source | Deletion] | str:
    """Read one file entirely (in a worker process): its records, or its one-line error."""
    try:
        with open_input(path, limits) as stream:
            return list(reader_for(fmt)(stream, path, limits))
    except InputError as e:
        text = str(e)
        return text[len(path) + 2:] if text.startswith(f"{path}: ") else text
    except Exception as e:  # noqa: BLE001 - reported as the file's one-line error
        return _unexpected(e, 0)


def parse_ahead(fmt: str, paths: list[str], jobs: int, limits: Limits = DEFAULT
                ) -> Iterator[tuple[str, list[Source | Deletion] | str | None]]:
    """(path, parsed) for each path in order, up to `jobs` files read ahead in other
    processes while this one writes; parsed is None for '-' (read here)."""
    if jobs <= 1:
        yield from ((p, None) for p in paths)
        return
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending: deque[tuple[str, Future[list[Source | Deletion] | str] | None]] = deque()
        todo = iter(paths)
        for path in todo:
            pending.append((path, None if path == "-"
                            else pool.submit(_parse_whole, fmt, path, limits)))
            if len(pending) > jobs:
                break
        while pending:
            path, fut = pending.popleft()
            nxt = next(todo, None)
            if nxt is not None:
                pending.append((nxt, None if nxt == "-"
                                else pool.submit(_parse_whole, fmt, nxt, limits)))
            yield path, (fut.result() if fut is not None else None)


def _take_back(store: Store, run: str, path: str) -> None:
    store.journal = None
    with store.transaction() as db:
        journal.undo(db, run, path)


def ingest(store: Store, fmt: str, specs: list[str],
           on_file: Callable[[FileResult], None] | None = None,
           on_record: Callable[[], None] | None = None, *,
           limits: Limits = DEFAULT) -> IngestReport:
    """Ingest every file named by `specs`; a bad file is reported and the rest go on."""
    report = IngestReport(fmt)
    paths = expand_paths(fmt, specs)
    seen: dict[str, str] = {}
    with ingest_run(store) as run:
        for path in paths:
            res = ingest_file(store, fmt, path, on_record, run=run, limits=limits, seen=seen)
            report.files.append(res)
            if on_file:
                on_file(res)
    return report
