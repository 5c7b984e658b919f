"""The wizard's sign-in pages: Outlook (device code, or the browser) and Salesforce (browser with PKCE, or a
code). The sign-ins are the app's own (``ctx.accounts.outlook()`` / ``.salesforce()``, the same
objects ``tandem login`` uses); MSAL and the keyring block, so they run in a thread."""

from __future__ import annotations

import asyncio
import html
import logging
import threading
from typing import Any

from PyQt6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWizardPage,
)

from ui.wizard.common import (
    CodeBox,
    LoginHostChoice,
    plain_error,
    save_settings,
    set_status,
    status_label,
    who,
    wrapped,
)

log = logging.getLogger(__name__)


class AppRegistrationForm(QGroupBox):
    """Shown when no (or a wrong) app registration is configured: the person (or their
    administrator) enters the ids here and signs in, without leaving the wizard. The values go
    to the profile's settings (``accounts.*``), where an administrator's policy may lock them."""

    def __init__(self, page: SignInPage, fields: list[tuple[str, str, str]]) -> None:
        super().__init__(f"Your organisation's {page.service_name} app registration")
        self.page = page
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout(self)
        form.addRow(
            wrapped(
                "Tandem signs in through an app your organisation registers with "
                f"{page.service_name}. Your administrator can give you these values "
                "(or set them for everyone in a policy file)."
            )
        )
        for key, label, hint in fields:
            edit = QLineEdit()
            edit.setObjectName(key)
            edit.setPlaceholderText(hint)
            self.edits[key] = edit
            form.addRow(label, edit)
        self.save = QPushButton("Save and sign in")
        self.save.clicked.connect(self.apply)
        row = QHBoxLayout()
        row.addWidget(self.save)
        row.addStretch(1)
        form.addRow("", row)
        self.hide()

    def open_for(self, ctx: Any) -> None:
        for key, edit in self.edits.items():
            try:
                edit.setText(str(ctx.settings.get(key) or ""))
                edit.setEnabled(not ctx.settings.is_locked(key))
            except Exception:  # an unknown key: leave the field empty
                edit.setText("")
        self.show()

    def apply(self) -> None:
        from app.cli.accounts import AccountSettings

        ctx = self.page.w.ctx
        values = {k: e.text().strip() or None for k, e in self.edits.items() if e.isEnabled()}
        first = next(iter(self.edits))
        if not values.get(first) and first in values:
            set_status(self.page.status, f"Enter the {self.edits[first].placeholderText()} first.", "error")
            return
        try:
            ctx.settings.set_many(values)
        except Exception as exc:  # refused values carry words for people
            set_status(self.page.status, plain_error(exc), "error")
            return
        ctx.accounts.settings = AccountSettings.from_settings(ctx.settings)
        self.hide()
        self.page.start()


class SignInPage(QWizardPage):
    """Shared state: who is connected on the wizard's current profile, and the running task."""

    service = ""
    service_name = ""
    app_fields: list[tuple[str, str, str]] = []  # (setting, label, placeholder)

    def __init__(self, wizard: Any) -> None:
        super().__init__()
        self.w = wizard
        self._ctx: Any = None
        self._task: asyncio.Task | None = None
        self.account: dict[str, Any] | None = None
        self.status = status_label()
        self.connected = wrapped()
        self.connected.setObjectName("connectedAs")
        self.connected.hide()
        self.other = QPushButton("Use another account")
        self.other.clicked.connect(self.sign_in_again)
        self.other.hide()
        self.app_form = AppRegistrationForm(self, self.app_fields)
        self.link = wrapped(rich=True)  # the browser sign-in's address, while it waits
        self.link.setOpenExternalLinks(False)
        self.link.linkActivated.connect(self.w.open_url)
        self.link.hide()

    # -- state ---------------------------------------------------------------------------

    @property
    def waiting(self) -> bool:
        return self._task is not None

    def isComplete(self) -> bool:  # noqa: N802 (Qt)
        return self.account is not None and not self.waiting

    def cleanupPage(self) -> None:  # noqa: N802 (Qt) - Back keeps the sign-in going
        pass

    def initializePage(self) -> None:  # noqa: N802 (Qt)
        ctx = self.w.ctx
        if ctx is not self._ctx:
            self.stop()
            self._ctx = ctx
            self.account = (ctx.signed_in() or {}).get(self.service) if ctx else None
            if getattr(self.w, "only_sign_in", False):
                # A reconnect: the stored sign-in expired or was revoked, so it does not count.
                self.account = None
            self.reset_view()
        self.refresh()

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def reset_view(self) -> None:
        set_status(self.status, "")

    def refresh(self) -> None:
        if self.account:
            self.connected.setText(f"Connected to {self.service_name} as {who(self.account)}.")
            set_status(self.status, "")
        self.connected.setVisible(bool(self.account) and not self.waiting)
        self.other.setVisible(bool(self.account) and not self.waiting)
        self.completeChanged.emit()

    def sign_in_again(self) -> None:
        self.account = None
        self.start()

    def start(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _run(self, coro: Any) -> None:
        self.stop()
        self._task = self.w.spawn(self._guard(coro))
        self.refresh()

    async def _guard(self, coro: Any) -> None:
        me = asyncio.current_task()
        try:
            facts = await coro
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # shown to the person with the way out: try again
            log.info("%s sign-in failed: %s", self.service, type(exc).__name__, exc_info=True)
            if self._task is me:
                self._task = None
                self.failed(exc)
            return
        if self._task is me:
            self._task = None
            self.account = facts
            self.succeeded()

    async def _in_browser(self, auth: Any, secret: str, site: str) -> dict[str, Any]:
        """The browser sign-in of ``auth`` (the keyring tried first, so a locked or missing one
        fails before the person acts); the sign-in page's address is shown meanwhile."""
        await asyncio.to_thread(self.w.ctx.accounts.secrets.get, secret)

        def show(url: str) -> None:
            self.link.setText(
                f"Finish signing in to {site} in your browser; Tandem continues by itself. "
                f'If the browser did not open, <a href="{html.escape(url)}">open the {site} '
                "sign-in page</a>."
            )
            self.link.show()
            set_status(self.status, "")

        account = await auth.login_browser(self.w.open_browser, on_url=show)
        return account.to_json()

    def failed(self, exc: BaseException) -> None:
        set_status(self.status, plain_error(exc), "error")
        if getattr(exc, "action", None) == "settings" and self.app_fields:
            self.app_form.open_for(self.w.ctx)  # no or a wrong app registration: ask for it here
            retry = getattr(self, "retry", None)
            if retry is not None:
                retry.hide()  # trying again unchanged would fail the same way
        self.refresh()

    def succeeded(self) -> None:
        self.app_form.hide()
        self.refresh()


class OutlookPage(SignInPage):
    service = "outlook"
    service_name = "Outlook"
    app_fields = [
        ("accounts.microsoft_client_id", "Application (client) id", "application (client) id"),
        (
            "accounts.microsoft_authority",
            "Authority (optional)",
            "https://login.microsoftonline.com/<your tenant>",
        ),
    ]

    def __init__(self, wizard: Any) -> None:
        super().__init__(wizard)
        self.setTitle("Connect Outlook")
        self.setSubTitle(
            "Tandem reads and writes your contacts, calendar and To Do tasks in "
            "Microsoft 365. You sign in on Microsoft's own page; Tandem never sees "
            "your password."
        )
        self._cancel_event = threading.Event()
        self._mode = "code"  # the sign-in running or last run: "code" or "browser"
        self._code_blocked = False  # the organisation refused the sign-in with a code
        self.code = CodeBox(self.w.open_url)
        self.browser = QPushButton("Sign in with your browser")
        self.browser.setObjectName("browserSignIn")
        self.browser.setToolTip(
            "Sign in on Microsoft's page in your browser instead of entering a code; "
            "for organisations that do not allow signing in with a code."
        )
        self.browser.clicked.connect(self.start_browser)
        self.use_code = QPushButton("Use a code instead")
        self.use_code.setObjectName("codeSignIn")
        self.use_code.clicked.connect(self.start)
        self.use_code.hide()
        self.retry = QPushButton("Try again")
        self.retry.clicked.connect(self.again)
        self.retry.hide()
        row = QHBoxLayout()
        row.addWidget(self.retry)
        row.addWidget(self.browser)
        row.addWidget(self.use_code)
        row.addWidget(self.other)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.code)
        layout.addWidget(self.link)
        layout.addWidget(self.connected)
        layout.addWidget(self.status)
        layout.addLayout(row)
        layout.addWidget(self.app_form)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802 (Qt)
        super().initializePage()
        idle = self.account is None and not self.waiting and not self.retry.isVisible()
        if idle and not self._code_blocked:
            self.start()

    def reset_view(self) -> None:
        super().reset_view()
        self.code.clear()
        self.link.hide()
        self.retry.hide()
        self._code_blocked = False

    def refresh(self) -> None:
        super().refresh()
        if self.account and not self.waiting:
            self.code.clear()
        browsing = self.waiting and self._mode == "browser"
        self.browser.setVisible(not self.account and not browsing)
        self.use_code.setVisible(browsing and not self._code_blocked)  # the way back to a code
        if not browsing:
            self.link.hide()

    def stop(self) -> None:
        self._cancel_event.set()  # the waiting thread gives up at its next poll
        super().stop()

    def again(self) -> None:
        """Try again: the same way of signing in as the one that failed."""
        if self._mode == "browser":
            self.start_browser()
        else:
            self.start()

    def start(self) -> None:
        self._mode = "code"
        self.retry.hide()
        self.code.clear()
        set_status(self.status, "Asking Microsoft for a sign-in code…")
        self._run(self._sign_in(self.w.ctx))

    def start_browser(self) -> None:
        self._mode = "browser"
        self.retry.hide()
        self.code.clear()
        set_status(self.status, "Opening your browser…")
        self._run(self._browser(self.w.ctx))

    async def _sign_in(self, ctx: Any) -> dict[str, Any]:
        from app.auth.outlook import CACHE_SECRET

        cancelled = self._cancel_event = threading.Event()
        auth = ctx.accounts.outlook()
        # A locked or missing keyring fails before the person acts (as `tandem login` does).
        await asyncio.to_thread(ctx.accounts.secrets.get, CACHE_SECRET)
        login = await asyncio.to_thread(auth.start_login)
        self.code.show_code(login.user_code, login.verification_uri, "Microsoft")
        set_status(self.status, "Waiting for you to finish signing in…")
        account = await asyncio.to_thread(auth.finish_login, login, cancelled.is_set)
        return account.to_json()

    async def _browser(self, ctx: Any) -> dict[str, Any]:
        from app.auth.outlook import CACHE_SECRET

        return await self._in_browser(ctx.accounts.outlook(), CACHE_SECRET, "Microsoft")

    def failed(self, exc: BaseException) -> None:
        from app.errors import DeviceCodeBlocked

        self.code.clear()
        self.link.hide()
        self._code_blocked = self._code_blocked or isinstance(exc, DeviceCodeBlocked)
        # A code the organisation refuses would be refused again: offer only the browser.
        self.retry.setVisible(not (self._mode == "code" and self._code_blocked))
        super().failed(exc)
        if self._code_blocked and self.browser.isVisible():
            self.browser.setFocus()

    def succeeded(self) -> None:
        self.code.clear()
        super().succeeded()


class SalesforcePage(SignInPage):
    service = "salesforce"
    service_name = "Salesforce"
    app_fields = [
        ("accounts.salesforce_client_id", "Consumer key", "consumer key of the connected app"),
        (
            "accounts.salesforce_login_host",
            "Login address (optional)",
            "https://login.salesforce.com or your My Domain",
        ),
    ]

    def __init__(self, wizard: Any) -> None:
        super().__init__(wizard)
        self.setTitle("Connect Salesforce")
        self.setSubTitle(
            "Sign in to Salesforce in your browser. When you are done there, "
            "come back here: Tandem continues by itself."
        )
        self.browser = QPushButton("Sign in with your browser")
        self.browser.setObjectName("browserSignIn")
        self.browser.clicked.connect(self.start)
        self.device = QPushButton("Use a code instead")
        self.device.setToolTip(
            "For a computer without a browser, or when the browser sign-in "
            "does not come back: sign in on any device with a code."
        )
        self.device.clicked.connect(self.start_device)
        self.cancel = QPushButton("Cancel sign-in")
        self.cancel.clicked.connect(self.cancel_sign_in)
        self.cancel.hide()
        self.code = CodeBox(self.w.open_url)
        self.demo_note = wrapped(
            "Demo: your browser does not know the demo's own certificate, so \"Use a code "
            'instead" is the quick way here; the demo approves the code by itself.'
        )
        self.demo_note.hide()
        self.login_host = LoginHostChoice()  # where to sign in: production, sandbox, My Domain
        self.login_box = QGroupBox("Log in at")
        QVBoxLayout(self.login_box).addWidget(self.login_host)
        row = QHBoxLayout()
        row.addWidget(self.browser)
        row.addWidget(self.device)
        row.addWidget(self.other)
        row.addWidget(self.cancel)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.connected)
        layout.addWidget(self.link)
        layout.addWidget(self.login_box)
        layout.addLayout(row)
        layout.addWidget(self.demo_note)
        layout.addWidget(self.app_form)
        layout.addWidget(self.code)
        layout.addWidget(self.status)
        layout.addStretch(1)

    def reset_view(self) -> None:
        super().reset_view()
        self.code.clear()
        self.link.hide()

    def initializePage(self) -> None:  # noqa: N802 (Qt)
        super().initializePage()
        ctx = self.w.ctx
        if ctx is not None and not self.waiting:
            key = "accounts.salesforce_login_host"
            self.login_host.set_value(ctx.settings.get(key))
            self.login_host.set_locked(ctx.settings.is_locked(key))

    def _save_login_host(self) -> bool:
        """The login address chosen here, saved before a sign-in starts (False: not usable)."""
        from app.cli.accounts import AccountSettings

        ctx = self.w.ctx
        if getattr(self.w, "choice", None) == "demo" or self.login_host.locked:
            return True
        problem = self.login_host.problem()
        if problem:
            set_status(self.status, problem, "error")
            return False
        key = "accounts.salesforce_login_host"
        if self.login_host.value() == ctx.settings.get(key):
            return True
        if not save_settings(ctx.settings, self.status, {key: self.login_host.value()}):
            return False
        ctx.accounts.settings = AccountSettings.from_settings(ctx.settings)
        return True

    def refresh(self) -> None:
        super().refresh()
        idle = not self.waiting
        show_choices = idle and not self.account
        self.browser.setVisible(show_choices)
        self.device.setVisible(show_choices)
        ctx = getattr(self.w, "ctx", None)
        # The demo's Salesforce has one address of its own: no choice to make there.
        self.login_box.setVisible(show_choices and getattr(self.w, "choice", None) != "demo")
        self.demo_note.setVisible(show_choices and bool(getattr(ctx, "sandbox", False)))
        self.cancel.setVisible(not idle)
        if idle:
            self.link.hide()
            self.code.clear()

    def sign_in_again(self) -> None:
        self.account = None
        set_status(self.status, "")
        self.refresh()

    def cancel_sign_in(self) -> None:
        self.stop()
        set_status(self.status, "Sign-in cancelled. Start it again when you are ready.")
        self.refresh()

    def start(self) -> None:
        if not self._save_login_host():
            return
        set_status(self.status, "Opening your browser…")
        self._run(self._browser(self.w.ctx))

    def start_device(self) -> None:
        if not self._save_login_host():
            return
        set_status(self.status, "Asking Salesforce for a sign-in code…")
        self._run(self._device(self.w.ctx))

    async def _browser(self, ctx: Any) -> dict[str, Any]:
        from app.auth.salesforce import CREDENTIALS_SECRET

        return await self._in_browser(ctx.accounts.salesforce(), CREDENTIALS_SECRET, "Salesforce")

    async def _device(self, ctx: Any) -> dict[str, Any]:
        from app.auth.salesforce import CREDENTIALS_SECRET

        auth = ctx.accounts.salesforce()
        await asyncio.to_thread(ctx.accounts.secrets.get, CREDENTIALS_SECRET)
        login = await auth.start_device_login()
        self.code.show_code(login.user_code, login.verification_uri, "Salesforce")
        set_status(self.status, "Waiting for you to finish signing in…")
        account = await auth.finish_device_login(login)
        return account.to_json()
