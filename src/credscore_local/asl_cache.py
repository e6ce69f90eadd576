"""Step Functions on the local stack parse a state machine's definition once, not at every execution.

moto 5.2.5's `ExecutionWorker._get_evaluation_entrypoint` calls `AmazonStateLanguageParser.parse(definition)` for
every execution: an ANTLR parse of the whole definition (0.05 s of CPU on a quiet core, several times that on a
busy host, holding the GIL that moto's server, the event pumps and the other executions share) before the first
state is entered. An applicant's four uploads start four executions at once, and the one that scores waits for
it. AWS does nothing of the kind per execution, so this is the emulator's cost, not the product's.

`AmazonStateLanguageParser.parse` is wrapped: the first call for a definition is moto's own (a syntax error raises
and nothing is kept) and its parse tree is kept; later calls build the program from the kept tree with moto's own
`Preprocessor`, the step `parse` ends with. Every execution still gets its own evaluation components; the tree is
only read by the preprocessor. `moto_changed()` names the moto functions this relies on whose source differs from
5.2.5's (a unit test asserts none does, and `install` then leaves moto as it is).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from credscore_local import moto_guard

# sha256 of the source of what the patch wraps or relies on, in moto 5.2.5.
MOTO_SOURCES = {
    "AmazonStateLanguageParser.parse": "a59a7d18760fb22efc9fd46d8f0fb3bb6c0293abbce2b9053e1589181c6f0711",
    "ExecutionWorker._get_evaluation_entrypoint": "2b25949ae855da8035b347b28ac72f90d7d6542bf26ef7e1f03a50ce6a981fde",
}
KEPT_DEFINITIONS = 32

_trees: OrderedDict[str, Any] = OrderedDict()
_lock = threading.Lock()
parses = 0  # moto parses done through the wrapper (the tests count them)


def _functions(originals: Mapping[str, Any]) -> dict[str, Any]:
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    return {
        "AmazonStateLanguageParser.parse": originals.get("parse") or AmazonStateLanguageParser.parse,
        "ExecutionWorker._get_evaluation_entrypoint": ExecutionWorker._get_evaluation_entrypoint,
    }


def _keep_parse_trees() -> dict[str, Any]:
    """Wrap moto's parse so that each definition's parse tree is kept; returns moto's own parse."""
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor

    parse = AmazonStateLanguageParser.parse

    def cached_parse(definition: str) -> tuple[Any, Any]:
        global parses
        with _lock:
            tree = _trees.get(definition)
            if tree is not None:
                _trees.move_to_end(definition)
        if tree is not None:
            return Preprocessor().visit(tree), tree
        program, tree = parse(definition)
        with _lock:
            parses += 1
            _trees[definition] = tree
            while len(_trees) > KEPT_DEFINITIONS:
                _trees.popitem(last=False)
        return program, tree

    AmazonStateLanguageParser.parse = staticmethod(cached_parse)  # type: ignore[method-assign]
    return {"parse": parse}


def _restore(originals: Mapping[str, Any]) -> None:
    """Put moto's own parse back and forget the kept trees (the tests compare both)."""
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    AmazonStateLanguageParser.parse = staticmethod(originals["parse"])  # type: ignore[method-assign]
    with _lock:
        _trees.clear()


_patch = moto_guard.GuardedPatch(
    __name__, MOTO_SOURCES, _functions, _keep_parse_trees, _restore, "every execution parses its definition"
)
moto_changed = _patch.moto_changed
installed = _patch.installed
install = _patch.install
uninstall = _patch.uninstall
