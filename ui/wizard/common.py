"""Pieces the first-run wizard's pages share: the page ids, saving a page's settings, plain
error words, the big sign-in code box, the Salesforce login-address choice, headings and a
small status line."""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from typing import Any

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtGui import QFont, QGuiApplication, QPalette
from PyQt6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.endpoints import SALESFORCE_LOGIN_HOSTS
from ui.errors import remedy_for
from ui.locked import LOCK_NOTE, lock_note

log = logging.getLogger(__name__)


class Page(enum.IntEnum):
    WELCOME = 0
    REGISTRATIONS = 1  # only when a client id is missing (ui/wizard/registrations.py)
    OUTLOOK = 2
    SALESFORCE = 3
    WHAT = 4
    DIRECTION = 5
    PREVIEW = 6
    APPLY = 7
    AUTO = 8
    DONE = 9


KIND_NAMES = {"contacts": "Contacts", "events": "Calendar events", "tasks": "Tasks"}


def plain_error(exc: BaseException) -> str:
    """What went wrong, in words meant for people; an unexpected error's words say where the
    diagnostics are (Settings > Support > Export diagnostics)."""
    return remedy_for(exc).text  # the app's one mapping of errors to words (ui/errors.py)


def who(facts: dict[str, Any] | None) -> str:
    """ "Morgan Reyes <morgan@…>" from the non-secret account facts."""
    if not facts:
        return ""
    name = facts.get("name") or ""
    address = facts.get("email") or facts.get("username") or ""
    if name and address:
        return f"{name} <{address}>"
    return name or address


def wrapped(text: str = "", *, rich: bool = False) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    if rich:
        label.setOpenExternalLinks(True)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    return label


def status_label() -> QLabel:
    label = wrapped()
    label.setObjectName("wizardStatus")
    return label


def set_status(label: QLabel, text: str, kind: str = "info") -> None:
    """``kind``: info | ok | error (colour and a leading sign, so it never relies on colour)."""
    dark = label.palette().color(QPalette.ColorRole.Window).lightness() < 128
    if dark:  # the light theme's dark red and green are hard to read on dark grey
        colours = {"info": "", "ok": "color: #7bd88f;", "error": "color: #ff8a80;"}
    else:
        colours = {"info": "", "ok": "color: #1b7f3b;", "error": "color: #b3261e;"}
    signs = {"info": "", "ok": "\u2714 ", "error": "\u26a0 "}
    label.setStyleSheet(colours.get(kind, ""))
    label.setText(signs.get(kind, "") + text if text else "")
    label.setVisible(bool(text))


def save_settings(settings: Any, status: QLabel, values: dict[str, Any]) -> bool:
    """Write the values the administrator did not lock; a refused value is shown in
    ``status``, not raised (a page's Next stays on the page)."""
    values = {k: v for k, v in values.items() if not settings.is_locked(k)}
    try:
        settings.set_many(values)
    except Exception as exc:  # SettingsError: a value the settings refuse, in plain words
        set_status(status, plain_error(exc), "error")
        return False
    return True


class CodeBox(QFrame):
    """A sign-in code shown large, with Copy and Open browser buttons and the address."""

    def __init__(self, open_url: Callable[[str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeBox")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._open_url = open_url
        self._url = ""
        self.intro = wrapped()
        self.code = QLabel()
        self.code.setObjectName("signInCode")
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSizeF(max(QFont().pointSizeF(), 9.0) * 2.6)
        font.setBold(True)
        font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 3)
        self.code.setFont(font)
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.copy = QPushButton("Copy code")
        self.copy.clicked.connect(self._copy)
        self.open = QPushButton("Open browser")
        self.open.setDefault(False)
        self.open.clicked.connect(lambda: self._open_url(self._url))
        self.address = wrapped(rich=True)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.copy)
        buttons.addWidget(self.open)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.intro)
        layout.addWidget(self.code)
        layout.addLayout(buttons)
        layout.addWidget(self.address)
        self.hide()

    def show_code(self, code: str, url: str, service: str) -> None:
        self._url = url
        self.intro.setText(
            f"Open the {service} sign-in page, enter this code and sign in. "
            "Tandem waits and continues by itself."
        )
        self.code.setText(code)
        self.address.setText(f'Sign-in page: <a href="{url}">{url}</a>')
        self.copy.setText("Copy code")
        self.show()

    def _copy(self) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is None:  # no clipboard on this desktop: the code stays readable on screen
            return
        clipboard.setText(self.code.text())
        self.copy.setText("Copied")

    def clear(self) -> None:
        self.code.clear()
        self._url = ""
        self.hide()


class LoginHostChoice(QWidget):
    """Where Salesforce sign-ins go (``accounts.salesforce_login_host``): production
    (login.salesforce.com), a sandbox org (test.salesforce.com) or the org's My Domain.
    :meth:`value` is the https address to save, :meth:`problem` the words when there is none
    yet; a value the administrator's policy locks shows read-only with a note saying so."""

    changed = pyqtSignal()

    CHOICES = (
        ("production", "Production or Developer Edition org (login.salesforce.com)"),
        ("test", "Sandbox org (test.salesforce.com)"),
        ("mydomain", "My Domain:"),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loginHostChoice")
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(2)
        for row, (name, text) in enumerate(self.CHOICES):
            button = QRadioButton(text)
            button.setObjectName(f"loginHost_{name}")
            self.group.addButton(button)
            self.buttons[name] = button
            grid.addWidget(button, row, 0, 1, 1 if name == "mydomain" else 2)
        self.domain = QLineEdit()
        self.domain.setObjectName("myDomain")
        self.domain.setPlaceholderText("yourcompany.my.salesforce.com")
        grid.addWidget(self.domain, 2, 1)
        grid.setColumnStretch(1, 1)
        self.note = lock_note()
        grid.addWidget(self.note, 3, 0, 1, 2)
        self.buttons["production"].setChecked(True)
        self.group.buttonToggled.connect(lambda *_: self._toggled())
        self.domain.textEdited.connect(self._typed)
        self._locked = False
        self._toggled()

    def _typed(self) -> None:
        if not self.buttons["mydomain"].isChecked():
            self.buttons["mydomain"].setChecked(True)  # typing a domain means that choice
        self.changed.emit()

    def _toggled(self) -> None:
        self.domain.setEnabled(self.buttons["mydomain"].isChecked() and not self._locked)
        self.changed.emit()

    def choice(self) -> str:
        return next(name for name, button in self.buttons.items() if button.isChecked())

    def set_value(self, url: str | None) -> None:
        url = (url or SALESFORCE_LOGIN_HOSTS["production"]).rstrip("/")
        for name, known in SALESFORCE_LOGIN_HOSTS.items():
            if url == known:
                self.buttons[name].setChecked(True)
                self.domain.clear()
                break
        else:
            self.domain.setText(url.removeprefix("https://"))
            self.buttons["mydomain"].setChecked(True)
        self._toggled()

    def value(self) -> str | None:
        """The https address of the choice; None while My Domain is chosen and empty."""
        name = self.choice()
        if name != "mydomain":
            return SALESFORCE_LOGIN_HOSTS[name]
        domain = self.domain.text().strip().removeprefix("https://").removeprefix("http://").strip("/")
        if not domain:
            return None
        if "." not in domain:  # "acme" is short for acme.my.salesforce.com
            domain += ".my.salesforce.com"
        return f"https://{domain}"

    def problem(self) -> str | None:
        if self.value() is None:
            return "Enter your organisation's My Domain, for example yourcompany.my.salesforce.com."
        return None

    def set_locked(self, locked: bool, why: str = LOCK_NOTE) -> None:
        """Read-only (every choice disabled) with ``why`` beside it, or editable again."""
        self._locked = locked
        for button in self.buttons.values():
            button.setEnabled(not locked)
        self.domain.setReadOnly(locked)
        self.note.setText(why)
        self.note.setVisible(locked)
        self._toggled()

    @property
    def locked(self) -> bool:
        return self._locked
