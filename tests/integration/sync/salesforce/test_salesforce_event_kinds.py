"""Events that are not the user's own single events: an invitee's child copy of a colleague's
meeting (already in the invitee's Outlook) and a legacy recurring master (not an event itself)
are never read, so Tandem neither duplicates them in Outlook nor writes them back."""

from __future__ import annotations

import datetime as dt

import pytest
from sf_world import _World

pytestmark = pytest.mark.seed("demo")


def test_child_events_and_recurring_masters_are_not_read(world: _World) -> None:
    start = world.sandbox.state.clock.now() + dt.timedelta(days=3)
    base = {
        "OwnerId": world.me,
        "StartDateTime": start.isoformat(),
        "EndDateTime": (start + dt.timedelta(hours=1)).isoformat(),
        "DurationInMinutes": 60,
        "ActivityDate": start.date().isoformat(),
    }
    child = world.sandbox.state.sf_create("Event", {**base, "Subject": "Colleague's review", "IsChild": True})
    master = world.sandbox.state.sf_create(
        "Event", {**base, "Subject": "Weekly stand-up", "IsRecurrence": True}
    )
    single = world.sandbox.state.sf_create("Event", {**base, "Subject": "My own meeting"})

    async def body() -> None:
        listing = await world.source("events").list_changes(None)
        ids = {i.id for i in listing.items}
        assert single["Id"] in ids
        assert child["Id"] not in ids and master["Id"] not in ids

    world.run(body)


def test_a_private_event_is_created_without_its_contact(world: _World) -> None:
    from sync.normalise import clean_record

    start = world.sandbox.state.clock.now().replace(microsecond=0) + dt.timedelta(days=2)
    email = "private.guest@harbourlight.example"
    world.sandbox.state.sf_create("Contact", {"LastName": "Guest", "Email": email, "OwnerId": world.me})
    record = {
        "Subject": "Doctor",
        "StartDateTime": start,
        "EndDateTime": start + dt.timedelta(minutes=30),
        "IsPrivate": True,
        "WhoEmail": email,
    }

    async def body() -> None:
        (made,) = await world.source("events").create_many([clean_record("events", record)])
        assert made.ok, made.error
        row = world.sandbox.state.sf_get("Event", made.id)
        assert row["IsPrivate"] is True and not row.get("WhoId")

    world.run(body)


@pytest.mark.seed("edge")
def test_the_edge_seed_child_events_and_recurring_master_are_not_read(world: _World) -> None:
    rows = world.sandbox.state.sf["records"]["Event"].values()
    mine = [r for r in rows if r.get("OwnerId") == world.me and str(r.get("Subject", "")).startswith("Edge:")]
    skipped = {r["Id"] for r in mine if r.get("IsChild") or r.get("IsRecurrence")}
    occurrences = {r["Id"] for r in mine if r.get("RecurrenceActivityId")}
    assert len(skipped) == 3 and len(occurrences) == 3

    async def body() -> None:
        listing = await world.source("events").list_changes(None)
        ids = {i.id for i in listing.items}
        assert not skipped & ids
        assert occurrences <= ids

    world.run(body)
