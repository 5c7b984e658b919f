"""Auto sync in the desktop app: app.scheduler decides *when*, the controller runs.

    autosync = AutoSync(ctx, controller)     # clock= and tick_ms= for tests
    autosync.start()                          # ticks now, then every 30 s (QTimer)
    autosync.pause(); autosync.resume()       # the tray's Pause/Resume (resume ticks at once)
    autosync.stop()                           # on quit

Each tick asks :meth:`app.scheduler.Scheduler.tick`; when a sync is due it goes through
``controller.run_auto(background kinds)``, so it shares the one-run-at-a-time rule with the
manual sync (the scheduler also sees ``controller.busy`` and skips with "a sync is already
running"). Ticks are frequent (30 s) and due-ness is measured from the last sync, so after the
computer slept the first tick on wake runs exactly one catch-up sync (the scheduler's rule).

Manual syncs reset the clock (:meth:`Scheduler.note_run`). The start of the last recorded run
seeds the clock at start-up, so opening Tandem does not sync at once when a run just happened.

Skipped runs (due, but stopped by the window, the days, the budget, back-off, pause...) are
emitted (``skipped``), kept in ``scheduler.skipped`` and stored in the profile under
:data:`SKIPS_KEY` (machine state, the last :data:`SKIPS_KEPT`), so the dashboard can list them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from PyQt6.QtCore import QObject, QTimer, pyqtSignal

from app.scheduler import ScheduleConfig, Scheduler, SkippedRun, system_clock

log = logging.getLogger(__name__)

TICK_MS = 30_000
SKIPS_KEY = "_state.auto_skipped"
SKIPS_KEPT = 50
BUDGET_MAX_AGE = dt.timedelta(hours=24)  # an older reading of the API budget means "unknown"


class AutoSync(QObject):
    changed = pyqtSignal()  # paused, running, a skip, the next run time moved
    skipped = pyqtSignal(object)  # app.scheduler.SkippedRun
    failed = pyqtSignal(object)  # an exception of a background run (also run_failed)

    def __init__(
        self,
        ctx: Any,
        controller: Any,
        parent: QObject | None = None,
        *,
        clock: Callable[[], dt.datetime] = system_clock,
        tick_ms: int = TICK_MS,
        tz: dt.tzinfo | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.controller = controller
        self.clock = clock
        self._tz = tz
        self._tick_task: asyncio.Future | None = None
        self._manual_started: dt.datetime | None = None
        self._stopped = True
        self.scheduler = Scheduler(
            config=self.config,
            run=self._run,
            clock=clock,
            is_running=lambda: bool(controller.busy),
            budget=self._budget,
            on_skip=self._on_skip,
            on_error=self.failed.emit,
            on_change=self.changed.emit,
        )
        last = _last_run_start(ctx)
        if last is not None:
            self.scheduler.note_run(last, ok=True)
        self.timer = QTimer(self)
        self.timer.setInterval(tick_ms)
        self.timer.timeout.connect(self.tick)
        controller.run_started.connect(self._run_started)
        controller.run_finished.connect(self._run_finished)
        ctx.settings.on_change(self._settings_changed)

    # -- configuration and facts --------------------------------------------------------

    def config(self) -> ScheduleConfig:
        return ScheduleConfig.from_settings(self.ctx.settings, tz=self._tz)

    def available(self) -> bool:
        """Auto sync is switched on and unlocked (Pause/Resume makes sense)."""
        try:
            config = self.config()
        except Exception:
            return False
        return config.enabled and config.unlocked

    def _budget(self) -> float | None:
        reading = self.ctx.service.api_budget() or {}
        left, at = reading.get("left_pct"), reading.get("at")
        if left is None:
            return None
        if at:
            try:
                when = dt.datetime.fromisoformat(str(at).replace("Z", "+00:00"))
                if when.tzinfo is None:
                    when = when.replace(tzinfo=dt.UTC)
                if self.clock() - when > BUDGET_MAX_AGE:
                    return None
            except ValueError:
                pass
        return float(left)

    # -- controls -------------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        return self.scheduler.paused

    @property
    def running(self) -> bool:
        return self.scheduler.state.running

    def start(self) -> None:
        self._stopped = False
        self.timer.start()
        self.tick()

    def stop(self) -> None:
        self._stopped = True
        self.timer.stop()

    def pause(self) -> None:
        self.scheduler.pause()

    def resume(self) -> None:
        self.scheduler.resume()
        if not self._stopped:
            self.tick()

    def next_run_time(self) -> dt.datetime | None:
        try:
            return self.scheduler.next_run_time()
        except Exception:  # a malformed setting must not break the tray
            return None

    def status_text(self) -> str:
        """One line for the tray tooltip and the dashboard."""
        if not self.available():
            return "Auto sync is off"
        if self.paused:
            return "Auto sync is paused"
        if self.running:
            return "Auto sync is running"
        when = self.next_run_time()
        last = self.scheduler.skipped[-1] if self.scheduler.skipped else None
        text = (
            "No auto sync planned"
            if when is None
            else f"Next auto sync {_when_words(when.astimezone(self.config().tz), self.clock().astimezone(self.config().tz))}"
        )
        if (
            last is not None
            and self.scheduler.state.last_skip == last.code
            and last.code in ("budget", "backoff")
        ):
            text += f" (skipped: {last.reason})"
        return text

    # -- ticks ----------------------------------------------------------------------------

    def tick(self) -> asyncio.Future | None:
        """Ask the scheduler once (unless a tick is still running); returns the tick's task."""
        if self._tick_task is not None and not self._tick_task.done():
            return self._tick_task
        try:
            self._tick_task = asyncio.ensure_future(self.scheduler.tick())
        except RuntimeError:  # no event loop (shutting down)
            return None
        self._tick_task.add_done_callback(self._tick_done)
        return self._tick_task

    def _tick_done(self, task: asyncio.Future) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("auto sync tick failed", exc_info=task.exception())
        self.changed.emit()

    async def _run(self) -> Any:
        kinds = list(self.config().kinds)
        future = self.controller.run_auto(kinds)
        if future is None:  # a manual sync started between the decision and now
            raise RuntimeError("a sync is already running")
        result = await future
        if isinstance(result, BaseException):
            return False  # the controller already emitted run_failed; counts for back-off
        return result

    def _on_skip(self, entry: SkippedRun) -> None:
        self.skipped.emit(entry)
        try:
            kept = list(self.ctx.store.setting(SKIPS_KEY, []) or [])
            kept.append(entry.to_json())
            self.ctx.store.set_setting(SKIPS_KEY, kept[-SKIPS_KEPT:])
        except Exception:  # recording a skip must never stop the schedule
            log.warning("could not record a skipped auto sync", exc_info=True)

    # -- manual runs reset the clock ------------------------------------------------------

    def _run_started(self, trigger: str, _kinds: list) -> None:
        if trigger != "auto":
            self._manual_started = self.clock()

    def _run_finished(self, report: Any) -> None:
        if getattr(report, "trigger", "manual") == "auto" or self._manual_started is None:
            return
        started, self._manual_started = self._manual_started, None
        self.scheduler.note_run(started, ok=bool(getattr(report, "ok", True)))

    def _settings_changed(self, keys: list[str]) -> None:
        if self._stopped:
            return
        if any(k.startswith("auto.") or k.endswith(".background") or k.endswith(".enabled") for k in keys):
            QTimer.singleShot(0, self.tick)


def _last_run_start(ctx: Any) -> dt.datetime | None:
    try:
        runs = ctx.store.runs(limit=1)
    except Exception:
        return None
    if not runs or not runs[0].get("started_at"):
        return None
    try:
        moment = dt.datetime.fromisoformat(str(runs[0]["started_at"]).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _when_words(when: dt.datetime, now: dt.datetime) -> str:
    if when <= now:
        return "now"
    if when.date() == now.date():
        return f"at {when:%H:%M}"
    if when.date() == (now + dt.timedelta(days=1)).date():
        return f"tomorrow at {when:%H:%M}"
    return f"on {when:%A} at {when:%H:%M}"


__all__ = ["AutoSync", "SKIPS_KEY", "TICK_MS"]
