"""A seekable, read-only file over an S3 object, fetched by ranged GetObject calls.

zipfile needs only the end of an archive (the central directory) and the members it opens, so a multi-gigabyte
export is read in a few blocks. Blocks are cached (least recently used first out); `bytes_fetched` counts what
was actually transferred, for the benchmarks and the logs. A caller that knows which bytes come next (the image
step, a run of photos) says so with `will_need`: that range is fetched in one request, exactly, and a read inside
it is one slice of it, not a copy into blocks and another out of them (two copies of every 3 MB photo).

A failed or short S3 read raises `credscore.errors.TransientError` (the state machine retries it), never an
OSError: zipfile and the parsers would otherwise take it for a damaged member and drop data silently.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
from collections import OrderedDict
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from credscore.errors import TransientError

DEFAULT_BLOCK_SIZE = 1 << 20
DEFAULT_CACHED_BLOCKS = 16
HASH_CHUNK = 1 << 20


class S3RangedReader(io.RawIOBase):
    def __init__(
        self,
        client: Any,
        bucket: str,
        key: str,
        block_size: int = DEFAULT_BLOCK_SIZE,
        cached_blocks: int = DEFAULT_CACHED_BLOCKS,
    ) -> None:
        super().__init__()
        if block_size <= 0:
            raise ValueError("block_size must be positive")
        self._client = client
        self.bucket = bucket
        self.key = key
        self.block_size = block_size
        self._cached_blocks = max(1, cached_blocks)
        self._cache: OrderedDict[int, bytes] = OrderedDict()
        self._span_start = 0
        self._span = b""  # what the last will_need fetched, from _span_start
        self._size: int | None = None
        self._position = 0
        self.bytes_fetched = 0
        self.requests = 0
        self.known_sha256: str | None = None

    # --------------------------------------------------------------------------------------- io.RawIOBase API
    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            target = offset
        elif whence == io.SEEK_CUR:
            target = self._position + offset
        elif whence == io.SEEK_END:
            target = self.size + offset
        else:
            raise ValueError(f"invalid whence {whence}")
        if target < 0:
            raise OSError("negative seek position")
        self._position = target
        return target

    def read(self, size: int | None = -1) -> bytes:
        """Exactly `size` bytes (fewer only at the end of the object): zipfile relies on full reads."""
        self._check_open()
        end = self.size if size is None or size < 0 else min(self.size, self._position + size)
        if end <= self._position:
            return b""
        parts: list[bytes] = []
        position = self._position
        span_end = self._span_start + len(self._span)
        if self._span_start <= position < span_end:
            parts.append(self._span[position - self._span_start : min(end, span_end) - self._span_start])
            position = min(end, span_end)
            if position == end:
                self._position = end
                return parts[0]
        for index in range(position // self.block_size, (end - 1) // self.block_size + 1):
            block = self._block(index, last_needed=(end - 1) // self.block_size)
            start = index * self.block_size
            parts.append(block[max(0, position - start) : end - start])
        self._position = end
        return b"".join(parts)

    def readall(self) -> bytes:
        return self.read(-1)

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    def fork(self) -> S3RangedReader:
        """A reader of the same object for another thread: the size and the blocks read so far (an archive's
        directory, read once) are shared instead of fetched again; position and cache are its own from here on."""
        twin = S3RangedReader(self._client, self.bucket, self.key, self.block_size, self._cached_blocks)
        twin._size = self._size
        twin.known_sha256 = self.known_sha256
        twin._cache = OrderedDict(self._cache)  # bytes are immutable: the blocks themselves are not copied
        return twin

    def will_need(self, start: int, stop: int) -> None:
        """Fetch bytes [start, stop) now, in one request (at most the block cache's worth), and keep them until
        the next call: the reads that follow come in pieces (zipfile reads a member's header, then its data; the
        image step reads a run of photos), and each piece would otherwise cost its own GET. A range inside what
        is kept, or inside the cached blocks, costs nothing."""
        self._check_open()
        stop = min(stop, self.size, start + self.block_size * self._cached_blocks)
        if stop <= start or start < 0:
            return
        if self._span_start <= start and stop <= self._span_start + len(self._span):
            return
        if self._cached(range(start // self.block_size, (stop - 1) // self.block_size + 1)):
            return  # an export's small files often lie beside its directory, whose blocks were read first
        self._span = b""  # the old range goes before the new one comes: never two held at once
        self._span_start, self._span = start, self._get(start, stop)

    def sha256(self) -> str:
        """Hex SHA-256 of the whole object: S3's own full-object checksum when the upload carried one; the cached
        blocks when they hold it all (a small export); otherwise the object streamed through the hash in one GET,
        a chunk at a time, past the block cache. Read through `read`, a 30 MB upload was 30 GETs, one per block,
        each waiting out S3's first-byte latency, and it evicted the directory's blocks that the parsers read next."""
        self._check_open()
        size = self.size
        if self.known_sha256:
            return self.known_sha256
        digest = hashlib.sha256()
        blocks = range((size + self.block_size - 1) // self.block_size)
        if self._cached(blocks):  # a small export, read whole with its directory
            for index in blocks:
                digest.update(self._cache[index])
            return digest.hexdigest()
        received = 0
        try:
            response = self._client.get_object(Bucket=self.bucket, Key=self.key, Range=f"bytes=0-{size - 1}")
            with contextlib.closing(response["Body"]) as body:  # a stream left unread holds its connection
                while chunk := body.read(HASH_CHUNK):
                    received += len(chunk)
                    if received > size:
                        break
                    digest.update(chunk)
        except (BotoCoreError, ClientError, OSError) as exc:
            raise TransientError(f"hashing the archive failed: {_error_name(exc)}") from exc
        finally:
            self.bytes_fetched += received
        self.requests += 1
        if received != size:
            raise TransientError(f"hashing the archive read {received} of {size} bytes")
        return digest.hexdigest()

    # -------------------------------------------------------------------------------------------------- S3
    @property
    def size(self) -> int:
        if self._size is None:
            try:
                head = self._client.head_object(Bucket=self.bucket, Key=self.key, ChecksumMode="ENABLED")
            except (BotoCoreError, ClientError, OSError) as exc:
                raise TransientError(f"reading the archive's size failed: {_error_name(exc)}") from exc
            self.requests += 1
            self._size = int(head["ContentLength"])
            self.known_sha256 = _full_object_sha256(head)
        return self._size

    def _block(self, index: int, last_needed: int) -> bytes:
        cached = self._cache.get(index)
        if cached is not None:
            self._cache.move_to_end(index)
            return cached
        # A long read fetches the run of missing blocks in one request rather than one per block.
        last = index
        while last < last_needed and last + 1 not in self._cache and last - index < self._cached_blocks - 1:
            last += 1
        start = index * self.block_size
        body = self._get(start, min(self.size, (last + 1) * self.block_size))
        for offset in range(0, len(body), self.block_size):
            self._remember(index + offset // self.block_size, body[offset : offset + self.block_size])
        return body[: self.block_size]

    def _get(self, start: int, stop: int) -> bytes:
        """Bytes [start, stop) of the object, in one ranged GET."""
        try:
            response = self._client.get_object(
                Bucket=self.bucket, Key=self.key, Range=f"bytes={start}-{stop - 1}"
            )
            body: bytes = response["Body"].read()
        except (BotoCoreError, ClientError, OSError) as exc:
            raise TransientError(f"reading the archive failed: {_error_name(exc)}") from exc
        if len(body) != stop - start:
            raise TransientError(f"reading the archive returned {len(body)} of {stop - start} bytes")
        self.requests += 1
        self.bytes_fetched += len(body)
        return body

    def _cached(self, blocks: range) -> bool:
        return all(index in self._cache for index in blocks)

    def _remember(self, index: int, block: bytes) -> None:
        self._cache[index] = block
        self._cache.move_to_end(index)
        while len(self._cache) > self._cached_blocks:
            self._cache.popitem(last=False)

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed reader")


def _error_name(exc: Exception) -> str:
    """The S3 error code ('SlowDown', 'NoSuchKey') or the exception's class: no bucket, key or message."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code") or "ClientError")
    return type(exc).__name__


def _full_object_sha256(head: dict[str, Any]) -> str | None:
    """Hex SHA-256 of the whole object when S3 stored one (uploads made with a full-object SHA-256 checksum)."""
    checksum = head.get("ChecksumSHA256")
    if (
        not isinstance(checksum, str)
        or "-" in checksum
        or head.get("ChecksumType", "FULL_OBJECT") != "FULL_OBJECT"
    ):
        return None
    try:
        return base64.b64decode(checksum).hex()
    except ValueError:
        return None
