"""A corpus of hostile input files, generated into a folder (nothing large is committed).

`make_corpus(folder)` writes every case and returns them as `Case(name, fmt, path, expect)`:
`expect` is "refused" (one-line error, store unchanged), "ingested", or "either" (a file
whose fate is a judgement call, e.g. an XML entity left unresolved: it must only never
traceback, hang or grow memory). Compression bombs are built from repeated gzip members or
lying zip headers, so a "1 GB" bomb costs a few MB on disk and milliseconds to make.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import socket
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
UUID = "0a1b2c3d-0000-4000-8000-00000000{:04x}"


@dataclass
class Case:
    name: str
    fmt: str
    path: str
    expect: str  # "refused" | "ingested" | "either"


# --- builders --------------------------------------------------------------------------

def _label(n: int, **fields: object) -> dict[str, object]:
    rec: dict[str, object] = {"set_id": UUID.format(n), "version": "1",
                              "openfda": {"generic_name": [f"HOSTILAMIDE{n}"]},
                              "warnings": [f"Example warning text number {n}."]}
    rec.update(fields)
    return {k: v for k, v in rec.items() if v is not None}


def _json(rec: object) -> bytes:
    return json.dumps(rec).encode()


def _gzip_bomb(unit: bytes, total: int, head: bytes = b"", tail: bytes = b"") -> bytes:
    """`head`, then `total` bytes of `unit` repeated, then `tail`, as gzip members."""
    chunk = unit * (16 * 1024 * 1024 // len(unit))
    member = gzip.compress(chunk, compresslevel=9)
    parts = [gzip.compress(head)] if head else []
    parts += [member] * max(1, total // len(chunk))
    if tail:
        parts.append(gzip.compress(tail))
    return b"".join(parts)


def _zip(members: dict[str, bytes], lie_size: int | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    raw = bytearray(buf.getvalue())
    if lie_size is not None:  # claim a small uncompressed size in both headers
        raw[22:26] = struct.pack("<I", lie_size)
        central = raw.find(b"PK\x01\x02")
        raw[central + 24:central + 28] = struct.pack("<I", lie_size)
    return bytes(raw)


def _spaces_zip_member(size: int) -> bytes:
    """A deflate-compressed zip of one .json member of `size` spaces, made fast."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = b" " * (1 << 20)
    body = b"".join(comp.compress(block) for _ in range(size >> 20)) + comp.flush()
    crc = 0
    for _ in range(size >> 20):
        crc = zlib.crc32(block, crc)
    name = b"bomb.json"
    local = struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(body),
                        size & 0xFFFFFFFF, len(name), 0) + name
    central = struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(body),
                          size & 0xFFFFFFFF, len(name), 0, 0, 0, 0, 0, 0) + name
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, 1, 1, len(central),
                      len(local) + len(body), 0)
    return local + body + central + end


def _article(pmid: str = "91000001", *, version: str = "1", year: str = "2021",
             month: str = "Mar", day: str = "5", title: str = "A hostile example.",
             abstract: str = "Invented abstract text.", extra: str = "") -> str:
    return (f'<PubmedArticle><MedlineCitation><PMID Version="{version}">{pmid}</PMID>'
            f"<Article><Journal><Title>Hostile Journal</Title><JournalIssue><PubDate>"
            f"<Year>{year}</Year><Month>{month}</Month><Day>{day}</Day></PubDate>"
            f"</JournalIssue></Journal><ArticleTitle>{title}</ArticleTitle>"
            f"<Abstract><AbstractText>{abstract}</AbstractText></Abstract>{extra}"
            f"</Article></MedlineCitation></PubmedArticle>")


def _pubmed(*articles: str, head: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>{head}<PubmedArticleSet>'
            + "".join(articles) + "</PubmedArticleSet>").encode()


def _spl(*, set_id: str = "aaaaaaaa-bbbb-cccc-dddd-00000000{n:04x}", n: int = 1,
         version: str = "1", effective: str = "20240315", body: str | None = None,
         head: str = "") -> bytes:
    sid = set_id.format(n=n)
    section = ('<component><section><code code="34070-3" codeSystem="2.16.840.1.113883.6.1"/>'
               "<title>4 CONTRAINDICATIONS</title><text><paragraph>Do not use in example "
               "allergy.</paragraph></text></section></component>")
    return (f'<?xml version="1.0" encoding="UTF-8"?>{head}<document xmlns="urn:hl7-org:v3">'
            f'<id root="11111111-2222-3333-4444-{n:012x}"/><title>HOSTILE label {n}</title>'
            f'<effectiveTime value="{effective}"/><setId root="{sid}"/>'
            f'<versionNumber value="{version}"/><component><structuredBody>'
            f"{body if body is not None else section}</structuredBody></component></document>"
            ).encode()


def _guideline(*, gid: str = "hostile-guideline", year: str = "2024", front: str = "",
               body: str = "## Recommendation 1\nstrength: A\n\nInvented text.\n") -> bytes:
    return (f"---\nid: {gid}\ntitle: Hostile Guideline\nissuer: Example Society\n"
            f"year: {year}\nurl: https://example.org/hostile\n"
            f"grading: {{scheme: Example, strength: {{A: Most people.}}}}\n{front}---\n\n"
            f"{body}").encode()


def _laughs_yaml(levels: int = 9) -> str:
    lines = ['lol0: &lol0 ["lol"]']
    for i in range(1, levels + 1):
        refs = ", ".join([f"*lol{i - 1}"] * 10)
        lines.append(f"lol{i}: &lol{i} [{refs}]")
    return "\n".join(lines) + "\n"


# --- the cases -------------------------------------------------------------------------

def _openfda() -> list[tuple[str, bytes, str]]:
    deep_list = b"[" * 100_000 + b"]" * 100_000
    deep_obj = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
    big_int = "1" + "0" * 400
    many = {f"extra_section_{i}": [f"Text {i}."] for i in range(5000)}
    jsonl_deep = b"\n".join([_json(_label(300 + i)) for i in range(5)]
                            + [b"[" * 10_000 + b"]" * 10_000])
    one = _json(_label(1))
    return [
        ("deep-list.json", deep_list, "refused"),
        ("deep-object.json", deep_obj, "refused"),
        ("deep-900.json", b"[" * 900 + b"]" * 900, "refused"),
        ("deep-in-field.json", b'{"set_id": "' + UUID.format(2).encode() + b'", "warnings": '
         + b"[" * 70 + b'"x"' + b"]" * 70 + b"}", "refused"),
        ("lone-surrogate-text.json", _json(_label(3, warnings=["bad \ud800 text"])), "ingested"),
        ("lone-surrogate-name.json",
         _json(_label(4, openfda={"generic_name": ["NAME\udfff"]})), "ingested"),
        ("lone-surrogate-setid.json", _json(_label(5, set_id="\ud800")), "refused"),
        ("lone-surrogate-key.json", b'{"set_id": "' + UUID.format(6).encode()
         + b'", "\\ud800": ["text"], "warnings": ["x"]}', "either"),
        ("version-negative.json", _json(_label(7, version="-5")), "refused"),
        ("version-10e400.json", _json(_label(8))
         .replace(b'"version": "1"', b'"version": ' + big_int.encode()), "refused"),
        ("version-5000-digits.json", _json(_label(9))
         .replace(b'"version": "1"', b'"version": ' + b"9" * 5000), "refused"),
        ("version-float.json", _json(_label(10, version=1.5)), "refused"),
        ("version-word.json", _json(_label(11, version="one; DROP TABLE")), "refused"),
        ("version-empty.json", _json(_label(12, version="")), "ingested"),
        ("effective-year-9999.json", _json(_label(13, effective_time="99990101")), "refused"),
        ("effective-5000-digits.json", _json(_label(14, effective_time="2" * 5000)),
         "ingested"),
        ("effective-feb-31.json", _json(_label(15, effective_time="20240231")), "refused"),
        ("setid-traversal.json", _json(_label(16, set_id="../../etc/passwd")), "refused"),
        ("setid-10k.json", _json(_label(17, set_id="a" * 10_000)), "refused"),
        ("duplicate-version-other-text.json",
         _json([_label(18), _label(18, warnings=["Different text."])]), "refused"),
        ("duplicate-version-same-text.json", _json([_label(19), _label(19)]), "ingested"),
        ("section-3M-chars.json", _json(_label(20, warnings=["x" * 3_000_000])), "refused"),
        ("sections-5000.json", _json(_label(21, **many)), "refused"),
        ("results-not-list.json", _json({"meta": {}, "results": {"a": 1}}), "refused"),
        ("results-empty.json", _json({"meta": {}, "results": []}), "refused"),
        ("top-null.json", b"null", "refused"),
        ("top-number.json", b"12345", "refused"),
        ("top-string.json", b'"just a string"', "refused"),
        ("not-utf8.json", b'{"set_id": "\xff\xfe", "warnings": ["x"]}', "refused"),
        ("utf16.json", '{"warnings": ["x"]}'.encode("utf-16"), "refused"),
        ("nul-in-text.json", _json(_label(22, warnings=["a\u0000b\u0000" * 50])), "ingested"),
        ("c1-controls.json", _json(_label(23, warnings=["\x85\x9f text"])), "ingested"),
        ("section-as-dict.json", _json(_label(24, warnings={"a": "b"})), "refused"),
        ("empty.json", b"", "refused"),
        ("whitespace.json", b" \n\t " * 1000, "refused"),
        ("xml-given.json", b"<?xml version='1.0'?><a/>", "refused"),
        ("bom-valid.json", b"\xef\xbb\xbf" + _json(_label(25)), "ingested"),
        ("zip-bomb-honest.json.zip", _spaces_zip_member(400 << 20), "refused"),
        ("zip-bomb-lying.json.zip",
         _zip({"x.json": b" " * (64 << 20) + one}, lie_size=1000), "refused"),
        ("zip-two-members.json.zip", _zip({"a.json": one, "b.json": one}), "refused"),
        ("zip-no-json.json.zip", _zip({"a.txt": one}), "refused"),
        ("zip-truncated.json.zip", _zip({"a.json": one})[:40], "refused"),
        ("zip-valid.json.zip", _zip({"labels.json": _json(_label(26))}), "ingested"),
        ("zip-traversal-name.json.zip", _zip({"../../evil.json": _json(_label(27))}),
         "ingested"),
        ("gzip-bomb.json.gz", _gzip_bomb(b" ", 1 << 30, head=one), "refused"),
        ("gzip-truncated.json.gz", gzip.compress(one)[:15], "refused"),
        ("gzip-garbage.json.gz", b"\x1f\x8b" + os.urandom(2000), "refused"),
        ("jsonl-bad-line.jsonl", one + b"\n{oops\n", "refused"),
        ("jsonl-deep-line.jsonl", jsonl_deep, "refused"),
        ("record-not-object.json", _json([_label(28), 5]), "refused"),
        ("openfda-as-list.json", _json(_label(29, openfda=["x"])), "ingested"),
        ("huge-key.json", _json({"set_id": UUID.format(30), "k" * 1_000_000: ["v"],
                                 "warnings": ["x"]}), "either"),
        ("random-bytes.json", os.urandom(100_000), "refused"),
        ("flat-list-1M.json", b"[" + b"1," * 1_000_000 + b"1]", "refused"),
    ]


def _pubmed_cases() -> list[tuple[str, bytes, str]]:
    laughs = ('<!DOCTYPE PubmedArticleSet [<!ENTITY a "lollollollollollol">'
              + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">'
                        for p, c in zip("abcdefgh", "bcdefghi", strict=True)) + "]>")
    xxe = '<!DOCTYPE PubmedArticleSet [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    many_authors = "<AuthorList>" + "<Author><LastName>X</LastName></Author>" * 120_000 \
        + "</AuthorList>"
    return [
        ("year-5000-digits.xml", _pubmed(_article(year="2" * 5000)), "refused"),
        ("year-99999.xml", _pubmed(_article(year="99999")), "refused"),
        ("year-0999.xml", _pubmed(_article(year="0999")), "refused"),
        ("year-none.xml", _pubmed(_article(pmid="91000002", year="None")), "ingested"),
        ("month-5000-digits.xml", _pubmed(_article(pmid="91000003", month="1" * 5000)),
         "ingested"),
        ("day-5000-digits.xml", _pubmed(_article(pmid="91000004", day="1" * 5000)),
         "ingested"),
        ("feb-31.xml", _pubmed(_article(month="Feb", day="31")), "refused"),
        ("pmid-letters.xml", _pubmed(_article(pmid="abc")), "refused"),
        ("pmid-5000-digits.xml", _pubmed(_article(pmid="9" * 5000)), "refused"),
        ("pmid-negative.xml", _pubmed(_article(pmid="-1")), "refused"),
        ("version-negative.xml", _pubmed(_article(version="-5")), "refused"),
        ("version-10e400.xml", _pubmed(_article(version="1" + "0" * 400)), "refused"),
        ("duplicate-other-text.xml",
         _pubmed(_article(pmid="91000005"), _article(pmid="91000005", title="Other.")),
         "refused"),
        ("duplicate-same-text.xml", _pubmed(_article(pmid="91000006"),
                                            _article(pmid="91000006")), "ingested"),
        ("billion-laughs.xml", _pubmed(_article(title="&i;"), head=laughs), "either"),
        ("xxe.xml", _pubmed(_article(pmid="91000007", title="&x;"), head=xxe), "either"),
        ("deep-100k.xml", _pubmed("<a>" * 100_000 + "</a>" * 100_000), "refused"),
        ("deep-in-abstract.xml",
         _pubmed(_article(abstract="<b>" * 70 + "x" + "</b>" * 70)), "ingested"),
        ("junk-between-articles.xml",
         _pubmed("<Junk>x</Junk>" * 500, _article(pmid="91000008")), "ingested"),
        ("junk-200k.xml", _pubmed("<Junk>x</Junk>" * 200_000, _article(pmid="91000012")),
         "ingested"),
        ("authors-120k.xml", _pubmed(_article(extra=many_authors)), "either"),
        ("elements-300k.xml",
         _pubmed(_article(abstract="<i>x</i>" * 300_000)), "refused"),
        ("abstract-3M.xml", _pubmed(_article(abstract="x" * 3_000_000)), "refused"),
        ("gzip-bomb-whitespace.xml.gz",
         _gzip_bomb(b" ", 1 << 30, head=b"<PubmedArticleSet>"), "refused"),
        ("gzip-bomb-junk.xml.gz", _gzip_bomb(b"<J/>", 1 << 30, head=b"<PubmedArticleSet>"),
         "refused"),
        ("gzip-truncated.xml.gz", gzip.compress(_pubmed(_article()))[:30], "refused"),
        ("gzip-valid.xml.gz", gzip.compress(_pubmed(_article(pmid="91000009"))), "ingested"),
        ("random.xml", os.urandom(50_000), "refused"),
        ("wrong-root.xml", b"<?xml version='1.0'?><html><body/></html>", "refused"),
        ("empty.xml", b"", "refused"),
        ("delete-100k.xml", _pubmed("<DeleteCitation>"
                                    + '<PMID Version="1">80000001</PMID>' * 100_000
                                    + "</DeleteCitation>"), "ingested"),
        ("not-utf8.xml", _pubmed(_article()).replace(b"hostile", b"\xff\xfe"), "refused"),
        ("utf16-declared.xml", _pubmed(_article()).replace(b"UTF-8", b"UTF-16"), "refused"),
        ("surrogate-charref.xml", _pubmed(_article(title="&#xD800;")), "refused"),
        ("nul-charref.xml", _pubmed(_article(title="&#0;")), "refused"),
        ("controls-in-text.xml",
         _pubmed(_article(pmid="91000010", title="a\u0085b\u009fc")), "ingested"),
        ("attribute-5MB.xml",
         _pubmed(_article(pmid="91000011", extra=f'<X a="{"y" * 5_000_000}"/>')), "either"),
        ("unclosed.xml", _pubmed(_article())[:-30], "refused"),
    ]


def _spl_cases() -> list[tuple[str, bytes, str]]:
    deep = ("<component><section><text>x" * 300) + ("</text></section></component>" * 300)
    laughs = ('<!DOCTYPE document [<!ENTITY a "lollollollol">'
              + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">'
                        for p, c in zip("abcdefgh", "bcdefghi", strict=True)) + "]>")
    section = ('<component><section><code code="42229-5"/><title>S {i}</title><text>'
               "<paragraph>Text {i}.</paragraph></text></section></component>")
    big = ('<component><section><code code="34070-3"/><title>4 CONTRAINDICATIONS</title>'
           f'<text><paragraph>{"x" * 3_000_000}</paragraph></text></section></component>')
    return [
        ("deep-300.xml", _spl(n=1, body=deep), "refused"),
        ("billion-laughs.xml", _spl(n=2, head=laughs,
                                    body=_spl(n=2).decode().split("<structuredBody>")[1]
                                    .split("</structuredBody>")[0].replace("allergy",
                                                                           "&i;")), "either"),
        ("setid-not-uuid.xml", _spl(set_id="not-a-uuid"), "refused"),
        ("version-negative.xml", _spl(n=3, version="-5"), "refused"),
        ("version-10e400.xml", _spl(n=4, version="1" + "0" * 400), "refused"),
        ("effective-9999.xml", _spl(n=5, effective="99999999"), "refused"),
        ("effective-feb-31.xml", _spl(n=6, effective="20240231"), "refused"),
        ("effective-5000-digits.xml", _spl(n=7, effective="0" * 5000), "refused"),
        ("sections-5000.xml",
         _spl(n=8, body="".join(section.format(i=i) for i in range(5000))), "refused"),
        ("section-3M.xml", _spl(n=9, body=big), "refused"),
        ("gzip-bomb.xml.gz", _gzip_bomb(b" ", 1 << 30, head=b"<document>"), "refused"),
        ("json-given.xml", b'{"a": 1}', "refused"),
        ("truncated.xml", _spl(n=10)[:200], "refused"),
        ("valid.xml", _spl(n=11), "ingested"),
    ]


def _guideline_cases() -> list[tuple[str, bytes, str]]:
    return [
        ("deep-flow-10k.md", _guideline(front="about: " + "[" * 10_000 + "]" * 10_000
                                        + "\n"), "refused"),
        ("deep-block-1000.md", _guideline(front="deep:\n" + "".join(
            " " * (i + 1) + "- \n" for i in range(1000))), "refused"),
        ("billion-laughs.md", _guideline(front=_laughs_yaml()), "refused"),
        ("recursive-alias.md", _guideline(front="loop: &a [*a]\n"), "refused"),
        ("year-5000-digits.md", _guideline(year="2" * 5000), "refused"),
        ("year-99999.md", _guideline(year="99999"), "refused"),
        ("year-string.md", _guideline(year='"2024"'), "refused"),
        ("python-tag.md", _guideline(front="x: !!python/object/apply:os.system [true]\n"),
         "refused"),
        ("unclosed-front.md", b"---\nid: x\n\n## Recommendation 1\n\nText.\n", "refused"),
        ("recs-5000.md", _guideline(body="".join(f"## Recommendation {i}\n\nText {i}.\n\n"
                                                 for i in range(5000))), "refused"),
        ("attribute-deep.md", _guideline(body="## R1\nabout: " + "[" * 10_000
                                         + "]" * 10_000 + "\n\nText.\n"), "refused"),
        ("version-negative.md", _guideline(gid="hostile-v-neg", front="version: -5\n"),
         "refused"),
        ("version-10e400.md", _guideline(gid="hostile-v-big", front=f"version: 1{'0' * 400}\n"),
         "refused"),
        ("published-feb-31.md", _guideline(front="published: 2024-02-31\n"), "refused"),
        ("published-99999.md", _guideline(front='published: "99999-01-01"\n'), "refused"),
        ("not-utf8.md", _guideline().replace(b"Hostile", b"\xff\xfe"), "refused"),
        ("surrogate-escape.md", _guideline(front='note: "\\ud800"\n'), "either"),
        ("empty.md", b"", "refused"),
        ("dup-a.md", _guideline(gid="hostile-dup", body="## R1\n\nFirst text.\n"),
         "ingested"),
        ("dup-b.md", _guideline(gid="hostile-dup", body="## R1\n\nOther text.\n"), "refused"),
        ("valid.md", _guideline(gid="hostile-valid"), "ingested"),
    ]


def _special(folder: Path, fmt: str) -> list[Case]:
    """Paths that are not regular files: devices, a FIFO, a socket, a link to a device."""
    cases = [Case(f"{fmt}/dev-zero", fmt, "/dev/zero", "refused"),
             Case(f"{fmt}/dev-urandom", fmt, "/dev/urandom", "refused"),
             Case(f"{fmt}/missing", fmt, str(folder / "no-such-file"), "refused")]
    fifo = folder / f"{fmt}-fifo"
    os.mkfifo(fifo)
    cases.append(Case(f"{fmt}/fifo", fmt, str(fifo), "refused"))
    link = folder / f"{fmt}-link-to-zero"
    link.symlink_to("/dev/zero")
    cases.append(Case(f"{fmt}/link-to-dev-zero", fmt, str(link), "refused"))
    sock_path = folder / f"{fmt}.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(sock_path))
    sock.close()  # the socket file stays
    cases.append(Case(f"{fmt}/socket", fmt, str(sock_path), "refused"))
    return cases


GOOD = {"openfda": ["openfda/single.json", "openfda/lines.jsonl"],
        "pubmed": ["pubmed/articles.xml"], "spl": ["spl/minimal.xml"],
        "guideline": ["guideline/example-2024.md"]}
BUILDERS: dict[str, Callable[[], list[tuple[str, bytes, str]]]] = {
    "openfda": _openfda, "pubmed": _pubmed_cases, "spl": _spl_cases,
    "guideline": _guideline_cases}


def make_corpus(folder: Path) -> list[Case]:
    """Write every case under `folder`; good fixture files are interleaved per format."""
    cases: list[Case] = []
    for fmt, build in BUILDERS.items():
        sub = folder / fmt
        sub.mkdir(parents=True)
        built = build()
        goods = [Case(f"{fmt}/good:{g}", fmt, str(FIXTURES / g), "ingested") for g in GOOD[fmt]]
        for i, (name, data, expect) in enumerate(built):
            path = sub / name
            path.write_bytes(data)
            cases.append(Case(f"{fmt}/{name}", fmt, str(path), expect))
            if goods and i % 10 == 5:
                cases.append(goods.pop())
        cases += goods
        cases += _special(folder, fmt)
    return cases
