"""The decision table, one test per row: every situation has one named outcome and the
planner carries it out. The expected outcomes are written out here again on purpose: this
file is the specification, ``sync.decisions`` the implementation."""

from __future__ import annotations

import pytest
from sync_helpers import changes, contact, item, linked

from sync.decisions import SITUATIONS, TABLE, Outcome
from sync.planner import plan_kind
from sync.settings import KindSettings

U, C, D, R, A, N, AMB = "unchanged", "changed", "deleted", "out_of_range", "absent", "new", "ambiguous"
O = Outcome  # noqa: E741 - one letter keeps the table readable as a grid

SPEC = {
    # linked pair: (outlook, salesforce)
    ("linked", U, U): O.NOTHING,
    ("linked", U, C): O.COPY_TO_OUTLOOK,
    ("linked", C, U): O.COPY_TO_SALESFORCE,
    ("linked", C, C): O.MERGE,
    ("linked", D, U): O.DELETE_IN_SALESFORCE,
    ("linked", U, D): O.DELETE_IN_OUTLOOK,
    ("linked", D, D): O.FORGET,
    ("linked", D, C): O.RECREATE_IN_OUTLOOK,
    ("linked", C, D): O.RECREATE_IN_SALESFORCE,
    ("linked", R, U): O.UNLINK_OUTLOOK_OUT,
    ("linked", R, C): O.UNLINK_OUTLOOK_OUT,
    ("linked", U, R): O.UNLINK_SALESFORCE_OUT,
    ("linked", C, R): O.UNLINK_SALESFORCE_OUT,
    ("linked", R, D): O.FORGET,
    ("linked", D, R): O.FORGET,
    ("linked", R, R): O.FORGET,
    # Outlook record out of range ("changed" on Outlook: seen again, in range)
    ("outlook_out_of_range", U, U): O.STAY_UNLINKED,
    ("outlook_out_of_range", U, C): O.STAY_UNLINKED,
    ("outlook_out_of_range", U, D): O.FORGET,
    ("outlook_out_of_range", U, R): O.FORGET,
    ("outlook_out_of_range", R, U): O.STAY_UNLINKED,
    ("outlook_out_of_range", R, C): O.STAY_UNLINKED,
    ("outlook_out_of_range", R, D): O.FORGET,
    ("outlook_out_of_range", R, R): O.FORGET,
    ("outlook_out_of_range", C, U): O.RELINK,
    ("outlook_out_of_range", C, C): O.RELINK,
    ("outlook_out_of_range", C, D): O.TOMBSTONE_SALESFORCE_DELETED,
    ("outlook_out_of_range", C, R): O.UNLINK_SALESFORCE_OUT,
    ("outlook_out_of_range", D, U): O.TOMBSTONE_OUTLOOK_DELETED,
    ("outlook_out_of_range", D, C): O.TOMBSTONE_OUTLOOK_DELETED,
    ("outlook_out_of_range", D, D): O.FORGET,
    ("outlook_out_of_range", D, R): O.FORGET,
    # Salesforce record out of range
    ("salesforce_out_of_range", U, U): O.STAY_UNLINKED,
    ("salesforce_out_of_range", C, U): O.STAY_UNLINKED,
    ("salesforce_out_of_range", D, U): O.FORGET,
    ("salesforce_out_of_range", R, U): O.FORGET,
    ("salesforce_out_of_range", U, R): O.STAY_UNLINKED,
    ("salesforce_out_of_range", C, R): O.STAY_UNLINKED,
    ("salesforce_out_of_range", D, R): O.FORGET,
    ("salesforce_out_of_range", R, R): O.FORGET,
    ("salesforce_out_of_range", U, C): O.RELINK,
    ("salesforce_out_of_range", C, C): O.RELINK,
    ("salesforce_out_of_range", D, C): O.TOMBSTONE_OUTLOOK_DELETED,
    ("salesforce_out_of_range", R, C): O.UNLINK_OUTLOOK_OUT,
    ("salesforce_out_of_range", U, D): O.TOMBSTONE_SALESFORCE_DELETED,
    ("salesforce_out_of_range", C, D): O.TOMBSTONE_SALESFORCE_DELETED,
    ("salesforce_out_of_range", D, D): O.FORGET,
    ("salesforce_out_of_range", R, D): O.FORGET,
    # tombstones: deleted on one side earlier, the delete on the other side was prevented
    ("outlook_deleted", A, U): O.KEEP_DELETED,
    ("outlook_deleted", A, C): O.KEEP_DELETED,
    ("outlook_deleted", A, D): O.FORGET,
    ("outlook_deleted", A, R): O.FORGET,
    ("salesforce_deleted", U, A): O.KEEP_DELETED,
    ("salesforce_deleted", C, A): O.KEEP_DELETED,
    ("salesforce_deleted", D, A): O.FORGET,
    ("salesforce_deleted", R, A): O.FORGET,
    # records no link knows
    ("unlinked", N, A): O.CREATE_IN_SALESFORCE,
    ("unlinked", A, N): O.CREATE_IN_OUTLOOK,
    ("unlinked", N, N): O.PAIR,
    ("unlinked", AMB, A): O.HOLD_AMBIGUOUS,
    ("unlinked", A, AMB): O.HOLD_AMBIGUOUS,
    ("unlinked", R, A): O.IGNORE,
    ("unlinked", A, R): O.IGNORE,
    ("unlinked", D, A): O.IGNORE,
    ("unlinked", A, D): O.IGNORE,
}

# What each outcome must do to the plan: visible (op, side) and link changes.
EFFECT = {
    O.NOTHING: ([], []),
    O.COPY_TO_OUTLOOK: ([("update", "outlook")], []),
    O.COPY_TO_SALESFORCE: ([("update", "salesforce")], []),
    O.MERGE: ([("update", "outlook"), ("update", "salesforce")], []),
    O.DELETE_IN_OUTLOOK: ([("delete", "outlook")], []),
    O.DELETE_IN_SALESFORCE: ([("delete", "salesforce")], []),
    O.RECREATE_IN_OUTLOOK: ([("create", "outlook")], []),
    O.RECREATE_IN_SALESFORCE: ([("create", "salesforce")], []),
    O.FORGET: ([], ["drop"]),
    O.UNLINK_OUTLOOK_OUT: ([], ["state:outlook_out_of_range"]),
    O.UNLINK_SALESFORCE_OUT: ([], ["state:salesforce_out_of_range"]),
    O.STAY_UNLINKED: ([], []),
    O.TOMBSTONE_OUTLOOK_DELETED: ([], ["state:outlook_deleted"]),
    O.TOMBSTONE_SALESFORCE_DELETED: ([], ["state:salesforce_deleted"]),
    O.KEEP_DELETED: ([], []),
    O.CREATE_IN_OUTLOOK: ([("create", "outlook")], []),
    O.CREATE_IN_SALESFORCE: ([("create", "salesforce")], []),
    O.PAIR: ([("match", "both")], []),
    O.IGNORE: ([], []),
}

BASE = contact()
O_CHANGE = {"Title": "Engineer"}  # an Outlook edit
S_CHANGE = {"Department": "Analytics"}  # a Salesforce edit


def situation(state: str, o: str, s: str):
    """Build the links and changes of one row."""
    links, o_items, s_items, o_del, s_del = [], [], [], [], []
    if state == "unlinked":
        for side, obs, items, dels in (("outlook", o, o_items, o_del), ("salesforce", s, s_items, s_del)):
            item_id = "O1" if side == "outlook" else "S1"
            if obs == N:
                items.append(item(item_id, BASE))
            elif obs == R:
                items.append(item(item_id, BASE, in_range=False))
            elif obs == D:
                dels.append(item_id)
            elif obs == AMB:  # one record here, two with the same email on the other side
                items.append(item(item_id, BASE))
                other = s_items if side == "outlook" else o_items
                prefix = "S" if side == "outlook" else "O"
                other += [item(f"{prefix}7", BASE), item(f"{prefix}8", contact(Title="Dr"))]
        return links, changes(*o_items, deleted=tuple(o_del)), changes(*s_items, deleted=tuple(s_del))
    link = linked(
        BASE,
        state=state,
        outlook_id=None if state == "outlook_deleted" else "O1",
        salesforce_id=None if state == "salesforce_deleted" else "S1",
    )
    links.append(link)
    for side, obs, items, dels, edit in (
        ("outlook", o, o_items, o_del, O_CHANGE),
        ("salesforce", s, s_items, s_del, S_CHANGE),
    ):
        item_id = "O1" if side == "outlook" else "S1"
        if obs == C:
            items.append(item(item_id, {**BASE, **edit}, version="v2"))
        elif obs == R:
            items.append(item(item_id, BASE, version="v2", in_range=False))
        elif obs == D:
            dels.append(item_id)
    return links, changes(*o_items, deleted=tuple(o_del)), changes(*s_items, deleted=tuple(s_del))


def summary(kplan):
    visible = sorted((a.op, a.side) for a in kplan.actions)
    internal = []
    for a in kplan.internal:
        if a.link is not None and a.link.drop:
            internal.append("drop")
        elif a.link is not None and a.link.state and a.link.state != "linked":
            internal.append(f"state:{a.link.state}")
    return visible, sorted(internal)


def test_the_table_covers_every_situation_once():
    assert set(TABLE) == SITUATIONS
    assert set(SPEC) == SITUATIONS


@pytest.mark.parametrize("row", sorted(SPEC), ids=lambda r: "-".join(r))
def test_row(row):
    state, o, s = row
    expected = SPEC[row]
    assert TABLE[row] is expected
    links, outlook, salesforce = situation(state, o, s)
    kplan = plan_kind("contacts", links, outlook, salesforce, KindSettings())
    visible, internal = summary(kplan)
    if expected is O.RELINK:
        # back in range: linked again, then handled as a linked pair with the same observations
        assert any(a.link and a.link.state == "linked" for a in kplan.internal), "the pair is linked again"
        inner = {(C, U): O.COPY_TO_SALESFORCE, (C, C): O.MERGE, (U, C): O.COPY_TO_OUTLOOK}[(o, s)]
        assert visible == sorted(EFFECT[inner][0])
        assert internal == []
        return
    if expected is O.HOLD_AMBIGUOUS:
        held = [a for a in kplan.actions if a.op == "held"]
        assert len(held) == 3 and not [a for a in kplan.actions if a.op != "held"]
        assert all("cannot tell" in a.reason for a in held)
        return
    want_visible, want_internal = EFFECT[expected]
    assert visible == sorted(want_visible)
    assert internal == sorted(want_internal)
    for a in kplan.actions:
        assert a.outcome == expected.value


def test_copy_carries_the_changed_field_with_old_and_new_values():
    links, outlook, salesforce = situation("linked", U, C)
    kplan = plan_kind("contacts", links, outlook, salesforce, KindSettings())
    (update,) = kplan.actions
    assert update.changes == {"Department": (None, "Analytics")}
    assert update.fields == {"Department": "Analytics"}


def test_merge_keeps_both_changes():
    links, outlook, salesforce = situation("linked", C, C)
    kplan = plan_kind("contacts", links, outlook, salesforce, KindSettings())
    by_side = {a.side: a.fields for a in kplan.actions}
    assert by_side == {"outlook": {"Department": "Analytics"}, "salesforce": {"Title": "Engineer"}}


def test_recreate_offers_keeping_the_delete_when_deletes_are_allowed():
    links, outlook, salesforce = situation("linked", D, C)
    (create,) = plan_kind("contacts", links, outlook, salesforce, KindSettings()).actions
    assert [(a.op, a.side) for a in create.choices["keep_outlook"]] == [("delete", "salesforce")]
    prevented = KindSettings(salesforce_no_delete=True)
    (create,) = plan_kind("contacts", links, outlook, salesforce, prevented).actions
    assert create.op == "create" and create.choices == {}
