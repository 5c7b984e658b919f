"""The settings window's Accounts page: who Tandem is signed in as on each service,
Reconnect and Sign out, and the sign-in settings (client ids, the Salesforce login address,
the proxy), which take effect the next time Tandem starts."""

from __future__ import annotations

import asyncio
import html
from typing import Any

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.settings import SPECS
from ui.settings.form import SERVICE_NAMES, SettingsForm, hint, who, words

SIGN_IN_KEYS = (
    "accounts.salesforce_login_host",
    "accounts.salesforce_client_id",
    "accounts.salesforce_callback_url",
    "accounts.microsoft_client_id",
    "accounts.microsoft_authority",
    "network.proxy",
)


class AccountsPage(QWidget):
    reconnect_requested = pyqtSignal(str)  # "outlook" | "salesforce"
    signed_out = pyqtSignal(str)

    def __init__(self, form: SettingsForm, ctx: Any) -> None:
        super().__init__()
        self.form, self.ctx = form, ctx
        layout = QVBoxLayout(self)
        self.account_labels: dict[str, QLabel] = {}
        self.reconnect_buttons: dict[str, QPushButton] = {}
        self.signout_buttons: dict[str, QPushButton] = {}
        for service in ("outlook", "salesforce"):
            group = QGroupBox(SERVICE_NAMES[service])
            g = QVBoxLayout(group)
            label = QLabel()
            label.setWordWrap(True)
            label.setObjectName(f"{service}Account")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.account_labels[service] = label
            g.addWidget(label)
            row = QHBoxLayout()
            reconnect = QPushButton("Reconnect")
            reconnect.clicked.connect(lambda _c, s=service: self.reconnect_requested.emit(s))
            signout = QPushButton("Sign out…")
            signout.clicked.connect(lambda _c, s=service: self.ask_sign_out(s))
            self.reconnect_buttons[service] = reconnect
            self.signout_buttons[service] = signout
            row.addWidget(reconnect)
            row.addWidget(signout)
            row.addStretch(1)
            g.addLayout(row)
            layout.addWidget(group)
        advanced = QGroupBox("Sign-in and network settings")
        a = QFormLayout(advanced)
        a.addRow(
            hint(
                "Usually set by your administrator. Changes take effect the next time "
                "Tandem starts; sign in again afterwards."
            )
        )
        for key in SIGN_IN_KEYS:
            a.addRow(SPECS[key].label + ":", form.line(key))
        proxy = form.fields["network.proxy"].widget
        if isinstance(proxy, QLineEdit):
            proxy.setPlaceholderText("the system's proxy (HTTPS_PROXY, or the operating system's setting)")
        self.check_button = QPushButton("Check")
        self.check_button.setToolTip(
            "Ask Microsoft and Salesforce whether these settings can work, without signing in."
        )
        self.check_button.clicked.connect(lambda: self.form.spawn(self.check()))
        check_row = QHBoxLayout()
        check_row.addWidget(self.check_button)
        check_row.addStretch(1)
        a.addRow("", check_row)
        self.check_result = QLabel()
        self.check_result.setObjectName("checkResult")
        self.check_result.setWordWrap(True)
        self.check_result.setTextFormat(Qt.TextFormat.RichText)
        self.check_result.hide()
        a.addRow(self.check_result)
        layout.addWidget(advanced)
        self.accounts_status = QLabel()
        self.accounts_status.setWordWrap(True)
        self.accounts_status.setObjectName("accountsStatus")
        layout.addWidget(self.accounts_status)
        layout.addStretch(1)

    def refresh(self) -> None:
        try:
            signed_in = self.ctx.signed_in()
        except Exception as exc:
            signed_in = {"outlook": None, "salesforce": None}
            self.accounts_status.setText(words(exc))
        for service, label in self.account_labels.items():
            facts = signed_in.get(service)
            if facts:
                text = f"Connected as {who(facts)}"
                if service == "salesforce" and facts.get("instance_url"):
                    text += f"\nOrg {facts.get('organization_id')}, {facts.get('instance_url')}"
                elif facts.get("tenant_id"):
                    text += f"\nTenant {facts.get('tenant_id')}"
            else:
                text = "Not connected"
            label.setText(text)
            self.reconnect_buttons[service].setText("Reconnect" if facts else "Connect")
            self.signout_buttons[service].setEnabled(bool(facts))

    async def check(self) -> None:
        """``login --check`` for the values on this page, saved or not (nothing signed in)."""
        from app.auth.check import check_accounts, summary
        from app.cli.accounts import AccountsContext, AccountSettings

        self.check_button.setEnabled(False)
        self.check_result.setText("Checking…")
        self.check_result.show()
        try:
            live = self.ctx.accounts  # stays as it is: changes apply when Tandem starts again
            values = {key: self.form.fields[key].get() for key in SIGN_IN_KEYS}
            trial = AccountsContext(live.paths, live.endpoints, AccountSettings.from_settings(values))
            findings = await asyncio.to_thread(check_accounts, trial)
        except Exception as exc:
            self.check_result.setText(html.escape(words(exc)))
            return
        finally:
            self.check_button.setEnabled(True)
        report = summary(findings)
        parts = []
        for service in ("outlook", "salesforce"):
            verdict = "ready to sign in" if report[service]["ok"] else "needs attention"
            items = "".join(
                f"<li>{'✔' if f.ok else ('✘' if f.ok is False else '•')} "
                f"<b>{html.escape(f.what)}</b>: {html.escape(f.words)}</li>"
                for f in findings
                if f.service == service
            )
            parts.append(f"<p><b>{SERVICE_NAMES[service]}: {verdict}</b></p><ul>{items}</ul>")
        self.check_result.setText("".join(parts))

    def ask_sign_out(self, service: str) -> None:
        name = SERVICE_NAMES[service]
        self.form.ask(
            f"Sign out of {name}?",
            f"Tandem forgets your {name} sign-in on this computer"
            + (" and asks Salesforce to revoke it" if service == "salesforce" else "")
            + ". Nothing is synced until you connect again; your data in Outlook and "
            "Salesforce is not touched.",
            "Sign out",
            lambda: self.form.spawn(self._sign_out(service)),
        )

    async def _sign_out(self, service: str) -> None:
        name = SERVICE_NAMES[service]
        self.accounts_status.setText(f"Signing out of {name}…")
        try:
            if service == "outlook":
                await asyncio.to_thread(lambda: self.ctx.accounts.outlook().logout())
                done = f"Signed out of {name}; the sign-in was forgotten on this computer."
            else:
                result = await self.ctx.accounts.salesforce().logout()
                done = (
                    f"Signed out of {name}; the sign-in was revoked and forgotten."
                    if result.get("revoked")
                    else f"Signed out of {name}; the sign-in was forgotten on this computer. "
                    + (result.get("warning") or "")
                )
        except Exception as exc:
            self.accounts_status.setText(words(exc))
            return
        self.accounts_status.setText(done.strip())
        self.refresh()
        self.signed_out.emit(service)
