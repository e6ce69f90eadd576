"""Which platform each export file is, checked before anything starts (pure: no network, no AWS)."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from credscore.application import MAX_PARTS_PER_SOURCE

PLATFORMS = ("facebook", "linkedin", "instagram", "x")
# Long names may sit anywhere in a file name (Basic_LinkedInDataExport_….zip); "x" only as a whole word.
_NAMED = re.compile(r"facebook|linkedin|instagram|twitter")
_X_WORD = re.compile(r"(?<![a-z0-9])x(?![a-z])")
_ALIASES = {"twitter": "x", "fb": "facebook", "ig": "instagram"}


class InputError(Exception):
    """Bad command-line input: reported as is, exit code 2."""


@dataclass
class Selection:
    sources: dict[str, list[Path]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # per-file problems; those files are left out


def platform_of(path: Path) -> str | None:
    """The platform a file name says, or None if it says none or more than one."""
    name = path.name.lower()
    found = {_ALIASES.get(m, m) for m in _NAMED.findall(name)}
    if _X_WORD.search(path.stem.lower()):
        found.add("x")
    return found.pop() if len(found) == 1 else None


_PLATFORM_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,30}")


def parse_argument(argument: str) -> tuple[str | None, Path]:
    """`PLATFORM=PATH` names the platform; a bare path lets the file name say it."""
    head, sep, tail = argument.partition("=")
    if sep and _ALIASES.get(head.lower(), head.lower()) in PLATFORMS:
        return _ALIASES.get(head.lower(), head.lower()), Path(tail)
    if sep and _PLATFORM_WORD.fullmatch(head) and not Path(argument).exists():
        # `tiktok=x.zip`: a platform we do not read, not a file called "tiktok=x.zip".
        raise InputError(f"{head}: not a platform credscore reads (platforms: {', '.join(PLATFORMS)})")
    return None, Path(argument)


def select_exports(arguments: list[str]) -> Selection:
    """Group the files by platform; missing files and unknown platforms are input errors."""
    selection = Selection()
    for argument in arguments:
        declared, path = parse_argument(argument)
        if not path.exists():
            raise InputError(f"{path}: no such file")
        if not path.is_file():
            raise InputError(f"{path}: not a file")
        platform = declared or platform_of(path)
        if platform is None:
            raise InputError(
                f"{path}: cannot tell which platform this export is from; name it like linkedin.zip "
                f"or give it as PLATFORM=PATH (platforms: {', '.join(PLATFORMS)})"
            )
        if not zipfile.is_zipfile(path):
            selection.problems.append(f"{platform}: {path.name} is not a zip archive; left out")
            continue
        selection.sources.setdefault(platform, []).append(path)
    for platform, paths in selection.sources.items():
        if len(paths) > MAX_PARTS_PER_SOURCE:
            raise InputError(
                f"{platform}: {len(paths)} files, at most {MAX_PARTS_PER_SOURCE} parts per platform"
            )
        if len(set(p.resolve() for p in paths)) != len(paths):
            raise InputError(f"{platform}: the same file was given twice")
        paths.sort(key=lambda p: p.name)
    return selection
