"""The dashboard's top: the banner (in-window messages with one action) and one status card
per kind (up to date / syncing / needs attention / paused, counts, last run, progress)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.dashboard.models import KIND_LABELS
from ui.widget_parts import add_action

STATE_TEXT = {"ok": "Up to date", "syncing": "Syncing", "attention": "Needs attention", "paused": "Paused"}
STATE_COLOURS = {"ok": "#1e7b34", "syncing": "#1a5fb4", "attention": "#b3261e", "paused": "#5f6368"}
BANNER_STYLES = {
    "info": ("#e8f0fe", "#1a5fb4", "ℹ"),
    "warning": ("#fef7e0", "#8a5a00", "⚠"),
    "error": ("#fce8e6", "#b3261e", "⛔"),
}
PROGRESS_WORDS = {
    "reading": "Reading both sides…",
    "planning": "Working out the changes…",
    "applying": "Applying changes…",
}


def progress_words(text: str) -> str:
    """ "applying 40/120" -> "Applying changes: 40 of 120"; known phases by their words."""
    if text.startswith("applying ") and "/" in text:
        done, _, total = text.removeprefix("applying ").partition("/")
        return f"Applying changes: {done} of {total}"
    return PROGRESS_WORDS.get(text, text[:1].upper() + text[1:])


class Banner(QFrame):
    """One message across the top of the window, with an optional action and a close button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.level = "info"
        self._callback: Callable[[], Any] | None = None
        self.icon = QLabel()
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.action = QPushButton()
        self.action.clicked.connect(self._act)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setToolTip("Dismiss")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.action, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(
        self,
        text: str,
        level: str = "info",
        action_text: str | None = None,
        callback: Callable[[], Any] | None = None,
    ) -> None:
        if level not in BANNER_STYLES:
            level = "info"
        self.level = level
        back, fore, icon = BANNER_STYLES[level]
        self.setStyleSheet(
            f"#banner {{ background: {back}; border: 1px solid {fore}; border-radius: 6px; }}"
            f"#banner QLabel {{ color: {fore}; }}"
        )
        self.icon.setText(icon)
        self.text.setText(text)
        self._callback = callback
        self.action.setVisible(bool(action_text and callback))
        self.action.setText(action_text or "")
        self.show()

    def _act(self) -> None:
        callback = self._callback
        self.hide()
        if callback is not None:
            callback()


class KindCard(QFrame):
    """The status of one kind."""

    sync_requested = pyqtSignal(str)
    rebuild_requested = pyqtSignal(str)

    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.state = "ok"
        self.setObjectName("kindcard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#kindcard { border: 1px solid palette(mid); border-radius: 6px; }")
        self.title = QLabel(f"<b>{KIND_LABELS[kind]}</b>")
        self.menu_button = QToolButton()
        self.menu_button.setText("⋯")
        self.menu_button.setToolTip(f"More for {KIND_LABELS[kind].lower()}")
        self.menu_button.setAutoRaise(True)
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu_button.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0px; }")
        menu = QMenu(self.menu_button)
        self.sync_action = add_action(menu, f"Sync {KIND_LABELS[kind].lower()} now")
        self.sync_action.triggered.connect(lambda: self.sync_requested.emit(self.kind))
        menu.addSeparator()
        self.rebuild_action = add_action(menu, "Rebuild links…")
        self.rebuild_action.setToolTip(
            "Forget which records are paired; the next sync pairs them "
            "again. Nothing changes in Outlook or Salesforce."
        )
        self.rebuild_action.triggered.connect(lambda: self.rebuild_requested.emit(self.kind))
        self.menu_button.setMenu(menu)
        self.state_label = QLabel()
        self.counts_label = QLabel()
        self.last_label = QLabel()
        self.progress_label = QLabel()
        for label in (self.counts_label, self.last_label, self.progress_label):
            label.setWordWrap(True)
        self.progress_label.hide()
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.menu_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 10)
        layout.setSpacing(4)
        layout.addLayout(head)
        layout.addWidget(self.state_label)
        layout.addWidget(self.counts_label)
        layout.addWidget(self.last_label)
        layout.addWidget(self.progress_label)
        layout.addStretch(1)

    def set_state(self, state: str, detail: str = "") -> None:
        self.state = state
        text = STATE_TEXT[state] + (f" — {detail}" if detail else "")
        self.state_label.setText(f"<span style='color:{STATE_COLOURS[state]}'>●</span> {text}")
        self.state_label.setToolTip(text)

    def set_progress(self, text: str | None) -> None:
        self.progress_label.setVisible(bool(text))
        self.progress_label.setText(text or "")
