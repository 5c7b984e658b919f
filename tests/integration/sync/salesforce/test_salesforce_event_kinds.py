"""Events that are not the user's own single events: an invitee's child copy of a colleague's
meeting (already in the invitee's Outlook), a legacy recurring master (not an event itself) and
Lightning series occurrences are never read, so Tandem neither duplicates them in Outlook nor
writes them back; the preview names them. Events longer than a day in an org without multi-day
events are held with a reason, first on Salesforce's refusal, then before sending."""

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
    series = world.sandbox.state.sf_create(
        "Event",
        {
            **base,
            "Subject": "Forecast call",
            "IsRecurrence2": True,
            "Recurrence2PatternText": "RRULE:FREQ=WEEKLY",
        },
    )
    single = world.sandbox.state.sf_create("Event", {**base, "Subject": "My own meeting"})

    async def body() -> None:
        source = world.source("events")
        listing = await source.list_changes(None)
        ids = {i.id for i in listing.items}
        assert single["Id"] in ids
        assert not ids & {child["Id"], master["Id"], series["Id"]}
        notes = " ".join(source.read_notes)  # the preview says what is left alone, and why
        assert '"Colleague\'s review"' in notes and "invitations" in notes
        assert '"Weekly stand-up"' in notes and '"Forecast call"' in notes
        # a delta does not ask again
        await source.list_changes(listing.cursor)
        assert source.read_notes == []

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


class _Memory:
    """The profile's settings store, as the client's describe cache sees it."""

    def __init__(self) -> None:
        self.values: dict = {}

    def setting(self, key: str, default=None):
        return self.values.get(key, default)

    def set_setting(self, key: str, value) -> None:
        self.values[key] = value


def test_an_event_longer_than_a_day_is_held_in_an_org_without_multiday_events(world: _World) -> None:
    from sync.normalise import clean_record
    from sync.records import NEEDS_ORG_FEATURE

    world.sandbox.control("POST config", {"sf_org_features": "no-multiday-events"})
    day = world.sandbox.state.clock.now().date() + dt.timedelta(days=5)
    fair = clean_record(
        "events",
        {"Subject": "Trade fair", "IsAllDayEvent": True, "ActivityDate": day, "DurationInMinutes": 3 * 1440},
    )
    one_day = clean_record(
        "events",
        {"Subject": "Workshop", "IsAllDayEvent": True, "ActivityDate": day, "DurationInMinutes": 1440},
    )
    memory = _Memory()

    async def body() -> None:
        source = world.source("events")
        source.client.describe_cache = memory
        assert source.unwritable([fair, one_day]) == [None, None]  # not known yet: sent
        refused, made = await source.create_many([fair, one_day])
        assert made.ok
        assert not refused.ok and refused.error is not None
        assert refused.error.code == NEEDS_ORG_FEATURE and "multi-day events" in refused.error.message
        later = world.source("events")  # the next run, same profile
        later.client.describe_cache = memory
        reasons = later.unwritable([fair, one_day])
        assert reasons[0] and "multi-day events" in reasons[0] and reasons[1] is None

    world.run(body)
    subjects = [r["Subject"] for r in world.sandbox.state.sf["records"]["Event"].values()]
    assert "Workshop" in subjects and "Trade fair" not in subjects


def test_an_event_longer_than_fourteen_days_is_always_held(world: _World) -> None:
    from sync.normalise import clean_record

    start = world.sandbox.state.clock.now().replace(microsecond=0)
    long = clean_record(
        "events",
        {"Subject": "Sabbatical", "StartDateTime": start, "EndDateTime": start + dt.timedelta(days=20)},
    )
    (reason,) = world.source("events").unwritable([long])
    assert reason and "14 days" in reason
