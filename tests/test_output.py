"""The one safe-output writer (bot/output.py): owner-only files, never through a link, and
nothing half-written left behind when the disk fails."""

from __future__ import annotations

import errno
import stat
from pathlib import Path

import pytest

from bot.output import OutputError, write_files, write_private


def _disk_full(_fd: int) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_failed_write_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "old.csv").write_text("kept", encoding="utf-8")
    monkeypatch.setattr("bot.output.os.fsync", _disk_full)
    with pytest.raises(OutputError, match="No space left"):
        write_private(folder / "a.csv", "S001,4,4,4")
    with pytest.raises(OutputError, match="No space left"):
        write_files(folder, [("b.csv", b"S001,4")], force=False)
    with pytest.raises(OutputError, match="No space left"):
        write_files(folder, [("old.csv", b"S001,4")], force=True)
    assert sorted(p.name for p in folder.iterdir()) == ["old.csv"]
    assert (folder / "old.csv").read_text(encoding="utf-8") == "kept"
    monkeypatch.undo()
    write_files(folder, [("b.csv", b"S001,4")], force=False)  # no stale file in the way
    assert (folder / "b.csv").read_bytes() == b"S001,4"


def test_private_files_replace_a_link_without_following_it(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    target = tmp_path / "audit.csv"
    target.symlink_to(victim)
    write_private(target, "id,at")
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert not target.is_symlink()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    (tmp_path / "link.csv").symlink_to(victim)
    with pytest.raises(OutputError, match="symbolic link"):
        write_files(tmp_path, [("link.csv", b"x")], force=True)
    assert victim.read_text(encoding="utf-8") == "keep me"
