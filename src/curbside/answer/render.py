"""Answer documents as text (rich), Markdown and standalone HTML. Formatting only."""

from __future__ import annotations

import html
from typing import Any


def _cites(ns: list[int]) -> str:
    return "".join(f"[{n}]" for n in ns)


def _ref_line(r: dict[str, Any]) -> str:
    bits = [r["title"]]
    if r.get("issuer"):
        bits.append(str(r["issuer"]))
    if r.get("year"):
        bits.append(str(r["year"]))
    if r.get("section"):
        bits.append(str(r["section"]))
    g = r.get("grade")
    if g and (g.get("strength") or g.get("evidence")):
        bits.append(f"{g['scheme']}: {g.get('strength') or '–'}/{g.get('evidence') or '–'}")
    ids = ", ".join(f"{k} {v}" for k, v in (r.get("identifiers") or {}).items())
    if ids:
        bits.append(ids)
    if r["status"] == "superseded":
        bits.append(f"SUPERSEDED by {r.get('superseded_by_title') or r.get('superseded_by')}")
    if r.get("url"):
        bits.append(str(r["url"]))
    return f"[{r['n']}] ({r['tier']}) " + ". ".join(bits)


def to_markdown(ans: dict[str, Any]) -> str:
    out = [f"# {ans['question']}", ""]
    for a in ans["alerts"]:
        out += [f"> **{a['kind'].replace('_', ' ').upper()}:** {a['text']}", ""]
    if ans["insufficient_evidence"]:
        out += [f"**Insufficient evidence.** {ans['insufficient_reason']}", ""]
    for gap in ans.get("evidence_gaps") or []:
        out += [f"> **Not covered:** {gap}", ""]
    if ans["summary"]:
        out += ["## Bottom line", ""] + [f"{s['text']} {_cites(s['citations'])}"
                                         for s in ans["summary"]] + [""]
    if ans["key_concerns"]:
        out += ["## Key concerns", ""] + [f"- **{k['concern']}** — {k['text']} "
                                          f"{_cites(k['citations'])}"
                                          for k in ans["key_concerns"]] + [""]
    for sec in ans["sections"]:
        out += [f"## {sec['heading']}", ""] + [f"- {s['text']} {_cites(s['citations'])}"
                                               for s in sec["statements"]] + [""]
    if ans["follow_up_questions"]:
        out += ["## Follow-up questions", ""] + [f"- {q}" for q in ans["follow_up_questions"]]
        out += [""]
    if ans["references"]:
        out += ["## References", ""] + [f"- {_ref_line(r)}" for r in ans["references"]] + [""]
    out += [f"*{ans['disclaimer']}*", ""]
    return "\n".join(out)


def to_html(ans: dict[str, Any]) -> str:
    e = html.escape
    parts = [f"<article><h1>{e(ans['question'])}</h1>"]
    for a in ans["alerts"]:
        parts.append(f'<p role="alert" class="alert {e(a["kind"])}">{e(a["text"])}</p>')
    if ans["insufficient_evidence"]:
        parts.append(f"<p><strong>Insufficient evidence.</strong> "
                     f"{e(ans['insufficient_reason'] or '')}</p>")

    for gap in ans.get("evidence_gaps") or []:
        parts.append(f'<p class="gap"><strong>Not covered:</strong> {e(gap)}</p>')

    def cite(ns: list[int]) -> str:
        return "".join(f'<sup><a href="#ref-{n}">[{n}]</a></sup>' for n in ns)

    if ans["summary"]:
        parts.append("<section><h2>Bottom line</h2>" + "".join(
            f"<p>{e(s['text'])}{cite(s['citations'])}</p>" for s in ans["summary"]) + "</section>")
    if ans["key_concerns"]:
        parts.append("<section><h2>Key concerns</h2><ul>" + "".join(
            f"<li><strong>{e(k['concern'])}</strong> — {e(k['text'])}{cite(k['citations'])}</li>"
            for k in ans["key_concerns"]) + "</ul></section>")
    for sec in ans["sections"]:
        parts.append(f"<section><h2>{e(sec['heading'])}</h2><ul>" + "".join(
            f"<li>{e(s['text'])}{cite(s['citations'])}</li>" for s in sec["statements"])
            + "</ul></section>")
    if ans["references"]:
        parts.append("<section><h2>References</h2><ol>" + "".join(
            f'<li id="ref-{r["n"]}">{e(_ref_line(r))}</li>' for r in ans["references"])
            + "</ol></section>")
    parts.append(f"<footer><p><em>{e(ans['disclaimer'])}</em></p></footer></article>")
    return "\n".join(parts)


def to_console(ans: dict[str, Any], con: Any) -> None:
    """Rich text for a terminal: headings, numbered citations, references."""
    from rich.markdown import Markdown
    con.print(Markdown(to_markdown(ans)))
