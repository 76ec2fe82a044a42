"""openFDA drug/label JSON: one record, an API response, a bulk partition, or JSON Lines.

Accepted shapes (https://open.fda.gov/apis/drug/label/): a single label record; an API
response or bulk download partition `{"meta": ..., "results": [...]}` (plain, gzip or the
`.json.zip` openFDA ships, detected by magic bytes); a JSON array of records; or JSON Lines
(one record per line). Each record becomes one `Source` (tier "label") with one passage
per section field, long PLR sections split at their numbered subsection headings.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any, BinaryIO

from curbside.errors import InputError
from curbside.model import Deletion, Passage, Source
from curbside.sources import clean_text, decompressed, drug_names
from curbside.sources.limits import DEFAULT, Limits, json_depth_ok
from curbside.sources.sections import SECTIONS, is_section_field, title_for

FORMAT = "openfda"

DAILYMED_URL = "https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid={set_id}"
# Top-level fields that are ids or dates, never section text.
_NOT_SECTIONS = frozenset({"id", "set_id", "version", "effective_time", "openfda"})
_META_FIELDS = ("generic_name", "brand_name", "substance_name", "pharm_class_epc",
                "pharm_class_moa", "rxcui", "manufacturer_name", "route", "product_type")


def _original_packager(value: object) -> bool | None:
    """openFDA's `is_original_packager` (a list of one boolean), or None when absent."""
    if isinstance(value, list) and value and isinstance(value[0], bool):
        return value[0]
    return value if isinstance(value, bool) else None


def read(stream: BinaryIO, path: str, limits: Limits = DEFAULT) -> Iterator[Source | Deletion]:
    """Yield one label `Source` per openFDA record in the file."""
    try:
        data = decompressed(stream, path, member_suffix=".json", limits=limits).read()
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise InputError(f"cannot read compressed file ({exc})", path=path) from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise InputError("empty file, expected openFDA label JSON", path=path)
    if data.lstrip()[:1] == b"<":
        raise InputError("this is XML, not openFDA JSON (use the spl or pubmed reader)",
                         path=path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line})",
                         path=path) from None
    del data
    yield from _records(text, path, limits)


def _loads(text: str, path: str, limits: Limits, record: str | None = None) -> Any:
    """JSON text as Python values, nesting and number size checked (never a traceback)."""
    try:
        doc = json.loads(text)
    except RecursionError:
        raise InputError(f"JSON nested deeper than the max_depth setting ({limits.max_depth})",
                         path=path, record=record) from None
    except json.JSONDecodeError:
        raise
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise InputError(f"unreadable JSON value ({exc})", path=path, record=record) from None
    if not json_depth_ok(doc, limits.max_depth):
        raise InputError(f"JSON nested deeper than the max_depth setting ({limits.max_depth})",
                         path=path, record=record)
    return doc


def _records(text: str, path: str, limits: Limits) -> Iterator[Source]:
    try:
        doc = _loads(text, path, limits)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":  # several JSON values: JSON Lines
            yield from _json_lines(text, path, limits)
            return
        raise InputError(f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
                         path=path) from None
    if isinstance(doc, dict) and "results" in doc:
        results = doc["results"]
        if not isinstance(results, list):
            raise InputError("'results' is not a list of label records", path=path)
        if not results:
            raise InputError("'results' holds no label records", path=path)
    elif isinstance(doc, dict):
        results = [doc]
    elif isinstance(doc, list):
        results = doc
    else:
        raise InputError("expected a JSON object or list of openFDA label records", path=path)
    for index, record in enumerate(results, start=1):
        yield parse_record(record, path, f"record {index}")


def _json_lines(text: str, path: str, limits: Limits) -> Iterator[Source]:
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = _loads(line, path, limits, f"line {lineno}")
        except json.JSONDecodeError as exc:
            raise InputError(f"malformed JSON: {exc.msg} (column {exc.colno})", path=path,
                             record=f"line {lineno}") from None
        yield parse_record(record, path, f"line {lineno}")


def parse_record(record: Any, path: str, where: str) -> Source:
    """One openFDA label record as a `Source`; `where` names it in messages ("record 3")."""
    if not isinstance(record, dict):
        raise InputError("not a JSON object", path=path, record=where)
    set_id = _scalar(record.get("set_id"))
    if set_id:
        where = f"{where} (set_id {set_id})"
    if not any(is_section_field(k) or k in _NOT_SECTIONS for k in record):
        raise InputError("not an openFDA label record (no openfda block, ids or label "
                         "sections)", path=path, record=where)
    warnings: list[str] = []
    raw_openfda = record.get("openfda")
    if not isinstance(raw_openfda, dict) or not raw_openfda:
        warnings.append("no openfda block: names, manufacturer and classes unknown")
        raw_openfda = {}
    meta: dict[str, Any] = {k: [clean_text(v) for v in _strings(raw_openfda.get(k))]
                            for k in _META_FIELDS
                            if raw_openfda.get(k)}
    packager = _original_packager(raw_openfda.get("is_original_packager"))
    if packager is not None:        # which label speaks for a drug: store/labels.py
        meta["original_packager"] = packager
    passages = _passages(record, path, where)
    if not passages:
        raise InputError("record has no label section text", path=path, record=where)
    generic = meta.get("generic_name", [])
    brand = meta.get("brand_name", [])
    manufacturer = meta.get("manufacturer_name", [])
    if set_id:
        key = f"setid:{set_id}"
    else:
        key = "openfda:" + _derived_key(generic, brand, manufacturer, passages[0].text)
        warnings.append(f"no set_id: derived the stable key {key} from names and text")
    effective, year = _date(_scalar(record.get("effective_time")), warnings)
    identifiers = {
        "set_id": set_id, "version": _scalar(record.get("version")),
        "openfda_id": _scalar(record.get("id")), "rxcui": ",".join(meta.get("rxcui", [])),
    }
    return Source(
        key=key, tier="label", title=_title(brand, generic, key), passages=passages,
        version=identifiers["version"] or None, issuer=manufacturer[0] if manufacturer else None,
        year=year, effective=effective,
        url=DAILYMED_URL.format(set_id=set_id) if set_id else None,
        identifiers={k: v for k, v in identifiers.items() if v},
        drugs=drug_names(generic), meta=meta, warnings=warnings,
    )


def _passages(record: dict[str, Any], path: str, where: str) -> list[Passage]:
    known = [f for f in SECTIONS if f in record]
    extra = [f for f in record
             if f not in SECTIONS and f not in _NOT_SECTIONS and not f.endswith("_table")]
    passages: list[Passage] = []
    for name in known + extra:
        value = record[name]
        if name in extra and not (isinstance(value, list) and value
                                  and all(isinstance(v, str) for v in value)):
            continue  # an unknown non-text field: not ours to read
        parts = _strings(value)
        if value is not None and not parts and not isinstance(value, list | str):
            raise InputError(f"section {name!r} is not a list of strings", path=path,
                             record=where)
        # Printable parts (the usual case) joined by spaces give what the line breaks would
        # have become, on clean_text's fast path.
        text = clean_text(" ".join(parts) if all(p.isprintable() for p in parts)
                          else "\n".join(parts))
        if text:
            passages.extend(split_section(name, text))
    return passages


# --- numbered subsections -------------------------------------------------------------

_CONNECTORS = frozenset("a an and as at by during for from in into of on or per the to "
                        "versus vs with without not that via than".split())
# "5.1 Risks ..." but not "( 5.1 )", "(5.1)", ", 5.1", "2.5 mg" or "12.3.1". The pattern
# starts at the dot, a literal the regex engine finds fast; the one or two digits before
# it, and what may not come before them, are checked on each match (_subheads): with the
# checks as lookbehinds the scan was a third of an openFDA ingest.
_SUBHEAD = re.compile(r"\.(\d{1,2})(?![\d.])\s+(?=[A-Z])")
_NOT_BEFORE = frozenset(".([,/-_")
_NOT_BEFORE2 = ("( ", ", ")


def _subheads(text: str) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, major, minor) of each "N.M " followed by a capital letter, where N is
    one or two digits with no word character, '.', '(', '[', ',', '/' or '-' (nor '( ' or
    ', ') before it."""
    for m in _SUBHEAD.finditer(text):
        dot = start = m.start()
        while start > 0 and dot - start < 2 and text[start - 1].isdecimal():
            start -= 1
        if start == dot:
            continue
        if start > 0:
            prev = text[start - 1]
            if prev in _NOT_BEFORE or prev.isalnum() or text[start - 2:start] in _NOT_BEFORE2:
                continue
        yield start, m.end(), text[start:dot], m.group(1)
_TOPHEAD = re.compile(r"\s*(\d{1,2})\s+(?=[A-Z]{2})")
_MAX_HEADING_WORDS = 16


def split_section(field_name: str, text: str) -> list[Passage]:
    """Passages of one section: a preamble, then one per "N.M Title" subsection heading."""
    display = title_for(field_name)
    facts = {} if SECTIONS.get(field_name, None) is None or SECTIONS[field_name].clinical \
        else {"clinical": False}
    top = _TOPHEAD.match(text)
    major = top.group(1) if top else None
    cuts: list[tuple[int, str, str]] = []  # (start, number, heading)
    last_minor = 0
    for start, end, first, second in _subheads(text):
        if major is None and not cuts:
            major = first
        minor = int(second)
        if first != major or minor <= last_minor:
            continue
        heading = _heading(_first_words(text, end), caps=False)
        if heading:
            cuts.append((start, f"{first}.{second}", heading))
            last_minor = minor
    passages: list[Passage] = []
    preamble = text[: cuts[0][0]].strip() if cuts else text
    lead = _heading(_first_words(preamble, top.end() if top else 0), caps=True)
    if top and lead:
        title, number = f"{major} {lead}", major
    elif lead and field_name == "boxed_warning":
        title, number = lead, None
    else:
        title, number = display, None
    if preamble and preamble != title:
        passages.append(Passage(section=field_name, text=preamble, title=title,
                                number=number, facts=dict(facts)))
    for i, (start, number, heading) in enumerate(cuts):
        end = cuts[i + 1][0] if i + 1 < len(cuts) else len(text)
        passages.append(Passage(section=field_name, text=text[start:end].strip(),
                                title=f"{number} {heading}", number=number, facts=dict(facts)))
    return passages


def _first_words(text: str, start: int) -> list[str]:
    """The words from `start` that a heading can use, from a window of the text: splitting
    the whole rest of a long section at every candidate heading was most of the reader's
    time."""
    window = text[start:start + 1200]
    if window.count(" ") <= _MAX_HEADING_WORDS and start + 1200 < len(text):
        window = text[start:]       # very long words: fall back to the whole rest
    return window.split(" ", _MAX_HEADING_WORDS + 1)


def _heading(words: list[str], *, caps: bool) -> str:
    """The heading at the start of `words`: title-case (or upper-case) words up to the body.

    The flattened openFDA text has no marker between a heading and its body, so the
    heading ends at the first word that cannot be part of one; a capitalised word right
    before a lower-case one starts the body's first sentence ("... Opioids Concomitant use").
    """
    taken: list[str] = []
    stopped_on_lower = False
    for word in words[:_MAX_HEADING_WORDS]:
        core = word.strip("(),:;&/-–—'’\"")
        if not core:
            taken.append(word)
            continue
        if core.lower() in _CONNECTORS and not core[0].isdigit():
            taken.append(word)
            continue
        if caps and core.isupper() or not caps and core[0].isupper():
            taken.append(word)
            continue
        stopped_on_lower = core[0].islower() or core[0].isdigit()
        break
    _drop_connectors(taken)
    if not caps and stopped_on_lower and len(taken) > 1 and not taken[-1].isupper():
        taken.pop()
        _drop_connectors(taken)
    if caps and sum(1 for w in taken if len(w.strip("(),:;&/-")) > 1) == 0:
        return ""
    return " ".join(taken).rstrip(",;:")


def _drop_connectors(words: list[str]) -> None:
    while words and words[-1].strip("(),:;&/-") in _CONNECTORS:
        words.pop()


# --- names, dates, keys ---------------------------------------------------------------

def _title(brand: list[str], generic: list[str], key: str) -> str:
    generic_text = ", ".join(g.lower() for g in generic)
    if brand and generic and brand[0].lower() != generic_text:
        return f"{brand[0]} ({generic_text}) — label"
    if brand or generic:
        return f"{(brand or generic)[0]} — label"
    return f"Drug label {key}"


def _derived_key(generic: list[str], brand: list[str], maker: list[str], first: str) -> str:
    parts = [",".join(sorted(g.lower() for g in generic)), ",".join(brand).lower(),
             ",".join(maker).lower(), first[:200]]
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


def _date(raw: str, warnings: list[str]) -> tuple[str | None, int | None]:
    if not raw:
        return None, None
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", raw.strip())
    if not m or not (1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(3)) <= 31):
        warnings.append(f"effective_time {raw!r} is not YYYYMMDD; ignored")
        return None, None
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}", int(m.group(1))


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, str | int | float) and str(v).strip()]
    return []


def _scalar(value: Any) -> str:
    # A bare number (a version 5 or 10^400) is kept as text so the checks can judge it.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    items = _strings(value)
    return items[0].strip() if items else ""
