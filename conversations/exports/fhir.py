"""`--format fhir`: one FHIR R4 Bundle (JSON), validated by `fhir.resources`' R4B models (its
default models are R5, which would silently drop R4 fields).

The Bundle holds the Questionnaire of the 1996 ALSFRS, an Organization per site of the exported
participants, a Patient (identifier: the study ID; `managingOrganization`: its site) and a
ResearchSubject per participant, a RelatedPerson per caregiver, a Practitioner per clinic
rater (`pr-<link>`, or `pr-operator` for visits entered on the command line), a
QuestionnaireResponse and its Observations per rating, an Encounter per clinic rating (the visit:
label and date), and an AdverseEvent per reported symptom. A self-report's resources are keyed by
its assessment id (`qr-12`), a clinic rating's by `v` + its visit id (`qr-v3`), so they never
collide. Codes are the project's own (`dictionary.FHIR_CODES`): LOINC codes only the
ALSFRS-R.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Final

from fhir.resources.R4B.bundle import Bundle

from conversations.domain.instrument import ITEMS, LEVELS
from conversations.exports.common import (
    LANGS,
    ExportFile,
    Study,
    item_name,
    level_text,
    moment,
    protocol_term,
    symptom_wording,
)
from conversations.exports.dictionary import FHIR_BASE, FHIR_CODES, FHIR_MEASURES, item_key
from storage.exports import ExportData, ExportRating, ExportSymptom

__all__ = [
    "CHUNK",
    "FILE",
    "answer_code",
    "build",
    "bundle",
    "entries",
    "rating_key",
    "resource_id",
    "site_id",
    "validate",
]

FILE = "alsfrs-r4-bundle.json"
CHUNK: Final = 2000
Json = dict[str, Any]
_SEVERITY = {1: "mild", 2: "moderate", 3: "severe"}
_STATUS = {"withdrawn": "withdrawn", "active": "on-study", "paused": "on-study"}


def resource_id(kind: str, key: object) -> str:
    """A FHIR id ([A-Za-z0-9-.]{1,64}) from an internal key."""
    return f"{kind}-{key}".replace("_", "-")


def site_id(site: str) -> str:
    """The FHIR id of a site's Organization: `org-` + the site's id, its `_` written `.` (both
    are allowed in a site id, only `-` and `.` in a FHIR id; `resource_id`'s `-` would make
    `CZ_BRNO` and `CZ-BRNO` one resource)."""
    return f"org-{site.replace('_', '.')}"


def _organization(site: str, study: Study) -> Json:
    """A site as an R4 Organization: identified by the site's id in the project's naming system,
    named as the study file names it."""
    name = study.site_name(site)
    return {
        "resourceType": "Organization",
        "id": site_id(site),
        "identifier": [{"system": FHIR_CODES["site"], "value": site}],
        **({} if name is None else {"name": name}),
    }


def rating_key(r: ExportRating) -> str:
    """The key of a rating's resources: the assessment id, or `v` + the visit id."""
    return str(r.assessment_id) if r.visit_id is None else f"v{r.visit_id}"


def _practitioner(link: int | None) -> str:
    return resource_id("pr", "operator" if link is None else link)


def answer_code(key: str, score: int) -> str:
    return f"{key}.{score}"


def _translated(english: str, czech: str) -> tuple[str, Json]:
    return english, {
        "extension": [
            {
                "url": FHIR_CODES["translation"],
                "extension": [
                    {"url": "lang", "valueCode": "cs"},
                    {"url": "content", "valueString": czech},
                ],
            }
        ]
    }


def _questionnaire() -> Json:
    items: list[Json] = []
    for entry in ITEMS:
        variant = None if entry.variant is None else entry.variant.value
        key = item_key(entry.number, variant)
        name, name_ext = _translated(*(item_name(entry.number, variant, lang) for lang in LANGS))
        options: list[Json] = []
        for score in LEVELS:
            text, text_ext = _translated(
                *(level_text(entry.number, variant, score, lang) for lang in LANGS)
            )
            options.append(
                {
                    "extension": [{"url": FHIR_CODES["ordinal"], "valueDecimal": score}],
                    "valueCoding": {
                        "system": FHIR_CODES["answers"],
                        "code": answer_code(key, score),
                        "display": text,
                        "_display": text_ext,
                    },
                }
            )
        items.append(
            {
                "linkId": key,
                "code": [{"system": FHIR_CODES["items"], "code": key, "display": name}],
                "text": name,
                "_text": name_ext,
                "type": "choice",
                "required": variant is None,
                "answerOption": options,
            }
        )
    return {
        "resourceType": "Questionnaire",
        "id": "alsfrs-1996",
        "url": FHIR_CODES["questionnaire"],
        "version": "1996",
        "name": "ALSFRS",
        "title": "ALS Functional Rating Scale (original 10-item, 1996)",
        "status": "active",
        "subjectType": ["Patient"],
        "item": items,
    }


def _entry(resource: Json) -> Json:
    return {
        "fullUrl": f"{FHIR_BASE}/{resource['resourceType']}/{resource['id']}",
        "resource": resource,
    }


def _ref(kind: str, rid: str) -> Json:
    return {"reference": f"{kind}/{rid}"}


def _rater(source: str, link: int | None, patient: str) -> Json:
    if source == "patient":
        return _ref("Patient", patient)
    if source == "caregiver":
        return _ref("RelatedPerson", resource_id("rp", link))
    return _ref("Practitioner", _practitioner(link))


def _clinic(r: ExportRating) -> Json:
    """A clinic rating's link to its Encounter (the visit)."""
    if r.visit_id is None:
        return {}
    return {"encounter": _ref("Encounter", resource_id("enc", rating_key(r)))}


def _encounter(r: ExportRating, patient: str) -> Json:
    return {
        "resourceType": "Encounter",
        "id": resource_id("enc", rating_key(r)),
        "identifier": [{"system": f"{FHIR_BASE}/clinic-visit", "value": r.key}],
        "status": "finished",
        "class": {
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "code": "AMB",
            "display": "ambulatory",
        },
        "type": [{"text": r.visit}],
        "subject": _ref("Patient", patient),
        "participant": [{"individual": _ref("Practitioner", _practitioner(r.rater))}],
        "period": {"start": _effective(r)},
    }


def _effective(r: ExportRating) -> str:
    """A clinic rating's visit date, else the moment of the self-report."""
    return moment(r.submitted_at) if r.visit_date is None else r.visit_date.isoformat()


def _observation(r: ExportRating, patient: str, code: str, value: Json) -> Json:
    return {
        "resourceType": "Observation",
        "id": resource_id(f"obs-{code}", rating_key(r)),
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "exam" if code == "fvc-percent" else "survey",
                    }
                ]
            }
        ],
        "code": {
            "coding": [
                {"system": FHIR_CODES["measures"], "code": code, "display": FHIR_MEASURES[code]}
            ]
        },
        "subject": _ref("Patient", patient),
        **_clinic(r),
        "effectiveDateTime": _effective(r),
        "performer": [_rater(r.source, r.rater, patient)],
        "derivedFrom": [_ref("QuestionnaireResponse", resource_id("qr", rating_key(r)))],
        **value,
    }


def _response(r: ExportRating, patient: str) -> list[Json]:
    rater = _rater(r.source, r.rater, patient)
    items = []
    for number in range(1, 11):
        key = item_key(number, r.item5_variant)
        score = r.items[number]
        items.append(
            {
                "linkId": key,
                "text": item_name(number, r.item5_variant),
                "answer": [
                    {
                        "valueCoding": {
                            "system": FHIR_CODES["answers"],
                            "code": answer_code(key, score),
                            "display": level_text(number, r.item5_variant, score),
                        }
                    }
                ],
            }
        )
    response: Json = {
        "resourceType": "QuestionnaireResponse",
        "id": resource_id("qr", rating_key(r)),
        **({} if r.language is None else {"language": r.language}),
        "identifier": {"system": f"{FHIR_BASE}/rating", "value": r.key},
        "questionnaire": FHIR_CODES["questionnaire"],
        "status": "completed",
        "subject": _ref("Patient", patient),
        **_clinic(r),
        "authored": moment(r.submitted_at),
        "author": rater,
        "source": rater,
        "item": items,
    }
    out = [] if r.visit_id is None else [_encounter(r, patient)]
    out += [response, _observation(r, patient, "total", {"valueInteger": r.total})]
    if r.fvc_percent is not None:
        quantity = {
            "value": r.fvc_percent,
            "unit": "%",
            "system": "http://unitsofmeasure.org",
            "code": "%",
        }
        out.append(_observation(r, patient, "fvc-percent", {"valueQuantity": quantity}))
    if r.norris_total is not None:
        out.append(_observation(r, patient, "norris-total", {"valueInteger": r.norris_total}))
    return out


def _adverse_event(s: ExportSymptom, patient: str, study: Json) -> Json:
    return {
        "resourceType": "AdverseEvent",
        "id": resource_id("ae", f"{s.report_id}-{s.symptom}"),
        "identifier": {
            "system": f"{FHIR_BASE}/symptom-report",
            "value": f"R{s.report_id}-{s.symptom}",
        },
        "actuality": "actual",
        "event": {
            "coding": [
                {
                    "system": FHIR_CODES["symptoms"],
                    "code": s.symptom,
                    "display": protocol_term(s.symptom),
                }
            ],
            "text": s.free_text or symptom_wording(s),
        },
        "subject": _ref("Patient", patient),
        "date": moment(s.reported_at),
        "recordedDate": moment(s.reported_at),
        "recorder": _rater(s.respondent, s.respondent_link, patient),
        "severity": {"coding": [{"system": FHIR_CODES["severity"], "code": _SEVERITY[s.severity]}]},
        "study": [study],
    }


def entries(data: ExportData, study: Study) -> list[Json]:
    """The Bundle's entries, as JSON objects (validated by `validate`)."""
    study_ref: Json = {
        "identifier": {"system": FHIR_CODES["study"], "value": study.id},
        "display": study.name,
    }
    patients = {p.subject: resource_id("pat", p.subject) for p in data.participants}
    out: list[Json] = [_entry(_questionnaire())]
    # A participant's site is the Organization that manages them: R4's Patient has no site
    # element, `managingOrganization` ("custodian of the patient record") is the standard place
    # for the hospital that holds the record, and an R4 Organization (identifier + name)
    # validates with the R4B models. ResearchSubject has no site in R4 (R5's `site` is a
    # Location of the ResearchStudy); an extension would need a profile no reader knows.
    out += [
        _entry(_organization(site, study)) for site in sorted({p.site for p in data.participants})
    ]
    for p in data.participants:
        pid = patients[p.subject]
        out.append(
            _entry(
                {
                    "resourceType": "Patient",
                    "id": pid,
                    "identifier": [{"system": FHIR_CODES["subject"], "value": p.subject}],
                    "managingOrganization": {
                        **_ref("Organization", site_id(p.site)),
                        "display": study.site_name(p.site) or p.site,
                    },
                }
            )
        )
        out.append(
            _entry(
                {
                    "resourceType": "ResearchSubject",
                    "id": resource_id("rs", p.subject),
                    "status": _STATUS[p.status.value],
                    "study": study_ref,
                    "individual": _ref("Patient", pid),
                }
            )
        )
    raters: dict[str, Json] = {}
    people: list[tuple[str, int | None, str]] = [
        (r.source, r.rater, r.subject) for r in data.ratings
    ]
    people += [(s.respondent, s.respondent_link, s.subject) for s in data.symptoms]
    for source, link, subject in people:
        if source == "caregiver":
            rid = resource_id("rp", link)
            raters.setdefault(
                rid,
                {
                    "resourceType": "RelatedPerson",
                    "id": rid,
                    "patient": _ref("Patient", patients[subject]),
                },
            )
        elif source == "clinic":
            rid = _practitioner(link)
            raters.setdefault(rid, {"resourceType": "Practitioner", "id": rid})
    out += [_entry(resource) for resource in raters.values()]
    for r in data.ratings:
        out += [_entry(resource) for resource in _response(r, patients[r.subject])]
    for s in data.symptoms:
        out.append(_entry(_adverse_event(s, patients[s.subject], study_ref)))
    return out


def _bundle(part: Sequence[Json]) -> Json:
    return {"resourceType": "Bundle", "type": "collection", "entry": list(part)}


def _validate(part: Sequence[Json]) -> int:
    """Validate with the R4B models; they reject unknown fields and bad values."""
    return len(Bundle.model_validate(_bundle(part)).entry or ())


def validate(all_entries: Sequence[Json]) -> None:
    """Every entry through `fhir.resources`' R4B models; a large export in chunks over the
    machine's processors (the models cost about 2 ms per resource)."""
    chunks = [all_entries[i : i + CHUNK] for i in range(0, len(all_entries), CHUNK)]
    if len(chunks) <= 1:
        for chunk in chunks:
            _validate(chunk)
        return
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        checked = sum(pool.map(_validate, chunks))
    if checked != len(all_entries):
        raise ValueError(f"FHIR validation checked {checked} of {len(all_entries)} entries")


def bundle(data: ExportData, study: Study) -> Bundle:
    """The export as a validated R4 Bundle object."""
    return Bundle.model_validate(_bundle(entries(data, study)))


def build(data: ExportData, study: Study) -> tuple[ExportFile, ...]:
    found = entries(data, study)
    validate(found)
    text = json.dumps(_bundle(found), ensure_ascii=False, separators=(",", ":"))
    return (ExportFile(FILE, text, len(found)),)
