"""Guideline files: Markdown with YAML front matter (docs/pack-format.md, last section).

One file is one version of one guideline (or, with `tier: regulatory`, one FDA Drug Safety
Communication, which needs no `grading`). Each `## ` heading starts a recommendation: the
`key: value` lines right under it are its attributes, the paragraphs after the first blank
line its text.

Example::

    ---
    id: cdc-opioids-2022
    title: CDC Clinical Practice Guideline for Prescribing Opioids for Pain, 2022
    issuer: Centers for Disease Control and Prevention
    year: 2022
    url: https://www.cdc.gov/mmwr/volumes/71/rr/rr7103a1.htm
    grading: {scheme: CDC 2022, strength: {A: ..., B: ...}}
    ---

    ## Recommendation 11
    strength: B
    evidence: 3
    about: [opioid, benzodiazepine]

    Our own wording of the recommendation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

import yaml

from curbside.errors import InputError
from curbside.model import STATUSES, Deletion, Grade, Passage, Source
from curbside.sources import safe_yaml
from curbside.sources.limits import DEFAULT, Limits, bounded, counter_of

FORMAT = "guideline"

REQUIRED = ("id", "title", "issuer", "year", "url")
TIERS = ("guideline", "regulatory")
ATTRIBUTES = ("strength", "evidence", "about", "concerns", "verified")
# Front-matter fields that become Source fields rather than meta.
_SOURCE_FIELDS = frozenset({"id", "tier", "title", "issuer", "year", "version", "published",
                            "url", "identifiers", "supersedes", "superseded_by", "status",
                            "about", "grading", "verified"})
_ATTRIBUTE_LINE = re.compile(r"^([A-Za-z_][\w-]*):(?:\s+(.*))?$")
_RECOMMENDATION_N = re.compile(r"^Recommendation\s+(\d+[A-Za-z]?)\b", re.IGNORECASE)
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


def read(stream: BinaryIO, path: str, limits: Limits = DEFAULT) -> Iterator[Source | Deletion]:
    """Yield the one `Source` a guideline file describes."""
    if counter_of(stream) is None:
        stream = bounded(stream, limits, path)
    raw = stream.read()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw.strip():
        raise InputError("empty file, expected a guideline (Markdown with YAML front matter)",
                         path=path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError(f"not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line})",
                         path=path) from None
    yield parse(text, path, limits)


def parse(text: str, path: str, limits: Limits = DEFAULT) -> Source:
    """A guideline file's text as a `Source` with one passage per recommendation."""
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        raise InputError("no YAML front matter: the file must start with a '---' line",
                         path=path)
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise InputError("front matter is not closed by a '---' line", path=path) from None
    front = _front_matter("\n".join(lines[1:end]), path, limits)
    gid = str(front["id"])
    grading = front["grading"]
    passages = _recommendations(lines[end + 1:], end + 2, grading, path, limits)
    if not passages:
        raise InputError("no recommendations: expected '## ' headings after the front matter",
                         path=path, record=f"guideline {gid}")
    identifiers = {str(k): str(v) for k, v in (front.get("identifiers") or {}).items()}
    identifiers["guideline_id"] = gid
    published = front.get("published")
    version = front.get("version")
    extra = {k: v for k, v in front.items() if k not in _SOURCE_FIELDS}
    return Source(
        key=f"guideline:{gid}", tier=front.get("tier") or "guideline",
        title=str(front["title"]).strip(), passages=passages,
        version=str(version if version is not None else front["year"]),
        issuer=str(front["issuer"]).strip(), year=front["year"],
        published=str(published) if published is not None else None,
        url=str(front["url"]).strip(), identifiers=identifiers,
        status=front.get("status") or "current",
        supersedes=_key(front.get("supersedes")),
        superseded_by=_key(front.get("superseded_by")),
        meta={"about": _list(front.get("about")), "grading": grading,
              "verified": _list(front.get("verified")), **extra},
    )


def _front_matter(block: str, path: str, limits: Limits) -> dict[str, Any]:
    try:
        front = safe_yaml.load(block, limits)
    except safe_yaml.TooComplex as exc:
        raise InputError(f"front matter refused: {exc}", path=path) from None
    except ValueError as exc:  # e.g. an integer of thousands of digits
        raise InputError(f"front matter holds an unreadable value ({exc})", path=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at front-matter line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise InputError(f"front matter is not valid YAML{where}: {problem}",
                         path=path) from None
    if not isinstance(front, dict):
        raise InputError("front matter must be a YAML mapping of fields", path=path)
    for name in REQUIRED:
        if front.get(name) in (None, ""):
            raise InputError(f"front matter is missing required field '{name}'", path=path)
    if not _ID.match(str(front["id"])):
        raise InputError(f"front matter 'id' {front['id']!r} must be lower-case letters, "
                         "digits, '.', '_' or '-'", path=path)
    if not isinstance(front["year"], int) or not 1900 <= front["year"] <= 2100:
        raise InputError(f"front matter 'year' must be a four-digit year, got "
                         f"{front['year']!r}", path=path)
    if front.get("tier") not in (None, *TIERS):
        raise InputError(f"front matter 'tier' must be one of {', '.join(TIERS)}, got "
                         f"{front['tier']!r}", path=path)
    if front.get("status") not in (None, *STATUSES):
        raise InputError(f"front matter 'status' must be one of {', '.join(STATUSES)}, got "
                         f"{front['status']!r}", path=path)
    grading = front.get("grading")
    if grading is None and front.get("tier") == "regulatory":
        front["grading"] = {}  # an FDA communication grades nothing
    elif not isinstance(grading, dict) or not grading.get("scheme"):
        raise InputError("front matter is missing required field 'grading.scheme'", path=path)
    for name in ("about", "verified"):
        if front.get(name) is not None and not isinstance(front[name], list | str):
            raise InputError(f"front matter '{name}' must be a list", path=path)
    return front


def _recommendations(lines: list[str], first_lineno: int, grading: dict[str, Any],
                     path: str, limits: Limits) -> list[Passage]:
    blocks: list[tuple[int, str, list[str]]] = []
    for offset, line in enumerate(lines):
        if line.startswith("## "):
            if len(blocks) >= limits.max_sections:
                raise InputError(f"more than {limits.max_sections} recommendations (the "
                                 "max_sections setting)", path=path,
                                 record=f"line {first_lineno + offset}")
            blocks.append((first_lineno + offset, line[3:].strip(), []))
        elif blocks:
            blocks[-1][2].append(line)
    return [_recommendation(position, lineno, heading, body, grading, path, limits)
            for position, (lineno, heading, body) in enumerate(blocks, start=1)]


def _recommendation(position: int, lineno: int, heading: str, body: list[str],
                    grading: dict[str, Any], path: str, limits: Limits) -> Passage:
    where = f"line {lineno} ({heading or 'untitled heading'})"
    if not heading:
        raise InputError("recommendation heading is empty", path=path, record=where)
    attrs: dict[str, Any] = {}
    i = 0
    while i < len(body) and body[i].strip():
        m = _ATTRIBUTE_LINE.match(body[i].strip())
        if not m:
            break  # text starts without a blank line after the attributes
        name, value = m.group(1), m.group(2) or ""
        if name not in ATTRIBUTES:
            raise InputError(f"unknown attribute '{name}' (expected one of "
                             f"{', '.join(ATTRIBUTES)})", path=path, record=where)
        try:
            attrs[name] = safe_yaml.load(value, limits) if value.strip() else None
        except (yaml.YAMLError, ValueError):
            shown = value if len(value) <= 60 else f"{value[:60]}..."
            raise InputError(f"attribute '{name}' is not a valid value: {shown!r}", path=path,
                             record=where) from None
        i += 1
    text = "\n".join(p.strip() for p in "\n".join(body[i:]).strip().split("\n\n") if p.strip())
    if not text:
        raise InputError("recommendation has no text", path=path, record=where)
    strength = _grade_value(attrs.get("strength"), "strength", grading, path, where)
    evidence = _grade_value(attrs.get("evidence"), "evidence", grading, path, where)
    m = _RECOMMENDATION_N.match(heading)
    if (strength or evidence) and not grading.get("scheme"):
        raise InputError("strength/evidence given but the front matter has no grading.scheme",
                         path=path, record=where)
    grade = Grade(scheme=str(grading["scheme"]), strength=strength, evidence=evidence) \
        if strength or evidence else None
    verified = _list(attrs.get("verified"))
    return Passage(
        section="recommendation", text=text, title=heading,
        number=m.group(1) if m else str(position), grade=grade,
        about=_list(attrs.get("about")), concerns=_list(attrs.get("concerns")),
        facts={"verified": verified} if verified else {},
    )


def _grade_value(value: Any, name: str, grading: dict[str, Any], path: str,
                 where: str) -> str | None:
    """A strength/evidence value as text, checked against the legend when there is one."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    legend = grading.get(name)
    if isinstance(legend, dict) and legend and text not in {str(k) for k in legend}:
        raise InputError(f"{name} {text!r} is not in the grading legend "
                         f"({', '.join(str(k) for k in legend)})", path=path, record=where)
    return text


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [str(value).strip()] if str(value).strip() else []


def _key(value: Any) -> str | None:
    """A guideline id as a source key ("cdc-opioids-2016" -> "guideline:cdc-opioids-2016")."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    return text if text.startswith("guideline:") else f"guideline:{text}"
