"""Audience-specific wording: headings, disclaimers, plain concern names, follow-ups."""

from __future__ import annotations

from curbside.answer.understand import Understanding
from curbside.knowledge.lexicon import display_name, vocabulary

AUDIENCES = ("clinician", "pharmacist", "nurse", "student", "patient")

_DISCLAIMERS = {
    "patient": ("This information is for education only and is not medical advice. Do not "
                "start, stop or change a medicine without talking to your doctor or pharmacist. "
                "In an emergency call 911 (or your local emergency number)."),
    "student": ("Generated for learning from the cited sources; it is not a substitute for "
                "supervised clinical judgement. Check the full prescribing information and "
                "current guidelines."),
}
_PROFESSIONAL = ("For healthcare professionals. Generated deterministically from the cited "
                 "sources; it supports, and does not replace, clinical judgement. Verify against "
                 "the full prescribing information and current guidelines before acting.")

_HEADINGS = {
    "patient": {"guideline": "What the guidelines say", "label": "What the drug label says",
                "research": "What studies found"},
}
_DEFAULT_HEADINGS = {"guideline": "From the Guidelines", "label": "From the FDA Drug Label",
                     "research": "From the Research"}


def disclaimer(audience: str) -> str:
    return _DISCLAIMERS.get(audience, _PROFESSIONAL)


def headings(audience: str) -> dict[str, str]:
    return _HEADINGS.get(audience, _DEFAULT_HEADINGS)


def plain_concern(key: str) -> str:
    spec = vocabulary()["concerns"].get(key) or {}
    return str(spec.get("plain") or spec.get("name") or key)


def follow_ups(u: Understanding) -> list[str]:
    """3-5 questions about these drugs that this question did not ask yet."""
    names = [display_name(n) for n, _ in u.subjects]
    if not names:
        return []
    a = names[0]
    b = names[1] if len(names) > 1 else None
    both = f"{a} and {b}" if b else a
    options: list[tuple[str, str]] = [
        ("discontinuation", f"How should {a} be tapered if it needs to be stopped?"),
        ("monitoring", f"What monitoring is needed for a patient taking {both}?"),
        ("alternatives", f"What are safer alternatives to {a}"
                         + (f" for a patient who needs {b}?" if b else "?")),
        ("older_adults", f"Is it different for someone over 65 taking {both}?"),
        ("overdose", f"What are the signs of overdose with {both}, and what should be done?"),
        ("pregnancy", f"Is {a} safe during pregnancy or breastfeeding?"),
        ("dosing", f"What dose adjustments are needed for {both} in kidney or liver disease?"),
    ]
    if b:
        options.insert(2, ("alternatives", f"What are safer alternatives to {b}"
                                           f" for a patient who needs {a}?"))
    asked = set(u.intents) | ({"older_adults"} if "older_adult" in u.populations else set())
    if "lactation" in asked:
        asked.add("pregnancy")      # the pregnancy follow-up also asks about breastfeeding
    out = [q for intent, q in options if intent not in asked]
    return out[:5]
