"""Safe, lazy access to an uploaded zip over any seekable binary file object.

Only the central directory and the members a parser asks for are read, so a ranged S3 reader fetches a few
blocks of a multi-gigabyte export. The archive is checked before anything is decompressed (entry count, declared
sizes, compression ratio, encryption); unsafe names are skipped; private areas are on a deny-list, never opened.
"""

from __future__ import annotations

import copy
import re
import struct
import threading
import unicodedata
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import BinaryIO

from credscore.ingest.errors import ArchiveRejected


def _zlib_ng_crc32() -> Callable[[bytes, int], int] | None:
    """zlib-ng's CRC-32 (carry-less multiplication: ~6× the stdlib's, ~0.1 ms for 3 MB of cached bytes), or
    None where it is not installed (the layers and the dev environment have it; zipfile's own check then runs)."""
    try:
        from zlib_ng.zlib_ng import crc32
    except ImportError:  # pragma: no cover
        return None
    return crc32


_fast_crc32 = _zlib_ng_crc32()

MIB = 1 << 20


@dataclass(frozen=True)
class ArchiveLimits:
    max_entries: int = 200_000
    # The central directory zipfile reads whole into memory: 200,000 real entries (paths of ~100 characters and
    # their extra fields) take ~35 MiB; a hostile directory of gigabytes would not fit the function.
    max_directory_bytes: int = 64 * MIB
    max_member_bytes: int = 64 * MIB  # largest member a parser decompresses
    max_total_uncompressed: int = 64 * 1024 * MIB  # sum of declared sizes (video-heavy exports are big)
    max_ratio: float = 200.0  # declared size / compressed size, for members above ratio_min_bytes
    ratio_min_bytes: int = 4 * MIB  # small files may legitimately compress extremely well
    max_read_bytes: int = 512 * MIB  # total bytes the parsers may decompress from one archive
    full_hash_bytes: int = 64 * MIB  # uploads up to this size are hashed whole; bigger ones by their tail
    # Items kept per kind per source (all parts of one export together). No real person reaches them (Facebook
    # caps friends at 5,000, LinkedIn lists 100 skills; a prolific writer has tens of thousands of posts); a
    # hostile upload of millions of tiny items is cut here, with "cap reached: first N of M ... kept" on the
    # source report, so the profile and every function reading it stay bounded (issue 13.3).
    max_texts_per_kind: int = 50_000  # posts, comments, captions, tweets... of one source
    max_text_chars: int = 20_000  # one text (Facebook's own post limit is about 63,000; longer ones are cut)
    max_names_per_kind: int = 20_000  # groups, pages, accounts followed
    max_photos_per_source: int = 50_000  # photo references (the image step analyses a sample of them)
    max_rows_per_kind: int = 2_000  # skills, schools, positions, birth dates
    # Characters of everything a source keeps (texts, names, skills, schools, positions), all parts together: the
    # counts above allowed 50,000 texts of 20,000 characters per kind, and 511 MiB of posts of 4-byte characters
    # kept 2 GB. A prolific writer's ten thousand posts and comments are a few million characters.
    max_chars_per_source: int = 16_000_000
    # A name, skill, school, degree, company or title (real ones are a few dozen characters).
    max_field_chars: int = 1_000
    # Estimated Python heap of one decoded JSON data file above which it is decoded element by element with
    # its long lists cut (a 4 MiB file of tiny objects decodes to ~20 times its size).
    json_decode_budget: int = 256 * MIB
    max_csv_field_chars: int = 1 * MIB  # one CSV cell; a bigger one skips its file with a clear reason
    max_csv_row_chars: int = 4 * MIB  # one CSV row (cells across lines included)


DEFAULT_LIMITS = ArchiveLimits()

# Private areas: never opened, whatever a parser asks. Matched on the lower-cased path without spaces,
# underscores and hyphens, so 'Imported Contacts.csv', 'direct-messages.js' and 'message_requests/' are caught.
_DENIED = re.compile(
    r"messages|inbox|messagerequest|directmessage|contact|addressbook|ipaddress|ipaudit|login|accountactivity"
    r"|location|phonenumber|emailaddress|registration\.csv|devicetoken|searchhistory|securityandlogin"
)
PHOTO_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".heic")
# Allow-list on top of the deny-list: the parsers read data files, the image step photos; nothing else is opened
# (videos, HTML pages, text notes, nested archives...).
_READABLE_EXTENSIONS = (".json", ".js", ".csv", *PHOTO_EXTENSIONS)


def is_photo(name: str) -> bool:
    return name.lower().endswith(PHOTO_EXTENSIONS)


_IGNORED = re.compile(r"(^|/)(__macosx/|\.ds_store$|thumbs\.db$|desktop\.ini$)")
# Top folders that belong to an export itself; any other single top folder is a re-zip wrapper
# ('facebook-<user>/'), dropped from provenance names because it may carry the user's name.
_EXPORT_ROOTS = frozenset(
    {
        "data",
        "posts",
        "media",
        "content",
        "assets",
        "comments",
        "likes",
        "messages",
        "friends",
        "groups",
        "pages",
        "connections",
        "personal_information",
        "account_information",
        "profile_information",
        "followers_and_following",
        "friends_and_followers",
        "comments_and_reactions",
        "likes_and_reactions",
        "your_facebook_activity",
        "your_instagram_activity",
        "your_activity_across_facebook",
    }
)
_MAX_URI_DEPTH = (
    16  # a photo uri deeper than this is not resolved (bounds the tail indexes built per base name)
)
# Longest member path read: exports' are under 300 characters; 1,000 names of 65,000 characters cost the parsers'
# path lookups 28 s per part.
_MAX_PATH_CHARS = 1_024
_ZIP_MAGIC = b"PK\x03\x04"
_CENTRAL_ENTRY = b"PK\x01\x02"


class MemberError(Exception):
    """One member could not be read; the archive as a whole may still be usable."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code


def is_denied(name: str) -> bool:
    squashed = re.sub(r"[\s_\-]", "", name.lower())
    return bool(_DENIED.search(squashed))


def _unsafe_name(name: str) -> bool:
    if "\x00" in name or name.startswith(("/", "\\")) or re.match(r"^[a-zA-Z]:", name):
        return True
    return any(part == ".." for part in re.split(r"[/\\]", name))


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return info.create_system == 3 and (info.external_attr >> 16) & 0o170000 == 0o120000


@dataclass(frozen=True)
class _Directory:
    """Where the central directory is and what its end record declares, found as zipfile finds them."""

    declared_entries: int
    start: int
    size: int


# The zip64 end record and its locator, between the directory and the end record.
_ZIP64_TRAILER_BYTES = 56 + 20
_ZIP64_END_RECORD = b"PK\x06\x06"
# How members may be compressed to be read: what exports use, and what zipfile inflates within a bound.
_READ_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_ENTRY_HEADER_BYTES = 46
_DIRECTORY_CHUNK = 1 << 20


def _directory(fileobj: BinaryIO) -> _Directory | None:
    """The end-of-central-directory record's count and the directory's place, before zipfile builds one object
    per entry; None where zipfile will refuse the file anyway. The record is found by zipfile's own function, the
    one `ZipFile` calls: a search of our own found another record than zipfile did (a signature spelled inside the
    record's fields, a zip64 locator pointing elsewhere than the record zipfile reads), and its checks were
    skipped while zipfile built millions of entries."""
    try:
        end = zipfile._EndRecData(fileobj)  # type: ignore[attr-defined]
    except (OSError, ValueError, struct.error, zipfile.BadZipFile):
        return None
    if end is None:
        return None
    # As ZipFile._RealGetContents places it: the directory ends where the end record (and, for zip64, the trailer
    # before it) begins.
    signature, entries, size, location = end[0], end[4], end[5], end[9]
    start = int(location) - int(size) - (_ZIP64_TRAILER_BYTES if signature == _ZIP64_END_RECORD else 0)
    return _Directory(int(entries), start, int(size))


def _count_entries(fileobj: BinaryIO, directory: _Directory, limit: int) -> int:
    """The entries zipfile will find in the directory, counted from their headers without building them, and
    no further than `limit` + 1: an end record may declare one entry above millions (each costs zipfile a Python
    object: a 120 MB directory of tiny entries would take over a gigabyte)."""
    count = offset = window_start = 0
    window = b""
    while count <= limit and offset + _ENTRY_HEADER_BYTES <= directory.size:
        at = offset - window_start
        if at < 0 or at + _ENTRY_HEADER_BYTES > len(window):
            fileobj.seek(directory.start + offset)
            window = fileobj.read(min(_DIRECTORY_CHUNK, directory.size - offset))
            window_start, at = offset, 0
            if len(window) < _ENTRY_HEADER_BYTES:
                break
        if window[at : at + 4] != _CENTRAL_ENTRY:
            break  # zipfile refuses the directory itself
        name, extra, comment = struct.unpack_from("<HHH", window, at + 28)
        count += 1
        offset += _ENTRY_HEADER_BYTES + name + extra + comment
    return count


def _open_zip(fileobj: BinaryIO, limits: ArchiveLimits) -> zipfile.ZipFile:
    try:
        size = fileobj.seek(0, 2)
        fileobj.seek(0)
        head = fileobj.read(4)
    except (OSError, ValueError) as exc:
        raise ArchiveRejected("unreadable", "the upload could not be read") from exc
    if size == 0:
        raise ArchiveRejected("not_a_zip", "the file is empty, not a zip archive")
    directory = _directory(fileobj)
    if directory is not None and directory.start >= 0:
        if directory.declared_entries > limits.max_entries:
            raise ArchiveRejected(
                "too_many_entries",
                f"the archive lists {directory.declared_entries} files (limit {limits.max_entries})",
            )
        if directory.size > limits.max_directory_bytes:
            raise ArchiveRejected(
                "too_many_entries",
                f"the archive's list of files takes {directory.size} bytes (limit {limits.max_directory_bytes})",
            )
        try:
            if _count_entries(fileobj, directory, limits.max_entries) > limits.max_entries:
                raise ArchiveRejected(
                    "too_many_entries", f"the archive lists more than {limits.max_entries} files"
                )
        except (OSError, ValueError) as exc:
            raise ArchiveRejected("unreadable", "the upload could not be read") from exc
    try:
        return zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error, NotImplementedError) as exc:
        if head == _ZIP_MAGIC:
            raise ArchiveRejected(
                "truncated",
                "the zip archive is incomplete (truncated or damaged); upload the whole file again",
            ) from exc
        raise ArchiveRejected("not_a_zip", "the file is not a zip archive") from exc


def _zip_over(parsed: zipfile.ZipFile, fileobj: BinaryIO) -> zipfile.ZipFile:
    """A ZipFile reading `fileobj` (another handle on the same bytes) with `parsed`'s directory, not parsed again.

    A ZipFile serialises its members' reads on one file handle and one lock, so threads sharing it would wait on
    each other's S3 fetches; and parsing the directory once per thread costs ~1 KB and ~20 us per entry (200 MB
    and 4 s at the 200,000-entry limit, per thread). The twin shares the (read-only) ZipInfo list and name map
    and has its own handle, lock and reference count: these are zipfile's attributes since Python 3.5 and what
    `ZipFile.open` reads. Without them (another Python), the directory is parsed again: slower, never wrong."""
    if not all(hasattr(parsed, name) for name in ("fp", "_lock", "_fileRefCnt", "_filePassed")):
        return zipfile.ZipFile(fileobj)
    twin = copy.copy(parsed)
    twin.fp = fileobj
    twin._lock = threading.RLock()  # type: ignore[attr-defined]
    twin._fileRefCnt = 1  # type: ignore[attr-defined]
    twin._filePassed = 1  # type: ignore[attr-defined]  # the caller owns the handle: close() leaves it open
    return twin


class SafeArchive:
    """A validated view of one zip: safe member names, limits enforced, reads capped and counted."""

    def __init__(self, fileobj: BinaryIO, limits: ArchiveLimits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self._file = fileobj
        self._zip = _open_zip(fileobj, limits)
        self._members: dict[str, zipfile.ZipInfo] = {}
        self.skipped: Counter[str] = Counter()
        self.bytes_read = 0
        infos = self._zip.infolist()
        if len(infos) > limits.max_entries:
            raise ArchiveRejected("too_many_entries", f"the archive lists {len(infos)} files")
        if len({info.header_offset for info in infos}) < len(infos):
            # Entries sharing their data are the overlapping-file zip bomb (one stream counted many times).
            raise ArchiveRejected("zip_bomb", "files in the archive overlap each other")
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise ArchiveRejected(
                    "encrypted", "the archive is password-protected; upload it again without a password"
                )
            total += info.file_size
            if info.file_size > limits.ratio_min_bytes and (
                info.compress_size == 0 or info.file_size / info.compress_size > limits.max_ratio
            ):
                raise ArchiveRejected("zip_bomb", "a file in the archive expands far beyond any real export")
            self._admit(info)
        if total > limits.max_total_uncompressed:
            raise ArchiveRejected("zip_bomb", "the archive expands to more data than any real export holds")
        self._lower = {name.lower(): name for name in self._members}
        self.root_prefix = _wrapper_prefix(list(self._members))
        self._by_basename: dict[str, list[str]] = {}
        for name in self._members:
            self._by_basename.setdefault(name.rsplit("/", 1)[-1].lower(), []).append(name)
        # (base name, depth) -> {last `depth` path components: first member}: built once per pair on demand,
        # so resolving N post photos costs O(N + members), not O(N x members sharing a base name).
        self._by_tail: dict[tuple[str, int], dict[str, str]] = {}
        self.lookups = 0  # index probes and entries built: the operation count the linearity test reads

    def reading_through(self, fileobj: BinaryIO) -> SafeArchive:
        """This archive read through another handle on the same bytes (one per thread): the validated directory
        and its indexes (and what it skipped) are shared, not read, parsed or checked again; reads, their hints and
        their count are the twin's own."""
        twin = copy.copy(self)
        twin._file = fileobj
        twin._zip = _zip_over(self._zip, fileobj)
        twin.bytes_read = 0
        return twin

    def _admit(self, info: zipfile.ZipInfo) -> None:
        # Windows tools (and some Python scripts run there) write '\\' as the separator: read it as '/', then
        # judge the normalised name, so '..\\..\\x' is still a traversal.
        name = info.filename.replace("\\", "/")
        if name.endswith("/") or _IGNORED.search(name.lower()):
            return
        if _unsafe_name(name):
            self.skipped["unsafe path (traversal or absolute)"] += 1
        elif len(name) > _MAX_PATH_CHARS:
            self.skipped["path too long"] += 1
        elif _is_symlink(info):
            self.skipped["symbolic link"] += 1
        elif name in self._members:
            self.skipped["duplicate name"] += 1
        else:
            self._members[name] = info

    # ------------------------------------------------------------------------------------------------ lookup
    @property
    def names(self) -> list[str]:
        return list(self._members)

    def relative(self, name: str) -> str:
        """The member's path inside the export itself (without a wrapper folder)."""
        return name.removeprefix(self.root_prefix)

    def size_of(self, name: str) -> int:
        return self._members[name].file_size

    def find(self, pattern: str) -> list[str]:
        """Members whose path ends with `pattern` (a regex over lower-case path components), in part order."""
        rx = re.compile(r"(?:.*/)?(?:" + pattern + r")")
        found = [name for low, name in self._lower.items() if rx.fullmatch(low)]
        return sorted(found, key=lambda n: (_natural_key(n.rsplit("/", 1)[-1]), _natural_key(n)))

    def find_one(self, pattern: str) -> str | None:
        found = self.find(pattern)
        return min(found, key=lambda n: (n.count("/"), _natural_key(n))) if found else None

    def resolve(self, uri: str) -> str | None:
        """The member a JSON `uri` (relative to the export root) points at, wherever that root sits: the first
        member (in directory order) that is the uri or ends with '/' + uri."""
        uri = uri.strip().lstrip("/").lower()
        if not uri:
            return None
        depth = uri.count("/") + 1
        if depth > _MAX_URI_DEPTH:
            return None
        key = (uri.rsplit("/", 1)[-1], depth)
        tails = self._by_tail.get(key)
        if tails is None:
            tails = {}
            for name in self._by_basename.get(key[0], []):
                parts = name.lower().split("/")
                if len(parts) >= depth:
                    tails.setdefault("/".join(parts[-depth:]), name)
            self.lookups += len(tails) + 1
            self._by_tail[key] = tails
        self.lookups += 1
        return tails.get(uri)

    # -------------------------------------------------------------------------------------------------- read
    def _admitted(self, name: str, max_bytes: int | None) -> tuple[zipfile.ZipInfo, int, int]:
        """The member's entry, its cap and the budget left, if it may be read at all; else MemberError saying why."""
        if is_denied(name):
            raise MemberError("private_member", "a private area of the export is never read")
        if not name.lower().endswith(_READABLE_EXTENSIONS):
            raise MemberError("not_readable", "only data files and photos are ever read")
        info = self._members.get(name)
        if info is None:
            raise MemberError("absent", "no such member")
        if info.compress_type not in _READ_COMPRESSION:
            # bzip2 and LZMA: zipfile decompresses each 1 MiB of input without an output limit and cuts to the
            # declared size only afterwards, so 1.7 KB declaring 1,000 bytes took 2 GB. Exports use deflate.
            raise MemberError(
                "unsupported_compression",
                "a file is compressed with a method exports do not use (only stored and deflate) and was skipped",
            )
        cap = min(max_bytes or self.limits.max_member_bytes, self.limits.max_member_bytes)
        if info.file_size > cap:
            raise MemberError("member_too_large", f"a file is larger than {cap // MIB} MiB and was skipped")
        budget = self.limits.max_read_bytes - self.bytes_read
        if info.file_size > budget:
            raise MemberError(
                "read_budget", "the archive's read budget is spent; remaining files were skipped"
            )
        return info, cap, budget

    def read(self, name: str, max_bytes: int | None = None) -> bytes:
        """Decompress one member, capped; raises MemberError (never for the archive as a whole)."""
        info, cap, budget = self._admitted(name, max_bytes)
        self._advise(info, cap)
        chunks: list[bytes] = []
        size = 0
        # A member in one piece when it is as large as it says (a photo: one copy, not a MiB at a time and a join);
        # zipfile stops at the declared size, and a stream that did not would be cut a chunk past the cap.
        chunk_size = max(MIB, min(info.file_size, cap))
        try:
            with self._zip.open(info) as stream:
                # The member's CRC (a stored photo's only check) is taken here with the faster CRC, in place of
                # zipfile's: it checks only when `_expected_crc` is set, and compares at the member's end as here.
                fast_crc = _fast_crc32 if getattr(stream, "_expected_crc", None) is not None else None
                if fast_crc is not None:
                    setattr(stream, "_expected_crc", None)  # noqa: B010 - a private attribute of ZipExtFile
                crc = 0
                while chunk := stream.read(chunk_size):
                    size += len(chunk)
                    if size > cap or size > budget:
                        raise MemberError("member_too_large", "a file expands beyond its declared size")
                    chunks.append(chunk)
                    if fast_crc is not None:
                        crc = fast_crc(chunk, crc)
            if fast_crc is not None and crc != info.CRC:
                raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")
        except MemberError:
            raise
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            NotImplementedError,
            RuntimeError,
            ValueError,
            struct.error,
        ) as exc:
            raise MemberError("corrupt_member", "a file in the archive is damaged and was skipped") from exc
        finally:
            self.bytes_read += size
        return b"".join(chunks)

    def offset(self, name: str) -> int | None:
        """Where the member starts in the archive (its local header), or None when there is no such member."""
        info = self._members.get(name)
        return None if info is None else info.header_offset

    def extent(self, name: str, max_bytes: int | None = None) -> tuple[int, int, int] | None:
        """The bytes [start, stop) of the archive a read of `name` would ask for (its local header and data, at
        most the cap), and the bytes the read gives (its declared size: zipfile stops there), or None when the
        member is absent or refused before any read. From the directory: a lie there costs a request, never a
        wrong byte, and the read is capped."""
        try:
            info, cap, _ = self._admitted(name, max_bytes)
        except MemberError:
            return None
        start, stop = _byte_range(info, cap)
        return start, stop, info.file_size

    def _advise(self, info: zipfile.ZipInfo, cap: int) -> None:
        """Tell a reader that fetches by ranges (S3) which bytes the member's read is about to ask for, so it
        can get them in one request; a plain file has no `will_need` and is read as before."""
        will_need = getattr(self._file, "will_need", None)
        if callable(will_need):
            will_need(*_byte_range(info, cap))


def _byte_range(info: zipfile.ZipInfo, cap: int) -> tuple[int, int]:
    """The archive's bytes [start, stop) a read of the member asks for: its local header (30 fixed bytes, the name,
    the extra field: usually the directory's, slack if larger) and its data, at most `cap`."""
    header = 30 + len(info.orig_filename.encode("utf-8")) + len(info.extra) + 64
    return info.header_offset, info.header_offset + header + min(info.compress_size, cap)


def _wrapper_prefix(names: list[str]) -> str:
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) != 1 or any("/" not in name for name in names):
        return ""
    (top,) = tops
    return "" if top.lower() in _EXPORT_ROOTS else top + "/"


def _natural_key(name: str) -> list[object]:
    # Every odd piece of the split is a run of decimal digits (\d: '²' is no decimal and stays in the text).
    return [_number_key(p) if i % 2 else p for i, p in enumerate(re.split(r"(\d+)", name.lower()))]


def _number_key(run: str) -> tuple[int, str]:
    """A run of decimal digits (any script) ordered as its number, without int(): a member name can hold more
    than the 4,300 digits int() takes. Fewer digits (leading zeros aside) is smaller, then digit by digit."""
    digits = (run if run.isascii() else "".join(str(unicodedata.decimal(c)) for c in run)).lstrip("0")
    return len(digits), digits


class ArchiveMembers:
    """Members of one archive read one at a time (the image step reads a batch's photos): the directory is
    validated once, on the first read; each read is capped at `max_bytes`; a refused archive or member gives
    None, never an exception (a failing read of the file itself, such as S3's, still raises). The caller owns
    it, so it and its reader's buffers go with the batch (a module-level cache keyed by the reader kept every
    reader alive: the cached archive holds the reader)."""

    def __init__(self, fileobj: BinaryIO, max_bytes: int) -> None:
        self._fileobj = fileobj
        self.max_bytes = max_bytes
        self._archive: SafeArchive | None = None
        self._rejected = False

    def open(self) -> bool:
        """Read and validate the directory now (the first read does it otherwise); False when it is refused."""
        return self._validated() is not None

    def through(self, fileobj: BinaryIO) -> ArchiveMembers:
        """The same archive read through another handle on its bytes (each reading thread has its own): the
        directory is validated here once, then shared, so N threads hold one parsed directory, not N."""
        twin = ArchiveMembers(fileobj, self.max_bytes)
        archive = self._validated()
        if archive is None:
            twin._rejected = True
        else:
            twin._archive = archive.reading_through(fileobj)
        return twin

    def extent(self, member_name: str) -> tuple[int, int, int] | None:
        """The bytes of the archive reading `member_name` takes (`SafeArchive.extent`); None: nothing is read."""
        archive = self._validated()
        return None if archive is None else archive.extent(member_name, self.max_bytes)

    def read(self, member_name: str) -> bytes | None:
        archive = self._validated()
        if archive is None:
            return None
        try:
            return archive.read(member_name, self.max_bytes)
        except MemberError:
            return None

    def _validated(self) -> SafeArchive | None:
        if self._archive is None and not self._rejected:
            # Photos are read one by one across a whole batch: no overall read budget, only the per-photo cap.
            limits = replace(DEFAULT_LIMITS, max_member_bytes=self.max_bytes, max_read_bytes=1 << 62)
            try:
                self._archive = SafeArchive(self._fileobj, limits)
            except ArchiveRejected:
                self._rejected = True  # the same bytes are refused the same way: not re-read per photo
        return self._archive


def read_member(fileobj: BinaryIO, member_name: str, max_bytes: int) -> bytes | None:
    """One member's bytes, or None when the archive or member is absent, too large, encrypted, private or
    corrupt (for many members of one archive, hold an ArchiveMembers: it reads the directory once)."""
    return ArchiveMembers(fileobj, max_bytes).read(member_name)
