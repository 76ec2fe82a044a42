"""Plain-language statements for patients and caregivers.

Evidence text is clinical; a patient gets a short template over the passage's structured
facts instead (whose label or guideline it is, which drugs it names, which concerns it
states), so the sentence still says only what the cited passage says.
"""

from __future__ import annotations

from curbside.answer.audience import plain_concern
from curbside.answer.evidence import Evidence, RuleMatch
from curbside.knowledge.lexicon import display_name


def listing(items: list[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def concerns_text(keys: list[str], limit: int = 3) -> str:
    return listing([plain_concern(k) for k in keys[:limit]])


KNOWN_ISSUERS = {"centers for disease control and prevention": "CDC",
                 "u.s. food and drug administration": "FDA",
                 "american geriatrics society": "AGS"}
NOT_HARMS = {"moud", "contra"}


def short_issuer(issuer: str | None) -> str:
    return KNOWN_ISSUERS.get((issuer or "").lower(), issuer or "")


def topic(ev: Evidence) -> str:
    """What the passage is about, in its own terms: 'opioids and benzodiazepines' for a
    class-level study, never the asked drugs it was matched through."""
    from curbside.answer.evidence import broad_classes
    tags = sorted(ev.matched - broad_classes()) or sorted(ev.subjects)
    return listing([display_name(t) for t in tags])


def statement(ev: Evidence) -> str | None:
    """One or two short sentences, or None when the passage states no concern."""
    harms = [c for c in ev.concerns if c not in NOT_HARMS]
    if not harms or ev.source["status"] != "current":
        return None
    what = concerns_text(harms)
    others = [display_name(s) for s in sorted(ev.subjects) if s != ev.owner]
    pair = listing([display_name(s) for s in sorted(ev.subjects)])
    tier = ev.tier
    if tier == "label":
        whose = ev.owner or pair
        if ev.passage["section"] == "boxed_warning":
            return f"The {whose} label has a boxed warning. It is about {what}."
        if others:
            return f"The {whose} label warns about use with {listing(others)}. It can cause {what}."
        return f"The {whose} label warns about {what}."
    about = topic(ev)
    if tier == "regulatory":
        return f"The FDA warns about {about} used together. They can cause {what}."
    if tier == "guideline":
        who = short_issuer(ev.source.get("issuer"))
        return (f"A guide for doctors ({who}, {ev.source.get('year')}) says to take care with "
                f"{about}. The risk is {what}.")
    return f"A study ({ev.source.get('year')}) looked at {about}. It found more {what}."


def summary(subjects: list[str], concerns: list[str], severity: str | None) -> str:
    """The bottom line for a patient: what can happen and what to do."""
    who = listing([display_name(s) for s in subjects])
    harms = concerns_text([c for c in concerns if c not in NOT_HARMS])
    if severity == "contraindicated":
        return (f"{who.capitalize()} should not be taken together. They can cause {harms}. "
                f"Talk to your doctor or pharmacist.")
    if len(subjects) > 1:
        return (f"Taking {who} together can cause {harms}. Talk to your doctor or pharmacist "
                f"before taking them together.")
    return f"{who.capitalize()} can cause {harms}. Talk to your doctor or pharmacist."


def rule_statement(m: RuleMatch) -> str:
    a, b = (display_name(x) for x in m.pair)
    verb = "should not be taken together" if m.rule["severity"] == "contraindicated" else \
        "can be risky together"
    harms = [c for c in m.concerns if c not in NOT_HARMS]
    text = f"{a.capitalize()} and {b} {verb}. They can cause {concerns_text(harms)}. " \
        "Talk to your doctor or pharmacist."
    if "moud" in m.concerns:
        text += " Do not stop a medicine for opioid use disorder on your own."
    return text


EMERGENCY_SIGNS = {"resp", "sedation", "coma", "death"}


def concern_text(key: str) -> str:
    if key == "contra":
        return "These medicines should not be used together. Talk to your doctor or pharmacist."
    if key == "moud":
        return ("Keep taking your medicine for opioid use disorder unless your doctor says "
                "otherwise.")
    text = f"This can cause {plain_concern(key)}. Ask your doctor or pharmacist what to watch for."
    if key in EMERGENCY_SIGNS:
        text += (" Call 911 if someone is very hard to wake, or breathes slowly or not at "
                 "all.")
    return text
