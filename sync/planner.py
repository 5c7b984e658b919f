"""The planner: a pure function from (links, changes on each side, settings) to a plan.

``plan_kind`` reads no clock, no network and no database. For each link touched by this
run's changes it observes each side (``sync.decisions``), looks the situation up in the
decision table, then lets the settings act on the outcome: prevent switches, restore,
conflict policy, length validation, and finally the guards (empty side, mass delete).
Records no link knows are paired by ``sync.matching`` before anything is created.

Cost is linear: one pass over the links to index them by id, then work proportional to the
changes. Snapshots are decoded only for links whose content hash says a side changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace

from .decisions import Outcome, decide
from .errors import ItemError
from .fields import FIELDS, SIDES, Kind, Side, fields_to, other_side
from .links import Link, side_hash
from .matching import match
from .merge import MergeResult, merge
from .normalise import check_for_salesforce, clean_record, same_value
from .plan import Action, KindPlan, LinkEffect
from .records import Record, SideChanges, SourceItem, Value, label
from .settings import KindSettings

SIDE_NAME = {"outlook": "Outlook", "salesforce": "Salesforce"}
KIND_NAME = {"contacts": "contacts", "events": "events", "tasks": "tasks"}


def plan_kind(
    kind: Kind, links: Iterable[Link], outlook: SideChanges, salesforce: SideChanges, settings: KindSettings
) -> KindPlan:
    """Decide what to do for one kind. Pure: the same input always gives the same plan."""
    return _Planner(kind, links, outlook, salesforce, settings).run()


class _Planner:
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
        self.plan = KindPlan(kind)
        self._n = 0

    # -- helpers ----------------------------------------------------------------------------

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
        op: str,
        side: str,
        pair: Link | None,
        shown: Record,
        *,
        outcome: Outcome,
        outlook_id: str | None = None,
        salesforce_id: str | None = None,
        **kw,
    ) -> Action:
        return Action(
            id=self._id(),
            kind=self.kind,
            op=op,
            side=side,  # type: ignore[arg-type]
            outlook_id=outlook_id if pair is None else pair.outlook_id,
            salesforce_id=salesforce_id if pair is None else pair.salesforce_id,
            label=label(self.kind, shown),
            outcome=outcome.value,
            **kw,
        )

    def item(self, link: Link, side: Side) -> SourceItem | None:
        item_id = link.id_on(side)
        return self.changes[side].items.get(item_id) if item_id else None

    def record(self, link: Link, side: Side) -> Record:
        item = self.item(link, side)
        return item.record if item else link.snapshot

    def version(self, link: Link, side: Side) -> str | None:
        item = self.item(link, side)
        return item.version if item else link.version_on(side)

    def observe(self, link: Link, side: Side) -> str:
        item_id = link.id_on(side)
        if item_id is None:
            return "absent"
        if item_id in self.changes[side].deleted:
            return "deleted"
        item = self.changes[side].items.get(item_id)
        if item is None:
            return "unchanged"
        if not self.in_range(item):
            return "out_of_range"
        if link.state == f"{side}_out_of_range":
            return "changed"  # seen again, in range
        return (
            "changed"
            if side_hash(self.kind, side, item.record, self.region) != link.hash_on(side)
            else "unchanged"
        )

    def _side_empty(self, side: Side) -> bool:
        """The side holds nothing in range: a full listing without one, or an incremental
        read whose confirmed deletions take away every record linked on this side, more of
        them than the mass-delete guard lets through (a few deleted one by one are the
        person's doing and go ahead like any delete)."""
        ch = self.changes[side]
        if any(self.in_range(i) for i in ch.items.values()):
            return False
        if ch.full:
            return True
        linked = [i for i, link in self.by_id[side].items() if link.state == "linked"]
        return len(linked) > self._delete_limit() and all(i in ch.deleted for i in linked)

    def _delete_limit(self) -> int:
        return max(self.settings.mass_delete_min, int(self.settings.mass_delete_ratio * self.linked))

    def _prevented_reason(self, side: Side, op: str) -> str:
        verb = {"create": "Creating", "update": "Updating", "delete": "Deleting"}[op]
        return (
            f"{verb} {KIND_NAME[self.kind]} in {SIDE_NAME[side]} is switched off in the "
            "direction settings, so this was not sent."
        )

    # -- the run ------------------------------------------------------------------------------

    def run(self) -> KindPlan:
        for side in SIDES:
            if self.linked and self._side_empty(side):
                msg = (
                    f"{SIDE_NAME[side]} returned no {KIND_NAME[self.kind]} at all, while "
                    f"{self.linked} are linked. To protect your data nothing was changed for "
                    f"{KIND_NAME[self.kind]}. Check the folder or range settings and your "
                    f"{SIDE_NAME[side]} connection, then sync again."
                )
                self.plan.stopped = msg
                self._add(
                    Action(
                        id=self._id(),
                        kind=self.kind,
                        op="held",
                        side=side,
                        outlook_id=None,
                        salesforce_id=None,
                        label=f"All {KIND_NAME[self.kind]}",
                        reason=msg,
                        outcome="empty_side_guard",
                    )
                )
                return self.plan
        touched: dict[int, Link] = {}
        pool: dict[Side, list[SourceItem]] = {"outlook": [], "salesforce": []}
        for side in SIDES:
            ch = self.changes[side]
            index = self.by_id[side]
            for item_id, item in ch.items.items():
                link = index.get(item_id)
                if link is not None:
                    touched[id(link)] = link
                elif self.in_range(item):
                    pool[side].append(item)
            for item_id in ch.deleted:
                link = index.get(item_id)
                if link is not None:
                    touched[id(link)] = link
        for link in touched.values():
            self.pair(link)
        self.unlinked(pool["outlook"], pool["salesforce"])
        self.mass_delete_guard()
        return self.plan

    # -- linked records -----------------------------------------------------------------------

    def pair(self, link: Link) -> None:
        o, s = self.observe(link, "outlook"), self.observe(link, "salesforce")
        outcome = decide(link.state, o, s)
        relink = False
        if outcome is Outcome.RELINK:  # back in range: judge the pair as a linked one
            relink = True
            outcome = decide(
                "linked", *("changed" if self._hash_differs(link, side) else "unchanged" for side in SIDES)
            )
        handler = getattr(self, f"_{outcome.value}")
        handler(link, outcome, relink)

    def _hash_differs(self, link: Link, side: Side) -> bool:
        item = self.item(link, side)
        return item is not None and side_hash(self.kind, side, item.record, self.region) != link.hash_on(side)

    def _refresh(self, link: Link, *, agreed: Record | None = None, relink: bool = False) -> None:
        other = {}
        for side in SIDES:
            item = self.item(link, side)
            if item is not None and item.version != link.version_on(side):
                other[side] = (item.id, item.version)
        if other or agreed or relink:
            self._add(
                self._action(
                    "refresh",
                    "both",
                    link,
                    link.snapshot,
                    outcome=Outcome.NOTHING,
                    link=LinkEffect(
                        link.id,
                        snapshot_updates=agreed or None,
                        other=other,
                        state="linked" if relink else None,
                    ),
                ),
                visible=False,
            )

    def _nothing(self, link: Link, outcome: Outcome, relink: bool) -> None:
        self._refresh(link, relink=relink)

    def _copy_to_outlook(self, link: Link, outcome: Outcome, relink: bool) -> None:
        self._sync_pair(link, outcome, relink)

    _copy_to_salesforce = _copy_to_outlook
    _merge = _copy_to_outlook

    def _sync_pair(self, link: Link, outcome: Outcome, relink: bool) -> None:
        o_item, s_item = self.item(link, "outlook"), self.item(link, "salesforce")
        o_rec, s_rec = self.record(link, "outlook"), self.record(link, "salesforce")
        kw = dict(
            outlook_time=o_item.modified_at if o_item else None,
            salesforce_time=s_item.modified_at if s_item else None,
            region=self.region,
        )
        result = merge(self.kind, link.snapshot, o_rec, s_rec, policy=self.settings.conflict_policy, **kw)
        if result.conflicts:
            choices = {}
            for choice, policy in (("keep_outlook", "outlook_wins"), ("keep_salesforce", "salesforce_wins")):
                settled = merge(self.kind, link.snapshot, o_rec, s_rec, policy=policy, **kw)
                choices[choice] = self._writes(link, settled, outcome, o_rec, s_rec, parent=True)
            choices["keep_both"] = self._keep_both(link, o_rec, s_rec)
            self._conflict(link, result, choices, outcome)
            return
        self._refresh(link, agreed=result.agreed, relink=relink)
        for action in self._writes(link, result, outcome, o_rec, s_rec):
            self._add(action)

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
            record if record is not None else link.snapshot,
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
        for side, fields, current in (
            ("outlook", result.to_outlook, o_rec),
            ("salesforce", result.to_salesforce, s_rec),
        ):
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

    def _update(
        self, link: Link, side: Side, fields: Record, current: Record, outcome: Outcome
    ) -> Action | None:
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
            link=LinkEffect(link.id, snapshot_updates=dict(fields)),
        )
        if not self._validate(action, side, creating=False):
            return action
        fields = {
            k: v
            for k, v in action.fields.items()
            if not same_value(self.kind, k, v, current.get(k), self.region)
        }
        if not fields:
            return None
        action.fields = fields
        action.link.snapshot_updates = dict(fields)
        action.changes = {k: (current.get(k), v) for k, v in fields.items()}
        if self.settings.prevents(side, "update"):
            self._prevent(action, side, "update")
        return action

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
        payload = action.record if creating else action.fields
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

    def _keep_both(self, link: Link, o_rec: Record, s_rec: Record) -> list[Action]:
        """Keep both: each record gets its own copy on the other side (duplicate on purpose)."""
        unlink = self._action(
            "refresh", "both", link, link.snapshot, outcome=Outcome.MERGE, link=LinkEffect(link.id, drop=True)
        )
        first = self._create(
            "salesforce",
            o_rec,
            source_id=link.outlook_id,
            source_version=self.version(link, "outlook"),
            outcome=Outcome.MERGE,
        )
        second = self._create(
            "outlook",
            s_rec,
            source_id=link.salesforce_id,
            source_version=self.version(link, "salesforce"),
            outcome=Outcome.MERGE,
        )
        return [unlink, first, second]

    def _delete_in_outlook(self, link: Link, outcome: Outcome, relink: bool) -> None:
        self._delete(link, "outlook", outcome)

    def _delete_in_salesforce(self, link: Link, outcome: Outcome, relink: bool) -> None:
        self._delete(link, "salesforce", outcome)

    def _delete(self, link: Link, side: Side, outcome: Outcome) -> None:
        before = self.record(link, side)
        action = self._action(
            "delete",
            side,
            link,
            before,
            outcome=outcome,
            record=dict(before),
            version=self.version(link, side),
            before=dict(before),
            exact_before=self.item(link, side) is not None,
            changes={k: (v, None) for k, v in before.items() if v not in (None, False)},
            link=LinkEffect(link.id, drop=True),
        )
        if self.settings.prevents(side, "delete"):
            gone = other_side(side)
            self._prevent(
                action, side, "delete", settle=LinkEffect(link.id, state=f"{gone}_deleted", clear_side=gone)
            )  # type: ignore[arg-type]
            action.reason += (
                f" It stays in {SIDE_NAME[side]} and will not be brought back to {SIDE_NAME[gone]}."
            )
        self._add(action)

    def _recreate_in_outlook(self, link: Link, outcome: Outcome, relink: bool) -> None:
        self._recreate(link, "outlook", outcome)

    def _recreate_in_salesforce(self, link: Link, outcome: Outcome, relink: bool) -> None:
        self._recreate(link, "salesforce", outcome)

    def _recreate(self, link: Link, side: Side, outcome: Outcome, *, restore: bool = False) -> None:
        """Create again on ``side`` from the record kept on the other side."""
        source = other_side(side)
        item = self.item(link, source)
        if item is None:
            return
        action = self._create(
            side,
            item.record,
            source_id=item.id,
            source_version=item.version,
            outcome=outcome,
            link_id=link.id,
            add=False,
        )
        if action is None:
            return
        if action.op == "prevented":
            action.link = LinkEffect(link.id, state=f"{side}_deleted", clear_side=side)  # type: ignore[arg-type]
            action.issue = None
            action.issue_category = None
            action.reason += f" It stays deleted in {SIDE_NAME[side]}."
        elif action.op == "create":
            if restore:
                action.reason = f"Deleted in {SIDE_NAME[side]} earlier; restored because you chose to restore deleted items."
            else:
                action.reason = (
                    f"Deleted in {SIDE_NAME[side]}, but changed in {SIDE_NAME[source]} since: "
                    f"the change wins and it is created again in {SIDE_NAME[side]}."
                )
                if not self.settings.prevents(source, "delete"):
                    delete = self._action(
                        "delete",
                        source,
                        link,
                        item.record,
                        outcome=outcome,
                        record=dict(item.record),
                        version=item.version,
                        before=dict(item.record),
                        link=LinkEffect(link.id, drop=True),
                        changes={k: (v, None) for k, v in item.record.items() if v not in (None, False)},
                    )
                    action.choices[f"keep_{side}"] = [delete]
                    action.reason += f" Choose to keep the deletion to delete it in {SIDE_NAME[source]} too."
        self._add(action)

    def _forget(self, link: Link, outcome: Outcome, relink: bool) -> None:
        self._add(
            self._action(
                "refresh", "both", link, link.snapshot, outcome=outcome, link=LinkEffect(link.id, drop=True)
            ),
            visible=False,
        )

    def _unlink(self, link: Link, outcome: Outcome, side: Side) -> None:
        self._add(
            self._action(
                "refresh",
                "both",
                link,
                link.snapshot,
                outcome=outcome,
                reason=f"Left the range in {SIDE_NAME[side]}: no longer kept in step; nothing deleted.",
                link=LinkEffect(link.id, state=f"{side}_out_of_range"),
            ),
            visible=False,
        )  # type: ignore[arg-type]

    def _unlink_outlook_out(self, link: Link, outcome: Outcome, relink: bool) -> None:
        self._unlink(link, outcome, "outlook")

    def _unlink_salesforce_out(self, link: Link, outcome: Outcome, relink: bool) -> None:
        self._unlink(link, outcome, "salesforce")

    def _stay_unlinked(self, link: Link, outcome: Outcome, relink: bool) -> None:
        return None

    def _tombstone(self, link: Link, outcome: Outcome, side: Side) -> None:
        self._add(
            self._action(
                "refresh",
                "both",
                link,
                link.snapshot,
                outcome=outcome,
                link=LinkEffect(link.id, state=f"{side}_deleted", clear_side=side),
            ),  # type: ignore[arg-type]
            visible=False,
        )

    def _tombstone_outlook_deleted(self, link: Link, outcome: Outcome, relink: bool) -> None:
        self._tombstone(link, outcome, "outlook")

    def _tombstone_salesforce_deleted(self, link: Link, outcome: Outcome, relink: bool) -> None:
        self._tombstone(link, outcome, "salesforce")

    def _keep_deleted(self, link: Link, outcome: Outcome, relink: bool) -> None:
        gone: Side = "outlook" if link.state == "outlook_deleted" else "salesforce"
        if self.settings.restore_deleted and not self.settings.prevents(gone, "create"):
            self._recreate(link, gone, outcome, restore=True)

    # -- unlinked records -----------------------------------------------------------------

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
    ) -> Action | None:
        src_side = other_side(side)
        allowed = fields_to(self.kind, side)
        cleaned = clean_record(self.kind, {f: source.get(f) for f in allowed})
        record = {f: cleaned[f] for f in allowed}  # only what may be written there
        ids = {"outlook_id": source_id} if src_side == "outlook" else {"salesforce_id": source_id}
        action = self._action(
            "create",
            side,
            None,
            source,
            outcome=outcome,
            record=record,
            **ids,
            changes={k: (None, v) for k, v in record.items() if v not in (None, False)},
            link=LinkEffect(link_id, other={src_side: (source_id, source_version)}, state="linked"),
        )
        if self._validate(action, side, creating=True):
            action.link.snapshot = clean_record(self.kind, action.record)
            if self.settings.prevents(side, "create"):
                self._prevent(action, side, "create")
        if add:
            self._add(action)
        return action

    def unlinked(self, outlook: list[SourceItem], salesforce: list[SourceItem]) -> None:
        result = match(self.kind, outlook, salesforce)
        self.plan.matched_by = result.counts_by_rule()
        for o_item, s_item, rule in result.pairs:
            self._pair(o_item, s_item, rule)
        for group in result.ambiguous:
            for side, items, others in (
                ("outlook", group.outlook, group.salesforce),
                ("salesforce", group.salesforce, group.outlook),
            ):
                where = SIDE_NAME[other_side(side)]
                for item in items:
                    reason = (
                        f"Matches {len(others)} records in {where} ({_rule_words(group.rule)}), so "
                        "Tandem cannot tell which one is the same. Nothing was created or linked. "
                        "Remove the duplicates or make them differ, then sync again."
                    )
                    ids = {f"{side}_id": item.id}
                    action = self._action(
                        "held",
                        side,
                        None,
                        item.record,
                        outcome=Outcome.HOLD_AMBIGUOUS,
                        reason=reason,
                        issue=ItemError("ambiguous", reason),
                        issue_category="held",
                        **ids,
                    )
                    self._add(action)
        for side, items in (
            ("salesforce", result.outlook_unmatched),
            ("outlook", result.salesforce_unmatched),
        ):
            outcome = Outcome.CREATE_IN_SALESFORCE if side == "salesforce" else Outcome.CREATE_IN_OUTLOOK
            for item in items:
                self._create(
                    side,
                    item.record,
                    source_id=item.id,
                    source_version=item.version,
                    outcome=outcome,
                    add=True,
                )

    def _pair(self, o_item: SourceItem, s_item: SourceItem, rule: str) -> None:
        kw = dict(outlook_time=o_item.modified_at, salesforce_time=s_item.modified_at, region=self.region)
        o_rec, s_rec = o_item.record, s_item.record
        result = merge(self.kind, None, o_rec, s_rec, policy=self.settings.conflict_policy, **kw)
        link = Link(
            kind=self.kind,
            outlook_id=o_item.id,
            salesforce_id=s_item.id,
            outlook_version=o_item.version,
            salesforce_version=s_item.version,
        )
        if result.conflicts:
            choices = {}
            for choice, policy in (("keep_outlook", "outlook_wins"), ("keep_salesforce", "salesforce_wins")):
                settled = merge(self.kind, None, o_rec, s_rec, policy=policy, **kw)
                paired = self._pair_link(link, settled, o_rec, s_rec, rule)
                choices[choice] = [paired] + self._pair_writes(link, settled, o_rec, s_rec)
            choices["keep_both"] = [
                a
                for a in (
                    self._create(
                        "salesforce",
                        o_rec,
                        source_id=o_item.id,
                        source_version=o_item.version,
                        outcome=Outcome.PAIR,
                    ),
                    self._create(
                        "outlook",
                        s_rec,
                        source_id=s_item.id,
                        source_version=s_item.version,
                        outcome=Outcome.PAIR,
                    ),
                )
                if a is not None
            ]
            self._conflict(None, result, choices, Outcome.PAIR, o_id=o_item.id, s_id=s_item.id, record=s_rec)
            return
        self._add(self._pair_link(link, result, o_rec, s_rec, rule))
        for action in self._pair_writes(link, result, o_rec, s_rec):
            self._add(action)

    def _pair_link(self, link: Link, result: MergeResult, o_rec: Record, s_rec: Record, rule: str) -> Action:
        """The match action: a new link whose snapshot makes any write still to do visible as
        a change on the side it comes from (so a failed write is retried, never reversed)."""
        snapshot: Record = {}
        for spec in FIELDS[self.kind]:
            f = spec.name
            if f in result.to_outlook:
                snapshot[f] = o_rec.get(f)
            elif f in result.to_salesforce:
                snapshot[f] = s_rec.get(f)
            elif f in result.agreed:
                snapshot[f] = result.agreed[f]
            else:
                snapshot[f] = s_rec.get(f) if spec.flows_from("salesforce") else o_rec.get(f)
        return self._action(
            "match",
            "both",
            link,
            s_rec,
            outcome=Outcome.PAIR,
            reason=f"Paired by {_rule_words(rule)}.",
            link=LinkEffect(
                None,
                state="linked",
                snapshot=snapshot,
                other={
                    "outlook": (link.outlook_id, link.outlook_version),
                    "salesforce": (link.salesforce_id, link.salesforce_version),
                },
            ),
        )

    def _pair_writes(self, link: Link, result: MergeResult, o_rec: Record, s_rec: Record) -> list[Action]:
        out = []
        for side, fields, current in (
            ("outlook", result.to_outlook, o_rec),
            ("salesforce", result.to_salesforce, s_rec),
        ):
            if fields:
                action = self._update(link, side, dict(fields), current, Outcome.PAIR)
                if action is not None:
                    if action.link is not None:
                        action.link.link_id = None  # found through the match's link at apply time
                    out.append(action)
        return out

    # -- guards -------------------------------------------------------------------------------

    def mass_delete_guard(self) -> None:
        limit = self._delete_limit()
        for side in SIDES:
            deletes = [a for a in self.plan.actions if a.op == "delete" and a.side == side]
            if len(deletes) <= limit:
                continue
            reason = (
                f"This sync would delete {len(deletes)} {KIND_NAME[self.kind]} in {SIDE_NAME[side]} "
                f"(of {self.linked} linked). That is more than Tandem deletes without asking, so "
                "the deletes are held. Confirm them in the preview if they are intended."
            )
            for a in deletes:
                original = replace(a)
                a.op = "held"
                a.reason = reason
                a.outcome = "mass_delete_guard"
                a.choices = {"confirm": [original]}
                a.issue = ItemError("mass_delete", reason)
                a.issue_category = "held"
                a.link = None


def hold_existing(action: Action, reason: str) -> None:
    """Turn a create into a held item: its twin already exists on the target side."""
    action.op = "held"
    action.reason = reason
    action.outcome = "exists_outside_range"
    action.issue = ItemError("exists", reason)
    action.issue_category = "held"
    action.link = None
    action.choices = {}


def _rule_words(rule: str) -> str:
    return {
        "email": "email address",
        "name_company": "first name, last name and company",
        "name": "first and last name",
        "subject_start_end": "subject, start and end",
        "subject_due": "subject and due date",
    }.get(rule, rule)


CONFLICT_VALUE_CHARS = 40


def _value_words(value: Value) -> str:
    """A field value as a person reads it in one line: shortened, "empty" for nothing."""
    if value is None or value == "":
        return "empty"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = " ".join(str(value).split())
    if len(text) > CONFLICT_VALUE_CHARS:
        text = text[: CONFLICT_VALUE_CHARS - 1].rstrip() + "\u2026"
    return f"\u201c{text}\u201d"


def conflict_reason(kind: Kind, conflicts: dict[str, tuple[Value, Value]], paired: bool = False) -> str:
    """The reason of a conflict in plain words: each field by its label (in the order of
    FIELD_MAPPING), with the Outlook and the Salesforce value, then what the person can do.
    ``paired``: two records just paired (first sync), not a change on both sides."""
    order = {f.name: n for n, f in enumerate(FIELDS[kind])}
    labels = {f.name: f.label for f in FIELDS[kind]}
    parts = []
    for name in sorted(conflicts, key=lambda n: (order.get(n, len(order)), n)):
        outlook, salesforce = conflicts[name]
        field_label = labels.get(name) or name
        parts.append(
            f"{field_label}: {_value_words(outlook)} in Outlook, {_value_words(salesforce)} in Salesforce"
        )
    head = (
        "Found in both Outlook and Salesforce, with different values. "
        if paired
        else "Changed differently in Outlook and in Salesforce since the last sync. "
    )
    return (
        head + "; ".join(parts) + ". Choose which to keep: the Outlook version, the Salesforce "
        "version, or both (a second copy on purpose)."
    )
