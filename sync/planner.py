"""The planner: a pure function from (links, changes on each side, settings) to a plan.

``plan_kind`` reads no clock, no network and no database. For each link touched by this
run's changes it observes each side (``sync.decisions``), looks the situation up in the
decision table, then lets the settings act on the outcome: prevent switches, restore,
conflict policy, length validation, and finally the guards (empty side, mass delete).
Records no link knows are paired by ``sync.matching`` before anything is created.

Three modules below it: ``sync.planner_core`` (the working state and the actions every rule
builds), ``sync.pairing`` (records no link knows), ``sync.plan_words`` (words for people).
This module holds the linked records' outcomes and the guards.

Cost is linear: one pass over the links to index them by id, then work proportional to the
changes. Snapshots are decoded only for links whose content hash says a side changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from .decisions import Outcome, decide
from .errors import ItemError
from .fields import SIDES, Kind, Side, other_side
from .links import Link, deleted_state, out_of_range_state, side_hash
from .merge import MergeResult, merge
from .pairing import Pairing
from .plan import Action, KindPlan, LinkEffect
from .plan_words import KIND_NAME, SIDE_NAME, missing_fields_note
from .records import Record, SideChanges, SourceItem
from .settings import KindSettings


def plan_kind(
    kind: Kind, links: Iterable[Link], outlook: SideChanges, salesforce: SideChanges, settings: KindSettings
) -> KindPlan:
    """Decide what to do for one kind. Pure: the same input always gives the same plan."""
    return _Planner(kind, links, outlook, salesforce, settings).run()


class _Planner(Pairing):
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
        seen = self.as_seen(link, side, item.record)
        return (
            "changed" if side_hash(self.kind, side, seen, self.region) != link.hash_on(side) else "unchanged"
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

    def run(self) -> KindPlan:
        for side in SIDES:
            if self.changes[side].lacks:
                self.plan.notes.append(missing_fields_note(self.kind, side, self.changes[side].lacks))
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
        return item is not None and side_hash(
            self.kind, side, self.as_seen(link, side, item.record), self.region
        ) != link.hash_on(side)

    def _refresh(self, link: Link, *, agreed: Record | None = None, relink: bool = False) -> None:
        other: dict[str, tuple[str | None, str | None]] = {}
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
        o_rec, s_rec = self.fill_lacking(self.record(link, "outlook"), self.record(link, "salesforce"))
        o_time = o_item.modified_at if o_item else None
        s_time = s_item.modified_at if s_item else None

        def merged(policy: str) -> MergeResult:
            return merge(
                self.kind,
                link.snapshot,
                o_rec,
                s_rec,
                policy=policy,
                outlook_time=o_time,
                salesforce_time=s_time,
                region=self.region,
            )

        result = merged(self.settings.conflict_policy)
        if result.conflicts:
            choices: dict[str, list[Action]] = {}
            for choice, policy in (("keep_outlook", "outlook_wins"), ("keep_salesforce", "salesforce_wins")):
                settled = merged(policy)
                choices[choice] = self._writes(link, settled, outcome, o_rec, s_rec, parent=True)
            choices["keep_both"] = self._keep_both(link, o_rec, s_rec)
            self._conflict(link, result, choices, outcome)
            return
        self._refresh(link, agreed=result.agreed, relink=relink)
        for action in self._writes(link, result, outcome, o_rec, s_rec):
            self._add(action)

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
                action, side, "delete", settle=LinkEffect(link.id, state=deleted_state(gone), clear_side=gone)
            )
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
            action.link = LinkEffect(link.id, state=deleted_state(side), clear_side=side)
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
                link=LinkEffect(link.id, state=out_of_range_state(side)),
            ),
            visible=False,
        )

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
                link=LinkEffect(link.id, state=deleted_state(side), clear_side=side),
            ),
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
    hold_action(action, reason, outcome="exists_outside_range", code="exists")


def hold_action(action: Action, reason: str, *, outcome: str, code: str) -> None:
    """Turn a write into a held item with ``reason`` (the preview shows it; nothing is sent)."""
    action.op = "held"
    action.reason = reason
    action.outcome = outcome
    action.issue = ItemError(code, reason)
    action.issue_category = "held"
    action.link = None
    action.choices = {}
