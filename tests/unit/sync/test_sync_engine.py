"""The engine end to end over two memory sources and a real store: what a person sees."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from sync_helpers import World, contact

from sync.errors import NothingToUndo
from sync.memory_source import SimulatedCrash
from sync.plan import Decisions
from sync.settings import KindSettings


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path)
    yield w
    w.close()


def by_email(source):
    return {r["Email"].casefold(): r for r in source.records().values() if r["Email"]}


def test_first_sync_pairs_creates_and_a_second_sync_plans_nothing(world):
    world.outlook.put(contact(Phone="+44 20 7946 0000", Title=None))
    world.outlook.put(contact(FirstName="Alan", LastName="Turing", Email="alan@example.com"))
    world.salesforce.put(contact(Email="ADA@example.com"))
    world.salesforce.put(contact(FirstName="Grace", LastName="Hopper", Email="grace@example.com"))
    report = world.sync()
    c = report.kinds["contacts"].counts
    assert (c["matched"], c["outlook"]["create"], c["salesforce"]["create"]) == (1, 1, 1)
    assert (c["outlook"]["update"], c["salesforce"]["update"]) == (1, 1)
    assert (
        set(by_email(world.outlook))
        == set(by_email(world.salesforce))
        == {"ada@example.com", "alan@example.com", "grace@example.com"}
    )
    assert by_email(world.salesforce)["ada@example.com"]["Phone"] == "+44 20 7946 0000"
    assert by_email(world.outlook)["ada@example.com"]["Title"] == "Countess"
    assert world.preview().is_empty()
    assert "paired" in report.summary() and report.ok


def test_a_failed_item_becomes_an_issue_and_is_retried_next_run(world):
    world.outlook.put(contact())
    world.salesforce.fail_items["create"] = 1
    report = world.sync()
    assert report.kinds["contacts"].counts["errors"] == 1
    (issue,) = world.store.open_issues("contacts")
    assert issue["category"] == "error" and "tried again" in issue["message"]
    report = world.sync()  # nothing changed in Outlook, but the failed record is read again
    assert report.kinds["contacts"].counts["salesforce"]["create"] == 1
    assert world.store.open_issues("contacts") == []
    assert len(world.salesforce.records()) == 1


def test_a_service_failing_mid_apply_stops_the_kind_and_the_next_run_finishes(world):
    for i in range(5):
        world.outlook.put(contact(Email=f"p{i}@example.com", LastName=f"P{i}"))
    world.salesforce.batch_size = 2
    world.salesforce.fail_calls["create"] = 1
    report = world.sync()
    assert report.kinds["contacts"].error["title"] == "A service did not answer as expected"
    assert not report.ok
    world.sync()
    assert len(world.salesforce.records()) == 5
    assert world.preview().is_empty()


@pytest.mark.parametrize("applies_write", [True, False])
@pytest.mark.parametrize("after", [0, 1, 3])
def test_a_crash_during_creates_neither_duplicates_nor_loses(tmp_path, applies_write, after):
    world = World(tmp_path, batch_size=2)
    for i in range(5):
        world.outlook.put(contact(Email=f"p{i}@example.com", LastName=f"P{i}"))
    world.salesforce.crash_after_items = after
    world.salesforce.crash_applies_write = applies_write
    with pytest.raises(SimulatedCrash):
        world.sync()
    world.restart()
    world.preview()  # settles the pending intents: every create that reached Salesforce is linked
    assert len(world.store.links("contacts")) == len(world.salesforce.records()) == after + applies_write
    assert world.store.journal(kind="contacts", status="pending") == []
    world.sync()
    assert sorted(r["Email"] for r in world.salesforce.records().values()) == [
        f"p{i}@example.com" for i in range(5)
    ]
    assert world.preview().is_empty()
    assert len(world.store.links("contacts")) == 5
    world.close()


@pytest.mark.parametrize("op", ["update", "delete"])
def test_a_crash_during_updates_and_deletes_is_settled_on_restart(world, op):
    ids = [world.outlook.put(contact(Email=f"p{i}@example.com", LastName=f"P{i}")) for i in range(3)]
    world.sync()
    for item_id in ids:
        if op == "update":
            world.outlook.edit(item_id, Title="Engineer")
        else:
            world.outlook.remove(item_id)
    world.salesforce.crash_after_items = 1
    with pytest.raises(SimulatedCrash):
        world.sync()
    world.restart()
    rows = world.store.journal(kind="contacts", status="pending")
    assert len(rows) == 3  # intents written before the batch
    world.sync()
    assert world.store.journal(kind="contacts", status="pending") == []
    if op == "update":
        assert all(r["Title"] == "Engineer" for r in world.salesforce.records().values())
        assert len(world.salesforce.records()) == 3
    else:
        assert world.salesforce.records() == {}
    assert world.preview().is_empty()


def test_prevented_operations_are_never_sent_and_are_counted(tmp_path):
    world = World(tmp_path, settings=KindSettings.preset("contacts", "to_outlook"))
    world.outlook.put(contact())
    sf = world.salesforce.put(contact(FirstName="Grace", LastName="Hopper", Email="grace@example.com"))
    report = world.sync()  # the memory source raises if a prevented write reaches it
    c = report.kinds["contacts"].counts
    assert c["prevented"] == 1 and c["outlook"]["create"] == 1 and world.salesforce.sent == []
    world.salesforce.edit(sf, Title="Admiral")
    report = world.sync()
    assert report.kinds["contacts"].counts["outlook"]["update"] == 1
    assert report.kinds["contacts"].counts["prevented"] == 1  # still listed: the Outlook-only contact
    world.close()


def test_default_contacts_settings_never_delete_in_salesforce_and_do_not_resurrect(tmp_path):
    world = World(tmp_path, settings=KindSettings.default("contacts"))
    item_id = world.outlook.put(contact())
    world.sync()
    world.outlook.remove(item_id)
    report = world.sync()
    assert report.kinds["contacts"].counts["prevented"] == 1
    assert len(world.salesforce.records()) == 1
    (sf_id,) = world.salesforce.records()
    world.salesforce.edit(sf_id, Title="Engineer")
    world.sync()
    assert world.outlook.records() == {}  # not brought back
    world.set_settings(KindSettings(salesforce_no_delete=True, restore_deleted=True))
    world.sync()
    assert [r["Title"] for r in world.outlook.records().values()] == ["Engineer"]
    world.close()


def test_excluded_actions_are_not_applied_and_come_back_next_time(world):
    world.outlook.put(contact())
    world.outlook.put(contact(FirstName="Alan", LastName="Turing", Email="alan@example.com"))
    plan = world.preview()
    alan = next(a for a in plan.actions() if "Alan" in a.label)
    report = world.apply(plan, Decisions(excluded={alan.id}))
    assert report.kinds["contacts"].excluded == 1
    assert [r["FirstName"] for r in world.salesforce.records().values()] == ["Ada"]
    again = world.preview()
    assert [a.label for a in again.actions()] == ["Alan Turing <alan@example.com>"]


def conflict(world, policy="ask"):
    world.set_settings(KindSettings(conflict_policy=policy))
    o = world.outlook.put(contact())
    world.sync()
    (s,) = world.salesforce.records()
    world.outlook.edit(o, Title="Engineer")
    world.salesforce.edit(s, Title="Architect")
    return o, s


def test_ask_me_skips_the_item_in_auto_sync_and_raises_an_issue(world):
    o, s = conflict(world)
    report = world.sync(trigger="auto")
    assert report.kinds["contacts"].counts["conflict"] == 1 and report.needs_attention()
    (issue,) = world.store.open_issues("contacts")
    assert issue["code"] == "conflict"
    assert world.outlook.records()[o]["Title"] == "Engineer"
    assert world.salesforce.records()[s]["Title"] == "Architect"
    # still there next time (the issue makes the engine read both records again)
    (again,) = world.preview().actions()
    assert again.op == "conflict"


@pytest.mark.parametrize(
    "choice,outlook_title,salesforce_title",
    [("keep_outlook", "Engineer", "Engineer"), ("keep_salesforce", "Architect", "Architect")],
)
def test_the_person_decides_a_conflict(world, choice, outlook_title, salesforce_title):
    o, s = conflict(world)
    plan = world.preview()
    (action,) = plan.actions()
    world.apply(plan, Decisions(choices={action.id: choice}))
    assert world.outlook.records()[o]["Title"] == outlook_title
    assert world.salesforce.records()[s]["Title"] == salesforce_title
    assert world.preview().is_empty()
    assert world.store.open_issues("contacts") == []


def test_keep_both_makes_a_deliberate_second_copy(world):
    conflict(world)
    plan = world.preview()
    (action,) = plan.actions()
    world.apply(plan, Decisions(choices={action.id: "keep_both"}))
    titles = lambda src: sorted(r["Title"] for r in src.records().values())  # noqa: E731
    assert titles(world.outlook) == titles(world.salesforce) == ["Architect", "Engineer"]
    assert world.preview().is_empty()


def test_mass_delete_is_held_in_auto_sync_and_done_when_confirmed(world):
    # 12 of 13: with every linked one gone it would be the empty-side guard instead
    ids = [world.outlook.put(contact(Email=f"p{i}@example.com", LastName=f"P{i}")) for i in range(13)]
    world.sync()
    for item_id in ids[:12]:
        world.outlook.remove(item_id)
    report = world.sync(trigger="auto")
    assert report.kinds["contacts"].counts["held"] == 12 and len(world.salesforce.records()) == 13
    plan = world.preview()
    assert plan.needs_user() and {a.op for a in plan.actions()} == {"held"}
    world.apply(plan, Decisions(confirm_mass_delete={"contacts"}))
    assert len(world.salesforce.records()) == 1


def test_an_empty_side_stops_the_kind_and_deletes_nothing(world):
    for i in range(3):
        world.outlook.put(contact(Email=f"p{i}@example.com", LastName=f"P{i}"))
    world.sync()
    world.engine.reset_cursors("contacts")
    saved = world.salesforce._data
    world.salesforce._data = {}  # the service answers with nothing at all
    report = world.sync()
    world.salesforce._data = saved
    assert report.kinds["contacts"].stopped and report.needs_attention()
    assert len(world.outlook.records()) == 3
    assert world.store.open_issues("contacts")[0]["code"] == "empty_side"


def test_undo_reverses_the_last_run_and_only_once(world):
    keep = world.outlook.put(contact())
    gone = world.outlook.put(contact(FirstName="Alan", LastName="Turing", Email="alan@example.com"))
    world.sync()
    before = {"outlook": world.outlook.records(), "salesforce": world.salesforce.records()}
    world.outlook.edit(keep, Title="Engineer")
    world.outlook.remove(gone)
    world.salesforce.put(contact(FirstName="Grace", LastName="Hopper", Email="grace@example.com"))
    world.sync()
    plan = asyncio.run(world.engine.preview_undo())
    assert sorted((a.op, a.side) for a in plan.actions()) == [
        ("create", "salesforce"),
        ("delete", "outlook"),
        ("update", "salesforce"),
    ]
    world.apply(plan, trigger="undo")
    titles = sorted(r["Title"] for r in world.salesforce.records().values())
    assert titles == sorted(r["Title"] for r in before["salesforce"].values()) + ["Countess"]
    assert len(world.outlook.records()) == 1  # Grace's copy removed again; Alan stays deleted in Outlook
    with pytest.raises(NothingToUndo):
        asyncio.run(world.engine.preview_undo())


def test_rebuild_changes_nothing_and_the_next_sync_creates_no_duplicates(world):
    for i in range(4):
        world.outlook.put(contact(Email=f"p{i}@example.com", LastName=f"P{i}"))
    world.salesforce.put(contact(Email=None, FirstName="Grace", LastName="Hopper", AccountName="Navy"))
    world.sync()
    world.engine.rebuild("contacts")
    assert world.store.links("contacts") == []
    report = world.sync()
    c = report.kinds["contacts"].counts
    assert c["matched"] == 5 and c["outlook"]["create"] == c["salesforce"]["create"] == 0
    assert len(world.outlook.records()) == len(world.salesforce.records()) == 5


def test_an_expired_cursor_rereads_everything_without_duplicates(world):
    world.outlook.put(contact())
    world.sync()
    world.outlook.expire_cursors()
    world.salesforce.expire_cursors()
    assert world.preview().is_empty()


def test_leaving_the_range_unlinks_without_deleting_and_coming_back_relinks(world):
    o = world.outlook.put(contact(Department="Sales"))
    world.sync()
    (s,) = world.salesforce.records()
    world.outlook.set_range(lambda r: r["Department"] != "Gone")
    world.outlook.edit(o, Department="Gone")
    report = world.sync()
    assert report.kinds["contacts"].unlinked == 1
    assert world.store.links("contacts")[0].state == "outlook_out_of_range"
    world.salesforce.edit(s, Title="Engineer")  # not synced while unlinked
    world.sync()
    assert world.outlook.records()[o]["Title"] == "Countess" and len(world.outlook.records()) == 1
    world.outlook.edit(o, Department="Sales")
    world.sync()
    assert world.outlook.records()[o]["Title"] == "Engineer"
    assert world.store.links("contacts")[0].state == "linked"


def test_the_report_speaks_plainly_and_gives_the_cli_shape(world):
    world.outlook.put(contact())
    report = world.sync()
    assert report.summary() == "contacts: in Salesforce 1 created."
    doc = report.plan_json()
    assert doc["mode"] == "apply" and doc["run_id"] == report.run_id
    assert doc["kinds"]["contacts"]["counts"]["salesforce"]["create"] == 1
    (run,) = world.store.runs()
    assert (
        run["status"] == "applied"
        and run["report"]["kinds"]["contacts"]["counts"]["salesforce"]["create"] == 1
    )


def test_undo_after_a_rebuild_only_unpairs_and_loses_nothing(world):
    world.outlook.put(contact())
    world.sync()  # creates the Salesforce copy
    world.engine.rebuild("contacts")
    world.sync()  # pairs the two again: a run that changed only links
    plan = asyncio.run(world.engine.preview_undo())
    assert plan.is_empty()  # nothing to write: the pairing is simply forgotten
    world.apply(plan, trigger="undo")
    world.sync()
    assert len(world.outlook.records()) == len(world.salesforce.records()) == 1


def test_link_ids_are_never_reused(tmp_path):
    from sync.links import Link
    from sync.store import Store

    with Store(tmp_path / "t.db") as store:
        first = store.save_link(
            Link(kind="contacts", outlook_id="O1", salesforce_id="S1", snapshot=contact())
        )
        store.forget_kind("contacts")
        second = store.save_link(
            Link(kind="contacts", outlook_id="O2", salesforce_id="S2", snapshot=contact())
        )
        assert (
            second.id > first.id
        )  # journal images name links by id; a reused id would restore the wrong one


def test_an_undo_step_that_is_prevented_keeps_its_record_and_link(world):
    o = world.outlook.put(contact())
    world.sync()
    world.set_settings(KindSettings(salesforce_no_delete=True))
    plan = asyncio.run(world.engine.preview_undo())
    (action,) = plan.actions()
    assert (action.op, action.side) == ("prevented", "salesforce")
    world.apply(plan, trigger="undo")
    assert len(world.salesforce.records()) == 1
    assert [(link.outlook_id, link.state) for link in world.store.links("contacts")] == [(o, "linked")]
    world.sync()
    assert len(world.outlook.records()) == len(world.salesforce.records()) == 1


def test_large_sets_are_planned_off_the_event_loop(world, monkeypatch):
    import threading

    import sync.engine as engine_module

    seen = []
    real = engine_module.plan_kind

    def spy(*args):
        seen.append(threading.current_thread() is threading.main_thread())
        return real(*args)

    monkeypatch.setattr(engine_module, "plan_kind", spy)
    monkeypatch.setattr(engine_module, "THREAD_ABOVE", 0)
    world.outlook.put(contact())
    world.sync()
    assert seen == [False] and len(world.salesforce.records()) == 1


def _link_rows(world):
    return sorted(
        (link.outlook_id, link.salesforce_id, link.state, link.outlook_hash, link.salesforce_hash)
        for link in world.store.links("contacts")
    )


def _shown(plan):
    kplan = plan.kinds["contacts"]
    return kplan.to_json(), [(a.op, a.side, a.label) for a in kplan.internal]


def test_apply_does_what_the_preview_showed_when_the_settings_change_in_between(tmp_path):
    """Settings saved while a preview is open take effect from the next preview: applying
    the open preview does what it showed, exactly as if they had been saved just after."""
    before = KindSettings(phone_region="GB")
    after = replace(before, outlook_no_create=True, phone_region=None)
    worlds = {}
    for name in ("saved_after_the_run", "saved_during_the_preview"):
        (tmp_path / name).mkdir()
        world = worlds[name] = World(tmp_path / name, settings=before)
        world.outlook.put(contact(Phone="020 7946 0958"))
        world.salesforce.put(contact(FirstName="Grace", LastName="Hopper", Email="grace@example.com"))
        plan = world.preview()
        shown = plan.kinds["contacts"].counts()
        assert (shown["outlook"]["create"], shown["salesforce"]["create"]) == (1, 1)
        if name == "saved_during_the_preview":
            world.save_settings(after)
        report = world.apply(plan)
        assert report.kinds["contacts"].counts == shown  # what the preview said, nothing else
        world.save_settings(after)
        world.salesforce.put(contact(FirstName="Linus", LastName="Torvalds", Email="linus@example.com"))
    during, reference = worlds["saved_during_the_preview"], worlds["saved_after_the_run"]
    assert set(by_email(during.outlook)) == {"ada@example.com", "grace@example.com"}
    assert during.outlook.records() == reference.outlook.records()
    assert during.salesforce.records() == reference.salesforce.records()
    assert _link_rows(during) == _link_rows(reference)  # the pairs compare as the preview did
    # The next preview obeys the new settings: Linus may not be created in Outlook.
    plan = during.preview()
    (prevented,) = plan.actions()
    assert (prevented.op, prevented.side) == ("prevented", "outlook") and "Linus" in prevented.label
    assert _shown(plan) == _shown(reference.preview())
    for world in worlds.values():
        world.close()
