"""Presigned POST of one export, streamed from disk so progress can be shown and memory stays flat."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import requests

CHUNK = 256 * 1024


class MultipartFile:
    """A multipart/form-data body (fields, then the file last, as S3 requires) read in chunks.

    requests sends an object with `read` and `__len__` as a stream with a Content-Length, not chunked.
    """

    def __init__(
        self,
        fields: dict[str, str],
        path: Path,
        on_progress: Callable[[int], None] | None = None,
        filename: str = "export.zip",
    ) -> None:
        self.boundary = "credscore" + secrets.token_hex(12)
        head = b"".join(
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            for name, value in fields.items()
        )
        head += (
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/zip\r\n\r\n"
        ).encode()
        self._head = head
        self._tail = f"\r\n--{self.boundary}--\r\n".encode()
        self._path = path
        self._size = path.stat().st_size
        self._file: BinaryIO | None = None
        self._position = 0
        self._on_progress = on_progress

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        return len(self._head) + self._size + len(self._tail)

    def __iter__(self) -> Any:
        while chunk := self.read(CHUNK):
            yield chunk

    def read(self, size: int = -1) -> bytes:
        size = len(self) if size is None or size < 0 else size
        out = bytearray()
        while len(out) < size and self._position < len(self):
            out += self._read_some(size - len(out))
        if self._on_progress is not None:
            self._on_progress(min(max(self._position - len(self._head), 0), self._size))
        return bytes(out)

    def _read_some(self, size: int) -> bytes:
        head_end = len(self._head)
        file_end = head_end + self._size
        if self._position < head_end:
            data = self._head[self._position : self._position + size]
        elif self._position < file_end:
            if self._file is None:
                self._file = self._path.open("rb")
            data = self._file.read(min(size, file_end - self._position))
            if not data:  # the file shrank under us: refuse rather than send a short body
                raise OSError(f"{self._path} changed while it was uploaded")
        else:
            offset = self._position - file_end
            data = self._tail[offset : offset + size]
            if self._file is not None:
                self._file.close()
                self._file = None
        self._position += len(data)
        return data


def upload_file(
    form: dict[str, Any], path: Path, on_progress: Callable[[int], None] | None = None, timeout: float = 300.0
) -> None:
    """POST `path` to its presigned form; raises requests.HTTPError with S3's answer if refused."""
    body = MultipartFile(form["fields"], path, on_progress)
    response = requests.post(
        form["url"], data=body, headers={"Content-Type": body.content_type}, timeout=timeout
    )
    response.raise_for_status()
