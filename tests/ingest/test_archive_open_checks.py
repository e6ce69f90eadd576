"""What SafeArchive checks before anything is decompressed (credscore.ingest.archive), called directly: the entry
count read from the end record (ZIP64 too) before zipfile builds one object per entry, each rejection's code and
text (the source report shows them), and every limit at its exact edge. Written for the survivors of
`make mutate` (MUTATION.md)."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
from typing import Any

import pytest

from credscore.ingest import archive
from credscore.ingest.archive import MIB, ArchiveLimits, SafeArchive, _count_entries, _directory
from credscore.ingest.errors import ArchiveRejected

EOCD = b"PK\x05\x06"


def _zip_bytes(
    members: dict[str, bytes], *, compression: int = zipfile.ZIP_STORED, comment: bytes = b""
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        zf.comment = comment
    return buffer.getvalue()


def _zip64_bytes(count: int, monkeypatch: pytest.MonkeyPatch, comment: bytes = b"") -> bytes:
    """A zip with ZIP64 end records (the end record's count says 0xFFFF), as exports of 65,535+ files have."""
    with monkeypatch.context() as patch:
        patch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 1)  # zipfile writes the ZIP64 records above this count
        raw = _zip_bytes({f"d/{i}.json": b"{}" for i in range(count)}, comment=comment)
    assert raw.rfind(b"PK\x06\x07") > 0
    return _with_declared_count(raw, 0xFFFF)  # what the end record says when the count does not fit


def _count(raw: bytes) -> int | None:
    directory = _directory(io.BytesIO(raw))
    return None if directory is None else directory.declared_entries


def _rejection(raw: bytes | io.BytesIO | Any, limits: ArchiveLimits | None = None) -> tuple[str, str]:
    fileobj = io.BytesIO(raw) if isinstance(raw, bytes) else raw
    with pytest.raises(ArchiveRejected) as caught:
        SafeArchive(fileobj, limits) if limits else SafeArchive(fileobj)
    return caught.value.code, caught.value.reason


def _with_declared_count(raw: bytes, count: int) -> bytes:
    data = bytearray(raw)
    at = data.rfind(EOCD)
    struct.pack_into("<HH", data, at + 8, count, count)
    return bytes(data)


# ------------------------------------------------------------------------------------------ the declared count
def test_the_end_record_gives_the_entry_count_with_or_without_a_comment() -> None:
    assert _count(_zip_bytes({})) == 0, "an empty zip is its end record alone"
    assert _count(_zip_bytes({"a.json": b"{}", "b.json": b"[]"})) == 2
    # the longest comment a zip can carry puts the end record 64 KiB + 22 bytes from the end
    assert _count(_zip_bytes({"a.json": b"{}"}, comment=b"c" * 0xFFFF)) == 1
    # member data that holds the end record's signature is not taken for it (the last one is)
    assert _count(_zip_bytes({"a.json": EOCD + b"\x00" * 40, "b.json": b"{}"})) == 2


def test_counts_above_32767_and_missing_or_cut_end_records() -> None:
    assert _count(_with_declared_count(_zip_bytes({"a.json": b"{}"}), 40_000)) == 40_000, "read unsigned"
    assert _count(b"this is no zip at all, but long enough") is None
    assert _count(_zip_bytes({"a.json": b"{}"})[:-1]) is None, "an end record cut short"
    assert _count(b"") is None


def test_a_zip64_count_is_read_from_its_own_record(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _count(_zip64_bytes(3, monkeypatch)) == 3
    # a comment that puts the ZIP64 locator exactly at the start of the tail read
    assert _count(_zip64_bytes(3, monkeypatch, comment=b"c" * 65_516)) == 3


def test_a_zip64_record_declaring_an_absurd_count_is_refused_before_zipfile_reads_the_directory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw = bytearray(_zip64_bytes(3, monkeypatch))
    record = raw.rfind(b"PK\x06\x06")
    struct.pack_into("<QQ", raw, record + 24, 2**64 - 1, 2**64 - 1)  # entries on this disk, in total
    assert _count(bytes(raw)) == 2**64 - 1
    assert _rejection(bytes(raw)) == (
        "too_many_entries",
        f"the archive lists {2**64 - 1} files (limit 200000)",
    )


def test_exactly_65535_entries_without_zip64_records_is_that_count() -> None:
    assert _count(_with_declared_count(_zip_bytes({"a.json": b"{}"}), 0xFFFF)) == 0xFFFF


class _CountingReader(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.bytes_read += len(data)
        return data


def test_a_zip64_locator_pointing_anywhere_costs_a_few_small_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """The count is read from at most the last 64 KiB + 22 bytes and one 56-byte record, so a ranged S3 reader
    fetches a few blocks, even when a hostile locator points at the start of a large upload."""
    raw = bytearray(_zip64_bytes(3, monkeypatch))
    raw[0:0] = bytes(MIB)  # a megabyte before the first member, as if the upload were large
    locator = raw.rfind(b"PK\x06\x07")
    struct.pack_into("<Q", raw, locator + 8, 0)  # the ZIP64 record "is" at the start of the file
    reader = _CountingReader(bytes(raw))
    directory = _directory(reader)
    assert directory is not None
    assert directory.declared_entries == 3, "the record zipfile reads"
    assert reader.bytes_read <= (1 << 16) + 22 + 56


# ------------------------------------------------------------------------------------------------ rejections
class _Unreadable(io.BytesIO):
    def seek(self, offset: int, whence: int = 0) -> int:
        raise OSError("connection reset")


def test_each_rejection_says_why() -> None:
    good = _zip_bytes({"a.json": b"{}" * 100})
    assert _rejection(_Unreadable()) == ("unreadable", "the upload could not be read")
    assert _rejection(b"") == ("not_a_zip", "the file is empty, not a zip archive")
    assert _rejection(b"P") == ("not_a_zip", "the file is not a zip archive")
    assert _rejection(b"%PDF-1.7 " + bytes(100)) == ("not_a_zip", "the file is not a zip archive")
    assert _rejection(good[: len(good) // 2]) == (
        "truncated",
        "the zip archive is incomplete (truncated or damaged); upload the whole file again",
    )


def test_the_entry_limit_holds_at_its_edge_on_the_declared_and_the_real_count() -> None:
    ten = _zip_bytes({f"d/{i}.json": b"" for i in range(10)})
    assert len(SafeArchive(io.BytesIO(ten), ArchiveLimits(max_entries=10)).names) == 10
    assert _rejection(ten, ArchiveLimits(max_entries=9)) == (
        "too_many_entries",
        "the archive lists 10 files (limit 9)",
    )
    # an end record that under-declares: the entries are counted in the directory before zipfile reads it
    assert _rejection(_with_declared_count(ten, 1), ArchiveLimits(max_entries=9)) == (
        "too_many_entries",
        "the archive lists more than 9 files",
    )
    assert (
        len(SafeArchive(io.BytesIO(_with_declared_count(ten, 1)), ArchiveLimits(max_entries=10)).names) == 10
    )


def _directory_only(count: int, declared: int) -> bytes:
    """A central directory of `count` minimal entries (no member data at all) under an end record that says
    `declared`: the cheapest way to make zipfile build millions of objects."""
    entries = b"".join(
        struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 3, 20, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0)
        + b"%08d" % i
        for i in range(count)
    )
    return entries + struct.pack("<4s4H2LH", EOCD, 0, 0, declared, declared, len(entries), 0, 0)


def test_a_directory_of_more_entries_than_declared_is_refused_without_building_them() -> None:
    raw = _directory_only(200_001, declared=1)  # 10.8 MB, within the directory's byte limit
    tracemalloc.start()
    try:
        refused = _rejection(raw)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused == ("too_many_entries", "the archive lists more than 200000 files")
    # zipfile would have held the 10.8 MB directory and 200,001 ZipInfo objects (~130 MB); the count reads 1 MiB
    # at a time
    assert peak < 4 * MIB, peak


def test_the_directory_is_found_where_zipfile_finds_it(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = _zip_bytes({"a.json": b"{}", "b/c.json": b"[]"}, comment=b"note")
    for raw in (plain, b"#!/bin/sh stub\n" + plain, _zip64_bytes(3, monkeypatch)):
        directory = _directory(io.BytesIO(raw))
        assert directory is not None
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            assert directory.start == zf.start_dir
        # the directory ends where the zip64 end record (or, without one, the end record) begins
        ends_at = raw.rfind(b"PK\x06\x06") if b"PK\x06\x07" in raw else raw.rfind(EOCD)
        assert directory.start + directory.size == ends_at


def test_the_directory_size_limit_holds_at_its_edge() -> None:
    raw = _zip_bytes({"a.json": b"{}", "b.json": b"[]", "c.json": b"{}"})
    directory = _directory(io.BytesIO(raw))
    assert directory is not None
    assert len(SafeArchive(io.BytesIO(raw), ArchiveLimits(max_directory_bytes=directory.size)).names) == 3
    assert _rejection(raw, ArchiveLimits(max_directory_bytes=directory.size - 1)) == (
        "too_many_entries",
        f"the archive's list of files takes {directory.size} bytes (limit {directory.size - 1})",
    )


def test_the_other_rejections_say_why() -> None:
    two = bytearray(_zip_bytes({"a.json": b"{}", "b.json": b"[]"}))
    second = two.find(b"PK\x01\x02", two.find(b"PK\x01\x02") + 4)
    struct.pack_into("<I", two, second + 42, 0)  # entry 2's data := entry 1's
    assert _rejection(bytes(two)) == ("zip_bomb", "files in the archive overlap each other")
    encrypted = bytearray(_zip_bytes({"a.json": b"{}"}))
    central = encrypted.find(b"PK\x01\x02")
    struct.pack_into("<H", encrypted, central + 8, 0x1)
    assert _rejection(bytes(encrypted)) == (
        "encrypted",
        "the archive is password-protected; upload it again without a password",
    )
    assert _rejection(_zip_bytes({"a.json": bytes(5 * MIB)}, compression=zipfile.ZIP_DEFLATED)) == (
        "zip_bomb",
        "a file in the archive expands far beyond any real export",
    )
    assert _rejection(
        _zip_bytes({"a.json": b"x" * 60, "b.json": b"y" * 41}), ArchiveLimits(max_total_uncompressed=100)
    ) == (
        "zip_bomb",
        "the archive expands to more data than any real export holds",
    )


# ---------------------------------------------------------------------------------------------------- limits
def _declared_sizes(raw: bytes, *, file_size: int, compress_size: int) -> bytes:
    """The only member's sizes in the central directory (what the checks read) set by hand."""
    data = bytearray(raw)
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<II", data, central + 20, compress_size, file_size)
    return bytes(data)


def test_the_ratio_check_applies_only_above_its_size_and_strictly_above_its_ratio() -> None:
    # 4 MiB of zeros compress a thousandfold, but files up to 4 MiB may
    at_min = _zip_bytes({"a.json": bytes(4 * MIB)}, compression=zipfile.ZIP_DEFLATED)
    assert SafeArchive(io.BytesIO(at_min)).names == ["a.json"]
    # big files that do not compress are fine; so is an empty one
    plain = _zip_bytes({"a.jpg": bytes(range(256)) * (20 * 1024), "b.json": b""})
    assert SafeArchive(io.BytesIO(plain)).names == ["a.jpg", "b.json"]
    one = _zip_bytes({"a.json": b"x" * 32_768})
    exactly = _declared_sizes(one, file_size=200 * 32_768, compress_size=32_768)  # 6.25 MiB at ratio 200
    assert SafeArchive(io.BytesIO(exactly)).names == ["a.json"]
    above = _declared_sizes(one, file_size=200 * 32_768 + 1, compress_size=32_768)
    assert _rejection(above)[0] == "zip_bomb"
    nothing_stored = _declared_sizes(one, file_size=5 * MIB, compress_size=0)
    assert _rejection(nothing_stored)[0] == "zip_bomb"


def test_the_total_may_reach_its_limit_exactly() -> None:
    raw = _zip_bytes({"a.json": b"x" * 60, "b.json": b"y" * 40})
    assert len(SafeArchive(io.BytesIO(raw), ArchiveLimits(max_total_uncompressed=100)).names) == 2
    assert _rejection(raw, ArchiveLimits(max_total_uncompressed=99))[0] == "zip_bomb"


# ------------------------------------------------------------------------------------------------------ names
def _link(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = 0o120777 << 16
    return info


def test_every_skipped_name_is_counted_and_drive_letters_of_either_case_are_unsafe() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("posts/a.json", b"[1]")
        zf.mkdir("media")  # a folder entry, "media/": no member
        for unsafe in ("c:/x.json", "D:\\y.json", "posts/../../z.json"):
            zf.writestr(unsafe, b"")
        zf.writestr(_link("posts/l1.json"), b"/etc/passwd")
        zf.writestr(_link("posts/l2.json"), b"/etc/shadow")
        for later in (b"[2]", b"[3]"):
            with pytest.warns(UserWarning, match="Duplicate name"):
                zf.writestr("posts/a.json", later)
    archive = SafeArchive(buffer)
    assert archive.names == ["posts/a.json"]
    assert archive.read("posts/a.json") == b"[1]", "the first of duplicates is kept"
    assert archive.skipped == {
        "unsafe path (traversal or absolute)": 3,
        "symbolic link": 2,
        "duplicate name": 2,
    }


def test_a_single_top_folder_is_a_wrapper_unless_it_is_an_export_folder() -> None:
    def prefix(*names: str) -> str:
        return SafeArchive(io.BytesIO(_zip_bytes(dict.fromkeys(names, b"")))).root_prefix

    assert prefix("Posts/a.json", "Posts/b/c.json") == "", "an export's own folder, in any case"
    assert prefix("facebook-someone/a.json", "facebook-someone/b/c.json") == "facebook-someone/"
    assert prefix("w/a.json", "v/b.json") == "", "two top folders"
    assert prefix("w/a.json", "b.json") == "", "a file at the top"


# ------------------------------------------------------------------------------------- counting the entries
def _entries_counted(raw: bytes, limit: int = 200_000) -> int:
    directory = _directory(io.BytesIO(raw))
    assert directory is not None
    return _count_entries(io.BytesIO(raw), directory, limit)


def _zip_with_long_fields(count: int) -> bytes:
    """Entries whose extra field and comment are long (up to 40,000 bytes: past a signed 16-bit length)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for i in range(count):
            info = zipfile.ZipInfo(f"d/{i}.json")
            info.extra = (
                b"\xfe\xca" + (40_000 - 4).to_bytes(2, "little") + bytes(40_000 - 4) if i % 2 else b""
            )
            info.comment = b"c" * (i * 7)
            zf.writestr(info, b"{}")
    return buffer.getvalue()


@pytest.mark.parametrize("chunk", [46, 100, 4096, 1 << 20])
def test_the_entries_are_counted_as_zipfile_finds_them_whatever_the_reads_chunk(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive, "_DIRECTORY_CHUNK", chunk)
    long_fields = _zip_with_long_fields(7)
    assert _entries_counted(long_fields) == 7
    assert _entries_counted(_directory_only(9, declared=1)) == 9
    with zipfile.ZipFile(io.BytesIO(long_fields)) as zf:
        assert len(zf.infolist()) == 7


def test_counting_stops_one_past_the_limit_and_at_a_damaged_entry() -> None:
    raw = _directory_only(50, declared=1)
    assert _entries_counted(raw, limit=10) == 11
    assert _entries_counted(raw, limit=50) == 50
    damaged = bytearray(raw)
    struct.pack_into("4s", damaged, 2 * 54, b"PK\x09\x09")  # the third entry's signature
    assert _entries_counted(bytes(damaged)) == 2, "zipfile then refuses the directory itself"


def test_entries_of_46_bytes_each_are_all_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = struct.pack(
        "<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 3, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    )
    assert len(entry) == 46
    raw = entry * 3 + struct.pack("<4s4H2LH", EOCD, 0, 0, 3, 3, 46 * 3, 0, 0)
    assert _entries_counted(raw) == 3
    monkeypatch.setattr(archive, "_DIRECTORY_CHUNK", 46)  # one entry a read, the last filling it exactly
    assert _entries_counted(raw) == 3


def test_the_count_reads_the_directory_a_chunk_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "_DIRECTORY_CHUNK", 1000)
    raw = bytes(5000) + _directory_only(200, declared=1)  # data before the directory, as members would be
    directory = _directory(io.BytesIO(raw))
    assert directory is not None
    reads: list[int] = []

    class Recording(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            data = super().read(size)
            reads.append(len(data))
            return data

    assert _count_entries(Recording(raw), directory, 10_000) == 200
    assert max(reads) <= 1000
    assert sum(reads) <= directory.size + 1000


def test_a_failing_read_while_counting_is_an_unreadable_upload() -> None:
    raw = _zip_bytes({"a.json": b"{}", "b.json": b"[]"})
    directory = _directory(io.BytesIO(raw))
    assert directory is not None

    class FailsInTheDirectory(io.BytesIO):
        def seek(self, offset: int, whence: int = 0) -> int:
            if whence == 0 and offset == directory.start:
                raise OSError("connection reset")
            return super().seek(offset, whence)

    assert _rejection(FailsInTheDirectory(raw)) == ("unreadable", "the upload could not be read")


# ------------------------------------------------------------------ the end record as zipfile itself finds it
def _entries(count: int) -> bytes:
    """`count` central directory entries of empty stored files named by their number (no local headers)."""
    return b"".join(
        struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 3, 20, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, i)
        + b"%08d" % i
        for i in range(count)
    )


def test_an_end_record_whose_own_fields_spell_its_signature_is_read_where_zipfile_reads_it() -> None:
    # The disk-number fields spell "PK\x05\x06": a backwards search for the signature landed inside the record,
    # found nothing sensible and skipped every check while zipfile built 3 million entries (1.6 GB).
    entries = _entries(50)
    raw = entries + struct.pack("<4s4H2LH", EOCD, 0x4B50, 0x0605, 1, 1, len(entries), 0, 0)
    directory = _directory(io.BytesIO(raw))
    assert directory is not None
    assert (directory.declared_entries, directory.start, directory.size) == (1, 0, len(entries))
    assert _rejection(raw, ArchiveLimits(max_entries=10)) == (
        "too_many_entries",
        "the archive lists more than 10 files",
    ), "refused from the directory's headers, before zipfile builds them"


def test_a_zip64_count_is_read_from_the_record_zipfile_reads_not_where_the_locator_points() -> None:
    # zipfile reads the zip64 end record just before its locator and ignores the locator's offset.
    entries = _entries(50)
    record = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, 50, 50, len(entries), 0)
    for elsewhere in (2**62, 0):
        locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, elsewhere, 1)
        end = struct.pack("<4s4H2LH", EOCD, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
        raw = entries + record + locator + end
        directory = _directory(io.BytesIO(raw))
        assert directory is not None
        assert (directory.declared_entries, directory.start, directory.size) == (50, 0, len(entries))
        assert _rejection(raw, ArchiveLimits(max_entries=10)) == (
            "too_many_entries",
            "the archive lists 50 files (limit 10)",
        )
