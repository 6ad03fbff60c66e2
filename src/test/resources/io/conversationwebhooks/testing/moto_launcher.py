"""Runs moto_server with a TransactWriteItems whose cost grows with the items it touches, not the tables.

Usage: python moto_launcher.py [moto_server arguments...]   (e.g. -H 127.0.0.1 -p 5000)

moto 5.2's DynamoDBBackend.transact_write_items deep-copies every table a transaction names before it runs, so that
it can put the copies back when the transaction is cancelled. That costs time in proportion to the table size
(about 700 ms for five Puts into a table of 5,000 items), which DynamoDB itself does not. This launcher replaces that
one method with one that keeps an undo log instead: before each write it remembers the item at that key (a copy when
the write changes the item in place) and the length of the table's stream, and a cancelled transaction puts back
exactly those items and drops the stream records the transaction added. What clients see is unchanged:

- all or nothing: a condition that fails, or any other failure of one action, cancels the transaction with
  TransactionCanceledException, whose CancellationReasons follow the actions in order ("None" for the actions that
  did not fail, "ConditionalCheckFailed" with the old item when ReturnValuesOnConditionCheckFailure is ALL_OLD);
- validation errors (more than 100 actions, two actions on one item, an action with two operations, a key that does
  not match the table) are raised as ValidationException and leave nothing written.

The replacement is only installed when the installed moto has the methods it was written against (their source
fingerprints below, from moto 5.2.1). Otherwise it prints a warning and runs moto unchanged: slow, but correct.
Either way it then runs moto's own server entry point (moto.server.main) with the arguments given.
"""

import copy
import hashlib
import inspect
import os
import sys

PREFIX = "moto_launcher:"

# sha256 of inspect.getsource(...) of every moto method whose behaviour the replacement reproduces or relies on.
EXPECTED_SOURCES = {
    "DynamoDBBackend.transact_write_items": "81db2cb7d94e39c90b3a2077e1f4bb41a449c558ef9b1b1e2910fdaa39978ad4",
    "DynamoDBBackend.get_keys_value": "1f948797496ddc2cd4e4752e29e470d19ce757ca3406e07fed6bd90b331c1caa",
    "DynamoDBBackend.put_item": "f5d9a5042c77b89e5f4c88b5884f7966b9dccd95b8b04090ee9e07afc5eea675",
    "DynamoDBBackend.update_item": "218984588dd689a5de81678ce11e6a40d05c91e7b6c21b44c4ed4122fe74aa9f",
    "DynamoDBBackend.delete_item": "083a4bb1af18f6fd2feef40195a4c9c803da66cb2cacd14f87916c6e76930ea5",
    "Table.get_item": "b08e98fe37b7e5836afe03b010d637ef50df5dea6cbecd9cf8816eef326a21cd",
    "Table.put_item": "de23933013ef842639046c19bcf7e418bce0474d810f6719368be4cedce11d47",
    "Table.delete_item": "1594f7b07616c8cb8cdf0fbf58d6f54eeac83f25d7ac7b14e832a08e10efd8f9",
    "StreamShard.add": "357dc6da267e5dd7d46e18ee25d14b232a98679677906a2f02e4d454d1f11e03",
}

OPERATIONS = ("ConditionCheck", "Put", "Delete", "Update")


class ShapeMismatch(Exception):
    """The installed moto is not the one the replacement was written against."""


class UndoLog:
    """What a transaction changed, so that a cancellation can put it back."""

    def __init__(self):
        self._items = []  # (table, hash value, range value, hash value was stored, item before or None)
        self._streams = {}  # id(table) -> (stream shard, its record list, its length before the transaction)

    def before_write(self, table, hash_value, range_value, hash_stored, before, changed_in_place):
        shard = table.stream_shard
        if shard is not None and id(table) not in self._streams:
            self._streams[id(table)] = (shard, shard.items, len(shard.items))
        kept = copy.deepcopy(before) if changed_in_place and before is not None else before
        self._items.append((table, hash_value, range_value, hash_stored, kept))

    def undo(self):
        for table, hash_value, range_value, hash_stored, before in reversed(self._items):
            if table.range_key_attr is None:
                if before is None:
                    table.items.pop(hash_value, None)
                else:
                    table.items[hash_value] = before
                continue
            if before is not None:
                table.items[hash_value][range_value] = before
                continue
            by_range = table.items.get(hash_value)
            if by_range is not None:
                by_range.pop(range_value, None)
                if not by_range and not hash_stored:
                    table.items.pop(hash_value, None)
        for shard, records, length in self._streams.values():
            # A stream handed to a Lambda event source mapping starts a new list; those records are gone already.
            if shard.items is records:
                del records[length:]
        self._items = []
        self._streams = {}


def install():
    """Replaces DynamoDBBackend.transact_write_items, or raises ShapeMismatch naming what differs."""
    try:
        import moto.dynamodb.models as models
        from moto.dynamodb import exceptions
        from moto.dynamodb.models.table import StreamShard, Table
    except ImportError as e:
        raise ShapeMismatch(f"moto's DynamoDB models cannot be imported ({e})") from e
    backend = getattr(models, "DynamoDBBackend", None)
    if backend is None:
        raise ShapeMismatch("moto.dynamodb.models has no DynamoDBBackend")
    owners = {"DynamoDBBackend": backend, "Table": Table, "StreamShard": StreamShard}
    differing = []
    for qualified, expected in EXPECTED_SOURCES.items():
        owner, name = qualified.split(".")
        method = getattr(owners[owner], name, None)
        try:
            actual = hashlib.sha256(inspect.getsource(method).encode("utf-8")).hexdigest() if method else None
        except (OSError, TypeError):
            actual = None
        if actual != expected:
            differing.append(qualified)
    if differing:
        raise ShapeMismatch("these moto methods differ from moto 5.2.1's: " + ", ".join(differing))
    needed = ("ConditionalCheckFailed", "MockValidationException", "MultipleTransactionsException",
              "TooManyTransactionsException", "TransactionCanceledException", "TransactWriteSingleOpException")
    missing = [name for name in needed if not hasattr(exceptions, name)]
    if not hasattr(models, "get_filter_expression"):
        missing.append("get_filter_expression")
    if missing:
        raise ShapeMismatch("moto.dynamodb lacks " + ", ".join(missing))
    backend.transact_write_items = _transact_write_items_with(exceptions, models.get_filter_expression)


def _transact_write_items_with(errors, get_filter_expression):
    """The replacement, bound to moto's exception types and condition parser."""

    def transact_write_items(self, transact_items):
        if len(transact_items) > 100:
            raise errors.TooManyTransactionsException()
        undo = UndoLog()
        keys_written = set()
        reasons = []
        try:
            for action in transact_items:
                reasons.append(apply(self, action, keys_written, undo))
        except BaseException:
            undo.undo()
            raise
        if any(code is not None for code, _, _ in reasons):
            undo.undo()
            raise errors.TransactionCanceledException(reasons)

    def apply(backend, action, keys_written, undo):
        """Runs one action; returns its cancellation reason (code, message, old item), (None, None, None) if none.

        Validation errors propagate: they cancel the whole request rather than one action.
        """
        if len(action) > 1:
            raise errors.TransactWriteSingleOpException()
        old_item = None
        try:
            operation, request = next(iter(action.items()))
            if operation not in OPERATIONS:
                raise ValueError("Unsupported transaction operation")
            table_name = request["TableName"]
            names = request.get("ExpressionAttributeNames")
            values = request.get("ExpressionAttributeValues")
            condition = request.get("ConditionExpression")
            if operation == "Put":
                table = backend.get_table(table_name)
                key = {table.hash_key_attr: request["Item"][table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = request["Item"][table.range_key_attr]
                once_per_item(keys_written, table_name, key)
            else:
                key = request["Key"]
                once_per_item(keys_written, table_name, key)
                table = backend.get_table(table_name)
            hash_value, range_value = backend.get_keys_value(table, key)
            hash_stored = hash_value in table.items
            current = table.get_item(hash_value, range_value)

            if condition is not None and not get_filter_expression(condition, names, values).expr(current):
                if request.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                    old_item = current.to_json()["Attributes"]
                raise errors.ConditionalCheckFailed(item=old_item)
            if operation == "ConditionCheck":
                return None, None, None

            undo.before_write(table, hash_value, range_value, hash_stored, current,
                              changed_in_place=operation == "Update")
            if operation == "Put":
                backend.put_item(table_name, request["Item"], condition_expression=condition,
                                 expression_attribute_names=names, expression_attribute_values=values)
            elif operation == "Delete":
                backend.delete_item(table_name, key, condition_expression=condition,
                                    expression_attribute_names=names, expression_attribute_values=values)
            else:
                backend.update_item(table_name, key, update_expression=request["UpdateExpression"],
                                    condition_expression=condition, expression_attribute_names=names,
                                    expression_attribute_values=values)
            return None, None, None
        except errors.MockValidationException:
            raise
        except errors.ConditionalCheckFailed as e:
            return "ConditionalCheckFailed", str(e.message), old_item
        except Exception as e:  # any other failure cancels the transaction with its type as the reason's code
            return type(e).__name__, str(e), None

    def once_per_item(keys_written, table_name, key):
        identity = (str(table_name), str(dict(sorted(key.items()))))
        if identity in keys_written:
            raise errors.MultipleTransactionsException()
        keys_written.add(identity)

    return transact_write_items


def main():
    arguments = sys.argv[1:]
    try:
        import moto
        import moto.server
    except ImportError as e:
        print(f"{PREFIX} WARNING: this Python ({sys.executable}) cannot import moto ({e}); "
              "running the moto_server command unpatched", file=sys.stderr, flush=True)
        os.execvp("moto_server", ["moto_server", *arguments])
    try:
        install()
        print(f"{PREFIX} TransactWriteItems keeps an undo log (moto {moto.__version__})", file=sys.stderr, flush=True)
    except ShapeMismatch as e:
        print(f"{PREFIX} WARNING: {e}; running moto {getattr(moto, '__version__', '?')} unpatched "
              "(TransactWriteItems stays correct but copies every table it names)", file=sys.stderr, flush=True)
    moto.server.main(arguments)


if __name__ == "__main__":
    main()
