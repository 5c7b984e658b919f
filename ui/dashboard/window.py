"""The dashboard: Tandem's main window (BEHAVIOUR.md "Dashboard", "Rebuild and undo").

    window = MainWindow(ctx, controller)       # ctx: app.context.AppContext
    window.show_banner("Signed out of Salesforce", "error", "Sign in", callback)
    window.open_run(run_id); window.open_issue(issue_id)
    window.settings_requested.connect(...)

Top to bottom: a banner area (in-window toasts and error remedies), the actions (Sync now
with a per-kind menu, Undo last run, Cancel while a run is going, Settings), one status card
per kind (up to date / syncing / needs attention / paused, linked records, open issues, last
run, progress of the current run, a menu with "Sync only this" and "Rebuild…"), a line with
the next automatic run and the Salesforce API budget, then three tabs: History (runs, and
the selected run's item-level changes from the change journal, 500 at a time: scrolling to
the end or "Show more" reads the next ones), Issues (open item issues
with a plain explanation and links to both records) and Private contacts (relate to an
account).

The parts, one module each: ui/dashboard/cards.py (banner, status cards), history.py,
issues.py, contacts.py (private contacts); models.py holds the table models.

All work goes through ``ui.controller.SyncController``; reads of the store are short and
local; network work (private contacts, account search) runs as asyncio tasks. Nothing here
waits on the network, so the window never freezes.

Where the spec was silent:
- A kind that is switched off in the settings shows as "Paused"; a kind never synced shows
  as "needs attention" with "Not synced yet".
- "Needs attention" when the kind has open issues or its last run failed or was stopped.
- Rebuild asks first (a non-modal message box) and refuses while a sync runs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from PyQt6.QtCore import Qt, QTimer, QUrl, pyqtSignal
from PyQt6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PyQt6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from sync.fields import KINDS
from ui.dashboard.cards import Banner, KindCard, progress_words
from ui.dashboard.contacts import PrivateContactsPanel
from ui.dashboard.history import HistoryPanel, error_text
from ui.dashboard.issues import IssuesPanel
from ui.dashboard.models import KIND_LABELS, when_text
from ui.errors import ErrorActions, remedy_for, remedy_level
from ui.widget_parts import add_action

log = logging.getLogger(__name__)

HISTORY_LIMIT = 50


def attention_text(report: Any) -> str | None:
    """One sentence when a finished run left something for the person; None when all is well."""
    try:
        kinds = report.kinds
        waiting = report.total("held") + report.total("conflict")
        failed = report.total("errors")
    except Exception:  # not a RunReport: nothing to say
        return None
    stopped = [KIND_LABELS.get(k, k) for k, r in kinds.items() if r.error or r.stopped]
    bits = []
    if failed:
        bits.append(f"{failed} item{'s' if failed != 1 else ''} could not be synced")
    if waiting:
        bits.append(f"{waiting} item{'s were' if waiting != 1 else ' was'} held back")
    if stopped:
        bits.append("stopped: " + ", ".join(stopped))
    if not bits:
        return None
    return "The sync finished, but " + "; ".join(bits) + ". The Issues tab says why and what to do."


class MainWindow(QMainWindow):
    settings_requested = pyqtSignal()

    def __init__(self, ctx: Any, controller: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.controller = controller
        self.preview_dialog: Any = None
        self._running_kinds: list[str] = []
        self._progress: dict[str, str] = {}
        self._status: dict[str, Any] = {}
        self._tasks: set[asyncio.Task] = set()
        self.autosync: Any = None
        self.setWindowTitle("Tandem")
        self.resize(1100, 760)
        self._build()
        self._wire()
        self.refresh()

    # -- building -------------------------------------------------------------------------

    def _build(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(10)

        self.banner = Banner()
        layout.addWidget(self.banner)

        actions = QHBoxLayout()
        self.sync_button = QToolButton()
        self.sync_button.setText("Sync now")
        self.sync_button.setToolTip("Preview what a sync of every kind would change, then apply it")
        self.sync_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.sync_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.sync_button.setMinimumHeight(32)
        sync_menu = QMenu(self.sync_button)
        self.sync_all_action = add_action(sync_menu, "Everything")
        self.sync_all_action.triggered.connect(lambda: self.sync_now(None))
        sync_menu.addSeparator()
        self.sync_kind_actions: dict[str, QAction] = {}
        for kind in KINDS:
            action = add_action(sync_menu, f"{KIND_LABELS[kind]} only")
            action.triggered.connect(lambda _checked=False, k=kind: self.sync_now([k]))
            self.sync_kind_actions[kind] = action
        self.sync_button.setMenu(sync_menu)
        self.sync_button.clicked.connect(lambda: self.sync_now(None))
        self.undo_button = QPushButton("Undo last run")
        self.undo_button.setToolTip("Preview how to reverse what the last run changed, then apply it")
        self.undo_button.clicked.connect(self.undo_last_run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the sync that is running")
        self.cancel_button.clicked.connect(self.controller.cancel)
        self.cancel_button.hide()
        self.busy_label = QLabel()
        self.busy_label.hide()
        self.settings_button = QPushButton("Settings")
        self.settings_button.clicked.connect(self.settings_requested.emit)
        actions.addWidget(self.sync_button)
        actions.addWidget(self.undo_button)
        actions.addWidget(self.cancel_button)
        actions.addWidget(self.busy_label)
        actions.addStretch(1)
        actions.addWidget(self.settings_button)
        layout.addLayout(actions)

        cards = QHBoxLayout()
        cards.setSpacing(10)
        self.cards: dict[str, KindCard] = {}
        for kind in KINDS:
            card = KindCard(kind)
            card.sync_requested.connect(lambda k: self.sync_now([k]))
            card.rebuild_requested.connect(self.ask_rebuild)
            self.cards[kind] = card
            cards.addWidget(card, 1)
        layout.addLayout(cards)

        self.schedule_label = QLabel()
        self.schedule_label.setWordWrap(True)
        self.budget_label = QLabel()
        self.budget_label.setWordWrap(True)
        info = QHBoxLayout()
        info.addWidget(self.schedule_label, 1)
        info.addWidget(self.budget_label, 1)
        layout.addLayout(info)

        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)

        self.history = HistoryPanel(self.ctx.store)
        self.history.problem.connect(lambda title, message: self.show_banner(f"{title}. {message}", "error"))
        self.tabs.addTab(self.history, "History")
        self.issues = IssuesPanel()
        self.issues.url_requested.connect(self.open_url)
        self.tabs.addTab(self.issues, "Issues")

        # Private contacts.
        self.private_panel = PrivateContactsPanel(self.ctx)
        self.private_panel.related.connect(self._contact_related)
        self.tabs.addTab(self.private_panel, "Private contacts")
        self.tabs.currentChanged.connect(self._tab_changed)

        self.setCentralWidget(central)

        refresh = QAction("Refresh", self)
        refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(self.refresh)
        self.addAction(refresh)

    def _wire(self) -> None:
        c = self.controller
        c.busy_changed.connect(self._busy_changed)
        c.run_started.connect(self._run_started)
        c.progress.connect(self._on_progress)
        c.preview_ready.connect(self._preview_ready)
        c.run_finished.connect(self._run_finished)
        c.run_failed.connect(self._run_failed)
        c.run_cancelled.connect(self._run_cancelled)
        c.history_changed.connect(self.refresh)
        self._busy_changed(bool(c.busy))

    def set_autosync(self, autosync: Any) -> None:
        """Follow the app's ``ui.autosync.AutoSync``: its status line (next run, skips, paused)
        replaces the one computed from the settings, and a paused auto sync shows every kind
        it covers as "Paused"."""
        self.autosync = autosync
        changed = getattr(autosync, "changed", None)
        if changed is not None:
            changed.connect(self.refresh)
        self.refresh()

    def _autosync_paused(self) -> bool:
        try:
            return bool(self.autosync is not None and self.autosync.paused)
        except Exception:
            return False

    # -- reading the state ----------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read status, history and issues from the store (local and quick)."""
        try:
            self._status = self.ctx.service.status()
            runs = self.ctx.service.history(limit=HISTORY_LIMIT)
            issues = self.ctx.store.open_issues()
        except Exception as exc:  # a broken database must not take the window down
            log.warning("dashboard refresh failed: %s", type(exc).__name__)
            title, message = error_text(exc)
            self.show_banner(f"{title}. {message}", "error")
            return
        self._refresh_cards()
        self._refresh_info()
        self._refresh_history(runs)
        self._refresh_issues(issues, runs)
        self._update_buttons()

    def kind_state(self, kind: str) -> tuple[str, str]:
        """(state, detail) of one kind: ok / syncing / attention / paused."""
        info = (self._status.get("kinds") or {}).get(kind) or {}
        if kind in self._running_kinds and self.controller.busy:
            return "syncing", self._progress.get(kind, "")
        if not info.get("enabled", True):
            return "paused", "not included in syncs (see Settings)"
        if self._autosync_paused() and kind in self._background_kinds():
            return "paused", "auto sync is paused"
        last = info.get("last_run")
        issues = int(info.get("open_issues") or 0)
        if last is None and not info.get("linked"):
            return "attention", "not synced yet"
        if issues:
            return "attention", f"{issues} open issue{'s' if issues != 1 else ''}"
        if last and last.get("status") in ("failed", "interrupted"):
            return "attention", "the last run did not finish"
        return "ok", ""

    def _background_kinds(self) -> list[str]:
        try:
            return list(self.ctx.settings.background_kinds())
        except Exception:
            return list(KINDS)

    def _refresh_cards(self) -> None:
        kinds = self._status.get("kinds") or {}
        for kind, card in self.cards.items():
            info = kinds.get(kind) or {}
            state, detail = self.kind_state(kind)
            card.set_state(state, detail if state != "syncing" else "")
            linked, issues = int(info.get("linked") or 0), int(info.get("open_issues") or 0)
            card.counts_label.setText(f"{linked} linked · {issues} open issue{'s' if issues != 1 else ''}")
            last = info.get("last_run")
            if last:
                result = {"failed": " (did not finish)", "interrupted": " (interrupted)"}.get(
                    last.get("status"), ""
                )
                card.last_label.setText(f"Last run: {when_text(last.get('finished_at'))}{result}")
            else:
                card.last_label.setText("Last run: never")
            card.set_progress(self._progress.get(kind) if state == "syncing" else None)
            card.rebuild_action.setEnabled(not self.controller.busy)
            card.sync_action.setEnabled(not self.controller.busy)

    def _refresh_info(self) -> None:
        st = self._status
        status_text = None
        if self.autosync is not None:
            try:
                status_text = self.autosync.status_text()
            except Exception:
                status_text = None
        if status_text:
            self.schedule_label.setText(status_text.rstrip(".") + ".")
        elif not st.get("auto_sync"):
            self.schedule_label.setText("Automatic sync is off. Turn it on in Settings.")
        elif st.get("next_run"):
            self.schedule_label.setText(f"Next automatic sync: {when_text(st['next_run'])}")
        else:
            self.schedule_label.setText("Automatic sync is on; no run is due inside its time window.")
        budget = ((st.get("api_budget") or {}).get("salesforce")) or None
        last_calls = ((st.get("last_run") or {}).get("api_calls") or {}).get("salesforce")
        parts = []
        if last_calls is not None:
            parts.append(f"the last run used {last_calls} request{'s' if last_calls != 1 else ''}")
        if budget and budget.get("max"):
            left = int(budget["max"]) - int(budget.get("used") or 0)
            pct = budget.get("left_pct")
            parts.append(
                f"{left:,} of {int(budget['max']):,} left today"
                + (f" ({pct:g} %)" if pct is not None else "")
            )
        self.budget_label.setText(
            "Salesforce API: " + ("; ".join(parts) if parts else "no run has used it yet") + "."
        )
        low = bool(budget and budget.get("left_pct") is not None and float(budget["left_pct"]) < 10)
        self.budget_label.setStyleSheet("color: #b3261e;" if low else "")

    def _refresh_history(self, runs: list[dict[str, Any]]) -> None:
        self.history.set_runs(runs)
        self.undo_button.setEnabled(self._undoable())

    def _refresh_issues(self, issues: list[dict[str, Any]], runs: list[dict[str, Any]]) -> None:
        facts = self._salesforce_facts()
        run_times = {r["id"]: r["started_at"] for r in runs}
        self.issues.set_issues(issues, facts.get("instance_url"), run_times)
        n = len(issues)
        self.tabs.setTabText(1, f"Issues ({n})" if n else "Issues")

    def _salesforce_facts(self) -> dict[str, Any]:
        try:
            return self.ctx.accounts.accounts.get("salesforce") or {}
        except Exception:
            return {}

    def _undoable(self) -> bool:
        if self.controller.busy:
            return False
        try:
            last = self.ctx.store.last_applied_run()
        except Exception:
            return False
        if last is None:
            self.undo_button.setToolTip("Nothing to undo yet: no run has changed anything.")
            return False
        self.undo_button.setToolTip(
            f"Preview how to reverse run {last['id']} ({when_text(last.get('started_at'))}), then apply it"
        )
        return True

    def _update_buttons(self) -> None:
        busy = bool(self.controller.busy)
        self.sync_button.setEnabled(not busy)
        self.undo_button.setEnabled(self._undoable())
        self.cancel_button.setVisible(busy)
        self.busy_label.setVisible(busy)
        for card in self.cards.values():
            card.rebuild_action.setEnabled(not busy)
            card.sync_action.setEnabled(not busy)

    # -- sync, preview, undo -------------------------------------------------------------

    def sync_now(self, kinds: list[str] | None = None) -> bool:
        """Preview a manual sync (all enabled kinds, or ``kinds``)."""
        if not self.controller.start_preview(kinds):
            self.show_banner("A sync is already running. Wait for it to finish, then try again.", "info")
            return False
        return True

    def undo_last_run(self) -> bool:
        """Preview the reversal of the last applied run."""
        if not self.controller.start_preview(undo=True):
            self.show_banner("A sync is already running. Wait for it to finish, then try again.", "info")
            return False
        return True

    def _busy_changed(self, busy: bool) -> None:
        if not busy:
            self._running_kinds = []
            self._progress.clear()
            self.busy_label.setText("")
        self._update_buttons()
        self._refresh_cards()

    def _run_started(self, trigger: str, kinds: list) -> None:
        self._running_kinds = list(kinds)
        self._progress = {k: "Starting…" for k in kinds}
        words = {
            "undo": "Preparing the undo",
            "auto": "Automatic sync running",
            "manual": "Preparing the preview",
        }
        self.busy_label.setText(words.get(trigger, "Syncing") + "…")
        self._update_buttons()
        self._refresh_cards()

    def _on_progress(self, kind: str, text: str) -> None:
        if kind not in self._running_kinds:
            self._running_kinds.append(kind)
        self._progress[kind] = progress_words(text)
        if text.startswith("applying"):
            self.busy_label.setText("Applying…")
        self._refresh_cards()

    def _preview_ready(self, plan: Any) -> None:
        from ui.preview.widget import PreviewDialog  # on the first preview: a shorter start-up

        for kind in self._running_kinds:
            self._progress[kind] = "Waiting for you to review the preview"
        self.busy_label.setText("Review the preview to continue…")
        self._refresh_cards()
        dialog = PreviewDialog(plan, parent=self)
        dialog.apply_requested.connect(self._apply_requested)
        dialog.cancelled.connect(self._preview_cancelled)
        self.preview_dialog = dialog
        dialog.show()

    def _apply_requested(self, decisions: Any, attempt: int = 0) -> None:
        self.preview_dialog = None
        if self.controller.apply_preview(decisions):
            return
        if self.controller.pending_plan is not None and attempt < 40:
            # The preview task is still winding down (preview_ready is emitted from inside
            # it); the controller takes the apply once it has finished.
            QTimer.singleShot(25, lambda: self._apply_requested(decisions, attempt + 1))
            return
        self.show_banner(
            "The preview is no longer open, so nothing was applied. Press “Sync now” to preview again.",
            "warning",
        )

    def _preview_cancelled(self) -> None:
        self.preview_dialog = None
        self.controller.discard_preview()

    def _run_finished(self, report: Any) -> None:
        self.refresh()
        if getattr(report, "run_id", None) is not None:
            self.select_run(report.run_id)
        text = attention_text(report)
        if text:
            self.show_banner(text, "warning", "Show issues", lambda: self.tabs.setCurrentIndex(1))

    def _run_failed(self, exc: BaseException) -> None:
        """Say why, with the one remedy (ui.errors). The app shell routes errors the same way
        and may replace this banner with one that can also reconnect a service."""
        self.preview_dialog = None
        remedy = remedy_for(
            exc, ErrorActions(retry=lambda: self.sync_now(None), open_settings=self.settings_requested.emit)
        )
        self.show_banner(remedy.text, remedy_level(exc), remedy.action_text, remedy.callback)
        self.refresh()

    def _run_cancelled(self) -> None:
        self.preview_dialog = None
        self.show_banner(
            "The sync was cancelled. What was already applied is kept and recorded; "
            "the next sync does the rest.",
            "info",
        )
        self.refresh()

    # -- rebuild ----------------------------------------------------------------------------

    def ask_rebuild(self, kind: str) -> QMessageBox:
        label = KIND_LABELS[kind].lower()
        box = QMessageBox(
            QMessageBox.Icon.Question,
            f"Rebuild {label} links?",
            f"Tandem forgets which {label} records are paired. Nothing changes in "
            "Outlook or Salesforce. The next sync pairs the records again by their "
            "details and creates no duplicates.",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        rebuild = box.addButton("Rebuild", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(lambda button: self.rebuild(kind) if button is rebuild else None)
        box.open()
        return box

    def rebuild(self, kind: str) -> None:
        if self.controller.busy:
            self.show_banner("A sync is running. Rebuild when it has finished.", "info")
            return
        task = asyncio.ensure_future(self._rebuild(kind))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _rebuild(self, kind: str) -> None:
        try:
            n = await self.ctx.service.rebuild(kind)
        except Exception as exc:
            title, message = error_text(exc)
            self.show_banner(f"{title}. {message}", "error")
            return
        self.refresh()
        self.show_banner(
            f"{KIND_LABELS[kind]}: {n} link{'s' if n != 1 else ''} forgotten. The next "
            "sync pairs the records again.",
            "info",
            "Sync now",
            lambda: self.sync_now([kind]),
        )

    # -- history and issues ---------------------------------------------------------------

    def select_run(self, run_id: int) -> bool:
        return self.history.select_run(run_id)

    def open_run(self, run_id: int) -> bool:
        """Show the window on the History tab with ``run_id`` selected and its changes shown."""
        self._raise()
        self.tabs.setCurrentIndex(0)
        if self.history.model.row_of(run_id) is None:
            self.refresh()
        if self.history.model.row_of(run_id) is None:
            try:
                runs = self.ctx.service.history(limit=100000)
            except Exception:
                runs = []
            self._refresh_history(runs)
        if not self.select_run(run_id):
            self.show_banner(f"Run {run_id} is no longer in the history.", "info")
            return False
        return True

    def open_issue(self, issue_id: int) -> bool:
        """Show the window on the Issues tab with ``issue_id`` selected."""
        self._raise()
        self.refresh()
        self.tabs.setCurrentIndex(1)
        if not self.issues.select_issue(issue_id):
            self.show_banner("That issue is solved: the record synced since.", "info")
            return False
        return True

    def open_url(self, url: str) -> None:
        if not QDesktopServices.openUrl(QUrl(url)):
            self.show_banner(
                f"Tandem could not open a browser for {url}. Copy the address into your browser.", "warning"
            )

    # -- private contacts -----------------------------------------------------------------

    def _tab_changed(self, index: int) -> None:
        if (
            self.tabs.widget(index) is self.private_panel
            and not self.private_panel.loaded
            and not self.private_panel.loading
        ):
            self.private_panel.load()

    def _contact_related(self, _contact_id: str, account_name: str) -> None:
        self.show_banner(f"The contact now belongs to {account_name}.", "info")

    # -- banner ---------------------------------------------------------------------------

    def show_banner(
        self,
        text: str,
        level: str = "info",
        action_text: str | None = None,
        callback: Callable[[], Any] | None = None,
    ) -> None:
        """Show one message across the top ("info" | "warning" | "error"); with
        ``action_text`` and ``callback`` a button runs ``callback`` and closes the banner.
        A newer banner replaces the one shown."""
        self.banner.show_message(text, level, action_text, callback)

    def hide_banner(self) -> None:
        self.banner.hide()

    def _raise(self) -> None:
        if self.isMinimized():
            self.showNormal()
        self.raise_()
        self.activateWindow()

    def closeEvent(self, event: QCloseEvent | None) -> None:  # noqa: N802 - Qt's name
        for task in list(self._tasks) + list(self.private_panel._tasks):
            task.cancel()
        super().closeEvent(event)


__all__ = ["MainWindow"]
