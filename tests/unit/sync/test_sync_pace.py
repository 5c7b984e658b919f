"""The loop stays responsive during a large apply (issue 6): the executor hands the event loop
a turn between items, never inside a transaction, and the result is the same as before.

Memory sources answer without awaiting anything, so without pacing a whole batch runs in one
stretch and a second task of the loop (in the GUI: painting, clicks) gets no turn until the
batch is done. Time slices are set to zero here so every item yields; nothing about speed is
asserted (tests/bench/bench_loop_lag.py measures the stalls).
"""

from __future__ import annotations

import asyncio

import pytest
from sync_helpers import World, contact

from sync import pace
from sync.pace import Pacer, paced_map


@pytest.fixture
def every_item(monkeypatch):
    monkeypatch.setattr(pace, "SLICE_S", 0.0)


def _interleaved(coro_factory, heard: list):
    """Run ``coro_factory()`` with a second task that notes "tick" each time it gets a turn."""

    async def main():
        stop = asyncio.Event()

        async def ticker():
            while not stop.is_set():
                heard.append("tick")
                await asyncio.sleep(0)

        task = asyncio.create_task(ticker())
        await asyncio.sleep(0)
        heard.clear()
        try:
            return await coro_factory()
        finally:
            stop.set()
            await task

    return asyncio.run(main())


def test_paced_map_gives_other_tasks_turns_and_keeps_order_and_results(every_item):
    heard: list = []

    def double(n):
        heard.append(n)
        return n * 2

    result = _interleaved(lambda: paced_map(double, range(5)), heard)
    assert result == [0, 2, 4, 6, 8]
    assert [h for h in heard if h != "tick"] == [0, 1, 2, 3, 4]
    between = heard[heard.index(0) : heard.index(4)]
    assert "tick" in between  # the other task ran while the list was being built


def test_a_pacer_with_time_left_in_its_slice_does_not_yield():
    heard: list = []
    pacer = Pacer(slice_s=3600)
    result = _interleaved(lambda: pacer.map(lambda n: heard.append(n) or n, range(50)), heard)
    assert result == list(range(50)) and pacer.yields == 0
    assert "tick" not in heard[heard.index(0) : heard.index(49)]


def test_a_large_batch_is_settled_with_turns_for_other_tasks_and_the_same_result(tmp_path, every_item):
    world = World(tmp_path, batch_size=1000)  # one batch: the memory source never awaits
    for i in range(40):
        world.outlook.put(contact(Email=f"c{i}@example.com", LastName=f"C{i}"))
    heard: list = []

    async def run():
        plan = await world.engine.preview()
        return await world.engine.apply(
            plan, progress=lambda kind, phase, done, total: heard.append((phase, done, total))
        )

    report = _interleaved(run, heard)
    assert report.ok and report.kinds["contacts"].counts["salesforce"]["create"] == 40
    start, end = heard.index(("applying", 0, 40)), heard.index(("applying", 40, 40))
    assert heard[start + 1 : end].count("tick") >= 40  # at least a turn per item written and settled
    assert [op for op, _ in world.salesforce.sent] == ["create"] * 40 and world.store.link_count(
        "contacts"
    ) == 40
    world.close()


def test_pairs_found_by_matching_are_committed_with_turns_for_other_tasks(tmp_path, every_item):
    world = World(tmp_path, batch_size=1000)
    for i in range(30):
        record = contact(Email=f"m{i}@example.com", LastName=f"M{i}")
        world.outlook.put(record)
        world.salesforce.put(record)
    heard: list = []

    async def run():
        plan = await world.engine.preview()
        heard.append("planned")
        return await world.engine.apply(plan)

    report = _interleaved(run, heard)
    assert report.ok and report.kinds["contacts"].counts["matched"] == 30
    assert report.changed() == 0
    assert heard[heard.index("planned") :].count("tick") >= 30  # a turn after each pair's transaction
    assert world.store.link_count("contacts") == 30
    world.close()


def test_no_turn_is_given_inside_a_store_transaction(tmp_path, every_item):
    """Another task writing while the executor yields must never land in its transaction."""
    world = World(tmp_path, batch_size=1000)
    for i in range(10):
        world.outlook.put(contact(Email=f"t{i}@example.com", LastName=f"T{i}"))
    inside: list[bool] = []

    async def run():
        stop = asyncio.Event()

        async def watcher():
            while not stop.is_set():
                inside.append(world.store.db.in_transaction())
                await asyncio.sleep(0)

        task = asyncio.create_task(watcher())
        plan = await world.engine.preview()
        report = await world.engine.apply(plan)
        stop.set()
        await task
        return report

    report = asyncio.run(run())
    assert report.kinds["contacts"].counts["salesforce"]["create"] == 10
    assert len(inside) > 10 and not any(inside)
    world.close()


def test_on_the_qt_loop_a_window_timer_fires_while_a_large_batch_is_applied(tmp_path, every_item, qapp):
    """The GUI's case: the engine on qasync's loop; a Qt timer (as painting and clicks are Qt
    events) still fires again and again while the items of one batch are settled."""
    import qasync
    from PyQt6.QtCore import QTimer

    world = World(tmp_path, batch_size=1000)
    for i in range(30):
        world.outlook.put(contact(Email=f"q{i}@example.com", LastName=f"Q{i}"))
    heard: list = []
    timer = QTimer()
    timer.setInterval(0)
    timer.timeout.connect(lambda: heard.append("qt"))

    async def run():
        plan = await world.engine.preview()
        timer.start()
        try:
            return await world.engine.apply(
                plan, progress=lambda kind, phase, done, total: heard.append((phase, done, total))
            )
        finally:
            timer.stop()

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    try:
        report = loop.run_until_complete(run())
    finally:
        asyncio.set_event_loop(None)
        loop.close()
    assert report.kinds["contacts"].counts["salesforce"]["create"] == 30
    start, end = heard.index(("applying", 0, 30)), heard.index(("applying", 30, 30))
    assert heard[start + 1 : end].count("qt") >= 15  # turns while the 30 items were settled
    world.close()


def test_links_and_journal_read_a_page_at_a_time_give_what_one_read_gives(tmp_path):
    from sync.links import Link
    from sync.store import Store

    store = Store(tmp_path / "paged.db")
    for i in range(23):  # two kinds interleaved, so pages skip the other kind's rows
        kind = "contacts" if i % 3 else "tasks"
        store.save_link(
            Link(kind=kind, outlook_id=f"O{i}", salesforce_id=f"S{i}", snapshot={"LastName": f"L{i}"})
        )
    run = store.start_run(trigger="manual", mode="apply", kinds=["contacts"])
    store.add_intents(
        [
            {
                "run_id": run,
                "kind": "contacts",
                "op": "create",
                "side": "salesforce",
                "label": f"Item {i}",
                "payload": {"n": i},
            }
            for i in range(11)
        ]
    )

    async def read():
        return (
            await store.links_paced("contacts", page=4),
            await store.links_paced("tasks", page=100),
            await store.journal_paced(run_id=run, page=3),
        )

    contacts, tasks, journal = asyncio.run(read())
    assert [(link.id, link.outlook_id, link.snapshot) for link in contacts] == sorted(
        (link.id, link.outlook_id, link.snapshot) for link in store.links("contacts")
    )
    assert len(contacts) == 15 and len(tasks) == 8
    assert journal == store.journal(run_id=run) and [r["payload"]["n"] for r in journal] == list(range(11))
    store.close()
