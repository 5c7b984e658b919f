"""The desktop app's shell: start-up, the demo mode, the tray, auto sync, toasts and errors.

    python main.py              -> run_gui(args): the real profile; the wizard on first run
    python main.py --sandbox    -> the demo: an embedded sandbox with demo data, its own profile
    python main.py --background -> start at login: only the tray icon (the wizard on a first
                                   run; the window when no tray shows up within 10 s)

Start-up order (STYLE.md habit 1, after vorta): QApplication (name, icon, high-DPI) -> one
qasync loop -> :class:`ui.launcher.Launcher` (opens profiles, one SyncController per profile,
the embedded sandbox, one instance per profile) -> first run? the wizard : the :class:`Shell`
(main window + tray + auto sync + notifications + error routing).

First run, per profile: a service is not connected, or auto sync was never unlocked and no run
was recorded yet (the wizard ends with the first manual sync). ``--sandbox`` opens the wizard
with the demo preselected; ``python main.py`` opens the welcome page, which offers the demo or
real accounts (the wizard calls ``Launcher.open_demo`` / ``Launcher.open_real``).

Closing the main window hides it to the tray when the desktop has one (a one-time toast says
Tandem keeps running); without a tray, closing the window quits. Quit stops the scheduler,
cancels a running sync, closes the profiles and stops the embedded sandbox.

The other windows (dashboard, wizard, settings, preview) are imported when first opened, to
keep start-up short. There is no Help menu: the support file is made in Settings > Support >
Export diagnostics, which the words of an unexpected error point to (ui/errors.py).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PyQt6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QGuiApplication
from PyQt6.QtWidgets import QApplication, QMainWindow, QMessageBox

from ui.errors import ErrorActions, remedy_for, remedy_level
from ui.launcher import Launcher, SandboxFactory, needs_setup

if TYPE_CHECKING:  # the windows are imported when first opened (make_main_window, make_wizard)
    from ui.wizard.window import FirstRunWizard

log = logging.getLogger(__name__)

APP_NAME = "Tandem"


def make_main_window(ctx: Any, controller: Any) -> QMainWindow:
    from ui.dashboard.window import MainWindow

    return MainWindow(ctx, controller)


def make_wizard(launcher: Launcher, demo: bool, **kwargs: Any) -> FirstRunWizard:
    """The first-run wizard; ``start_at``/``only_sign_in`` (reconnect) go to FirstRunWizard."""
    from ui.wizard.window import FirstRunWizard

    return FirstRunWizard(launcher, demo=demo, **kwargs)


# -- the shell ------------------------------------------------------------------------------


class Shell(QObject):
    """One profile's running app: main window, tray, auto sync, toasts, summary, error routing."""

    quit_requested = pyqtSignal()

    def __init__(
        self,
        ctx: Any,
        controller: Any,
        *,
        launcher: Launcher | None = None,
        use_tray: bool | None = None,
        clock: Any = None,
        start_autosync: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        from ui.autosync import AutoSync
        from ui.toasts import RunNotifier
        from ui.tray import Tray

        self.ctx, self.controller, self.launcher = ctx, controller, launcher
        self.window = make_main_window(ctx, controller)
        self.window.installEventFilter(self)
        self._told_about_tray = False
        self._quitting = False
        self.settings_dialog: Any = None
        self.preview_dialog: Any = None
        self.wizard: Any = None
        kwargs = {"clock": clock} if clock is not None else {}
        self.autosync = AutoSync(ctx, controller, self, **kwargs)
        self.tray = Tray(controller, self.autosync, self)
        wants_tray = Tray.available() if use_tray is None else use_tray
        self.has_tray = bool(wants_tray and self.tray.show())
        set_autosync = getattr(self.window, "set_autosync", None)
        if set_autosync is not None:  # the dashboard follows the pause and the next run
            set_autosync(self.autosync)
        self.notifier = RunNotifier(ctx, controller, tray=self.tray, window=lambda: self.window, parent=self)
        controller.run_failed.connect(self.show_error)
        self.autosync.skipped.connect(self._auto_skipped)
        self.tray.sync_requested.connect(self.sync_now)
        self.tray.open_requested.connect(self.open_window)
        self.tray.settings_requested.connect(self.open_settings)
        self.tray.quit_requested.connect(self.quit)
        if hasattr(self.window, "settings_requested"):
            self.window.settings_requested.connect(self.open_settings)
        if start_autosync:
            self.autosync.start()

    # -- the window -----------------------------------------------------------------------

    def open_window(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def eventFilter(self, obj: QObject | None, event: QEvent | None) -> bool:  # noqa: N802 - Qt's name
        window = self.__dict__.get("window")  # None while Python tears the shell down
        if (
            window is not None
            and event is not None
            and obj is window
            and event.type() == QEvent.Type.Close
            and not self._quitting
        ):
            if self.has_tray:
                event.ignore()
                self.window.hide()
                if not self._told_about_tray:
                    self._told_about_tray = True
                    self.tray.show_message(
                        "Tandem keeps running",
                        "Auto sync goes on in the background. Open Tandem or quit it from this icon.",
                        "info",
                    )
                return True
            self.quit()
            return False
        return super().eventFilter(obj, event)

    def banner(
        self,
        text: str,
        level: str = "info",
        action_text: str | None = None,
        callback: Callable[[], Any] | None = None,
    ) -> None:
        show = getattr(self.window, "show_banner", None)
        if show is not None:
            show(text, level, action_text, callback)
        else:
            log.info("banner: %s", text)

    # -- actions ------------------------------------------------------------------------------

    def sync_now(self, kinds: list[str] | None = None) -> None:
        """Tray "Sync now": a manual sync, so it opens the window and previews first."""
        self.open_window()
        if self.controller.busy:
            self.banner("A sync is already running. Wait for it to finish, then try again.", "info")
            return
        window_sync = getattr(self.window, "sync_now", None)
        if window_sync is not None:
            window_sync(kinds)  # the dashboard follows its own sync (progress, preview)
        else:
            self.controller.start_preview(kinds)

    def open_settings(self) -> None:
        from ui.settings.dialog import SettingsDialog

        self.open_window()
        if self.settings_dialog is None:
            self.settings_dialog = SettingsDialog(self.ctx, self.controller, self.window)
            if hasattr(self.settings_dialog, "reconnect_requested"):
                self.settings_dialog.reconnect_requested.connect(self.reconnect)
            self.settings_dialog.finished.connect(lambda *_: setattr(self, "settings_dialog", None))
        self.settings_dialog.show()
        self.settings_dialog.raise_()

    def reconnect(self, service: str) -> None:
        """Sign in to ``service`` again: the wizard's sign-in page of that service alone, on
        this profile ("Done" comes back to the dashboard; nothing else of the setup is
        redone). A reconnect of the other service already open is replaced."""
        if self.launcher is None:
            self.banner(f"Sign in again with `python main.py login {service}`.", "info")
            return
        if self.wizard is not None and getattr(self.wizard, "start_at", service) != service:
            old, self.wizard = self.wizard, None
            old.close()
        if self.wizard is None:
            demo = bool(getattr(self.ctx, "sandbox", False)) and self.launcher.demo_available
            try:
                wizard = make_wizard(self.launcher, demo, start_at=service, only_sign_in=True)
            except Exception as exc:  # the profile could not be handed over: say why
                log.warning("the sign-in window did not open: %s", type(exc).__name__)
                remedy = remedy_for(exc)
                self.banner(remedy.text, "error")
                return
            wizard.setup_finished.connect(lambda _ctx: self._reconnect_closed(service, True))
            if hasattr(wizard, "rejected"):
                wizard.rejected.connect(lambda: self._reconnect_closed(service, False))
            self.wizard = wizard
        self.wizard.show()
        self.wizard.raise_()
        self.wizard.activateWindow()

    def _reconnect_closed(self, service: str, done: bool) -> None:
        """The sign-in window closed: ``done`` after a sign-in ("Done"), else cancelled (the
        stored account may still be listed, but its sign-in is the one that expired)."""
        wizard, self.wizard = self.wizard, None
        if wizard is not None and wizard.isVisible():
            wizard.close()
        name = {"outlook": "Outlook", "salesforce": "Salesforce"}.get(service, service)
        try:
            stored = bool(self.ctx.signed_in().get(service))
        except Exception:
            stored = False
        if done and stored:
            self.tray.clear_attention()
            self.open_window()  # back to the dashboard
            self.banner(
                f"Tandem is connected to {name} again. Sync now to catch up; nothing was lost.",
                "info",
                "Sync now",
                lambda: self.sync_now(None),
            )
        elif stored:  # cancelled: the old sign-in is kept, and may well still work
            self.banner(
                f"The sign-in to {name} was not changed. Sync now to check that Tandem "
                f"is still connected to {name}.",
                "info",
                "Sync now",
                lambda: self.sync_now(None),
            )
        else:
            self.banner(
                f"Tandem is not connected to {name}, so it cannot sync. Sign in when you are ready.",
                "warning",
                f"Reconnect {name}",
                lambda: self.reconnect(service),
            )

    def _auto_skipped(self, entry: Any) -> None:
        """Auto sync stopped by itself (API budget low, backing off after failures): say so.
        The ordinary skips (night, weekend, paused by the person) only show in the status."""
        if entry.code == "budget":
            self.banner(
                f"Auto sync is waiting: {entry.reason}. It goes on by itself when "
                "Salesforce has more requests available; Sync now still works.",
                "warning",
            )
        elif entry.code == "backoff":
            self.banner(
                f"Auto sync is {entry.reason}. Sync now to try at once.",
                "warning",
                "Sync now",
                lambda: self.sync_now(None),
            )

    def error_actions(self) -> ErrorActions:
        return ErrorActions(
            reconnect=self.reconnect,
            connect=self.reconnect,
            retry=lambda: self.sync_now(None),
            open_settings=self.open_settings,
        )

    def show_error(self, exc: BaseException) -> None:
        """Every failed run ends here: ui.errors picks the words and the one remedy."""
        remedy = remedy_for(exc, self.error_actions())
        self.banner(remedy.text, remedy_level(exc), remedy.action_text, remedy.callback)

    # -- the end --------------------------------------------------------------------------------

    def quit(self) -> None:
        if self._quitting:
            return
        self._quitting = True
        self.autosync.stop()
        self.controller.cancel()
        self.tray.dispose()
        for window in (self.settings_dialog, self.preview_dialog, self.notifier.summary, self.wizard):
            if window is not None:
                with contextlib.suppress(RuntimeError):
                    window.close()
        self.window.removeEventFilter(self)
        self.window.close()
        self.quit_requested.emit()


# -- the application --------------------------------------------------------------------------


class App(QObject):
    """Start-up after the QApplication and the loop exist: the wizard or the shell."""

    finished = pyqtSignal()

    def __init__(self, launcher: Launcher, *, use_tray: bool | None = None, background: bool = False) -> None:
        super().__init__()
        self.launcher = launcher
        self.use_tray = use_tray
        self.background = background  # --background: start in the tray, no window
        self.shell: Shell | None = None
        self.wizard: Any = None
        self.ctx: Any = None
        self.error_box: Any = None
        launcher.activated = self.bring_forward

    def start(self) -> bool:
        """Show the first window; False when another instance has this profile (it came forward)."""
        if not self.launcher.acquire(self.launcher.initial_paths()):
            log.info("Tandem already runs for this profile; asked it to come to the front")
            return False
        try:
            ctx = self.launcher.open_initial()
        except Exception as exc:  # the profile or the demo cannot open: say why, then end
            log.exception("Tandem could not open its profile")
            remedy = remedy_for(exc)
            title = getattr(exc, "title", None) or remedy.title
            message = getattr(exc, "message", None) or remedy.message
            self.error_box = open_message_box(str(title), str(message))
            self.error_box.finished.connect(lambda *_: self.finished.emit())
            return True
        if needs_setup(ctx):  # a first run shows the wizard, --background or not
            self.show_wizard(demo=self.launcher.demo)
        else:
            self.show_shell(ctx, quiet=self.background)
        return True

    def show_wizard(self, demo: bool) -> None:
        self.wizard = make_wizard(self.launcher, demo)
        self.wizard.setup_finished.connect(self.show_shell)
        if hasattr(self.wizard, "rejected"):  # a QDialog: Cancel and the window's X both reject
            self.wizard.rejected.connect(self._wizard_closed)
        else:
            self.wizard.installEventFilter(self)
        self.wizard.show()

    def _wizard_closed(self) -> None:
        # Leaving the wizard before setup is done ends Tandem: there is nothing to keep running.
        if self.shell is None:
            self.finished.emit()

    def show_shell(self, ctx: Any, quiet: bool = False) -> None:
        """The shell of ``ctx``; ``quiet`` (start at login) leaves the window closed when the
        tray icon is there to open it (without a tray the window is the only way in)."""
        if ctx is None:  # a wizard that finished without a profile: nothing to run
            self.finished.emit()
            return
        self.ctx = ctx
        if self.wizard is not None:
            wizard, self.wizard = self.wizard, None
            wizard.removeEventFilter(self)
            if hasattr(wizard, "rejected"):
                wizard.rejected.disconnect(self._wizard_closed)
            wizard.close()
        self.shell = Shell(
            ctx, self.launcher.controller_for(ctx), launcher=self.launcher, use_tray=self.use_tray
        )
        self.shell.quit_requested.connect(self.finished.emit)
        if quiet and self.shell.has_tray:
            log.info("started in the background: only the tray icon is shown")
            return
        if quiet and self.use_tray is None:
            # At login the panel may come up after Tandem: give the tray a moment to appear
            # before falling back to the window.
            self._wait_for_tray(self.TRAY_WAIT_MS)
            return
        self.shell.open_window()

    TRAY_WAIT_MS = 10_000  # --background: how long to wait for a late tray at login
    TRAY_POLL_MS = 500

    def _wait_for_tray(self, left_ms: int) -> None:
        shell = self.shell
        if shell is None or shell._quitting:
            return
        if shell.tray.available() and shell.tray.show():
            shell.has_tray = True
            log.info("the tray appeared: Tandem stays in the background")
            return
        if left_ms <= 0:
            log.info("no tray on this desktop: showing the window")
            shell.open_window()
            return
        step = min(self.TRAY_POLL_MS, left_ms)
        QTimer.singleShot(step, lambda: self._wait_for_tray(left_ms - step))

    def bring_forward(self) -> None:
        target = self.shell.window if self.shell is not None else self.wizard
        if target is not None:
            target.showNormal()
            target.raise_()
            target.activateWindow()

    def eventFilter(self, obj: QObject | None, event: QEvent | None) -> bool:  # noqa: N802 - Qt's name
        # Closing the wizard before setup is done ends Tandem (there is nothing to keep running).
        wizard = self.__dict__.get("wizard")
        if wizard is not None and event is not None and obj is wizard and event.type() == QEvent.Type.Close:
            QCoreApplication.postEvent(self, QEvent(QEvent.Type.User))
        return super().eventFilter(obj, event)

    def event(self, event: QEvent | None) -> bool:
        if event is not None and event.type() == QEvent.Type.User:
            if self.wizard is not None and not self.wizard.isVisible() and self.shell is None:
                self.finished.emit()
            return True
        return super().event(event)

    def shutdown(self) -> None:
        """Stop the shell (scheduler, running sync); the launcher closes the profiles after
        the cancelled runs have let go of them (:meth:`Launcher.wait_idle`)."""
        if self.shell is not None:
            self.shell.quit()
        if self.wizard is not None:
            self.wizard.close()

    # -- errors nobody caught -------------------------------------------------------------

    def handle_unexpected(self, exc: BaseException) -> None:
        """An exception escaped a slot or a task: log it, tell the person, keep running.
        (PyQt6 aborts the process on an unhandled exception in a slot unless a hook is set.)"""
        log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
        if self.shell is None:
            return
        remedy = remedy_for(exc)  # no retry button: we do not know what to retry
        try:
            self.shell.banner(remedy.text, "error")
        except Exception:  # the window itself is broken: the log has it
            log.exception("could not show the error")

    def install_hooks(self, loop: asyncio.AbstractEventLoop) -> Callable[[], None]:
        """sys.excepthook and the loop's exception handler; returns the undo."""
        previous = sys.excepthook

        def hook(exc_type: type, exc: BaseException, tb: Any) -> None:
            if issubclass(exc_type, KeyboardInterrupt):
                self.finished.emit()
                return
            self.handle_unexpected(exc.with_traceback(tb) if tb is not None else exc)

        def on_loop_error(_loop: Any, context: dict[str, Any]) -> None:
            exc = context.get("exception")
            if exc is None or isinstance(exc, asyncio.CancelledError):
                log.warning("asyncio: %s", context.get("message"))
                return
            self.handle_unexpected(exc)

        sys.excepthook = hook
        loop.set_exception_handler(on_loop_error)

        def undo() -> None:
            sys.excepthook = previous

        return undo


def open_message_box(title: str, message: str) -> QMessageBox:
    """A non-blocking warning box (never exec() on the loop)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, message)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    box.open()
    return box


def make_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app = existing
    elif existing is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(argv if argv is not None else sys.argv[:1])
    else:
        raise RuntimeError("Tandem needs a QApplication; a non-GUI QCoreApplication already runs")
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName("tandem")
    try:
        from ui.resources import app_icon

        app.setWindowIcon(app_icon())
    except Exception:  # icons missing from this build: the default icon
        log.info("application icon not available", exc_info=True)
    return app


def run_gui(args: argparse.Namespace, *, sandbox_factory: SandboxFactory | None = None) -> int:
    """The desktop app until Quit; the exit code."""
    import qasync

    app = make_application()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    launcher = Launcher(args, sandbox_factory=sandbox_factory)
    from app.logging_setup import setup_logging

    paths = launcher.initial_paths().ensure()
    setup_logging(paths)
    log.info(
        "Tandem starting: profile %s%s%s",
        paths.profile_id,
        " (demo)" if getattr(args, "sandbox", False) else "",
        ", in the background" if getattr(args, "background", False) else "",
    )
    gui = App(launcher, background=bool(getattr(args, "background", False)))
    undo_hooks = gui.install_hooks(loop)
    # Everything made so far (Qt, the modules, the windows) lives as long as the app: keep it
    # out of the garbage collector's full passes, which otherwise stall the loop for 50-150 ms
    # during a large sync (tests/bench/bench_loop_lag.py --gc-freeze).
    import gc

    gc.freeze()
    # Ctrl+C in the terminal and SIGTERM (log-out) quit cleanly. Python runs signal handlers
    # only between bytecodes, so a slow timer lets it look while Qt waits for events.
    import signal

    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError, OSError):  # not the main thread / not supported here
            signal.signal(sig, lambda *_: gui.finished.emit())
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(500)
    done = asyncio.Event()
    gui.finished.connect(done.set)
    app.aboutToQuit.connect(done.set)
    app.setQuitOnLastWindowClosed(False)  # the shell decides (tray or quit)
    try:
        with loop:
            if not gui.start():
                return 0
            loop.run_until_complete(done.wait())
            gui.shutdown()
            # Let cancelled runs close their sessions (and release the profile lock).
            loop.run_until_complete(launcher.wait_idle())
            launcher.shutdown()
    finally:
        launcher.shutdown()
        undo_hooks()
    return 0


__all__ = ["App", "Launcher", "Shell", "run_gui", "needs_setup", "make_application"]
