"""How a setting the administrator's policy locks looks, wherever it is edited (the settings
dialog, the wizard): its control is disabled, its tooltip and a small note say who set it."""

from __future__ import annotations

from PyQt6.QtWidgets import QLabel, QWidget

from app.settings import SPECS

LOCK_NOTE = "Set by your administrator"


def lock_note(text: str = LOCK_NOTE) -> QLabel:
    """The italic note beside a locked control (hidden until a lock shows it)."""
    note = QLabel(text)
    note.setObjectName("lockNote")
    note.setStyleSheet("color: palette(placeholder-text); font-style: italic;")
    note.setVisible(False)
    return note


def show_locked(widget: QWidget, key: str, locked: bool) -> None:
    """Disable the control of a locked key and say why in its tooltip; enable it otherwise."""
    widget.setEnabled(not locked)
    help_text = SPECS[key].help
    widget.setToolTip(f"{LOCK_NOTE}. {help_text}" if locked else help_text)
