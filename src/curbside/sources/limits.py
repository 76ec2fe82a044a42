"""Limits on what a reader will read: bytes, decompression, nesting, field sizes, sections.

A hostile file (a zip bomb, /dev/zero, JSON nested a million deep, a YAML billion-laughs)
must cost a bounded amount of time and memory and end in one `InputError`, never a hang,
a `MemoryError` or a traceback. Every reader takes a `Limits` (the settings' values, see
docs/settings.md); `Limits()` holds the safe defaults.

    >>> with bounded(open("big.json", "rb"), Limits(max_file_bytes=10), "big.json") as fh:
    ...     fh.read()   # raises InputError: "big.json: larger than 10 bytes ..."
"""

from __future__ import annotations

import io
from dataclasses import dataclass, fields
from typing import Any, BinaryIO

from curbside.errors import InputError

MiB = 1 << 20
RATIO_FLOOR = 256 * 1024


@dataclass(frozen=True)
class Limits:
    """What one file may cost; the names match the settings (docs/settings.md)."""

    max_file_bytes: int = 1024 * MiB
    max_member_bytes: int = 1024 * MiB
    max_decompressed_bytes: int = 4096 * MiB
    max_compression_ratio: float = 100.0
    max_depth: int = 64
    max_yaml_nodes: int = 100_000
    max_field_chars: int = 2_000_000
    max_sections: int = 2000

    @classmethod
    def from_settings(cls, settings: Any) -> Limits:
        """The limits named in a `Settings` object (missing ones keep their default)."""
        return cls(**{f.name: getattr(settings, f.name) for f in fields(cls)
                      if hasattr(settings, f.name)})


DEFAULT = Limits()


class _Counted(io.RawIOBase):
    """A read-only stream that refuses to go past `limit` bytes (an `InputError`)."""

    def __init__(self, raw: BinaryIO, limit: int, path: str, what: str, setting: str):
        self._raw = raw
        self.limit = limit
        self.count = 0
        self._path = path
        self._what = what
        self._setting = setting

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        # Ask for one byte past the limit at most, so a huge read never allocates more.
        want = min(len(buffer), self.limit - self.count + 1)
        data = self._raw.read(max(want, 1))
        n = len(data)
        self.count += n
        if self.count > self.limit:
            self.refuse()
        buffer[:n] = data
        return n

    def refuse(self) -> None:
        raise InputError(f"{self._what} is larger than {self.limit} bytes (the "
                         f"{self._setting} setting)", path=self._path)

    def seekable(self) -> bool:
        return bool(self._raw.seekable())

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


class _Inflated(_Counted):
    """Decompressed bytes, refused past an absolute size or a ratio to the bytes read in."""

    def __init__(self, raw: BinaryIO, source: _Counted | None, limits: Limits, path: str,
                 limit: int, setting: str, compressed: int | None = None):
        super().__init__(raw, limit, path, "the decompressed content", setting)
        self._source = source
        self._ratio = limits.max_compression_ratio
        self._compressed = compressed

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = super().readinto(buffer)
        consumed = self._compressed if self._compressed is not None else \
            self._source.count if self._source is not None else 0
        # A floor of 256 KiB in: short real files may compress very well (headers, blanks).
        if self.count > self._ratio * max(consumed, RATIO_FLOOR):
            raise InputError(f"decompresses more than {self._ratio:g} times its size (a "
                             "compression bomb? the max_compression_ratio setting)",
                             path=self._path)
        return n


def bounded(raw: BinaryIO, limits: Limits, path: str) -> BinaryIO:
    """`raw` (a file as stored), refused past `max_file_bytes`; buffered for readers."""
    return io.BufferedReader(_Counted(raw, limits.max_file_bytes, path, "the file",
                                      "max_file_bytes"))


def counter_of(stream: BinaryIO) -> _Counted | None:
    """The byte counter under a stream made by `bounded`, if it is one."""
    raw = getattr(stream, "raw", None)
    return raw if isinstance(raw, _Counted) else None


def inflated(decoded: BinaryIO, source: BinaryIO, limits: Limits, path: str, *,
             member_size: int | None = None) -> BinaryIO:
    """A decompressing stream, refused past the size and ratio limits.

    For a zip member, `member_size` is its compressed size (the ratio is exact); for gzip
    the ratio is taken against the compressed bytes read so far.
    """
    limit, setting = ((limits.max_member_bytes, "max_member_bytes") if member_size is not None
                      else (limits.max_decompressed_bytes, "max_decompressed_bytes"))
    return io.BufferedReader(_Inflated(decoded, counter_of(source), limits, path, limit,
                                       setting, member_size))


def read_all(stream: BinaryIO, limit: int, path: str, setting: str) -> bytes:
    """All of a stream for readers that parse a whole document, refused past `limit`."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise InputError(f"the content is larger than {limit} bytes (the {setting} setting)",
                         path=path)
    return data


def json_depth_ok(value: Any, max_depth: int) -> bool:
    """Whether parsed JSON nests no deeper than `max_depth` (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > max_depth:
            return False
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return True
