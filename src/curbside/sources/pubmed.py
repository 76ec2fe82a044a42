"""PubMed XML (`PubmedArticleSet`): E-utilities efetch output or an annual baseline file.

Streams with `lxml.etree.iterparse`, clearing each article once read, so memory stays flat
on a 1 GB baseline file (plain or gzip, detected by magic bytes). Each `PubmedArticle`
becomes a research `Source`; each `DeleteCitation` PMID becomes a `Deletion`. The DTD named
in the DOCTYPE is never fetched and entities are never resolved. Without `huge_tree`,
libxml2 keeps its own limits (depth 256, a text node of at most 10 MB), which a file as
large as the baseline never needs: its size is not limited, only single nodes.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from typing import Any, BinaryIO

from lxml import etree

from curbside.errors import InputError
from curbside.model import Deletion, Passage, Source
from curbside.sources import clean_text, decompressed
from curbside.sources.limits import DEFAULT, Limits

FORMAT = "pubmed"

PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{pmid}/"
# Publication type -> study design, strongest first: the first match wins.
DESIGNS: tuple[tuple[str, str], ...] = (
    ("Meta-Analysis", "meta-analysis"),
    ("Systematic Review", "systematic review"),
    ("Practice Guideline", "guideline"),
    ("Guideline", "guideline"),
    ("Randomized Controlled Trial", "rct"),
    ("Controlled Clinical Trial", "controlled trial"),
    ("Clinical Trial, Phase III", "clinical trial"),
    ("Clinical Trial, Phase II", "clinical trial"),
    ("Clinical Trial", "clinical trial"),
    ("Multicenter Study", "observational"),
    ("Observational Study", "observational"),
    ("Comparative Study", "observational"),
    ("Evaluation Study", "observational"),
    ("Case Reports", "case report"),
    ("Review", "review"),
    ("Consensus Development Conference", "consensus statement"),
    ("Editorial", "editorial"),
    ("Comment", "comment"),
    ("Letter", "letter"),
)
_DESIGN_BY_TYPE = dict(DESIGNS)
_MONTHS = {m: i for i, m in enumerate(("jan feb mar apr may jun jul aug sep oct nov dec")
                                       .split(), start=1)}


# Elements one article may hold; real ones have a few hundred (long author lists a few
# thousand). More is a hostile file growing memory inside one record.
MAX_ARTICLE_ELEMENTS = 200_000


def read(stream: BinaryIO, path: str, limits: Limits = DEFAULT) -> Iterator[Source | Deletion]:
    """Yield a `Source` per PubmedArticle and a `Deletion` per DeleteCitation PMID."""
    pruned = _Pruning(decompressed(stream, path, limits=limits), path)
    # Only the elements read here produce events (the root's start, then whole records):
    # a Python-level event per element was most of the reader's loop.
    events = etree.iterparse(
        pruned, events=("start", "end"), tag=_EVENT_TAGS, resolve_entities=False,
        no_network=True, load_dtd=False, remove_comments=True, remove_pis=True,
        huge_tree=False)
    root_seen = False
    index = 0
    try:
        for event, element in events:
            if not root_seen:
                root_seen = True
                _check_root(element, path)
                pruned.root = element
                continue
            if event != "end":
                continue
            tag = element.tag
            if tag == "PubmedArticle":
                index += 1
                if element.xpath("count(.//*)") > MAX_ARTICLE_ELEMENTS:
                    raise InputError(f"one record holds more than {MAX_ARTICLE_ELEMENTS} "
                                     "elements", path=path, record=f"article {index}")
                yield parse_article(element, path, index)
                _release(element)
            elif tag == "DeleteCitation":
                for pmid in element.iterfind("PMID"):
                    if (pmid.text or "").strip():
                        yield Deletion(key=f"pmid:{pmid.text.strip()}")
                _release(element)
            elif tag == "PubmedBookArticle":
                _release(element)  # books carry no journal abstract we use
    except etree.XMLSyntaxError as exc:
        where = f"after article {index}" if index else None
        message = exc.msg or str(exc)
        if not root_seen:
            if events.root is not None:      # another root element: say which
                _check_root(events.root, path)
            raise InputError(f"empty file or not XML, expected PubMed XML ({message})",
                             path=path) from None
        raise InputError(f"malformed XML at line {exc.lineno}: {message}", path=path,
                         record=where) from None
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"cannot read compressed file ({exc})", path=path) from None
    if not root_seen:
        if events.root is not None:
            _check_root(events.root, path)
        raise InputError("empty file, expected PubMed XML", path=path)


_EVENT_TAGS = ("PubmedArticleSet", "PubmedArticle", "DeleteCitation", "PubmedBookArticle")
_RECORD_TAGS = frozenset(_EVENT_TAGS[1:])


class _Pruning:
    """The input stream, dropping stray (non-record) elements of the root between reads.

    With events only for records, elements of any other tag between them would never be
    seen, so never freed: a file of a million `<J/>` would grow memory without end. Each
    time the parser asks for more input, the finished stray children of the root are
    removed; an unfinished one that holds too much is refused.
    """

    def __init__(self, stream: BinaryIO, path: str):
        self._stream = stream
        self._path = path
        self.root: Any = None

    def read(self, size: int = -1) -> bytes:
        root = self.root
        if root is not None and len(root):
            last = root[-1]
            for child in list(root)[:-1]:
                if child.tag not in _RECORD_TAGS:
                    root.remove(child)
            if last.tag not in _RECORD_TAGS and len(last) > MAX_ARTICLE_ELEMENTS:
                raise InputError(f"an element that is not a PubMed record holds more than "
                                 f"{MAX_ARTICLE_ELEMENTS} elements", path=self._path)
        return self._stream.read(size)


def _check_root(element: Any, path: str) -> None:
    name = etree.QName(element).localname
    if element.tag != "PubmedArticleSet":
        hint = " (this is SPL: use the spl reader)" if name == "document" else ""
        raise InputError(f"root element is <{name}>, not <PubmedArticleSet>{hint}", path=path)


def _release(element: Any) -> None:
    """Free a finished element and the siblings already read before it."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def parse_article(article: Any, path: str, index: int) -> Source:
    """One `PubmedArticle` element as a research `Source`; `index` names it in messages."""
    etree.strip_elements(article, etree.Entity, with_tail=False)  # unresolved: drop
    citation = article.find("MedlineCitation")
    pmid_el = citation.find("PMID") if citation is not None else None
    pmid = (pmid_el.text or "").strip() if pmid_el is not None else ""
    if not pmid:
        raise InputError("PubmedArticle has no PMID", path=path, record=f"article {index}")
    art = citation.find("Article")
    if art is None:
        raise InputError("PubmedArticle has no Article element", path=path,
                         record=f"PMID {pmid}")
    title = _text(art.find("ArticleTitle"))
    journal = _text(art.find("Journal/Title")) or _text(citation.find("MedlineJournalInfo/"
                                                                      "MedlineTA")) or None
    types = [_text(t) for t in art.iterfind("PublicationTypeList/PublicationType")]
    types = [t for t in types if t]
    identifiers = {"pmid": pmid}
    doi = _doi(article, art)
    if doi:
        identifiers["doi"] = doi
    pmcid = _text(article.find("PubmedData/ArticleIdList/ArticleId[@IdType='pmc']"))
    if pmcid:
        identifiers["pmcid"] = pmcid
    try:
        year, published = _published(art)
    except InputError as exc:
        raise InputError(str(exc), path=path, record=f"PMID {pmid}") from None
    passages: list[Passage] = []
    if title:
        passages.append(Passage(section="title", text=title, title="Title"))
    for part in art.iterfind("Abstract/AbstractText"):
        text = _text(part, keep_lines=True)
        if not text:
            continue
        label = (part.get("Label") or "").strip()
        category = (part.get("NlmCategory") or "").strip()
        if category.lower() == "unassigned":
            category = ""
        section = (label or category or "abstract").lower()
        passages.append(Passage(section=section, text=text,
                                title=label or (category.title() if category else "Abstract")))
    meta: dict[str, Any] = {
        "authors": _authors(art), "journal": journal, "publication_types": types,
        "mesh": [t for d in citation.iterfind("MeshHeadingList/MeshHeading/DescriptorName")
                 if (t := _text(d))],
        "design": design(types),
    }
    warnings = [] if passages else ["record has neither title nor abstract"]
    return Source(
        key=f"pmid:{pmid}", tier="research", title=title or f"PMID {pmid}", passages=passages,
        version=(pmid_el.get("Version") or None) if pmid_el is not None else None,
        issuer=journal, year=year, published=published, url=PUBMED_URL.format(pmid=pmid),
        identifiers=identifiers, meta=meta, warnings=warnings,
    )


def design(publication_types: list[str]) -> str | None:
    """The study design named by the strongest publication type, or None when unknown."""
    found = {_DESIGN_BY_TYPE[t] for t in publication_types if t in _DESIGN_BY_TYPE}
    for _, name in DESIGNS:
        if name in found:
            return name
    return None


def _authors(art: Any) -> list[str]:
    names: list[str] = []
    for author in art.iterfind("AuthorList/Author"):
        last = _text(author.find("LastName"))
        initials = _text(author.find("Initials"))
        collective = _text(author.find("CollectiveName"))
        if last:
            names.append(f"{last} {initials}".strip())
        elif collective:
            names.append(collective)
    return names


def _doi(article: Any, art: Any) -> str:
    for loc in art.iterfind("ELocationID"):
        if loc.get("EIdType") == "doi" and _text(loc):
            return _text(loc)
    return _text(article.find("PubmedData/ArticleIdList/ArticleId[@IdType='doi']"))


def _published(art: Any) -> tuple[int | None, str | None]:
    """(year, ISO date or partial date) from PubDate, MedlineDate or ArticleDate."""
    pub = art.find("Journal/JournalIssue/PubDate")
    if pub is not None:
        year = _year(_text(pub.find("Year")))
        if year:
            month = _month(_text(pub.find("Month")))
            day = _text(pub.find("Day"))
            date = year + (f"-{month:02d}" if month else "") + \
                (f"-{int(day):02d}" if month and day.isdigit() and len(day) <= 2 else "")
            return int(year), date
        m = re.search(r"\b(1[89]\d\d|20\d\d)\b", _text(pub.find("MedlineDate")))
        if m:
            return int(m.group(1)), m.group(1)
    article_date = art.find("ArticleDate")
    if article_date is not None and _year(_text(article_date.find("Year"))):
        year = _text(article_date.find("Year"))
        month = _month(_text(article_date.find("Month")))
        return int(year), year + (f"-{month:02d}" if month else "")
    return None, None


def _year(raw: str) -> str:
    """A four-digit year as printed; "" when absent or not a number (real records hold
    "None" there, and then MedlineDate or ArticleDate tell the year); other numbers are
    refused (a year 99999 or of 5,000 digits)."""
    if not raw.isdigit():
        return ""
    if len(raw) != 4:
        shown = raw if len(raw) <= 12 else f"{raw[:12]}... ({len(raw)} characters)"
        raise InputError(f"publication year {shown!r} is not a four-digit year")
    return raw


def _month(raw: str) -> int | None:
    if raw.isdigit() and len(raw) <= 2 and 1 <= int(raw) <= 12:
        return int(raw)
    return _MONTHS.get(raw[:3].lower())


def _text(element: Any, *, keep_lines: bool = False) -> str:
    if element is None:
        return ""
    if len(element) == 0:       # a leaf (names, dates, ids): its text, without itertext()
        return clean_text(element.text or "", keep_lines=keep_lines)
    return clean_text("".join(element.itertext()), keep_lines=keep_lines)
