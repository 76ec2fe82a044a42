"""The composition checker: rules every answer must keep, tested over every answer we make.

It reads only the `curbside.answer/1` document (plus the fields added for it: each
statement's `scope`, each reference's `about`), so it can check any answer, however made.

Rules (issue 11):
- scope: a statement built from a claim that holds under a condition says the condition
  (the condition's `say` patterns in `scope.yaml`), in every register;
- subject: a statement naming an asked drug cites a source about it (or its class); a
  statement naming two asked drugs cites a source about both;
- research: a research reference cited on a statement is about every asked drug that
  statement names (a study of A with B is not a finding about B alone);
- repeats: no text said twice (summary, key concerns and statements together);
- citations: at most three on one statement;
- contraindicated: an answer with a contraindicated alert says "contraindicated" (or
  "should not be ... together") in its bottom line;
- identifiers: no internal ids in prose ("rule a+b", "pack:", snake_case keys).
"""

from __future__ import annotations

import re
from typing import Any

from curbside.answer.claims import scope_rules

MAX_CITATIONS = 3
_IDS = re.compile(r"\brule [a-z_]+\+[a-z_]+|\b(?:pack|guideline|regulatory|label|research):"
                  r"[a-z0-9]|\b[a-z]+_[a-z_]+\b")
_CONTRA = re.compile(r"contraindicat|should not be (used|taken|combined)", re.I)


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def statements(ans: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = [("summary", s) for s in ans.get("summary") or []]
    out += [("key_concerns", k) for k in ans.get("key_concerns") or []]
    for sec in ans.get("sections") or []:
        out += [(f"section:{sec.get('tier')}", s) for s in sec.get("statements") or []]
    return out


def _names(ans: dict[str, Any]) -> dict[str, set[str]]:
    """Each asked drug -> the words that name it in prose and the entities a source may use."""
    return {str(d["name"]): {str(d["name"]), *(str(c) for c in d.get("classes") or [])}
            for d in ans.get("drugs") or []}


def _named(text: str, ans: dict[str, Any]) -> list[str]:
    low = text.lower()
    out = []
    for d in ans.get("drugs") or []:
        words = {str(d["name"]).lower(), str(d.get("matched") or "").lower()} - {""}
        if any(re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", low) for w in words):
            out.append(str(d["name"]))
    return out


def check_answer(ans: dict[str, Any]) -> list[str]:
    """Every violation of the composition rules in one answer (empty when it keeps them)."""
    out: list[str] = []
    refs = {r.get("n"): r for r in ans.get("references") or []}
    say = scope_rules()["say"]
    ents = _names(ans)
    seen: dict[str, str] = {}
    for where, st in statements(ans):
        text = str(st.get("text") or "")
        cits = st.get("citations") or []
        short = text[:70]
        if len(cits) > MAX_CITATIONS:
            out.append(f"{where}: {len(cits)} citations on {short!r}")
        key = _norm(text)
        if len(key.split()) >= 5:
            if key in seen:
                out.append(f"{where}: said twice (first in {seen[key]}): {short!r}")
            seen.setdefault(key, where)
        for cond in st.get("scope") or []:
            rx = say.get(cond)
            if rx is not None and not rx.search(text):
                out.append(f"{where}: drops its claim's scope {cond!r}: {short!r}")
        m = _IDS.search(text)
        if m:
            out.append(f"{where}: internal identifier {m.group(0)!r} in prose: {short!r}")
        cited = [refs[n] for n in cits if n in refs]
        named = _named(text, ans)
        if cited and named:
            about = [set(r.get("about") or []) for r in cited]
            for d in named:
                if not any(a & ents[d] for a in about):
                    out.append(f"{where}: names {d} but cites no source about it: {short!r}")
            if len(named) >= 2 and not any(all(a & ents[d] for d in named) for a in about):
                out.append(f"{where}: names {' and '.join(named)} but cites no source about "
                           f"both: {short!r}")
            for r in cited:
                if r.get("tier") == "research":
                    missing = [d for d in named if not set(r.get("about") or []) & ents[d]]
                    if missing:
                        out.append(f"{where}: cites research [{r.get('n')}] not about "
                                   f"{', '.join(missing)}: {short!r}")
    if any(a.get("kind") == "contraindicated" for a in ans.get("alerts") or []):
        bottom = " ".join(str(s.get("text") or "") for s in ans.get("summary") or [])
        if not _CONTRA.search(bottom):
            out.append("summary: a contraindicated combination not said to be contraindicated")
    for a in ans.get("alerts") or []:
        m = _IDS.search(str(a.get("text") or ""))
        if m and a.get("kind") != "emergency":
            out.append(f"alert: internal identifier {m.group(0)!r} in prose")
    return out
