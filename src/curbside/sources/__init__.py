"""Readers: one module per input format, each turning an open file into records.

Every reader module exposes `FORMAT` and `read(stream, path)`, which yields `Source`
(and, for PubMed, `Deletion`) records and raises `InputError` naming the file and record
for anything it cannot read. Readers never touch the store.

Example::

    from curbside.sources import reader
    with open("labels.json", "rb") as fh:
        for record in reader("openfda").read(fh, "labels.json"):
            print(record.key)
"""

from __future__ import annotations

import gzip
import importlib
import io
import re
import zipfile
from types import ModuleType
from typing import BinaryIO

from curbside.errors import InputError
from curbside.sources.limits import (
    DEFAULT,
    RATIO_FLOOR,
    Limits,
    bounded,
    counter_of,
    inflated,
    read_all,
)

FORMATS: tuple[str, ...] = ("openfda", "spl", "pubmed", "guideline", "onc")

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"


def reader(fmt: str) -> ModuleType:
    """The reader module for a format name ("openfda", "spl", "pubmed", "guideline", "onc")."""
    if fmt not in FORMATS:
        raise InputError(f"unknown input format {fmt!r} (expected one of {', '.join(FORMATS)})")
    return importlib.import_module(f"curbside.sources.{fmt}")


class _Prefixed(io.RawIOBase):
    """A stream that replays bytes already read from it before the rest of the stream."""

    def __init__(self, head: bytes, rest: BinaryIO):
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def sniff(stream: BinaryIO, size: int = 4) -> tuple[bytes, BinaryIO]:
    """Peek at the first bytes of a stream; return them and a stream that starts over."""
    if stream.seekable():
        start = stream.tell()
        head = stream.read(size)
        stream.seek(start)
        return head, stream
    head = stream.read(size)
    return head, io.BufferedReader(_Prefixed(head, stream))


def decompressed(stream: BinaryIO, path: str, *, member_suffix: str = "",
                 limits: Limits = DEFAULT) -> BinaryIO:
    """The stream itself, or its content when it is gzip (or zip, given `member_suffix`).

    Compression is detected by magic bytes, never by file name. A zip archive must hold
    exactly one member ending in `member_suffix` (an openFDA bulk partition holds one .json).
    Every byte read is counted against `limits` (file size, decompressed size and ratio),
    so a compression bomb ends in an `InputError` after a bounded amount of work.
    """
    if counter_of(stream) is None:
        stream = bounded(stream, limits, path)
    head, stream = sniff(stream)
    if head.startswith(GZIP_MAGIC):
        return inflated(gzip.GzipFile(fileobj=stream, mode="rb"),  # type: ignore[arg-type]
                        stream, limits, path)
    if head.startswith(ZIP_MAGIC) and member_suffix:
        return _zip_member(stream, path, member_suffix, limits)
    return stream


def _zip_member(stream: BinaryIO, path: str, suffix: str, limits: Limits) -> BinaryIO:
    if not stream.seekable():  # standard input: the archive must be held to be read
        stream = io.BytesIO(read_all(stream, limits.max_file_bytes, path, "max_file_bytes"))
    try:
        archive = zipfile.ZipFile(stream)
        members = [i for i in archive.infolist() if i.filename.lower().endswith(suffix)]
        if len(members) != 1:
            raise InputError(f"zip archive holds {len(members)} {suffix} files, "
                             "expected exactly one", path=path)
        info = members[0]
        if info.file_size > limits.max_member_bytes:
            raise InputError(f"zip member {info.filename!r} is {info.file_size} bytes, over "
                             f"the max_member_bytes setting ({limits.max_member_bytes})",
                             path=path)
        if info.file_size > limits.max_compression_ratio * max(info.compress_size, RATIO_FLOOR):
            raise InputError(f"zip member {info.filename!r} decompresses more than "
                             f"{limits.max_compression_ratio:g} times its size (a compression "
                             "bomb? the max_compression_ratio setting)", path=path)
        return inflated(archive.open(info), stream, limits, path,  # type: ignore[arg-type]
                        member_size=info.compress_size)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError) as exc:
        raise InputError(f"corrupt or unsupported zip archive ({exc})", path=path) from None


# Lone surrogates (U+D800-U+DFFF) come from JSON escapes like "\\ud800"; they cannot be
# stored as UTF-8, so they go too.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f\ud800-\udfff]")
_SPACES = re.compile(r"[ \t\xa0\u2002-\u200a\u202f\u205f\u3000]+")
_BLANKS = re.compile(r"\s*\n\s*")


def clean_text(text: str, *, keep_lines: bool = False) -> str:
    """Drop C0/C1 control characters and collapse runs of white space.

    C1 characters (U+0080-U+009F) turn up in real openFDA labels where the source had
    invisible characters; they are never text, and neither are lone surrogates. With
    `keep_lines`, line breaks survive (one per paragraph); otherwise all white space
    becomes single spaces.
    """
    if text.isprintable():
        # The common case (a name, a sentence): no control characters, no white space but
        # plain spaces (isprintable() is False for those), so both modes agree. Skips two
        # regex passes per element; most of a bulk ingest's text takes this path.
        return text.strip() if "  " not in text else " ".join(text.split())
    text = _CONTROL.sub("", text.replace("\r\n", "\n"))
    if keep_lines:
        text = _SPACES.sub(" ", text)
        return _BLANKS.sub("\n", text).strip()
    return " ".join(text.split())


_FORM_WORDS = re.compile(
    r"\b(?:film[- ]coated|extended[- ]release|delayed[- ]release|orally disintegrating|"
    r"chewable|oral|for|usp|tablets?|capsules?|injection|injectable|solution|suspension|"
    r"syrup|elixir|concentrate|cream|ointment|gel|lotion|patch|spray|powder|kit|drops|"
    r"granules|liquid|kit)\b\.?", re.IGNORECASE)
_SALTS = frozenset("hydrochloride hcl sodium potassium calcium magnesium sulfate bisulfate "
                   "citrate tartrate maleate mesylate besylate succinate fumarate acetate "
                   "phosphate hydrobromide bromide hyclate monohydrate dihydrate trihydrate "
                   "tromethamine dipropionate propionate valerate".split())


def drug_names(generic_names: list[str]) -> list[str]:
    """Lower-case generic drug names: combinations split, dosage forms and salts dropped.

    "LISINOPRIL AND HYDROCHLOROTHIAZIDE TABLETS" -> ["lisinopril", "hydrochlorothiazide"];
    "WARFARIN SODIUM" -> ["warfarin"] (the salt stays in `meta["generic_name"]`).
    """
    names: list[str] = []
    for generic in generic_names:
        for part in re.split(r",|;|/|\band\b|\bwith\b|\+", generic, flags=re.IGNORECASE):
            words = _FORM_WORDS.sub(" ", part).lower().split()
            while len(words) > 1 and words[-1] in _SALTS:
                words.pop()
            name = " ".join(words).strip(" .-")
            if name and name not in names:
                names.append(name)
    return names
