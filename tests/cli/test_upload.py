from __future__ import annotations

from email.parser import BytesParser
from pathlib import Path

from credscore_cli.upload import MultipartFile


def _parts(body: MultipartFile, data: bytes) -> list[tuple[str | None, bytes]]:
    message = BytesParser().parsebytes(f"Content-Type: {body.content_type}\r\n\r\n".encode() + data)
    return [
        (part.get_param("name", header="content-disposition"), part.get_payload(decode=True))
        for part in message.get_payload()
    ]


def test_body_has_the_fields_then_the_file_and_its_length_is_exact(tmp_path: Path) -> None:
    path = tmp_path / "linkedin.zip"
    content = bytes(range(256)) * 3000  # binary, larger than one chunk
    path.write_bytes(content)
    seen: list[int] = []
    body = MultipartFile({"key": "uploads/a/linkedin/part-1.zip", "policy": "p=="}, path, seen.append)
    data = b"".join(iter(body))
    assert len(data) == len(body)
    parts = _parts(body, data)
    assert [name for name, _ in parts] == ["key", "policy", "file"]
    assert parts[0][1] == b"uploads/a/linkedin/part-1.zip"
    assert parts[2][1] == content
    # Progress rises to the file's size and never goes back.
    assert seen == sorted(seen)
    assert seen[-1] == len(content)


def test_reads_of_any_size_give_the_same_bytes(tmp_path: Path) -> None:
    path = tmp_path / "x.zip"
    path.write_bytes(b"PK" + b"z" * 1000)
    whole = MultipartFile({"a": "1"}, path)
    whole.boundary = "fixed"
    small = MultipartFile({"a": "1"}, path)
    reference = b"".join(iter(whole))
    chunks = []
    while chunk := small.read(7):
        chunks.append(chunk)
    assert len(b"".join(chunks)) == len(reference)
