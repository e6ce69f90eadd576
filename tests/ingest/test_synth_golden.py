"""The generator's output is pinned per seed: refactoring synth must not change a single byte it decides.

Each case hashes every member of the archive (name, compression, timestamp, mode and content, in order),
so a changed random draw, path, layout or photo shows up; the zip's own deflate bytes are left out because
they belong to the zlib build, not to the generator."""

from __future__ import annotations

import hashlib
import io
import zipfile
from typing import Any

import pytest

from credscore.synth import make_export


def _members_digest(data: bytes) -> str:
    digest = hashlib.sha256()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            header = (
                f"{info.filename}|{info.compress_type}|{info.date_time}|{info.external_attr}|{info.file_size}"
            )
            digest.update(header.encode("utf-8"))
            digest.update(hashlib.sha256(zf.read(info)).digest())
    return digest.hexdigest()


def _make(platform: str, seed: int, layout: str | None, knobs: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    make_export(platform, buffer, seed=seed, layout=layout, **knobs)
    return buffer.getvalue()


CASES: list[tuple[str, int, str | None, dict[str, Any]]] = [
    ("facebook", 0, None, {}),
    ("facebook", 3, "A", {"photos": 0, "posts": 5}),
    ("facebook", 4, "C", {"photos": 3, "wrapper": True, "birth_year": None, "post_parts": 3}),
    ("facebook", 5, "B", {"photos": 2, "large_photos": 1, "padding": 3000}),
    ("linkedin", 0, None, {}),
    ("linkedin", 7, None, {"connections": 60, "skills": 45, "birth_year": None, "invitations": 4}),
    ("x", 0, None, {}),
    ("x", 2, "legacy", {"photos": 0, "tweets": 9}),
    ("x", 6, None, {"photos": 4, "tweets": 25, "padding": 5000, "created_year": 2019}),
    ("instagram", 0, None, {}),
    ("instagram", 1, "1", {"photos": 0, "wrapper": True}),
    ("instagram", 8, "instagram-3", {"photos": 3, "posts": 4, "birth_year": None, "following": 13}),
]

# Taken on the single-module generator before it was split per platform.
EXPECTED = {
    "facebook-0": "22a745f760eebcef8b15650b54a4ebf2f6e4c737f344df51d006fbcdcef4fd66",
    "facebook-3": "035be9202c3a8ee61576998449787b6f51401405fa5ed48d04e453f08a269de3",
    "facebook-4": "305c6bcbc7452f2028ea08c037a8b0c611934d03159ca2cb7533cbec7bdf8c7e",
    "facebook-5": "88e568f56c60593c1c06a6c19bf500dd18bfcd4a4153ff5a6315ac15be3335b4",
    "linkedin-0": "53bc0659ed9c96b4c58abc84244876610724651a1d5fb8716e39bc9acc8334a8",
    "linkedin-7": "2e3118755bc5bc49ef711a6990283e5912ba919020879cac66d82ee08c887eb0",
    "x-0": "effb84c153f30da43ccf2bc1ce0bb0716c043bc144e94156560907116769127e",
    "x-2": "26dfb171412a349fc74aaf9caf9316b05af64d1c0154bd0222d730555f96d801",
    "x-6": "edc840965bb725ba7c7aa4d22795042973c944cb15f623eb5504d0884dbed8d5",
    "instagram-0": "8e12cbe6bb2423c42a25934b69a3f52aed22e8620ce8b782c72933cac7a54bba",
    "instagram-1": "503355ba587c40128918baec8511addf5ba35b4b98b431bb0de9150d6fea7971",
    "instagram-8": "a33fd968957b990ff9acdab4a2cfe9a090e815125f2fefed766eef487893d99a",
}


@pytest.mark.parametrize(
    ("platform", "seed", "layout", "knobs"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES]
)
def test_generated_archive_is_unchanged(
    platform: str, seed: int, layout: str | None, knobs: dict[str, Any]
) -> None:
    assert _members_digest(_make(platform, seed, layout, knobs)) == EXPECTED[f"{platform}-{seed}"]


def test_the_digest_sees_a_changed_member() -> None:
    data = _make("linkedin", 0, None, {})
    other = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(other, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(info, body.replace(b"Asha", b"Asho") if info.filename == "Profile.csv" else body)
    assert _members_digest(other.getvalue()) != _members_digest(data)
