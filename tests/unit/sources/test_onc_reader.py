"""The ONC reader on the published files (read from ../shared/data at test time)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from tests.conftest import shared

from curbside.errors import InputError
from curbside.sources import onc

HP_CSV = "ONC_High_Priority_Mapped.csv"
NI_CSV = "ONC_Non_Interuptive_Mapped.csv"


def csv_pairs(name: str) -> set[frozenset[str]]:
    path = shared("onc_ddi", name)
    rows = [line.lstrip("\ufeff").split("$") for line in
            path.read_text(encoding="utf-8-sig").splitlines() if line.strip()]
    return {frozenset((onc.name(r[0]), onc.name(r[2]))) for r in rows}


def test_high_priority_list_has_its_fifteen_interactions_with_provenance() -> None:
    data = onc.derive(shared("onc_ddi"), "high_priority")
    numbers = [it["number"] for it in data["interactions"]]
    # The paper numbers its 31 candidates; the 15 it accepted (Revised Table 2).
    assert numbers == [3, 4, 6, 8, 11, 16, 20, 21, 22, 23, 25, 27, 28, 30, 31]
    assert data["pmid"] == "22539083" and data["doi"] == "10.1136/amiajnl-2011-000612"
    assert data["severity"] == "contraindicated"
    by_n = {it["number"]: it for it in data["interactions"]}
    assert by_n[6]["object"] == ["febuxostat"]
    assert by_n[6]["precipitant"] == ["azathioprine", "mercaptopurine"]
    assert "nsaid" not in by_n[23]["object"]              # an error of the sheet, dropped
    assert "lisdexamfetamine" in by_n[3]["object"]        # spelled right
    assert by_n[3]["consequence"] is None                 # unconfirmed: no consequence
    assert "serotonin syndrome" in by_n[8]["consequence"]


def test_every_mapped_pair_lands_in_an_interaction() -> None:
    data = onc.derive(shared("onc_ddi"), "high_priority")
    held = {frozenset(p) for it in data["interactions"] for p in it["pairs"]}
    wanted = csv_pairs(HP_CSV)
    assert len(wanted) == 1150
    assert wanted <= held
    assert all(it["number"] for it in data["interactions"])   # none left over


def test_non_interruptive_list_is_its_own_lower_severity_list() -> None:
    data = onc.derive(shared("onc_ddi"), "non_interruptive")
    assert data["key"] == "onc:non-interruptive" and data["severity"] == "minor"
    assert len([it for it in data["interactions"] if it["number"]]) == 33
    held = {frozenset(p) for it in data["interactions"] for p in it["pairs"]}
    assert csv_pairs(NI_CSV) <= held


def test_the_pack_copy_is_what_the_files_give() -> None:
    for kind in onc.PACK_LISTS:
        assert onc.pack_list(kind) == onc.derive(shared("onc_ddi"), kind), (
            f"knowledge/pack/onc/{kind}.yaml is stale: run scripts/onc_data.py")


def test_either_file_of_a_list_gives_the_same_source() -> None:
    folder = shared("onc_ddi")
    by_file = []
    for name in ("ONC High Priority List.xls", HP_CSV):
        path = folder / name
        with open(path, "rb") as fh:
            (src,) = list(onc.read(fh, str(path)))
        by_file.append(src)
    assert by_file[0].content_hash() == by_file[1].content_hash()
    src = by_file[0]
    assert src.tier == "guideline" and src.meta["kind"] == "interaction_list"
    assert src.identifiers == {"pmid": "22539083", "doi": "10.1136/amiajnl-2011-000612"}
    assert len(src.passages) == 15
    assert "vandetanib" in src.drugs and "sevoflurane" in src.drugs


def test_a_workbook_alone_uses_its_own_drug_lists(tmp_path: Path) -> None:
    copy = tmp_path / "ONC High Priority List.xls"
    shutil.copy(shared("onc_ddi", "ONC High Priority List.xls"), copy)
    with open(copy, "rb") as fh:
        (src,) = list(onc.read(fh, str(copy)))
    febuxostat = next(p for p in src.passages if p.number == "6")
    assert febuxostat.facts["pairs"] == [["azathioprine", "febuxostat"],
                                         ["febuxostat", "mercaptopurine"]]


@pytest.mark.parametrize("data,name,message", [
    (b"", HP_CSV, "empty file"),
    (b"a$b\n", HP_CSV, r"expected drug\$DrugBank id"),
    (b"Warfarin$DB1$Aspirin$DB2$\n", "pairs.csv", "cannot tell which ONC list"),
    (b"PK\x03\x04not a zip", "x.xlsx", "not an .xlsx"),
    (b"\xd0\xcf\x11\xe0garbage", "x.xls", "cannot read the workbook"),
])
def test_bad_files_get_one_line_errors(tmp_path: Path, data: bytes, name: str,
                                       message: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError, match=message):
        list(onc.read(io.BytesIO(data), str(path)))
