"""Triage on its own: normalisation, each emergency type's first step, near-misses, the data."""

from __future__ import annotations

import copy

import pytest
import yaml

from curbside.answer import triage_data
from curbside.answer.triage import assess, normalise
from curbside.errors import PackError


@pytest.mark.parametrize(("raw", "same_as"), [
    ("He can’t wake up", "he cant wake up"),
    ("HE CANNOT WAKE UP", "he can't wake up"),
    ("he wont wake uppp", "he won't wake up"),
    ("took forty of them", "took 40 of them"),
    ("took twenty-five pills", "took 25 pills"),
    ("took a dozen", "took 12"),
    ("she is bleeeding", "she is bleeding"),
    ("siezure", "seizure"),
    ("im on xeralto", "I'm on Xarelto"),
    ("“not breathing”", "not breathing"),
    ("i think she od'd", "i think she overdosed"),
    ("my 4yo", "my 4 year old"),
    ("he caaant wake up, pleeeease", "he can't wake up, please"),
])
def test_normalisation_makes_spellings_meet(raw: str, same_as: str) -> None:
    assert normalise(raw) == normalise(same_as)


def test_folding_does_not_invent_words() -> None:
    # "by" must not become the texting "bby" (baby), nor "odd" the misspelling "od".
    assert normalise("took it twice by accident") == "tok it twice by acident"
    assert "overdose" not in normalise("I have an odd rash")


@pytest.mark.parametrize(("question", "emergency"), [
    ("I took 10 mg of melatonin, is that too much?", False),      # a dose, not a count
    ("I've taken lexapro for 10 years, is it safe?", False),      # a time, not a count
    ("I took 10 of my melatonin and I can't stay awake", True),  # a count
])
def test_a_number_with_a_unit_is_not_a_pill_count(question: str, emergency: bool) -> None:
    assert assess(question, "patient").emergency is emergency


def test_numbers_stay_numbers() -> None:
    # "rr" and "took" fold ("r", "tok"), as the vocabulary does; digits keep theirs.
    assert normalise("temp 39.4, rr 6, took 100") == "temp 39.4 r 6 tok 100"


# One question per emergency type, as people write it, with what its first step must say.
EMERGENCIES = [
    ("my roomate took a bunch of percs and wont wake up", "patient", "overdose",
     ["911", "1-800-222-1222", "naloxone"]),
    ("I think my dad took like fifty of his sleeping pills", "patient", "overdose",
     ["911", "1-800-222-1222"]),
    ("my 18 month old got into my purse and chewed one of my metoprolol", "patient",
     "child_exposure", ["1-800-222-1222", "911"]),
    ("i dont want to wake up tomorrow, i have my oxys here", "patient", "suicidal",
     ["988", "911"]),
    ("Patient states she wants to end her life and has been saving her pills", "clinician",
     "suicidal", ["988", "911"]),
    ("started cipro today and my tongue is swelling and its hard to breathe", "patient",
     "anaphylaxis", ["911", "epinephrine"]),
    ("on warfarin and throwing up what looks like coffee grounds", "patient", "bleeding",
     ["911"]),
    ("pt on escitalopram + linezolid, ankle clonus, T 39.1, agitated", "clinician",
     "toxidrome", ["serotonin", "911|rapid response", "stop"]),
    ("haloperidol started 2 days ago, now temp 40, lead pipe rigidity, confused", "nurse",
     "toxidrome", ["neuroleptic malignant", "stop"]),
    ("patient on morphine pinpoint pupils RR 7 hard to rouse", "nurse", "toxidrome",
     ["naloxone", "rapid response|911"]),
    ("my mom started tramadol and just had a seizure", "patient", "acute_event", ["911"]),
    ("an hour after the new pill his face is drooping and speech is slurred", "patient",
     "acute_event", ["911"]),
]


@pytest.mark.parametrize(("question", "audience", "kind", "must"), EMERGENCIES)
def test_each_emergency_type_gets_its_own_first_step(question: str, audience: str, kind: str,
                                                     must: list[str]) -> None:
    t = assess(question, audience)
    assert t.alert is not None, question
    assert t.alert["kind"] == "emergency" and kind in t.types
    text = t.alert["text"].lower()
    for word in must:
        assert any(w in text for w in word.lower().split("|")), (word, text)


def test_patient_and_clinician_wordings_differ() -> None:
    q = "my brother took 30 of his seroquel and is not breathing"
    patient, clinician = assess(q, "patient").alert, assess(q, "clinician").alert
    assert patient and clinician and patient["type"] == clinician["type"] == "overdose"
    assert patient["text"] != clinician["text"]
    assert "911" in patient["text"] and "911" in clinician["text"]


def test_suicide_with_pills_taken_gives_988_and_911() -> None:
    t = assess("took 30 of my zoloft an hour ago because i want to die", "patient")
    assert t.alert and t.types[0] == "suicidal"
    assert "988" in t.alert["text"] and "911" in t.alert["text"]
    assert "1-800-222-1222" in t.alert["text"]        # the overdose step follows


@pytest.mark.parametrize("question", [
    "what are the signs of an opioid overdose?",
    "what is naloxone and how is it used?",
    "can I take two tylenol for a headache?",
    "how much melatonin is too much?",
    "my son takes metoprolol, is it safe with his inhaler?",
    "Can tramadol cause seizures?",
    "can zoloft make teenagers suicidal?",
    "is it safe to take ibuprofen if I had a bleeding ulcer last year?",
    "What does serotonin syndrome feel like?",
    "how do I store my fentanyl patches so my kids cant get to them",
])
def test_questions_about_emergencies_get_no_emergency_alert(question: str) -> None:
    t = assess(question, "patient")
    assert t.alert is None, (question, t.steps, t.signals)
    assert all(a["kind"] == "safety" for a in t.alerts())


def test_a_calm_note_names_the_line_for_its_topic() -> None:
    note = assess("what is naloxone?", "patient").alerts()
    assert note and note[0]["kind"] == "safety" and "1-800-222-1222" in note[0]["text"]


def _raw() -> dict:  # type: ignore[type-arg]
    with open(triage_data.DATA_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)  # type: ignore[no-any-return]


def test_the_shipped_file_validates_and_every_line_and_step_has_a_source() -> None:
    voc = triage_data.build(_raw())
    assert {"911", "1-800-222-1222", "988"} == {ln.number for ln in voc.data.lines.values()}
    assert all(ln.sources for ln in voc.data.lines.values())
    assert all(s.sources and all(x.url.startswith("http") for x in s.sources)
               for s in voc.data.steps.values())
    assert {s.type for s in voc.data.steps.values()} == set(triage_data.TYPES)


def test_every_shipped_pattern_compiles() -> None:
    # Regular expressions are compiled lazily at run time; here, all of them.
    voc = triage_data.build(_raw())
    assert all(p.regex.pattern for pats in voc.signals.values() for p in pats)


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d["rules"].append({"step": "overdose", "all": ["no_such_signal"]}),
     "unknown signal"),
    (lambda d: d["signals"]["blue"].append("@nowhere lips"), "unknown group"),
    (lambda d: d["steps"]["overdose"].update(patient="Call your doctor tomorrow about it."),
     "does not say 911"),
    (lambda d: d["steps"]["bleeding"].update(sources=[]), "sources"),
    (lambda d: d["priority"].pop(), "priority"),
    (lambda d: d["signals"]["blue"].append("(lips (are|is) blue)"), "do not nest"),
])
def test_a_broken_file_is_refused_with_the_reason(edit, message: str) -> None:  # type: ignore[no-untyped-def]
    raw = copy.deepcopy(_raw())
    edit(raw)
    with pytest.raises(PackError, match=message):
        triage_data.build(raw)
