"""Tandem's Outlook sources within Graph's limits, against the sandbox over real HTTPS: never
more than 4 requests (sub-requests included) running against the mailbox, delta read only on
the documented paths (with the listing fallback for a chosen calendar), and event creates that
a repeat cannot duplicate (``transactionId``)."""

from __future__ import annotations

import asyncio
from typing import Any

from test_graph_source import DAYS_AHEAD, DAYS_BACK, _client, _ok, outlook, run

from sync.graph.source import GraphContacts, GraphEvents
from sync.testing.conformance import sample


def concurrency(sandbox: Any) -> dict:
    return sandbox.control("requests")["graph_concurrency"]


def endpoints(sandbox: Any) -> dict[str, int]:
    return sandbox.control("requests")["services"].get("graph", {}).get("endpoints", {})


def test_a_sync_of_many_contacts_and_events_keeps_to_four_requests_at_once(sandbox) -> None:
    sandbox.state.set_faults(latency_ms=5)  # every request takes a little time: they overlap
    sandbox.control("POST requests/reset")

    async def main() -> tuple[list, list]:
        client = _client(sandbox)  # one client per account, shared by the kinds
        try:
            contacts = GraphContacts(client)
            events = GraphEvents(client, DAYS_BACK, DAYS_AHEAD)
            made = await asyncio.gather(
                contacts.create_many([sample("contacts", n) for n in range(60)]),
                events.create_many([sample("events", n) for n in range(60)]),
            )
            await asyncio.gather(contacts.list_changes(None), events.list_changes(None))
            return made[0], made[1]
        finally:
            await client.aclose()

    contacts, events = asyncio.run(main())
    assert all(r.ok for r in contacts + events)
    assert len(sandbox.state.graph_items("contacts")) == 60
    assert len(sandbox.state.graph_items("events")) == 60
    seen = concurrency(sandbox)
    assert seen["peak_demand"]["me"] <= 4, seen
    assert seen["refused"] == {}, seen
    assert not [e for e in endpoints(sandbox) if "fault" in e]


def test_delta_is_read_on_the_documented_paths(sandbox) -> None:
    with outlook(sandbox) as o:
        _ok(o.post("/me/contacts", json={"givenName": "Ada", "surname": "Lovelace"}))
    sandbox.control("POST requests/reset")

    async def body(make):
        contacts, events = await make("contacts"), await make("events")
        first = await contacts.list_changes(None)
        assert [i.record.get("LastName") for i in first.items] == ["Lovelace"]
        await contacts.list_changes(first.cursor)
        await events.list_changes(None)

    run(sandbox, body)
    used = endpoints(sandbox)
    assert used.get("GET /v1.0/me/contactFolders/{folder_id}/contacts/delta") == 2, used
    assert used.get("GET /v1.0/me/calendarView/delta") == 1, used
    assert not [e for e in used if e.endswith("/me/contacts/delta") or "/calendar/calendarView" in e]


def test_a_chosen_calendar_is_listed_when_its_delta_is_refused(sandbox) -> None:
    sandbox.control("POST config", {"graph_calendar_delta_per_calendar": False})
    with outlook(sandbox) as o:
        cal = _ok(o.post("/me/calendars", json={"name": "Projects"}))
        made = [
            _ok(
                o.post(
                    f"/me/calendars/{cal['id']}/events",
                    json={
                        "subject": f"Review {n}",
                        "start": {"dateTime": f"2026-11-0{n + 2}T10:00:00", "timeZone": "UTC"},
                        "end": {"dateTime": f"2026-11-0{n + 2}T11:00:00", "timeZone": "UTC"},
                    },
                )
            )
            for n in range(3)
        ]

    async def body(make):
        source = await make("events", calendar_id=cal["id"])
        first = await source.list_changes(None)
        assert first.full and sorted(i.record["Subject"] for i in first.items) == [
            "Review 0",
            "Review 1",
            "Review 2",
        ]
        with outlook(sandbox) as o:
            _ok(o.delete(f"/me/events/{made[0]['id']}"))
            _ok(o.patch(f"/me/events/{made[1]['id']}", json={"subject": "Review 1 (moved)"}))
        later = await source.list_changes(first.cursor)
        # A full listing: the engine checks the linked event it no longer lists as deleted.
        assert later.full
        assert sorted(i.record["Subject"] for i in later.items) == ["Review 1 (moved)", "Review 2"]

    run(sandbox, body)
    used = endpoints(sandbox)
    assert used.get("GET /v1.0/me/calendars/{calendar_id}/calendarView/delta") == 1, used  # asked once


def test_event_creates_carry_a_transaction_id_so_a_repeat_makes_no_second_event(sandbox) -> None:
    record = sample("events", 3)

    async def body(make):
        first = await (await make("events")).create_many([record, record])
        # The same create again, as a later run does after losing the reply: a new client.
        again = await (await make("events")).create_many([record])
        return first, again

    first, again = run(sandbox, body)
    assert all(r.ok for r in first + again)
    assert first[0].id != first[1].id  # two identical records are two events
    assert again[0].id == first[0].id
    stored = sandbox.state.graph_items("events")
    assert len(stored) == 2
    assert all(str(e.get("transactionId") or "").startswith("tandem-") for e in stored)
