"""The one bridge between the app services and the windows: turns runs into Qt signals.

Every window talks to the sync service through one :class:`SyncController` (never to
``SyncService`` directly), so "never two runs at once", progress, cancel and error routing
live in one place. All work runs as asyncio tasks on the qasync loop; nothing here blocks.

Manual sync is two steps, both inside one locked session of the profile, so nothing else can
run between what the person saw and what is applied::

    controller.start_preview(kinds)      # -> preview_ready(plan)   (or run_failed(error))
    controller.apply_preview(decisions)  # -> run_finished(report)  (or run_failed(error))
    controller.discard_preview()         # closes the session, nothing applied

Automatic runs (the scheduler) call :meth:`run_auto`, which plans and applies in one go.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from typing import Any

from PyQt6.QtCore import QObject, pyqtSignal

from sync.plan import Decisions, Plan

log = logging.getLogger(__name__)


class SyncController(QObject):
    busy_changed = pyqtSignal(bool)  # a run (or an open preview) holds the profile
    run_started = pyqtSignal(str, list)  # trigger ("manual" | "auto" | "undo"), kinds
    progress = pyqtSignal(str, str)  # kind, a short text ("reading", "applying 40/120")
    counts = pyqtSignal(str, str, int, int)  # kind, phase ("reading"|"planning"|"applying"), done, total
    preview_ready = pyqtSignal(object)  # sync.plan.Plan
    run_finished = pyqtSignal(object)  # sync.report.RunReport
    run_failed = pyqtSignal(object)  # the exception (AppError / TandemError / other)
    run_cancelled = pyqtSignal()
    history_changed = pyqtSignal()  # a run was recorded, a kind rebuilt, ...

    def __init__(self, ctx: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._task: asyncio.Task | None = None
        self._session_cm: Any = None
        self._session: Any = None
        self._plan: Plan | None = None
        self._announce: Plan | None = None
        self._trigger = "manual"

    # -- state ------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._task is not None or self._session is not None

    @property
    def pending_plan(self) -> Plan | None:
        return self._plan

    def _start(self, coro: Any) -> bool:
        if self.busy:
            coro.close()
            return False
        self._task = asyncio.ensure_future(coro)
        self._task.add_done_callback(self._task_done)
        self.busy_changed.emit(True)
        return True

    def _task_done(self, task: asyncio.Task) -> None:
        self._task = None
        plan, self._announce = self._announce, None
        if plan is not None:
            self.preview_ready.emit(plan)
        if not self.busy:
            self.busy_changed.emit(False)

    # -- manual sync (preview, then apply) --------------------------------------------------

    def start_preview(self, kinds: Iterable[str] | None = None, *, undo: bool = False) -> bool:
        """Plan a manual sync (or the undo of the last run); False if something already runs."""
        kinds = list(kinds) if kinds is not None else None
        return self._start(self._preview(kinds, undo))

    async def _preview(self, kinds: list[str] | None, undo: bool) -> None:
        self._trigger = "undo" if undo else "manual"
        self.run_started.emit(self._trigger, kinds or list(self.ctx.settings.enabled_kinds()))
        try:
            self._session_cm = self.ctx.service.session(kinds)
            self._session = await self._session_cm.__aenter__()
            for kind in self._session.kinds:
                self.progress.emit(kind, "reading")
            plan = await (
                self._session.preview_undo() if undo else self._session.preview(progress=self._hear)
            )
        except asyncio.CancelledError:
            await self._close_session()
            self.run_cancelled.emit()
            raise
        except Exception as exc:  # routed to the person by the window (ui.errors)
            log.info("preview failed: %s", type(exc).__name__)
            await self._close_session()
            self.run_failed.emit(exc)
            return
        self._plan = plan
        self._announce = plan  # emitted once this task is done, so Apply is accepted at once

    def _hear(self, kind: str, phase: str, done: int, total: int) -> None:
        """The engine's progress hook (loop thread): counts, and a short text per kind."""
        self.counts.emit(kind, phase, int(done), int(total))
        if phase == "applying" and total:
            self.progress.emit(kind, f"applying {done}/{total}")
        elif phase == "planning":
            self.progress.emit(kind, "planning")

    def apply_preview(self, decisions: Decisions | None = None) -> bool:
        if self._session is None or self._plan is None or self._task is not None:
            return False
        self._task = asyncio.ensure_future(self._apply(self._plan, decisions))
        self._task.add_done_callback(self._task_done)
        return True

    async def _apply(self, plan: Plan, decisions: Decisions | None) -> None:
        self._plan = None
        try:
            for kind in plan.kinds:
                self.progress.emit(kind, "applying")
            report = await self._session.apply(plan, decisions, trigger=self._trigger, progress=self._hear)
        except asyncio.CancelledError:
            self.run_cancelled.emit()
            raise
        except Exception as exc:
            log.info("apply failed: %s", type(exc).__name__)
            self.run_failed.emit(exc)
            return
        finally:
            await self._close_session()
            self.history_changed.emit()
        log.info("%s run %s finished: %s", self._trigger, report.run_id, report.support_line())
        self.run_finished.emit(report)

    def discard_preview(self) -> None:
        """Close the session of a preview the person did not apply (Cancel)."""
        if self._session is not None and self._task is None:
            self._plan = None
            self._task = asyncio.ensure_future(self._close_session())
            self._task.add_done_callback(self._task_done)

    async def _close_session(self) -> None:
        cm, self._session_cm, self._session = self._session_cm, None, None
        if cm is not None:
            with contextlib.suppress(Exception):
                await cm.__aexit__(None, None, None)

    # -- automatic runs ---------------------------------------------------------------------

    def run_auto(self, kinds: Iterable[str] | None = None) -> asyncio.Future | None:
        """Plan and apply at once (the scheduler); None if something already runs."""
        kinds = list(kinds) if kinds is not None else list(self.ctx.settings.background_kinds())
        future: asyncio.Future = asyncio.get_event_loop().create_future()

        async def run() -> None:
            self.run_started.emit("auto", kinds)
            try:
                report = await self.ctx.service.sync(kinds, trigger="auto", progress=self._hear)
            except asyncio.CancelledError:
                self.run_cancelled.emit()
                future.cancel()
                raise
            except Exception as exc:
                self.run_failed.emit(exc)
                future.set_result(exc)
                return
            finally:
                self.history_changed.emit()
            log.info("auto run %s finished: %s", report.run_id, report.support_line())
            self.run_finished.emit(report)
            future.set_result(report)

        return future if self._start(run()) else None

    # -- cancel -----------------------------------------------------------------------------

    def cancel(self) -> None:
        """Stop what runs. Apply is crash-safe (intent journal), so a cancelled apply leaves
        each item either done and recorded or not done; the next run finishes the rest."""
        if self._task is not None:
            self._task.cancel()
        elif self._session is not None:
            self.discard_preview()
