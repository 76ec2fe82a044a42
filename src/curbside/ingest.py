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
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path
from typing import BinaryIO

from curbside.errors import InputError, UserError
from curbside.knowledge.interaction_lists import register_names
from curbside.knowledge.lexicon import normalise_source_drugs, register_label_names
from curbside.model import Deletion, Source
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


def reader_for(fmt: str) -> Callable[[BinaryIO, str], Iterator[Source | Deletion]]:
    if fmt not in FORMATS:
        raise UserError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return import_module(f"curbside.sources.{fmt}").read  # type: ignore[no-any-return]


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
                parsed: list[Source | Deletion] | str | None = None) -> FileResult:
    """Ingest one file in journalled batches; errors are recorded on the result, not raised.

    `on_bytes` gets the file position after each batch (for a progress bar). `parsed` is
    the file already read by another process (`parse_ahead`): its records, or its error."""
    if run is None:
        with ingest_run(store) as own:
            return ingest_file(store, fmt, path, on_record, run=own, on_bytes=on_bytes,
                               parsed=parsed)
    read = reader_for(fmt)
    res = FileResult(path)
    if isinstance(parsed, str) and parsed.startswith("cannot open: "):
        res.error = f"{path}: {parsed}"
        return res
    try:
        stream: BinaryIO = (io.BytesIO() if parsed is not None
                            else io.BytesIO(sys.stdin.buffer.read()) if path == "-"
                            else open(path, "rb"))  # noqa: SIM115
    except OSError as e:
        res.error = f"{path}: cannot open: {e.strerror or e}"
        return res
    if parsed is not None:
        read = _replay(parsed)
    names: list[Source] = []        # lexicon additions, made when the file is complete
    deferred, store.defer_index = store.defer_index, True
    store.journal = (run, path)
    try:
        with stream:
            batch: list[Source | Deletion] = []
            chars = since_index = 0
            for item in read(stream, path):
                res.records += 1
                batch.append(item)
                if isinstance(item, Source):
                    chars += sum(len(p.text) for p in item.passages)
                if on_record:
                    on_record()
                if len(batch) >= BATCH_RECORDS or chars >= BATCH_CHARS:
                    _write(store, fmt, path, batch, res, names)
                    since_index += len(batch)
                    batch, chars = [], 0
                    if since_index >= INDEX_EVERY:
                        store.catch_up_index()
                        since_index = 0
                    if on_bytes:
                        on_bytes(stream.tell())
            if res.records == 0:
                raise InputError("no records found (empty file?)", path=path)
            _write(store, fmt, path, batch, res, names, last=True)
    except InputError as e:
        _take_back(store, run, path)
        res.error = str(e) if e.path else f"{path}: {e}"
        res.added = res.updated = res.unchanged = res.deleted = 0
        res.superseded = []
    except BaseException:
        _take_back(store, run, path)      # Ctrl-C, a bug: still nothing half-done
        raise
    finally:
        store.journal = None
        store.defer_index = deferred
        store.catch_up_index()
    if res.superseded:  # articles citing what this file superseded get a new revision
        from curbside.review.living import refresh
        res.articles_redone, problems = refresh(store, res.superseded)
        res.warnings += problems
    return res


def _write(store: Store, fmt: str, path: str, batch: list[Source | Deletion], res: FileResult,
           names: list[Source], last: bool = False) -> None:
    """One batch in one transaction; the last also adds the file's names to the lexicon and
    drops its journal, so the file's completion is atomic."""
    with store.transaction():
        for item in batch:
            if isinstance(item, Deletion):
                res.deleted += store.delete_key(item.key)
                continue
            normalise_source_drugs(store, item)
            put = store.put_source(item, origin=fmt)
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
    def read(_stream: BinaryIO, path: str) -> Iterator[Source | Deletion]:
        if isinstance(parsed, str):
            raise InputError(parsed, path=path)
        yield from parsed
    return read


def _parse_whole(fmt: str, path: str) -> list[Source | Deletion] | str:
    """Read one file entirely (in a worker process): its records, or its one-line error."""
    try:
        with open(path, "rb") as stream:
            return list(reader_for(fmt)(stream, path))
    except OSError as e:
        return f"cannot open: {e.strerror or e}"
    except InputError as e:
        text = str(e)
        return text[len(path) + 2:] if text.startswith(f"{path}: ") else text


def parse_ahead(fmt: str, paths: list[str], jobs: int
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
            pending.append((path, None if path == "-" else pool.submit(_parse_whole, fmt, path)))
            if len(pending) > jobs:
                break
        while pending:
            path, fut = pending.popleft()
            nxt = next(todo, None)
            if nxt is not None:
                pending.append((nxt, None if nxt == "-" else pool.submit(_parse_whole, fmt, nxt)))
            yield path, (fut.result() if fut is not None else None)


def _take_back(store: Store, run: str, path: str) -> None:
    store.journal = None
    with store.transaction() as db:
        journal.undo(db, run, path)


def ingest(store: Store, fmt: str, specs: list[str],
           on_file: Callable[[FileResult], None] | None = None,
           on_record: Callable[[], None] | None = None) -> IngestReport:
    """Ingest every file named by `specs`; a bad file is reported and the rest go on."""
    report = IngestReport(fmt)
    paths = expand_paths(fmt, specs)
    with ingest_run(store) as run:
        for path in paths:
            res = ingest_file(store, fmt, path, on_record, run=run)
            report.files.append(res)
            if on_file:
                on_file(res)
    return report
