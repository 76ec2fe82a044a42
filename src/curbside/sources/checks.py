"""Checks every record passes before it reaches the store, whatever its format.

Readers turn bytes into `Source` records; these checks refuse values no real source has
(a label version of -5 or of 400 digits, a publication year 99999, a month 13, a set id
that is not a UUID, a section of 50 MB, a record of 100,000 sections) with an `InputError`
that names the value, instead of storing it or dropping it silently.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from curbside.errors import InputError
from curbside.model import Source
from curbside.sources.limits import Limits

FIRST_YEAR = 1800  # the oldest PubMed records are from the 1800s (OLDMEDLINE)
# Label and PubMed versions are counters; a guideline version is a short name ("2024.1").
_COUNTER = re.compile(r"\d{1,9}")
_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
_IDENTIFIERS = {
    "set_id": re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-"
                         r"[0-9A-Fa-f]{12}"),
    "pmid": re.compile(r"[1-9]\d{0,9}"),
    "doi": re.compile(r"10\.\d{4,9}/\S{1,300}"),
}
_ANY_IDENTIFIER = re.compile(r"[^\x00-\x1f\x7f]{1,2000}")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
MAX_TITLE_CHARS = 2000


def _shown(value: object) -> str:
    text = str(value)
    return repr(text) if len(text) <= 40 else f"{text[:20]!r}... ({len(text)} characters)"


def check_year(year: int | None, what: str = "year") -> None:
    """A year between 1800 and next year, or none."""
    if year is None:
        return
    last = datetime.now(UTC).year + 1
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= last:
        raise InputError(f"{what} {_shown(year)} is not a year between {FIRST_YEAR} and {last}")


def check_date(value: str | None, what: str) -> None:
    """An ISO date (YYYY, YYYY-MM or YYYY-MM-DD) that exists, or none."""
    if value is None:
        return
    m = _DATE.fullmatch(value)
    if not m:
        raise InputError(f"{what} {_shown(value)} is not a date (YYYY-MM-DD)")
    check_year(int(m.group(1)), f"{what} year")
    try:
        date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
    except ValueError:
        raise InputError(f"{what} {_shown(value)} is not a real date") from None


def check_source(src: Source, limits: Limits) -> None:
    """Refuse a record whose identity, version, dates or sizes no real source has."""
    counter = src.tier in ("label", "research")
    if src.version is not None:
        pattern = _COUNTER if counter else _VERSION
        if not pattern.fullmatch(src.version):
            kind = "a whole number of at most 9 digits" if counter else \
                "at most 32 letters, digits, '.', '_' or '-'"
            raise InputError(f"version {_shown(src.version)} is not {kind}")
    check_year(src.year)
    check_date(src.published, "publication date")
    check_date(src.effective, "effective date")
    for name, value in src.identifiers.items():
        pattern = _IDENTIFIERS.get(name, _ANY_IDENTIFIER)
        if not pattern.fullmatch(value):
            raise InputError(f"identifier {name} {_shown(value)} is not valid")
    if len(src.title) > MAX_TITLE_CHARS:
        raise InputError(f"the title is {len(src.title)} characters long (at most "
                         f"{MAX_TITLE_CHARS})")
    if len(src.passages) > limits.max_sections:
        raise InputError(f"{len(src.passages)} sections (the max_sections setting allows "
                         f"{limits.max_sections})")
    for p in src.passages:
        if len(p.text) > limits.max_field_chars:
            raise InputError(f"section {_shown(p.title or p.section)} is {len(p.text)} "
                             f"characters long (the max_field_chars setting allows "
                             f"{limits.max_field_chars})")
        if p.title and len(p.title) > MAX_TITLE_CHARS:
            raise InputError(f"a section title is {len(p.title)} characters long (at most "
                             f"{MAX_TITLE_CHARS})")
