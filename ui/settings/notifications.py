"""The settings window's Notification Options page: which runs show a desktop notification,
and "Start Tandem when I sign in" (under Start-up)."""

from __future__ import annotations

from PyQt6.QtWidgets import QVBoxLayout, QWidget

from ui.settings.form import SettingsForm


class NotificationsPage(QWidget):
    def __init__(self, form: SettingsForm) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addWidget(
            form.checks_group(
                "Show a desktop notification",
                ("notify.on_start", "notify.on_success", "notify.on_warnings", "notify.on_errors"),
                "Notifications appear beside the tray icon; clicking one opens the run "
                "or the issue it is about.",
            )
        )
        layout.addWidget(form.checks_group("Start-up", ("general.start_at_login",)))
        layout.addStretch(1)
