"""ArchiveMembers, read_member and the lookups the image step relies on (credscore.ingest.archive), pinned down
for the survivors of `make mutate` (MUTATION.md): one validated directory per archive, the batch's cap, no reader
kept alive, no overall budget across a batch, photo names, and uri resolution."""

from __future__ import annotations

import gc
import io
import weakref
import zipfile
from typing import Any

import pytest

from credscore.ingest import archive
from credscore.ingest.archive import ArchiveMembers, SafeArchive, is_photo, read_member


def _zip(members: dict[str, bytes]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    buffer.seek(0)
    return buffer


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Each archive directory validated (SafeArchive built), in order."""
    calls: list[Any] = []

    class Counting(SafeArchive):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            calls.append(args)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(archive, "SafeArchive", Counting)
    return calls


def test_one_directory_per_archive_and_the_cap_of_the_batch(built: list[Any]) -> None:
    photos = ArchiveMembers(_zip({"p/a.jpg": b"a" * 100, "p/b.jpg": b"b" * 100, "p/c.jpg": b"c" * 101}), 100)
    assert photos.read("p/a.jpg") == b"a" * 100
    assert photos.read("p/b.jpg") == b"b" * 100
    assert photos.read("p/c.jpg") is None, "one byte over the cap"
    assert len(built) == 1, "the directory is validated once per archive"
    # Photos are read one by one across a whole batch: no overall read budget (the default is 512 MiB).
    assert photos._archive is not None
    assert photos._archive.limits.max_read_bytes >= 1 << 62


def test_a_refused_archive_is_not_read_again_for_every_photo(built: list[Any]) -> None:
    photos = ArchiveMembers(io.BytesIO(b"not a zip at all"), 100)
    assert photos.read("p/a.jpg") is None
    assert photos.read("p/b.jpg") is None
    assert len(built) == 1


def test_nothing_keeps_a_reader_alive_after_its_batch() -> None:
    """A warm image function reads batch after batch: each batch's reader (an S3 reader holds up to 16 MiB of
    blocks) must go with it. A module-level cache keyed by the reader once kept them all."""
    gone: list[int] = []
    for i in range(3):
        reader = _zip({"p/a.jpg": b"a" * 10})
        weakref.finalize(reader, gone.append, i)
        photos = ArchiveMembers(reader, 100)
        assert photos.read("p/a.jpg") == b"a" * 10
        assert read_member(reader, "p/a.jpg", 100) == b"a" * 10
        del reader, photos
    gc.collect()
    assert gone == [0, 1, 2]


@pytest.mark.parametrize(
    ("name", "photo"),
    [
        ("x/a.jpg", True),
        ("A.JPEG", True),
        ("b.PNG", True),
        ("c.heic", True),
        ("a.jpg.txt", False),
        ("a", False),
    ],
)
def test_photos_are_known_by_extension_in_any_case(name: str, photo: bool) -> None:
    assert is_photo(name) is photo


def test_a_uri_resolves_with_or_without_its_leading_slash_up_to_sixteen_levels() -> None:
    deep = "/".join(f"d{i}" for i in range(15)) + "/z.jpg"  # 16 components
    deeper = "e/" + deep  # 17
    safe = SafeArchive(
        _zip(
            {"wrap/media/a.jpg": b"1", "wrap/xdir/b.jpg": b"4", f"wrap/{deep}": b"2", f"wrap/{deeper}": b"3"}
        )
    )
    assert safe.resolve("/Xdir/b.jpg") == "wrap/xdir/b.jpg", "only the slash is stripped, and case is ignored"
    assert safe.resolve("/media/a.jpg") == "wrap/media/a.jpg"
    assert safe.resolve("  media/a.jpg ") == "wrap/media/a.jpg"
    assert safe.resolve("media/a.jpg/") is None
    assert safe.resolve(deep) == f"wrap/{deep}"
    assert safe.resolve(deeper) is None, "deeper than 16 levels is not resolved"


def test_a_uri_of_any_depth_finds_its_member_at_the_root_or_under_a_wrapper() -> None:
    bare = SafeArchive(_zip({"media/a.jpg": b"1", "x/y/media/a.jpg": b"2", "b.jpg": b"3"}))
    assert bare.resolve("media/a.jpg") == "media/a.jpg", "a member exactly as deep as the uri"
    assert bare.resolve("y/media/a.jpg") == "x/y/media/a.jpg", "three components: the base name is the last"
    assert bare.resolve("b.jpg") == "b.jpg", "one component"
    assert bare.resolve("a.jpg") == "media/a.jpg", "the first member in directory order"
    assert bare.resolve("media/c.jpg") is None, "no member of that base name"
    assert bare.resolve("other/a.jpg") is None, "the base name alone is not enough"
    assert bare.resolve("x/y/media/a.jpg/") is None


def test_each_resolve_costs_one_probe_and_each_index_is_built_once() -> None:
    safe = SafeArchive(_zip({"w/media/a.jpg": b"1", "w/other/a.jpg": b"2", "w/b.jpg": b"3"}))
    assert safe.lookups == 0
    assert safe.resolve("media/a.jpg") == "w/media/a.jpg"
    assert safe.lookups == 4, "the (a.jpg, 2) index: two entries, one build, one probe"
    assert safe.resolve("other/a.jpg") == "w/other/a.jpg"
    assert safe.lookups == 5, "the same index again: one probe"
    assert safe.resolve("b.jpg") == "w/b.jpg"
    assert safe.lookups == 8, "the (b.jpg, 1) index: one entry, one build, one probe"
    assert safe.resolve("media/a.jpg") == "w/media/a.jpg"
    assert safe.lookups == 9


def test_find_one_prefers_the_shallowest_then_the_natural_order() -> None:
    safe = SafeArchive(
        _zip(
            {
                "a/b/posts_1.json": b"",
                "z/posts_10.json": b"",
                "z/posts_2.json": b"",
                "z/Posts_3.json": b"",
            }
        )
    )
    assert safe.find_one(r"posts_\d+\.json") == "z/posts_2.json", "shallowest, then 2 before 10"
    assert safe.find_one(r"absent\.json") is None


def test_find_orders_parts_by_their_number_ignoring_case() -> None:
    safe = SafeArchive(
        _zip({"p/posts_10.json": b"", "p/Posts_9.json": b"", "p/posts_ab.json": b"", "p/posts_a_1.json": b""})
    )
    # lower-cased, numbers as numbers: '_' sorts before letters (it would not upper-cased)
    assert safe.find(r"posts_.*\.json") == [
        "p/Posts_9.json",
        "p/posts_10.json",
        "p/posts_a_1.json",
        "p/posts_ab.json",
    ]


def test_relative_drops_only_the_wrapper_folder() -> None:
    wrapped = SafeArchive(_zip({"facebook-someone/posts/a.json": b"", "facebook-someone/b.json": b""}))
    assert wrapped.root_prefix == "facebook-someone/"
    assert wrapped.relative("facebook-someone/posts/a.json") == "posts/a.json"
    bare = SafeArchive(_zip({"posts/a.json": b"", "b.json": b""}))
    assert bare.relative("posts/a.json") == "posts/a.json"
