"""The settings window's Summary Options page: when the summary window opens after a run."""

from __future__ import annotations

from PyQt6.QtWidgets import QVBoxLayout, QWidget

from ui.settings.form import SettingsForm


class SummaryPage(QWidget):
    def __init__(self, form: SettingsForm) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addWidget(
            form.checks_group(
                "Summary window",
                ("summary.after_manual", "summary.after_auto", "summary.only_when_changed"),
                "The summary lists what a sync created, updated, deleted and "
                "prevented on each side, and anything that needs your attention.",
            )
        )
        layout.addStretch(1)
