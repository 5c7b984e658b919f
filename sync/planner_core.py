"""The planner's working state and the actions it builds: one kind, one run.

``PlannerCore`` holds what the planner reads (links by id, each side's changes, the
settings) and the plan it fills, and builds the actions every rule needs: an update that
sends only what differs, a create of exactly the fields that may be written on that side,
a conflict with its choices, a prevented or held action with its reason. The rules live in
``sync.pairing`` (records no link knows) and ``sync.planner`` (linked records, the guards).
"""

from __future__ import annotations

from collections.abc import Iterable

from .decisions import Outcome
from .errors import ItemError
from .fields import Kind, Side, fields_to, other_side
from .links import Link
from .merge import MergeResult
from .normalise import check_for_salesforce, clean_record, same_value
from .plan import Action, ActionSide, KindPlan, LinkEffect, Op
from .plan_words import KIND_NAME, SIDE_NAME, conflict_reason
from .records import Record, SideChanges, SourceItem, Value, label
from .settings import KindSettings


class PlannerCore:
    def __init__(
        self,
        kind: Kind,
        links: Iterable[Link],
        outlook: SideChanges,
        salesforce: SideChanges,
        settings: KindSettings,
    ) -> None:
        self.kind = kind
        self.settings = settings
        self.region = settings.phone_region
        self.changes: dict[Side, SideChanges] = {"outlook": outlook, "salesforce": salesforce}
        self.by_id: dict[Side, dict[str, Link]] = {"outlook": {}, "salesforce": {}}
        self.linked = 0
        for link in links:
            if link.outlook_id is not None:
                self.by_id["outlook"][link.outlook_id] = link
            if link.salesforce_id is not None:
                self.by_id["salesforce"][link.salesforce_id] = link
            if link.state == "linked":
                self.linked += 1
        self.plan = KindPlan(kind, settings=settings)
        self._n = 0

    def _id(self) -> str:
        self._n += 1
        return f"{self.kind}-{self._n}"

    def in_range(self, item: SourceItem) -> bool:
        if not item.in_range:
            return False
        return self.settings.include_private or not item.record.get("IsPrivate")

    def _add(self, action: Action, visible: bool = True) -> Action:
        (self.plan.actions if visible else self.plan.internal).append(action)
        return action

    def _action(
        self,
        op: Op,
        side: ActionSide,
        pair: Link | None,
        shown: Record,
        *,
        outcome: Outcome,
        outlook_id: str | None = None,
        salesforce_id: str | None = None,
        changes: dict[str, tuple[Value, Value]] | None = None,
        reason: str = "",
        record: Record | None = None,
        fields: Record | None = None,
        version: str | None = None,
        before: Record | None = None,
        exact_before: bool = True,
        link: LinkEffect | None = None,
        choices: dict[str, list[Action]] | None = None,
        issue: ItemError | None = None,
        issue_category: str | None = None,
    ) -> Action:
        return Action(
            id=self._id(),
            kind=self.kind,
            op=op,
            side=side,
            outlook_id=outlook_id if pair is None else pair.outlook_id,
            salesforce_id=salesforce_id if pair is None else pair.salesforce_id,
            label=label(self.kind, shown),
            outcome=outcome.value,
            changes=changes or {},
            reason=reason,
            record=record,
            fields=fields,
            version=version,
            before=before,
            exact_before=exact_before,
            link=link,
            choices=choices or {},
            issue=issue,
            issue_category=issue_category,
        )

    def item(self, link: Link, side: Side) -> SourceItem | None:
        item_id = link.id_on(side)
        return self.changes[side].items.get(item_id) if item_id else None

    def record(self, link: Link, side: Side) -> Record:
        item = self.item(link, side)
        return item.record if item else link.snapshot

    def as_seen(self, link: Link, side: Side, record: Record) -> Record:
        """``record`` of ``side`` with the fields that side lacks taken from the snapshot: a
        field the side does not have never counts as a change there."""
        lacks = self.changes[side].lacks
        if not lacks:
            return record
        snapshot = link.snapshot
        return {**record, **{f: snapshot.get(f) for f in lacks}}

    def fill_lacking(self, o_rec: Record, s_rec: Record) -> tuple[Record, Record]:
        """Both records for a merge: a field one side lacks holds the other side's value, so
        the merge neither copies it there nor takes the empty value back."""
        o_lacks, s_lacks = self.changes["outlook"].lacks, self.changes["salesforce"].lacks
        if o_lacks:
            o_rec = {**o_rec, **{f: s_rec.get(f) for f in o_lacks}}
        if s_lacks:
            s_rec = {**s_rec, **{f: o_rec.get(f) for f in s_lacks}}
        return o_rec, s_rec

    def version(self, link: Link, side: Side) -> str | None:
        item = self.item(link, side)
        return item.version if item else link.version_on(side)

    def _prevented_reason(self, side: Side, op: str) -> str:
        verb = {"create": "Creating", "update": "Updating", "delete": "Deleting"}[op]
        return (
            f"{verb} {KIND_NAME[self.kind]} in {SIDE_NAME[side]} is switched off in the "
            "direction settings, so this was not sent."
        )

    def _prevent(self, action: Action, side: Side, op: str, *, settle: LinkEffect | None = None) -> None:
        action.op = "prevented"
        action.reason = self._prevented_reason(side, op)
        action.link = settle
        if settle is None:  # not settled: look at it again next run
            action.issue = ItemError("prevented", action.reason)
            action.issue_category = "prevented"

    def _validate(self, action: Action, side: Side, *, creating: bool) -> bool:
        """Length/required checks before writing to Salesforce; False when held."""
        if side != "salesforce":
            return True
        payload = (action.record if creating else action.fields) or {}
        checked, errors, cut = check_for_salesforce(
            self.kind, payload, list(payload), creating=creating, truncate=self.settings.truncate_long_values
        )
        if errors:
            action.op = "held"
            action.issue = errors[0]
            action.issue_category = "error"
            action.reason = " ".join(e.message for e in errors)
            if creating:
                action.changes = {k: (None, v) for k, v in payload.items() if v not in (None, False)}
            else:
                action.changes = {k: ((action.before or {}).get(k), v) for k, v in payload.items()}
            action.link = None
            return False
        if cut:
            action.truncated = cut
            action.reason = "Shortened to fit Salesforce: " + ", ".join(cut) + "."
        if creating:
            action.record = checked
        else:
            action.fields = checked
        return True

    def _update(
        self, link: Link, side: Side, fields: Record, current: Record, outcome: Outcome
    ) -> Action | None:
        effect = LinkEffect(link.id, snapshot_updates=dict(fields))
        action = self._action(
            "update",
            side,
            link,
            {**current, **fields},
            outcome=outcome,
            fields=fields,
            version=self.version(link, side),
            before=dict(current),
            exact_before=self.item(link, side) is not None,
            link=effect,
        )
        if not self._validate(action, side, creating=False):
            return action
        lacks = self.changes[side].lacks
        fields = {
            k: v
            for k, v in (action.fields or {}).items()
            if k not in lacks and not same_value(self.kind, k, v, current.get(k), self.region)
        }
        if not fields:
            return None
        action.fields = fields
        effect.snapshot_updates = dict(fields)
        action.changes = {k: (current.get(k), v) for k, v in fields.items()}
        if self.settings.prevents(side, "update"):
            self._prevent(action, side, "update")
        return action

    def _writes(
        self,
        link: Link,
        result: MergeResult,
        outcome: Outcome,
        o_rec: Record,
        s_rec: Record,
        parent: bool = False,
    ) -> list[Action]:
        out = []
        writes: tuple[tuple[Side, Record, Record], ...] = (
            ("outlook", result.to_outlook, o_rec),
            ("salesforce", result.to_salesforce, s_rec),
        )
        for side, fields, current in writes:
            if not fields:
                continue
            action = self._update(link, side, dict(fields), current, outcome)
            if action is not None:
                out.append(action)
        if parent and result.agreed:
            out.append(
                self._action(
                    "refresh",
                    "both",
                    link,
                    link.snapshot,
                    outcome=outcome,
                    link=LinkEffect(link.id, snapshot_updates=result.agreed),
                )
            )
        return out

    def _conflict(
        self,
        link: Link | None,
        result: MergeResult,
        choices: dict[str, list[Action]],
        outcome: Outcome,
        o_id: str | None = None,
        s_id: str | None = None,
        record: Record | None = None,
    ) -> None:
        action = self._action(
            "conflict",
            "both",
            link,
            record if record is not None else link.snapshot if link is not None else {},
            outcome=outcome,
            outlook_id=o_id,
            salesforce_id=s_id,
            changes=dict(result.conflicts),
            choices=choices,
            issue_category="held",
            reason=conflict_reason(self.kind, result.conflicts, paired=link is None),
        )
        action.issue = ItemError("conflict", action.reason)
        self._add(action)

    def _create(
        self,
        side: Side,
        source: Record,
        *,
        source_id: str | None,
        source_version: str | None,
        outcome: Outcome,
        link_id: int | None = None,
        add: bool = False,
    ) -> Action:
        src_side = other_side(side)
        lacks = self.changes[side].lacks  # fields that side does not have: not sent
        allowed = [f for f in fields_to(self.kind, side) if f not in lacks]
        cleaned = clean_record(self.kind, {f: source.get(f) for f in fields_to(self.kind, side)})
        record = {f: cleaned[f] for f in allowed}  # only what may be written there
        effect = LinkEffect(link_id, other={src_side: (source_id, source_version)}, state="linked")
        action = self._action(
            "create",
            side,
            None,
            source,
            outcome=outcome,
            record=record,
            outlook_id=source_id if src_side == "outlook" else None,
            salesforce_id=source_id if src_side == "salesforce" else None,
            changes={k: (None, v) for k, v in record.items() if v not in (None, False)},
            link=effect,
        )
        if self._validate(action, side, creating=True):
            kept = {f: cleaned[f] for f in lacks if f in cleaned}  # the source's, for the next merge
            effect.snapshot = clean_record(self.kind, {**kept, **(action.record or {})})
            if self.settings.prevents(side, "create"):
                self._prevent(action, side, "create")
        if add:
            self._add(action)
        return action
