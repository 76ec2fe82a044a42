"""Drug and class recognition, as a user would phrase names."""

from __future__ import annotations

import pytest

from curbside.answer.engine import lexicon_for
from curbside.knowledge.lexicon import Lexicon, generic_from_label_name


@pytest.fixture(scope="module")
def lex(pack_store) -> Lexicon:  # type: ignore[no-untyped-def]
    return lexicon_for(pack_store)


def names(lex: Lexicon, text: str) -> list[str]:
    return [d.name for d in lex.recognise(text).drugs]


@pytest.mark.parametrize(("text", "expected"), [
    ("Is Klonopin safe?", ["clonazepam"]),
    ("I take Norco", ["hydrocodone", "acetaminophen"]),
    ("Bactrim and warfarin", ["sulfamethoxazole and trimethoprim", "warfarin"]),
    ("started on Suboxone", ["buprenorphine", "naloxone"]),
    ("Xanax with Percocet?", ["alprazolam", "oxycodone", "acetaminophen"]),
    ("Percocet?", ["oxycodone", "acetaminophen"]),
    ("potassium chloride with spironolactone", ["potassium chloride", "spironolactone"]),
    ("a fentanyl patch", ["fentanyl"]),
    ("OXYCODONE HYDROCHLORIDE tablets", ["oxycodone"]),
])
def test_names_brands_combinations_and_forms(lex: Lexicon, text: str, expected: list[str]) -> None:
    assert names(lex, text) == expected


def test_a_small_misspelling_of_a_long_name_is_matched(lex: Lexicon) -> None:
    assert names(lex, "is clonazapam addictive") == ["clonazepam"]
    assert names(lex, "sertaline and tramadol") == ["sertraline", "tramadol"]


def test_unknown_words_are_reported_never_guessed(lex: Lexicon) -> None:
    rec = lex.recognise("Is blarvotene safe with zorblatamine?")
    assert rec.drugs == []
    assert rec.unrecognised == ["blarvotene", "zorblatamine"]


def test_ordinary_words_are_not_drugs(lex: Lexicon) -> None:
    rec = lex.recognise("What medicine should I examine before the routine visit online?")
    assert rec.drugs == [] and rec.unrecognised == []


@pytest.mark.parametrize(("text", "cls"), [
    ("opioid medication", "opioid"), ("benzos", "benzodiazepine"),
    ("blood thinners", "anticoagulant"), ("SSRIs", "ssri"), ("NSAIDs", "nsaid"),
    ("MAOIs", "maoi"),
])
def test_classes_named_without_a_drug(lex: Lexicon, text: str, cls: str) -> None:
    rec = lex.recognise(f"Can I take {text} together with alcohol?")
    assert cls in rec.classes


def test_each_drug_carries_its_classes_and_their_parents(lex: Lexicon) -> None:
    (clonazepam,) = lex.recognise("clonazepam").drugs
    assert {"benzodiazepine", "cns_depressant"} <= set(clonazepam.classes)


def test_label_generic_names_lose_salts_and_split_combinations() -> None:
    known = {"potassium chloride"}
    assert generic_from_label_name("WARFARIN SODIUM", known) == ["warfarin"]
    assert generic_from_label_name("LISINOPRIL AND HYDROCHLOROTHIAZIDE TABLETS", known) == [
        "lisinopril", "hydrochlorothiazide"]
    assert generic_from_label_name("Potassium Chloride", known) == ["potassium chloride"]


def test_the_broad_dictionary_recognises_drugs_the_pack_lacks(lex: Lexicon) -> None:
    rec = lex.recognise("how long before a meal should lansoprazole be taken")
    assert [d.name for d in rec.drugs] == ["lansoprazole"]
    assert rec.drugs[0].classes == []          # known as a name only: no guessed classes


def test_an_exact_dictionary_name_beats_a_near_curated_one(lex: Lexicon) -> None:
    assert names(lex, "prednisolone eye drops") == ["prednisolone"]


@pytest.mark.parametrize(("text", "expected"), [
    ("what is the dose for vit b12 tablet", ["vitamin b12"]),
    ("how much b-12 is needed in an adult", ["vitamin b12"]),
    ("vitamin b12 1000 geltabs or vitamin b12 shots", ["vitamin b12"]),
    ("what is magnesium chelated good for", ["magnesium"]),
    ("magnesium 400mg at night", ["magnesium"]),
    ("what are iron injections", ["iron"]),
    ("testosterone over the counter?", ["testosterone"]),
    ("are tobacco and nicotine products addictive?", ["nicotine"]),
    ("senna tablets what dose", ["senna"]),
    ("how do they inject cortisone into the knee", ["cortisone"]),
    ("what is the medication thera tab used to treat", ["multivitamin"]),
    ("is maalox safe with lisinopril",
     ["aluminum hydroxide", "magnesium hydroxide", "simethicone", "lisinopril"]),
])
def test_supplements_hormones_and_otc_products_are_recognised(
        lex: Lexicon, text: str, expected: list[str]) -> None:
    assert names(lex, text) == expected


@pytest.mark.parametrize("text", ["high magnesium on omeprazole", "low magnesium",
                                  "iron deficiency", "my b12 level is low",
                                  "testosterone levels in men", "vitamin b12 of 150"])
def test_a_product_named_as_a_lab_value_or_condition_is_no_drug(lex: Lexicon, text: str) -> None:
    assert not {"magnesium", "iron", "vitamin b12", "testosterone"} & set(names(lex, text))


def test_a_name_split_in_two_is_joined(lex: Lexicon) -> None:
    rec = lex.recognise("why did my doctor give me level iracetam")
    assert [(d.name, d.matched) for d in rec.drugs] == [("levetiracetam", "level iracetam")]
    # A whole name split in two beats a misspelling of its first half ("sertra" ~ Septra).
    assert names(lex, "can i take sertra line with ibuprofen") == ["sertraline", "ibuprofen"]


def test_an_english_word_with_an_ending_is_no_misspelt_drug(lex: Lexicon) -> None:
    # "coding" is "code" + "ing", one letter from the curated misspelling "codine".
    assert names(lex, "does coding at night with tramadol keep me awake") == ["tramadol"]


@pytest.mark.parametrize("text", ["are pain killer pills safe", "i read it on line",
                                  "what is a cat scan", "is it a side effect"])
def test_two_ordinary_words_are_never_joined_into_a_drug(lex: Lexicon, text: str) -> None:
    assert names(lex, text) == []


def test_users_words_for_diabetes_medicines_name_the_class(lex: Lexicon) -> None:
    assert "antidiabetic" in lex.recognise("is my diabetes medicine safe with alcohol").classes


def test_blood_pressure_medicine_names_the_antihypertensive_classes(lex: Lexicon) -> None:
    rec = lex.recognise("what is the side effect of bp medicine on brain?")
    assert rec.classes == ["antihypertensive"]
    members = lex.members_of("antihypertensive")
    assert {"lisinopril", "losartan", "amlodipine", "hydrochlorothiazide", "metoprolol"} \
        <= set(members)
    # A beta blocker given for arrhythmias only is not what "blood pressure medicine" means.
    assert "sotalol" not in members and "sotalol" in lex.members_of("beta_blocker")
