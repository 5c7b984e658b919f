"""The tray: its menu does what it says, its icon follows the runs, toasts open the run, and
without a tray the toasts become banners in the window."""

from __future__ import annotations

from typing import Any

import pytest
from PyQt6.QtCore import QObject, pyqtSignal
from PyQt6.QtWidgets import QMainWindow

import main
from sync.plan import Decisions
from ui import shell as gui
from ui.controller import SyncController
from ui.launcher import Launcher
from ui.tray import Tray, tray_state
from ui.wizard.window import Page


class FakeAutoSync(QObject):
    """The tray's view of auto sync: paused or not, on or off."""

    changed = pyqtSignal()

    def __init__(self, on: bool = True) -> None:
        super().__init__()
        self.on, self.paused = on, False

    def available(self) -> bool:
        return self.on

    def pause(self) -> None:
        self.paused = True
        self.changed.emit()

    def resume(self) -> None:
        self.paused = False
        self.changed.emit()

    def status_text(self) -> str:
        return "Auto sync is paused" if self.paused else "Next auto sync at 10:30"

    def stop(self) -> None:
        pass


class FakeWindow(QMainWindow):
    """A main window that records what the shell asks of it."""

    settings_requested = pyqtSignal()

    def __init__(self, *_: Any) -> None:
        super().__init__()
        self.banners: list[tuple] = []
        self.opened: list[tuple[str, int]] = []

    def show_banner(self, text, level="info", action_text=None, callback=None):
        self.banners.append((text, level, action_text, callback))

    def open_run(self, run_id):
        self.opened.append(("run", run_id))

    def open_issue(self, issue_id):
        self.opened.append(("issue", issue_id))


@pytest.fixture
def with_tray(monkeypatch):
    monkeypatch.setattr(Tray, "available", staticmethod(lambda: True))


@pytest.fixture
def fake_window(monkeypatch):
    monkeypatch.setattr(gui, "make_main_window", lambda ctx, controller: FakeWindow())


def make_shell(ctx, *, tray: bool) -> gui.Shell:
    controller = SyncController(ctx)
    shell = gui.Shell(ctx, controller, use_tray=tray, start_autosync=False)
    shell.autosync.stop()
    return shell


def test_state_rule_syncing_then_attention_then_paused():
    assert tray_state(syncing=True, attention=True, paused=True) == "syncing"
    assert tray_state(syncing=False, attention=True, paused=True) == "attention"
    assert tray_state(syncing=False, attention=False, paused=True) == "paused"
    assert tray_state(syncing=False, attention=False, paused=False) == "ok"


@pytest.mark.seed("demo")
def test_icon_goes_syncing_then_up_to_date_and_paused_follows_the_menu(qtbot, qloop, demo_ctx):
    controller = SyncController(demo_ctx)
    autosync = FakeAutoSync()
    tray = Tray(controller, autosync)
    states: list[str] = []
    tray.state_changed.connect(states.append)
    assert tray.state == "ok" and "Up to date" in tray.icon.toolTip()

    future = controller.run_auto(["tasks"])  # the demo's tasks sync cleanly
    assert tray.state == "syncing"
    assert not tray.sync_all_action.isEnabled()  # no second sync from the menu while one runs
    qloop.until(lambda: future.done() and not controller.busy, timeout=60)
    assert states[0] == "syncing" and tray.state == "ok"
    assert tray.sync_all_action.isEnabled()

    assert tray.pause_action.text() == "Pause auto sync"
    tray.pause_action.trigger()
    assert autosync.paused and tray.state == "paused"
    assert tray.pause_action.text() == "Resume auto sync"
    assert "paused" in tray.icon.toolTip()
    tray.pause_action.trigger()
    assert not autosync.paused and tray.state == "ok"
    tray.dispose()


def test_a_failed_run_turns_the_icon_to_needs_attention(qtbot, qloop, fresh_ctx):
    controller = SyncController(fresh_ctx)
    tray = Tray(controller, FakeAutoSync(on=False))
    failures = []
    controller.run_failed.connect(failures.append)
    controller.run_auto(["contacts"])
    qloop.until(lambda: failures and not controller.busy)
    assert tray.state == "attention"
    assert "Needs your attention" in tray.icon.toolTip()
    # Auto sync off: Pause is greyed out rather than pretending to work.
    assert not tray.pause_action.isEnabled()
    tray.dispose()


@pytest.mark.seed("demo")
def test_a_run_that_holds_an_item_for_the_person_needs_attention(qtbot, qloop, demo_ctx):
    controller = SyncController(demo_ctx)
    tray = Tray(controller, FakeAutoSync())
    future = controller.run_auto(["contacts"])  # the demo has one ambiguous contact
    qloop.until(lambda: future.done() and not controller.busy, timeout=60)
    assert future.result().total("held") == 1
    assert tray.state == "attention"
    # A new Tray (the next start) reads the last run and still shows it.
    assert Tray(controller, FakeAutoSync()).state == "attention"
    tray.dispose()


@pytest.mark.seed("demo")
def test_every_menu_action_does_what_it_says(qtbot, qloop, demo_ctx, with_tray, fake_window):
    shell = make_shell(demo_ctx, tray=True)
    started: list[tuple[str, list]] = []
    plans = []
    shell.controller.run_started.connect(lambda trigger, kinds: started.append((trigger, list(kinds))))
    shell.controller.preview_ready.connect(plans.append)
    menu_texts = [a.text() for a in shell.tray.menu.actions() if a.text() and a.isVisible()]
    assert menu_texts == [
        "Up to date",
        "Auto sync is off",
        "Sync now",
        "Sync one kind",
        "Pause auto sync",
        "Open Tandem",
        "Settings…",
        "Quit Tandem",
    ]
    assert [a.text() for a in shell.tray.kinds_menu.actions()] == ["Contacts", "Calendar", "Tasks"]

    shell.window.hide()
    shell.tray.open_action.trigger()
    assert shell.window.isVisible()

    shell.tray.kind_actions["contacts"].trigger()
    qloop.until(lambda: plans or not shell.controller.busy)
    assert started == [("manual", ["contacts"])]
    assert list(plans[0].kinds) == ["contacts"]
    shell.controller.discard_preview()
    qloop.until(lambda: not shell.controller.busy)

    shell.tray.sync_all_action.trigger()
    # While it runs the menu's Sync entries are greyed out, and a second request says so
    # instead of starting another.
    assert not shell.tray.sync_all_action.isEnabled()
    shell.sync_now(None)
    assert "already running" in shell.window.banners[-1][0]
    qloop.until(lambda: len(plans) == 2 or not shell.controller.busy)
    assert started[1:] == [("manual", list(demo_ctx.settings.enabled_kinds()))]
    assert set(plans[1].kinds) == set(demo_ctx.settings.enabled_kinds())
    shell.controller.discard_preview()
    qloop.until(lambda: not shell.controller.busy)

    shell.tray.settings_action.trigger()
    assert (
        shell.settings_dialog is not None and shell.settings_dialog.isVisible()
    ) or "settings" in shell.window.banners[-1][0].lower()
    if shell.settings_dialog is not None:
        shell.settings_dialog.close()

    quits = []
    shell.quit_requested.connect(lambda: quits.append(True))
    shell.tray.quit_action.trigger()
    assert quits == [True]
    assert not shell.autosync.timer.isActive() and not shell.tray.visible


@pytest.mark.seed("demo")
def test_closing_the_window_hides_it_to_the_tray_and_keeps_running(
    qtbot, qloop, demo_ctx, with_tray, fake_window
):
    shell = make_shell(demo_ctx, tray=True)
    messages = []
    shell.tray.icon.showMessage = lambda *a: messages.append(a)
    quits = []
    shell.quit_requested.connect(lambda: quits.append(True))
    shell.open_window()
    shell.window.close()
    assert not shell.window.isVisible() and quits == []
    assert messages and messages[0][0] == "Tandem keeps running"
    shell.quit()
    assert quits == [True]


def _warn_by_direction(ctx) -> None:
    # Salesforce -> Outlook only for tasks: what would go to Salesforce is prevented.
    ctx.settings.apply_preset("tasks", "to_outlook")


@pytest.mark.seed("demo")
def test_a_run_with_warnings_toasts_and_a_click_opens_that_run(
    qtbot, qloop, demo_ctx, with_tray, fake_window
):
    _warn_by_direction(demo_ctx)
    shell = make_shell(demo_ctx, tray=True)
    messages = []
    shell.tray.icon.showMessage = lambda *a: messages.append(a)
    reports = []
    shell.controller.run_finished.connect(reports.append)
    future = shell.controller.run_auto(["tasks"])
    qloop.until(lambda: future.done() and not shell.controller.busy, timeout=60)
    report = reports[0]
    assert report.total("prevented") > 0
    assert len(messages) == 1
    title, body = messages[0][0], messages[0][1]
    assert title == "Sync finished: please review"
    assert "prevented by your direction settings" in body
    assert shell.tray.state == "ok"  # prevented items are a warning, not a problem
    assert shell.notifier.summary is None  # no summary after an auto sync by default

    shell.window.hide()
    shell.tray.icon.messageClicked.emit()
    assert shell.window.isVisible()
    assert shell.window.opened == [("run", report.run_id)]
    shell.quit()


@pytest.mark.seed("demo")
def test_without_a_tray_the_toast_is_a_banner_whose_button_opens_the_run(qtbot, qloop, demo_ctx, fake_window):
    _warn_by_direction(demo_ctx)
    shell = make_shell(demo_ctx, tray=False)
    assert not shell.has_tray
    reports = []
    shell.controller.run_finished.connect(reports.append)
    future = shell.controller.run_auto(["tasks"])
    qloop.until(lambda: future.done() and not shell.controller.busy, timeout=60)
    text, level, action_text, callback = shell.window.banners[-1]
    assert level == "warning" and "prevented" in text and action_text == "Open run"
    callback()
    assert shell.window.opened == [("run", reports[0].run_id)]
    # No tray: closing the window quits instead of hiding somewhere the person cannot find it.
    quits = []
    shell.quit_requested.connect(lambda: quits.append(True))
    shell.window.close()
    assert quits == [True]


def test_a_failed_sync_shows_the_remedy_banner_whose_button_reconnects(qtbot, qloop, fresh_ctx, fake_window):
    shell = make_shell(fresh_ctx, tray=False)
    asked = []
    shell.reconnect = lambda service: asked.append(service)  # the wizard's sign-in, not under test
    failures = []
    shell.controller.run_failed.connect(failures.append)
    shell.controller.start_preview(["contacts"])
    qloop.until(lambda: failures and not shell.controller.busy)
    text, level, action_text, callback = shell.window.banners[-1]
    assert level == "error" and "not connected" in text.lower()
    assert action_text in ("Connect Outlook", "Connect Salesforce")
    callback()
    assert asked == [action_text.split()[-1].lower()]
    shell.quit()


def manual_sync(qloop, controller, kinds):
    plans, reports = [], []
    controller.preview_ready.connect(plans.append)
    controller.run_finished.connect(reports.append)
    assert controller.start_preview(kinds)
    qloop.until(lambda: plans)
    controller.apply_preview(Decisions())
    qloop.until(lambda: reports and not controller.busy, timeout=60)
    return reports[0]


@pytest.mark.seed("demo")
def test_a_manual_sync_opens_the_summary_instead_of_a_toast(qtbot, qloop, demo_ctx, with_tray, fake_window):
    shell = make_shell(demo_ctx, tray=True)
    messages = []
    shell.tray.icon.showMessage = lambda *a: messages.append(a)
    report = manual_sync(qloop, shell.controller, ["contacts", "tasks"])
    summary = shell.notifier.summary
    assert summary is not None and summary.isVisible() and not summary.isModal()
    assert messages == []  # the window says it; no toast on top
    assert summary.headline.text() == "Sync finished — please review"  # one contact held
    rows = {
        summary.table.item(r, 0).text(): [summary.table.item(r, c).text() for c in range(1, 5)]
        for r in range(summary.table.rowCount())
    }
    assert set(rows) == {"Contacts", "Tasks"}
    assert rows["Contacts"][2] == "1 held for you"
    assert rows["Tasks"][0] == "7 created"
    summary.open_button.click()
    assert shell.window.opened == [("run", report.run_id)]
    assert shell.notifier.summary is None or not shell.notifier.summary.isVisible()
    shell.quit()


@pytest.mark.seed("demo")
def test_only_when_something_changed_hides_the_summary_of_a_sync_that_changed_nothing(
    qtbot, qloop, demo_ctx, fake_window
):
    shell = make_shell(demo_ctx, tray=False)
    manual_sync(qloop, shell.controller, ["tasks"])
    summary = shell.notifier.summary
    assert summary is not None
    # The switch in the window is the setting itself.
    summary.only_changed.setChecked(True)
    assert demo_ctx.settings.get("summary.only_when_changed") is True
    summary.close()
    qloop.until(lambda: shell.notifier.summary is None)
    opened = []
    shell.notifier.summary_opened.connect(opened.append)
    manual_sync(qloop, shell.controller, ["tasks"])  # nothing changed since
    assert opened == [] and shell.notifier.summary is None
    # Success toasts are off by default, so nothing at all: the sync simply happened.
    assert shell.window.banners == []
    shell.quit()


@pytest.mark.seed("demo")
def test_reconnect_opens_the_sign_in_of_that_service_and_says_when_it_is_done(
    qtbot, qloop, demo_ctx, sandbox, fake_window
):
    args = main.build_parser().parse_args(
        [
            "--profile",
            str(demo_ctx.paths.root),
            "--sandbox-url",
            sandbox.base_url,
            "--sandbox-ca",
            sandbox.ca_file,
        ]
    )
    launcher = Launcher(args, single_instance=False)
    ctx = launcher.open_real()
    shell = gui.Shell(
        ctx, launcher.controller_for(ctx), launcher=launcher, use_tray=False, start_autosync=False
    )
    try:
        shell.reconnect("salesforce")
        wizard = shell.wizard
        assert wizard is not None and wizard.isVisible()
        assert wizard.currentId() == int(Page.SALESFORCE)
        # Still signed in (the sandbox kept the sign-in): closing says so and offers the sync.
        wizard.reject()
        assert shell.wizard is None
        text, level, action_text, _ = shell.window.banners[-1]
        assert "connected to Salesforce" in text and action_text == "Sync now"
    finally:
        shell.quit()
        launcher.shutdown()


def test_a_toast_about_one_issue_opens_that_issue(qtbot):
    from app.notifications import Target, Toast
    from ui.toasts import RunNotifier

    controller = SyncController(None)
    tray = Tray(controller, FakeAutoSync(), enabled_kinds=lambda: ["contacts"])
    tray.icon.showMessage = lambda *a: None
    tray.icon.isVisible = lambda: True  # as if the desktop showed it
    window = FakeWindow()
    notifier = RunNotifier(None, controller, tray=tray, window=lambda: window)
    notifier.present(
        Toast("Sync finished with problems", "1 item could not be synced.", "error", Target("issue", 7))
    )
    tray.icon.messageClicked.emit()
    assert window.opened == [("issue", 7)] and window.isVisible()
    assert window.banners == []  # it went to the tray, not to a banner
    # Only the enabled kinds are offered in "Sync one kind".
    assert [a.text() for a in tray.kinds_menu.actions() if a.isVisible()] == ["Contacts"]
    tray.dispose()


@pytest.mark.seed("demo")
def test_notify_on_start_toasts_when_an_auto_sync_starts(qtbot, qloop, demo_ctx, with_tray, fake_window):
    demo_ctx.settings.set("notify.on_start", True)
    shell = make_shell(demo_ctx, tray=True)
    messages = []
    shell.tray.icon.showMessage = lambda *a: messages.append(a)
    future = shell.controller.run_auto(["tasks"])
    qloop.until(lambda: future.done() and not shell.controller.busy, timeout=60)
    assert messages[0][:2] == ("Auto sync started", "Syncing tasks.")
    shell.quit()
