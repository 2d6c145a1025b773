"""Local mode as a person starts it: `alsfrs-bot run` (and `make run`) with no token serves the chat
page on 127.0.0.1, seeds the demo database once and reuses it, never touches the study's
database, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent / "alsfrs-bot"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def local_env(tmp_path: Path, port: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALSFRS_")}
    return {
        **env,
        "ALSFRS_DB_PATH": str(tmp_path / "study.sqlite3"),
        "ALSFRS_LOCAL_DB_PATH": str(tmp_path / "demo.sqlite3"),
        "ALSFRS_LOCAL_PORT": str(port),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


@dataclass
class Started:
    process: asyncio.subprocess.Process
    output: list[str]
    url: str


@asynccontextmanager
async def started(
    command: list[str], env: dict[str, str], *, group: bool = False
) -> AsyncIterator[Started]:
    """Start local mode and wait for the line with the page's address."""
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=group,
    )
    assert process.stdout is not None
    output: list[str] = []
    try:
        url = ""
        while not url:
            line = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
            assert line, "local mode exited early:\n" + "".join(output)
            output.append(line)
            if line.startswith("Open http://"):
                url = line.split()[1]
        yield Started(process, output, url)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def stop_with_ctrl_c(run: Started, *, group: bool = False) -> int:
    """Ctrl-C as a terminal sends it (to the whole process group when `group`)."""
    assert run.process.stdout is not None
    if group:
        os.killpg(run.process.pid, signal.SIGINT)
    else:
        run.process.send_signal(signal.SIGINT)
    rest = await asyncio.wait_for(run.process.stdout.read(), 30)
    run.output.append(rest.decode())
    return await asyncio.wait_for(run.process.wait(), 30)


async def fetch_page(url: str) -> dict[str, object]:
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as response:
            assert response.status == 200
            assert "/web/chat.js" in await response.text()
        async with http.get(f"{url}web/chat.js") as response:
            assert response.status == 200
        async with http.get(f"{url}sim/web/config") as response:
            config: dict[str, object] = (await response.json())["result"]
    return config


async def test_run_without_a_token_serves_the_page_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    env = local_env(tmp_path, port)
    async with started([str(BIN), "run"], env) as first:
        assert first.url == f"http://127.0.0.1:{port}/"
        config = await fetch_page(first.url)
        people = config["personas"]
        assert isinstance(people, list)
        assert [p["key"] for p in people] == ["staff", "patient", "caregiver", "stranger"]
        assert config["demo"] == {
            "subject": "S-DEMO-1",
            "database": str(tmp_path / "demo.sqlite3"),
            "reset": "make demo-reset",
        }
        code = await stop_with_ctrl_c(first)
    text = "".join(first.output)
    assert code == 0, text
    assert "Traceback" not in text
    assert "created in" in text
    assert text.rstrip().endswith("Stopped.")
    assert (tmp_path / "demo.sqlite3").exists()
    assert not (tmp_path / "study.sqlite3").exists(), "local mode touched the study's database"

    async with started([str(BIN), "run"], env) as second:
        await fetch_page(second.url)
        code = await stop_with_ctrl_c(second)
    text = "".join(second.output)
    assert code == 0, text
    assert "reused in" in text
    assert "Traceback" not in text


async def test_make_run_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    # `-o` takes the installed virtual environment as it is (no reinstall inside a test).
    command = ["make", "-s", "-o", ".venv/.installed", "run"]
    async with started(command, local_env(tmp_path, free_port()), group=True) as run:
        await fetch_page(run.url)
        code = await stop_with_ctrl_c(run, group=True)
    text = "".join(run.output)
    assert "Traceback" not in text
    assert "make: ***" not in text
    assert text.rstrip().endswith("Stopped.")
    # make itself reports the interrupt it received (as the shell's 130); the bot exited 0.
    assert code in (0, -signal.SIGINT), text


async def test_local_mode_refuses_the_study_database_and_a_busy_port(tmp_path: Path) -> None:
    same = local_env(tmp_path, free_port(), ALSFRS_LOCAL_DB_PATH=str(tmp_path / "study.sqlite3"))
    process = await asyncio.create_subprocess_exec(
        str(BIN), "run", env=same, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert "ALSFRS_LOCAL_DB_PATH" in err.decode()
    assert "Traceback" not in err.decode()
    assert not (tmp_path / "study.sqlite3").exists()

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = int(busy.getsockname()[1])
        process = await asyncio.create_subprocess_exec(
            str(BIN),
            "run",
            env=local_env(tmp_path, port),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2, out.decode() + err.decode()
    assert "ALSFRS_LOCAL_PORT" in err.decode()
    assert "Traceback" not in err.decode()

    bad = local_env(tmp_path, 0, ALSFRS_LOCAL_PORT="eighty")
    process = await asyncio.create_subprocess_exec(
        str(BIN), "run", env=bad, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert "ALSFRS_LOCAL_PORT" in err.decode()
