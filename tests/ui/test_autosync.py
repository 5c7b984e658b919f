"""Auto sync in the app: the scheduler decides when (on a patched clock), the controller runs,
for real against the sandbox; skipped runs are recorded with their reason."""

from __future__ import annotations

import datetime as dt

import pytest

from app.sync_service import BUDGET_KEY
from sync.plan import Decisions
from ui.autosync import SKIPS_KEY, AutoSync
from ui.controller import SyncController

UTC = dt.UTC
MONDAY = dt.date(2030, 1, 7)  # far after the real first sync, so the clock is never "before" it


def at(day_offset: int, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime.combine(MONDAY + dt.timedelta(days=day_offset), dt.time(hh, mm), tzinfo=UTC)


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def unlocked(qloop, demo_ctx):
    """The demo profile after its first manual sync of tasks, auto sync on, tasks only."""
    report = qloop.run(demo_ctx.service.sync(["tasks"], trigger="manual"))
    assert report.ok
    for kind in ("contacts", "events"):
        demo_ctx.settings.set(f"{kind}.background", False)
    demo_ctx.settings.set("auto.enabled", True)
    return demo_ctx


def auto_runs(ctx) -> list[dict]:
    return [r for r in ctx.service.history(limit=50) if r["trigger"] == "auto"]


def tick(qloop, autosync: AutoSync):
    return qloop.run(autosync.tick(), timeout=60)


@pytest.mark.seed("demo")
def test_runs_only_inside_the_window_on_sync_days_and_records_why_not(qtbot, qloop, unlocked):
    ctx = unlocked
    clock = Clock(at(0, 6, 59))
    controller = SyncController(ctx)
    autosync = AutoSync(ctx, controller, clock=clock, tz=UTC)
    skipped = []
    autosync.skipped.connect(skipped.append)

    # Monday 06:59: due, but the window opens at 07:00.
    decision = tick(qloop, autosync)
    assert not decision.run and decision.code == "outside_window"
    assert auto_runs(ctx) == []
    assert skipped[-1].reason == "outside the sync window"
    assert autosync.status_text() == "Next auto sync at 07:00"

    # 07:00: inside; a real background sync of the included kinds runs against the sandbox.
    clock.now = at(0, 7, 0)
    decision = tick(qloop, autosync)
    assert decision.run
    runs = auto_runs(ctx)
    assert len(runs) == 1 and runs[0]["kinds"] == ["tasks"] and runs[0]["status"] == "applied"

    # 07:10: not due yet (every 30 minutes); nothing runs, nothing is recorded.
    clock.now = at(0, 7, 10)
    before = len(skipped)
    assert tick(qloop, autosync).code == "not_due"
    assert len(auto_runs(ctx)) == 1 and len(skipped) == before

    # The computer slept from 07:10 to 09:45: exactly one catch-up sync on wake.
    clock.now = at(0, 9, 45)
    decision = tick(qloop, autosync)
    assert decision.run and decision.caught_up
    clock.now = at(0, 9, 46)
    assert tick(qloop, autosync).code == "not_due"
    assert len(auto_runs(ctx)) == 2

    # 19:00: the window has closed (its end is exclusive).
    clock.now = at(0, 19, 0)
    assert tick(qloop, autosync).code == "outside_window"
    clock.now = at(0, 23, 30)
    assert tick(qloop, autosync).code == "outside_window"
    assert len(auto_runs(ctx)) == 2
    # One entry for the whole closed evening, not one per tick.
    assert [s.code for s in skipped].count("outside_window") == 2  # the morning one and the evening one

    # Saturday and Sunday at noon: not sync days.
    for day in (5, 6):
        clock.now = at(day, 12, 0)
        decision = tick(qloop, autosync)
        assert decision.code == "not_a_sync_day"
    assert "Saturday is not a sync day" in skipped[-1].reason
    assert len(auto_runs(ctx)) == 2
    # ... and the next Monday it runs again.
    clock.now = at(7, 7, 30)
    assert tick(qloop, autosync).run
    assert len(auto_runs(ctx)) == 3

    # The skips are kept in the profile for the dashboard, with their reasons.
    stored = ctx.store.setting(SKIPS_KEY, [])
    assert [s["code"] for s in stored] == ["outside_window", "outside_window", "not_a_sync_day"]


@pytest.mark.seed("demo")
def test_pause_resume_busy_budget_and_a_manual_sync_that_resets_the_clock(qtbot, qloop, unlocked):
    ctx = unlocked
    clock = Clock(at(1, 10, 0))  # a Tuesday, inside the window
    controller = SyncController(ctx)
    autosync = AutoSync(ctx, controller, clock=clock, tz=UTC)
    changes = []
    autosync.changed.connect(lambda: changes.append(True))

    autosync.pause()
    assert autosync.paused and changes
    assert tick(qloop, autosync).reason == "paused by you"
    assert auto_runs(ctx) == []
    # Resume ticks at once (no waiting for the next timer tick) and the due sync runs.
    autosync.start()
    autosync.resume()
    qloop.until(lambda: len(auto_runs(ctx)) == 1 and not controller.busy, timeout=60)
    autosync.stop()

    # Never two at once: while a manual preview holds the profile, a due sync is skipped.
    clock.now = at(1, 11, 0)
    plans = []
    controller.preview_ready.connect(plans.append)
    controller.start_preview(["tasks"])
    qloop.until(lambda: plans)
    decision = tick(qloop, autosync)
    assert decision.code == "running" and decision.reason == "a sync is already running"
    # The person applies the manual sync: that resets the clock, so nothing is due 10 min later.
    reports = []
    controller.run_finished.connect(reports.append)
    controller.apply_preview(Decisions())
    qloop.until(lambda: reports and not controller.busy)
    clock.now = at(1, 11, 10)
    assert tick(qloop, autosync).code == "not_due"
    assert len(auto_runs(ctx)) == 1

    # The Salesforce API budget falls below 10 %: skipped, and the reason says so.
    clock.now = at(1, 12, 0)
    ctx.store.set_setting(
        BUDGET_KEY, {"used": 950, "max": 1000, "left_pct": 5.0, "at": clock.now.isoformat()}
    )
    decision = tick(qloop, autosync)
    assert decision.code == "budget" and decision.reason == "Salesforce API budget low: 5 % left"
    assert "budget low" in autosync.status_text()
    assert len(auto_runs(ctx)) == 1


@pytest.mark.seed("demo")
def test_the_window_says_when_auto_sync_waits_for_the_api_budget(qtbot, qloop, unlocked, monkeypatch):
    from PyQt6.QtWidgets import QMainWindow

    from ui import shell as gui

    class Window(QMainWindow):
        def __init__(self) -> None:
            super().__init__()
            self.banners = []

        def show_banner(self, text, level="info", action_text=None, callback=None):
            self.banners.append((text, level))

    monkeypatch.setattr(gui, "make_main_window", lambda ctx, controller: Window())
    clock = Clock(at(1, 12, 0))
    shell = gui.Shell(unlocked, SyncController(unlocked), use_tray=False, clock=clock, start_autosync=False)
    shell.autosync._tz = UTC
    unlocked.store.set_setting(
        BUDGET_KEY, {"used": 950, "max": 1000, "left_pct": 5.0, "at": clock.now.isoformat()}
    )
    assert tick(qloop, shell.autosync).code == "budget"
    text, level = shell.window.banners[-1]
    assert level == "warning" and "Salesforce API budget low: 5 % left" in text
    # A night outside the window is normal: no banner for it.
    clock.now = at(1, 22, 0)
    unlocked.store.set_setting(BUDGET_KEY, None)
    count = len(shell.window.banners)
    assert tick(qloop, shell.autosync).code == "outside_window"
    assert len(shell.window.banners) == count
    shell.quit()


@pytest.mark.seed("demo")
def test_failed_background_syncs_back_off(qtbot, qloop, unlocked, sandbox):
    ctx = unlocked
    clock = Clock(at(1, 8, 0))
    controller = SyncController(ctx)
    autosync = AutoSync(ctx, controller, clock=clock, tz=UTC)
    failures = []
    controller.run_failed.connect(failures.append)
    # Salesforce forgets the sign-in: every run now fails before it reads anything.
    ctx.accounts.accounts.put("salesforce", None)
    for minute in (0, 30):
        clock.now = at(1, 8, minute)
        assert tick(qloop, autosync).run
    assert len(failures) == 2 and autosync.scheduler.state.failures == 2
    clock.now = at(1, 9, 0)
    decision = tick(qloop, autosync)
    assert decision.code == "backoff"
    assert "2 failed syncs in a row" in decision.reason and "09:30" in decision.reason


@pytest.mark.seed("demo")
def test_the_timer_keeps_ticking_and_stop_ends_it(qtbot, qloop, demo_ctx):
    controller = SyncController(demo_ctx)
    autosync = AutoSync(demo_ctx, controller, clock=Clock(at(0, 12)), tz=UTC, tick_ms=20)
    ticks = []
    real_tick = autosync.scheduler.tick

    async def counted():
        ticks.append(True)
        return await real_tick()

    autosync.scheduler.tick = counted
    autosync.start()
    qloop.until(lambda: len(ticks) >= 3)
    autosync.stop()
    assert not autosync.timer.isActive()
    # Locked (no manual sync yet): it says so instead of syncing.
    assert autosync.scheduler.decide().code == "disabled"
    assert autosync.status_text() == "Auto sync is off"
    assert demo_ctx.service.history() == []


@pytest.mark.seed("demo")
def test_pausing_auto_sync_from_the_tray_shows_on_the_dashboard(qtbot, qloop, unlocked):
    """The real shell, the real main window: the tray's "Pause auto sync" reaches the
    dashboard (its status line and the cards of the kinds auto sync covers)."""
    from ui import shell as gui
    from ui.dashboard.window import MainWindow

    shell = gui.Shell(unlocked, SyncController(unlocked), use_tray=False, start_autosync=False)
    try:
        window = shell.window
        assert isinstance(window, MainWindow)
        assert window.cards["tasks"].state == "ok"
        assert "paused" not in window.schedule_label.text()

        shell.tray.pause_action.trigger()

        assert shell.autosync.paused
        assert window.schedule_label.text() == "Auto sync is paused."
        assert window.cards["tasks"].state == "paused"
        assert "auto sync is paused" in window.cards["tasks"].state_label.text()

        shell.tray.pause_action.trigger()
        assert not shell.autosync.paused and window.cards["tasks"].state == "ok"
    finally:
        shell.quit()
