"""Named fixes to moto 5.2.1's DynamoDB that kaws's store needs under concurrency (listed in fixes.FIXES).

kaws's correctness rests on DynamoDB's conditional writes and transactions being atomic and isolated, as
they are on AWS. moto's threaded server runs requests concurrently without any lock on the DynamoDB
backend; these fixes restore the guarantees (and keep transactions affordable), nothing more.
"""

import copy
import threading

_DYNAMODB_LOCK = threading.RLock()


def dynamodb_requests_serialized() -> None:
    """Every DynamoDB request is atomic and isolated on AWS (a conditional write checks and writes as one
    step; TransactWriteItems is all-or-nothing). moto 5.2.1 serves requests on concurrent threads with no
    lock: a condition can be checked by two writers before either writes, and a transaction that
    deep-copies a table while another request inserts into it fails with a 500 ("dictionary changed size
    during iteration"). Run one DynamoDB request at a time (moto is bound by the GIL anyway)."""
    from moto.dynamodb.responses import DynamoHandler

    if getattr(DynamoHandler.call_action, "_kaws_serialized", False):
        return
    original = DynamoHandler.call_action

    def call_action(self):  # type: ignore[no-untyped-def]
        with _DYNAMODB_LOCK:
            return original(self)

    call_action._kaws_serialized = True  # type: ignore[attr-defined]
    DynamoHandler.call_action = call_action  # type: ignore[method-assign]


def dynamodb_transaction_rollback_per_item() -> None:
    """moto 5.2.1's TransactWriteItems deep-copies every table it touches before starting, to restore it
    on cancellation: each transaction costs O(table size) (120 ms at 1,000 items, growing without bound
    as a long-lived local table fills). Snapshot only the items the transaction addresses (at most 100 by
    AWS's limit) and restore those; the whole-table copy becomes a reference. Same observable result."""
    import moto.dynamodb.models as models
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    backend = models.DynamoDBBackend
    if getattr(backend.transact_write_items, "_kaws_per_item", False):
        return
    original = backend.transact_write_items

    class _TableByReference:
        """`copy` as moto's models module sees it: tables by reference, everything else copied."""

        @staticmethod
        def deepcopy(value, memo=None):  # type: ignore[no-untyped-def]
            return value if isinstance(value, Table) else copy.deepcopy(value, memo)

        def __getattr__(self, name):  # type: ignore[no-untyped-def]
            return getattr(copy, name)

    models.copy = _TableByReference()  # type: ignore[assignment]

    def snapshot(self, transact_items):  # type: ignore[no-untyped-def]
        saved = []
        for entry in transact_items:
            try:
                ((op_type, op),) = entry.items()
                table = self.tables[op["TableName"]]
                source = op["Item"] if op_type == "Put" else op["Key"]
                hash_key = DynamoType(source[table.hash_key_attr])
                range_key = DynamoType(source[table.range_key_attr]) if table.range_key_attr else None
            except (KeyError, ValueError, TypeError, AttributeError):
                continue  # malformed entry: moto's own validation rejects it before writing anything
            item = table.get_item(hash_key, range_key) if range_key or not table.range_key_attr else None
            saved.append((table, hash_key, range_key, copy.deepcopy(item)))
        return saved

    def restore(saved):  # type: ignore[no-untyped-def]
        for table, hash_key, range_key, item in reversed(saved):
            if item is None:
                table.delete_item(hash_key, range_key)
            elif range_key is not None:
                table.items[hash_key][range_key] = item
            else:
                table.items[hash_key] = item

    def transact_write_items(self, transact_items):  # type: ignore[no-untyped-def]
        saved = snapshot(self, transact_items)
        try:
            return original(self, transact_items)
        except Exception:
            restore(saved)
            raise

    transact_write_items._kaws_per_item = True  # type: ignore[attr-defined]
    backend.transact_write_items = transact_write_items  # type: ignore[method-assign]


DYNAMODB_FIXES = [dynamodb_requests_serialized, dynamodb_transaction_rollback_per_item]
