"""Sites in SQL: how a staff member's sites are stored, and the condition "of these sites"."""

from __future__ import annotations

import json

__all__ = ["STAFF_COVERS", "Sites", "in_sites", "sites_from_json", "sites_json"]

Sites = frozenset[str] | None  # a staff member's sites; None: every site (study-wide)


# The staff link `l` works for the site in `{site}` (an SQL expression): it is study-wide, or
# that site is one of its sites. A NULL site (not yet adopted) is the study-wide members' only.
STAFF_COVERS = "(l.sites IS NULL OR {site} IN (SELECT value FROM json_each(l.sites)))"


def sites_json(sites: Sites) -> str | None:
    """How a set of sites is stored: a sorted JSON array, NULL for study-wide."""
    return None if sites is None else json.dumps(sorted(sites))


def sites_from_json(text: str | None) -> Sites:
    return None if text is None else frozenset(str(site) for site in json.loads(text))


def in_sites(column: str, sites: Sites) -> tuple[str, tuple[object, ...]]:
    """An SQL condition (and its parameters): `column` is one of `sites` (always true for
    None, study-wide)."""
    if sites is None:
        return "1", ()
    return f"{column} IN (SELECT value FROM json_each(?))", (json.dumps(sorted(sites)),)
