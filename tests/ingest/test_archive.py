from __future__ import annotations

import io
import zipfile
import zlib

import pytest

from credscore.ingest.archive import (
    ArchiveLimits,
    MemberError,
    SafeArchive,
    _natural_key,
    is_denied,
    read_member,
)
from credscore.ingest.errors import ArchiveRejected
from credscore.profile import SourceStatus

from .helpers import ingest, make_zip


def test_names_skip_junk_traversal_and_keep_first_duplicate() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("top/posts/your_posts_1.json", b"[1]")
        zf.writestr("__MACOSX/top/._x", b"")
        zf.writestr("top/.DS_Store", b"")
        zf.writestr("../evil.json", b"")
        zf.writestr("/abs.json", b"")
        zf.writestr("C:/win.json", b"")
        link = zipfile.ZipInfo("top/link.json")
        link.create_system = 3
        link.external_attr = 0o120777 << 16
        zf.writestr(link, b"/etc/passwd")
        with pytest.warns(UserWarning, match="Duplicate name"):
            zf.writestr("top/posts/your_posts_1.json", b"[2]")
    archive = SafeArchive(buffer)
    assert archive.names == ["top/posts/your_posts_1.json"]
    assert archive.read("top/posts/your_posts_1.json") == b"[1]"
    assert archive.skipped == {
        "unsafe path (traversal or absolute)": 3,
        "symbolic link": 1,
        "duplicate name": 1,
    }


def test_find_matches_path_tails_case_insensitively_in_natural_order() -> None:
    archive = SafeArchive(
        make_zip(
            {f"w/posts/your_posts_{i}.json": "[]" for i in (10, 2, 1)}
            | {"w/other/posts/x.json": "[]", "Posts/Your_Posts_3.JSON": "[]"}
        )
    )
    assert archive.find(r"posts/your_posts_\d+\.json") == [
        "w/posts/your_posts_1.json",
        "w/posts/your_posts_2.json",
        "Posts/Your_Posts_3.JSON",
        "w/posts/your_posts_10.json",
    ]
    assert archive.find(r"osts/your_posts_1\.json") == []  # whole path components only
    assert archive.resolve("posts/your_posts_2.json") == "w/posts/your_posts_2.json"
    assert archive.resolve("nothing.json") is None


def test_natural_order_takes_digits_int_refuses_as_text() -> None:
    """'²' is a digit to str.isdigit but not a number to int(): a member named so once sank the whole source."""
    archive = SafeArchive(
        make_zip({"p/1²3.json": "[]", "p/1²10.json": "[]", "p/1²2.json": "[]", "p/0.json": "[]"})
    )
    assert archive.find(r"p/[^/]+\.json") == ["p/0.json", "p/1²2.json", "p/1²3.json", "p/1²10.json"]


def test_natural_order_takes_runs_of_digits_longer_than_int_takes() -> None:
    """A member named with 5,000 digits made int() raise in the sort, out of the whole archive's ingest (such a
    path is no longer listed at all, see test_deadline_checks; the order itself still holds for any length)."""
    long, longer = "9" * 5000, "1" + "0" * 5000
    names = [f"{longer}.json", f"{long}.json", "\u0661\u0660.json", "2.json"]
    # Numbers, whatever their length or script: 2 < ١٠ (ten) < 9…9 < 10…0.
    assert sorted(names, key=_natural_key) == [
        "2.json",
        "\u0661\u0660.json",
        f"{long}.json",
        f"{longer}.json",
    ]
    archive = SafeArchive(make_zip({f"p/{n}": "[]" for n in names}))
    assert archive.find(r"p/[^/]+\.json") == ["p/2.json", "p/\u0661\u0660.json"]


@pytest.mark.parametrize("platform", ["facebook", "instagram", "x"])
def test_a_data_file_named_with_thousands_of_digits_does_not_sink_the_source(platform: str) -> None:
    digits = "9" * 5000
    good_post = [{"timestamp": 1_600_000_000, "data": [{"post": "hello there"}]}]
    members = {
        "facebook": {"posts/your_posts_1.json": good_post, f"posts/your_posts_{digits}.json": "[]"},
        "instagram": {
            "content/posts_1.json": [{"title": "hello there", "creation_timestamp": 1_600_000_000}],
            f"content/posts_{digits}.json": "[]",
        },
        "x": {
            "data/tweets.js": 'window.YTD.tweets.part0 = [{"tweet": {"id_str": "1", "full_text": "hello there",'
            ' "created_at": "Tue May 14 09:12:03 +0000 2024"}}]',
            f"data/tweets-part{digits}.js": "window.YTD.tweets.part1 = []",
        },
    }[platform]
    profile, report = ingest(platform, members)
    assert report.status == SourceStatus.PARSED
    assert [t.text for t in profile.texts] == ["hello there"]


@pytest.mark.parametrize(
    "name",
    [
        "messages/inbox/a/message_1.json",
        "your_instagram_activity/messages/inbox/x.json",
        "messages.csv",
        "Imported Contacts.csv",
        "data/direct-messages.js",
        "data/ip-audit.js",
        "security_and_login_information/x.json",
        "location/primary_location.json",
        "PhoneNumbers.csv",
        "Email Addresses.csv",
        "Registration.csv",
        "connections/contacts/synced_contacts.json",
        "data/direct-message-headers.js",
    ],
)
def test_private_areas_are_denied(name: str) -> None:
    assert is_denied(name)
    archive = SafeArchive(make_zip({name: "secret"}))
    with pytest.raises(MemberError) as excinfo:
        archive.read(name)
    assert excinfo.value.code == "private_member"


@pytest.mark.parametrize(
    "name",
    [
        "posts/your_posts_1.json",
        "Connections.csv",
        "data/tweets.js",
        "data/account.js",
        "data/like.js",
        "friends_and_followers/friend_requests_received.json",
        "pages/pages_you've_liked.json",
        "personal_information/personal_information.json",
        "your_instagram_activity/likes/liked_posts.json",
        "connections/followers_and_following/following.json",
        "Invitations.csv",
        "Profile.csv",
    ],
)
def test_needed_files_are_not_denied(name: str) -> None:
    assert not is_denied(name)


def test_limits_per_member_and_read_budget() -> None:
    limits = ArchiveLimits(max_member_bytes=100, max_read_bytes=150)
    archive = SafeArchive(make_zip({"a.json": "x" * 101, "b.json": "y" * 90, "c.json": "z" * 90}), limits)
    with pytest.raises(MemberError, match="larger"):
        archive.read("a.json")
    assert archive.read("b.json") == b"y" * 90
    with pytest.raises(MemberError) as excinfo:
        archive.read("c.json")
    assert excinfo.value.code == "read_budget"


def test_ratio_and_total_limits_reject() -> None:
    bomb = make_zip({"big.json": b"\0" * (5 << 20)})
    with pytest.raises(ArchiveRejected) as excinfo:
        SafeArchive(bomb)
    assert excinfo.value.code == "zip_bomb"
    with pytest.raises(ArchiveRejected) as excinfo:
        SafeArchive(make_zip({"a": "x" * 60, "b": "y" * 60}), ArchiveLimits(max_total_uncompressed=100))
    assert excinfo.value.code == "zip_bomb"
    with pytest.raises(ArchiveRejected) as excinfo:
        SafeArchive(make_zip({f"f{i}": "" for i in range(11)}), ArchiveLimits(max_entries=10))
    assert excinfo.value.code == "too_many_entries"


def test_read_member_returns_bytes_or_none() -> None:
    fileobj = make_zip(
        {"w/posts/media/1.jpg": b"JPEG", "w/big.jpg": b"J" * 500, "messages/inbox/p.jpg": b"x"}
    )
    assert read_member(fileobj, "w/posts/media/1.jpg", 100) == b"JPEG"
    assert read_member(fileobj, "w/posts/media/2.jpg", 100) is None
    assert read_member(fileobj, "w/big.jpg", 100) is None
    assert read_member(fileobj, "messages/inbox/p.jpg", 100) is None
    assert read_member(io.BytesIO(b"not a zip at all"), "x", 100) is None


def test_corrupt_member_is_a_member_error() -> None:
    raw = bytearray(make_zip({"a.json": "hello world " * 50}, compression=zipfile.ZIP_DEFLATED).getvalue())
    data_start = 30 + len("a.json")  # the only local header, no extra field
    raw[data_start + 2 : data_start + 12] = b"\xff" * 10  # inside a.json's compressed data
    archive = SafeArchive(io.BytesIO(bytes(raw)))
    with pytest.raises(MemberError) as excinfo:
        archive.read("a.json")
    assert excinfo.value.code == "corrupt_member"


@pytest.mark.parametrize("fast_crc", [True, False], ids=["zlib-ng CRC", "zipfile's CRC"])
@pytest.mark.parametrize(
    "compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED], ids=["stored", "deflated"]
)
def test_a_member_whose_bytes_do_not_match_its_crc_is_corrupt(
    monkeypatch: pytest.MonkeyPatch, compression: int, fast_crc: bool
) -> None:
    """A stored photo has no check but its CRC: one changed byte (a still decodable JPEG) is a corrupt member,
    whichever CRC runs; the intact archive reads back the same bytes."""
    from credscore.ingest import archive as archive_module

    if not fast_crc:
        monkeypatch.setattr(archive_module, "_fast_crc32", None)
    else:
        assert archive_module._fast_crc32 is not None, "zlib-ng is installed with the layers"
    body = bytes(range(256)) * 40
    good = make_zip({"p/1.jpg": body}, compression=compression).getvalue()
    assert SafeArchive(io.BytesIO(good)).read("p/1.jpg") == body
    zip_info = zipfile.ZipFile(io.BytesIO(good)).getinfo("p/1.jpg")
    bad = bytearray(good)
    stored = zip_info.compress_type == zipfile.ZIP_STORED
    # stored: flip a byte of the photo; deflated: change the CRC the headers declare (the data still inflates)
    if stored:
        bad[30 + len("p/1.jpg") + 100] ^= 0x01
    else:
        crc = zip_info.CRC.to_bytes(4, "little")
        bad = bytearray(bytes(bad).replace(crc, (zip_info.CRC ^ 1).to_bytes(4, "little")))
    with pytest.raises(MemberError) as excinfo:
        SafeArchive(io.BytesIO(bytes(bad))).read("p/1.jpg")
    assert excinfo.value.code == "corrupt_member"


def test_with_zlib_ng_the_member_crc_is_taken_once_not_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    """zipfile's own CRC is switched off while the faster one runs (else a photo's bytes are summed twice)."""
    from credscore.ingest import archive as archive_module

    taken: list[int] = []
    fast = archive_module._fast_crc32
    assert fast is not None

    def counted(data: bytes, value: int = 0) -> int:
        taken.append(len(data))
        return fast(data, value)

    def refused(data: bytes, value: int = 0) -> int:
        if len(data) > 1024:  # zipfile also sums the directory's file names
            raise AssertionError("zipfile's CRC ran over the member too")
        return zlib.crc32(data, value)

    body = bytes(range(256)) * 40
    good = make_zip({"p/1.jpg": body}, compression=zipfile.ZIP_STORED)
    monkeypatch.setattr(archive_module, "_fast_crc32", counted)
    monkeypatch.setattr(zipfile, "crc32", refused)
    assert SafeArchive(good).read("p/1.jpg") == body
    assert sum(taken) == len(body)


def test_backslash_separated_names_are_read_as_folders() -> None:
    """Issue 13.8: zips written by Windows tools with '\\' separators were rejected as empty."""
    from credscore.profile import SourceStatus

    from .helpers import ingest

    profile, report = ingest(
        "facebook",
        {
            "posts\\your_posts_1.json": [{"timestamp": 1_600_000_000, "data": [{"post": "hello"}]}],
            "friends_and_followers\\friends.json": {"friends_v2": [{}] * 3},
            "..\\..\\friends_and_followers\\friends.json": {"friends_v2": [{}] * 99},
        },
    )
    assert report.status == SourceStatus.PARSED
    assert [t.text for t in profile.texts] == ["hello"]
    assert profile.accounts[0].friends == 3
    assert sorted(f.name for f in profile.files) == [
        "friends_and_followers/friends.json",
        "posts/your_posts_1.json",
    ]
    assert "1 file(s) skipped: unsafe path (traversal or absolute)" in report.warnings


def test_natural_order_reads_leading_zeros_and_every_scripts_digits_as_numbers() -> None:
    two, three, eleven = "\u0968", "\u0663", "\u0967\u0967"  # Devanagari 2, Arabic-Indic 3, Devanagari 11
    zero_twelve, three_twelve = "\u0966\u0967\u0968", "\u0969\u0967\u0968"  # Devanagari 012 and 312
    in_order = [two, three, "5", "9", "010", eleven, zero_twelve, "100", three_twelve]
    listed = [in_order[i] for i in (4, 7, 3, 1, 8, 5, 2, 6, 0)]
    archive = SafeArchive(make_zip({f"p/{n}.json": "[]" for n in listed}))
    assert archive.find(r"p/[^/]+\.json") == [f"p/{n}.json" for n in in_order]
