"""Ingest files into the store: one transaction per file, bad files reported, good ones kept.

The readers in `curbside.sources` parse; this module decides what reaches the store. A file
that fails anywhere leaves nothing behind (its transaction rolls back) and the run goes on
with the next file.
"""

from __future__ import annotations

import glob
import io
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import BinaryIO

from curbside.errors import InputError, UserError
from curbside.knowledge.interaction_lists import register_names
from curbside.knowledge.lexicon import normalise_source_drugs, register_label_names
from curbside.model import Deletion, Source
from curbside.store.sqlite import Store

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


def ingest_file(store: Store, fmt: str, path: str,
                on_record: Callable[[], None] | None = None) -> FileResult:
    """Ingest one file in one transaction; errors are recorded on the result, not raised."""
    read = reader_for(fmt)
    res = FileResult(path)
    try:
        stream: BinaryIO = (io.BytesIO(sys.stdin.buffer.read()) if path == "-"
                            else open(path, "rb"))  # noqa: SIM115
    except OSError as e:
        res.error = f"{path}: cannot open: {e.strerror or e}"
        return res
    try:
        with stream, store.transaction():
            for item in read(stream, path):
                res.records += 1
                if isinstance(item, Deletion):
                    res.deleted += store.delete_key(item.key)
                else:
                    normalise_source_drugs(store, item)
                    put = store.put_source(item, origin=fmt)
                    setattr(res, put.action, getattr(res, put.action) + 1)
                    res.superseded += put.superseded
                    res.warnings += [f"{path}: {w}" for w in item.warnings]
                    if fmt in ("openfda", "spl") and item.status == "current":
                        register_label_names(store, item)
                    elif fmt == "onc":
                        register_names(store, item)
                if on_record:
                    on_record()
            if res.records == 0:
                raise InputError("no records found (empty file?)", path=path)
    except InputError as e:
        res.error = str(e) if e.path else f"{path}: {e}"
        res.added = res.updated = res.unchanged = res.deleted = 0
        res.superseded = []
    if res.superseded:  # articles citing what this file superseded get a new revision
        from curbside.review.living import refresh
        res.articles_redone, problems = refresh(store, res.superseded)
        res.warnings += problems
    return res


def ingest(store: Store, fmt: str, specs: list[str],
           on_file: Callable[[FileResult], None] | None = None,
           on_record: Callable[[], None] | None = None) -> IngestReport:
    """Ingest every file named by `specs`; a bad file is reported and the rest go on."""
    report = IngestReport(fmt)
    for path in expand_paths(fmt, specs):
        res = ingest_file(store, fmt, path, on_record)
        report.files.append(res)
        if on_file:
            on_file(res)
    return report
