"""The engine: for each kind, recover, read, reconcile, plan; then apply. What app/ calls.

    engine = SyncEngine(store, sources, settings)
    plan = await engine.preview(["contacts"])          # manual sync: show it
    report = await engine.apply(plan, Decisions(...))   # then apply what the person accepted
    report = await engine.sync(trigger="auto")          # auto sync: plan + apply, nothing decided
    plan = await engine.preview_undo(); await engine.apply(plan)
    engine.rebuild("contacts")

Reading one kind: pending intents of a crashed run are settled first (``Executor.recover``).
Then each side lists its changes since the stored cursor (a full listing when there is no
cursor or it expired). Ids reported gone, and linked ids missing from a full listing, are
confirmed with ``get_many`` (still there = out of range, missing = deleted). Records with an
open item issue (failed, held, prevented, excluded) and the records needed to judge a pair
coming back into range or to restore a deleted one are read again. The planner then builds
the kind's plan; creates towards a source with ``existing_twins`` (Salesforce contacts in a
scoped range) are looked up there and held when the record exists outside the range.
Cursors are stored only after the kind was applied in full, tagged with the range they were
read under (``range_key`` of the source): a changed range reads everything again.

Each kind's plan carries the ``KindSettings`` it was made with and ``apply`` uses those, so
applying a preview does what it showed even if the settings were saved in between.

``progress(kind, phase, done, total)`` (optional, on the engine or per call) hears "reading",
"planning" and "applying" on the loop thread; a listener that raises is logged and ignored.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence

from .errors import CursorExpired, SourceError
from .executor import Executor, empty_counts
from .fields import KINDS, SIDES, Kind, Side, other_side
from .links import Link
from .plan import Decisions, KindPlan, Plan
from .planner import hold_action, hold_existing, plan_kind
from .records import NEEDS_ORG_FEATURE, SideChanges, SourceItem
from .report import KindReport, RunReport
from .settings import KindSettings
from .source import Source
from .store import Store

log = logging.getLogger(__name__)

API_NAME = {"outlook": "graph", "salesforce": "salesforce"}
THREAD_ABOVE = 1000  # links + records in hand above which planning leaves the event loop

Progress = Callable[[str, str, int, int], None]
"""``progress(kind, phase, done, total)``: phase "reading" (sides read of 2), "planning" (0 or
1 of 1), "applying" (items sent of the items to send). Called on the loop thread; optional."""


def _notify(progress: Progress | None, kind: str, phase: str, done: int, total: int) -> None:
    if progress is None:
        return
    try:
        progress(kind, phase, done, total)
    except Exception:  # a broken listener must not break the sync
        log.exception("progress callback failed")


class SyncEngine:
    def __init__(
        self,
        store: Store,
        sources: Mapping[str, Mapping[str, Source]],
        settings: Mapping[str, KindSettings] | Callable[[Kind], KindSettings] | None = None,
        *,
        progress: Progress | None = None,
    ) -> None:
        self.store = store
        self.sources = sources
        self._settings = settings
        self.progress = progress

    def settings(self, kind: Kind) -> KindSettings:
        if self._settings is None:
            return KindSettings.default(kind)
        if callable(self._settings):
            return self._settings(kind)
        return self._settings.get(kind) or KindSettings.default(kind)

    def kinds(self, kinds: Iterable[str] | None) -> list[Kind]:
        wanted = list(kinds) if kinds is not None else list(KINDS)
        return [k for k in KINDS if k in wanted and k in self.sources]

    def _calls(self) -> dict[str, int]:
        calls = {"graph": 0, "salesforce": 0}
        for per_side in self.sources.values():
            for side, source in per_side.items():
                calls[API_NAME[side]] += getattr(source, "api_calls", 0)
        return calls

    # -- planning -----------------------------------------------------------------------------

    async def preview(self, kinds: Iterable[str] | None = None, *, progress: Progress | None = None) -> Plan:
        """Build the plan for ``kinds`` (default: all with sources). Changes no record."""
        started, calls0 = time.monotonic(), self._calls()
        self.close_interrupted_runs()
        plan = Plan(kinds={})
        for kind in self.kinds(kinds):
            settings = self.settings(kind)
            try:
                plan.kinds[kind] = await self.plan_kind(
                    kind, settings=settings, progress=progress or self.progress
                )
            except SourceError as exc:  # this kind cannot be read now; the others go on
                log.warning("%s not planned: %s", kind, exc)
                error = {"title": exc.title, "message": exc.message}
                plan.kinds[kind] = KindPlan(kind, error=error, settings=settings)
        calls1 = self._calls()
        plan.api_calls = {k: calls1[k] - calls0[k] for k in calls1}
        plan.duration_s = time.monotonic() - started
        return plan

    async def plan_kind(
        self, kind: Kind, *, settings: KindSettings | None = None, progress: Progress | None = None
    ) -> KindPlan:
        """Plan one kind with ``settings`` (default: the settings of the moment); the plan
        carries them, and apply uses them."""
        settings = settings or self.settings(kind)
        sources = self.sources[kind]
        await Executor(self.store, kind, sources, settings, run_id=0).recover()
        links = await self.store.links_paced(kind)
        by_id: dict[str, dict[str, Link]] = {"outlook": {}, "salesforce": {}}
        for link in links:
            for side in SIDES:
                item_id = link.id_on(side)
                if item_id is not None:
                    by_id[side][item_id] = link
        changes: dict[str, SideChanges] = {}
        cursors: dict[Side, str | None] = {}
        _notify(progress, kind, "reading", 0, len(SIDES))
        for n, side in enumerate(SIDES, 1):
            scope = _scope(settings, sources[side])
            changes[side], cursor = await self._read(kind, side, sources[side], by_id[side], scope)
            cursors[side] = f"{scope}|{cursor}"
            _notify(progress, kind, "reading", n, len(SIDES))
        await self._reread(kind, sources, changes, by_id, links, settings)
        _notify(progress, kind, "planning", 0, 1)
        args = (kind, links, changes["outlook"], changes["salesforce"], settings)
        size = len(links) + len(changes["outlook"].items) + len(changes["salesforce"].items)
        # Planning is pure: a large set is planned in a worker thread so the loop stays responsive.
        kplan = await asyncio.to_thread(plan_kind, *args) if size > THREAD_ABOVE else plan_kind(*args)
        await self._hold_twins(kplan, sources["salesforce"])
        for side in SIDES:
            self._hold_unwritable(kplan, sources[side], side)
            kplan.notes.extend(getattr(sources[side], "read_notes", ()))  # e.g. events left alone
        kplan.cursors = cursors
        _notify(progress, kind, "planning", 1, 1)
        return kplan

    @staticmethod
    async def _hold_twins(kplan: KindPlan, source: Source) -> None:
        """Hold creates towards Salesforce whose twin exists outside the range (the listing
        could not pair them): one lookup per batch of creates, only when there are creates."""
        find = getattr(source, "existing_twins", None)
        creates = [a for a in kplan.actions if a.op == "create" and a.side == "salesforce"]
        if find is None or not creates:
            return
        reasons = await find([a.record or {} for a in creates])
        for action, reason in zip(creates, reasons, strict=False):
            if reason:
                hold_existing(action, reason)

    @staticmethod
    def _hold_unwritable(kplan: KindPlan, source: Source, side: Side) -> None:
        """Hold the writes towards ``side`` that its service is known to refuse (an org
        setting switched off), with the source's reason, instead of sending them."""
        check = getattr(source, "unwritable", None)
        writes = [a for a in kplan.actions if a.op in ("create", "update") and a.side == side]
        if check is None or not writes:
            return
        for action, reason in zip(writes, check([a.record or {} for a in writes]), strict=False):
            if reason:
                hold_action(action, reason, outcome="refused_by_service", code=NEEDS_ORG_FEATURE)

    async def _read(
        self, kind: Kind, side: Side, source: Source, linked: dict[str, Link], scope: str
    ) -> tuple[SideChanges, str | None]:
        stored = self.store.cursor(kind, side)
        cursor = None
        if stored is not None:
            stored_scope, _, value = stored.partition("|")
            cursor = value if stored_scope == scope else None  # the range changed: read everything
        remember = getattr(source, "remember_versions", None)
        if remember is not None:  # lets a source skip work for its own writes read back
            remember({item_id: link.version_on(side) for item_id, link in linked.items()})
        try:
            changeset = await source.list_changes(cursor)
        except CursorExpired:
            log.info("%s %s: cursor expired, reading everything", kind, side)
            changeset = await source.list_changes(None)
        ch = SideChanges(
            items={i.id: i for i in changeset.items},
            full=changeset.full,
            lacks=frozenset(getattr(source, "missing_fields", ())),  # fields this side lacks
        )
        gone = {i for i in changeset.deleted_ids if i in linked and i not in ch.items}
        if changeset.full and ch.items:  # an empty full listing is left to the empty-side guard
            gone.update(i for i in linked if i not in ch.items)
        ch.deleted.update(i for i in changeset.deleted_ids if i not in linked)
        await self._confirm(source, ch, sorted(gone))
        return ch, changeset.cursor

    @staticmethod
    async def _confirm(source: Source, ch: SideChanges, ids: Sequence[str]) -> None:
        """Read ``ids`` again: found ones join the items, missing ones are deleted."""
        ids = [i for i in ids if i not in ch.items and i not in ch.deleted]
        for start in range(0, len(ids), 200):
            chunk = ids[start : start + 200]
            found: dict[str, SourceItem] = await source.get_many(chunk)
            for item_id in chunk:
                if item_id in found:
                    ch.items[item_id] = found[item_id]
                else:
                    ch.deleted.add(item_id)

    async def _reread(
        self,
        kind: Kind,
        sources: Mapping[str, Source],
        changes: dict[str, SideChanges],
        by_id: dict[str, dict[str, Link]],
        links: list[Link],
        settings: KindSettings,
    ) -> None:
        wanted: dict[str, set[str]] = {"outlook": set(), "salesforce": set()}
        for issue in self.store.open_issues(kind):
            for side in SIDES:
                item_id = issue[f"{side}_id"]
                if item_id:
                    wanted[side].add(item_id)
                    link = by_id[side].get(item_id)
                    other = link.id_on(other_side(side)) if link else None
                    if other:
                        wanted[other_side(side)].add(other)
        for link in links:
            if link.state.endswith("_out_of_range"):
                out: Side = "outlook" if link.state.startswith("outlook") else "salesforce"
                item = changes[out].items.get(link.id_on(out) or "")
                if item is not None and item.in_range:
                    wanted[other_side(out)].add(link.id_on(other_side(out)) or "")
            elif link.state.endswith("_deleted") and settings.restore_deleted:
                gone: Side = "outlook" if link.state.startswith("outlook") else "salesforce"
                wanted[other_side(gone)].add(link.id_on(other_side(gone)) or "")
        for side in SIDES:
            ids = sorted(i for i in wanted[side] if i)
            ch = changes[side]
            ids = [i for i in ids if i not in ch.items and i not in ch.deleted]
            if not ids:
                continue
            found = await sources[side].get_many(ids)
            for item_id in ids:
                if item_id in found:
                    ch.items[item_id] = found[item_id]
                elif item_id in by_id[side]:
                    ch.deleted.add(item_id)

    # -- applying -----------------------------------------------------------------------------

    async def apply(
        self,
        plan: Plan,
        decisions: Decisions | None = None,
        *,
        trigger: str = "manual",
        progress: Progress | None = None,
    ) -> RunReport:
        """Apply ``plan`` with the person's decisions. Returns the report (also stored)."""
        decisions = decisions or Decisions()
        started, calls0 = time.monotonic(), self._calls()
        mode = "undo" if plan.undo_of is not None else "apply"
        run_id = self.store.start_run(
            trigger=trigger, mode=mode, kinds=list(plan.kinds), undo_of=plan.undo_of
        )
        reports: dict[str, KindReport] = {}
        status = "applied"
        try:
            for kind, kplan in plan.kinds.items():
                reports[kind] = await self._apply_kind(
                    kplan.kind,
                    kplan,
                    decisions,
                    run_id,
                    undo=plan.undo_of is not None,
                    progress=progress or self.progress,
                )
                if reports[kind].error:
                    status = "failed"
        except BaseException:
            # A crash (or cancellation) leaves the run "running"; the next start marks it interrupted.
            raise
        calls1 = self._calls()
        report = RunReport(
            run_id=run_id,
            trigger=trigger,
            mode=mode,
            kinds=reports,
            api_calls={k: calls1[k] - calls0[k] + plan.api_calls.get(k, 0) for k in calls1},
            duration_s=time.monotonic() - started + plan.duration_s,
            plan=plan,
        )
        if plan.undo_of is not None and status == "applied":
            self.store.mark_undone(plan.undo_of, run_id)
        self.store.finish_run(run_id, status=status, report=report.to_json())
        return report

    async def _apply_kind(
        self,
        kind: Kind,
        kplan: KindPlan,
        decisions: Decisions,
        run_id: int,
        *,
        undo: bool = False,
        progress: Progress | None = None,
    ) -> KindReport:
        if kplan.error:
            return KindReport(counts=empty_counts(), error=kplan.error)
        executor = Executor(
            self.store,
            kind,
            self.sources[kind],
            kplan.settings,  # what the plan was made with, not what the settings say now
            run_id,
            progress=(lambda done, total: _notify(progress, kind, "applying", done, total))
            if progress
            else None,
        )
        try:
            outcome = await executor.apply(kplan, decisions)
        except SourceError as exc:  # the kind stops; what was not sent is retried next run
            log.warning("%s stopped: %s", kind, exc)
            return KindReport(counts=empty_counts(), error={"title": exc.title, "message": exc.message})
        if not kplan.stopped:
            with self.store.transaction():
                for side, cursor in kplan.cursors.items():
                    if cursor is not None:
                        self.store.set_cursor(kind, side, cursor)
                if not undo:  # a sync re-read every open issue's records; an undo did not
                    self.store.resolve_issues(kind, run_id)
                for outlook_id, salesforce_id in kplan.revisit:
                    self.store.record_issue(
                        kind=kind,
                        category="revisit",
                        code="undo",
                        run_id=run_id,
                        message="Read again after an undo.",
                        outlook_id=outlook_id,
                        salesforce_id=salesforce_id,
                    )
        return KindReport(
            counts=outcome.counts,
            excluded=outcome.excluded,
            unlinked=outcome.unlinked,
            truncated=outcome.truncated,
            stopped=kplan.stopped,
        )

    async def sync(
        self, kinds: Iterable[str] | None = None, *, decisions: Decisions | None = None, trigger: str = "auto"
    ) -> RunReport:
        """Plan and apply in one go (auto sync, ``sync --yes``): conflicts and held items are
        skipped and become item issues; held mass deletes are not carried out."""
        plan = await self.preview(kinds)
        return await self.apply(plan, decisions, trigger=trigger)

    # -- undo, rebuild, housekeeping ----------------------------------------------------------------

    async def preview_undo(self) -> Plan:
        """The plan that reverses the last applied run (raises ``NothingToUndo``)."""
        from .undo import build_undo_plan

        self.close_interrupted_runs()
        for kind in self.kinds(None):
            await Executor(self.store, kind, self.sources[kind], self.settings(kind), run_id=0).recover()
        started, calls0 = time.monotonic(), self._calls()
        plan = await build_undo_plan(self.store, self.sources, self.settings)
        calls1 = self._calls()
        plan.api_calls = {k: calls1[k] - calls0[k] for k in calls1}
        plan.duration_s = time.monotonic() - started
        return plan

    def reset_cursors(self, kind: Kind) -> None:
        """Read everything next time (call when a range setting of ``kind`` changed)."""
        with self.store.transaction():
            for side in SIDES:
                self.store.set_cursor(kind, side, None)

    def rebuild(self, kind: Kind) -> int:
        """Forget the links and cursors of ``kind``; the next sync re-matches. Changes no record."""
        return self.store.forget_kind(kind)

    def close_interrupted_runs(self) -> None:
        for run in self.store.runs(limit=20):
            if run["status"] == "running":
                self.store.finish_run(run["id"], status="interrupted", report=run["report"])


def _scope(settings: KindSettings, source: object = None) -> str:
    """What the engine and the source filter on; a cursor read under another scope is not
    reused (a changed range reads everything again: it pairs or unlinks, never deletes)."""
    base = "private" if settings.include_private else "public"
    key = str(getattr(source, "range_key", "") or "")
    return f"{base}:{key}".replace("|", "/") if key else base


__all__ = ["SyncEngine", "Decisions", "Plan", "RunReport"]
