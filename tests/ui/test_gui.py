"""Start-up of the desktop app: demo mode up to the wizard, a set-up profile up to the
dashboard with auto sync, one instance per profile, and `main.py` still a CLI."""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest
from PyQt6.QtWidgets import QApplication

import main
from ui import shell as gui
from ui.dashboard.window import MainWindow
from ui.launcher import DemoUnavailable, Launcher, needs_setup

ROOT = Path(__file__).resolve().parents[2]


def parse(*argv: str):
    return main.build_parser().parse_args(list(argv))


def sandbox_answers(info: dict) -> bool:
    try:
        httpx.get(
            f"{info['base_url']}/_sandbox/requests",
            verify=ssl.create_default_context(cafile=info["ca_file"]),
            timeout=5,
        )
    except httpx.TransportError:
        return False
    return True


def test_demo_start_opens_the_wizard_with_the_demo_chosen_and_no_modal_dialog(
    qtbot, qloop, keyring_memory, tmp_path
):
    launcher = Launcher(
        parse("--sandbox", "--profile", str(tmp_path / "demo")),
        sandbox_factory=main.embedded_sandbox,
        single_instance=False,
    )
    app = gui.App(launcher, use_tray=False)
    try:
        assert app.start()
        assert app.shell is None
        assert app.wizard is not None and app.wizard.isVisible()
        assert QApplication.activeModalWidget() is None
        assert app.wizard.welcome_page.choice() == "demo"
        # The demo runs on its own profile against the embedded sandbox, started once.
        ctx = launcher.open_demo()
        assert ctx is launcher.open_demo()
        info = launcher.sandbox_info
        assert ctx.sandbox and ctx.paths.root == (tmp_path / "demo").resolve()
        assert sandbox_answers(info)
        assert ctx.signed_in() == {"outlook": None, "salesforce": None}
        assert needs_setup(ctx)
    finally:
        finished = []
        app.finished.connect(lambda: finished.append(True))
        app.wizard.reject()
        qloop.until(lambda: finished)
        launcher.shutdown()
    # Quit stops the embedded sandbox and keeps its world for the next start of the demo.
    assert not sandbox_answers(info)
    assert (tmp_path / "demo" / "sandbox" / "world.json").exists()


def test_without_the_sandbox_factory_the_demo_says_how_to_start_it(tmp_path):
    launcher = Launcher(parse("--sandbox", "--profile", str(tmp_path / "demo")), single_instance=False)
    with pytest.raises(DemoUnavailable) as info:
        launcher.open_demo()
    assert "--sandbox" in info.value.message


@pytest.mark.seed("demo")
def test_a_set_up_profile_opens_the_dashboard_with_auto_sync_and_quits_cleanly(
    qtbot, qloop, demo_ctx, sandbox
):
    assert qloop.run(demo_ctx.service.sync(["tasks"], trigger="manual")).ok
    launcher = Launcher(
        parse(
            "--profile",
            str(demo_ctx.paths.root),
            "--sandbox-url",
            sandbox.base_url,
            "--sandbox-ca",
            sandbox.ca_file,
        ),
        single_instance=False,
    )
    app = gui.App(launcher, use_tray=False)
    finished = []
    app.finished.connect(lambda: finished.append(True))
    try:
        assert app.start()
        assert app.wizard is None and app.shell is not None
        window = app.shell.window
        assert window.isVisible() and QApplication.activeModalWidget() is None
        assert isinstance(window, MainWindow)
        assert app.shell.autosync.timer.isActive()
        assert launcher.controller_for(app.ctx) is app.shell.controller
        # No tray here: closing the main window quits Tandem.
        window.close()
        assert finished == [True]
        assert not app.shell.autosync.timer.isActive()
    finally:
        launcher.shutdown()


def test_one_instance_per_profile_the_second_start_brings_the_first_forward(qtbot, qloop, tmp_path):
    args = parse("--profile", str(tmp_path / "p"))
    first, second = Launcher(args), Launcher(args)
    raised = []
    first.activated = lambda: raised.append(True)
    try:
        assert first.acquire(first.real_paths())
        assert not second.acquire(second.real_paths())
        qloop.until(lambda: raised)
        # Another profile is another instance.
        other = Launcher(parse("--profile", str(tmp_path / "q")))
        assert other.acquire(other.real_paths())
        other.shutdown()
    finally:
        first.shutdown()
        second.shutdown()


def test_main_without_a_command_opens_the_gui_and_sandbox_starts_the_demo(monkeypatch):
    calls = []
    monkeypatch.setattr(
        gui, "run_gui", lambda args, sandbox_factory=None: calls.append((args, sandbox_factory)) or 7
    )
    assert main.main([]) == 7
    assert main.main(["--sandbox"]) == 7
    assert [a.sandbox for a, _ in calls] == [False, True]
    assert all(factory is main.embedded_sandbox for _, factory in calls)


def test_help_and_the_cli_still_work_without_a_window():
    done = subprocess.run(
        [sys.executable, "main.py", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    assert "--sandbox" in done.stdout and "sync" in done.stdout and "history" in done.stdout


DRIVER = textwrap.dedent("""
    import sys
    from PyQt6.QtCore import QTimer
    from PyQt6.QtWidgets import QApplication
    import main
    from ui import shell as gui

    def poll():
        app = QApplication.instance()
        shown = [w for w in app.topLevelWidgets() if w.isVisible() and w.isWindow()]
        if shown:
            modal = QApplication.activeModalWidget()
            print("SHOWN", type(shown[0]).__name__, "modal" if modal else "no-modal", flush=True)
            app.quit()
        else:
            QTimer.singleShot(50, poll)

    make = gui.make_application
    def patched(*a):
        app = make(*a)
        QTimer.singleShot(0, poll)
        return app
    gui.make_application = patched
    sys.exit(main.main(["--sandbox", "--profile", sys.argv[1]]))
""")


def test_python_main_sandbox_starts_the_demo_up_to_the_wizard_and_exits(tmp_path):
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        PYTHON_KEYRING_BACKEND="accounts_keyring.MemoryKeyring",
        PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "tests" / "integration" / "accounts")]),
    )
    env.pop("TANDEM_SANDBOX_URL", None)
    env.pop("TANDEM_SANDBOX_CA", None)
    script = tmp_path / "drive.py"
    script.write_text(DRIVER)
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "demo")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "SHOWN" in done.stdout and "no-modal" in done.stdout
    assert "Wizard" in done.stdout, done.stdout
    assert (tmp_path / "demo" / "sandbox" / "world.json").exists()


def test_an_exception_nobody_caught_becomes_a_banner_and_the_app_keeps_running(qtbot, qloop, tmp_path):
    launcher = Launcher(parse("--profile", str(tmp_path / "p")), single_instance=False)
    app = gui.App(launcher)

    class StubShell:
        banners: list = []

        def banner(self, text, level="info", action_text=None, callback=None):
            self.banners.append((text, level))

    app.shell = StubShell()
    before = sys.excepthook
    undo = app.install_hooks(qloop.loop)
    assert sys.excepthook is not before
    try:
        try:
            raise KeyError("contact")
        except KeyError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
        assert app.shell.banners[-1][1] == "error"
        assert "Something went wrong" in app.shell.banners[-1][0] and "KeyError" in app.shell.banners[-1][0]

        async def broken() -> None:
            raise ValueError("a task failed")

        qloop.loop.create_task(broken())
        qloop.until(lambda: len(app.shell.banners) == 2)
        assert "a task failed" in app.shell.banners[-1][0]
    finally:
        undo()
        qloop.loop.set_exception_handler(None)
    assert sys.excepthook is before


@pytest.mark.seed("demo")
def test_quit_during_a_sync_cancels_it_and_lets_go_of_the_profile(qtbot, qloop, demo_ctx, sandbox):
    launcher = Launcher(
        parse(
            "--profile",
            str(demo_ctx.paths.root),
            "--sandbox-url",
            sandbox.base_url,
            "--sandbox-ca",
            sandbox.ca_file,
        ),
        single_instance=False,
    )
    ctx = launcher.open_real()
    controller = launcher.controller_for(ctx)
    sandbox.control("faults", {"latency_ms": 100})  # slow enough to quit in the middle
    calls_before = sum(sandbox.state.requests.values())
    assert controller.run_auto(["contacts", "events", "tasks"]) is not None
    qloop.until(lambda: sum(sandbox.state.requests.values()) >= calls_before + 3)  # inside the run
    assert controller.busy
    assert qloop.run(launcher.wait_idle())
    assert not controller.busy
    launcher.shutdown()
    sandbox.control("faults", {"latency_ms": 0})
    # The lock of the profile is free again: another sync of it runs (no "already running").
    assert qloop.run(demo_ctx.service.sync(["tasks"], trigger="manual")).run_id is not None


def test_the_async_demo_start_runs_the_sandbox_start_off_the_gui_thread(
    qtbot, qloop, keyring_memory, tmp_path
):
    import threading

    threads = []

    def factory(state_dir):
        threads.append(threading.current_thread())
        return main.embedded_sandbox(state_dir)

    launcher = Launcher(
        parse("--sandbox", "--profile", str(tmp_path / "demo")),
        sandbox_factory=factory,
        single_instance=False,
    )
    try:
        ctx = qloop.run(launcher.open_demo_async())
        assert threads and threads[0] is not threading.main_thread()
        assert ctx is launcher.open_demo() and len(threads) == 1  # started once
        assert sandbox_answers(launcher.sandbox_info)
    finally:
        launcher.shutdown()


def test_a_profile_that_cannot_open_says_why_in_plain_words_and_ends(qtbot, qloop, tmp_path):
    profile = tmp_path / "broken"
    profile.mkdir()
    (profile / "tandem.sqlite3").write_bytes(b"this is not a database" * 100)
    launcher = Launcher(parse("--profile", str(profile)), single_instance=False)
    app = gui.App(launcher, use_tray=False)
    finished = []
    app.finished.connect(lambda: finished.append(True))
    try:
        assert app.start()
        box = app.error_box
        assert box is not None and box.isVisible()
        assert app.shell is None and app.wizard is None
        assert "database" in box.text().lower() or "database" in box.windowTitle().lower()
        assert "Traceback" not in box.text()
        box.close()
        qloop.until(lambda: finished)
    finally:
        launcher.shutdown()


# -- start at login: --background ------------------------------------------------------------


def _set_up_app(qloop, demo_ctx, sandbox, *extra: str, use_tray: bool | None):
    assert qloop.run(demo_ctx.service.sync(["tasks"], trigger="manual")).ok
    args = parse(
        "--profile",
        str(demo_ctx.paths.root),
        "--sandbox-url",
        sandbox.base_url,
        "--sandbox-ca",
        sandbox.ca_file,
        *extra,
    )
    launcher = Launcher(args, single_instance=False)
    return launcher, gui.App(launcher, use_tray=use_tray, background=bool(args.background))


@pytest.fixture
def desktop_tray(monkeypatch):
    """A desktop with a system tray (the offscreen platform has none)."""
    from ui.tray import Tray

    monkeypatch.setattr(Tray, "available", staticmethod(lambda: True))


def test_background_start_with_a_tray_shows_only_the_tray_icon(qtbot, qloop, demo_ctx, sandbox, desktop_tray):
    launcher, app = _set_up_app(qloop, demo_ctx, sandbox, "--background", use_tray=True)
    try:
        assert app.start()
        shell = app.shell
        assert shell is not None and app.wizard is None and shell.has_tray
        assert shell.tray.icon.isVisible()
        assert not shell.window.isVisible()
        assert not [w for w in QApplication.topLevelWidgets() if w.isVisible()]
        assert shell.autosync.timer.isActive()  # auto sync runs without the window
        # The tray's "Open Tandem" brings the window up.
        shell.tray.open_requested.emit()
        assert shell.window.isVisible()
    finally:
        app.shutdown()
        launcher.shutdown()


def test_background_start_without_a_tray_shows_the_window(qtbot, qloop, demo_ctx, sandbox):
    launcher, app = _set_up_app(qloop, demo_ctx, sandbox, "--background", use_tray=False)
    try:
        assert app.start()
        assert app.shell is not None and not app.shell.has_tray
        assert app.shell.window.isVisible()
    finally:
        app.shutdown()
        launcher.shutdown()


def test_background_start_of_a_first_run_still_shows_the_wizard(
    qtbot, qloop, keyring_memory, tmp_path, desktop_tray
):
    launcher = Launcher(parse("--background", "--profile", str(tmp_path / "new")), single_instance=False)
    app = gui.App(launcher, use_tray=True, background=True)
    try:
        assert app.start()
        assert app.shell is None
        assert app.wizard is not None and app.wizard.isVisible()
    finally:
        app.wizard.close()
        launcher.shutdown()


def test_without_background_a_set_up_profile_opens_its_window_even_with_a_tray(
    qtbot, qloop, demo_ctx, sandbox, desktop_tray
):
    launcher, app = _set_up_app(qloop, demo_ctx, sandbox, use_tray=True)
    try:
        assert app.start()
        assert app.shell.has_tray and app.shell.window.isVisible()
    finally:
        app.shutdown()
        launcher.shutdown()


def test_help_documents_the_background_flag():
    done = subprocess.run(
        [sys.executable, "main.py", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    assert "--background" in text and "tray" in text
    assert parse("--background").background is True
    assert parse().background is False


# -- reconnect after an expired sign-in ------------------------------------------------------


@pytest.mark.seed("demo")
def test_an_expired_outlook_sign_in_is_reconnected_from_the_banner_and_the_next_sync_works(
    qtbot, qloop, demo_ctx, sandbox_env
):
    from PyQt6.QtWidgets import QWizard

    from ui.wizard.window import Page

    launcher, app = _set_up_app(qloop, demo_ctx, sandbox_env, use_tray=False)
    try:
        assert app.start()
        shell = app.shell
        window = shell.window
        # Microsoft forgets Tandem's sign-in: the next sync fails and asks to reconnect.
        sandbox_env.control("tokens/revoke", {"service": "microsoft"})
        sandbox_env.control("tokens/expire", {"service": "microsoft"})
        failed = qloop.run(shell.controller.run_auto(["tasks"]))
        assert isinstance(failed, Exception)
        assert getattr(failed, "action", None) == "reconnect"
        banner = window.banner
        assert banner.isVisible() and banner.action.text() == "Reconnect Outlook"

        sandbox_env.state.config["auto_approve"] = False
        banner.action.click()
        wizard = shell.wizard
        # The Outlook sign-in at once: not the welcome page, not the rest of the setup.
        assert wizard is not None and wizard.isVisible()
        assert wizard.currentId() == Page.OUTLOOK
        page = wizard.outlook_page
        qloop.until(lambda: page.code.code.text())
        sandbox_env.control("device/approve", {"user_code": page.code.code.text()})
        qloop.until(lambda: page.isComplete())
        done = wizard.button(QWizard.WizardButton.FinishButton)
        assert done.isVisible() and done.isEnabled()
        assert not wizard.button(QWizard.WizardButton.NextButton).isVisible()
        done.click()

        # Back on the dashboard, which says so; nothing else of the setup was redone.
        assert shell.wizard is None and not wizard.isVisible()
        assert window.isVisible()
        assert "connected to Outlook again" in banner.text.text()
        report = qloop.run(shell.controller.run_auto(["tasks"]))
        assert not isinstance(report, Exception), report
        assert report.ok
    finally:
        app.shutdown()
        launcher.shutdown()


@pytest.mark.seed("demo")
def test_a_cancelled_reconnect_keeps_the_old_sign_in_and_the_way_back(qtbot, qloop, demo_ctx, sandbox_env):
    launcher, app = _set_up_app(qloop, demo_ctx, sandbox_env, use_tray=False)
    try:
        assert app.start()
        shell = app.shell
        banner = shell.window.banner
        sandbox_env.control("tokens/revoke", {"service": "salesforce"})
        sandbox_env.control("tokens/expire", {"service": "salesforce"})
        shell.reconnect("salesforce")
        wizard = shell.wizard
        assert wizard.currentPage() is wizard.salesforce_page
        assert "Reconnect Salesforce" in wizard.windowTitle()
        wizard.reject()
        assert shell.wizard is None and not wizard.isVisible()
        assert "was not changed" in banner.text.text() and banner.action.text() == "Sync now"
        # The old sign-in was the expired one: the next sync asks again, and the way back works.
        failed = qloop.run(shell.controller.run_auto(["contacts"]))
        assert getattr(failed, "action", None) == "reconnect"
        assert banner.action.text() == "Reconnect Salesforce"
        banner.action.click()
        assert shell.wizard is not None and shell.wizard.isVisible()
        assert shell.wizard.currentPage() is shell.wizard.salesforce_page
    finally:
        app.shutdown()
        launcher.shutdown()


@pytest.fixture
def late_tray(monkeypatch):
    """A desktop whose tray comes up after Tandem (the panel starts later at login)."""
    from ui.tray import Tray

    state = {"up": False}
    monkeypatch.setattr(Tray, "available", staticmethod(lambda: state["up"]))
    monkeypatch.setattr(gui.App, "TRAY_WAIT_MS", 400)
    monkeypatch.setattr(gui.App, "TRAY_POLL_MS", 20)
    return state


def test_background_start_waits_for_a_tray_that_comes_up_late(qtbot, qloop, demo_ctx, sandbox, late_tray):
    launcher, app = _set_up_app(qloop, demo_ctx, sandbox, "--background", use_tray=None)
    try:
        assert app.start()
        shell = app.shell
        assert not shell.has_tray and not shell.window.isVisible()
        late_tray["up"] = True
        qloop.until(lambda: shell.has_tray)
        assert shell.tray.icon.isVisible() and not shell.window.isVisible()
    finally:
        app.shutdown()
        launcher.shutdown()


def test_background_start_shows_the_window_when_no_tray_comes(qtbot, qloop, demo_ctx, sandbox, late_tray):
    launcher, app = _set_up_app(qloop, demo_ctx, sandbox, "--background", use_tray=None)
    try:
        assert app.start()
        shell = app.shell
        assert not shell.window.isVisible()
        qloop.until(lambda: shell.window.isVisible())
        assert not shell.has_tray
    finally:
        app.shutdown()
        launcher.shutdown()
