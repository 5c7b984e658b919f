"""The decision table: every situation a record or pair can be in has one named outcome.

A situation is ``(state, outlook, salesforce)``:

- ``state``: the link's state (``sync.links``) or ``"unlinked"`` for a record no link knows.
- ``outlook`` / ``salesforce``: what this run observed on that side:
  ``unchanged`` (not seen, or seen with the same content hash), ``changed`` (content hash
  differs from the snapshot), ``deleted`` (confirmed gone), ``out_of_range`` (seen, but
  outside the range or private and excluded), ``absent`` (the link has no record on that
  side: a tombstone, or an unlinked record), ``new`` (an unlinked record in range),
  ``ambiguous`` (an unlinked record matching several on the other side).

For an out-of-range link, ``changed`` on the out side means "seen again, in range";
``unchanged`` means "not seen". The table is total over ``SITUATIONS``; a test checks it.

Settings then act on the outcome (``sync.planner``): prevent switches turn a create,
update or delete into a prevented one (a prevented delete becomes a tombstone: no
resurrection); ``restore_deleted`` turns KEEP_DELETED into RESTORE; the conflict policy
settles same-field conflicts of MERGE and PAIR; the guards hold deletes or stop the kind.
"""

from __future__ import annotations

from enum import StrEnum
from itertools import product


class Outcome(StrEnum):
    NOTHING = "nothing"  # in step: nothing to do
    COPY_TO_OUTLOOK = "copy_to_outlook"  # changed in Salesforce only
    COPY_TO_SALESFORCE = "copy_to_salesforce"  # changed in Outlook only
    MERGE = "merge"  # changed on both: field-level three-way merge
    DELETE_IN_OUTLOOK = "delete_in_outlook"  # deleted in Salesforce, unchanged in Outlook
    DELETE_IN_SALESFORCE = "delete_in_salesforce"
    RECREATE_IN_OUTLOOK = "recreate_in_outlook"  # deleted in Outlook, changed in Salesforce: the change wins
    RECREATE_IN_SALESFORCE = "recreate_in_salesforce"
    FORGET = "forget"  # nothing left to keep in step: drop the link
    UNLINK_OUTLOOK_OUT = "unlink_outlook_out"  # the Outlook record left the range: stop syncing the pair
    UNLINK_SALESFORCE_OUT = "unlink_salesforce_out"
    STAY_UNLINKED = "stay_unlinked"  # still out of range: leave both alone
    RELINK = "relink"  # back in range: linked again, then as for a linked pair
    TOMBSTONE_OUTLOOK_DELETED = (
        "tombstone_outlook_deleted"  # deleted in Outlook while unlinked: keep Salesforce's, never re-create
    )
    TOMBSTONE_SALESFORCE_DELETED = "tombstone_salesforce_deleted"
    KEEP_DELETED = "keep_deleted"  # delete was prevented earlier: no resurrection
    CREATE_IN_OUTLOOK = "create_in_outlook"
    CREATE_IN_SALESFORCE = "create_in_salesforce"
    PAIR = "pair"  # matched: link them, then merge their fields
    HOLD_AMBIGUOUS = "hold_ambiguous"  # matches several: needs the person's choice
    IGNORE = "ignore"  # unlinked and out of range, or an unknown delete


U, C, D, R = "unchanged", "changed", "deleted", "out_of_range"
A, N, AMB = "absent", "new", "ambiguous"
O = Outcome  # noqa: E741 - one letter keeps the decision table readable as a grid

_LINKED = {
    (U, U): O.NOTHING,
    (U, C): O.COPY_TO_OUTLOOK,
    (U, D): O.DELETE_IN_OUTLOOK,
    (U, R): O.UNLINK_SALESFORCE_OUT,
    (C, U): O.COPY_TO_SALESFORCE,
    (C, C): O.MERGE,
    (C, D): O.RECREATE_IN_SALESFORCE,
    (C, R): O.UNLINK_SALESFORCE_OUT,
    (D, U): O.DELETE_IN_SALESFORCE,
    (D, C): O.RECREATE_IN_OUTLOOK,
    (D, D): O.FORGET,
    (D, R): O.FORGET,
    (R, U): O.UNLINK_OUTLOOK_OUT,
    (R, C): O.UNLINK_OUTLOOK_OUT,
    (R, D): O.FORGET,
    (R, R): O.FORGET,
}

# The Outlook record is out of range; (outlook, salesforce). "changed" on Outlook = back in range.
_OUTLOOK_OUT = {
    (U, U): O.STAY_UNLINKED,
    (U, C): O.STAY_UNLINKED,
    (U, D): O.FORGET,
    (U, R): O.FORGET,
    (R, U): O.STAY_UNLINKED,
    (R, C): O.STAY_UNLINKED,
    (R, D): O.FORGET,
    (R, R): O.FORGET,
    (C, U): O.RELINK,
    (C, C): O.RELINK,
    (C, D): O.TOMBSTONE_SALESFORCE_DELETED,
    (C, R): O.UNLINK_SALESFORCE_OUT,
    (D, U): O.TOMBSTONE_OUTLOOK_DELETED,
    (D, C): O.TOMBSTONE_OUTLOOK_DELETED,
    (D, D): O.FORGET,
    (D, R): O.FORGET,
}
_SALESFORCE_OUT = {
    (o, s): {
        O.RELINK: O.RELINK,
        O.STAY_UNLINKED: O.STAY_UNLINKED,
        O.FORGET: O.FORGET,
        O.TOMBSTONE_SALESFORCE_DELETED: O.TOMBSTONE_OUTLOOK_DELETED,
        O.TOMBSTONE_OUTLOOK_DELETED: O.TOMBSTONE_SALESFORCE_DELETED,
        O.UNLINK_SALESFORCE_OUT: O.UNLINK_OUTLOOK_OUT,
    }[out]
    for (s, o), out in _OUTLOOK_OUT.items()
}

# Tombstones: the record on the deleted side is absent.
_OUTLOOK_DELETED = {(A, U): O.KEEP_DELETED, (A, C): O.KEEP_DELETED, (A, D): O.FORGET, (A, R): O.FORGET}
_SALESFORCE_DELETED = {(o, A): out for (_, o), out in _OUTLOOK_DELETED.items()}

_UNLINKED = {
    (N, A): O.CREATE_IN_SALESFORCE,
    (A, N): O.CREATE_IN_OUTLOOK,
    (N, N): O.PAIR,
    (AMB, A): O.HOLD_AMBIGUOUS,
    (A, AMB): O.HOLD_AMBIGUOUS,
    (R, A): O.IGNORE,
    (A, R): O.IGNORE,
    (D, A): O.IGNORE,
    (A, D): O.IGNORE,
}

TABLE: dict[tuple[str, str, str], Outcome] = {}
for _state, _rows in (
    ("linked", _LINKED),
    ("outlook_out_of_range", _OUTLOOK_OUT),
    ("salesforce_out_of_range", _SALESFORCE_OUT),
    ("outlook_deleted", _OUTLOOK_DELETED),
    ("salesforce_deleted", _SALESFORCE_DELETED),
    ("unlinked", _UNLINKED),
):
    for (_o, _s), _out in _rows.items():
        TABLE[(_state, _o, _s)] = _out

# Every situation that can occur; the table must cover exactly these.
SITUATIONS: set[tuple[str, str, str]] = (
    {("linked", o, s) for o, s in product((U, C, D, R), repeat=2)}
    | {("outlook_out_of_range", o, s) for o, s in product((U, C, D, R), repeat=2)}
    | {("salesforce_out_of_range", o, s) for o, s in product((U, C, D, R), repeat=2)}
    | {("outlook_deleted", A, s) for s in (U, C, D, R)}
    | {("salesforce_deleted", o, A) for o in (U, C, D, R)}
    | {
        ("unlinked", o, s)
        for o, s in ((N, A), (A, N), (N, N), (AMB, A), (A, AMB), (R, A), (A, R), (D, A), (A, D))
    }
)


def decide(state: str, outlook: str, salesforce: str) -> Outcome:
    return TABLE[(state, outlook, salesforce)]
