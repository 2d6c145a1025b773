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
import sys
from pathlib import Path
from typing import Any

from bot.output import OutputError, write_files
from bot.settings import StudySettings
from conversations.context import utc_now
from conversations.exports import FORMATS, MANIFEST, ExportFile, Study, build, manifest
from conversations.flows import export
from storage.db import Database

__all__ = ["add_parser", "run"]


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
