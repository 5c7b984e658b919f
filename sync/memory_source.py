"""An in-memory ``Source`` for tests, the state machine and the benchmark.

It behaves like the real services where the engine can tell the difference: records are
versioned (a stale version fails with ``"stale"``), changes are logged so ``list_changes``
can answer from a cursor, ids leaving the range are reported, batches return one result per
item. On top of that it can be told to fail (whole calls, chosen items, the next N items),
to expire its cursor, and to "die" in the middle of a batch (``SimulatedCrash``, a
``BaseException`` nothing in the engine catches) either just before or just after a write
reached the service. And it refuses, with ``PreventedOperation``, any write that the
settings it was given prevent on its side: the engine must never send one.

People's own edits (not the engine's) go through ``put``, ``edit`` and ``remove``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from .errors import CursorExpired, ItemError, PreventedOperation, SourceError
from .fields import Kind, Side, fields_to
from .matching import match_keys
from .normalise import clean_record
from .records import ChangeSet, Delete, ItemResult, Record, SourceItem, Update
from .settings import KindSettings


class SimulatedCrash(BaseException):
    """The process died here (test only)."""


@dataclass
class _Stored:
    version: str
    record: Record
    modified_at: dt.datetime


def _tick_clock() -> Callable[[], dt.datetime]:
    counter = itertools.count()
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return lambda: base + dt.timedelta(seconds=next(counter))


class MemorySource:
    def __init__(
        self,
        side: Side,
        kind: Kind,
        *,
        settings: KindSettings | None = None,
        in_range: Callable[[Record], bool] | None = None,
        batch_size: int = 20,
        clock: Callable[[], dt.datetime] | None = None,
        out_of_range_as_deleted: bool = False,
    ) -> None:
        self.side: Side = side
        self.kind: Kind = kind
        self.settings = settings or KindSettings()
        self.batch_size = batch_size
        self.api_calls = 0
        self.clock = clock or _tick_clock()
        self.out_of_range_as_deleted = out_of_range_as_deleted
        self._in_range = in_range
        self._data: dict[str, _Stored] = {}
        self._log: list[str] = []  # ids touched, in order; cursor = position
        self._generation = 0  # cursors of older generations have expired
        self._ids = itertools.count(1)
        self._versions = itertools.count(1)
        self._prefix = "O" if side == "outlook" else "S"
        # fault injection
        self.fail_calls: dict[str, int] = {}  # op -> number of whole calls to fail
        self.fail_ids: dict[str, ItemError] = {}  # id -> error for update/delete of it
        self.fail_items: dict[str, int] = {}  # op -> next N items fail
        self.crash_after_items: int | None = None  # die when this many more items were handled
        self.crash_applies_write: bool = True  # the fatal item reached the service first
        self.sent: list[tuple[str, str]] = []  # (op, id) log of engine writes

    # -- people's edits and inspection ----------------------------------------------------

    def put(self, record: Record) -> str:
        item_id = f"{self._prefix}{next(self._ids)}"
        self._store(item_id, clean_record(self.kind, record))
        return item_id

    def edit(self, item_id: str, **changes: object) -> None:
        current = self._data[item_id].record
        self._store(item_id, clean_record(self.kind, {**current, **changes}))

    def remove(self, item_id: str) -> None:
        del self._data[item_id]
        self._log.append(item_id)

    def records(self) -> dict[str, Record]:
        return {i: dict(s.record) for i, s in self._data.items()}

    def in_range(self, record: Record) -> bool:
        return self._in_range is None or bool(self._in_range(record))

    def set_range(self, in_range: Callable[[Record], bool] | None) -> None:
        """Change the range; records whose membership changed are reported as changed."""
        before = {i: self.in_range(s.record) for i, s in self._data.items()}
        self._in_range = in_range
        for i, s in self._data.items():
            if self.in_range(s.record) != before[i]:
                self._log.append(i)

    def expire_cursors(self) -> None:
        self._generation += 1

    def _store(self, item_id: str, record: Record) -> _Stored:
        stored = _Stored(f"{self._prefix.lower()}v{next(self._versions)}", record, self.clock())
        self._data[item_id] = stored
        self._log.append(item_id)
        return stored

    def _item(self, item_id: str) -> SourceItem:
        s = self._data[item_id]
        return SourceItem(item_id, s.version, dict(s.record), s.modified_at, self.in_range(s.record))

    # -- Source protocol ------------------------------------------------------------------

    def _call(self, op: str) -> None:
        self.api_calls += 1
        if self.fail_calls.get(op, 0) > 0:
            self.fail_calls[op] -= 1
            raise SourceError(message=f"The {self.side} service is not answering ({op}).", side=self.side)

    async def list_changes(self, cursor: str | None) -> ChangeSet:
        self._call("list")
        if cursor is not None:
            generation, _, pos = cursor.partition(":")
            if int(generation) != self._generation:
                raise CursorExpired(message="Re-reading everything.", side=self.side)
            position = int(pos)
            items, deleted = [], []
            for item_id in dict.fromkeys(self._log[position:]):
                if item_id not in self._data:
                    deleted.append(item_id)
                    continue
                item = self._item(item_id)
                if not item.in_range and self.out_of_range_as_deleted:
                    deleted.append(item_id)
                else:
                    items.append(item)
            return ChangeSet(items, deleted, self._cursor(), full=False)
        items = [self._item(i) for i, s in self._data.items() if self.in_range(s.record)]
        return ChangeSet(items, [], self._cursor(), full=True)

    def _cursor(self) -> str:
        return f"{self._generation}:{len(self._log)}"

    async def get_many(self, ids: Sequence[str]) -> dict[str, SourceItem]:
        self._call("get")
        return {i: self._item(i) for i in ids if i in self._data}

    async def find_matches(self, record: Record) -> list[SourceItem]:
        self._call("find")
        wanted = set(match_keys(self.kind, record))
        return [
            self._item(i)
            for i, s in self._data.items()
            if wanted.intersection(match_keys(self.kind, s.record))
        ]

    def _guard(self, op: Literal["create", "update", "delete"], n: int) -> None:
        if n > self.batch_size:
            raise SourceError(message=f"Batch of {n} is larger than {self.batch_size}.")
        if n and self.settings.prevents(self.side, op):
            raise PreventedOperation(
                message=f"{op} on {self.side} is prevented by the settings", side=self.side, op=op
            )

    def _before_item(self, op: str) -> ItemResult | None:
        if (
            self.crash_after_items is not None
            and self.crash_after_items <= 0
            and not self.crash_applies_write
        ):
            self.crash_after_items = None
            raise SimulatedCrash(f"died before {op}")
        if self.fail_items.get(op, 0) > 0:
            self.fail_items[op] -= 1
            return ItemResult.failure("rejected", f"The {self.side} service refused this {op}.")
        return None

    def _after_item(self, op: str) -> None:
        if self.crash_after_items is None:
            return
        if self.crash_after_items > 0:
            self.crash_after_items -= 1
        elif self.crash_applies_write:
            self.crash_after_items = None
            raise SimulatedCrash(f"died after {op}")

    async def create_many(self, records: Sequence[Record]) -> list[ItemResult]:
        self._guard("create", len(records))
        self._call("create")
        results = []
        for record in records:
            failed = self._before_item("create")
            if failed:
                results.append(failed)
                continue
            item_id = f"{self._prefix}{next(self._ids)}"
            stored = self._store(item_id, clean_record(self.kind, record))
            self.sent.append(("create", item_id))
            self._after_item("create")
            results.append(ItemResult.success(item_id, stored.version))
        return results

    async def update_many(self, updates: Sequence[Update]) -> list[ItemResult]:
        self._guard("update", len(updates))
        self._call("update")
        results = []
        allowed = set(fields_to(self.kind, self.side))
        for u in updates:
            failed = self._before_item("update")
            if failed:
                results.append(failed)
                continue
            if u.id in self.fail_ids:
                results.append(ItemResult(False, u.id, None, self.fail_ids[u.id]))
                continue
            current = self._data.get(u.id)
            if current is None:
                results.append(ItemResult.failure("not_found", "The record was deleted meanwhile.", id=u.id))
                continue
            if current.version != u.version:
                results.append(ItemResult.failure("stale", "The record was changed meanwhile.", id=u.id))
                continue
            unknown = set(u.fields) - allowed
            if unknown:
                raise AssertionError(f"{self.side} was sent fields it never receives: {sorted(unknown)}")
            stored = self._store(u.id, clean_record(self.kind, {**current.record, **u.fields}))
            self.sent.append(("update", u.id))
            self._after_item("update")
            results.append(ItemResult.success(u.id, stored.version))
        return results

    async def delete_many(self, deletes: Sequence[Delete]) -> list[ItemResult]:
        self._guard("delete", len(deletes))
        self._call("delete")
        results = []
        for d in deletes:
            failed = self._before_item("delete")
            if failed:
                results.append(failed)
                continue
            if d.id in self.fail_ids:
                results.append(ItemResult(False, d.id, None, self.fail_ids[d.id]))
                continue
            current = self._data.get(d.id)
            if current is not None and current.version != d.version:
                results.append(ItemResult.failure("stale", "The record was changed meanwhile.", id=d.id))
                continue
            if current is not None:
                self.remove(d.id)
                self.sent.append(("delete", d.id))
            self._after_item("delete")
            results.append(ItemResult.success(d.id, ""))
        return results
