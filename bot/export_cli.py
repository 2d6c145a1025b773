"""`alsfrs-bot export`: the trial data manager's formats, written safely.

    alsfrs-bot export --format csv|fhir|sdtm|redcap|ae [--output PATH] [--subject S]
                      [--site SITE] [--force]
    alsfrs-bot export --all DIR [--subject S] [--site SITE] [--force]

One read (`conversations.flows.export.read`), then one module per format
(`conversations.exports`). A single-file format goes to stdout or to `--output FILE`; a
multi-file one (sdtm, redcap) needs `--output DIR`. `--all DIR` writes every format and
`manifest.json`. Files are created with mode 0600; a symbolic link is never followed; an
existing file is replaced (atomically) only with `--force`, and a refused export writes nothing.
`--site` keeps only that site's participants (its id, any case; an id the study file does not
list is refused) and everything about them; it combines with `--subject`. The caller adopts
participants enrolled before sites into the default site first (`bot.cli._export`).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import stat
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.settings import StudySettings
from conversations.context import utc_now
from conversations.exports import FORMATS, MANIFEST, ExportFile, Study, build, manifest
from conversations.flows import export
from storage.db import Database

__all__ = ["OutputError", "add_parser", "run", "write_files"]

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class OutputError(Exception):
    """The export cannot be written where asked; the message says why."""


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("export", help="export ratings and symptom reports for data managers")
    parser.add_argument("--format", choices=tuple(FORMATS), default=None)
    parser.add_argument("--output", type=Path, default=None, help="file, or folder (sdtm, redcap)")
    parser.add_argument(
        "--all",
        type=Path,
        default=None,
        metavar="DIR",
        help="every format and manifest.json into DIR",
    )
    parser.add_argument("--subject", default=None, help="one participant's data only")
    parser.add_argument("--site", default=None, help="one site's participants only (its id)")
    parser.add_argument("--force", action="store_true", help="replace existing files")


def _open_dir(path: Path) -> int:
    """A folder to write into (created 0700 if missing), never through a symbolic link."""
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


def _write(dir_fd: int, name: str, data: bytes, *, force: bool) -> None:
    _check(dir_fd, name, force=force)
    if not force:
        try:
            fd = os.open(name, _FLAGS, 0o600, dir_fd=dir_fd)
        except FileExistsError:
            raise OutputError(f"{name}: exists (use --force to replace it)") from None
        _fill(fd, data)
        return
    part = f".{name}.{secrets.token_hex(6)}.part"
    _fill(os.open(part, _FLAGS, 0o600, dir_fd=dir_fd), data)
    os.replace(part, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)


def write_files(folder: Path, files: Sequence[tuple[str, bytes]], *, force: bool) -> None:
    """Write `files` (name, content) into `folder`; refuse before writing anything if any
    name is taken (without `force`) or is a symbolic link."""
    dir_fd = _open_dir(folder)
    try:
        for name, _ in files:
            _check(dir_fd, name, force=force)
        for name, data in files:
            _write(dir_fd, name, data, force=force)
    finally:
        os.close(dir_fd)


def _study(study: StudySettings) -> Study:
    sites = tuple((site.id, site.name) for site in study.site_infos())
    return Study(id=study.study.id, name=study.study.name, sites=sites)


async def run(db: Database, study_settings: StudySettings, args: argparse.Namespace) -> int:
    """The `export` command; returns the exit code."""
    if args.all is not None and (args.format is not None or args.output is not None):
        print("alsfrs-bot: --all DIR takes neither --format nor --output", file=sys.stderr)
        return 1
    try:
        site = None if args.site is None else study_settings.named_site(args.site).id
    except ValueError as exc:
        print(f"alsfrs-bot: {exc}", file=sys.stderr)
        return 1
    now = utc_now()
    data = await export.read(
        db, default_site=study_settings.default_site_id, subject=args.subject, site=site
    )
    if args.subject is not None and not data.participants:
        where = "" if site is None else f" at site {site}"
        print(f"alsfrs-bot: no participant {args.subject!r}{where}", file=sys.stderr)
        return 1
    study = _study(study_settings)
    try:
        if args.all is not None:
            built = [(fmt, f) for fmt in FORMATS for f in build(fmt, data, study)]
            about = manifest(data, study, built, now=now, subject=args.subject, site=site)
            text = json.dumps(about, indent=2, ensure_ascii=False) + "\n"
            out = [(f.name, f.text.encode("utf-8")) for _, f in built]
            write_files(args.all, [*out, (MANIFEST, text.encode("utf-8"))], force=args.force)
            print(f"wrote {len(out) + 1} files to {args.all}", file=sys.stderr)
            return 0
        files: tuple[ExportFile, ...] = build(args.format or "csv", data, study)
        if args.output is None:
            if len(files) > 1:
                print(
                    f"alsfrs-bot: --format {args.format} writes {len(files)} files: "
                    "give --output DIR",
                    file=sys.stderr,
                )
                return 1
            sys.stdout.write(files[0].text)
            return 0
        if len(files) > 1:
            write_files(args.output, [(f.name, f.text.encode()) for f in files], force=args.force)
        else:
            output: Path = args.output
            if not output.parent.is_dir():
                print(
                    f"alsfrs-bot: --output {output}: the folder {output.parent} does not exist",
                    file=sys.stderr,
                )
                return 2
            write_files(output.parent, [(output.name, files[0].text.encode())], force=args.force)
    except OutputError as exc:
        print(f"alsfrs-bot: {exc}", file=sys.stderr)
        return 1
    return 0
