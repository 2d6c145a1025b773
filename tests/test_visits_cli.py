"""`alsfrs-bot visit`, `visits`, `visit-correct` and `onset`, run as an operator would."""

from __future__ import annotations

import json

from tests.conftest import Harness


async def audit_rows(harness: Harness, subject: str) -> list[dict[str, object]]:
    out = (await harness.cli("audit", "--format", "jsonl", "--subject", subject)).stdout
    return [json.loads(line) for line in out.splitlines()]


async def test_record_list_and_correct_a_visit_with_the_audit_trail(harness: Harness) -> None:
    await harness.enroll("S501")
    out = await harness.cli(
        "visit", "S501", "--visit", "III", "--date", "2026-01-02",
        "--alsfrs", "4,4,3,4,4,3,4,4,3,4", "--item5", "a", "--fvc", "82", "--norris", "70",
        "--json",
    )  # fmt: skip
    saved = json.loads(out.stdout)
    assert saved["respondent"] == "clinic"
    assert (saved["label"], saved["date"], saved["total"]) == ("III", "2026-01-02", 37)
    assert (saved["item5_variant"], saved["fvc_percent"], saved["norris_total"]) == ("5a", 82, 70)
    assert saved["alerts"] == 0

    listed = json.loads((await harness.cli("visits", "S501", "--json")).stdout)
    assert [v["id"] for v in listed] == [saved["id"]]
    text = (await harness.cli("visits", "S501")).stdout
    assert "visit III on 2026-01-02; ALSFRS 37/40 (item 5 5a); FVC 82 %; Norris 70" in text

    fixed = await harness.cli(
        "visit-correct", str(saved["id"]), "--fvc", "78", "--reason", "transcription error",
        "--json",
    )  # fmt: skip
    changed = json.loads(fixed.stdout)
    assert (changed["old"]["fvc_percent"], changed["new"]["fvc_percent"]) == (82, 78)
    assert changed["new"]["total"] == 37
    rows = await audit_rows(harness, "S501")
    correction = next(r for r in rows if r["action"] == "visit.correct")
    assert json.loads(str(correction["old_value"]))["fvc_percent"] == 82
    assert json.loads(str(correction["new_value"]))["fvc_percent"] == 78
    assert correction["reason"] == "transcription error"
    assert correction["actor_role"] == "operator"
    assert any(r["action"] == "visit.save" for r in rows)


async def test_bad_values_are_refused_with_a_message(harness: Harness) -> None:
    await harness.enroll("S502")
    for extra, message in (
        (["--fvc", "151"], "FVC % must be a whole number 0-150"),
        (["--alsfrs", "4,4,4", "--item5", "a"], "ten scores 0-4"),
        (["--alsfrs", "4,4,4,4,4,4,4,4,4,4"], "--item5"),
        (["--date", "2999-01-01"], "future"),
    ):
        result = await harness.cli("visit", "S502", "--visit", "I", *extra, check=False)
        assert result.returncode == 1, extra
        assert message in result.stderr, (extra, result.stderr)
    bad_label = await harness.cli("visit", "S502", "--visit", "XXI", check=False)
    assert "visit must be one of I, III, VI" in bad_label.stderr
    assert json.loads((await harness.cli("visits", "S502", "--json")).stdout) == []


async def test_fvc_rule_raises_an_alert_from_the_cli(harness: Harness) -> None:
    await harness.enroll("S503")
    await harness.cli("visit", "S503", "--visit", "I", "--date", "2026-01-05", "--fvc", "90")
    out = await harness.cli(
        "visit", "S503", "--visit", "VI", "--date", "2026-04-05", "--fvc", "68", "--json"
    )
    assert json.loads(out.stdout)["alerts"] == 2  # a fall of 22 points, and below 70 %


async def test_onset_month(harness: Harness) -> None:
    await harness.enroll("S504")
    assert "S504: symptom onset 2025-03" in (await harness.cli("onset", "S504", "2025-03")).stdout
    refused = await harness.cli("onset", "S504", "2999-01", check=False)
    assert refused.returncode == 1
    rows = await audit_rows(harness, "S504")
    onset = next(r for r in rows if r["action"] == "participant.onset")
    assert json.loads(str(onset["new_value"])) == {"onset_month": "2025-03"}
