"""The ONC interaction lists: the workbooks (.xls / .xlsx) and their drug-level CSV files.

Two lists, each its own source (tier "guideline", `meta.kind` "interaction_list"):

- the **high-priority** list (Phansalkar et al., JAMIA 2012): 15 class-level interactions,
  `ONC High Priority List.xls` (sheet "Revised Table 2": number, object class, object drug,
  precipitant class, precipitant drug) and `ONC_High_Priority_Mapped.csv` (drug-level
  pairs, `drug$DrugBank id$drug$DrugBank id$`);
- the **non-interruptive** list (Phansalkar et al., JAMIA 2013): `ONC Non-interuptive
  List_Imported.xlsx` (ID, Object_Class, Object_Drug, ..., Preciptiant_Class,
  Precipitant_Drug, ...) and `ONC_Non_Interuptive_Mapped.csv`.

Either file of a list may be ingested; the reader reads its companion from the same folder
when it is there (the published file names), so both give the same source. Each interaction
is one passage whose `facts` hold its member drugs and its drug-level pairs: the workbook's
object x precipitant drugs plus the CSV pairs that fall under it; CSV pairs that fall under
none go to the interaction whose two sides are one class (QT-prolonging agents), else to a
passage of drug-level pairs. Spelling fixes, class keys and consequences (our words, only
where confirmed) come from `knowledge/pack/onc/curation.yaml`.

Example::

    from curbside.sources import onc
    data = onc.derive("../shared/data/onc_ddi", "high_priority")   # what the pack stores
    src = onc.list_source(data)
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

import yaml

from curbside.errors import InputError
from curbside.model import Deletion, Passage, Source
from curbside.sources.limits import DEFAULT, Limits

FORMAT = "onc"
LISTS = ("high_priority", "non_interruptive")
# The starter pack carries only the high-priority list (contraindicated pairs every store
# must flag); the lower-severity non-interruptive list is ingested from its file
# (`curbside ingest onc ONC_Non_Interuptive_Mapped.csv`), not copied into the repo.
PACK_LISTS = ("high_priority",)
SECTION = "interaction_list"
CURATION = Path(__file__).resolve().parent.parent / "knowledge" / "pack" / "onc" / "curation.yaml"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0"
ZIP_MAGIC = b"PK\x03\x04"
_MAX_BYTES = 20_000_000


@lru_cache(maxsize=1)
def curation() -> dict[str, Any]:
    """The hand-kept part: provenance, spelling fixes, class keys, confirmed consequences."""
    with open(CURATION, encoding="utf-8") as fh:
        return yaml.safe_load(fh)  # type: ignore[no-any-return]


def name(raw: str) -> str:
    """A drug name from the files as our lower-case generic name ('Pethidine' -> 'meperidine')."""
    text = " ".join(str(raw).replace("\xa0", " ").split()).strip().lower()
    return str(curation()["names"].get(text, text))


# --- reading the files ------------------------------------------------------------------

def _rows(data: bytes, path: str) -> list[list[str]]:
    """The cells of a workbook's list sheet as stripped strings."""
    try:
        if data.startswith(OLE2_MAGIC):
            import xlrd

            book = xlrd.open_workbook(file_contents=data)
            sheet = (book.sheet_by_name("Revised Table 2")
                     if "Revised Table 2" in book.sheet_names() else book.sheet_by_index(0))
            return [[_cell(c.value) for c in sheet.row(r)] for r in range(sheet.nrows)]
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        return [[_cell(v) for v in row] for row in wb.worksheets[0].iter_rows(values_only=True)]
    except InputError:
        raise
    except Exception as exc:  # xlrd / openpyxl raise many types for a damaged workbook
        raise InputError(f"cannot read the workbook ({type(exc).__name__}: {exc})",
                         path=path) from None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).replace("\xa0", " ").split())


def read_groups(data: bytes, path: str) -> tuple[str, list[dict[str, Any]]]:
    """(list kind, its interactions with member drugs) from a workbook."""
    rows = _rows(data, path)
    header = [c.lower() for c in rows[0]] if rows else []
    if header[:1] == ["#"] and "object class" in header:
        kind = "high_priority"
        cols = (0, 1, 2, 3, 4)
    elif header[:1] == ["id"] and "object_class" in header:
        kind = "non_interruptive"
        cols = (0, 1, 2, 4, 5)
    else:
        raise InputError("not an ONC interaction workbook (expected the columns #/ID, object "
                         "class, object drug, precipitant class, precipitant drug)", path=path)
    groups: dict[int, dict[str, Any]] = {}
    current: dict[str, Any] | None = None
    for row in rows[1:]:
        row = row + [""] * (6 - len(row))
        ident, ocls, odrug, pcls, pdrug = (row[i] for i in cols)
        if ident:
            if not re.fullmatch(r"\d+", ident):
                raise InputError(f"interaction number {ident!r} is not a number", path=path)
            number = int(ident)
            if number not in groups:
                groups[number] = {"number": number, "object_class": [], "precipitant_class": [],
                                  "object": [], "precipitant": []}
            current = groups[number]
        elif kind == "non_interruptive":
            current = None      # this sheet numbers every row; a blank id ends a group
        if current is None:
            continue
        for key, value in (("object_class", ocls), ("precipitant_class", pcls)):
            if value and value not in current[key]:
                current[key].append(value)
        for key, value in (("object", odrug), ("precipitant", pdrug)):
            drug = name(value) if value else ""
            if drug and drug not in curation()["drop"] and drug not in current[key]:
                current[key].append(drug)
    out = []
    for g in groups.values():
        # A class named without member drugs ("Niacin", "Acetaminophen") is the drug itself.
        for side, other in (("object", "precipitant"), ("precipitant", "object")):
            classes = g[f"{side}_class"]
            if not g[side] and len(classes) == 1 and classes[0] not in g[f"{other}_class"]:
                g[side] = [name(classes[0])]
        out.append(g)
    if not out:
        raise InputError("the workbook lists no interactions", path=path)
    return kind, out


def read_pairs(data: bytes, path: str) -> list[tuple[str, str]]:
    """Drug-level pairs from a mapped CSV (`drug$DrugBank id$drug$DrugBank id$`)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte 0x{data[exc.start]:02x})", path=path) from None
    pairs: list[tuple[str, str]] = []
    for lineno, row in enumerate(csv.reader(io.StringIO(text), delimiter="$"), start=1):
        if not any(c.strip() for c in row):
            continue
        if len(row) < 4 or not row[0].strip() or not row[2].strip():
            raise InputError("not an ONC mapped CSV line (expected drug$DrugBank id$drug$"
                             "DrugBank id$)", path=path,
                             record=f"line {lineno}")
        a, b = name(row[0]), name(row[2])
        if a != b:
            pairs.append((a, b))
    if not pairs:
        raise InputError("no drug pairs found (empty file?)", path=path)
    return pairs


# --- building one list ------------------------------------------------------------------

def build(kind: str, groups: list[dict[str, Any]], pairs: list[tuple[str, str]]
          ) -> dict[str, Any]:
    """The list as data: provenance plus interactions with members and drug-level pairs."""
    spec = curation()["lists"][kind]
    class_keys = curation()["classes"]
    consequences = curation()["consequences"] if kind == "high_priority" else {}
    items: list[dict[str, Any]] = []
    sets: list[set[frozenset[str]]] = []
    for g in sorted(groups, key=lambda g: g["number"]):
        cross = {frozenset((o, p)) for o in g["object"] for p in g["precipitant"] if o != p}
        sets.append(cross)
        items.append({
            "number": g["number"],
            "object_class": "; ".join(g["object_class"]) or None,
            "precipitant_class": "; ".join(g["precipitant_class"]) or None,
            "object_classes": sorted({k for c in g["object_class"]
                                      for k in class_keys.get(c.lower(), [])}),
            "precipitant_classes": sorted({k for c in g["precipitant_class"]
                                           for k in class_keys.get(c.lower(), [])}),
            "object": list(g["object"]), "precipitant": list(g["precipitant"]),
            "consequence": (consequences.get(g["number"]) or {}).get("text"),
        })
    same_class = [i for i, it in enumerate(items)
                  if it["object_class"] and it["object_class"] == it["precipitant_class"]]
    loose: set[frozenset[str]] = set()
    for a, b in pairs:
        pair = frozenset((a, b))
        homes = [i for i, it in enumerate(items)
                 if (a in it["object"] and b in it["precipitant"])
                 or (b in it["object"] and a in it["precipitant"])]
        for i in homes or same_class:
            sets[i].add(pair)
        if not homes and not same_class:
            loose.add(pair)
    for i in same_class:   # a one-class interaction's members are the drugs of its pairs
        members = sorted({d for p in sets[i] for d in p})
        items[i]["object"] = items[i]["precipitant"] = members
    if loose:
        items.append({"number": 0, "object_class": None, "precipitant_class": None,
                      "object_classes": [], "precipitant_classes": [],
                      "object": sorted({d for p in loose for d in p}), "precipitant": [],
                      "consequence": None})
        sets.append(loose)
    for it, found in zip(items, sets, strict=True):
        it["pairs"] = sorted(sorted(p) for p in found)
    provenance = {k: spec[k] for k in ("key", "title", "issuer", "year", "pmid", "doi", "url",
                                       "severity", "data_origin", "verified")}
    return {"list": kind, **provenance, "interactions": items}


def _label(item: dict[str, Any], side: str) -> str:
    """A side as the list names it: its class ("CYP3A4 inhibitors (macrolides, azoles)")
    or, for a side without a class, its drugs."""
    cls = item[f"{side}_class"]
    drugs = item[side]
    if not cls or (len(drugs) == 1 and cls.lower() == drugs[0]):
        return ", ".join(drugs) or "?"
    parts = [p.split(" / ", 1) for p in str(cls).split("; ")]
    heads = {p[0].lower() for p in parts}
    if len(parts) > 1 and len(heads) == 1 and all(len(p) == 2 for p in parts):
        return f"{parts[0][0]} ({', '.join(p[1] for p in parts)})"
    return str(cls)


def list_source(data: dict[str, Any]) -> Source:
    """One list as a guideline-tier source, one passage per interaction (text in our words)."""
    high = data["list"] == "high_priority"
    passages = []
    for it in data["interactions"]:
        if it["number"] == 0:
            title = "Drug-level pairs of the list"
            text = "Drug pairs the list's drug-level expansion names without a class interaction."
        else:
            a, b = _label(it, "object"), _label(it, "precipitant")
            title = f"Interaction {it['number']}: {a} with {b}"
            lead = ("High-priority interaction (ONC list): " if high else
                    "Low-priority interaction (ONC non-interruptive list): ")
            text = f"{lead}{a} with {b}."
            if it.get("consequence"):
                text += " " + it["consequence"]
            elif high:
                text += " The list gives no consequence; none is stated here."
            text += f" Drugs listed: {', '.join(it['object'])}"
            if it["precipitant"] != it["object"]:
                text += f"; with {', '.join(it['precipitant'])}"
            text += "."
        passages.append(Passage(
            section=SECTION, title=title, number=str(it["number"]) if it["number"] else None,
            text=text, facts={"list": data["list"], "number": it["number"],
                              "severity": data["severity"], "object": it["object"],
                              "precipitant": it["precipitant"],
                              "object_classes": it["object_classes"],
                              "precipitant_classes": it["precipitant_classes"],
                              "consequence": it.get("consequence"), "pairs": it["pairs"]}))
    drugs = sorted({d for it in data["interactions"] for d in it["object"] + it["precipitant"]})
    return Source(
        key=data["key"], tier="guideline", title=data["title"], passages=passages,
        issuer=data["issuer"], year=data["year"], url=data["url"],
        identifiers={"pmid": str(data["pmid"]), "doi": str(data["doi"])}, drugs=drugs,
        meta={"kind": "interaction_list", "list": data["list"], "severity": data["severity"],
              "data_origin": data["data_origin"], "verified": list(data["verified"])})


# --- the reader -------------------------------------------------------------------------

def _kind_of_csv(path: str) -> str:
    base = os.path.basename(path).lower()
    if "high" in base and "priority" in base:
        return "high_priority"
    if "non" in base and "interuptive" in base.replace("interrupt", "interupt"):
        return "non_interruptive"
    raise InputError("cannot tell which ONC list this CSV is (its name should say "
                     "High_Priority or Non_Interuptive, as published)", path=path)


def _companion(path: str, kind: str, part: str) -> bytes | None:
    if path == "-":
        return None
    other = os.path.join(os.path.dirname(os.path.abspath(path)),
                         curation()["lists"][kind]["files"][part])
    try:
        with open(other, "rb") as fh:
            return fh.read(_MAX_BYTES + 1)
    except OSError:
        return None


def read(stream: BinaryIO, path: str, limits: Limits = DEFAULT) -> Iterator[Source | Deletion]:
    """Yield the list source of an ONC workbook or mapped CSV (with its companion file).

    The lists are small: the reader keeps its own 20 MB cap under `limits.max_file_bytes`.
    """
    cap = min(_MAX_BYTES, limits.max_file_bytes)
    data = stream.read(cap + 1)
    if len(data) > cap:
        raise InputError(f"file is larger than {cap} bytes", path=path)
    if not data.strip():
        raise InputError("empty file, expected an ONC workbook or mapped CSV", path=path)
    if data.startswith(OLE2_MAGIC) or data.startswith(ZIP_MAGIC):
        if data.startswith(ZIP_MAGIC) and not _is_xlsx(data):
            raise InputError("zip archive that is not an .xlsx workbook", path=path)
        kind, groups = read_groups(data, path)
        other = _companion(path, kind, "pairs")
        pairs = read_pairs(other, path) if other else []
    else:
        kind = _kind_of_csv(path)
        pairs = read_pairs(data, path)
        other = _companion(path, kind, "workbook")
        groups = read_groups(other, path)[1] if other else []
    yield list_source(build(kind, groups, pairs))


def _is_xlsx(data: bytes) -> bool:
    try:
        return "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        return False


def derive(folder: str | Path, kind: str) -> dict[str, Any]:
    """The list as data from the published files in `folder` (what the pack stores)."""
    files = curation()["lists"][kind]["files"]
    root = Path(folder)
    wb = (root / files["workbook"]).read_bytes()
    found, groups = read_groups(wb, str(root / files["workbook"]))
    if found != kind:
        raise InputError(f"expected the {kind} workbook", path=str(root / files["workbook"]))
    pairs = read_pairs((root / files["pairs"]).read_bytes(), str(root / files["pairs"]))
    return build(kind, groups, pairs)


# --- the pack's copy ------------------------------------------------------------------

PACK_DIR = CURATION.parent
_HEADER = ("# Derived by scripts/onc_data.py from the ONC files named below; do not edit by hand\n"
           "# (corrections go to curation.yaml). Names, class membership and drug pairs only.\n")


def dump(data: dict[str, Any]) -> str:
    """The list as the pack's YAML (pairs and member lists in flow style, one per line)."""
    return _HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True,
                                    default_flow_style=None, width=100)


def pack_list(kind: str) -> dict[str, Any]:
    """The pack's copy of a list (src/curbside/knowledge/pack/onc/<kind>.yaml)."""
    with open(PACK_DIR / f"{kind}.yaml", encoding="utf-8") as fh:
        return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # type: ignore[no-any-return]
