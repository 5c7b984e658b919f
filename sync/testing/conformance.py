"""The conformance suite every ``Source`` must pass (memory, Graph, Salesforce).

Plain async checks without a test framework, so any test suite can run them::

    @pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
    def test_conformance(check):
        asyncio.run(check(make_source, "outlook", "contacts"))

``make_source(side, kind)`` is an async factory returning a *fresh, empty* source (for the
real services: against a reset sandbox). A check raises ``AssertionError`` with a plain
explanation when the source breaks the protocol of ``sync.source``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from ..fields import Kind, Side, fields_to
from ..normalise import clean_record, same_value
from ..records import Delete, ItemResult, Record, Update, Value
from ..source import Source

SourceFactory = Callable[[Side, Kind], Awaitable[Source]]
UTC = dt.UTC


def sample(kind: Kind, n: int) -> Record:
    """A valid record, different for each ``n`` (also in its match keys)."""
    if kind == "contacts":
        return clean_record(
            kind,
            {
                "FirstName": "Ada",
                "LastName": f"Lovelace{n}",
                "Email": f"ada{n}@example.com",
                "Title": "Countess",
                "Department": "Engines",
                "Phone": "+44 20 7946 0000",
                "MobilePhone": "+44 7700 900123",
                "MailingCity": "London",
                "MailingCountry": "United Kingdom",
                "Birthdate": dt.date(1815, 12, 10),
                "Description": f"note {n}",
            },
        )
    if kind == "events":
        start = dt.datetime(2026, 10, 5, 9, 0, tzinfo=UTC) + dt.timedelta(days=n)
        return clean_record(
            kind,
            {
                "Subject": f"QBR {n}",
                "Description": "agenda",
                "StartDateTime": start,
                "EndDateTime": start + dt.timedelta(hours=1),
                "IsAllDayEvent": False,
                "Location": "Room 1",
                "ShowAs": "Busy",
                "IsPrivate": False,
            },
        )
    return clean_record(
        kind,
        {
            "Subject": f"Call back {n}",
            "Description": "from SF",
            "Status": "Not Started",
            "Priority": "High",
            "ActivityDate": dt.date(2026, 10, 7) + dt.timedelta(days=n),
            "IsReminderSet": False,
        },
    )


def _towards(kind: Kind, side: Side, record: Record) -> Record:
    return {k: record[k] for k in fields_to(kind, side)}


def _edit(kind: Kind) -> tuple[str, Value]:
    return {
        "contacts": ("Title", "Chief Engineer"),
        "events": ("Location", "Room 2"),
        "tasks": ("Description", "call before noon"),
    }[kind]


def _code(result: ItemResult) -> str | None:
    """The error code of a failed result (None when the source gave no error)."""
    return result.error.code if result.error is not None else None


def _same(kind: Kind, sent: Record, got: Record, what: str) -> None:
    for name, value in sent.items():
        if value is None:
            continue
        assert same_value(kind, name, value, got.get(name)), (
            f"{what}: field {name} was sent as {value!r} but reads back as {got.get(name)!r}"
        )


async def _create(source: Source, kind: Kind, side: Side, *ns: int) -> list[tuple[str, str, Record]]:
    records = [_towards(kind, side, sample(kind, n)) for n in ns]
    results = await source.create_many(records)
    assert len(results) == len(records), "create_many must return one result per record, in order"
    out = []
    for record, result in zip(records, results, strict=False):
        assert result.ok, f"create failed: {result.error}"
        assert isinstance(result.id, str) and result.id, "a created record needs an id"
        assert isinstance(result.version, str) and result.version, "a created record needs a version"
        out.append((result.id, result.version, record))
    assert len({i for i, _, _ in out}) == len(out), "created records got the same id"
    return out


async def check_create_then_get(make: SourceFactory, side: Side, kind: Kind) -> None:
    source = await make(side, kind)
    created = await _create(source, kind, side, 1, 2)
    found = await source.get_many([i for i, _, _ in created])
    for item_id, version, record in created:
        assert item_id in found, f"get_many does not return the record {item_id} just created"
        item = found[item_id]
        assert item.id == item_id and item.version == version, "get_many must return the current version"
        _same(kind, record, item.record, "create then get_many")
        assert item.in_range, "a record just created in the chosen folder/list must be in range"


async def check_full_listing_then_delta(make: SourceFactory, side: Side, kind: Kind) -> None:
    source = await make(side, kind)
    created = await _create(source, kind, side, 3)
    full = await source.list_changes(None)
    assert full.full, "list_changes(None) must be a full listing (full=True)"
    assert isinstance(full.cursor, str) and full.cursor, "the cursor must be a non-empty string"
    ids = {i.id for i in full.items}
    assert created[0][0] in ids, "a full listing must contain every record in range"
    delta = await source.list_changes(full.cursor)
    assert not delta.full, "list_changes(cursor) must be an incremental listing (full=False)"
    assert created[0][0] not in delta.deleted_ids, "an untouched record must not be reported deleted"
    for item in delta.items:
        if item.id == created[0][0]:
            _same(kind, created[0][2], item.record, "unchanged record in a delta")


async def check_update_changes_only_given_fields(make: SourceFactory, side: Side, kind: Kind) -> None:
    source = await make(side, kind)
    ((item_id, version, record),) = await _create(source, kind, side, 4)
    cursor = (await source.list_changes(None)).cursor
    name, value = _edit(kind)
    results = await source.update_many([Update(item_id, version, {name: value})])
    assert len(results) == 1 and results[0].ok, f"update failed: {results[0].error}"
    assert results[0].version and results[0].version != version, "an update must return the new version"
    item = (await source.get_many([item_id]))[item_id]
    assert same_value(kind, name, value, item.record.get(name)), f"{name} was not updated"
    _same(kind, {k: v for k, v in record.items() if k != name}, item.record, "fields not sent by an update")
    delta = await source.list_changes(cursor)
    assert item_id in {i.id for i in delta.items}, "an updated record must appear in the next delta"


async def check_stale_version_is_refused(make: SourceFactory, side: Side, kind: Kind) -> None:
    source = await make(side, kind)
    ((item_id, version, record),) = await _create(source, kind, side, 5)
    name, value = _edit(kind)
    first = await source.update_many([Update(item_id, version, {name: value})])
    assert first[0].ok
    stale = await source.update_many([Update(item_id, version, {name: record.get(name)})])
    assert not stale[0].ok, "an update with an old version must fail"
    code = _code(stale[0])
    assert code == "stale", f"expected code 'stale', got {code!r}"
    item = (await source.get_many([item_id]))[item_id]
    assert same_value(kind, name, value, item.record.get(name)), "a refused update must change nothing"


async def check_batch_results_are_per_item(make: SourceFactory, side: Side, kind: Kind) -> None:
    source = await make(side, kind)
    (a, va, _), (b, vb, _) = await _create(source, kind, side, 6, 7)
    name, value = _edit(kind)
    await source.update_many([Update(b, vb, {name: value})])
    results = await source.update_many([Update(a, va, {name: value}), Update(b, vb, {name: None})])
    assert len(results) == 2, "one result per item"
    assert results[0].ok, "a good item must succeed even when another item of the batch fails"
    assert not results[1].ok and _code(results[1]) == "stale", "the stale item must fail alone"


async def check_delete_then_gone(make: SourceFactory, side: Side, kind: Kind) -> None:
    source = await make(side, kind)
    ((item_id, version, _),) = await _create(source, kind, side, 8)
    cursor = (await source.list_changes(None)).cursor
    results = await source.delete_many([Delete(item_id, version)])
    assert results[0].ok, f"delete failed: {results[0].error}"
    assert item_id not in await source.get_many([item_id]), "get_many must not return a deleted record"
    delta = await source.list_changes(cursor)
    assert item_id in delta.deleted_ids or item_id not in {i.id for i in delta.items}, (
        "a deleted record must be reported gone (or not listed)"
    )
    again = await source.delete_many([Delete(item_id, version)])
    assert again[0].ok, "deleting an already deleted record must be ok (the wanted state is reached)"
    update = await source.update_many([Update(item_id, version, {_edit(kind)[0]: "x"})])
    assert not update[0].ok and _code(update[0]) == "not_found", "updating a deleted record: 'not_found'"


async def check_find_matches_by_key(make: SourceFactory, side: Side, kind: Kind) -> None:
    source = await make(side, kind)
    (item_id, _, record), _other = await _create(source, kind, side, 9, 10)
    found = await source.find_matches(sample(kind, 9))
    assert item_id in {i.id for i in found}, "find_matches must find a record by its match key"
    assert _other[0] not in {i.id for i in found}, "find_matches must not return records with other keys"


async def check_full_batch(make: SourceFactory, side: Side, kind: Kind) -> None:
    source = await make(side, kind)
    size = max(1, min(source.batch_size, 25))
    created = await _create(source, kind, side, *range(100, 100 + size))
    assert len(created) == size


CHECKS = [
    check_create_then_get,
    check_full_listing_then_delta,
    check_update_changes_only_given_fields,
    check_stale_version_is_refused,
    check_batch_results_are_per_item,
    check_delete_then_gone,
    check_find_matches_by_key,
    check_full_batch,
]
