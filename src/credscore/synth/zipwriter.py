"""The deterministic zip writer every platform's export is written with, and Meta's text escaping."""

from __future__ import annotations

import datetime as dt
import json
import random
import zipfile
from pathlib import Path
from typing import Any, BinaryIO

_EPOCH = dt.datetime(1980, 1, 1)  # fixed zip timestamps keep the output byte-identical per seed


def mojibake(text: str) -> str:
    """How Meta escapes text: each UTF-8 byte becomes one code point (written as \\u00XX in the JSON)."""
    return text.encode("utf-8").decode("latin-1")


def _meta(value: Any) -> Any:
    if isinstance(value, str):
        return mojibake(value)
    if isinstance(value, list):
        return [_meta(v) for v in value]
    if isinstance(value, dict):
        return {k: _meta(v) for k, v in value.items()}
    return value


class ExportZip:
    """Deterministic zip writer with an optional wrapper folder (the top folder of a re-zipped download)."""

    def __init__(self, out: str | Path | BinaryIO, prefix: str = "") -> None:
        self.zf = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED)
        self.prefix = prefix

    def add(self, name: str, data: bytes | str, *, stored: bool = False) -> None:
        info = zipfile.ZipInfo(self.prefix + name, date_time=_EPOCH.timetuple()[:6])
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        self.zf.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)

    def json(self, name: str, document: Any, *, meta: bool = True) -> None:
        self.add(name, json.dumps(_meta(document) if meta else document, indent=2, ensure_ascii=True))

    def padding(self, name: str, size: int, rng: random.Random) -> None:
        """A big incompressible member (a video), written in chunks so memory stays small."""
        info = zipfile.ZipInfo(self.prefix + name, date_time=_EPOCH.timetuple()[:6])
        info.compress_type = zipfile.ZIP_STORED
        info.file_size = size
        block = rng.randbytes(1 << 20)
        with self.zf.open(info, "w", force_zip64=size > 0x7FFFFFFF) as stream:
            written = 0
            while written < size:
                chunk = block[: min(len(block), size - written)]
                stream.write(chunk)
                written += len(chunk)

    def close(self) -> None:
        self.zf.close()
