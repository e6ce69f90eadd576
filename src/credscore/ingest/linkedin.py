"""LinkedIn "Get a copy of your data": CSV files at the zip root, columns mapped by name."""

from __future__ import annotations

import csv
import io
import re

from credscore.ingest.common import ParseContext
from credscore.ingest.dates import date_parts, year_of
from credscore.ingest.merge import merge_account
from credscore.profile import BirthDate, Education, Position

_SKILL_MAX = 200


def _squash(text: str) -> str:
    """Case, space, underscore and BOM-insensitive key for file and column names."""
    return re.sub(r"[\s_\-\ufeff]", "", text).lower()


def _member(ctx: ParseContext, file_name: str) -> str | None:
    """Shallowest member whose base name equals `file_name` up to case, spaces and underscores."""
    wanted = _squash(file_name)
    found = [n for n in ctx.archive.names if _squash(n.rsplit("/", 1)[-1]) == wanted]
    return min(found, key=lambda n: (n.count("/"), n)) if found else None


def csv_records(text: str, required: str) -> list[dict[str, str]] | None:
    """Rows after the header row (the first row holding column `required`), keyed by squashed column names.
    None when no header is found. Quoted multi-line fields are handled by the csv module."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        return None
    at = next((i for i, row in enumerate(rows) if _squash(required) in {_squash(c) for c in row}), None)
    if at is None:
        return None
    header = [_squash(cell) for cell in rows[at]]
    return [
        {key: (row[i].strip() if i < len(row) else "") for i, key in enumerate(header) if key}
        for row in rows[at + 1 :]
        if any(cell.strip() for cell in row)
    ]


def _records(ctx: ParseContext, file_name: str, required: str) -> tuple[str, list[dict[str, str]]] | None:
    member = _member(ctx, file_name)
    if member is None:
        return None
    text = ctx.read_text(member)
    if text is None:
        return None
    records = csv_records(text, required)
    if records is None:
        ctx.failures.append(("unrecognised_file", f"{file_name} has none of the expected columns"))
        ctx.warn(f"{file_name} skipped: expected column '{required}' not found")
        return None
    return member, records


def parse_linkedin(ctx: ParseContext) -> None:
    profile = ctx.profile
    ctx.layout = "linkedin"
    connections = invitations = None
    account_src: int | None = None

    if found := _records(ctx, "Connections.csv", "Connected On"):
        member, rows = found
        account_src = ctx.done(member)
        connections = len(rows)  # hidden-profile rows hold only a date: still connections

    if found := _records(ctx, "Invitations.csv", "Direction"):
        member, rows = found
        src = ctx.done(member)
        account_src = src if account_src is None else account_src
        invitations = sum(1 for r in rows if r.get("direction", "").upper() == "INCOMING")

    if account_src is not None:
        merge_account(
            profile, ctx.platform, account_src, connections=connections, invitations_received=invitations
        )

    if found := _records(ctx, "Skills.csv", "Name"):
        member, rows = found
        ctx.done(member)
        profile.skills.extend(r["name"][:_SKILL_MAX] for r in rows if r.get("name"))

    if found := _records(ctx, "Profile.csv", "Birth Date"):
        member, rows = found
        src = ctx.done(member)
        for row in rows[:1]:
            year, month, day = date_parts(row.get("birthdate"))
            if year is not None:
                profile.birth_dates.append(BirthDate(year=year, month=month, day=day, src=src))
    elif found := _records(ctx, "Profile.csv", "First Name"):
        ctx.done(found[0])  # older profiles have no birth date column

    if found := _records(ctx, "Education.csv", "School Name"):
        member, rows = found
        src = ctx.done(member)
        for row in rows:
            profile.education.append(
                Education(
                    school=row.get("schoolname") or None,
                    degree=row.get("degreename") or None,
                    start_year=year_of(row.get("startdate")),
                    end_year=year_of(row.get("enddate")),
                    src=src,
                )
            )

    if found := _records(ctx, "Positions.csv", "Company Name"):
        member, rows = found
        src = ctx.done(member)
        for row in rows:
            profile.positions.append(
                Position(
                    company=row.get("companyname") or None,
                    title=row.get("title") or None,
                    start_year=year_of(row.get("startedon")),
                    end_year=year_of(row.get("finishedon")),  # blank = current position
                    src=src,
                )
            )
