"""A DynamoDB transaction on the local stack costs the items it names, not the tables they are in.

moto 5.2.5's `DynamoDBBackend.transact_write_items` deep-copies each table a transaction names, once per item that
names it, before writing anything (its rollback puts the copies back). The application table holds every item and
stream record written since the stack started, so each transaction got slower as the stack aged: 5–16 ms over the
first three camera-sized applicants, 45–240 ms for the five of one run later (a copy that sets off a full garbage
collection), most of it on steps where the other core waits (ReceiveUpload, the status moves, Score). DynamoDB
does nothing of the kind, so this is the emulator's cost, not the product's.

The patch changes no response and no outcome. While moto's own `transact_write_items` runs, its deep copy of a
table gives the table itself; before it runs, the wrapper keeps a deep copy of each item the transaction names (or
that there was none) and the length of each named table's stream. When moto raises (a cancelled transaction, a key
named twice, a validation error), those items are put back and the stream records appended since are dropped: the
state moto's copies would have restored. All of it runs under the local stack's DynamoDB write lock
(`fidelity.DYNAMODB_WRITES`), so no other write comes between. A transaction whose keys the wrapper cannot read (an
unknown table, a missing key attribute, a malformed item) goes to moto with its copies, to fail as moto fails it.
`moto_changed()` names the moto functions this relies on whose source differs from 5.2.5's (a unit test asserts
none does, and `install` then leaves moto as it is).
"""

from __future__ import annotations

import copy
import functools
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from credscore_local import fidelity, moto_guard

# sha256 of the source of what the patch wraps or relies on, in moto 5.2.5.
MOTO_SOURCES = {
    "DynamoDBBackend.transact_write_items": "81db2cb7d94e39c90b3a2077e1f4bb41a449c558ef9b1b1e2910fdaa39978ad4",
    "Table.put_item": "de23933013ef842639046c19bcf7e418bce0474d810f6719368be4cedce11d47",
    "Table.delete_item": "1594f7b07616c8cb8cdf0fbf58d6f54eeac83f25d7ac7b14e832a08e10efd8f9",
    "StreamShard.add": "357dc6da267e5dd7d46e18ee25d14b232a98679677906a2f02e4d454d1f11e03",
}

# `.on` while this thread runs moto's transact_write_items through the wrapper
_transacting = threading.local()


class _CopyModule:
    """What `moto.dynamodb.models` sees as `copy` while the patch is installed: the copy module, except that a
    table is not deep-copied inside a transaction run through the wrapper (which has kept what it needs)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        from moto.dynamodb.models.table import Table

        if getattr(_transacting, "on", False) and isinstance(value, Table):
            return value
        return copy.deepcopy(value, memo)


@dataclass
class _Kept:
    """The items a transaction names as they were before it, and the length of each named table's stream."""

    items: dict[tuple[int, Any, Any], tuple[Any, Any, Any, bool, Any]] = field(default_factory=dict)
    streams: dict[int, tuple[Any, int]] = field(default_factory=dict)

    @classmethod
    def before(cls, backend: Any, transact_items: list[dict[str, Any]]) -> _Kept:
        """Raises (KeyError, ValueError, TypeError, AttributeError) when an item is not one it can read."""
        from moto.dynamodb.models.dynamo_type import DynamoType

        kept = cls()
        for entry in transact_items:
            ((op_type, op),) = entry.items()
            table = backend.tables[op["TableName"]]
            attrs = op["Item"] if op_type == "Put" else op["Key"]
            hash_key = DynamoType(attrs[table.hash_key_attr])
            range_key = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr is not None else None
            slot = (id(table), hash_key, range_key)
            if slot not in kept.items:
                bucket = table.items.get(hash_key)
                had_bucket = bucket is not None
                item = bucket if range_key is None else (bucket or {}).get(range_key)
                kept.items[slot] = (table, hash_key, range_key, had_bucket, copy.deepcopy(item))
            if table.stream_shard is not None and id(table) not in kept.streams:
                kept.streams[id(table)] = (table, len(table.stream_shard.items))
        return kept

    def restore(self) -> None:
        for table, hash_key, range_key, had_bucket, item in self.items.values():
            if range_key is None:
                if item is None:
                    table.items.pop(hash_key, None)
                else:
                    table.items[hash_key] = item
                continue
            if item is not None:
                table.items[hash_key][range_key] = item
                continue
            bucket = table.items.get(hash_key)
            if bucket is not None:
                bucket.pop(range_key, None)
                if not bucket and not had_bucket:
                    del table.items[hash_key]
        for table, length in self.streams.values():
            del table.stream_shard.items[length:]


def _functions(originals: Mapping[str, Any]) -> dict[str, Any]:
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import StreamShard, Table

    return {
        "DynamoDBBackend.transact_write_items": originals.get("transact_write_items")
        or DynamoDBBackend.transact_write_items,
        "Table.put_item": Table.put_item,
        "Table.delete_item": Table.delete_item,
        "StreamShard.add": StreamShard.add,
    }


def _keep_items_not_tables() -> dict[str, Any]:
    import moto.dynamodb.models as models
    from moto.dynamodb.models import DynamoDBBackend

    transact = DynamoDBBackend.transact_write_items

    @functools.wraps(transact)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        with fidelity.DYNAMODB_WRITES:
            try:
                kept = _Kept.before(self, transact_items)
            except (KeyError, ValueError, TypeError, AttributeError):
                return transact(self, transact_items)  # moto's own checks answer it, with its copies
            _transacting.on = True
            try:
                transact(self, transact_items)
            except BaseException:
                kept.restore()
                raise
            finally:
                _transacting.on = False

    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    models.copy = _CopyModule()  # type: ignore[assignment]
    return {"transact_write_items": transact, "copy": copy}


def _restore(originals: Mapping[str, Any]) -> None:
    import moto.dynamodb.models as models
    from moto.dynamodb.models import DynamoDBBackend

    DynamoDBBackend.transact_write_items = originals["transact_write_items"]  # type: ignore[method-assign]
    models.copy = originals["copy"]


_patch = moto_guard.GuardedPatch(
    __name__,
    MOTO_SOURCES,
    _functions,
    _keep_items_not_tables,
    _restore,
    "each transaction deep-copies the tables it names",
)
moto_changed = _patch.moto_changed
installed = _patch.installed
install = _patch.install
uninstall = _patch.uninstall
