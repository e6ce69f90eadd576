"""The guard of the local stack's moto patches (s3_ranges, asl_cache, moto_hosts): each patch was written against moto
5.2.5's source of the functions it wraps or relies on, and records their digests; when any differs, the patch
leaves moto as it is (slow or loud rather than wrong) and a unit test fails."""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable, Mapping
from typing import Any


def source_digest(function: Callable[..., Any]) -> str:
    """sha256 of a function's source (of what it wraps, for a decorated one)."""
    return hashlib.sha256(inspect.getsource(inspect.unwrap(function)).encode()).hexdigest()


def changed(expected: Mapping[str, str], functions: Mapping[str, Callable[..., Any]]) -> list[str]:
    """The names whose function's source digest is not the expected one."""
    return [name for name, digest in expected.items() if source_digest(functions[name]) != digest]
