"""DailyMed Structured Product Labeling (SPL) XML, namespace urn:hl7-org:v3.

One file is one label version. Sections are mapped to the openFDA vocabulary by their LOINC
code (`sections.py`). A subsection with its own mapped code is its own passage; an
unclassified (42229-5) subsection of a mapped section is its own passage under the parent's
section with its printed title ("5.1 Serious Infections"), so subsections are as findable as
in openFDA JSON; deeper subsections join their parent's text. Entities are never resolved
and nothing is fetched (XXE guard).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from lxml import etree

from curbside.errors import InputError
from curbside.model import Deletion, Passage, Source
from curbside.sources import clean_text, decompressed, drug_names
from curbside.sources.limits import DEFAULT, Limits
from curbside.sources.sections import (
    BOXED_WARNING,
    SECTIONS,
    SKIPPED_FIELDS,
    UNCLASSIFIED,
    field_for_loinc,
    title_for,
)

FORMAT = "spl"

NS = "urn:hl7-org:v3"
_N = {"v": NS}
DAILYMED_URL = "https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid={set_id}"
# Block-level elements of SPL narrative text: each starts a new line.
# PLR titles open with the Highlights boilerplate; the product line follows it.
_HIGHLIGHTS = re.compile(r"^These highlights do not include all the information.*?"
                         r"full prescribing information for [^.]*\.\s*", re.IGNORECASE)
_APPROVAL = re.compile(r"\s*Initial U\.?S\.? Approval:?\s*\d{4}\s*$", re.IGNORECASE)
_BLOCKS = frozenset(f"{{{NS}}}{t}" for t in ("paragraph", "item", "tr", "caption", "title",
                                             "list", "table"))


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_comments=True, remove_pis=True)


def read(stream: BinaryIO, path: str, limits: Limits = DEFAULT) -> Iterator[Source | Deletion]:
    """Yield the one label `Source` of an SPL document."""
    try:
        raw = decompressed(stream, path, limits=limits).read()
    except (OSError, EOFError) as exc:
        raise InputError(f"cannot read compressed file ({exc})", path=path) from None
    if not raw.strip():
        raise InputError("empty file, expected SPL XML", path=path)
    if raw.lstrip()[:1] in (b"{", b"["):
        raise InputError("this is JSON, not SPL XML (use the openfda reader)", path=path)
    try:
        root = etree.fromstring(raw, _parser())
    except etree.XMLSyntaxError as exc:
        raise InputError(f"malformed XML at line {exc.lineno}: {exc.msg}", path=path) from None
    etree.strip_elements(root, etree.Entity, with_tail=False)  # never resolved: drop them
    if root.tag != f"{{{NS}}}document":
        name = etree.QName(root).localname
        raise InputError(f"root element is <{name}>, not an SPL <document> in {NS}"
                         + (" (this is PubMed XML: use the pubmed reader)"
                            if name == "PubmedArticleSet" else ""), path=path)
    yield parse_document(root, path)


def parse_document(root: etree._Element, path: str) -> Source:
    """One SPL `<document>` element as a label `Source`."""
    set_id = _attr(root, "v:setId", "root")
    if not set_id:
        raise InputError("SPL document has no setId", path=path)
    where = f"setId {set_id}"
    warnings: list[str] = []
    version = _attr(root, "v:versionNumber", "value") or None
    effective, year = _date(_attr(root, "v:effectiveTime", "value"))
    products, generics = _products(root)
    drugs = drug_names(generics or products)
    printed_title = _text(root.find("v:title", _N))
    title = _APPROVAL.sub("", _HIGHLIGHTS.sub("", printed_title)).strip()
    if title.lower() == "drug facts":  # OTC labels: the title names no product
        title = f"{' / '.join(products)} — Drug Facts" if products else title
    if not title:
        title = (f"{' / '.join(products)} — label" if products else f"Drug label {set_id}")
        warnings.append("document has no title: built one from product names")
    manufacturer = _text(root.find(
        "v:author/v:assignedEntity/v:representedOrganization/v:name", _N)) or None
    passages: list[Passage] = []
    body = root.find("v:component/v:structuredBody", _N)
    if body is not None:
        for section in body.iterfind("v:component/v:section", _N):
            _walk(section, None, passages)
    if not passages:
        raise InputError("SPL document has no section text", path=path, record=where)
    doc_type = root.find("v:code", _N)
    meta = {"document_title": printed_title, "product_names": products, "generic_names": generics,
            "document_type": doc_type.get("displayName") if doc_type is not None else None}
    # A repackager's product names the original product's NDC (definingMaterialKind), as
    # FDA's openfda code decides `is_original_packager`; used by store/labels.py.
    repackaged = root.find(".//v:asEquivalentEntity/v:definingMaterialKind", _N) is not None
    meta_flags = {"original_packager": not repackaged}
    identifiers = {"set_id": set_id, "version": version or "",
                   "spl_id": _attr(root, "v:id", "root")}
    return Source(
        key=f"setid:{set_id}", tier="label", title=title, passages=passages, version=version,
        issuer=manufacturer, year=year, effective=effective,
        url=DAILYMED_URL.format(set_id=set_id),
        identifiers={k: v for k, v in identifiers.items() if v}, drugs=drugs,
        meta={k: v for k, v in meta.items() if v} | meta_flags, warnings=warnings,
    )


def _walk(section: etree._Element, parent: str | None, out: list[Passage]) -> None:
    """Add the passages of one section; `parent` is the enclosing mapped section field."""
    code = section.find("v:code", _N)
    field = field_for_loinc(code.get("code") if code is not None else None)
    if field in SKIPPED_FIELDS:
        return
    # A "boxed warning" nested inside another section is a drawn box (e.g. a dosing
    # table in older labels), not the label's Boxed Warning.
    if field == BOXED_WARNING and parent is not None and parent != BOXED_WARNING:
        field = None
    if field is None or field == UNCLASSIFIED:
        field = parent or UNCLASSIFIED
        own = parent is None or _title(section) != ""
    else:
        own = True
    if not own:
        return
    title = _title(section)
    pieces = [_narrative(section.find("v:text", _N))]
    children: list[etree._Element] = []
    for child in section.iterfind("v:component/v:section", _N):
        child_code = child.find("v:code", _N)
        child_field = field_for_loinc(child_code.get("code") if child_code is not None else None)
        if (parent is None and (child_field not in (None, UNCLASSIFIED, BOXED_WARNING)
                                or _title(child))) or child_field in SECTIONS and \
                child_field not in (UNCLASSIFIED, BOXED_WARNING):
            children.append(child)  # its own passage
        else:
            pieces.append(_flatten(child))
    text = "\n".join(p for p in pieces if p).strip()
    if not text and not children and parent is not None and len(title.split()) >= 5:
        text = title  # e.g. "4.1 Active liver disease ..." printed as a heading alone
    if text:
        out.append(Passage(section=field, text=text, title=title or title_for(field),
                           number=_number(title),
                           facts={} if SECTIONS[field].clinical else {"clinical": False}))
    for child in children:
        _walk(child, field, out)


def _flatten(section: etree._Element) -> str:
    """A joined subsection's title and text, with its own subsections, as plain text."""
    parts = [_title(section), _narrative(section.find("v:text", _N))]
    parts.extend(_flatten(c) for c in section.iterfind("v:component/v:section", _N))
    return "\n".join(p for p in parts if p)


def _narrative(element: etree._Element | None) -> str:
    """The text of an SPL narrative block, one line per paragraph, list item or table row."""
    if element is None:
        return ""
    chunks: list[str] = []
    for node in element.iter():
        if node.tag in _BLOCKS:
            chunks.append("\n")
        elif node.tag == f"{{{NS}}}br" or node.tag == f"{{{NS}}}td":
            chunks.append(" ")
        if node.text and node is not element or node is element and node.text:
            chunks.append(node.text or "")
        if node is not element and node.tail:
            chunks.append(node.tail)
    return clean_text("".join(chunks), keep_lines=True)


def _title(section: etree._Element) -> str:
    return _text(section.find("v:title", _N))


def _text(element: etree._Element | None) -> str:
    if element is None:
        return ""
    return clean_text(" ".join(element.itertext()))


def _number(title: str) -> str | None:
    m = re.match(r"(\d{1,2}(?:\.\d{1,2})*)\s", title)
    return m.group(1) if m else None


def _products(root: etree._Element) -> tuple[list[str], list[str]]:
    products: list[str] = []
    generics: list[str] = []
    for product in root.iterfind(".//v:manufacturedProduct/v:manufacturedProduct", _N):
        name = _text(product.find("v:name", _N))
        if name:
            products.append(name)
        for generic in product.iterfind("v:asEntityWithGeneric/v:genericMedicine/v:name", _N):
            if _text(generic):
                generics.append(_text(generic))
    return _unique(products), _unique(generics)


def _unique(items: Iterator[str] | list[str]) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.append(item)
    return seen


def _attr(root: etree._Element, path: str, name: str) -> str:
    element = root.find(path, _N)
    return (element.get(name) or "").strip() if element is not None else ""


def _date(raw: str) -> tuple[str | None, int | None]:
    m = re.match(r"(\d{4})(\d{2})(\d{2})", raw)
    if not m:
        return None, None
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}", int(m.group(1))
