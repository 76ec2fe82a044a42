"""The label section vocabulary shared by the openFDA and SPL readers.

One table, as data: each row is an openFDA drug/label section field name, the title we
display for it, the LOINC section code SPL uses for it (or None), and whether it is clinical
text. The field names follow the openFDA schema (`druglabel_schema.json`, every
array-of-string field that is not a `*_table` variant or an id); the LOINC codes follow
openFDA's own mapping (https://github.com/FDA/openfda, `openfda/spl/data/sections.csv`).
Non-clinical fields (package label, SPL indexing and product data) are kept but flagged, so
a search may rank them low without losing them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SectionInfo:
    """One label section: openFDA field name, display title, SPL LOINC code, clinical flag."""

    field: str
    title: str
    loinc: str | None = None
    clinical: bool = True


# (field, display title, LOINC code, clinical?)
_TABLE: tuple[tuple[str, str, str | None, bool], ...] = (
    # Prescription label (PLR and older formats)
    ("boxed_warning", "Boxed Warning", "34066-1", True),
    ("recent_major_changes", "Recent Major Changes", "43683-2", True),
    ("indications_and_usage", "Indications and Usage", "34067-9", True),
    ("dosage_and_administration", "Dosage and Administration", "34068-7", True),
    ("dosage_forms_and_strengths", "Dosage Forms and Strengths", "43678-2", True),
    ("contraindications", "Contraindications", "34070-3", True),
    ("warnings_and_cautions", "Warnings and Precautions", "43685-7", True),
    ("warnings", "Warnings", "34071-1", True),
    ("precautions", "Precautions", "42232-9", True),
    ("general_precautions", "General Precautions", "34072-9", True),
    ("drug_interactions", "Drug Interactions", "34073-7", True),
    ("drug_and_or_laboratory_test_interactions", "Drug/Laboratory Test Interactions",
     "34074-5", True),
    ("laboratory_tests", "Laboratory Tests", "34075-2", True),
    ("adverse_reactions", "Adverse Reactions", "34084-4", True),
    ("use_in_specific_populations", "Use in Specific Populations", "43684-0", True),
    ("pregnancy", "Pregnancy", "42228-7", True),
    ("teratogenic_effects", "Teratogenic Effects", "34077-8", True),
    ("nonteratogenic_effects", "Nonteratogenic Effects", "34078-6", True),
    ("labor_and_delivery", "Labor and Delivery", "34079-4", True),
    ("nursing_mothers", "Nursing Mothers", "34080-2", True),
    ("pregnancy_or_breast_feeding", "Pregnancy or Breast-Feeding", "53414-9", True),
    ("pediatric_use", "Pediatric Use", "34081-0", True),
    ("geriatric_use", "Geriatric Use", "34082-8", True),
    ("drug_abuse_and_dependence", "Drug Abuse and Dependence", "42227-9", True),
    ("controlled_substance", "Controlled Substance", "34085-1", True),
    ("abuse", "Abuse", "34086-9", True),
    ("dependence", "Dependence", "34087-7", True),
    ("overdosage", "Overdosage", "34088-5", True),
    ("description", "Description", "34089-3", True),
    ("clinical_pharmacology", "Clinical Pharmacology", "34090-1", True),
    ("mechanism_of_action", "Mechanism of Action", "43679-0", True),
    ("pharmacodynamics", "Pharmacodynamics", "43681-6", True),
    ("pharmacokinetics", "Pharmacokinetics", "43682-4", True),
    ("pharmacogenomics", "Pharmacogenomics", "66106-6", True),
    ("microbiology", "Microbiology", "49489-8", True),
    ("nonclinical_toxicology", "Nonclinical Toxicology", "43680-8", True),
    ("carcinogenesis_and_mutagenesis_and_impairment_of_fertility",
     "Carcinogenesis, Mutagenesis, Impairment of Fertility", "34083-6", True),
    ("animal_pharmacology_and_or_toxicology", "Animal Pharmacology and/or Toxicology",
     "34091-9", True),
    ("clinical_studies", "Clinical Studies", "34092-7", True),
    ("references", "References", "34093-5", True),
    ("how_supplied", "How Supplied", "34069-5", True),
    ("storage_and_handling", "Storage and Handling", "44425-7", True),
    ("information_for_patients", "Patient Counseling Information", "34076-0", True),
    ("spl_medguide", "Medication Guide", "42231-1", True),
    ("spl_patient_package_insert", "Patient Package Insert", "42230-3", True),
    ("patient_medication_information", "Patient Medication Information", "68498-5", True),
    ("instructions_for_use", "Instructions for Use", "59845-8", True),
    ("health_care_provider_letter", "Health Care Provider Letter", "71744-7", True),
    ("spl_unclassified_section", "Other Label Text", "42229-5", True),
    # OTC "Drug Facts" labels
    ("active_ingredient", "Active Ingredient", "55106-9", True),
    ("purpose", "Purpose", "55105-1", True),
    ("do_not_use", "Do Not Use", "50570-1", True),
    ("ask_doctor", "Ask a Doctor Before Use", "50569-3", True),
    ("ask_doctor_or_pharmacist", "Ask a Doctor or Pharmacist Before Use", "50568-5", True),
    ("when_using", "When Using This Product", "50567-7", True),
    ("stop_use", "Stop Use and Ask a Doctor", "50566-9", True),
    ("keep_out_of_reach_of_children", "Keep Out of Reach of Children", "50565-1", True),
    ("questions", "Questions", "53413-1", True),
    ("other_safety_information", "Other Safety Information", "60561-8", True),
    ("inactive_ingredient", "Inactive Ingredients", "51727-6", False),
    ("statement_of_identity", "Statement of Identity", "69718-5", False),
    ("health_claim", "Health Claim", "69719-3", False),
    # Devices, animal products
    ("accessories", "Accessories", "60555-0", False),
    ("alarms", "Alarms", "69761-5", False),
    ("assembly_or_installation_instructions", "Assembly or Installation Instructions",
     "60556-8", False),
    ("calibration_instructions", "Calibration Instructions", "60557-6", False),
    ("cleaning", "Cleaning, Disinfecting, and Sterilization", "60558-4", False),
    ("compatible_accessories", "Compatible Accessories", "69760-7", False),
    ("components", "Components", "60559-2", False),
    ("diagram_of_device", "Diagram of Device", "69758-1", False),
    ("disposal_and_waste_handling", "Disposal and Waste Handling", "69763-1", False),
    ("intended_use_of_the_device", "Intended Use of the Device", "60560-0", False),
    ("troubleshooting", "Troubleshooting", "69762-3", False),
    ("risks", "Risks", "69759-9", True),
    ("summary_of_safety_and_effectiveness", "Summary of Safety and Effectiveness",
     "60563-4", False),
    ("route", "Route, Method and Frequency of Administration", "60562-6", False),
    ("environmental_warning", "Environmental Warning", "50742-6", False),
    ("food_safety_warning", "Food Safety Warning", "50743-4", False),
    ("guaranteed_analysis_of_feed", "Guaranteed Analysis of Feed", "50740-0", False),
    ("information_for_owners_or_caregivers", "Information for Owners/Caregivers",
     "50744-2", False),
    ("residue_warning", "Residue Warning", "53412-3", False),
    ("safe_handling_warning", "Safe Handling Warning", "50741-8", False),
    ("user_safety_warnings", "User Safety Warnings", "54433-8", False),
    ("veterinary_indications", "Veterinary Indications", "50745-9", False),
    # Packaging and SPL bookkeeping
    ("package_label_principal_display_panel", "Package Label", "51945-4", False),
    ("spl_indexing_data_elements", "SPL Indexing Data Elements", "48779-3", False),
    ("spl_product_data_elements", "SPL Product Data Elements", "48780-1", False),
)

SECTIONS: dict[str, SectionInfo] = {
    row[0]: SectionInfo(field=row[0], title=row[1], loinc=row[2], clinical=row[3])
    for row in _TABLE
}
LOINC_TO_FIELD: dict[str, str] = {
    info.loinc: info.field for info in SECTIONS.values() if info.loinc
}

BOXED_WARNING = "boxed_warning"
UNCLASSIFIED = "spl_unclassified_section"
# SPL bookkeeping sections whose text is never a passage.
SKIPPED_FIELDS: frozenset[str] = frozenset({"spl_indexing_data_elements",
                                            "spl_product_data_elements"})


def title_for(field_name: str) -> str:
    """The display title of a section field ("boxed_warning" -> "Boxed Warning")."""
    info = SECTIONS.get(field_name)
    if info is not None:
        return info.title
    return field_name.replace("_", " ").strip().title()


def field_for_loinc(code: str | None) -> str | None:
    """The openFDA field name for an SPL section LOINC code, or None when unknown."""
    return LOINC_TO_FIELD.get(code or "")


def is_section_field(name: str) -> bool:
    """True for an openFDA field that holds section text (including `*_table` variants)."""
    base = name[: -len("_table")] if name.endswith("_table") else name
    return base in SECTIONS
