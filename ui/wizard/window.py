"""The first-run wizard (BEHAVIOUR.md "First run").

    wizard = FirstRunWizard(launcher, parent=None, demo=False)
    wizard.setup_finished.connect(open_main_window)     # emitted with the AppContext used
    wizard.show()

Pages: welcome (demo data or my accounts) -> your organisation's app registrations (only when
a client id is missing: settings, policy file, TANDEM_* and the demo all have none) -> connect Outlook (device code) -> connect
Salesforce (browser with PKCE, or a code) -> what to sync -> direction -> preview of the first
manual sync -> apply with progress -> auto sync (locked until that sync was applied) -> done.

``launcher`` comes from the app shell: ``open_demo() -> AppContext`` (starts the embedded
sandbox once), ``open_real() -> AppContext`` and ``controller_for(ctx) -> SyncController``.
Everything the person enters is written to the settings of that context's profile when they
press Next on the page; going Back never loses it. The wizard never runs a nested event loop:
sign-ins and syncs are asyncio tasks on the qasync loop, and Next stays disabled while one of
them is waited for.

``open_browser`` (an attribute, async or plain callable taking a URL) opens the system browser
for the sign-ins; tests replace it with a scripted browser.

Reconnect (a sign-in expired or was revoked)::

    wizard = FirstRunWizard(launcher, demo=False, start_at="salesforce", only_sign_in=True)

opens that profile straight at the service's sign-in page, starts the sign-in again (the old
account no longer counts), and that page is the last one: "Done" emits :attr:`setup_finished`;
nothing else of the setup is shown or changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import sys
from typing import Any

from PyQt6.QtCore import QObject, QUrl, pyqtSignal
from PyQt6.QtGui import QDesktopServices
from PyQt6.QtWidgets import QButtonGroup, QRadioButton, QVBoxLayout, QWizard, QWizardPage

from app.settings import DAY_NAMES, SPECS
from ui.wizard.accounts import OutlookPage, SalesforcePage
from ui.wizard.auto import AutoPage
from ui.wizard.choices import DirectionPage, WhatPage
from ui.wizard.common import KIND_NAMES, Page, plain_error, set_status, status_label, who, wrapped
from ui.wizard.registrations import RegistrationsPage
from ui.wizard.run import ApplyPage, PreviewPage

log = logging.getLogger(__name__)


async def open_in_system_browser(url: str) -> None:
    """The default browser opener (runs on the GUI thread: QDesktopServices is not thread-safe)."""
    if not QDesktopServices.openUrl(QUrl(url)):
        raise OSError("no browser could be opened")


class _Relay(QObject):
    """The current controller's signals, re-emitted: pages connect once, the profile may change."""

    busy_changed = pyqtSignal(bool)
    progress = pyqtSignal(str, str)
    preview_ready = pyqtSignal(object)
    run_finished = pyqtSignal(object)
    run_failed = pyqtSignal(object)

    NAMES = ("busy_changed", "progress", "preview_ready", "run_finished", "run_failed")

    def __init__(self) -> None:
        super().__init__()
        self._source: Any = None

    def follow(self, controller: Any) -> None:
        if self._source is not None:
            for name in self.NAMES:
                with contextlib.suppress(TypeError, RuntimeError):
                    getattr(self._source, name).disconnect(getattr(self, name))
        self._source = controller
        if controller is not None:
            for name in self.NAMES:
                getattr(controller, name).connect(getattr(self, name))


class WelcomePage(QWizardPage):
    def __init__(self, wizard: FirstRunWizard, demo: bool) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("Welcome to Tandem")
        self.setSubTitle(
            "Tandem keeps your Outlook contacts, calendar and tasks in step with "
            "Salesforce. This takes about five minutes, and nothing changes until "
            "you have seen a preview and said yes."
        )
        self.demo = QRadioButton("Try it with demo data")
        self.demo.setObjectName("chooseDemo")
        self.real = QRadioButton("Connect my accounts")
        self.real.setObjectName("chooseReal")
        demo_text = wrapped(
            "A made-up Outlook mailbox and Salesforce org on this computer. "
            "Nothing leaves your machine; a good way to see what Tandem does."
        )
        real_text = wrapped("Sign in to your Microsoft 365 (Outlook) and Salesforce accounts.")
        for button in (self.demo, self.real):
            font = button.font()
            font.setPointSizeF(font.pointSizeF() * 1.15)
            font.setBold(True)
            button.setFont(font)
        for text in (demo_text, real_text):
            text.setContentsMargins(26, 0, 0, 14)
        self.group = QButtonGroup(self)
        self.group.addButton(self.demo)
        self.group.addButton(self.real)
        (self.demo if demo else self.real).setChecked(True)
        self.group.buttonToggled.connect(lambda *_: self.completeChanged.emit())
        self.status = status_label()
        layout = QVBoxLayout(self)
        layout.addSpacing(8)
        layout.addWidget(self.demo)
        layout.addWidget(demo_text)
        layout.addWidget(self.real)
        layout.addWidget(real_text)
        layout.addWidget(self.status)
        layout.addStretch(1)

    def choice(self) -> str:
        return "demo" if self.demo.isChecked() else "real"

    def nextId(self) -> int:  # noqa: N802 (Qt) - the registrations only when an id is missing
        return int(Page.REGISTRATIONS if self.w.missing_registrations() else Page.OUTLOOK)

    def isComplete(self) -> bool:  # noqa: N802 (Qt)
        return (self.demo.isChecked() or self.real.isChecked()) and self._opening is None

    _opening: asyncio.Task | None = None

    def validatePage(self) -> bool:  # noqa: N802 (Qt)
        set_status(self.status, "")
        choice = self.choice()
        opener = getattr(self.w.launcher, "open_demo_async", None)
        if choice == "demo" and opener is not None and "demo" not in self.w.contexts:
            # Starting the embedded sandbox takes a moment: never block the window for it.
            if self._opening is None:
                set_status(self.status, "Starting the demo…")
                self._opening = self.w.spawn(self._open_async(opener))
                self.completeChanged.emit()
            return False
        try:
            self.w.use_profile(choice)
        except Exception as exc:  # the demo sandbox did not start, the profile cannot open, ...
            log.info("opening the profile failed: %s", type(exc).__name__)
            set_status(self.status, plain_error(exc), "error")
            return False
        return True

    async def _open_async(self, opener: Any) -> None:
        try:
            ctx = await opener()
        except Exception as exc:
            log.info("opening the demo failed: %s", type(exc).__name__)
            self._opening = None
            set_status(self.status, plain_error(exc), "error")
            self.completeChanged.emit()
            return
        self._opening = None
        self.w.contexts["demo"] = ctx
        set_status(self.status, "")
        self.completeChanged.emit()
        if self.w.currentPage() is self:
            self.w.next()


class DonePage(QWizardPage):
    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("You are all set")
        self.setSubTitle(
            "Tandem lives in the tray (or the main window). Use Sync now whenever "
            "you want; every manual sync shows a preview first."
        )
        self.summary = wrapped(rich=True)
        self.summary.setObjectName("doneSummary")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802 (Qt)
        ctx = self.w.ctx
        s = ctx.settings
        accounts = ctx.signed_in()
        rows = []
        for service, name in (("outlook", "Outlook"), ("salesforce", "Salesforce")):
            facts = accounts.get(service)
            rows.append((name, f"connected as {who(facts)}" if facts else "not connected"))
        kinds = [KIND_NAMES[k].lower() for k in s.enabled_kinds()]
        rows.append(("Syncing", ", ".join(kinds) if kinds else "nothing yet"))
        apply = self.w.apply_page
        if apply.report is not None:
            rows.append(("First sync", "applied" + ("" if apply.report.ok else ", with items to look at")))
        elif self.w.preview_page.skipped:
            rows.append(("First sync", "skipped: use Sync now when you are ready"))
        else:
            rows.append(("First sync", "not applied"))
        if s.get("auto.enabled"):
            every = SPECS["auto.frequency_min"]
            label = dict(zip(every.choices or (), every.choice_labels or (), strict=False)).get(
                s.get("auto.frequency_min"), f"{s.get('auto.frequency_min')} minutes"
            )
            rows.append(
                (
                    "Auto sync",
                    f"every {label}, {s.get('auto.window_start')} to "
                    f"{s.get('auto.window_end')}, {_days(s.get('auto.days'))}",
                )
            )
        else:
            rows.append(
                (
                    "Auto sync",
                    "off" + ("" if s.auto_sync_unlocked() else " (available after your first applied sync)"),
                )
            )
        cells = "".join(
            f"<tr><td style='padding:3px 16px 3px 0'><b>{_html(k)}</b></td>"
            f"<td style='padding:3px 0'>{_html(v)}</td></tr>"
            for k, v in rows
        )
        note = (
            "<p>This is the demo profile: a pretend Outlook and Salesforce on this computer. "
            "Your real accounts were not touched.</p>"
            if ctx.sandbox
            else ""
        )
        self.summary.setText(f"<table>{cells}</table>{note}")


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _days(days: list[int]) -> str:
    if days == [0, 1, 2, 3, 4]:
        return "Monday to Friday"
    if days == list(range(7)):
        return "every day"
    return ", ".join(DAY_NAMES[d] for d in days)


class FirstRunWizard(QWizard):
    """The first-run wizard; emits :attr:`setup_finished` (the ``AppContext``) on Finish."""

    setup_finished = pyqtSignal(object)

    def __init__(
        self,
        launcher: Any,
        parent: Any = None,
        demo: bool = False,
        *,
        start_at: str | None = None,
        only_sign_in: bool = False,
    ) -> None:
        super().__init__(parent)
        if start_at not in (None, "outlook", "salesforce"):
            raise ValueError(f"start_at must be 'outlook' or 'salesforce', not {start_at!r}")
        if only_sign_in and start_at is None:
            raise ValueError("only_sign_in needs start_at: the service to sign in to")
        self.launcher = launcher
        self.start_at = start_at
        self.only_sign_in = only_sign_in
        self.ctx: Any = None
        self.controller: Any = None
        self.choice: str | None = None
        self.contexts: dict[str, Any] = {}
        self._tasks: set[asyncio.Task] = set()
        self.open_browser: Any = open_in_system_browser
        self.signals = _Relay()
        self.setWindowTitle("Set up Tandem")
        if sys.platform != "darwin":
            self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setMinimumSize(720, 560)

        self.welcome_page = WelcomePage(self, demo)
        self.registrations_page = RegistrationsPage(self)
        self.outlook_page = OutlookPage(self)
        self.salesforce_page = SalesforcePage(self)
        self.what_page = WhatPage(self)
        self.direction_page = DirectionPage(self)
        self.preview_page = PreviewPage(self)
        self.apply_page = ApplyPage(self)
        self.auto_page = AutoPage(self)
        self.done_page = DonePage(self)
        for page_id, page in (
            (Page.WELCOME, self.welcome_page),
            (Page.REGISTRATIONS, self.registrations_page),
            (Page.OUTLOOK, self.outlook_page),
            (Page.SALESFORCE, self.salesforce_page),
            (Page.WHAT, self.what_page),
            (Page.DIRECTION, self.direction_page),
            (Page.PREVIEW, self.preview_page),
            (Page.APPLY, self.apply_page),
            (Page.AUTO, self.auto_page),
            (Page.DONE, self.done_page),
        ):
            self.setPage(int(page_id), page)
        self.setStartId(int(Page.WELCOME))
        if start_at is not None:
            # Straight to the sign-in of that service, on the profile the person already uses
            # (open already: the launcher hands back the same context; an error goes up).
            self.use_profile("demo" if demo else "real")
            self.setStartId(int(Page.OUTLOOK if start_at == "outlook" else Page.SALESFORCE))
        if only_sign_in:
            page = self.outlook_page if start_at == "outlook" else self.salesforce_page
            name = page.service_name
            self.setWindowTitle(f"Reconnect {name}")
            page.setTitle(f"Reconnect {name}")
            page.setSubTitle(
                f"Sign in to {name} again. Your settings, links and history stay as "
                "they are; Tandem goes on where it stopped."
            )
            self.setButtonText(QWizard.WizardButton.FinishButton, "Done")
            self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, False)
            self.setMinimumSize(560, 380)

    def nextId(self) -> int:  # noqa: N802 (Qt) - a reconnect ends on its sign-in page
        if self.only_sign_in and self.currentId() in (int(Page.OUTLOOK), int(Page.SALESFORCE)):
            return -1
        return super().nextId()

    # -- the profile ---------------------------------------------------------------------

    def use_profile(self, choice: str) -> None:
        """Open (once) the demo or the real profile and its controller."""
        if choice == self.choice and self.ctx is not None:
            return
        if self.controller is not None and self.controller.busy:
            self.controller.cancel()
        ctx = self.contexts.get(choice)
        if ctx is None:
            ctx = self.launcher.open_demo() if choice == "demo" else self.launcher.open_real()
            self.contexts[choice] = ctx
        self.choice, self.ctx = choice, ctx
        self.controller = self.launcher.controller_for(ctx)
        self.signals.follow(self.controller)

    def missing_registrations(self) -> list[str]:
        """The services of the current profile with no client id (none before one is open)."""
        from app.auth.check import missing_registrations
        from app.cli.accounts import AccountSettings

        if self.ctx is None:
            return []
        return missing_registrations(self.ctx.accounts, AccountSettings.from_settings(self.ctx.settings))

    # -- async helpers -------------------------------------------------------------------

    def spawn(self, coro: Any) -> asyncio.Task:
        """Run ``coro`` on the loop; cancelled when the wizard closes."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def open_url(self, url: str) -> None:
        """The Open browser buttons: never blocks, a failure shows in the log only."""
        if not url:
            return
        opener = self.open_browser
        if inspect.iscoroutinefunction(opener):
            self.spawn(self._quietly(opener(url)))
        else:
            with contextlib.suppress(Exception):
                opener(url)

    @staticmethod
    async def _quietly(coro: Any) -> None:
        try:
            await coro
        except Exception as exc:  # the address is on the page to open by hand
            log.info("opening the browser failed: %s", type(exc).__name__)

    # -- closing -------------------------------------------------------------------------

    def _stop_everything(self) -> None:
        self.outlook_page.stop()
        self.salesforce_page.stop()
        for task in list(self._tasks):
            task.cancel()
        if self.controller is not None and self.controller.busy:
            self.controller.cancel()

    def accept(self) -> None:
        self._stop_everything()
        super().accept()
        self.setup_finished.emit(self.ctx)

    def reject(self) -> None:
        self._stop_everything()
        super().reject()


__all__ = ["FirstRunWizard", "Page", "open_in_system_browser"]
