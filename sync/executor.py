"""The executor: applies a plan, item by item, so that a crash at any instant loses nothing.

Apply never re-decides. It takes the plan and the person's ``Decisions`` (excluded action
ids, conflict choices, mass-delete confirmation), swaps each decided action for the
actions of the chosen alternative, and then:

1. commits link-only actions (pairs found by matching, tombstones of prevented deletes,
   unlinks, version refreshes), each in its own transaction;
2. sends creates, updates and deletes through the sources in batches of ``batch_size``;
3. commits each item's link change together with its journal entry as its result comes
   back; a failed item becomes an item issue (retried next run) and the run goes on.

Crash safety - the write-ahead intent
-------------------------------------
Before a batch is sent, a *pending* journal row is written per item (a transaction per
``INTENTS_PER_TRANSACTION`` items, all before anything is sent): the op, the side, what is
sent, the before-image of the record and of its link, and the link change to make on success
(``payload.effect``). After the service answers, each item's row is
settled (``applied`` / ``failed``) in the same transaction as its link change. So at any
instant a write the service may have received has a pending row, and a settled row always
matches the links table.

``recover`` runs at the start of every sync, before anything is read, and settles what a
dead process left pending, by looking at the service:
- create: ``find_matches`` on the target side by the record's match keys; exactly one
  unlinked record with the content that was sent -> it is ours: link it (no duplicate).
  None -> the create never happened: the source record is re-planned (no loss). Several ->
  held for the person (never guessed).
- update: ``get_many``; the sent fields hold the sent values -> applied, else failed.
- delete: ``get_many``; gone -> applied (link dropped), present -> failed.

Unknown outcomes
----------------
A create is never sent twice blindly (sync.http, "Retry rules"). When its reply is lost or is
a failure after the service may have done the work (``OutcomeUnknown`` for the whole call,
``OUTCOME_UNKNOWN`` for one item of a ``$batch``), the same read-back settles it at once: one
match -> linked; several -> held; none to be seen -> the intent stays pending and ``recover``
looks again at the start of the next run (then re-plans it). An event create carries its
``transactionId``, so Graph itself turns a repeat into the event made the first time.

Cursors are saved only after a kind was applied completely, so the next run re-reads the
same changes; applying them again is idempotent because links compare content hashes.

Responsiveness: between items (never inside a transaction) the executor hands the event loop
a turn once a time slice is used up (``sync.pace``), so a window stays responsive while
thousands of items are settled.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import ItemError, LinkConflict
from .fields import SIDES, Kind, Side
from .http import OutcomeUnknown
from .links import Link
from .normalise import same_value
from .pace import Pacer, paced_map
from .plan import Action, Decisions, KindPlan, LinkEffect
from .records import (
    HELD_RESULT_CODES,
    OUTCOME_UNKNOWN,
    Delete,
    ItemResult,
    Update,
    decode_record,
    encode_record,
)
from .settings import KindSettings
from .source import Source
from .store import Store

log = logging.getLogger(__name__)
INTENTS_PER_TRANSACTION = 200  # a large batch's intents are written in short transactions


def empty_counts() -> dict[str, Any]:
    return {
        "outlook": {"create": 0, "update": 0, "delete": 0},
        "salesforce": {"create": 0, "update": 0, "delete": 0},
        "conflict": 0,
        "prevented": 0,
        "held": 0,
        "matched": 0,
        "errors": 0,
    }


def effect_to_json(e: LinkEffect | None) -> dict[str, Any] | None:
    if e is None:
        return None
    return {
        "link_id": e.link_id,
        "drop": e.drop,
        "state": e.state,
        "snapshot": encode_record(e.snapshot) if e.snapshot is not None else None,
        "snapshot_updates": encode_record(e.snapshot_updates) if e.snapshot_updates else None,
        "other": {k: list(v) for k, v in e.other.items()},
        "clear_side": e.clear_side,
    }


def effect_from_json(kind: Kind, d: dict[str, Any] | None) -> LinkEffect | None:
    if d is None:
        return None
    return LinkEffect(
        link_id=d["link_id"],
        drop=d["drop"],
        state=d["state"],
        snapshot=decode_record(kind, d["snapshot"]) if d["snapshot"] is not None else None,
        snapshot_updates=decode_record(kind, d["snapshot_updates"]) if d["snapshot_updates"] else None,
        other={k: (v[0], v[1]) for k, v in d["other"].items()},
        clear_side=d["clear_side"],
    )


@dataclass
class KindOutcome:
    counts: dict[str, Any] = field(default_factory=empty_counts)
    truncated: list[tuple[str, list[str]]] = field(default_factory=list)
    excluded: int = 0
    unlinked: int = 0


class Executor:
    def __init__(
        self,
        store: Store,
        kind: Kind,
        sources: Mapping[str, Source],
        settings: KindSettings,
        run_id: int,
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.store = store
        self.progress = progress  # (items sent, items to send), after each batch
        self.kind = kind
        self.sources = sources
        self.settings = settings
        self.run_id = run_id
        self.region = settings.phone_region

    # -- deciding what runs -------------------------------------------------------------------

    async def resolve(self, kplan: KindPlan, decisions: Decisions, outcome: KindOutcome) -> list[Action]:
        """The actions to carry out, with decisions applied; records held items as issues."""
        todo: list[Action] = []
        pace = Pacer()  # an issue per left-out item: thousands of writes hand the loop turns
        for action in kplan.actions:
            await pace()
            if action.id in decisions.excluded:
                outcome.excluded += 1
                self._issue(action, "revisit", ItemError("excluded", "Left out of a sync by you."))
                continue
            choice = decisions.choices.get(action.id)
            if (
                choice is None
                and action.op == "held"
                and "confirm" in action.choices
                and self.kind in decisions.confirm_mass_delete
            ):
                choice = "confirm"
            if choice is not None and choice in action.choices:
                todo.extend(action.choices[choice])
                continue
            if action.op in ("conflict", "held"):
                outcome.counts[action.op] += 1
                if action.issue is not None:
                    self._issue(action, action.issue_category or "held", action.issue)
                continue
            if action.op == "prevented":
                outcome.counts["prevented"] += 1
                if action.issue is not None:
                    self._issue(action, action.issue_category or "prevented", action.issue)
                if action.link is not None:
                    todo.append(action)
                continue
            todo.append(action)
        return todo

    # -- applying ---------------------------------------------------------------------------------

    async def apply(self, kplan: KindPlan, decisions: Decisions) -> KindOutcome:
        outcome = KindOutcome()
        if kplan.stopped:
            outcome.counts["held"] += 1
            self.store.record_issue(
                kind=self.kind,
                category="error",
                code="empty_side",
                message=kplan.stopped,
                run_id=self.run_id,
                label=f"All {self.kind}",
            )
            return outcome
        todo = await self.resolve(kplan, decisions, outcome)
        pace = Pacer()  # between items, never inside a transaction: the loop gets a turn
        for action in kplan.internal + [a for a in todo if a.op not in ("create", "update", "delete")]:
            self._commit_link_only(action, outcome)
            await pace()
        total = sum(1 for a in todo if a.op in ("create", "update", "delete"))
        done = 0
        if self.progress is not None:
            self.progress(done, total)
        for op in ("create", "update", "delete"):
            for side in SIDES:
                batch_actions = [a for a in todo if a.op == op and a.side == side]
                source = self.sources[side]
                size = max(1, source.batch_size)
                for start in range(0, len(batch_actions), size):
                    batch = batch_actions[start : start + size]
                    await self._send(op, side, batch, outcome)
                    done += len(batch)
                    if self.progress is not None:
                        self.progress(done, total)
        return outcome

    def _commit_link_only(self, action: Action, outcome: KindOutcome) -> None:
        effect = action.link
        if effect is None:
            return
        with self.store.transaction():
            link = self._find_link(action, effect)
            before = link.image() if link else None
            if link is None and not effect.drop and (effect.link_id is None or effect.snapshot is not None):
                link = Link(kind=self.kind, outlook_id=None, salesforce_id=None, id=effect.link_id)
            if link is None:
                return
            try:
                self._apply_effect(link, effect, side=None, result=None)
            except LinkConflict:  # the ids are linked elsewhere by now: look again next run
                log.warning("link change skipped for %s: ids already linked", action.label)
                self._issue(action, "revisit", ItemError("relink", "Read again: its link changed meanwhile."))
                return
            if action.op == "match":
                outcome.counts["matched"] += 1
            if effect.state and effect.state.endswith("out_of_range"):
                outcome.unlinked += 1
            if action.op != "refresh" or effect.drop or effect.state or effect.clear_side:
                self.store.add_intents(
                    [
                        {
                            "run_id": self.run_id,
                            "kind": self.kind,
                            "op": "link" if action.op != "prevented" else "prevented",
                            "side": action.side,
                            "link_id": link.id,
                            "outlook_id": action.outlook_id,
                            "salesforce_id": action.salesforce_id,
                            "label": action.label,
                            "link_before": before,
                            "status": "applied",
                            "payload": {"effect": effect_to_json(effect), "outcome": action.outcome},
                        }
                    ]
                )

    def _find_link(self, action: Action, effect: LinkEffect) -> Link | None:
        if effect.link_id is not None:
            return self.store.link(effect.link_id)
        for side in SIDES:
            item_id = action.outlook_id if side == "outlook" else action.salesforce_id
            if action.op == "update" and side == action.side and item_id:
                return self.store.find_link(self.kind, side, item_id)
        return None

    def _apply_effect(
        self, link: Link, effect: LinkEffect, *, side: Side | None, result: ItemResult | None
    ) -> None:
        if effect.drop:
            if link.id is not None:
                self.store.delete_link(link.id)
            return
        for other, (item_id, version) in effect.other.items():
            link.set_side(other, item_id, version)  # type: ignore[arg-type]
        if side is not None and result is not None:
            link.set_side(side, result.id or link.id_on(side), result.version)
        if effect.snapshot is not None:
            link.set_snapshot(effect.snapshot, self.region)
        if effect.snapshot_updates:
            link.set_snapshot({**link.snapshot, **effect.snapshot_updates}, self.region)
        if effect.clear_side is not None:
            link.set_side(effect.clear_side, None, None)
        if effect.state is not None:
            link.state = effect.state
        self.store.save_link(link, self.run_id)

    def _issue(self, action: Action, category: str, error: ItemError) -> None:
        self.store.record_issue(
            kind=self.kind,
            category=category,
            code=error.code,
            message=error.message,
            field=error.field,
            run_id=self.run_id,
            outlook_id=action.outlook_id,
            salesforce_id=action.salesforce_id,
            label=action.label,
        )

    def _intent(self, action: Action) -> dict[str, Any]:
        link = self.store.link(action.link.link_id) if action.link and action.link.link_id else None
        if link is None and action.op == "update":
            link = self._find_link(action, action.link) if action.link else None
        payload: dict[str, Any] = {
            "effect": effect_to_json(action.link),
            "version": action.version,
            "outcome": action.outcome,
            "truncated": action.truncated,
        }
        if action.op == "create":
            payload["record"] = encode_record(action.record or {})
        elif action.op == "update":
            payload["fields"] = encode_record(action.fields or {})
        after = None
        if action.op == "create":
            after = encode_record(action.record or {})
        elif action.op == "update":
            after = encode_record({**(action.before or {}), **(action.fields or {})})
        return {
            "run_id": self.run_id,
            "kind": self.kind,
            "op": action.op,
            "side": action.side,
            "link_id": link.id if link else None,
            "target_id": action.target_id,
            "outlook_id": action.outlook_id,
            "salesforce_id": action.salesforce_id,
            "label": action.label,
            "before": encode_record(action.before) if action.before is not None else None,
            "after": after,
            "link_before": link.image() if link else None,
            "payload": payload,
        }

    async def _send(self, op: str, side: Side, actions: list[Action], outcome: KindOutcome) -> None:
        source = self.sources[side]
        unread = [a for a in actions if op != "create" and not a.exact_before and a.target_id]
        if unread:  # the journal keeps exact before-images, so undo restores exactly
            found = await source.get_many([a.target_id for a in unread])  # type: ignore[misc]
            for a in unread:
                item = found.get(a.target_id or "")
                if item is not None and item.version == a.version:
                    a.before = dict(item.record)
                    if op == "delete":
                        a.record = dict(item.record)
        # The intents are written before anything is sent, a chunk per transaction: a crash
        # between chunks leaves only pending rows of items not sent, which recover settles.
        entries = await paced_map(self._intent, actions)
        intents: list[int] = []
        for start in range(0, len(entries), INTENTS_PER_TRANSACTION):
            intents.extend(self.store.add_intents(entries[start : start + INTENTS_PER_TRANSACTION]))
            await asyncio.sleep(0)
        try:
            if op == "create":
                results = await source.create_many([a.record or {} for a in actions])
            elif op == "update":
                results = await source.update_many(
                    [Update(a.target_id or "", a.version or "", a.fields or {}) for a in actions]
                )
            else:
                results = await source.delete_many(
                    [Delete(a.target_id or "", a.version or "") for a in actions]
                )
        except OutcomeUnknown as exc:  # the reply to a write that is not safe to repeat was lost
            log.warning("%s %s: outcome unknown (%s); reading back", op, side, exc.message)
            results = [ItemResult.failure(OUTCOME_UNKNOWN, exc.message)] * len(actions)
        if len(results) != len(actions):
            raise AssertionError(f"{side} returned {len(results)} results for {len(actions)} items")
        pace = Pacer()
        for action, journal_id, result in zip(actions, intents, results, strict=False):
            if result.error is not None and result.error.code == OUTCOME_UNKNOWN:
                read = await self._read_back(
                    op,
                    source,
                    record=action.record or {},
                    fields=action.fields or {},
                    target_id=action.target_id,
                )
                if read is None:  # nothing to be seen yet: the intent stays pending for the next run
                    self._issue(action, "error", _unknown(side))
                    outcome.counts["errors"] += 1
                    continue
                result = read
            self.settle(journal_id, op, side, action.link, result, action=action)
            await pace()
            if result.ok:
                outcome.counts[side][op] += 1
                if action.truncated:
                    outcome.truncated.append((action.label, action.truncated))
            elif result.error is not None and result.error.code in HELD_RESULT_CODES:
                outcome.counts["held"] += 1
            else:
                outcome.counts["errors"] += 1

    def settle(
        self,
        journal_id: int,
        op: str,
        side: Side,
        effect: LinkEffect | None,
        result: ItemResult,
        *,
        action: Action | None = None,
        ids: dict[str, str | None] | None = None,
        label: str = "",
    ) -> None:
        """Settle one intent and make its link change, in one transaction."""
        with self.store.transaction():
            if not result.ok:
                error = result.error or ItemError("failed", "The service refused this change.")
                self.store.settle_intent(journal_id, status="failed", error=error.to_json())
                if ids is None:
                    ids = {
                        "outlook_id": action.outlook_id if action else None,
                        "salesforce_id": action.salesforce_id if action else None,
                    }
                held = error.code in HELD_RESULT_CODES  # waits for the person, not a failure
                self.store.record_issue(
                    kind=self.kind,
                    category="held" if held else "error",
                    code=error.code,
                    message=error.message if held else _explain(op, side, error),
                    field=error.field,
                    run_id=self.run_id,
                    label=action.label if action else label,
                    **ids,
                )
                return
            link_after = None
            if effect is not None:
                link = None
                if effect.link_id is not None:
                    link = self.store.link(effect.link_id)
                elif op == "update" and action is not None:
                    link = self._find_link(action, effect)
                elif op == "update" and ids:
                    target = ids.get(f"{side}_id")
                    link = self.store.find_link(self.kind, side, target) if target else None
                if link is None and not effect.drop and (op == "create" or effect.snapshot is not None):
                    link = Link(kind=self.kind, outlook_id=None, salesforce_id=None)
                if link is not None:
                    self._apply_effect(link, effect, side=side, result=result)
                    link_after = None if effect.drop else {"id": link.id}
            self.store.settle_intent(
                journal_id,
                status="applied",
                target_id=result.id,
                version=result.version,
                link_after=link_after,
            )

    # -- recovery after a crash -------------------------------------------------------------------

    async def recover(self) -> int:
        """Settle the intents a dead process left pending (see the module docstring)."""
        pending = self.store.journal(kind=self.kind, status="pending")
        for row in pending:
            side: Side = row["side"]
            source = self.sources[side]
            payload = row["payload"] or {}
            effect = effect_from_json(self.kind, payload.get("effect"))
            ids = {"outlook_id": row["outlook_id"], "salesforce_id": row["salesforce_id"]}
            op = row["op"]
            read = await self._read_back(
                op,
                source,
                record=decode_record(self.kind, payload.get("record") or {}),
                fields=decode_record(self.kind, payload.get("fields") or {}),
                target_id=row["target_id"],
            )
            result = read or ItemResult.failure(
                "interrupted",
                "Tandem was interrupted before this record was created; it will be created on the next sync.",
            )
            self.settle(row["id"], op, side, effect, result, ids=ids, label=row["label"] or "")
        return len(pending)

    async def _read_back(
        self,
        op: str,
        source: Source,
        *,
        record: dict[str, Any],
        fields: dict[str, Any],
        target_id: str | None,
    ) -> ItemResult | None:
        """What a write of unknown outcome did, looked up on its side; None: a create that
        cannot be seen (it never arrived, or not yet)."""
        if op == "create":
            return await self._find_created(source, record)
        found = await source.get_many([target_id or ""])
        item = found.get(target_id or "")
        if op == "update":
            if item is None:
                return ItemResult.failure("not_found", "The record was deleted meanwhile.")
            if all(same_value(self.kind, k, v, item.record.get(k), self.region) for k, v in fields.items()):
                return ItemResult.success(item.id, item.version)
            return ItemResult.failure("interrupted", "Tandem was interrupted before this change was saved.")
        if item is None:
            return ItemResult.success(target_id or "", "")
        return ItemResult.failure("interrupted", "Tandem was interrupted before this delete.")

    async def _find_created(self, source: Source, sent: dict[str, Any]) -> ItemResult | None:
        side = source.side
        candidates = []
        for item in await source.find_matches(sent):
            if self.store.find_link(self.kind, side, item.id) is not None:
                continue
            if all(same_value(self.kind, k, v, item.record.get(k), self.region) for k, v in sent.items()):
                candidates.append(item)
        if len(candidates) == 1:
            return ItemResult.success(candidates[0].id, candidates[0].version)
        if not candidates:
            return None
        return ItemResult.failure(
            "ambiguous_recovery",
            "Tandem was interrupted while creating this record and "
            f"found {len(candidates)} identical copies in {side.title()}. Delete the extra "
            "copies, then sync again.",
        )


def _unknown(side: Side) -> ItemError:
    where = "Outlook" if side == "outlook" else "Salesforce"
    return ItemError(
        OUTCOME_UNKNOWN,
        f"{where} did not say whether it saved this. Tandem looks for it again on the next sync "
        "and sends it only if it is not there, so it is never made twice.",
    )


def _explain(op: str, side: Side, error: ItemError) -> str:
    where = "Outlook" if side == "outlook" else "Salesforce"
    verb = {"create": "create", "update": "update", "delete": "delete"}.get(op, op)
    return f"Could not {verb} it in {where}: {error.message} It will be tried again on the next sync."
