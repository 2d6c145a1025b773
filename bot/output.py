"""The one way the CLI writes health data to files: readable by the owner only (0600), never
through a symbolic link, fsynced, and never half-written (a new file is filled beside the target
and then renamed over it, or created exclusively).

- `write_files(folder, files, force=...)`: several named files into one folder (created 0700 if
  missing); refuses, before writing anything, a name that exists (without `force`) or is a link.
- `write_private(path, text)`: one file (`--output FILE` of `audit`, `alerts`,
  `participant-data`): whatever `path` was (a file or a link) is replaced, the link's target is
  never touched.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Final

__all__ = ["OutputError", "write_files", "write_private"]

_FLAGS: Final = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class OutputError(Exception):
    """An output file cannot be written; the message says which and why."""


def _open_dir(path: Path) -> int:
    """A folder to write several files into (created 0700 if missing), never through a link."""
    if path.is_symlink():
        raise OutputError(f"{path}: is a symbolic link; not followed")
    try:
        path.mkdir(mode=0o700, parents=False, exist_ok=True)
        return os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        raise OutputError(f"{path}: {exc.strerror}") from None


def _check(dir_fd: int, name: str, *, force: bool) -> None:
    try:
        found = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(found.st_mode):
        raise OutputError(f"{name}: is a symbolic link; not followed")
    if not stat.S_ISREG(found.st_mode):
        raise OutputError(f"{name}: exists and is not a file")
    if not force:
        raise OutputError(f"{name}: exists (use --force to replace it)")


def _fill(fd: int, data: bytes) -> None:
    try:
        os.fchmod(fd, 0o600)  # whatever the umask: readable by the owner only
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def _fill_new(dir_fd: int, name: str, data: bytes) -> None:
    """Create `name` (it must not exist) and fill it; on any failure it is removed again, so
    that no half-written file stays behind."""
    fd = os.open(name, _FLAGS, 0o600, dir_fd=dir_fd)
    try:
        _fill(fd, data)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name, dir_fd=dir_fd)
        raise


def _replace(dir_fd: int, name: str, data: bytes) -> None:
    """Fill a new private file beside `name`, then rename it over whatever `name` was."""
    part = f".{name}.{secrets.token_hex(6)}.part"
    _fill_new(dir_fd, part, data)
    try:
        os.replace(part, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(part, dir_fd=dir_fd)
        raise


def _write(dir_fd: int, name: str, data: bytes, *, force: bool) -> None:
    _check(dir_fd, name, force=force)
    if force:
        _replace(dir_fd, name, data)
        return
    try:
        _fill_new(dir_fd, name, data)
    except FileExistsError:
        raise OutputError(f"{name}: exists (use --force to replace it)") from None


def write_files(folder: Path, files: Sequence[tuple[str, bytes]], *, force: bool) -> None:
    """Write `files` (name, content) into `folder`; refuse before writing anything if any
    name is taken (without `force`) or is a symbolic link."""
    dir_fd = _open_dir(folder)
    try:
        for name, _ in files:
            _check(dir_fd, name, force=force)
        for name, data in files:
            _write(dir_fd, name, data, force=force)
        os.fsync(dir_fd)  # the new names themselves survive a crash
    except OSError as exc:
        raise OutputError(f"{folder}: {exc.strerror}") from None
    finally:
        os.close(dir_fd)


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` (0600), replacing whatever `path` was, a file or a link, without
    following it; the folder must exist."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"--output {path}: the folder {folder} does not exist")
    if path.is_dir():
        raise OutputError(f"--output {path}: is a folder")
    try:
        # The folder is the operator's choice, as given (it may be reached through a link); the
        # file itself is never followed.
        dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            _replace(dir_fd, path.name, text.encode("utf-8"))
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as exc:
        raise OutputError(f"--output {path}: {exc.strerror}") from None
