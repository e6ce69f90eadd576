from __future__ import annotations

import pytest

from credscore.ingest.linkedin import csv_records
from credscore.profile import Platform, SourceStatus

from .helpers import delimited_linkedin, ingest

CONNECTIONS = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are missing."\n'
    "\n"
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    'Asha,Rao,https://x,,Acme,"Lead,\nData",08 Feb 2025\n'
    ",,,,,,09 Feb 2025\n"
    "Ravi,Iyer,https://y,,Globex,Analyst,10 Mar 2024\n"
)


def test_connections_are_counted_after_notes_with_multiline_fields_and_hidden_rows() -> None:
    profile, report = ingest("linkedin", {"Connections.csv": CONNECTIONS})
    assert report.status == SourceStatus.PARSED
    (account,) = profile.accounts
    assert account.platform == Platform.LINKEDIN
    assert account.connections == 3
    assert profile.files[account.src].name == "Connections.csv"


def test_file_names_match_ignoring_case_spaces_underscores_and_a_bom() -> None:
    profile, report = ingest(
        "linkedin",
        {
            "Basic_LinkedInDataExport_01-02-2026/connections.CSV": "\ufeffFirst Name,Connected On\nA,01 Jan 2020\n",
            "SKILLS.csv": "\ufeffName\nPython\nSQL\n\n",
            "In vitations.csv": 'From,To,Sent At,Message,Direction\nA,Me,"1/29/26, 2:37 PM",hi,INCOMING\n'
            'Me,B,"1/30/26, 9:01 AM",,OUTGOING\nC,Me,"2/1/26, 2:37 PM",,incoming\n',
        },
    )
    assert report.status == SourceStatus.PARSED
    assert profile.skills == ["Python", "SQL"]
    (account,) = profile.accounts
    assert (account.connections, account.invitations_received) == (1, 2)


def test_profile_birth_date_education_and_positions() -> None:
    profile, _ = ingest(
        "linkedin",
        {
            "Profile.csv": 'First Name,Last Name,Birth Date,Headline\nAsha,Rao,"Mar 14, 1990",Analyst\n',
            "Education.csv": "School Name,Start Date,End Date,Notes,Degree Name,Activities\n"
            "IIT,2008,2012,,BTech,\nOpen U,Sep 2019,,,,\n",
            "Positions.csv": "Company Name,Title,Description,Location,Started On,Finished On\n"
            'Globex,Analyst,"did, things\nwell",Pune,Jan 2021,\nInitech,Intern,,,Jun 2015,Dec 2020\n',
        },
    )
    (bd,) = profile.birth_dates
    assert (bd.year, bd.month, bd.day) == (1990, 3, 14)
    assert [(e.school, e.degree, e.start_year, e.end_year) for e in profile.education] == [
        ("IIT", "BTech", 2008, 2012),
        ("Open U", None, 2019, None),
    ]
    assert [(p.company, p.start_year, p.end_year) for p in profile.positions] == [
        ("Globex", 2021, None),
        ("Initech", 2015, 2020),
    ]
    assert profile.accounts == []  # no counts in these files: no account invented


def test_birth_date_without_a_year_is_not_a_birth_date() -> None:
    profile, _ = ingest("linkedin", {"Profile.csv": "First Name,Birth Date\nAsha,Mar 14\n"})
    assert profile.birth_dates == []


def test_header_row_is_found_not_skipped_by_count() -> None:
    records = csv_records("Notes:\nline two\nline three\nline four\nName\nPython\n", "Name")
    assert records == [{"name": "Python"}]
    assert csv_records("nothing,useful\n1,2\n", "Name") is None


def test_private_files_are_ignored_and_unknown_columns_are_a_warning() -> None:
    profile, report = ingest("linkedin", {"Skills.csv": "Skill Title\nPython\n", "messages.csv": "FROM,TO\n"})
    assert report.status == SourceStatus.REJECTED
    assert report.reason_code == "unrecognised_file"
    assert any("Skills.csv" in w for w in report.warnings)
    assert profile.skills == []


def test_semicolon_and_tab_delimited_files_are_read_whole() -> None:
    """Issue 13.8: a LinkedIn export re-saved with semicolons came back 'parsed' with six of seven files skipped."""
    for delimiter in (";", "\t"):
        profile, report = ingest("linkedin", delimited_linkedin(delimiter))
        assert report.status == SourceStatus.PARSED
        assert not [w for w in report.warnings if "skipped" in w], report.warnings
        (account,) = profile.accounts
        assert (account.connections, account.invitations_received) == (2, 1)
        assert profile.skills == ["Python", "SQL"]
        assert [(b.year, b.month, b.day) for b in profile.birth_dates] == [(1990, 3, 5)]
        assert [(e.school, e.start_year, e.end_year) for e in profile.education] == [("IIT", 2008, 2012)]
        assert [(p.company, p.title, p.start_year) for p in profile.positions] == [
            ("Acme", "Lead, Data", 2015)
        ]


def test_a_cell_over_the_field_limit_is_reported_as_such() -> None:
    """Issue 13.8: a 50 MB cell gave 'expected column not found'."""
    from dataclasses import replace

    from credscore.ingest.archive import DEFAULT_LIMITS, MIB

    from .helpers import make_zip

    big = "First Name,Connected On\n" + "A,01 Jan 2020\n" + '"' + "x" * (2 * MIB) + '",02 Jan 2020\n'
    profile, report = ingest("linkedin", make_zip({"Connections.csv": big, "Skills.csv": "Name\nSQL\n"}))
    assert report.status == SourceStatus.PARSED  # the other file is still read
    assert profile.skills == ["SQL"]
    assert "Connections.csv skipped: a cell is larger than 1 MiB (the file was skipped)" in report.warnings
    assert not any("expected column" in w for w in report.warnings)
    assert DEFAULT_LIMITS.max_csv_field_chars == MIB
    small = replace(DEFAULT_LIMITS, max_csv_field_chars=4 * MIB)
    from credscore.ingest.ingest_archive import ingest_archive
    from credscore.profile import Profile

    profile = Profile(application_id="a")
    report = ingest_archive(profile, Platform.LINKEDIN, make_zip({"Connections.csv": big}), "k", small)
    assert profile.accounts[0].connections == 2  # under a higher limit the same file is read


@pytest.mark.parametrize(("codec", "bom"), [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")])
def test_files_resaved_as_utf16_with_a_bom_are_read(codec: str, bom: bytes) -> None:
    """Excel's "Unicode text" re-save: UTF-16 with its byte order mark, tab-delimited. They were skipped as not
    valid UTF-8."""
    files = {
        name: bom + text.encode(codec)
        for name, text in delimited_linkedin("\t").items()
        if name != "Skills.csv"
    }
    files["Skills.csv"] = bom + "Name\nPython\nखाता-बही\n\U0001f4ca Charts\n".encode(
        codec
    )  # Devanagari, astral
    profile, report = ingest("linkedin", files)
    assert report.status == SourceStatus.PARSED
    assert not [w for w in report.warnings if "skipped" in w], report.warnings
    (account,) = profile.accounts
    assert (account.connections, account.invitations_received) == (2, 1)
    assert profile.skills == ["Python", "खाता-बही", "\U0001f4ca Charts"]
    assert [(b.year, b.month, b.day) for b in profile.birth_dates] == [(1990, 3, 5)]
    assert [(p.company, p.title, p.start_year) for p in profile.positions] == [("Acme", "Lead, Data", 2015)]


_NOT_UTF16 = ("invalid_utf8", "Skills.csv skipped: not valid UTF-16 text")


@pytest.mark.parametrize(
    ("broken", "reason"),
    [
        (b"\xff\xfe" + "Name\nPython\n".encode("utf-16-le")[:-1], _NOT_UTF16),  # an odd byte count: cut short
        (b"\xff\xfe" + "Name\n".encode("utf-16-le") + b"\x00\xd8\x0a\x00", _NOT_UTF16),  # a lone surrogate
        (b"\xfe\xff" + "Name\n".encode("utf-16-le") + b"\xd8", _NOT_UTF16),
        (  # the wrong byte order mark: 'Name' reads as CJK
            b"\xfe\xff" + "Name\nPython\n".encode("utf-16-le"),
            (
                "unrecognised_file",
                "Skills.csv skipped: expected column 'Name' not found (with ',', ';' or tab as the"
                " delimiter)",
            ),
        ),
    ],
    ids=["truncated", "lone surrogate", "big-endian truncated", "wrong byte order"],
)
def test_a_broken_utf16_file_is_skipped_with_its_reason(broken: bytes, reason: tuple[str, str]) -> None:
    code, warning = reason
    profile, report = ingest(
        "linkedin", {"Skills.csv": broken, "Connections.csv": "Connected On\n01 Jan 2020\n"}
    )
    assert report.status == SourceStatus.PARSED  # the other file is still read
    assert profile.accounts[0].connections == 1
    assert profile.skills == []
    assert warning in report.warnings, report.warnings
    # alone, the file's reason is the source's
    profile, report = ingest("linkedin", {"Skills.csv": broken})
    assert (report.status, report.reason_code) == (SourceStatus.REJECTED, code)


def test_a_utf16_file_over_the_member_cap_is_skipped_before_it_is_decoded() -> None:
    from dataclasses import replace

    from credscore.ingest.archive import DEFAULT_LIMITS
    from credscore.ingest.ingest_archive import ingest_archive
    from credscore.profile import Profile

    from .helpers import make_zip

    small = replace(DEFAULT_LIMITS, max_member_bytes=64 << 10)
    text = "Connected On\n" + "01 Jan 2020\n" * 3000  # 36,013 characters, 72,028 bytes as UTF-16
    data = b"\xff\xfe" + text.encode("utf-16-le")
    profile = Profile(application_id="a")
    report = ingest_archive(profile, Platform.LINKEDIN, make_zip({"Connections.csv": data}), "k", small)
    assert (report.status, report.reason_code) == (SourceStatus.REJECTED, "member_too_large")
    assert profile.accounts == []
