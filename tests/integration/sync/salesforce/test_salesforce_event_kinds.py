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
