"""The plan: what a sync will do, action by action, with per-field old and new values.

The same object is the preview (GUI dialog, ``sync --preview --json``), the input of the
executor, and - with counts of what happened - the result of an applied run. ``to_json``
gives exactly the shape of CLI.md. Each ``KindPlan`` carries the ``KindSettings`` it was
planned with, and apply uses those: settings saved while a preview is open take effect from
the next preview, never halfway through the one being applied.

Visible actions (``KindPlan.actions``) use the ops of CLI.md: ``create``, ``update``,
``delete`` (on one side), ``match`` (a pair found by matching), ``conflict`` (held until the
person decides), ``held`` (ambiguous match, mass-delete guard, invalid value, stopped kind),
``prevented`` (an operation the settings forbid; never sent). Link-only bookkeeping
(refreshing versions, recording a convergent value) goes in ``KindPlan.internal`` and is
not shown.

For a ``conflict`` action, ``changes[field]`` is ``{"old": <Outlook value>, "new":
<Salesforce value>}``; ``choices`` holds, per choice (``keep_outlook``,
``keep_salesforce``, ``keep_both``), the actions that replace it when the person picks it.
A mass-delete ``held`` action has the choice ``confirm``. A re-create after a delete on the
other side may have the choice ``keep_outlook`` / ``keep_salesforce`` meaning "let the
delete win" (only when deletes on that side are allowed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .errors import ItemError
from .fields import Kind, Side
from .links import LinkState
from .records import Record, Value, encode_value
from .settings import KindSettings

Op = Literal["create", "update", "delete", "conflict", "prevented", "held", "match", "refresh"]
ActionSide = Literal["outlook", "salesforce", "both"]


@dataclass
class LinkEffect:
    """What committing an action does to the links table.

    ``link_id`` None creates a link. ``other`` sets the id and version of the side that was
    not written (known when planning); the written side's id and version come from the
    service's result. ``snapshot`` replaces the snapshot; ``snapshot_updates`` changes some
    fields of it. ``drop`` deletes the link.
    """

    link_id: int | None = None
    drop: bool = False
    state: LinkState | None = None
    snapshot: Record | None = None
    snapshot_updates: Record | None = None
    other: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    clear_side: Side | None = None  # tombstone: forget the id of the deleted side


@dataclass
class Action:
    id: str
    kind: Kind
    op: Op
    side: ActionSide
    outlook_id: str | None
    salesforce_id: str | None
    label: str
    changes: dict[str, tuple[Value, Value]] = field(default_factory=dict)
    reason: str = ""
    outcome: str = ""  # the decision-table outcome that produced it
    # -- for the executor (not in JSON) --
    record: Record | None = None  # create: what to send; delete: the before-image
    fields: Record | None = None  # update: the fields to send
    version: str | None = None  # concurrency token of the target record
    before: Record | None = None  # target record before (journal)
    exact_before: bool = True  # False: ``before`` is the snapshot standing in for an unread record
    link: LinkEffect | None = None
    choices: dict[str, list[Action]] = field(default_factory=dict)
    issue: ItemError | None = None  # recorded as an item issue when applied
    issue_category: str | None = None  # "held" | "prevented" | "error"
    truncated: list[str] = field(default_factory=list)

    @property
    def target_id(self) -> str | None:
        if self.side == "outlook":
            return self.outlook_id
        if self.side == "salesforce":
            return self.salesforce_id
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "op": self.op,
            "side": self.side,
            "outlook_id": self.outlook_id,
            "salesforce_id": self.salesforce_id,
            "label": self.label,
            "changes": {
                k: {"old": encode_value(old), "new": encode_value(new)}
                for k, (old, new) in self.changes.items()
            },
            "reason": self.reason,
        }


@dataclass
class KindPlan:
    kind: Kind
    actions: list[Action] = field(default_factory=list)
    internal: list[Action] = field(default_factory=list)
    matched_by: dict[str, int] = field(default_factory=dict)
    stopped: str | None = None  # the empty-side guard's message
    # Plain sentences the preview shows above the actions (a field the org does not have).
    notes: list[str] = field(default_factory=list)
    error: dict[str, str] | None = None  # {"title", "message"}: the kind could not be read
    cursors: dict[Side, str | None] = field(default_factory=dict)
    revisit: list[tuple[str | None, str | None]] = field(default_factory=list)
    applied: dict[str, Any] | None = None  # counts of what happened (set by the executor)
    # The settings the plan was made with; apply obeys these, not the settings of the moment.
    settings: KindSettings = field(default_factory=KindSettings)

    def counts(self) -> dict[str, Any]:
        if self.applied is not None:
            return self.applied
        c: dict[str, Any] = {
            "outlook": {"create": 0, "update": 0, "delete": 0},
            "salesforce": {"create": 0, "update": 0, "delete": 0},
            "conflict": 0,
            "prevented": 0,
            "held": 0,
            "matched": 0,
            "errors": 0,
        }
        for a in self.actions:
            if a.op in ("create", "update", "delete") and a.side in ("outlook", "salesforce"):
                c[a.side][a.op] += 1
            elif a.op == "match":
                c["matched"] += 1
            elif a.op in ("conflict", "prevented", "held"):
                c[a.op] += 1
        return c

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"counts": self.counts(), "actions": [a.to_json() for a in self.actions]}
        if self.notes:
            out["notes"] = list(self.notes)
        return out

    def action(self, action_id: str) -> Action:
        for a in self.actions:
            if a.id == action_id:
                return a
        raise KeyError(action_id)


@dataclass
class Plan:
    kinds: dict[str, KindPlan]
    mode: Literal["preview", "apply"] = "preview"
    run_id: int | None = None
    api_calls: dict[str, int] = field(default_factory=lambda: {"graph": 0, "salesforce": 0})
    duration_s: float = 0.0
    undo_of: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "mode": self.mode,
            "kinds": {k: kp.to_json() for k, kp in self.kinds.items()},
            "api_calls": dict(self.api_calls),
            "duration_s": round(self.duration_s, 3),
        }

    def actions(self) -> list[Action]:
        return [a for kp in self.kinds.values() for a in kp.actions]

    def is_empty(self) -> bool:
        """Nothing to show: no visible action in any kind."""
        return not self.actions()

    def needs_user(self) -> bool:
        """Something is held for the person (CLI exit code 3)."""
        return any(a.op in ("conflict", "held") for a in self.actions())


@dataclass
class Decisions:
    """What the person decided in the preview. Apply never decides anything else."""

    excluded: set[str] = field(default_factory=set)  # action ids not to apply
    choices: dict[str, str] = field(
        default_factory=dict
    )  # action id -> keep_outlook | keep_salesforce | keep_both | confirm
    confirm_mass_delete: set[str] = field(default_factory=set)  # kinds whose held deletes go ahead
