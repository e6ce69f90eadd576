"""The source's deadline is asked inside every long step of reading one file, not only between files: a 64 MiB
JSON list walked element by element, Meta's mojibake repaired run by run, a CSV of blank lines, and between the
parts of one export; a path longer than any export's is not even listed. Each of these once ran a source far past
its share of the time (tens of seconds each) and the Ingest Lambda into its timeout, failing every source."""

from __future__ import annotations

import io
import zipfile

import pytest

from credscore.ingest.archive import SafeArchive
from credscore.ingest.common import SourceTimeout
from credscore.ingest.jsondecode import decode_bounded
from credscore.ingest.linkedin import iter_csv_records
from credscore.ingest.mojibake import repair_json_text
from credscore.profile import SourceStatus


class Deadline:
    """Asked `after` times without objection, then raises SourceTimeout."""

    def __init__(self, after: int) -> None:
        self.after = after
        self.asked = 0

    def __call__(self) -> None:
        self.asked += 1
        if self.asked > self.after:
            raise SourceTimeout


def test_walking_a_json_list_too_large_to_decode_whole_asks_the_deadline_every_few_thousand_values() -> None:
    text = "[" + "0," * 100_000 + "0]"
    patient = Deadline(after=10**9)
    assert decode_bounded(text, budget=1_000, max_items=10, check=patient).value.total == 100_001
    assert patient.asked == 100_002 // 4096  # one value for the list itself, one per element
    with pytest.raises(SourceTimeout):
        decode_bounded(text, budget=1_000, max_items=10, check=Deadline(after=3))


def test_repairing_mojibake_asks_the_deadline_every_few_thousand_runs() -> None:
    escaped = '"\\u00c3\\u00a9 " ' * 10_000
    literal = '"Ã© " ' * 10_000
    for text in (escaped, literal):
        patient = Deadline(after=10**9)
        assert repair_json_text(text, patient).count("é") == 10_000
        assert patient.asked == 10_000 // 4096
        with pytest.raises(SourceTimeout):
            repair_json_text(text, Deadline(after=1))


def test_a_csv_of_blank_lines_asks_the_deadline_though_it_yields_no_record() -> None:
    patient = Deadline(after=10**9)
    records = iter_csv_records("First Name,Connected On\n" + "\n" * 10_000, "First Name", check=patient)
    assert records is not None
    assert list(records) == []
    assert patient.asked >= 10_000 // 1024
    records = iter_csv_records(
        "First Name,Connected On\n" + ",\n" * 10_000, "First Name", check=Deadline(after=2)
    )
    assert records is not None
    with pytest.raises(SourceTimeout):
        list(records)


def test_a_member_path_longer_than_any_exports_is_not_listed() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("a/" * 509 + "x.json", b"{}")  # 1,024 characters: kept
        zf.writestr("a/" * 510 + "x.json", b"{}")  # 1,026: a path no export has
    buffer.seek(0)
    archive = SafeArchive(buffer)
    assert [len(n) for n in archive.names] == [1_024]
    assert archive.skipped["path too long"] == 1


class Clock:
    """Lambda's remaining time: plenty until `spent` is set, then none."""

    def __init__(self) -> None:
        self.spent = False

    def __call__(self) -> float:
        return 0.0 if self.spent else 1_000.0


def test_the_deadline_is_asked_between_the_parts_of_one_export(monkeypatch: pytest.MonkeyPatch) -> None:
    # A part that reads no data file never asked, so ten of them could take a source's share many times over.
    from credscore.ingest import pipeline

    clock = Clock()
    ingest = pipeline.ingest_archive

    def spends_the_time(*args: object, **kwargs: object) -> object:
        report = ingest(*args, **kwargs)  # type: ignore[arg-type]
        clock.spent = True
        return report

    monkeypatch.setattr(pipeline, "ingest_archive", spends_the_time)
    empty = io.BytesIO()
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("notes.txt", b"nothing an export holds")
    opened: list[str] = []

    def open_archive(key: str) -> io.BytesIO:
        opened.append(key)
        return io.BytesIO(empty.getvalue())

    profile = pipeline.build_profile(
        application_id="app",
        declared={"facebook": 3},
        received=["facebook/1", "facebook/2", "facebook/3"],
        x_handle=None,
        open_archive=open_archive,
        x_bearer_token=lambda: "",
        time_left=clock,
        reserve_seconds=5,
    )
    assert len(opened) == 1, "the second part is not opened once the source's time is spent"
    (facebook,) = profile.sources
    assert (facebook.status, facebook.reason_code) == (SourceStatus.REJECTED, "source_timeout")
