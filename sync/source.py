"""The source protocol: what the engine needs from one side (Outlook or Salesforce) of a kind.

One ``Source`` object serves one kind on one side (``GraphContacts``, ``SalesforceEvents``,
``MemorySource``...). All methods are coroutines on the application's single asyncio loop.
Records are mapped records (``sync.records``), already passed through
``sync.normalise.clean_record``.

Reading
    ``list_changes(cursor)`` -> ``ChangeSet``. ``cursor=None`` asks for a full listing
    (``full=True``: every record in range). Otherwise the records created or changed since
    the cursor and the ids gone since (deleted, or moved out of scope: the engine tells the
    two apart with ``get_many``). Items may carry ``in_range=False`` when the source knows
    they left the range. A cursor the service no longer accepts raises ``CursorExpired``;
    the engine then asks again with ``None``. The engine stores the returned cursor only
    after the run applied, so a crash re-reads the same changes (applying them is
    idempotent).

    ``get_many(ids)`` -> ``{id: SourceItem}`` for the ids that still exist (out-of-range
    ones included, with ``in_range=False``); a missing id means deleted.

    ``find_matches(record)`` -> records on this side that share a match key with ``record``
    (contacts: email, or first + last name; events: subject + start; tasks: subject + due
    date; see ``sync.matching.match_keys``). Graph filters contacts by email and lists a
    day of the calendar; Salesforce runs a SOQL query. Used only to recover from a crash
    between "create sent" and "create recorded".

Writing (batches of at most ``batch_size``; results in request order, one per item)
    ``create_many(records)`` -> ``[ItemResult(ok, id, version)]``.
    ``update_many([Update(id, version, fields)])``: ``fields`` holds only the mapped fields to
    change; nothing else on the record is touched. ``version`` is the concurrency token
    read earlier; a record changed since fails with code ``"stale"`` (Graph 412, Salesforce
    If-Unmodified-Since), a deleted one with ``"not_found"``.
    ``delete_many([Delete(id, version)])``: deleting an already-deleted record is ``ok``.
    A per-item failure is an ``ItemResult`` with an ``ItemError(code, message, field)``; a
    failure of the whole call (signed out, API limit, service down after retries) raises a
    ``SourceError``, which stops the kind: the items not yet sent are retried next run.

Counting
    ``api_calls``: requests made so far (the run report shows the difference).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from .fields import Kind, Side
from .records import ChangeSet, Delete, ItemResult, Record, SourceItem, Update


@runtime_checkable
class Source(Protocol):
    side: Side
    kind: Kind
    batch_size: int
    api_calls: int

    async def list_changes(self, cursor: str | None) -> ChangeSet: ...

    async def get_many(self, ids: Sequence[str]) -> dict[str, SourceItem]: ...

    async def find_matches(self, record: Record) -> list[SourceItem]: ...

    async def create_many(self, records: Sequence[Record]) -> list[ItemResult]: ...

    async def update_many(self, updates: Sequence[Update]) -> list[ItemResult]: ...

    async def delete_many(self, deletes: Sequence[Delete]) -> list[ItemResult]: ...
