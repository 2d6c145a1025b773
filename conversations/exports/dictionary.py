"""The data dictionary: every exported file, its columns, their types and allowed values, the
project's own codes (SDTM test codes, FHIR code systems), and the ALSFRS level texts in both
languages. The one source of truth: every format takes its header and codes from here, and
`docs/data-dictionary.md` is rendered from here (`python -m conversations.exports`;
a test checks that the file is up to date).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from conversations.domain.instrument import ITEMS, LEVELS, MAX_TOTAL
from conversations.domain.symptoms import CATALOGUE, Severity
from conversations.exports.common import LANGS, item_name, level_text

__all__ = [
    "AE",
    "DATASETS",
    "FHIR_CODES",
    "QS_TESTS",
    "QS_TOTAL",
    "RATINGS",
    "REDCAP_DICTIONARY",
    "REDCAP_FIELDS",
    "REDCAP_IMPORT",
    "REDCAP_PARTICIPANT_FORM",
    "SDTM_AE",
    "SDTM_DM",
    "SDTM_QS",
    "SDTM_RE",
    "SEVERITY_CODES",
    "Column",
    "Dataset",
    "QsTest",
    "RedcapField",
    "item_key",
    "render",
]


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str
    description: str
    allowed: str = ""


@dataclass(frozen=True, slots=True)
class Dataset:
    file: str
    format: str
    title: str
    about: str
    columns: tuple[Column, ...]

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def item_key(number: int, variant: str | None) -> str:
    """`1`..`10`, with item 5 as `5a` (without gastrostomy) or `5b` (with)."""
    return str(variant) if number == 5 and variant else str(number)


ITEM_KEYS: Final = tuple(item_key(i.number, i.variant) for i in ITEMS)
_SCORE = "0-4 (4 normal)"
_WHEN = "ISO 8601 UTC, milliseconds, `Z`"
_SOURCE = "`patient`, `caregiver`, `clinic`"
_DATE = "ISO 8601 date `YYYY-MM-DD`"
_VISITS = "the study file's visit labels (e.g. `I`, `III`, `VI`-`X`) or `unscheduled`"
_RATING_ID = "the rating: `A` + the assessment's id (self-report) or `V` + the visit's id (clinic)"
_RATING_ID_ALLOWED = "`A<n>`, `V<n>`"
_SUBJECT = Column("subject", "text", "pseudonymous study ID (the only identifier exported)")
_SITE_ALLOWED = "the study file's `[[sites]]` ids (upper case); `MAIN` for a study without sites"
_SITE = Column(
    "site",
    "text",
    "the participant's site (a participant enrolled before sites: the study's default site)",
    _SITE_ALLOWED,
)

RATINGS: Final = Dataset(
    "alsfrs.csv",
    "csv",
    "ALSFRS ratings",
    "One row per submitted rating: self-reports (submitted assessments) and clinic ratings "
    "(saved clinic visits with an ALSFRS rating; a visit that measured only FVC or Norris has "
    "no row).",
    (
        _SUBJECT,
        _SITE,
        Column("rating_id", "text", _RATING_ID, _RATING_ID_ALLOWED),
        Column(
            "submitted_at",
            "datetime",
            "when the rating was submitted (a clinic visit: when it was saved)",
            _WHEN,
        ),
        Column("source", "text", "who rated", _SOURCE),
        Column("visit", "text", "the clinic visit's label; empty for home ratings", _VISITS),
        Column("visit_date", "date", "the clinic visit's date; empty for home ratings", _DATE),
        Column(
            "respondent",
            "text",
            "role of the person who entered it",
            "`patient`, `caregiver`, `staff`, `operator` (command line)",
        ),
        Column(
            "respondent_id",
            "integer",
            "internal id of that person's study link (not a Telegram id); empty for the operator",
        ),
        Column(
            "language",
            "text",
            "language the rating was taken in; empty for clinic ratings",
            "`en`, `cs`",
        ),
        Column("item5_variant", "text", "item 5 as asked", "`5a` without, `5b` with gastrostomy"),
        *(Column(f"item_{n}", "integer", f"ALSFRS item {n} score", _SCORE) for n in range(1, 11)),
        Column("total", "integer", "sum of the ten items", f"0-{MAX_TOTAL}"),
        Column("fvc_percent", "decimal", "FVC, % of predicted (clinic ratings)", "0-300"),
        Column("norris_total", "integer", "Norris scale total (clinic ratings)"),
    ),
)

AE: Final = Dataset(
    "adverse-events.csv",
    "ae",
    "Adverse symptoms",
    "One row per reported symptom. The alerts export belongs to the alerts work "
    "(`alsfrs-bot alerts`); `alert_id` links each row to it.",
    (
        Column("participant", "text", "pseudonymous study ID"),
        _SITE,
        Column("report_id", "integer", "the symptom report (one answer to the symptom question)"),
        Column("reported_at", "datetime", "when the report was submitted", _WHEN),
        Column("respondent", "text", "who reported", "`patient`, `caregiver`"),
        Column(
            "symptom",
            "text",
            "the project's symptom code",
            ", ".join(f"`{s.id}`" for s in CATALOGUE),
        ),
        Column(
            "patient_wording", "text", "the choice as the respondent read it, in their language"
        ),
        Column(
            "protocol_term",
            "text",
            "the protocol's adverse-event term",
            "; ".join(s.protocol_term for s in CATALOGUE),
        ),
        Column("grade", "integer", "severity grade", "1 mild, 2 moderate, 3 severe"),
        Column("urgent", "boolean", "staff were alerted as urgent", "`true`, `false`"),
        Column("free_text", "text", "the description of `other`, as typed (plain text)"),
        Column("alert_id", "integer", "the staff alert it raised"),
        Column("assessment_id", "integer", "the rating it was asked with; empty for /symptoms"),
    ),
)

_STUDYID = Column("STUDYID", "text", "the study file's `[study].id`")
_USUBJID = Column("USUBJID", "text", "STUDYID-subject")

SDTM_DM: Final = Dataset(
    "sdtm-dm.csv",
    "sdtm",
    "SDTM DM (demographics)",
    "One row per exported participant: what the bot holds of the DM domain, the subject and its "
    "site (SITEID, which the SDTMIG places in DM only; the other datasets reach it through "
    "USUBJID). Demographics, reference dates and arms (AGE, SEX, RFSTDTC, ARM, COUNTRY, ...) are "
    "not collected by the bot: they come from the trial's EDC, merged on USUBJID.",
    (
        _STUDYID,
        Column("DOMAIN", "text", "", "`DM`"),
        _USUBJID,
        Column("SUBJID", "text", "the pseudonymous study ID (`subject` of `alsfrs.csv`)"),
        Column(
            "SITEID",
            "text",
            "the participant's site (enrolled before sites: the study's default site)",
            _SITE_ALLOWED,
        ),
    ),
)

SDTM_QS: Final = Dataset(
    "sdtm-qs.csv",
    "sdtm",
    "SDTM QS (questionnaires)",
    "Eleven rows per submitted rating: the ten items and the total. No published CDISC "
    "test codes exist for the original (1996) ALSFRS: the QSTESTCD values below are this "
    "project's own.",
    (
        _STUDYID,
        Column("DOMAIN", "text", "", "`QS`"),
        _USUBJID,
        Column("QSSEQ", "integer", "sequence within the subject"),
        Column(
            "QSSPID",
            "text",
            "sponsor id: the rating (`rating_id` of `alsfrs.csv`)",
            _RATING_ID_ALLOWED,
        ),
        Column("QSCAT", "text", "", "`ALSFRS`"),
        Column("QSTESTCD", "text", "test code (project-defined, see below)"),
        Column("QSTEST", "text", "test name"),
        Column(
            "QSORRES",
            "text",
            "the answer as collected (the English level text; the total as a number)",
        ),
        Column("QSSTRESC", "text", "the score as text"),
        Column("QSSTRESN", "integer", "the score"),
        Column("QSEVAL", "text", "evaluator", "`STUDY SUBJECT`, `CAREGIVER`, `INVESTIGATOR`"),
        Column("VISIT", "text", "the clinic visit's label, or `HOME` for a self-rating"),
        Column(
            "QSDTC",
            "datetime",
            "a self-report: when it was submitted; a clinic rating: the visit's date",
            f"{_WHEN}; {_DATE}",
        ),
    ),
)

SDTM_AE: Final = Dataset(
    "sdtm-ae.csv",
    "sdtm",
    "SDTM AE (adverse events)",
    "One row per reported symptom.",
    (
        _STUDYID,
        Column("DOMAIN", "text", "", "`AE`"),
        _USUBJID,
        Column("AESEQ", "integer", "sequence within the subject"),
        Column("AESPID", "text", "sponsor id: `R` + report id + `-` + symptom code"),
        Column(
            "AETERM",
            "text",
            "as reported: the respondent's wording, or their own words for `other`",
        ),
        Column("AEDECOD", "text", "the protocol term"),
        Column("AESEV", "text", "severity", "`MILD`, `MODERATE`, `SEVERE`"),
        Column("AEDTC", "datetime", "when it was reported", _WHEN),
    ),
)

SDTM_RE: Final = Dataset(
    "sdtm-re.csv",
    "sdtm",
    "SDTM RE (respiratory: FVC)",
    "One row per clinic rating with an FVC measurement (an RE-style dataset; the project's own "
    "test code).",
    (
        _STUDYID,
        Column("DOMAIN", "text", "", "`RE`"),
        _USUBJID,
        Column("RESEQ", "integer", "sequence within the subject"),
        Column("RESPID", "text", "sponsor id: the clinic rating (`V` + the visit's id)"),
        Column("RETESTCD", "text", "", "`FVCPP`"),
        Column("RETEST", "text", "", "`FVC Percent Predicted`"),
        Column("REORRES", "text", "as measured"),
        Column("REORRESU", "text", "", "`%`"),
        Column("RESTRESN", "decimal", "as a number"),
        Column("RESTRESU", "text", "", "`%`"),
        Column("VISIT", "text", "the clinic visit's label"),
        Column("REDTC", "date", "the visit's date", _DATE),
    ),
)

SEVERITY_CODES: Final = {
    Severity.MILD: "MILD",
    Severity.MODERATE: "MODERATE",
    Severity.SEVERE: "SEVERE",
}


@dataclass(frozen=True, slots=True)
class QsTest:
    code: str
    name: str
    number: int | None
    variant: str | None


QS_TESTS: Final = tuple(
    QsTest(
        f"ALSF{item_key(i.number, i.variant).upper():0>2}",
        f"ALSFRS {item_key(i.number, i.variant)}-{item_name(i.number, i.variant)}"[:40],
        i.number,
        None if i.variant is None else i.variant.value,
    )
    for i in ITEMS
)
QS_TOTAL: Final = QsTest("ALSFTOT", "ALSFRS Total Score", None, None)


REDCAP_FORM: Final = "alsfrs"
REDCAP_PARTICIPANT_FORM: Final = "participant"


@dataclass(frozen=True, slots=True)
class RedcapField:
    name: str
    type: str
    label: str
    choices: str = ""
    validation: str = ""
    minimum: str = ""
    maximum: str = ""
    branching: str = ""
    form: str = REDCAP_FORM


def _choices(number: int, variant: str | None) -> str:
    return " | ".join(f"{score}, {level_text(number, variant, score)}" for score in LEVELS)


def _redcap_item(number: int, variant: str | None) -> RedcapField:
    key = item_key(number, variant)
    return RedcapField(
        f"alsfrs_q{key}",
        "radio",
        f"{key}. {item_name(number, variant)}",
        _choices(number, variant),
        branching="" if variant is None else f"[alsfrs_item5_variant] = '{variant}'",
    )


_CLINIC = "[alsfrs_source] = 'clinic'"
# The participant's own form (not repeating) comes first: REDCap's record id is the first field
# of the first form, and the site belongs to the record, not to each rating.
REDCAP_FIELDS: Final = (
    RedcapField("record_id", "text", "Study ID", form=REDCAP_PARTICIPANT_FORM),
    RedcapField("site", "text", "Site", form=REDCAP_PARTICIPANT_FORM),
    RedcapField("alsfrs_rating_id", "text", "Rating (A: self-report, V: clinic visit)"),
    RedcapField("alsfrs_date", "text", "Submitted at (UTC)", validation="datetime_seconds_ymd"),
    RedcapField(
        "alsfrs_source",
        "radio",
        "Rated by",
        "patient, Patient | caregiver, Caregiver | clinic, Clinic",
    ),
    RedcapField("alsfrs_visit", "text", "Clinic visit", branching=_CLINIC),
    RedcapField(
        "alsfrs_visit_date", "text", "Clinic visit date", validation="date_ymd", branching=_CLINIC
    ),
    RedcapField(
        "alsfrs_language",
        "radio",
        "Language",
        "en, English | cs, Czech",
        branching="[alsfrs_source] <> 'clinic'",
    ),
    RedcapField(
        "alsfrs_item5_variant",
        "radio",
        "Item 5 variant",
        "5a, Without gastrostomy | 5b, With gastrostomy",
    ),
    *(_redcap_item(i.number, None if i.variant is None else i.variant.value) for i in ITEMS),
    RedcapField(
        "alsfrs_total",
        "text",
        "ALSFRS total",
        validation="integer",
        minimum="0",
        maximum=str(MAX_TOTAL),
    ),
    RedcapField(
        "alsfrs_fvc_percent",
        "text",
        "FVC (% predicted)",
        validation="number",
        minimum="0",
        maximum="300",
        branching=_CLINIC,
    ),
    RedcapField(
        "alsfrs_norris_total",
        "text",
        "Norris total",
        validation="integer",
        minimum="0",
        branching=_CLINIC,
    ),
)


def _import_column(f: RedcapField) -> Column:
    """A REDCap field as a column of the import file."""
    numeric = f.type == "radio" and f.name.startswith("alsfrs_q")
    allowed = _SITE_ALLOWED if f.name == "site" else f.choices.replace(" | ", "; ")
    return Column(f.name, "integer" if numeric else "text", f.label, allowed)


REDCAP_DICTIONARY: Final = Dataset(
    "redcap-dictionary.csv",
    "redcap",
    "REDCap data dictionary",
    f"Two instruments, ready for REDCap's Data Dictionary upload: `{REDCAP_PARTICIPANT_FORM}` "
    f"(the record: study ID and site) and `{REDCAP_FORM}` (the ratings); declare `{REDCAP_FORM}` "
    "repeating in the project settings. Columns are REDCap's own.",
    tuple(
        Column(name, "text", "REDCap data dictionary column")
        for name in (
            "Variable / Field Name",
            "Form Name",
            "Section Header",
            "Field Type",
            "Field Label",
            "Choices, Calculations, OR Slider Labels",
            "Field Note",
            "Text Validation Type OR Show Slider Number",
            "Text Validation Min",
            "Text Validation Max",
            "Identifier?",
            "Branching Logic (Show field only if...)",
            "Required Field?",
            "Custom Alignment",
            "Question Number (surveys only)",
            "Matrix Group Name",
            "Matrix Ranking?",
            "Field Annotation",
        )
    ),
)

REDCAP_IMPORT: Final = Dataset(
    "redcap-import.csv",
    "redcap",
    "REDCap import",
    f"For REDCap's Data Import Tool, in REDCap's own layout: per record one row of the "
    f"`{REDCAP_PARTICIPANT_FORM}` form (empty `redcap_repeat_instrument` and "
    "`redcap_repeat_instance`; its `site`), then one row per submitted rating as repeating "
    f"instances of `{REDCAP_FORM}` (instances numbered per record in time order; `site` empty).",
    (
        Column("record_id", "text", "pseudonymous study ID"),
        Column(
            "redcap_repeat_instrument",
            "text",
            "empty for the participant's row",
            f"`{REDCAP_FORM}`",
        ),
        Column("redcap_repeat_instance", "integer", "1, 2, ... per record; empty as above"),
        *(_import_column(f) for f in REDCAP_FIELDS[1:] if f.form == REDCAP_PARTICIPANT_FORM),
        Column(
            f"{REDCAP_PARTICIPANT_FORM}_complete", "integer", "REDCap form status", "`2` complete"
        ),
        *(_import_column(f) for f in REDCAP_FIELDS if f.form == REDCAP_FORM),
        Column(f"{REDCAP_FORM}_complete", "integer", "REDCap form status", "`2` complete"),
    ),
)

DATASETS: Final = (
    RATINGS,
    AE,
    SDTM_DM,
    SDTM_QS,
    SDTM_AE,
    SDTM_RE,
    REDCAP_DICTIONARY,
    REDCAP_IMPORT,
)

# FHIR: the project's own code systems (LOINC codes only the ALSFRS-R, not the 1996 ALSFRS).
FHIR_BASE: Final = "https://alsfrs-bot.example.org/fhir"
FHIR_CODES: Final = {
    "questionnaire": f"{FHIR_BASE}/Questionnaire/alsfrs-1996",
    "items": f"{FHIR_BASE}/CodeSystem/alsfrs-items",
    "answers": f"{FHIR_BASE}/CodeSystem/alsfrs-levels",
    "measures": f"{FHIR_BASE}/CodeSystem/alsfrs-measures",
    "symptoms": f"{FHIR_BASE}/CodeSystem/symptoms",
    "subject": f"{FHIR_BASE}/NamingSystem/study-subject",
    "site": f"{FHIR_BASE}/NamingSystem/study-site",
    "study": "https://clinicaltrials.gov",
    "severity": "http://terminology.hl7.org/CodeSystem/adverse-event-severity",
    "ordinal": "http://hl7.org/fhir/StructureDefinition/ordinalValue",
    "translation": "http://hl7.org/fhir/StructureDefinition/translation",
}
FHIR_MEASURES: Final = {
    "total": "ALSFRS total score (0-40)",
    "fvc-percent": "FVC, % of predicted",
    "norris-total": "Norris scale total",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render() -> str:
    """docs/data-dictionary.md."""
    out = [
        "# Data dictionary",
        "",
        "Generated by `python -m conversations.exports > docs/data-dictionary.md` from "
        "`conversations/exports/dictionary.py`; do not edit by hand (a test checks it).",
        "",
        "`alsfrs-bot export --format csv|fhir|sdtm|redcap|ae [--output PATH] [--subject S] "
        "[--site SITE]`, or `--all DIR` for every file plus `manifest.json` (counts per table, the "
        "database's last audit id, a sha256 per file). `--site` exports only that site's "
        "participants and everything about them. Nothing personal beyond the pseudonymous study "
        "ID and the participant's site is exported: no Telegram ids, no names.",
        "",
    ]
    for dataset in DATASETS:
        out += [
            f"## `{dataset.file}`: {dataset.title} (`--format {dataset.format}`)",
            "",
            dataset.about,
            "",
            "| column | type | meaning | allowed values |",
            "|---|---|---|---|",
        ]
        out += [
            f"| `{_cell(c.name)}` | {c.type} | {_cell(c.description)} | {_cell(c.allowed)} |"
            for c in dataset.columns
        ]
        out.append("")
    out += ["## SDTM QS test codes (project-defined)", "", "| QSTESTCD | QSTEST |", "|---|---|"]
    out += [f"| `{t.code}` | {t.name} |" for t in (*QS_TESTS, QS_TOTAL)]
    out += ["", "## REDCap fields", "", "| field | type | label | choices | branching |"]
    out.append("|---|---|---|---|---|")
    out += [
        f"| `{f.name}` | {f.type}{' ' + f.validation if f.validation else ''} | {_cell(f.label)}"
        f" | {_cell(f.choices)} | {_cell(f.branching)} |"
        for f in REDCAP_FIELDS
    ]
    out += [
        "",
        "## FHIR R4 (`--format fhir`, `alsfrs-r4-bundle.json`)",
        "",
        "One `Bundle` (type `collection`) built and validated with `fhir.resources` (R4B models): "
        "the `Questionnaire` of the 1996 ALSFRS (items 1-10, item 5 as `5a`/`5b`, answer options "
        "with ordinal values and English and Czech texts); per site of the exported participants "
        "an `Organization` (`org-<site id>`, `_` written `.`; identifier: the site's id in the "
        "`site` system below; name: the study file's site name); per participant a `Patient` "
        "(identifier: the study ID only; `managingOrganization`: its site's Organization) and a "
        "`ResearchSubject` (status `on-study` or `withdrawn`); a `RelatedPerson` per caregiver; "
        "one `QuestionnaireResponse` per rating "
        "(`author` and `source`: the Patient, the RelatedPerson, or a `Practitioner` for a "
        "clinic rating, `pr-<link>` or `pr-operator` for the command line; identifier: the "
        "`rating_id`); per clinic rating an `Encounter` (the visit: its label as `type.text`, its "
        "date as `period.start`) that the response and its observations name; `Observation`s "
        "for the total, FVC % and the Norris total where present (a clinic rating's "
        "`effectiveDateTime` is the visit's date). A self-report's resources are keyed by its "
        "assessment id (`qr-12`), a clinic rating's by `v` + the visit id (`qr-v3`); "
        "one `AdverseEvent` per reported symptom (event: symptom code with the protocol term, "
        "text as reported; severity from HL7's adverse-event-severity). LOINC names only the "
        "ALSFRS-R, so every code below is the project's own.",
        "",
        "| what | system |",
        "|---|---|",
    ]
    out += [f"| {name} | `{uri}` |" for name, uri in FHIR_CODES.items()]
    out += ["", "| measure code | meaning |", "|---|---|"]
    out += [f"| `{code}` | {meaning} |" for code, meaning in FHIR_MEASURES.items()]
    out += ["", "## Symptom codes", "", "| code | protocol term |", "|---|---|"]
    out += [f"| `{s.id}` | {s.protocol_term} |" for s in CATALOGUE]
    out += ["", "## ALSFRS item levels (en / cs)", ""]
    for i in ITEMS:
        variant = None if i.variant is None else i.variant.value
        key = item_key(i.number, variant)
        names = " / ".join(item_name(i.number, variant, lang) for lang in LANGS)
        out += [f"### Item {key}: {names}", "", "| score | en | cs |", "|---|---|---|"]
        out += [
            f"| {s} | {_cell(level_text(i.number, variant, s, 'en'))} | "
            f"{_cell(level_text(i.number, variant, s, 'cs'))} |"
            for s in LEVELS
        ]
        out.append("")
    return "\n".join(out)
