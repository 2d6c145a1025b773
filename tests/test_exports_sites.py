"""Exports and sites (issue 16): every format carries each participant's site, `--site` exports
one site's participants and everything about them and nothing of anyone else, and a participant
enrolled before sites exports at the study's default site.

The study has two sites. S0000 (Brno) and S0001 (Prague) have ratings, clinic visits and
symptom reports (tests/export_seed.py); S0002 was made before sites (site NULL), so it belongs to
the default site, Brno, the first listed; P0100 is enrolled at Prague through the enrollment
flow and has no data yet."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sqlite3
import subprocess
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from bot.settings import DEFAULT_STUDY_FILE, Settings, StudySettings, load_study
from conversations.context import Services
from conversations.exports.dictionary import AE, FHIR_CODES, RATINGS, REDCAP_IMPORT, SDTM_DM
from conversations.flows import enrollment
from conversations.flows import export as export_flow
from conversations.flows.sites import adopt_unassigned
from storage.db import Database
from storage.models import Actor, ActorRole
from tests.conftest import BIN
from tests.export_seed import seed
from tests.test_exports import env

BRNO, PRAHA = "CZ-BRNO", "CZ-PRAHA"
NAMES = {BRNO: "Fakultní nemocnice Brno", PRAHA: "Všeobecná fakultní nemocnice v Praze"}
SITE_OF = {"S0000": BRNO, "S0001": PRAHA, "S0002": BRNO, "P0100": PRAHA}
SITES_TOML = "".join(
    f'\n[[sites]]\nid = "{site.lower()}"\nname = "{name}"\nphone = "+420 500 000 00{i}"\n'
    for i, (site, name) in enumerate(NAMES.items())
)
OPERATOR = Actor(role=ActorRole.OPERATOR)


def study_file(folder: Path) -> Path:
    """The shipped study file with two [[sites]] (ids written in lower case: canonical upper)."""
    text = (resources.files("bot") / DEFAULT_STUDY_FILE).read_text(encoding="utf-8")
    path = folder / "study-two-sites.toml"
    path.write_text(text + SITES_TOML, encoding="utf-8")
    return path


async def make_study(folder: Path) -> tuple[Path, StudySettings]:
    """The database of the module docstring, before the export adopts S0002."""
    path, study = folder / "alsfrs.sqlite3", load_study(study_file(folder))
    assert [s.id for s in study.site_infos()] == [BRNO, PRAHA]
    assert study.default_site_id == BRNO
    db = await Database.open(path)
    try:
        await seed(db, participants=3, submissions=6)
        services = Services(db=db, settings=Settings(db_path=path), study=study)
        await enrollment.enroll_participant(services, "P0100", "cs", OPERATOR, site=PRAHA)
    finally:
        await db.close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE participants SET site = ? WHERE subject = 'S0000'", (BRNO,))
        conn.execute("UPDATE participants SET site = ? WHERE subject = 'S0001'", (PRAHA,))
    return path, study


def cli(db: Path, study: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN), "export", *args],
        env={**env(db), "ALSFRS_STUDY_FILE": str(study)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def counts(db: Path) -> dict[str, dict[str, int]]:
    """Per subject, its ratings (self-reports and clinic ALSFRS) and reported symptoms, read
    with this test's own SQL."""
    with sqlite3.connect(db) as conn:
        out: dict[str, dict[str, int]] = {s: {"ratings": 0, "symptoms": 0} for s in SITE_OF}
        for subject, n in conn.execute(
            "SELECT p.subject, COUNT(*) FROM assessments a JOIN participants p"
            " ON p.id = a.participant_id WHERE a.status = 'submitted' GROUP BY p.subject"
        ):
            out[subject]["ratings"] += n
        for subject, n in conn.execute(
            "SELECT p.subject, COUNT(*) FROM visits v JOIN participants p"
            " ON p.id = v.participant_id WHERE v.status = 'saved' AND v.items IS NOT NULL"
            " GROUP BY p.subject"
        ):
            out[subject]["ratings"] += n
        for subject, n in conn.execute(
            "SELECT p.subject, COUNT(*) FROM symptom_reports r JOIN participants p"
            " ON p.id = r.participant_id JOIN symptom_report_items i ON i.report_id = r.id"
            " WHERE r.status = 'submitted' GROUP BY p.subject"
        ):
            out[subject]["symptoms"] = n
    return out


@pytest.fixture(scope="module")
def two_sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("sites")
    db, _ = asyncio.run(make_study(folder))
    return db, folder / "study-two-sites.toml"


def _patients(bundle: Bundle) -> list[Any]:
    found = [e.resource for e in bundle.entry or ()]
    return [r for r in found if r is not None and r.get_resource_type() == "Patient"]


def _organizations(bundle: Bundle) -> dict[str, Any]:
    found = [e.resource for e in bundle.entry or ()]
    return {
        f"Organization/{r.id}": r
        for r in found
        if r is not None and r.get_resource_type() == "Organization"
    }


def fhir_sites(path: Path) -> dict[str, tuple[str, str]]:
    """Per Patient (its study ID): its managing Organization's site id and name, parsed back
    with fhir.resources' R4B models."""
    bundle = Bundle.model_validate_json(path.read_bytes())
    organizations = _organizations(bundle)
    out = {}
    for patient in _patients(bundle):
        organization = organizations[patient.managingOrganization.reference]
        (identifier,) = organization.identifier
        assert identifier.system == FHIR_CODES["site"]
        out[patient.identifier[0].value] = (identifier.value, organization.name)
    return out


def test_every_format_carries_each_participants_site(
    two_sites: tuple[Path, Path], tmp_path: Path
) -> None:
    db, study = two_sites
    result = cli(db, study, "--all", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    per_subject = counts(db)
    with sqlite3.connect(db) as conn:  # S0002, made before sites, now at the default site
        assert conn.execute("SELECT site FROM participants WHERE subject = 'S0002'").fetchone() == (
            BRNO,
        )

    ratings = read_csv(out / RATINGS.file)
    assert {(r["subject"], r["site"]) for r in ratings} == {
        (s, SITE_OF[s]) for s, n in per_subject.items() if n["ratings"]
    }
    assert len(ratings) == sum(n["ratings"] for n in per_subject.values())
    events = read_csv(out / AE.file)
    assert {(r["participant"], r["site"]) for r in events} == {
        (s, SITE_OF[s]) for s, n in per_subject.items() if n["symptoms"]
    }
    dm = read_csv(out / SDTM_DM.file)
    assert [(r["USUBJID"], r["SUBJID"], r["SITEID"]) for r in dm] == [
        (f"NCT03828123-{s}", s, site) for s, site in sorted(SITE_OF.items())
    ]
    redcap = read_csv(out / REDCAP_IMPORT.file)
    records = {r["record_id"]: r["site"] for r in redcap if not r["redcap_repeat_instrument"]}
    assert records == SITE_OF
    dictionary = read_csv(out / "redcap-dictionary.csv")
    assert {r["Variable / Field Name"]: r["Form Name"] for r in dictionary}["site"] == (
        "participant"
    )
    assert fhir_sites(out / "alsfrs-r4-bundle.json") == {
        s: (site, NAMES[site]) for s, site in SITE_OF.items()
    }
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["site"] is None


def test_site_export_holds_that_site_only(two_sites: tuple[Path, Path], tmp_path: Path) -> None:
    db, study = two_sites
    result = cli(db, study, "--all", str(tmp_path / "praha"), "--site", "cz-praha")
    assert result.returncode == 0, result.stderr
    out = tmp_path / "praha"
    ours = {s for s, site in SITE_OF.items() if site == PRAHA}
    theirs = set(SITE_OF) - ours
    for path in out.iterdir():
        text = path.read_text(encoding="utf-8")
        assert [s for s in theirs if s in text] == [], f"{path.name} holds another site's data"
        assert BRNO not in text, path.name
        assert NAMES[BRNO] not in text, path.name
    per_subject = counts(db)
    ratings = read_csv(out / RATINGS.file)
    assert {r["subject"] for r in ratings} == {"S0001"}
    assert len(ratings) == per_subject["S0001"]["ratings"] > 6, "self-reports and clinic"
    assert {r["site"] for r in ratings} == {PRAHA}
    events = read_csv(out / AE.file)
    assert len(events) == per_subject["S0001"]["symptoms"] > 0
    with sqlite3.connect(db) as conn:
        alerts = {
            str(row[0])
            for row in conn.execute(
                "SELECT a.id FROM alerts a JOIN participants p ON p.id = a.participant_id"
                " WHERE p.subject = 'S0001'"
            )
        }
    assert {r["alert_id"] for r in events} <= alerts
    assert {r["SUBJID"]: r["SITEID"] for r in read_csv(out / SDTM_DM.file)} == {
        s: PRAHA for s in ours
    }
    assert fhir_sites(out / "alsfrs-r4-bundle.json") == {s: (PRAHA, NAMES[PRAHA]) for s in ours}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["site"] == PRAHA
    assert manifest["counts"]["participants"] == len(ours)
    assert manifest["counts"]["ratings"] == per_subject["S0001"]["ratings"]
    assert manifest["counts"]["symptoms"] == per_subject["S0001"]["symptoms"]


def test_site_combines_with_subject_and_an_unknown_site_is_refused(
    two_sites: tuple[Path, Path], tmp_path: Path
) -> None:
    db, study = two_sites
    both = cli(db, study, "--format", "csv", "--site", BRNO, "--subject", "s0000")
    assert both.returncode == 0, both.stderr
    rows = list(csv.DictReader(io.StringIO(both.stdout)))
    assert rows
    assert {(r["subject"], r["site"]) for r in rows} == {("S0000", BRNO)}
    elsewhere = cli(db, study, "--format", "csv", "--site", BRNO, "--subject", "S0001")
    assert elsewhere.returncode == 1
    assert "no participant 'S0001' at site CZ-BRNO" in elsewhere.stderr
    assert elsewhere.stdout == ""
    unknown = cli(db, study, "--all", str(tmp_path / "none"), "--site", "CZ-OSTRAVA")
    assert unknown.returncode == 1
    assert "no site 'CZ-OSTRAVA' in the study file (CZ-BRNO, CZ-PRAHA)" in unknown.stderr
    assert not (tmp_path / "none").exists()


async def test_the_read_filters_by_site_and_reads_an_unadopted_participant_at_the_default(
    tmp_path: Path,
) -> None:
    path, study = await make_study(tmp_path)
    db = await Database.open(path)
    try:
        default = study.default_site_id
        everyone = await export_flow.read(db, default_site=default)
        assert {p.subject: p.site for p in everyone.participants} == SITE_OF
        brno = await export_flow.read(db, default_site=default, site="cz-brno")
        assert [p.subject for p in brno.participants] == ["S0000", "S0002"]
        assert {r.subject for r in brno.ratings} == {"S0000", "S0002"}
        assert {s.subject for s in brno.symptoms} == {"S0000", "S0002"}
        assert brno.symptom_reports == len(
            {s.report_id for s in everyone.symptoms if s.subject != "S0001"}
        )
        # Another default (the study file changed before adoption): S0002 moves with it.
        praha = await export_flow.read(db, default_site=PRAHA, site=PRAHA)
        assert [p.subject for p in praha.participants] == ["P0100", "S0001", "S0002"]
        one = await export_flow.read(db, default_site=default, site=PRAHA, subject="s0001")
        assert [p.subject for p in one.participants] == ["S0001"]
        assert {r.subject for r in one.ratings} == {"S0001"}
        none = await export_flow.read(db, default_site=default, site=BRNO, subject="S0001")
        assert (none.participants, none.ratings, none.symptoms) == ((), (), ())
        assert none.symptom_reports == 0
        services = Services(db=db, settings=Settings(db_path=path), study=study)
        assert await adopt_unassigned(services) == 1
        adopted = await export_flow.read(db, default_site=PRAHA, site=BRNO)
        assert [p.subject for p in adopted.participants] == ["S0000", "S0002"]
    finally:
        await db.close()
