"""Desktop notifications of runs: app.notifications decides, this module shows.

    notifier = RunNotifier(ctx, controller, tray=tray, window=lambda: main_window)

For every run of the controller:

- start: ``start_toast`` (only with ``notify.on_start``), for auto runs only: a manual sync
  was started by the person, who is looking at its preview already (a choice: the spec is
  silent);
- finished: the summary window when ``show_summary`` says so (then no toast, the policy's
  rule), else ``finish_toast`` (by severity and the ``notify.*`` switches);
- failed: auto runs get the error toast (``RunOutcome.failed``) when ``notify.on_errors``;
  manual failures are shown by the window itself with their remedy (ui/errors.py), so they
  get no toast.

A toast goes to the tray (``QSystemTrayIcon.showMessage``); clicking it
(``messageClicked``) opens the main window on the toast's target: the run
(``MainWindow.open_run``) or the one issue (``MainWindow.open_issue``). Where there is no
tray (or it is hidden) the same words become an in-window banner
(``MainWindow.show_banner(text, level, action_text, callback)``) whose button opens the target.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any

from PyQt6.QtCore import QObject, pyqtSignal

from app.notifications import NotifyPrefs, RunOutcome, Target, Toast, finish_toast, show_summary, start_toast

log = logging.getLogger(__name__)


class RunNotifier(QObject):
    toast_shown = pyqtSignal(object)  # app.notifications.Toast (tray message or banner)
    summary_opened = pyqtSignal(object)  # ui.summary.SummaryWindow

    def __init__(
        self,
        ctx: Any,
        controller: Any,
        *,
        tray: Any = None,
        window: Callable[[], Any] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.controller = controller
        self.tray = tray
        self._window = window or (lambda: None)
        self._trigger = "manual"
        self.last_toast: Toast | None = None
        self.summary: Any = None
        controller.run_started.connect(self._started)
        controller.run_finished.connect(self._finished)
        controller.run_failed.connect(self._failed)
        if tray is not None:
            tray.icon.messageClicked.connect(self._clicked)

    def prefs(self) -> NotifyPrefs:
        return NotifyPrefs.from_settings(self.ctx.settings)

    # -- controller events ------------------------------------------------------------------

    def _started(self, trigger: str, kinds: list) -> None:
        self._trigger = trigger
        if trigger == "undo":
            return  # the person is looking at the undo preview already
        toast = start_toast(trigger, list(kinds), self.prefs())
        if toast is not None and trigger == "auto":
            self.present(toast)

    def _finished(self, report: Any) -> None:
        outcome = RunOutcome.from_report(report, issue_ids=self._issues_of(getattr(report, "run_id", None)))
        prefs = self.prefs()
        if show_summary(outcome, prefs):
            self.open_summary(report)
            return
        toast = finish_toast(outcome, prefs)
        if toast is not None:
            self.present(toast)

    def _failed(self, exc: BaseException) -> None:
        if self._trigger != "auto" or getattr(exc, "action", None) == "wait":
            return
        title = getattr(exc, "title", None) or "Auto sync failed"
        message = getattr(exc, "message", None) or "Open Tandem to see what went wrong."
        toast = finish_toast(RunOutcome.failed("auto", str(title), str(message)), self.prefs())
        if toast is not None and self._tray_shown():
            self.present(toast)  # without a tray the window's error banner says it already

    def _issues_of(self, run_id: int | None) -> tuple[int, ...]:
        if run_id is None:
            return ()
        try:
            return tuple(i["id"] for i in self.ctx.store.open_issues() if i.get("last_run") == run_id)
        except Exception:
            return ()

    # -- showing ------------------------------------------------------------------------------

    def _tray_shown(self) -> bool:
        return self.tray is not None and self.tray.visible

    def present(self, toast: Toast) -> None:
        """A tray message when the tray is shown, else a banner in the main window."""
        self.last_toast = toast
        if self._tray_shown():
            self.tray.show_message(toast.title, toast.body, toast.severity)
        else:
            window = self._window()
            banner = getattr(window, "show_banner", None)
            if banner is not None:
                action = {"run": "Open run", "issue": "Open issue"}.get(toast.target.kind)
                text = f"{toast.title.rstrip('.')}. {toast.body}".strip()
                banner(
                    text,
                    toast.severity,
                    action,
                    (lambda t=toast.target: self.open_target(t)) if action else None,
                )
            else:
                log.info("notification without a tray or window: %s", toast.title)
        self.toast_shown.emit(toast)

    def _clicked(self) -> None:
        if self.last_toast is not None:
            self.open_target(self.last_toast.target)

    def open_target(self, target: Target) -> None:
        window = self._window()
        if window is None:
            return
        window.showNormal()
        window.raise_()
        window.activateWindow()
        if target.kind == "run" and target.id is not None and hasattr(window, "open_run"):
            window.open_run(target.id)
        elif target.kind == "issue" and target.id is not None and hasattr(window, "open_issue"):
            window.open_issue(target.id)

    def open_summary(self, report: Any) -> Any:
        from ui.summary import SummaryWindow

        window = self._window()
        open_run = (lambda run_id: self.open_target(Target("run", run_id))) if window is not None else None
        if self.summary is not None:
            with contextlib.suppress(RuntimeError):  # already deleted
                self.summary.close()
        summary = SummaryWindow(
            report,
            window if (window is not None and window.isVisible()) else None,
            settings=self.ctx.settings,
            open_run=open_run,
        )
        summary.destroyed.connect(lambda *_: self._summary_gone(summary))
        self.summary = summary
        summary.show()
        summary.raise_()
        self.summary_opened.emit(summary)
        return summary

    def _summary_gone(self, summary: Any) -> None:
        if self.summary is summary:
            self.summary = None


__all__ = ["RunNotifier"]
