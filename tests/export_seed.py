"""A seeded study for the export tests and benchmark, written straight into a real database
(the project's migrations): patients and caregivers rating, both item 5 variants, symptom reports
of every grade with their alerts, a withdrawn participant every seventh, and Telegram ids that
must never reach an export.

Two participants in three also have clinic visits (`VISITS`): visit I rated by a staff member
with FVC and Norris, visit III entered by the operator (no rater link) without them, and visit
VI with FVC and Norris, or, every third participant, FVC only (no ALSFRS: not a rating). Visit
ids start at 1 like assessment ids, so an export that mixed the two would collide. A staff
member's unsaved draft is never exported."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Final

from conversations.domain.symptoms import CATALOGUE, OTHER
from storage.db import Database, Tx
from storage.models import iso

__all__ = ["FREE_TEXT", "START", "TELEGRAM_BASE", "VISITS", "seed", "subject"]

START: Final = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
TELEGRAM_BASE: Final = 7_731_000_000
VISITS: Final = ("I", "III", "VI")
FREE_TEXT: Final = '=HYPERLINK("x"), "quoted"\nsecond line, čeština'


def subject(i: int) -> str:
    return f"S{i:04d}"


def _score(i: int, j: int, n: int) -> int:
    return 4 - (i + j * (n + 1) + n) % 5


async def _seed(tx: Tx, participants: int, submissions: int) -> None:
    people, accounts, audits = [], [], []
    links: list[tuple[int, int, int | None, str, str]] = []
    assessments, answers, reports, items, alerts = [], [], [], [], []
    visits: list[tuple[object, ...]] = []
    aid = rid = alert_id = vid = 0
    staff = (2 * participants + 1, 2 * participants + 2)
    for link in staff:
        accounts.append((link, TELEGRAM_BASE + link, iso(START)))
        links.append((link, link, None, "staff", iso(START)))
    for i in range(participants):
        pid = i + 1
        enrolled = START + timedelta(minutes=i)
        status = "withdrawn" if i % 7 == 6 else "active"
        people.append((pid, subject(i), "en" if i % 2 == 0 else "cs", status, iso(enrolled)))
        audits.append((iso(enrolled), "operator", pid, "participant.create", "participant", pid))
        patient_link, carer_link = 2 * pid - 1, 2 * pid
        for link, role in ((patient_link, "patient"), (carer_link, "caregiver")):
            accounts.append((link, TELEGRAM_BASE + link, iso(enrolled)))
            links.append((link, link, pid, role, iso(enrolled)))
        for k, label in enumerate(VISITS if i % 3 != 2 else ()):
            vid += 1
            saved = enrolled + timedelta(days=21 * k, hours=2, minutes=30)
            rated = k != 1
            rated_by = staff[i % 2] if rated else None
            with_items = not (k == 2 and i % 3 == 0)
            scores = {n: _score(i, 100 + k, n) for n in range(1, 11)}
            variant = "5b" if i % 2 == 1 and k > 0 else "5a"
            visits.append(
                (
                    vid,
                    pid,
                    label,
                    saved.date().isoformat(),
                    variant if with_items else None,
                    json.dumps({str(n): v for n, v in scores.items()}) if with_items else None,
                    sum(scores.values()) if with_items else None,
                    (70 + (i * 7 + k) % 40) if rated else None,
                    (50 + i + k) if rated else None,
                    rated_by,
                    "staff" if rated else "operator",
                    iso(saved),
                )
            )
            actor = "staff" if rated else "operator"
            audits.append((iso(saved), actor, pid, "visit.save", "visit", vid))
        for j in range(submissions):
            aid += 1
            at = enrolled + timedelta(days=7 * j, hours=j % 5)
            by = carer_link if j % 3 == 2 else patient_link
            variant = "5b" if i % 2 == 1 and j >= submissions // 2 else "5a"
            scores = {n: _score(i, j, n) for n in range(1, 11)}
            language = "en" if (i + j) % 3 else "cs"
            assessments.append(
                (aid, pid, language, iso(at), by, iso(at), by, variant, sum(scores.values()))
            )
            for n, score in scores.items():
                answers.append((aid, n, score, variant if n == 5 else None, by, iso(at)))
            audits.append((iso(at), "patient", pid, "assessment.submit", "assessment", aid))
            if j % 4 != 1:
                continue
            rid += 1
            chosen = [CATALOGUE[(i + j + k) % len(CATALOGUE)] for k in range(1 + j % 3)]
            urgent_any = False
            for k, entry in enumerate(chosen):
                severity = 1 + (i + j + k) % 3
                urgent = severity == 3 or entry.urgency == "urgent"
                urgent_any = urgent_any or urgent
                text = FREE_TEXT if entry.id == OTHER else None
                items.append((rid, entry.id, severity, text))
                alert_id += 1
                alerts.append(
                    (alert_id, pid, entry.id, int(urgent), aid if j % 2 else None, iso(at))
                )
            reports.append(
                (rid, pid, aid if j % 2 else None, language, iso(at), by, int(urgent_any))
            )
    if participants:  # a staff member's visit in progress: never exported
        draft = (vid + 1, 1, None, None, None, None, None, None, None)
        visits.append((*draft, staff[0], "staff", iso(START)))
    await tx.executemany(
        "INSERT INTO participants (id, subject, language, status, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        people,
    )
    await tx.executemany(
        "INSERT INTO accounts (id, telegram_user_id, created_at) VALUES (?, ?, ?)", accounts
    )
    await tx.executemany(
        "INSERT INTO links (id, account_id, participant_id, role, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        links,
    )
    await tx.executemany(
        "INSERT INTO assessments (id, participant_id, status, position, language, started_at,"
        " started_by, submitted_at, submitted_by, item5_variant, total)"
        " VALUES (?, ?, 'submitted', 'done', ?, ?, ?, ?, ?, ?, ?)",
        assessments,
    )
    await tx.executemany(
        "INSERT INTO answers (assessment_id, item, score, variant, answered_by, answered_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        answers,
    )
    await tx.executemany(
        "INSERT INTO symptom_reports (id, participant_id, assessment_id, status, language,"
        " started_at, started_by, submitted_at, submitted_by, urgent)"
        " VALUES (?1, ?2, ?3, 'submitted', ?4, ?5, ?6, ?5, ?6, ?7)",
        reports,
    )
    await tx.executemany(
        "INSERT INTO symptom_report_items (report_id, symptom, severity, free_text)"
        " VALUES (?, ?, ?, ?)",
        items,
    )
    await tx.executemany(
        "INSERT INTO alerts (id, participant_id, kind, rule, urgent, message_key, message_args,"
        " assessment_id, created_at) VALUES (?1, ?2, 'symptom', ?3, ?4, 'symptom-alert', '{}',"
        " ?5, ?6)",
        alerts,
    )
    await tx.executemany(
        "INSERT INTO visits (id, participant_id, status, label, visit_date, item5_variant, items,"
        " total, fvc_percent, norris_total, rated_by, rated_by_role, created_at, saved_at)"
        " VALUES (?1, ?2, CASE WHEN ?3 IS NULL THEN 'draft' ELSE 'saved' END, ?3, ?4, ?5, ?6, ?7,"
        " ?8, ?9, ?10, ?11, ?12, CASE WHEN ?3 IS NULL THEN NULL ELSE ?12 END)",
        visits,
    )
    await tx.executemany(
        "INSERT INTO audit (at, actor_role, on_behalf_of, action, entity, entity_id)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        audits,
    )


async def seed(db: Database, *, participants: int, submissions: int) -> None:
    async def unit(tx: Tx) -> None:
        await _seed(tx, participants, submissions)

    await db.write(unit)
