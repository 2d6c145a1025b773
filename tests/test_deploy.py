"""The deployment kit in deploy/: the systemd unit and the compose file read by parsers and
checked for what operations rely on; the image is built only where Docker runs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def unit_file() -> dict[str, dict[str, list[str]]]:
    """systemd's syntax: sections, `Key=value` lines, a key may repeat, `#` comments."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for number, raw in enumerate((DEPLOY / "alsfrs-bot.service").read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None, f"line {number} outside a section"
        key, sep, value = line.partition("=")
        assert sep, f"line {number} is not Key=value: {raw!r}"
        assert key.strip().isidentifier(), f"line {number}: bad key in {raw!r}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def test_the_systemd_unit_restarts_and_is_hardened() -> None:
    unit = unit_file()
    assert set(unit) == {"Unit", "Service", "Install"}
    service = {key: values[-1] for key, values in unit["Service"].items()}
    assert service["ExecStart"].endswith("alsfrs-bot run")
    assert service["Restart"] == "on-failure"
    assert service["RestartPreventExitStatus"] == "2"  # a setting to fix: no restart loop
    assert service["User"] != "root"
    assert service["UMask"] == "0077"
    for hardening in ("NoNewPrivileges", "ProtectHome", "PrivateTmp", "PrivateDevices"):
        assert service[hardening] == "yes"
    assert service["ProtectSystem"] == "strict"
    assert service["CapabilityBoundingSet"] == ""
    assert "ALSFRS_BOT_TOKEN" not in (DEPLOY / "alsfrs-bot.service").read_text()
    assert unit["Install"]["WantedBy"] == ["multi-user.target"]
    if shutil.which("systemd-analyze"):
        result = subprocess.run(
            ["systemd-analyze", "verify", str(DEPLOY / "alsfrs-bot.service")],
            capture_output=True,
            text=True,
            check=False,
        )
        # The program is not installed here; every other complaint is a mistake in the unit.
        problems = [
            line
            for line in result.stderr.splitlines()
            if line.strip() and "is not executable" not in line
        ]
        assert problems == []


def test_the_compose_file_runs_the_bot_with_a_volume_and_a_proxy_for_webhooks() -> None:
    compose: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    bot = compose["services"]["bot"]
    proxy = compose["services"]["proxy"]
    assert bot["build"]["dockerfile"] == "deploy/Dockerfile"
    assert "data:/data" in bot["volumes"]
    assert bot["environment"]["ALSFRS_DB_PATH"].startswith("/data/")
    assert bot["healthcheck"]["test"] == ["CMD", "alsfrs-bot", "health"]
    assert bot["restart"] == "unless-stopped"
    assert bot["cap_drop"] == ["ALL"]
    assert "ALSFRS_BOT_TOKEN" not in bot["environment"]  # from the secrets file only
    assert proxy["profiles"] == ["webhook"]
    assert "bot:8443" in proxy["command"]
    assert set(compose["volumes"]) >= {"data", "backups"}


def test_the_dockerfile_runs_as_a_user_with_a_health_check() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    lines = [line.strip() for line in text.splitlines()]
    base = next(line for line in lines if line.startswith("FROM"))
    assert base.endswith("-slim")
    assert "USER alsfrs" in lines
    assert any(line.startswith("VOLUME") and "/data" in line for line in lines)
    assert 'CMD ["alsfrs-bot", "health"]' in text


def _docker_runs() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], capture_output=True, check=False).returncode == 0


@pytest.mark.skipif(not _docker_runs(), reason="no Docker daemon here")
@pytest.mark.timeout(900)
def test_the_image_builds() -> None:
    result = subprocess.run(
        ["docker", "build", "-f", str(DEPLOY / "Dockerfile"), "-t", "alsfrs-bot:test", "."],
        cwd=DEPLOY.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    help_text = subprocess.run(
        ["docker", "run", "--rm", "alsfrs-bot:test", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "backup" in help_text.stdout
