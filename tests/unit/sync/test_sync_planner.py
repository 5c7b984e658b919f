"""What the settings and guards do to the decision table's outcomes, and the plan's shape."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sync_helpers import T0, changes, contact, item, linked

from sync.planner import plan_kind
from sync.settings import KindSettings

BASE = contact()


def plan(links, outlook, salesforce, **settings):
    return plan_kind("contacts", links, outlook, salesforce, KindSettings(**settings))


# -- the six prevent switches --------------------------------------------------------------------


@pytest.mark.parametrize("side", ["outlook", "salesforce"])
def test_prevented_create_is_listed_never_planned_as_a_create(side):
    source = "salesforce" if side == "outlook" else "outlook"
    new = changes(item(f"{source[0].upper()}1", BASE))
    args = (new, changes()) if source == "outlook" else (changes(), new)
    (action,) = plan([], *args, **{f"{side}_no_create": True}).actions
    assert action.op == "prevented" and action.side == side
    assert "switched off" in action.reason
    assert action.issue_category == "prevented"  # looked at again next run


@pytest.mark.parametrize("side", ["outlook", "salesforce"])
def test_prevented_update_keeps_the_snapshot(side):
    edited = item("O1" if side == "salesforce" else "S1", {**BASE, "Title": "Engineer"}, version="v2")
    args = (changes(edited), changes()) if side == "salesforce" else (changes(), changes(edited))
    (action,) = plan([linked(BASE)], *args, **{f"{side}_no_update": True}).actions
    assert action.op == "prevented" and action.side == side
    assert action.changes == {"Title": ("Countess", "Engineer")}
    assert action.link is None  # nothing recorded as agreed: the difference stays visible


@pytest.mark.parametrize("side", ["outlook", "salesforce"])
def test_prevented_delete_becomes_a_tombstone(side):
    gone = "salesforce" if side == "outlook" else "outlook"
    args = (
        (changes(), changes(deleted=("S1",)))
        if gone == "salesforce"
        else (changes(deleted=("O1",)), changes())
    )
    (action,) = plan([linked(BASE)], *args, **{f"{side}_no_delete": True}).actions
    assert action.op == "prevented" and action.side == side
    assert action.link.state == f"{gone}_deleted" and action.link.clear_side == gone
    assert "will not be brought back" in action.reason


def test_no_resurrection_after_a_prevented_delete_even_when_the_kept_record_changes():
    tomb = linked(BASE, state="outlook_deleted", outlook_id=None)
    edited = item("S1", {**BASE, "Title": "Engineer"}, version="v2")
    assert plan([tomb], changes(), changes(edited)).actions == []


def test_restore_deleted_recreates_on_the_side_where_it_was_deleted():
    tomb = linked(BASE, state="outlook_deleted", outlook_id=None)
    (action,) = plan([tomb], changes(), changes(item("S1", BASE)), restore_deleted=True).actions
    assert (action.op, action.side) == ("create", "outlook")
    assert action.link.link_id == tomb.id and action.link.state == "linked"
    # ... unless creating there is switched off too: then nothing, not a "prevented" every run
    assert (
        plan(
            [tomb], changes(), changes(item("S1", BASE)), restore_deleted=True, outlook_no_create=True
        ).actions
        == []
    )


def test_recreate_whose_create_is_prevented_leaves_a_tombstone():
    edited = item("S1", {**BASE, "Title": "Engineer"}, version="v2")
    (action,) = plan(
        [linked(BASE)], changes(deleted=("O1",)), changes(edited), outlook_no_create=True
    ).actions
    assert action.op == "prevented" and action.link.state == "outlook_deleted"


# -- conflict policies ----------------------------------------------------------------------------


def both_changed(o_time=T0, s_time=T0):
    return (
        changes(item("O1", {**BASE, "Title": "Engineer"}, version="v2", modified_at=o_time)),
        changes(item("S1", {**BASE, "Title": "Architect"}, version="v2", modified_at=s_time)),
    )


def writes(kplan):
    return {(a.side, k): v for a in kplan.actions if a.op == "update" for k, v in a.fields.items()}


def test_salesforce_wins_by_default():
    assert writes(plan([linked(BASE)], *both_changed())) == {("outlook", "Title"): "Architect"}


def test_outlook_wins():
    kplan = plan([linked(BASE)], *both_changed(), conflict_policy="outlook_wins")
    assert writes(kplan) == {("salesforce", "Title"): "Engineer"}


def test_most_recent_change_wins():
    later = T0 + dt.timedelta(minutes=5)
    assert writes(plan([linked(BASE)], *both_changed(o_time=later), conflict_policy="most_recent")) == {
        ("salesforce", "Title"): "Engineer"
    }
    assert writes(plan([linked(BASE)], *both_changed(s_time=later), conflict_policy="most_recent")) == {
        ("outlook", "Title"): "Architect"
    }


def test_ask_me_holds_the_item_with_three_choices():
    (action,) = plan([linked(BASE)], *both_changed(), conflict_policy="ask").actions
    assert action.op == "conflict" and action.side == "both"
    assert action.changes == {"Title": ("Engineer", "Architect")}  # old = Outlook, new = Salesforce
    assert set(action.choices) == {"keep_outlook", "keep_salesforce", "keep_both"}
    assert [(a.op, a.side) for a in action.choices["keep_outlook"]] == [("update", "salesforce")]
    assert [(a.op, a.side) for a in action.choices["keep_salesforce"]] == [("update", "outlook")]
    assert sorted((a.op, a.side) for a in action.choices["keep_both"]) == [
        ("create", "outlook"),
        ("create", "salesforce"),
        ("refresh", "both"),
    ]


def test_same_change_on_both_sides_is_no_conflict():
    same = (
        changes(item("O1", {**BASE, "Title": "CTO"}, version="v2")),
        changes(item("S1", {**BASE, "Title": "CTO"}, version="v2")),
    )
    kplan = plan([linked(BASE)], *same, conflict_policy="ask")
    assert kplan.actions == []
    assert any(a.link.snapshot_updates == {"Title": "CTO"} for a in kplan.internal)


def test_a_reformatted_phone_or_recased_email_is_not_a_change():
    snap = contact(Phone="+1 732 555 0102")
    reformatted = item("S1", contact(Phone="(732) 555-0102", Email="ADA@Example.com"), version="v9")
    kplan = plan([linked(snap)], changes(), changes(reformatted), phone_region="US")
    assert kplan.actions == []


def test_event_times_merge_as_one_unit():
    from sync.normalise import clean_record

    start = dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC)
    base = clean_record(
        "events", {"Subject": "QBR", "StartDateTime": start, "EndDateTime": start + dt.timedelta(hours=1)}
    )
    all_day = clean_record("events", {**base, "IsAllDayEvent": True, "ActivityDate": start.date()})
    moved = clean_record(
        "events",
        {
            **base,
            "StartDateTime": start + dt.timedelta(hours=2),
            "EndDateTime": start + dt.timedelta(hours=3),
        },
    )
    kplan = plan_kind(
        "events",
        [linked(base, kind="events")],
        changes(item("O1", all_day, version="v2")),
        changes(item("S1", moved, version="v2")),
        KindSettings(conflict_policy="outlook_wins"),
    )
    (update,) = kplan.actions
    assert update.side == "salesforce"
    assert update.fields["IsAllDayEvent"] is True and update.fields["StartDateTime"] is None


# -- one-way fields --------------------------------------------------------------------------------


def test_company_goes_to_outlook_only():
    to_outlook = plan(
        [linked(BASE)], changes(), changes(item("S1", {**BASE, "AccountName": "Acme"}, version="v2"))
    )
    assert writes(to_outlook) == {("outlook", "AccountName"): "Acme"}
    from_outlook = plan(
        [linked(BASE)], changes(item("O1", {**BASE, "AccountName": "Acme"}, version="v2")), changes()
    )
    assert from_outlook.actions == []


# -- matching and creating -------------------------------------------------------------------------


def test_first_sync_pairs_fills_gaps_and_reports_the_rule():
    o = item("O1", contact(Phone="+44 20 7946 0000", Title=None))
    s = item("S1", contact(Email="ADA@EXAMPLE.COM"))
    kplan = plan([], changes(o, full=True), changes(s, full=True))
    assert kplan.matched_by == {"email": 1}
    assert sorted((a.op, a.side) for a in kplan.actions) == [
        ("match", "both"),
        ("update", "outlook"),
        ("update", "salesforce"),
    ]
    assert writes(kplan) == {("outlook", "Title"): "Countess", ("salesforce", "Phone"): "+44 20 7946 0000"}
    match = next(a for a in kplan.actions if a.op == "match")
    assert match.reason == "Paired by email address."


def test_create_sends_only_fields_that_flow_that_way():
    s = item("S1", contact(AccountName="Acme"))
    (create,) = plan([], changes(), changes(s)).actions
    assert create.record["AccountName"] == "Acme"  # Salesforce -> Outlook: company goes along
    o = item("O1", contact(AccountName="Acme"))
    (create,) = plan([], changes(o), changes()).actions
    assert "AccountName" not in create.record  # Outlook never creates accounts


def test_value_over_the_salesforce_limit_is_held_naming_the_field():
    o = item("O1", contact(Title="x" * 129))
    (action,) = plan([], changes(o), changes()).actions
    assert action.op == "held" and action.issue.field == "Title" and action.issue.code == "too_long"
    assert "128" in action.reason


def test_truncate_long_values_cuts_and_records_it():
    o = item("O1", contact(Title="x" * 129))
    (action,) = plan([], changes(o), changes(), truncate_long_values=True).actions
    assert action.op == "create" and action.record["Title"] == "x" * 128
    assert action.truncated == ["Title"] and "Title" in action.reason


def test_missing_last_name_is_held():
    (action,) = plan([], changes(item("O1", contact(LastName=None))), changes()).actions
    assert action.op == "held" and action.issue.field == "LastName"


def test_private_items_are_left_out_unless_included():
    from sync.normalise import clean_record

    start = dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC)
    private = clean_record(
        "events",
        {
            "Subject": "Doctor",
            "StartDateTime": start,
            "IsPrivate": True,
            "EndDateTime": start + dt.timedelta(hours=1),
        },
    )
    assert plan_kind("events", [], changes(item("O1", private)), changes(), KindSettings()).actions == []
    (create,) = plan_kind(
        "events", [], changes(item("O1", private)), changes(), KindSettings(include_private=True)
    ).actions
    assert create.op == "create"


# -- guards ---------------------------------------------------------------------------------------


def test_empty_side_stops_the_kind():
    links = [linked(BASE, link_id=i, outlook_id=f"O{i}", salesforce_id=f"S{i}") for i in range(3)]
    full_outlook = changes(*(item(f"O{i}", BASE) for i in range(3)), full=True)
    kplan = plan(links, full_outlook, changes(full=True))
    assert kplan.stopped and "Salesforce returned no contacts" in kplan.stopped
    assert [(a.op, a.side) for a in kplan.actions] == [("held", "salesforce")]


def test_a_delta_that_deletes_every_linked_record_stops_the_kind():
    # Twelve linked, all deleted in Outlook between two syncs: the empty-side rule, not the
    # mass-delete guard, explains it, and nothing is held for confirming.
    links = [linked(BASE, link_id=i, outlook_id=f"O{i}", salesforce_id=f"S{i}") for i in range(12)]
    kplan = plan(links, changes(deleted=tuple(f"O{i}" for i in range(12))), changes())
    assert kplan.stopped and kplan.stopped.startswith(
        "Outlook returned no contacts at all, while 12 are linked"
    )
    assert [(a.op, a.side) for a in kplan.actions] == [("held", "outlook")]


def test_a_delta_that_leaves_a_record_or_deletes_only_a_few_is_not_an_empty_side():
    links = [linked(BASE, link_id=i, outlook_id=f"O{i}", salesforce_id=f"S{i}") for i in range(12)]
    one_left = changes(deleted=tuple(f"O{i}" for i in range(11)))
    kplan = plan(links, one_left, changes())
    assert kplan.stopped is None and sum(a.op == "held" for a in kplan.actions) == 11  # mass delete
    new = changes(
        item("O99", contact(Email="new@example.com", LastName="New")),
        deleted=tuple(f"O{i}" for i in range(12)),
    )
    assert plan(links, new, changes()).stopped is None
    out = changes(item("O11", BASE, in_range=False), deleted=tuple(f"O{i}" for i in range(11)))
    assert plan(links, out, changes()).stopped is None  # out of range: unlinked, never deleted
    few = [linked(BASE, link_id=i, outlook_id=f"O{i}", salesforce_id=f"S{i}") for i in range(3)]
    kplan = plan(few, changes(deleted=("O0", "O1", "O2")), changes())
    assert kplan.stopped is None and sum(a.op == "delete" for a in kplan.actions) == 3


def test_mass_delete_is_held_until_confirmed():
    links = [linked(BASE, link_id=i, outlook_id=f"O{i}", salesforce_id=f"S{i}") for i in range(40)]
    gone = changes(deleted=tuple(f"O{i}" for i in range(11)))
    kplan = plan(links, gone, changes())
    held = [a for a in kplan.actions if a.op == "held"]
    assert len(held) == 11 and all(a.choices["confirm"][0].op == "delete" for a in held)
    assert "more than Tandem deletes without asking" in held[0].reason
    # ten is within max(10, 10 % of 40)
    assert all(
        a.op == "delete"
        for a in plan(links, changes(deleted=tuple(f"O{i}" for i in range(10))), changes()).actions
    )


# -- the plan's JSON shape (CLI.md) ---------------------------------------------------------------


def test_plan_json_has_exactly_the_cli_shape():
    from sync.plan import Plan

    kplan = plan([linked(BASE)], changes(), changes(item("S1", {**BASE, "Birthdate": dt.date(1815, 12, 10)})))
    doc = json.loads(json.dumps(Plan(kinds={"contacts": kplan}).to_json()))
    assert set(doc) == {"run_id", "mode", "kinds", "api_calls", "duration_s"}
    assert doc["mode"] == "preview" and doc["api_calls"] == {"graph": 0, "salesforce": 0}
    contacts = doc["kinds"]["contacts"]
    assert set(contacts) == {"counts", "actions"}
    assert contacts["counts"] == {
        "outlook": {"create": 0, "update": 1, "delete": 0},
        "salesforce": {"create": 0, "update": 0, "delete": 0},
        "conflict": 0,
        "prevented": 0,
        "held": 0,
        "matched": 0,
        "errors": 0,
    }
    (action,) = contacts["actions"]
    assert set(action) == {"op", "side", "outlook_id", "salesforce_id", "label", "changes", "reason"}
    assert action["changes"] == {"Birthdate": {"old": None, "new": "1815-12-10"}}
    assert action["label"] == "Ada Lovelace <ada@example.com>"


def test_planning_is_pure():
    links = [linked(BASE)]
    outlook, salesforce = both_changed()
    first = plan(links, outlook, salesforce).to_json()
    assert plan(links, outlook, salesforce).to_json() == first
    assert links[0].snapshot == BASE and links[0].state == "linked"  # inputs untouched
