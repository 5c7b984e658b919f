"""The wizard's "Your organisation's app registrations" page, shown only when a client id is
missing (``app.auth.check.missing_registrations``): the Microsoft application (client) id and
tenant, the Salesforce consumer key and login address.

Values come from the profile's settings, where the administrator's policy file may set them;
a value the policy locks is shown read-only with a note saying so, one the environment sets
(``TANDEM_*``) likewise. Next saves the rest to the settings (``accounts.*``) and goes on to
the Outlook sign-in. The link opens the admin guide (docs/ADMIN.md) that says how an
administrator makes the registrations.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from pathlib import Path
from typing import Any

from PyQt6.QtCore import QUrl
from PyQt6.QtGui import QDesktopServices
from PyQt6.QtWidgets import QFormLayout, QGroupBox, QLabel, QLineEdit, QVBoxLayout, QWizardPage

from app.auth.check import is_application_id
from app.endpoints import MICROSOFT_AUTHORITY
from app.policy import installation_dir
from ui.locked import LOCK_NOTE, lock_note
from ui.wizard.common import LoginHostChoice, Page, save_settings, set_status, status_label, wrapped

log = logging.getLogger(__name__)

MICROSOFT_LOGIN = MICROSOFT_AUTHORITY.rsplit("/", 1)[0]  # https://login.microsoftonline.com
ENV = {
    "accounts.microsoft_client_id": "TANDEM_OUTLOOK_CLIENT_ID",
    "accounts.microsoft_authority": "TANDEM_OUTLOOK_AUTHORITY",
    "accounts.salesforce_client_id": "TANDEM_SALESFORCE_CLIENT_ID",
    "accounts.salesforce_login_host": "TANDEM_SALESFORCE_LOGIN_HOST",
}
_TENANT = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]*")


def admin_guide() -> Path | None:
    """docs/ADMIN.md of this installation: beside main.py in a source checkout, or in a
    bundle's data folder when the packaging puts it there; None when it is not installed."""
    folders = [Path(installation_dir())]
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        folders.append(Path(bundle))
    for folder in folders:
        path = folder / "docs" / "ADMIN.md"
        if path.is_file():
            return path
    return None


def tenant_of(authority: str | None) -> str:
    """What the Tenant field shows for an authority: the tenant part of a Microsoft one."""
    if not authority:
        return ""
    if authority.startswith(MICROSOFT_LOGIN + "/"):
        return authority.removeprefix(MICROSOFT_LOGIN + "/").strip("/")
    return authority


def authority_of(tenant: str) -> str | None:
    """The authority for a tenant id, a tenant domain or a whole https address; None (any work
    or school account) for nothing. Raises ValueError with words for anything else."""
    tenant = tenant.strip().rstrip("/")
    if not tenant:
        return None
    if tenant.startswith("https://"):
        return tenant
    if not _TENANT.fullmatch(tenant):
        raise ValueError(
            f"{tenant!r} is not a tenant: use the directory (tenant) id, a domain like "
            "contoso.onmicrosoft.com, or leave it empty."
        )
    return f"{MICROSOFT_LOGIN}/{tenant}"


class RegistrationsPage(QWizardPage):
    def __init__(self, wizard: Any) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("Your organisation's app registrations")
        self.setSubTitle(
            "Tandem signs in through apps your organisation registers with Microsoft and "
            "Salesforce. Enter the values your administrator gave you; they are saved in "
            "Tandem's settings on this computer."
        )
        self.client_id = QLineEdit()
        self.client_id.setObjectName("accounts.microsoft_client_id")
        self.client_id.setPlaceholderText("00000000-0000-0000-0000-000000000000")
        self.tenant = QLineEdit()
        self.tenant.setObjectName("accounts.microsoft_authority")
        self.tenant.setPlaceholderText("tenant id or contoso.onmicrosoft.com (empty: any work account)")
        self.consumer_key = QLineEdit()
        self.consumer_key.setObjectName("accounts.salesforce_client_id")
        self.consumer_key.setPlaceholderText("the connected app's consumer key")
        self.login_host = LoginHostChoice()
        self.notes: dict[str, QLabel] = {}

        microsoft = QGroupBox("Microsoft 365 (Outlook)")
        m = QFormLayout(microsoft)
        m.addRow("Application (client) id:", self._with_note("accounts.microsoft_client_id", self.client_id))
        m.addRow("Tenant:", self._with_note("accounts.microsoft_authority", self.tenant))
        salesforce = QGroupBox("Salesforce")
        s = QFormLayout(salesforce)
        s.addRow("Consumer key:", self._with_note("accounts.salesforce_client_id", self.consumer_key))
        s.addRow("Log in at:", self.login_host)

        self.guide = wrapped(
            "No values yet? Your administrator registers Tandem once for the whole "
            'organisation: <a href="guide">the admin guide</a> says how, step by step, and how '
            "to hand the values to everyone in a policy file.",
            rich=True,
        )
        self.guide.setObjectName("adminGuideLink")
        self.guide.setOpenExternalLinks(False)
        self.guide.linkActivated.connect(lambda _link: self.open_guide())
        self.status = status_label()
        layout = QVBoxLayout(self)
        layout.addWidget(microsoft)
        layout.addWidget(salesforce)
        layout.addWidget(self.guide)
        layout.addWidget(self.status)
        layout.addStretch(1)

    def _with_note(self, key: str, edit: QLineEdit) -> QVBoxLayout:
        box = QVBoxLayout()
        box.setSpacing(2)
        box.addWidget(edit)
        note = lock_note()
        self.notes[key] = note
        box.addWidget(note)
        return box

    def open_guide(self) -> None:
        path = admin_guide()
        if path is None:
            set_status(
                self.status,
                "The admin guide (ADMIN.md) is not installed on this computer: ask your "
                "administrator for it, or for the values themselves.",
                "error",
            )
        elif not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            set_status(self.status, f"No program opened the admin guide; it is at {path}.", "error")

    # -- showing --------------------------------------------------------------------------

    def _why_fixed(self, key: str) -> str | None:
        """Why a value cannot be changed here: locked by the policy, or set in the environment."""
        settings = self.w.ctx.settings
        if settings.is_locked(key):
            return LOCK_NOTE + " (policy file)"
        if settings.state(key).source == "default" and os.environ.get(ENV[key]):
            return f"Set by the environment variable {ENV[key]}"
        return None

    def _value(self, key: str) -> str:
        settings = self.w.ctx.settings
        value = settings.get(key)
        if settings.state(key).source == "default" and os.environ.get(ENV[key]):
            value = os.environ[ENV[key]]
        return str(value or "")

    def initializePage(self) -> None:  # noqa: N802 (Qt)
        set_status(self.status, "")
        for key, edit in (
            ("accounts.microsoft_client_id", self.client_id),
            ("accounts.microsoft_authority", self.tenant),
            ("accounts.salesforce_client_id", self.consumer_key),
        ):
            value = self._value(key)
            edit.setText(tenant_of(value) if key == "accounts.microsoft_authority" else value)
            why = self._why_fixed(key)
            edit.setReadOnly(why is not None)
            edit.setEnabled(why is None)  # looks fixed, as locked settings do everywhere
            edit.setToolTip(why or "")
            self.notes[key].setText(why or "")
            self.notes[key].setVisible(why is not None)
        host = "accounts.salesforce_login_host"
        self.login_host.set_value(self._value(host) or None)
        why = self._why_fixed(host)
        self.login_host.set_locked(why is not None, why or LOCK_NOTE)

    # -- saving ---------------------------------------------------------------------------

    def values(self) -> dict[str, Any] | str:
        """The values to save (those not fixed elsewhere), or the words for what is missing."""
        out: dict[str, Any] = {}
        sandbox = bool(self.w.ctx.sandbox)
        if self._why_fixed("accounts.microsoft_client_id") is None:
            client_id = self.client_id.text().strip()
            if not client_id:
                return "Enter the application (client) id of your organisation's Microsoft app registration."
            if not sandbox and not is_application_id(client_id):
                return (
                    f"{client_id!r} is not an application (client) id: they look like "
                    "00000000-0000-0000-0000-000000000000 (Entra admin center, App registrations, "
                    "Overview)."
                )
            out["accounts.microsoft_client_id"] = client_id
        if self._why_fixed("accounts.microsoft_authority") is None:
            try:
                out["accounts.microsoft_authority"] = authority_of(self.tenant.text())
            except ValueError as exc:
                return str(exc)
        if self._why_fixed("accounts.salesforce_client_id") is None:
            key = self.consumer_key.text().strip()
            if not key:
                return "Enter the consumer key of your organisation's Salesforce connected app."
            out["accounts.salesforce_client_id"] = key
        if not self.login_host.locked and self._why_fixed("accounts.salesforce_login_host") is None:
            problem = self.login_host.problem()
            if problem:
                return problem
            out["accounts.salesforce_login_host"] = self.login_host.value()
        return out

    def validatePage(self) -> bool:  # noqa: N802 (Qt)
        from app.cli.accounts import AccountSettings

        set_status(self.status, "")
        values = self.values()
        if isinstance(values, str):
            set_status(self.status, values, "error")
            return False
        ctx = self.w.ctx
        if not save_settings(ctx.settings, self.status, values):
            return False
        ctx.accounts.settings = AccountSettings.from_settings(ctx.settings)  # the sign-ins use them now
        log.info("app registrations saved: %s", ", ".join(sorted(values)))
        return True

    def nextId(self) -> int:  # noqa: N802 (Qt)
        return int(Page.OUTLOOK)
