"""Exports (issue 14): every format round-trips against the database, read here with its own
SQL; the manifest's counts and hashes hold; files are private and hold no Telegram id; the data
dictionary is up to date; output never follows a symlink nor overwrites without --force."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
import os
import sqlite3
import stat
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from bot.output import OutputError, write_files
from bot.settings import load_study
from conversations.domain.symptoms import CATALOGUE, SYMPTOMS
from conversations.exports.dictionary import (
    AE,
    FHIR_CODES,
    RATINGS,
    REDCAP_FIELDS,
    REDCAP_IMPORT,
    SDTM_AE,
    SDTM_DM,
    SDTM_QS,
    SDTM_RE,
    render,
)
from locales import Translator
from storage.db import Database
from storage.models import from_iso
from tests.conftest import BIN
from tests.export_seed import FREE_TEXT, TELEGRAM_BASE, VISITS, seed

ROOT = Path(__file__).resolve().parents[1]
STUDY = "NCT03828123"
PARTICIPANTS, SUBMISSIONS = 9, 8
EN, CS = Translator("en"), Translator("cs")


@dataclass
class Study:
    db: Path
    out: Path
    ratings: list[dict[str, Any]]
    symptoms: list[dict[str, Any]]
    statuses: dict[str, str]

    def read(self, name: str) -> list[dict[str, str]]:
        with (self.out / name).open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    def header(self, name: str) -> list[str]:
        with (self.out / name).open(encoding="utf-8", newline="") as handle:
            return next(csv.reader(handle))


def env(db: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ALSFRS_")}
    return {**clean, "ALSFRS_DB_PATH": str(db)}


def cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN), "export", *args], env=env(db), capture_output=True, text=True, timeout=120
    )


def _ratings(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Self-reports and clinic ratings, read with this test's own SQL, in the export's order."""
    home = [
        {
            **dict(row),
            "key": f"A{row['id']}",
            "visit": None,
            "visit_date": None,
            "fvc_percent": None,
            "norris_total": None,
            "items": {
                a["item"]: a["score"]
                for a in conn.execute(
                    "SELECT item, score FROM answers WHERE assessment_id = ?", (row["id"],)
                )
            },
        }
        for row in conn.execute(
            "SELECT a.id, p.subject, l.role, l.id AS link, a.submitted_at, a.language,"
            " a.item5_variant, a.total FROM assessments a"
            " JOIN participants p ON p.id = a.participant_id"
            " JOIN links l ON l.id = a.submitted_by WHERE a.status = 'submitted'"
        )
    ]
    clinic = [
        {
            **dict(row),
            "key": f"V{row['id']}",
            "role": "clinic",
            "language": None,
            "items": {int(k): v for k, v in json.loads(row["items"]).items()},
        }
        for row in conn.execute(
            "SELECT v.id, p.subject, v.rated_by AS link, v.saved_at AS submitted_at, v.label AS"
            " visit, v.visit_date, v.item5_variant, v.total, v.items, v.fvc_percent,"
            " v.norris_total FROM visits v JOIN participants p ON p.id = v.participant_id"
            " WHERE v.status = 'saved' AND v.items IS NOT NULL"
        )
    ]
    return sorted(
        home + clinic, key=lambda r: (r["subject"], r["submitted_at"], r["key"][0], r["id"])
    )


def _expected(db: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, str]]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        ratings = _ratings(conn)
        symptoms = [
            dict(row)
            for row in conn.execute(
                "SELECT r.id, p.subject, r.submitted_at, l.role, l.id AS link, r.language,"
                " r.assessment_id, i.symptom, i.severity, i.free_text,"
                " (SELECT x.id FROM alerts x WHERE x.participant_id = r.participant_id"
                "  AND x.rule = i.symptom AND x.created_at = r.submitted_at) AS alert_id,"
                " (SELECT x.urgent FROM alerts x WHERE x.participant_id = r.participant_id"
                "  AND x.rule = i.symptom AND x.created_at = r.submitted_at) AS urgent"
                " FROM symptom_reports r JOIN participants p ON p.id = r.participant_id"
                " JOIN links l ON l.id = r.submitted_by"
                " JOIN symptom_report_items i ON i.report_id = r.id"
                " WHERE r.status = 'submitted' ORDER BY p.subject, r.submitted_at, r.id, i.rowid"
            )
        ]
        statuses = dict(conn.execute("SELECT subject, status FROM participants").fetchall())
    return ratings, symptoms, statuses


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Study:
    folder = tmp_path_factory.mktemp("export")
    db_path = folder / "alsfrs.sqlite3"

    async def make() -> None:
        db = await Database.open(db_path)
        try:
            await seed(db, participants=PARTICIPANTS, submissions=SUBMISSIONS)
        finally:
            await db.close()

    asyncio.run(make())
    with sqlite3.connect(db_path) as conn:  # seeded as before sites: the export adopts them
        assert conn.execute("SELECT COUNT(*) FROM participants WHERE site IS NULL").fetchone()[0]
    result = cli(db_path, "--all", str(folder / "out"))
    assert result.returncode == 0, result.stderr
    return Study(db_path, folder / "out", *_expected(db_path))


def _wording(row: dict[str, Any]) -> str:
    tr = EN if row["language"] == "en" else CS
    return tr(SYMPTOMS[row["symptom"]].label_key(proxy=row["role"] == "caregiver"))


def _level(item: int, variant: str, score: int) -> str:
    slug = {
        1: "speech",
        2: "salivation",
        3: "swallowing",
        4: "handwriting",
        6: "dressing",
        7: "turning",
        8: "walking",
        9: "stairs",
        10: "breathing",
    }.get(item)
    slug = slug or ("cutting" if variant == "5a" else "cutting-tube")
    return EN(f"item-{slug}-level-{score}")


def _fvc(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _dtc(db: dict[str, Any]) -> str:
    return str(db["visit_date"] or db["submitted_at"])


def _empty(value: object) -> str:
    return "" if value is None else str(value)


def test_the_seeded_study_covers_what_the_issue_asks(study: Study) -> None:
    assert {r["role"] for r in study.ratings} == {"patient", "caregiver", "clinic"}
    clinic = [r for r in study.ratings if r["role"] == "clinic"]
    assert {r["visit"] for r in clinic} == set(VISITS)
    assert {r["item5_variant"] for r in clinic} == {"5a", "5b"}
    assert any(r["link"] is None for r in clinic), "no visit entered by the operator"
    assert any(r["fvc_percent"] is not None and r["norris_total"] for r in clinic)
    assert any(r["fvc_percent"] is None for r in clinic)
    # Visit ids and assessment ids overlap: only the A/V keys keep them apart.
    assessment_ids = {r["id"] for r in study.ratings if r["role"] != "clinic"}
    assert assessment_ids & {r["id"] for r in clinic}
    with sqlite3.connect(study.db) as conn:
        unexported = conn.execute(
            "SELECT SUM(status = 'draft'), SUM(status = 'saved' AND items IS NULL"
            " AND fvc_percent IS NOT NULL) FROM visits"
        ).fetchone()
    assert unexported == (1, len([i for i in range(PARTICIPANTS) if i % 3 == 0]))
    assert {r["item5_variant"] for r in study.ratings} == {"5a", "5b"}
    assert {s["severity"] for s in study.symptoms} == {1, 2, 3}
    assert "other" in {s["symptom"] for s in study.symptoms}
    assert "withdrawn" in study.statuses.values()
    withdrawn = {s for s, status in study.statuses.items() if status == "withdrawn"}
    assert withdrawn & {r["subject"] for r in study.ratings}, "withdrawn data is still exported"


def test_csv_round_trips(study: Study) -> None:
    rows = study.read(RATINGS.file)
    assert len(rows) == len(study.ratings)
    for row, db in zip(rows, study.ratings, strict=True):
        respondent = db["role"]
        if respondent == "clinic":
            respondent = "operator" if db["link"] is None else "staff"
        assert row == {
            "subject": db["subject"],
            "site": "MAIN",
            "rating_id": db["key"],
            "submitted_at": db["submitted_at"],
            "source": db["role"],
            "visit": _empty(db["visit"]),
            "visit_date": _empty(db["visit_date"]),
            "respondent": respondent,
            "respondent_id": _empty(db["link"]),
            "language": _empty(db["language"]),
            "item5_variant": db["item5_variant"],
            **{f"item_{n}": str(db["items"][n]) for n in range(1, 11)},
            "total": str(db["total"]),
            "fvc_percent": _fvc(db["fvc_percent"]),
            "norris_total": _empty(db["norris_total"]),
        }
    assert len({row["rating_id"] for row in rows}) == len(rows)


def test_ae_round_trips(study: Study) -> None:
    rows = study.read(AE.file)
    assert len(rows) == len(study.symptoms)
    for row, db in zip(rows, study.symptoms, strict=True):
        text = db["free_text"]
        assert row == {
            "participant": db["subject"],
            "site": "MAIN",
            "report_id": str(db["id"]),
            "reported_at": db["submitted_at"],
            "respondent": db["role"],
            "symptom": db["symptom"],
            "patient_wording": _wording(db),
            "protocol_term": SYMPTOMS[db["symptom"]].protocol_term,
            "grade": str(db["severity"]),
            "urgent": "true" if db["urgent"] else "false",
            # Free text is text: a leading '=' is defused for spreadsheets.
            "free_text": "" if text is None else "'" + text,
            "alert_id": str(db["alert_id"]),
            "assessment_id": "" if db["assessment_id"] is None else str(db["assessment_id"]),
        }
    assert any(row["free_text"] == "'" + FREE_TEXT for row in rows)


def test_sdtm_qs_has_eleven_rows_per_rating_with_the_database_values(study: Study) -> None:
    rows = study.read(SDTM_QS.file)
    assert len(rows) == 11 * len(study.ratings)
    evaluator = {"patient": "STUDY SUBJECT", "caregiver": "CAREGIVER", "clinic": "INVESTIGATOR"}
    seq: Counter[str] = Counter()
    for index, db in enumerate(study.ratings):
        block = rows[11 * index : 11 * index + 11]
        for offset, row in enumerate(block):
            seq[db["subject"]] += 1
            assert row["STUDYID"] == STUDY
            assert row["DOMAIN"] == "QS"
            assert row["USUBJID"] == f"{STUDY}-{db['subject']}"
            assert row["QSSEQ"] == str(seq[db["subject"]])
            assert row["QSSPID"] == db["key"]
            assert row["QSEVAL"] == evaluator[db["role"]]
            assert row["VISIT"] == (db["visit"] or "HOME")
            assert row["QSDTC"] == _dtc(db)
            number = offset + 1
            if number <= 10:
                score = db["items"][number]
                code = db["item5_variant"].upper() if number == 5 else f"{number:02d}"
                assert row["QSTESTCD"] == f"ALSF{code}"
                assert row["QSORRES"] == _level(number, db["item5_variant"], score)
            else:
                score = db["total"]
                assert row["QSTESTCD"] == "ALSFTOT"
                assert row["QSORRES"] == str(score)
            assert (row["QSSTRESC"], row["QSSTRESN"]) == (str(score), str(score))


def test_sdtm_dm_has_every_participant_at_its_site(study: Study) -> None:
    assert study.header(SDTM_DM.file) == list(SDTM_DM.header)
    assert study.read(SDTM_DM.file) == [
        {
            "STUDYID": STUDY,
            "DOMAIN": "DM",
            "USUBJID": f"{STUDY}-{subject}",
            "SUBJID": subject,
            "SITEID": "MAIN",
        }
        for subject in sorted(study.statuses)
    ]
    with sqlite3.connect(study.db) as conn:  # the export adopted them, audited
        assert conn.execute("SELECT DISTINCT site FROM participants").fetchall() == [("MAIN",)]
        adopted = conn.execute(
            "SELECT COUNT(*) FROM audit WHERE action = 'participant.site'"
        ).fetchone()[0]
    assert adopted == len(study.statuses)
    for name in (SDTM_QS.file, SDTM_AE.file, SDTM_RE.file):  # SITEID is DM's alone
        assert "SITEID" not in study.header(name)


def test_sdtm_ae_and_re(study: Study) -> None:
    rows = study.read(SDTM_AE.file)
    assert len(rows) == len(study.symptoms)
    severity = {1: "MILD", 2: "MODERATE", 3: "SEVERE"}
    for row, db in zip(rows, study.symptoms, strict=True):
        assert row["USUBJID"] == f"{STUDY}-{db['subject']}"
        assert row["AESPID"] == f"R{db['id']}-{db['symptom']}"
        assert row["AETERM"] == ("'" + db["free_text"] if db["free_text"] else _wording(db))
        assert row["AEDECOD"] == SYMPTOMS[db["symptom"]].protocol_term
        assert row["AESEV"] == severity[db["severity"]]
        assert row["AEDTC"] == db["submitted_at"]
    assert study.header(SDTM_RE.file) == list(SDTM_RE.header)
    measured = [r for r in study.ratings if r["fvc_percent"] is not None]
    assert measured
    seq: Counter[str] = Counter()
    for row, db in zip(study.read(SDTM_RE.file), measured, strict=True):
        seq[db["subject"]] += 1
        assert row == {
            "STUDYID": STUDY,
            "DOMAIN": "RE",
            "USUBJID": f"{STUDY}-{db['subject']}",
            "RESEQ": str(seq[db["subject"]]),
            "RESPID": db["key"],
            "RETESTCD": "FVCPP",
            "RETEST": "FVC Percent Predicted",
            "REORRES": _fvc(db["fvc_percent"]),
            "REORRESU": "%",
            "RESTRESN": str(float(db["fvc_percent"])),
            "RESTRESU": "%",
            "VISIT": db["visit"],
            "REDTC": db["visit_date"],
        }


def test_redcap_dictionary_and_import_agree(study: Study) -> None:
    dictionary = study.read("redcap-dictionary.csv")
    fields = [row["Variable / Field Name"] for row in dictionary]
    assert fields == [f.name for f in REDCAP_FIELDS]
    forms = {row["Variable / Field Name"]: row["Form Name"] for row in dictionary}
    assert forms["record_id"] == forms["site"] == "participant"
    assert {forms[f] for f in fields[2:]} == {"alsfrs"}
    header = study.header("redcap-import.csv")
    assert header[:3] == ["record_id", "redcap_repeat_instrument", "redcap_repeat_instance"]
    assert header[-1] == "alsfrs_complete"
    completes = ("participant_complete", "alsfrs_complete")
    assert [h for h in header if h not in (*REDCAP_IMPORT.header[1:3], *completes)] == fields
    assert header.index("participant_complete") == header.index("site") + 1
    every = study.read("redcap-import.csv")
    records = [row for row in every if row["redcap_repeat_instrument"] == ""]
    assert [(r["record_id"], r["site"], r["participant_complete"]) for r in records] == [
        (subject, "MAIN", "2") for subject in sorted(study.statuses)
    ]
    assert all(r["redcap_repeat_instance"] == "" and r["alsfrs_rating_id"] == "" for r in records)
    # Each record's row comes before its ratings.
    firsts: dict[str, int] = {}
    for index, row in enumerate(every):
        firsts.setdefault(row["record_id"], index)
    assert all(every[i]["redcap_repeat_instrument"] == "" for i in firsts.values())
    rows = [row for row in every if row["redcap_repeat_instrument"] != ""]
    assert len(rows) == len(study.ratings)
    assert all(row["site"] == row["participant_complete"] == "" for row in rows)
    instance: Counter[str] = Counter()
    for row, db in zip(rows, study.ratings, strict=True):
        instance[db["subject"]] += 1
        variant = db["item5_variant"]
        other = "5b" if variant == "5a" else "5a"
        assert row["record_id"] == db["subject"]
        assert row["redcap_repeat_instrument"] == "alsfrs"
        assert row["redcap_repeat_instance"] == str(instance[db["subject"]])
        assert row["alsfrs_rating_id"] == db["key"]
        assert row["alsfrs_date"] == from_iso(db["submitted_at"]).strftime("%Y-%m-%d %H:%M:%S")
        assert row["alsfrs_source"] == db["role"]
        assert row["alsfrs_visit"] == _empty(db["visit"])
        assert row["alsfrs_visit_date"] == _empty(db["visit_date"])
        assert row["alsfrs_language"] == _empty(db["language"])
        assert row["alsfrs_fvc_percent"] == _fvc(db["fvc_percent"])
        assert row["alsfrs_norris_total"] == _empty(db["norris_total"])
        assert row["alsfrs_item5_variant"] == variant
        for n in (1, 2, 3, 4, 6, 7, 8, 9, 10):
            assert row[f"alsfrs_q{n}"] == str(db["items"][n])
        assert row[f"alsfrs_q{variant}"] == str(db["items"][5])
        assert row[f"alsfrs_q{other}"] == ""
        assert row["alsfrs_total"] == str(db["total"])
        assert row["alsfrs_complete"] == "2"
    choices = {row["Variable / Field Name"]: row for row in dictionary}
    assert choices["alsfrs_q5b"]["Branching Logic (Show field only if...)"] == (
        "[alsfrs_item5_variant] = '5b'"
    )
    for clinic_only in ("alsfrs_visit", "alsfrs_visit_date", "alsfrs_fvc_percent"):
        assert choices[clinic_only]["Branching Logic (Show field only if...)"] == (
            "[alsfrs_source] = 'clinic'"
        )
    # Every value is within the dictionary's limits, so REDCap's import accepts it.
    for row in every:
        for name, spec in choices.items():
            low, high = spec["Text Validation Min"], spec["Text Validation Max"]
            if row[name] and (low or high):
                assert float(low or "-inf") <= float(row[name]) <= float(high or "inf"), name


def _resources(bundle: Bundle, kind: str) -> list[Any]:
    found = [e.resource for e in bundle.entry or ()]
    return [r for r in found if r is not None and r.get_resource_type() == kind]


def test_fhir_bundle_round_trips_through_fhir_resources(study: Study) -> None:
    bundle = Bundle.model_validate_json((study.out / "alsfrs-r4-bundle.json").read_bytes())
    assert bundle.type == "collection"
    (questionnaire,) = _resources(bundle, "Questionnaire")
    assert [i.linkId for i in questionnaire.item] == [
        "1", "2", "3", "4", "5a", "5b", "6", "7", "8", "9", "10"
    ]  # fmt: skip
    speech = questionnaire.item[0]
    assert [o.extension[0].valueDecimal for o in speech.answerOption] == [4, 3, 2, 1, 0]
    czech = speech.answerOption[0].valueCoding.display__ext.extension[0].extension[1]
    assert czech.valueString == CS("item-speech-level-4")

    patients = {p.id: p.identifier[0].value for p in _resources(bundle, "Patient")}
    assert sorted(patients.values()) == sorted(study.statuses)
    (site,) = _resources(bundle, "Organization")
    assert (site.id, site.identifier[0].value, site.identifier[0].system) == (
        "org-MAIN",
        "MAIN",
        FHIR_CODES["site"],
    )
    assert site.name == load_study(None).study.name  # no [[sites]]: one, named as the study
    for patient in _resources(bundle, "Patient"):
        assert patient.managingOrganization.reference == "Organization/org-MAIN"
    subjects = {
        patients[rs.individual.reference.split("/")[1]]: rs.status
        for rs in _resources(bundle, "ResearchSubject")
    }
    assert subjects == {
        s: "withdrawn" if status == "withdrawn" else "on-study"
        for s, status in study.statuses.items()
    }
    carers = {rp.id: rp.patient.reference for rp in _resources(bundle, "RelatedPerson")}

    practitioners = {p.id for p in _resources(bundle, "Practitioner")}
    clinic = [r for r in study.ratings if r["role"] == "clinic"]
    assert practitioners == {
        "pr-operator" if r["link"] is None else f"pr-{r['link']}" for r in clinic
    }
    encounters = {e.id: e for e in _resources(bundle, "Encounter")}
    assert len(encounters) == len(clinic)
    ids = [e.resource.id for e in bundle.entry or () if e.resource is not None]
    assert len(ids) == len(set(ids)), "two resources share an id"

    responses = _resources(bundle, "QuestionnaireResponse")
    assert len(responses) == len(study.ratings)
    observations = {
        (o.derivedFrom[0].reference, o.code.coding[0].code): o
        for o in _resources(bundle, "Observation")
    }
    measured = sum(
        (r["fvc_percent"] is not None) + (r["norris_total"] is not None) for r in study.ratings
    )
    assert len(observations) == len(study.ratings) + measured
    for qr, db in zip(responses, study.ratings, strict=True):
        pid = qr.subject.reference.split("/")[1]
        assert patients[pid] == db["subject"]
        assert qr.identifier.value == db["key"]
        assert qr.authored == from_iso(db["submitted_at"])
        assert qr.language == db["language"]
        assert qr.status == "completed"
        if db["role"] == "patient":
            assert qr.author.reference == f"Patient/{pid}"
        elif db["role"] == "caregiver":
            assert qr.author.reference == f"RelatedPerson/rp-{db['link']}"
            assert carers[f"rp-{db['link']}"] == f"Patient/{pid}"
        else:
            rater = "operator" if db["link"] is None else db["link"]
            assert qr.author.reference == f"Practitioner/pr-{rater}"
            encounter = encounters[qr.encounter.reference.split("/")[1]]
            assert encounter.type[0].text == db["visit"]
            assert encounter.period.start.isoformat() == db["visit_date"]
            assert encounter.subject.reference == f"Patient/{pid}"
            assert encounter.identifier[0].value == db["key"]
        assert qr.source.reference == qr.author.reference
        own = f"QuestionnaireResponse/{qr.id}"
        effective = from_iso(db["submitted_at"]) if db["role"] != "clinic" else db["visit_date"]
        for code, value in (
            ("fvc-percent", db["fvc_percent"]),
            ("norris-total", db["norris_total"]),
        ):
            found = observations.get((own, code))
            if value is None:
                assert found is None
                continue
            assert found is not None
            measure = found.valueQuantity.value if code == "fvc-percent" else found.valueInteger
            assert measure == value
            assert str(found.effectiveDateTime) == effective
            assert found.encounter.reference == qr.encounter.reference
            assert found.performer[0].reference == qr.author.reference
        answers = {i.linkId: i.answer[0].valueCoding for i in qr.item}
        expected = {
            (db["item5_variant"] if n == 5 else str(n)): db["items"][n] for n in range(1, 11)
        }
        assert {k: int(c.code.split(".")[1]) for k, c in answers.items()} == expected
        assert all(c.system == FHIR_CODES["answers"] for c in answers.values())
        total = observations[(own, "total")]
        assert total.valueInteger == db["total"]
        assert total.code.coding[0].code == "total"
        if db["role"] == "clinic":
            assert str(total.effectiveDateTime) == db["visit_date"]
        else:
            assert total.effectiveDateTime == from_iso(db["submitted_at"])

    events = _resources(bundle, "AdverseEvent")
    assert len(events) == len(study.symptoms)
    grade = {"mild": 1, "moderate": 2, "severe": 3}
    for event, db in zip(events, study.symptoms, strict=True):
        assert patients[event.subject.reference.split("/")[1]] == db["subject"]
        assert event.identifier.value == f"R{db['id']}-{db['symptom']}"
        assert event.event.coding[0].code == db["symptom"]
        assert event.event.coding[0].display == SYMPTOMS[db["symptom"]].protocol_term
        assert event.event.text == (db["free_text"] or _wording(db))
        assert grade[event.severity.coding[0].code] == db["severity"]
        assert event.date == from_iso(db["submitted_at"])
        assert event.study[0].identifier.value == STUDY


def test_manifest_counts_and_hashes(study: Study) -> None:
    manifest = json.loads((study.out / "manifest.json").read_text(encoding="utf-8"))
    with sqlite3.connect(study.db) as conn:
        last_audit = conn.execute("SELECT MAX(id) FROM audit").fetchone()[0]
        reports = conn.execute(
            "SELECT COUNT(*) FROM symptom_reports WHERE status = 'submitted'"
        ).fetchone()[0]
    roles = Counter(r["role"] for r in study.ratings)
    assert manifest["study"] == STUDY
    assert manifest["subject"] is manifest["site"] is None
    assert manifest["last_audit_id"] == last_audit
    assert manifest["counts"] == {
        "participants": len(study.statuses),
        "withdrawn_participants": list(study.statuses.values()).count("withdrawn"),
        "ratings": len(study.ratings),
        "ratings_patient": roles["patient"],
        "ratings_caregiver": roles["caregiver"],
        "ratings_clinic": roles["clinic"],
        "symptom_reports": reports,
        "symptoms": len(study.symptoms),
    }
    listed = {f["name"]: f for f in manifest["files"]}
    assert set(listed) | {"manifest.json"} == {p.name for p in study.out.iterdir()}
    for name, entry in listed.items():
        data = (study.out / name).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)
    rows = {name: entry["rows"] for name, entry in listed.items()}
    assert rows[RATINGS.file] == len(study.ratings)
    assert rows[SDTM_QS.file] == 11 * len(study.ratings)
    assert rows[AE.file] == rows[SDTM_AE.file] == len(study.symptoms)
    assert rows[SDTM_RE.file] == sum(r["fvc_percent"] is not None for r in study.ratings)
    assert rows[SDTM_DM.file] == len(study.statuses)
    assert rows["redcap-import.csv"] == len(study.ratings) + len(study.statuses)


def test_files_are_private_and_hold_nothing_personal(study: Study) -> None:
    with sqlite3.connect(study.db) as conn:
        telegram_ids = [str(r[0]) for r in conn.execute("SELECT telegram_user_id FROM accounts")]
    assert all(int(t) > TELEGRAM_BASE for t in telegram_ids)
    for path in study.out.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
        text = path.read_text(encoding="utf-8")
        leaked = [t for t in telegram_ids if t in text]
        assert leaked == [], f"{path.name} holds Telegram ids"
        assert "telegram" not in text.lower()


def test_one_subject_and_single_files_on_stdout(study: Study) -> None:
    result = cli(study.db, "--format", "csv", "--subject", "S0001")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    expected = [r for r in study.ratings if r["subject"] == "S0001"]
    assert len(expected) > SUBMISSIONS, "S0001 has clinic ratings"
    assert [r["rating_id"] for r in rows] == [r["key"] for r in expected]
    missing = cli(study.db, "--format", "ae", "--subject", "NOPE")
    assert missing.returncode == 1
    assert "no participant" in missing.stderr
    many = cli(study.db, "--format", "sdtm")
    assert many.returncode == 1
    assert "--output DIR" in many.stderr


def test_output_is_created_private_never_overwritten_nor_through_a_symlink(
    study: Study, tmp_path: Path
) -> None:
    target = tmp_path / "ae.csv"
    assert cli(study.db, "--format", "ae", "--output", str(target)).returncode == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    first = target.read_bytes()
    target.write_bytes(b"kept")
    again = cli(study.db, "--format", "ae", "--output", str(target))
    assert again.returncode == 1
    assert "--force" in again.stderr
    assert target.read_bytes() == b"kept"
    forced = cli(study.db, "--format", "ae", "--output", str(target), "--force")
    assert forced.returncode == 0
    assert target.read_bytes() == first
    assert stat.S_IMODE(target.stat().st_mode) == 0o600

    victim = tmp_path / "victim.txt"
    victim.write_text("do not touch")
    link = tmp_path / "link.csv"
    link.symlink_to(victim)
    for extra in ((), ("--force",)):
        refused = cli(study.db, "--format", "csv", "--output", str(link), *extra)
        assert refused.returncode == 1
        assert "symbolic link" in refused.stderr
    assert victim.read_text() == "do not touch"

    folder_link = tmp_path / "folder-link"
    folder_link.symlink_to(tmp_path)
    with pytest.raises(OutputError, match="symbolic link"):
        write_files(folder_link, [("x.csv", b"x")], force=True)
    # A refused --all writes nothing: one taken name stops the whole export.
    out = tmp_path / "all"
    out.mkdir()
    (out / "sdtm-re.csv").write_text("kept")
    refused_all = cli(study.db, "--all", str(out))
    assert refused_all.returncode == 1
    assert [p.name for p in out.iterdir()] == ["sdtm-re.csv"]


def test_data_dictionary_is_up_to_date() -> None:
    on_disk = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert on_disk == render(), "run: python -m conversations.exports > docs/data-dictionary.md"
    for dataset in (RATINGS, AE, SDTM_DM, SDTM_QS, SDTM_AE, SDTM_RE, REDCAP_IMPORT):
        for column in dataset.columns:
            assert f"`{column.name}`" in on_disk
    for entry in CATALOGUE:
        assert entry.protocol_term in on_disk
    assert CS("item-speech-level-0") in on_disk


def test_fhir_validation_in_chunks_rejects_a_bad_entry(
    study: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conversations.exports import fhir

    entries = json.loads((study.out / fhir.FILE).read_text(encoding="utf-8"))["entry"]
    monkeypatch.setattr(fhir, "CHUNK", 100)
    fhir.validate(entries)  # several processes, every entry checked
    bad = [*entries[:-1], {**entries[-1], "resource": {**entries[-1]["resource"], "x": 1}}]
    with pytest.raises(Exception, match="x"):
        fhir.validate(bad)
