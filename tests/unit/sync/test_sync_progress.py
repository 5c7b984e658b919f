"""The engine's optional progress hook, the hold of creates whose twin exists out of range, and
cursors that are not reused when the range changed. Memory sources and a real store."""

from __future__ import annotations

import asyncio
import threading

import pytest
from sync_helpers import World, contact

from sync.engine import SyncEngine


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path, batch_size=2)
    yield w
    w.close()


def test_progress_reports_reading_planning_and_applying_in_order(world):
    for i in range(5):
        world.outlook.put(contact(Email=f"p{i}@example.com", LastName=f"P{i}"))
    heard: list[tuple[str, str, int, int]] = []
    threads: set[int] = set()

    def progress(kind, phase, done, total):
        heard.append((kind, phase, done, total))
        threads.add(threading.get_ident())

    async def run():
        plan = await world.engine.preview(progress=progress)
        return await world.engine.apply(plan, progress=progress)

    report = asyncio.run(run())
    assert report.kinds["contacts"].counts["salesforce"]["create"] == 5
    phases = [h[1] for h in heard]
    assert phases[:2] == ["reading", "reading"] and phases[-1] == "applying"
    assert phases.index("planning") > phases.index("reading")
    assert [h for h in heard if h[1] == "reading"] == [
        ("contacts", "reading", 0, 2),
        ("contacts", "reading", 1, 2),
        ("contacts", "reading", 2, 2),
    ]
    assert [h[2:] for h in heard if h[1] == "planning"] == [(0, 1), (1, 1)]
    # five creates in batches of two: 0, 2, 4, 5 of 5
    assert [h[2:] for h in heard if h[1] == "applying"] == [(0, 5), (2, 5), (4, 5), (5, 5)]
    assert threads == {threading.get_ident()}  # the caller's (loop) thread, never a worker


def test_progress_given_to_the_engine_is_used_by_sync_and_a_failing_listener_is_harmless(tmp_path):
    world = World(tmp_path)
    world.outlook.put(contact())
    heard = []

    def progress(kind, phase, done, total):
        heard.append(phase)
        raise RuntimeError("a broken progress bar")

    world.engine = SyncEngine(
        world.store,
        {"contacts": {"outlook": world.outlook, "salesforce": world.salesforce}},
        lambda kind: world.settings,
        progress=progress,
    )
    report = world.sync()
    assert report.ok and report.kinds["contacts"].counts["salesforce"]["create"] == 1
    assert {"reading", "planning", "applying"} <= set(heard)
    world.close()


def test_without_a_progress_hook_nothing_changes(world):
    world.outlook.put(contact())
    assert world.sync().kinds["contacts"].counts["salesforce"]["create"] == 1


class _WithTwins:
    """A Salesforce memory source that knows contacts outside the range (owned by Sam)."""

    def __init__(self, source, outside: dict[str, str]):
        self._source = source
        self.outside = outside  # email -> owner
        self.lookups: list[list[str]] = []

    def __getattr__(self, name):
        return getattr(self._source, name)

    async def existing_twins(self, records):
        self.lookups.append([r.get("Email") for r in records])
        return [
            f"outside your range (owned by {self.outside[r['Email']]})"
            if r.get("Email") in self.outside
            else None
            for r in records
        ]


def test_a_create_whose_twin_is_out_of_range_is_held_not_created(world):
    world.outlook.put(contact(Email="nadia@example.com", LastName="Haddad"))
    world.outlook.put(contact(Email="new@example.com", LastName="New"))
    twins = _WithTwins(world.salesforce, {"nadia@example.com": "Sam Okafor"})
    world.engine = SyncEngine(
        world.store,
        {"contacts": {"outlook": world.outlook, "salesforce": twins}},
        lambda kind: world.settings,
    )
    plan = world.preview()
    ops = {a.label: (a.op, a.reason) for a in plan.kinds["contacts"].actions}
    assert ops["Ada Haddad <nadia@example.com>"][0] == "held"
    assert "owned by Sam Okafor" in ops["Ada Haddad <nadia@example.com>"][1]
    assert ops["Ada New <new@example.com>"][0] == "create"
    assert plan.needs_user()
    report = world.apply(plan)
    assert report.kinds["contacts"].counts["held"] == 1
    assert [r["Email"] for r in world.salesforce.records().values()] == ["new@example.com"]
    (issue,) = world.store.open_issues("contacts")
    assert "owned by Sam Okafor" in issue["message"]
    # Next run: held again from the open issue, nothing created twice.
    report = world.sync()
    assert report.kinds["contacts"].counts["held"] == 1
    assert len(world.salesforce.records()) == 1


def test_the_twin_lookup_runs_only_when_there_are_creates(world):
    twins = _WithTwins(world.salesforce, {})
    world.engine = SyncEngine(
        world.store,
        {"contacts": {"outlook": world.outlook, "salesforce": twins}},
        lambda kind: world.settings,
    )
    world.salesforce.put(contact())
    world.sync()  # creates only in Outlook
    world.sync()  # nothing at all
    assert twins.lookups == []
    world.outlook.put(contact(Email="x@example.com", LastName="X"))
    world.sync()
    assert twins.lookups == [["x@example.com"]]


def test_a_cursor_read_under_another_range_is_not_reused(world):
    world.outlook.put(contact())
    world.sync()
    world.outlook.range_key = "folder=other"  # the person picked another folder
    seen = []
    real = world.outlook.list_changes

    async def spy(cursor):
        seen.append(cursor)
        return await real(cursor)

    world.outlook.list_changes = spy
    world.preview()
    assert seen == [None]  # everything read again
    world.sync()
    world.preview()
    assert seen[-1] is not None  # and the new cursor is used from then on
