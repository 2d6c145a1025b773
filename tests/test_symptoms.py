"""Adverse symptoms: the catalogue against the reference, triage, validation, locale keys."""

from __future__ import annotations

import tomllib

import pytest
from pydantic import ValidationError

from conversations.domain.symptoms import (
    CATALOGUE,
    NONE_KEY,
    OTHER,
    SEVERITY_QUESTION_KEY,
    SYMPTOMS,
    InvalidReport,
    Report,
    Severity,
    Symptom,
    SymptomSettings,
    Triage,
    Urgency,
    is_urgent,
    question_key,
    symptom,
    triage,
    validate,
)
from locales import LANGUAGES, Language, message_ids, translator

R, U, S = Urgency.ROUTINE, Urgency.URGENT, Urgency.URGENT_WHEN_SEVERE

# The table in shared/reference/alsfrs.md, in its order: id, protocol term, default urgency.
REFERENCE = [
    ("headache", "headache", S),
    ("injection_site", "injection-site complication", S),
    ("meningism", "meningism", U),
    ("leg_weakness", "paraplegia (new neurological deficit)", U),
    ("bladder", "urinary incontinence (new neurological deficit)", U),
    ("breathing", "respiratory failure", U),
    ("fever", "infection (leukocytosis)", S),
    ("neck_arm", "cervical spine stenosis", R),
    ("urination", "cystitis", R),
    ("sweating", "hyperhidrosis", R),
    ("other", "other adverse event", R),
]


def test_catalogue_matches_the_reference() -> None:
    assert len(CATALOGUE) == 11
    assert [(s.id, s.protocol_term, s.urgency) for s in CATALOGUE] == REFERENCE
    assert [s.id for s in CATALOGUE if s.free_text] == [OTHER]
    assert list(SYMPTOMS) == [s.id for s in CATALOGUE]
    assert symptom("fever").protocol_term == "infection (leukocytosis)"
    with pytest.raises(KeyError):
        symptom("leukocytosis")


def test_severity_grades() -> None:
    assert [int(s) for s in Severity] == [1, 2, 3]
    assert Severity.SEVERE.name_key == "severity-3"
    assert Severity.MILD.explanation_key == "severity-1-explanation"


# --- locale keys ------------------------------------------------------------------------------


def _patient_keys() -> list[str]:
    keys = [question_key(proxy=False), question_key(proxy=True), NONE_KEY, SEVERITY_QUESTION_KEY]
    keys += [s.label_key(proxy=p) for s in CATALOGUE for p in (False, True)]
    keys += [k for s in Severity for k in (s.name_key, s.explanation_key)]
    keys += ["symptoms-saved"]
    return keys


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_key_exists_and_formats(language: Language) -> None:
    t = translator(language)
    ids = message_ids(language)
    for key in _patient_keys():
        assert key in ids, key
        assert t(key).strip(), key
    advice = t("urgent-call-site", phone="+420 123 456 789", emergency="155")
    assert "+420 123 456 789" in advice
    assert "500" in t("symptom-other-prompt", max=500)
    assert "500" in t("symptom-other-too-long", max=500)


def test_proxy_wordings_speak_of_the_person_cared_for() -> None:
    assert "the person you care for" in translator("en")(question_key(proxy=True))
    assert "člověka, o kterého pečujete" in translator("cs")(question_key(proxy=True))
    assert translator("en")(symptom("leg_weakness").label_key(proxy=True)).endswith("their legs")


def test_label_keys() -> None:
    assert symptom("injection_site").label_key(proxy=False) == "symptom-injection-site"
    assert symptom("neck_arm").label_key(proxy=True) == "symptom-neck-arm-proxy"


def test_the_urgent_instruction_names_the_emergency_numbers_of_the_study() -> None:
    from bot.settings import load_study
    from conversations.screens.urgent import urgent_advice_text

    site = load_study(None).study.model_copy(update={"site_phone": "+420 111 222 333"})
    en = urgent_advice_text(translator("en"), site)
    assert "+420 111 222 333" in en
    assert "112 (or 155)" in en
    cs = urgent_advice_text(translator("cs"), site)
    assert "+420 111 222 333" in cs
    assert "155 (nebo 112)" in cs


def test_czech_plurals_for_characters() -> None:
    cs = translator("cs")
    assert "nejvýše 1 znak)" in cs("symptom-other-prompt", max=1)
    assert "nejvýše 3 znaky)" in cs("symptom-other-prompt", max=3)
    assert "nejvýše 500 znaků)" in cs("symptom-other-prompt", max=500)


# --- triage -----------------------------------------------------------------------------------


def test_no_symptom_is_not_urgent() -> None:
    result = triage([])
    assert result == Triage(reports=(), urgent_reports=())
    assert result.urgent is False


@pytest.mark.parametrize("entry", CATALOGUE, ids=lambda s: s.id)
@pytest.mark.parametrize("severity", list(Severity))
def test_triage_by_urgency_and_severity(entry: Symptom, severity: Severity) -> None:
    sid = entry.id
    text = "a rash" if sid == OTHER else None
    report = Report(sid, severity, text)
    expected = symptom(sid).urgency is Urgency.URGENT or severity is Severity.SEVERE
    result = triage([report])
    assert result.urgent is expected
    assert result.urgent_reports == ((report,) if expected else ())
    assert is_urgent(report) is expected


@pytest.mark.parametrize(
    ("sid", "severity", "urgent"),
    [
        ("sweating", 3, False),  # routine stays routine when severe
        ("headache", 2, False),
        ("headache", 3, True),  # urgent when severe
        ("meningism", 1, True),  # always urgent
    ],
)
def test_triage_without_the_any_severe_rule(sid: str, severity: int, urgent: bool) -> None:
    settings = SymptomSettings(any_severe_is_urgent=False)
    assert triage([Report(sid, severity)], settings).urgent is urgent


def test_triage_lists_the_reports_that_made_it_urgent() -> None:
    reports = [
        Report("headache", 2),
        Report("bladder", 1),
        Report("other", 3, "  dizzy  "),
        Report("sweating", 1),
    ]
    result = triage(reports)
    assert result.urgent is True
    assert result.reports[2] == Report("other", 3, "dizzy")
    assert result.urgent_reports == (Report("bladder", 1), Report("other", 3, "dizzy"))
    assert triage([Report("headache", 2), Report("sweating", 1)]).urgent is False


def test_settings_override_a_symptoms_urgency() -> None:
    settings = SymptomSettings(urgency={"fever": Urgency.URGENT, "meningism": Urgency.ROUTINE})
    assert triage([Report("fever", 1)], settings).urgent is True
    assert triage([Report("meningism", 1)], settings).urgent is False
    assert triage([Report("meningism", 3)], settings).urgent is True  # any severe
    assert triage([Report("headache", 1)], settings).urgent is False  # others unchanged


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("report", "message"),
    [
        (Report("leukocytosis", 1), "unknown symptom"),
        (Report("headache", 0), "severity"),
        (Report("headache", 4), "severity"),
        (Report("headache", True), "severity"),
        (Report("headache", 2.0), "severity"),  # type: ignore[arg-type]
        (Report("headache", 1, "it hurts"), "only for 'other'"),
        (Report("headache", 1, ""), "only for 'other'"),
        (Report("other", 1), "needs a description"),
        (Report("other", 1, "   \n "), "needs a description"),
        (Report("other", 1, "x" * 501), "501 characters"),
    ],
)
def test_invalid_reports(report: Report, message: str) -> None:
    with pytest.raises(InvalidReport, match=message):
        triage([report])
    assert issubclass(InvalidReport, ValueError)


def test_a_symptom_may_be_reported_once() -> None:
    with pytest.raises(InvalidReport, match="twice"):
        triage([Report("fever", 1), Report("fever", 3)])


def test_free_text_is_stripped_and_otherwise_kept_as_given() -> None:
    text = '  <b>odd</b> & "tingling" in the chest\n'
    assert validate(Report("other", 2, text)).free_text == '<b>odd</b> & "tingling" in the chest'
    assert validate(Report("other", 2, " " + "x" * 500 + " ")).free_text == "x" * 500


def test_the_free_text_limit_comes_from_the_settings() -> None:
    settings = SymptomSettings(other_max_length=10)
    assert validate(Report("other", 1, "x" * 10), settings).free_text == "x" * 10
    with pytest.raises(InvalidReport, match="at most 10"):
        triage([Report("other", 1, "x" * 11)], settings)


# --- settings as TOML -------------------------------------------------------------------------


def test_symptom_settings_from_toml() -> None:
    data = tomllib.loads(
        """
[symptoms]
any_severe_is_urgent = true
other_max_length = 300

[symptoms.urgency]
fever = "urgent"
headache = "routine"
"""
    )
    settings = SymptomSettings.model_validate(data["symptoms"])
    assert settings.other_max_length == 300
    assert settings.urgency_of("fever") is Urgency.URGENT
    assert settings.urgency_of("headache") is Urgency.ROUTINE
    assert settings.urgency_of("bladder") is Urgency.URGENT
    dumped = settings.model_dump(mode="json")
    assert dumped["urgency"] == {"fever": "urgent", "headache": "routine"}
    assert SymptomSettings.model_validate(dumped) == settings


def test_symptom_settings_defaults() -> None:
    settings = SymptomSettings.model_validate(tomllib.loads("[symptoms]")["symptoms"])
    assert settings == SymptomSettings()
    assert settings.other_max_length == 500
    assert settings.any_severe_is_urgent is True
    assert dict(settings.urgency) == {}


@pytest.mark.parametrize(
    "snippet",
    [
        '[symptoms.urgency]\nleukocytosis = "urgent"',  # not a patient-facing symptom id
        '[symptoms.urgency]\nfever = "very"',
        "[symptoms]\nother_max_length = 0",
        "[symptoms]\nmax_length = 100",
    ],
)
def test_bad_symptom_settings_are_refused(snippet: str) -> None:
    with pytest.raises(ValidationError):
        SymptomSettings.model_validate(tomllib.loads(snippet)["symptoms"])


def test_symptom_settings_are_frozen() -> None:
    settings = SymptomSettings(urgency={"fever": Urgency.URGENT})
    with pytest.raises(ValidationError):
        settings.other_max_length = 1
    with pytest.raises(TypeError):
        settings.urgency["fever"] = Urgency.ROUTINE  # type: ignore[index]
