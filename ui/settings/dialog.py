"""The settings window: a page list on the left, one page per area, Apply / OK / Cancel.

    dialog = SettingsDialog(ctx, controller)      # ctx: app.context.AppContext
    dialog.reconnect_requested.connect(main_window.reconnect)   # "outlook" | "salesforce"
    dialog.show_page("Accounts"); dialog.show()

Every control is bound to one declared setting (app/settings.py ``SPECS``: label, help,
choices, limits; ui/settings/form.py). Nothing is written until Apply or OK: then the values
that differ from what the window loaded go through ``Settings.set_many`` (all or nothing); a
refused value shows as a sentence at the bottom and the window opens the page that holds it.
Settings locked by the administrator's policy are disabled, say "Set by your administrator"
and are never written.

The pages, one module each: ui/settings/sync_jobs.py, auto_sync.py, notifications.py,
summary.py, accounts.py, support.py.

Confirmations (sign out, rebuild) and the diagnostics file picker are opened with
``open()``, never ``exec()``: the window runs on the qasync loop and must not nest loops.
Network work (folder and campaign lists, sign-out) and the rebuild run as asyncio tasks.

Choices made where BEHAVIOUR.md is silent:
* The daily window slider moves in 15-minute steps over 00:00-24:00 (ui/settings/auto_sync.py).
* Picking a direction preset leaves switches locked by the administrator as they are (the
  preset then shows as Custom; ui/direction.py).
* "Start Tandem when I sign in" sits on the Notification Options page (under Start-up).
* The sign-in settings (client ids, Salesforce login address) sit on the Accounts page; they
  take effect the next time Tandem starts.
"""

from __future__ import annotations

import logging
from typing import Any

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from sync.fields import KINDS
from ui.settings.accounts import AccountsPage
from ui.settings.auto_sync import AutoSyncPage
from ui.settings.form import Field, SettingsForm, page_scroll, quiet, words
from ui.settings.notifications import NotificationsPage
from ui.settings.summary import SummaryPage
from ui.settings.support import SupportPage
from ui.settings.sync_jobs import SyncJobsPage
from ui.widget_parts import standard_button

log = logging.getLogger(__name__)

PAGES = (
    "Sync Jobs",
    "Auto Background Sync",
    "Notification Options",
    "Summary Options",
    "Accounts",
    "Support",
)


class SettingsDialog(QDialog):
    """Settings of one profile. ``controller``: ui.controller.SyncController (optional)."""

    reconnect_requested = pyqtSignal(str)  # "outlook" | "salesforce": the main window signs in
    signed_out = pyqtSignal(str)  # a service was signed out from here
    applied = pyqtSignal(list)  # the keys just saved

    def __init__(self, ctx: Any, controller: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.settings = ctx.settings
        self.controller = controller
        self.form = SettingsForm(self.settings, parent=self, on_change=self._changed)
        self.fields: dict[str, Field] = self.form.fields
        self.setWindowTitle("Tandem settings")
        self.setObjectName("settingsDialog")
        self.resize(860, 640)

        self.pages = QListWidget()
        self.pages.setObjectName("pageList")
        self.pages.addItems(PAGES)
        self.pages.setFixedWidth(200)
        self.pages.setStyleSheet(
            "QListWidget#pageList { outline: 0; } QListWidget#pageList::item { padding: 6px 8px; }"
        )
        self.stack = QStackedWidget()
        form = self.form
        form.building_page = 0
        self.sync_jobs_page = SyncJobsPage(form, ctx)
        form.building_page = 1
        self.auto_page = AutoSyncPage(form, ctx.store)
        form.building_page = 2
        self.notify_page = NotificationsPage(form)
        form.building_page = 3
        self.summary_page = SummaryPage(form)
        form.building_page = 4
        self.accounts_page = AccountsPage(form, ctx)
        form.building_page = 5
        self.support_page = SupportPage(form, ctx, controller)
        pages: tuple[QWidget, ...] = (
            self.sync_jobs_page,
            self.auto_page,
            self.notify_page,
            self.summary_page,
            self.accounts_page,
            self.support_page,
        )
        for title, page in zip(PAGES, pages, strict=True):
            self.stack.addWidget(page_scroll(title, page))
        self.pages.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.accounts_page.reconnect_requested.connect(self.reconnect_requested)
        self.accounts_page.signed_out.connect(self.signed_out)

        self.error = QLabel()
        self.error.setObjectName("errorBanner")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(
            "QLabel#errorBanner { background: #fdecea; color: #611a15; "
            "border: 1px solid #f5c2c0; border-radius: 4px; padding: 8px; }"
        )
        self.error.setVisible(False)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.Apply
        )
        self.apply_button = standard_button(self.buttons, QDialogButtonBox.StandardButton.Apply)
        self.ok_button = standard_button(self.buttons, QDialogButtonBox.StandardButton.Ok)
        self.cancel_button = standard_button(self.buttons, QDialogButtonBox.StandardButton.Cancel)
        self.apply_button.clicked.connect(self.apply)
        self.ok_button.clicked.connect(self._ok)
        self.cancel_button.clicked.connect(self.reject)
        self.saved = QLabel()
        self.saved.setObjectName("savedNote")
        bottom = QHBoxLayout()
        bottom.addWidget(self.saved, 1)
        bottom.addWidget(self.buttons)

        body = QHBoxLayout()
        body.addWidget(self.pages)
        body.addWidget(self.stack, 1)
        outer = QVBoxLayout(self)
        outer.addLayout(body, 1)
        outer.addWidget(self.error)
        outer.addLayout(bottom)

        self.load()
        self.pages.setCurrentRow(0)
        if controller is not None:
            controller.history_changed.connect(self.auto_page.refresh_auto_lock)
            controller.busy_changed.connect(self.support_page.set_busy)
        self.finished.connect(self.form.cancel_tasks)
        self._discover()

    # -- public ----------------------------------------------------------------------------------

    def show_page(self, name: str) -> None:
        self.pages.setCurrentRow(PAGES.index(name))

    @property
    def current_page(self) -> str:
        return PAGES[self.pages.currentRow()]

    @property
    def question(self) -> QMessageBox | None:
        """The open confirmation (sign out, rebuild), if any."""
        return self.form.question

    def load(self) -> None:
        """Show the saved values (policy applied); what Apply compares against."""
        for f in self.fields.values():
            state = self.settings.state(f.key)
            f.locked = state.locked
            with quiet(f.widget, *f.extra):
                f.put(state.value)
            self.form.show_lock(f)
        for f in self.fields.values():
            f.initial = f.get()
        self.sync_jobs_page.loaded()
        self.auto_page.loaded()
        self.accounts_page.refresh()
        self._changed()

    def pending(self) -> dict[str, Any]:
        """What Apply would save: the values the person changed (locked keys never)."""
        return {k: f.get() for k, f in self.fields.items() if not f.locked and f.get() != f.initial}

    def apply(self) -> bool:
        """Save the changed values (all or nothing); False with a message when refused."""
        values = self.pending()
        problem = self._problem(values)
        if problem:
            self._refuse(*problem)
            return False
        if "general.start_at_login" in values:
            try:  # the OS entry first: a setting that says "on" must mean it is on
                from app.autostart import Autostart  # only when the choice changes

                autostart = Autostart.for_profile(self.ctx.paths)
                autostart.enable() if values["general.start_at_login"] else autostart.disable()
            except Exception as exc:  # AutostartError says what could not be written
                self._refuse("general.start_at_login", words(exc))
                return False
        if values:
            try:
                self.settings.set_many(values)
            except Exception as exc:  # SettingsError and friends carry words for people
                self._refuse(getattr(exc, "ids", {}).get("key"), words(exc))
                return False
        self.error.setVisible(False)
        self.load()
        if values:
            self.saved.setText("Saved.")
            self.applied.emit(sorted(values))
        return True

    # -- behaviour ---------------------------------------------------------------------------------

    def _changed(self) -> None:
        if not hasattr(self, "apply_button"):
            return  # still building the pages
        dirty = bool(self.pending())
        self.apply_button.setEnabled(dirty)
        if dirty:
            self.saved.setText("")

    def _problem(self, values: dict[str, Any]) -> tuple[str, str] | None:
        """Combinations a single setting cannot check, in plain words."""

        def get(key: str) -> Any:
            return values.get(key, self.fields[key].get())

        if (
            get("contacts.enabled")
            and get("contacts.range") == "campaign"
            and not get("contacts.campaign_id")
        ):
            return (
                "contacts.campaign_id",
                "Choose the campaign whose members Tandem should sync, "
                "or pick another range of Salesforce contacts.",
            )
        if self.auto_page.window_empty():
            return (
                "auto.window_start",
                "The daily window is empty. Drag the two handles apart, "
                "or to both ends of the bar for all day.",
            )
        if get("auto.enabled") and not get("auto.days"):
            return ("auto.days", "Pick at least one day of the week for auto sync, or switch auto sync off.")
        return None

    def _refuse(self, key: str | None, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(True)
        self.saved.setText("")
        if key is not None and key in self.form.page_of:
            page = self.form.page_of[key]
            self.pages.setCurrentRow(page)
            kind = key.split(".")[0]
            if kind in KINDS and page == 0:
                self.sync_jobs_page.show_kind(kind)
            self.fields[key].widget.setFocus()

    def _ok(self) -> None:
        if self.apply():
            self.accept()

    def _discover(self) -> None:
        from app import discovery  # looked up when the dialog opens: tests swap the module

        self.form.spawn(self.sync_jobs_page.fill_folders(discovery))
        self.form.spawn(self.sync_jobs_page.fill_campaigns(discovery))
