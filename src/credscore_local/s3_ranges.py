"""Ranged S3 GETs on the local stack cost their range, as in S3 (moto 5.2.5 reads the whole object for each).

moto 5.2.5's `S3Response.get_object` returns `FakeKey.value`, which reads the key's whole stored buffer (a
`SpooledTemporaryFile`, on disk past 8 MiB); `S3Response.key_response` then hands that to
`S3Response._handle_range_header`, which slices `response_content[begin : end + 1]`. A 1 KB range of a 270 MiB
archive costs 0.2–0.3 s that way, and the image functions read each photo with a few ranged GETs of the archive,
so a camera-sized applicant measured the emulator rather than the pipeline. HEAD never reads the value.

The patch changes no response. While moto's `get_object` serves a GET that carries a Range header, `FakeKey.value`
yields a `StoredBody`: its length is the key's size and a slice of it seeks in the stored buffer and reads only
that slice, so `_handle_range_header` (unchanged: statuses, Content-Range, suffix and open ranges, invalid ranges,
checksum headers) reads the range alone. Whatever moto returns unsliced (a range it ignores, `partNumber`) is read
whole in `key_response`, as before. The wrappers replace `S3Response.get_object`, `S3Response.key_response` and
the `FakeKey.value` getter by wrappers that call moto's own; `moto_changed()` names any of the moto functions this
relies on whose source differs from 5.2.5's (a unit test asserts none does, and `install` then leaves moto as it
is, so an upgrade is slow and loud rather than wrong).

One difference: moto reads the whole value before it builds the response, so a GET that races an overwrite or a
delete of its key in those microseconds got the old bytes; here a GET that reaches the key's buffer after the old
one was swapped out (s3_disposal) or closed gets a 500 that the SDK retries and that then reads the new object,
and one that reached it before reads the old bytes (S3 may serve either version then too).
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from credscore_local import moto_guard

# sha256 of the source of what the patch wraps or relies on, in moto 5.2.5.
MOTO_SOURCES = {
    "S3Response.get_object": "e9731229dec14fcdd1e4c14e6494793528cdd2e52190d12980959f50cfadc937",
    "S3Response.key_response": "482dd528b49e03599c0df0dac38c2fd7441ff40345b947ec7185f6ee7b8f6942",
    "S3Response._handle_range_header": "d6480a54a4dff3743ce5d929f6246b160ce43b58bb7881414f35402a2b9cefd5",
    "S3Response._send_response": "1637e0b7d5eef5368acc560d4b3c6f8521e173e007e9a8981a7d6a04bf80e2bb",
    "FakeKey.value": "5e9a53c3d82cc883da5172430ec762dd2e90a12a304107ce40ac0b53896a88cf",
}

_SERVING_RANGE: contextvars.ContextVar[bool] = contextvars.ContextVar("serving_range", default=False)


class StoredBody:
    """A key's stored bytes, read on demand: `len()` is the size, a slice reads just that part of the buffer."""

    def __init__(self, key: Any, read_all: Callable[[Any], bytes]) -> None:
        self._key = key
        self._read_all = read_all

    def __len__(self) -> int:
        return int(self._key.size)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step == 1:
                if stop <= start:
                    return b""
                with self._key.lock:
                    buffer = self._key._value_buffer
                    buffer.seek(start)
                    return buffer.read(stop - start)
        return self.read()[index]

    def read(self) -> bytes:
        return self._read_all(self._key)


def _functions(originals: Mapping[str, Any]) -> dict[str, Any]:
    from moto.s3.models import FakeKey
    from moto.s3.responses import S3Response

    return {
        "S3Response.get_object": S3Response.get_object,
        "S3Response.key_response": S3Response.key_response,
        "S3Response._handle_range_header": S3Response._handle_range_header,
        "S3Response._send_response": S3Response._send_response,
        "FakeKey.value": (originals.get("FakeKey.value") or _value_property(FakeKey)).fget,
    }


def _value_property(fake_key: type) -> property:
    stored = inspect.getattr_static(fake_key, "value")
    assert isinstance(stored, property)
    return stored


def _serve_ranges() -> dict[str, Any]:
    """Wrap moto's GET, its key response and the value getter; returns moto's own."""
    from moto.s3.models import FakeKey
    from moto.s3.responses import S3Response

    stored = _value_property(FakeKey)
    read_all = stored.fget
    assert read_all is not None
    get_object = S3Response.get_object
    key_response = S3Response.key_response

    def value(key: Any) -> Any:
        return StoredBody(key, read_all) if _SERVING_RANGE.get() else read_all(key)

    @functools.wraps(get_object)
    def ranged_get_object(self: Any) -> Any:
        if not self.headers.get("range"):
            return get_object(self)
        token = _SERVING_RANGE.set(True)
        try:
            return get_object(self)
        finally:
            _SERVING_RANGE.reset(token)

    @functools.wraps(key_response)
    def materialising_key_response(self: Any, *args: Any, **kwargs: Any) -> Any:
        status, headers, body = key_response(self, *args, **kwargs)
        return status, headers, body.read() if isinstance(body, StoredBody) else body

    FakeKey.value = property(value, stored.fset)  # type: ignore[method-assign,assignment]
    S3Response.get_object = ranged_get_object  # type: ignore[method-assign]
    S3Response.key_response = materialising_key_response  # type: ignore[method-assign]
    return {
        "FakeKey.value": stored,
        "S3Response.get_object": get_object,
        "S3Response.key_response": key_response,
    }


def _restore(originals: Mapping[str, Any]) -> None:
    from moto.s3.models import FakeKey
    from moto.s3.responses import S3Response

    FakeKey.value = originals["FakeKey.value"]  # type: ignore[method-assign]
    S3Response.get_object = originals["S3Response.get_object"]  # type: ignore[method-assign]
    S3Response.key_response = originals["S3Response.key_response"]  # type: ignore[method-assign]


_patch = moto_guard.GuardedPatch(
    __name__, MOTO_SOURCES, _functions, _serve_ranges, _restore, "ranged S3 GETs read whole objects"
)
moto_changed = _patch.moto_changed
installed = _patch.installed
install = _patch.install
uninstall = _patch.uninstall
