"""LinkedIn "Get a copy of your data": CSV files at the zip root, columns mapped by name."""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from credscore.ingest.archive import DEFAULT_LIMITS, ArchiveLimits
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


class CsvProblem(Exception):
    """A CSV file cannot be read as a table (a cell or row beyond its limit, a NUL byte...)."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code


# LinkedIn writes commas; exports re-saved by a spreadsheet in many locales use semicolons (or tabs).
_DELIMITERS = (",", ";", "\t")
_HEADER_SEARCH_ROWS = 50  # the header follows a short 'Notes:' preamble
_MAX_COLUMNS = 64  # LinkedIn's files have under 20; more are ignored


@contextlib.contextmanager
def _field_limit(chars: int) -> Iterator[None]:
    """csv's cell limit is process-wide: set ours for this read only."""
    previous = csv.field_size_limit(chars)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _rows(text: str, delimiter: str, limits: ArchiveLimits) -> Iterator[list[str]]:
    """CSV rows one at a time; a row spanning more than `max_csv_row_chars` (quoted cells across lines
    included) or a cell beyond `max_csv_field_chars` raises CsvProblem before it can grow further."""
    row_chars = 0

    def lines() -> Iterator[str]:
        nonlocal row_chars
        for line in io.StringIO(text, newline=""):
            row_chars += len(line)
            if row_chars > limits.max_csv_row_chars:
                raise CsvProblem(
                    "csv_row_too_large",
                    f"a row is longer than {limits.max_csv_row_chars // (1 << 20)} MiB of text",
                )
            yield line

    with _field_limit(limits.max_csv_field_chars):
        reader = csv.reader(lines(), delimiter=delimiter)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if "field larger than field limit" in str(exc):
                    raise CsvProblem(
                        "csv_field_too_large",
                        f"a cell is larger than {limits.max_csv_field_chars // (1 << 20)} MiB"
                        " (the file was skipped)",
                    ) from exc
                raise CsvProblem("invalid_csv", "the file is not a readable CSV table") from exc
            row_chars = 0
            yield row[:_MAX_COLUMNS]


def _header_index(rows: Iterator[list[str]], wanted: str) -> int | None:
    for i, row in enumerate(rows):
        if i >= _HEADER_SEARCH_ROWS:
            return None
        if wanted in {_squash(c) for c in row}:
            return i
    return None


def csv_delimiter(text: str, required: str, limits: ArchiveLimits = DEFAULT_LIMITS) -> str | None:
    """The delimiter (',' ';' or tab) whose header row holds column `required`; None when none does."""
    wanted = _squash(required)
    for delimiter in _DELIMITERS:
        try:
            if _header_index(_rows(text, delimiter, limits), wanted) is not None:
                return delimiter
        except CsvProblem:
            if delimiter == _DELIMITERS[0]:
                raise  # a cell or row too large is that, whatever the delimiter
    return None


def iter_csv_records(
    text: str,
    required: str,
    limits: ArchiveLimits = DEFAULT_LIMITS,
    check: Callable[[], None] | None = None,
) -> Iterator[dict[str, str]] | None:
    """Rows after the header row (the first row holding column `required`), keyed by squashed column names,
    one at a time. None when no header is found; CsvProblem (raised) when the file cannot be read as a table.
    Quoted multi-line fields are handled by the csv module. `check` is called every 1,024 rows, blank ones
    included (the source's deadline: 64 MiB of blank lines yield no record but take 40 s)."""
    delimiter = csv_delimiter(text, required, limits)
    if delimiter is None:
        return None
    return _records_after_header(text, required, delimiter, limits, check)


def _records_after_header(
    text: str, required: str, delimiter: str, limits: ArchiveLimits, check: Callable[[], None] | None
) -> Iterator[dict[str, str]]:
    rows = _rows(text, delimiter, limits)
    wanted = _squash(required)
    header: list[str] | None = None
    for number, row in enumerate(rows):
        if check is not None and number & 0x3FF == 0:
            check()
        if header is None:
            if wanted in {_squash(c) for c in row}:
                header = [_squash(cell) for cell in row]
            continue
        if any(cell.strip() for cell in row):
            yield {key: (row[i].strip() if i < len(row) else "") for i, key in enumerate(header) if key}


def csv_records(
    text: str, required: str, limits: ArchiveLimits = DEFAULT_LIMITS
) -> list[dict[str, str]] | None:
    """Every record of `iter_csv_records` as a list (None when no header, or the file is not a table)."""
    try:
        records = iter_csv_records(text, required, limits)
        return None if records is None else list(records)
    except CsvProblem:
        return None


@dataclass
class _Table:
    member: str
    rows: list[dict[str, str]]  # the first `keep` records
    total: int  # records in the file
    tally: int  # records for which `count` held


def _records(
    ctx: ParseContext,
    file_name: str,
    required: str,
    *,
    keep: int | None = None,
    count: Callable[[dict[str, str]], bool] | None = None,
) -> _Table | None:
    """One CSV file streamed: its first `keep` records (default: the rows cap), how many it holds, and how many
    satisfy `count`. None (with the reason recorded) when absent, unreadable or without the column."""
    member = _member(ctx, file_name)
    if member is None:
        return None
    text = ctx.read_text(member, utf16=True)
    if text is None:
        return None
    keep = ctx.limits.max_rows_per_kind if keep is None else keep
    table = _Table(member, [], 0, 0)
    try:
        records = iter_csv_records(text, required, ctx.limits, ctx.check_time)
        if records is None:
            ctx.failures.append(("unrecognised_file", f"{file_name} has none of the expected columns"))
            ctx.warn(
                f"{file_name} skipped: expected column '{required}' not found"
                " (with ',', ';' or tab as the delimiter)"
            )
            return None
        for record in records:
            table.total += 1
            if len(table.rows) < keep:
                table.rows.append(record)
            if count is not None and count(record):
                table.tally += 1
    except CsvProblem as exc:
        ctx.failures.append((exc.code, f"{file_name}: {exc}"))
        ctx.warn(f"{file_name} skipped: {exc}")
        return None
    return table


def parse_linkedin(ctx: ParseContext) -> None:
    profile = ctx.profile
    ctx.layout = "linkedin"
    connections = invitations = None
    account_src: int | None = None

    if table := _records(ctx, "Connections.csv", "Connected On", keep=0):
        account_src = ctx.done(table.member)
        connections = table.total  # hidden-profile rows hold only a date: still connections

    incoming: Callable[[dict[str, str]], bool] = lambda r: r.get("direction", "").upper() == "INCOMING"  # noqa: E731
    if table := _records(ctx, "Invitations.csv", "Direction", keep=0, count=incoming):
        src = ctx.done(table.member)
        account_src = src if account_src is None else account_src
        invitations = table.tally

    if account_src is not None:
        merge_account(
            profile, ctx.platform, account_src, connections=connections, invitations_received=invitations
        )

    if table := _records(ctx, "Skills.csv", "Name"):
        ctx.done(table.member)
        for row in table.rows:
            if row.get("name"):
                ctx.add_skill(row["name"][:_SKILL_MAX])
        _offer_rest(ctx, "skills", table)

    if table := _records(ctx, "Profile.csv", "Birth Date", keep=1):
        src = ctx.done(table.member)
        for row in table.rows[:1]:
            year, month, day = date_parts(row.get("birthdate"))
            if year is not None:
                ctx.add_row(BirthDate(year=year, month=month, day=day, src=src))
    elif table := _records(ctx, "Profile.csv", "First Name", keep=0):
        ctx.done(table.member)  # older profiles have no birth date column

    if table := _records(ctx, "Education.csv", "School Name"):
        src = ctx.done(table.member)
        for row in table.rows:
            ctx.add_row(
                Education(
                    school=row.get("schoolname") or None,
                    degree=row.get("degreename") or None,
                    start_year=year_of(row.get("startdate")),
                    end_year=year_of(row.get("enddate")),
                    src=src,
                )
            )
        _offer_rest(ctx, "schools", table)

    if table := _records(ctx, "Positions.csv", "Company Name"):
        src = ctx.done(table.member)
        for row in table.rows:
            ctx.add_row(
                Position(
                    company=row.get("companyname") or None,
                    title=row.get("title") or None,
                    start_year=year_of(row.get("startedon")),
                    end_year=year_of(row.get("finishedon")),  # blank = current position
                    src=src,
                )
            )
        _offer_rest(ctx, "positions", table)


def _offer_rest(ctx: ParseContext, key: str, table: _Table) -> None:
    """Records past the kept ones still count as offered, so the report says 'first N of M'."""
    ctx.offered[key] += table.total - len(table.rows)
