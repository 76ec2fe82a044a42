"""Answer documents as text (rich), Markdown and standalone HTML. Formatting only.

References are shown grouped by source: one entry per source (title, issuer, year,
identifiers, URL), its cited sections under it, each still with its own number, so that a
label cited for three sections is listed once, not three times. In HTML every reference
links back to the statements that cite it.

    >>> groups = reference_groups(answer["references"])
    >>> [(g["title"], [i["n"] for i in g["items"]]) for g in groups][:1]
    [('FDA Drug Safety Communication: ...', [1, 2, 3])]
"""

from __future__ import annotations

import html
import re
from typing import Any

TIER_NAMES = {"guideline": "Guideline", "label": "FDA drug label", "research": "Research",
              "regulatory": "FDA safety communication"}
_SECTION_SHORT = {"guideline": "Guidelines", "label": "FDA label", "research": "Research"}


def _cites(ns: list[int]) -> str:
    return "".join(f"[{n}]" for n in ns)


def reference_groups(refs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """References grouped by source, in order of each source's first number.

    Each group carries the source's fields (title, issuer, year, tier, url, identifiers,
    status, superseded_by, ...) from its first reference and `items`: one per reference
    (`n`, `section`, `grade`), in number order.
    """
    groups: dict[str, dict[str, Any]] = {}
    for r in sorted(refs, key=lambda r: int(r["n"])):
        key = str(r.get("source_id") or f"#{r['n']}")
        g = groups.get(key)
        if g is None:
            g = groups[key] = {k: v for k, v in r.items()
                               if k not in ("n", "section", "grade")} | {"items": []}
        g["items"].append({"n": r["n"], "section": r.get("section"), "grade": r.get("grade")})
    return list(groups.values())


def statements(ans: dict[str, Any]) -> list[dict[str, Any]]:
    """Every cited statement in reading order with a stable anchor and a short label.

    Anchors: `s-bottom-1` (bottom line), `s-concern-1` (key concerns), `s-guideline-1`,
    `s-label-1`, `s-research-1` (the tier sections); labels read "Bottom line 1" etc.
    """
    out: list[dict[str, Any]] = []
    for i, s in enumerate(ans.get("summary") or [], 1):
        out.append({"anchor": f"s-bottom-{i}", "label": f"Bottom line {i}", "text": s["text"],
                    "citations": s.get("citations") or []})
    for i, k in enumerate(ans.get("key_concerns") or [], 1):
        out.append({"anchor": f"s-concern-{i}", "label": f"Key concern {i}",
                    "text": f"{k['concern']}: {k['text']}", "citations": k.get("citations") or []})
    seen: dict[str, int] = {}
    for sec in ans.get("sections") or []:
        tier = str(sec.get("tier") or "section")
        for st in sec.get("statements") or []:
            seen[tier] = seen.get(tier, 0) + 1
            name = _SECTION_SHORT.get(tier, sec.get("heading") or tier)
            out.append({"anchor": f"s-{tier}-{seen[tier]}", "label": f"{name} {seen[tier]}",
                        "text": st["text"], "citations": st.get("citations") or []})
    return out


def section_anchors(ans: dict[str, Any]) -> list[list[str]]:
    """Anchors of each tier section's statements, in the order of `ans["sections"]`."""
    by_anchor = iter(s["anchor"] for s in statements(ans)
                     if not s["anchor"].startswith(("s-bottom-", "s-concern-")))
    return [[next(by_anchor) for _ in sec.get("statements") or []]
            for sec in ans.get("sections") or []]


def cited_by(ans: dict[str, Any]) -> dict[int, list[dict[str, str]]]:
    """For each reference number, the statements that cite it (anchor and label)."""
    out: dict[int, list[dict[str, str]]] = {}
    for s in statements(ans):
        for n in s["citations"]:
            out.setdefault(int(n), []).append({"anchor": s["anchor"], "label": s["label"]})
    return out


def alert_line(alert: dict[str, Any]) -> tuple[str, str]:
    """(lead, rest) of an alert: its kind as the lead unless the text already starts with it.

    "Boxed warning (Clonazepam tablets, USP): Benzodiazepines ..." keeps its own lead
    ("Boxed warning (Clonazepam tablets, USP):"), so the kind is not said twice.
    """
    label = str(alert["kind"]).replace("_", " ").capitalize()
    text = str(alert["text"])
    if not text.lower().startswith(label.lower()):
        return f"{label}:", text
    depth = 0
    for i, ch in enumerate(text[:400]):
        depth += (ch == "(") - (ch == ")")
        if ch == ":" and depth == 0:
            return text[:i + 1], text[i + 1:].lstrip()
    return "", text


def _source_bits(g: dict[str, Any]) -> list[str]:
    bits = [str(g["title"])]
    if g.get("issuer"):
        bits.append(str(g["issuer"]))
    if g.get("year"):
        bits.append(str(g["year"]))
    ids = ", ".join(f"{k} {v}" for k, v in (g.get("identifiers") or {}).items())
    if ids:
        bits.append(ids)
    if g.get("status") == "superseded":
        bits.append(f"SUPERSEDED by {g.get('superseded_by_title') or g.get('superseded_by')}")
    if g.get("other_labels"):
        bits.append(other_labels_text(int(g["other_labels"])))
    if g.get("url"):
        bits.append(str(g["url"]))
    return bits


def other_labels_text(n: int) -> str:
    """What a cited label says about the store's other labels for the same drug."""
    return (f"Chosen from {n + 1} current labels for this drug; the store holds {n} other "
            f"label{'s' if n != 1 else ''} for it (not cited here)")


def _item_bits(item: dict[str, Any]) -> str:
    bits = [str(item["section"])] if item.get("section") else []
    grade = item.get("grade")
    if grade and (grade.get("strength") or grade.get("evidence")):
        bits.append(f"{grade.get('scheme') or 'Grade'}: {grade.get('strength') or '–'}/"
                    f"{grade.get('evidence') or '–'}")
    return ". ".join(bits)


def reference_lines(refs: list[dict[str, Any]]) -> list[str]:
    """The grouped reference list as Markdown list lines."""
    out: list[str] = []
    for g in reference_groups(refs):
        tier = TIER_NAMES.get(str(g.get("tier")), str(g.get("tier")))
        head = ". ".join(_source_bits(g))
        if len(g["items"]) == 1:
            item = g["items"][0]
            extra = _item_bits(item)
            out.append(f"- [{item['n']}] ({tier}) {head}" + (f" — {extra}" if extra else ""))
            continue
        out.append(f"- ({tier}) {head}")
        out += [f"  - [{i['n']}] {_item_bits(i) or 'cited'}" for i in g["items"]]
    return out


def _emergencies(ans: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in ans["alerts"] if a.get("kind") == "emergency"]


def to_markdown(ans: dict[str, Any]) -> str:
    # An emergency alert comes before everything, the title included.
    out = [f"> **EMERGENCY — {a.get('title') or 'act now'}:** {a['text']}\n"
           for a in _emergencies(ans)]
    out += [f"# {ans['question']}", ""]
    for a in ans["alerts"]:
        if a.get("kind") != "emergency":
            lead, rest = alert_line(a)
            out += [f"> **{lead}** {rest}" if lead else f"> {rest}", ""]
    if ans["insufficient_evidence"]:
        out += [f"**Insufficient evidence.** {ans['insufficient_reason']}", ""]
    for gap in ans.get("evidence_gaps") or []:
        out += [f"> **Not covered:** {gap}", ""]
    if ans["summary"]:
        out += ["## Bottom line", ""] + [f"{s['text']} {_cites(s['citations'])}".rstrip()
                                         for s in ans["summary"]] + [""]
    if ans["key_concerns"]:
        out += ["## Key concerns", ""] + [f"- **{k['concern']}** — {k['text']} "
                                          f"{_cites(k['citations'])}".rstrip()
                                          for k in ans["key_concerns"]] + [""]
    for sec in ans["sections"]:
        out += [f"## {sec['heading']}", ""] + [f"- {s['text']} {_cites(s['citations'])}".rstrip()
                                               for s in sec["statements"]] + [""]
    if ans["follow_up_questions"]:
        out += ["## Follow-up questions", ""] + [f"- {q}" for q in ans["follow_up_questions"]]
        out += [""]
    if ans["references"]:
        out += ["## References", ""] + reference_lines(ans["references"]) + [""]
    out += [f"*{ans['disclaimer']}*", ""]
    return "\n".join(out)


def to_html(ans: dict[str, Any]) -> str:
    e = html.escape
    parts = [f'<div role="alert" class="alert emergency" data-type="{e(a.get("type") or "")}">'
             f'<strong>Emergency — {e(a.get("title") or "act now")}:</strong> {e(a["text"])}</div>'
             for a in _emergencies(ans)]
    parts.append(f"<article><h1>{e(ans['question'])}</h1>")
    for a in ans["alerts"]:
        if a.get("kind") != "emergency":
            lead, rest = alert_line(a)
            strong = f"<strong>{e(lead)}</strong> " if lead else ""
            parts.append(f'<p role="alert" class="alert {e(a["kind"])}">{strong}{e(rest)}</p>')
    if ans["insufficient_evidence"]:
        parts.append(f"<p><strong>Insufficient evidence.</strong> "
                     f"{e(ans['insufficient_reason'] or '')}</p>")

    for gap in ans.get("evidence_gaps") or []:
        parts.append(f'<p class="gap"><strong>Not covered:</strong> {e(gap)}</p>')

    def cite(ns: list[int]) -> str:
        return "".join(f'<sup><a href="#ref-{n}">[{n}]</a></sup>' for n in ns)

    stmts = iter(statements(ans))

    def stmt(text: str, ns: list[int], tag: str = "li") -> str:
        anchor = next(stmts)["anchor"]
        return f'<{tag} id="{anchor}">{text}{cite(ns)}</{tag}>'

    if ans["summary"]:
        parts.append("<section><h2>Bottom line</h2>" + "".join(
            stmt(e(s["text"]), s["citations"], "p") for s in ans["summary"]) + "</section>")
    if ans["key_concerns"]:
        parts.append("<section><h2>Key concerns</h2><ul>" + "".join(
            stmt(f"<strong>{e(k['concern'])}</strong> — {e(k['text'])}", k["citations"])
            for k in ans["key_concerns"]) + "</ul></section>")
    for sec in ans["sections"]:
        parts.append(f"<section><h2>{e(sec['heading'])}</h2><ul>" + "".join(
            stmt(e(s["text"]), s["citations"]) for s in sec["statements"]) + "</ul></section>")
    if ans["references"]:
        parts.append("<section><h2>References</h2>" + _html_references(ans) + "</section>")
    parts.append(f"<footer><p><em>{e(ans['disclaimer'])}</em></p></footer></article>")
    return "\n".join(parts)


def _html_references(ans: dict[str, Any]) -> str:
    e = html.escape
    backs = cited_by(ans)
    rows = []
    for g in reference_groups(ans["references"]):
        items = []
        for i in g["items"]:
            links = " ".join(f'<a href="#{b["anchor"]}">{e(b["label"])}</a>'
                             for b in backs.get(int(i["n"]), []))
            cited = f' <span class="cited-by">Cited in: {links}</span>' if links else ""
            items.append(f'<li id="ref-{i["n"]}" value="{i["n"]}">[{i["n"]}] '
                         f'{e(_item_bits(i) or "cited")}{cited}</li>')
        rows.append(f"<li>{e('. '.join(_source_bits(g)))}<ul>{''.join(items)}</ul></li>")
    return f"<ol>{''.join(rows)}</ol>"


_TRAILING = re.compile(r"[ \t]+((?:\x1b\[[0-9;]*m)*)$", re.MULTILINE)


def strip_trailing(text: str) -> str:
    """Drop the spaces rich pads lines with (also before trailing colour codes)."""
    return _TRAILING.sub(r"\1", text)


def to_console(ans: dict[str, Any], con: Any) -> None:
    """Rich text for a terminal: headings, numbered citations, references; no padding."""
    from rich.markdown import Markdown
    with con.capture() as cap:
        con.print(Markdown(to_markdown(ans)))
    con.file.write(strip_trailing(cap.get()))
