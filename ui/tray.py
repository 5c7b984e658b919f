"""The tray icon: the state of Tandem at a glance and its menu (BEHAVIOUR.md, Tray).

States: ``ok`` (up to date), ``syncing``, ``paused`` (auto sync paused), ``attention`` (the
last run failed or left something for the person). The icon follows the controller's signals
and the auto sync's pause state; :func:`tray_state` is the rule, pure, so tests read it too.

Menu: Sync now (all kinds) / Sync one kind > Contacts, Calendar, Tasks / Pause or Resume auto
sync / Open Tandem / Settings... / Quit Tandem. The menu only emits signals; the shell
(ui/shell.py) decides what they do, so the tray works with any window.

Where the desktop has no tray (:meth:`Tray.available` is False) the icon is not shown; the
main window stays open instead and toasts become banners (ui/toasts.py).
"""

from __future__ import annotations

import logging
from typing import Any

from PyQt6.QtCore import QObject, Qt, pyqtSignal
from PyQt6.QtGui import QAction, QColor, QIcon, QPainter, QPixmap
from PyQt6.QtWidgets import QMenu, QSystemTrayIcon

from ui.widget_parts import add_action, add_menu

log = logging.getLogger(__name__)

STATES = ("ok", "syncing", "paused", "attention")
STATE_WORDS = {
    "ok": "Up to date",
    "syncing": "Syncing…",
    "paused": "Auto sync paused",
    "attention": "Needs your attention",
}
KIND_LABELS = (("contacts", "Contacts"), ("events", "Calendar"), ("tasks", "Tasks"))  # as the dashboard
_FALLBACK_COLOURS = {"ok": "#2e7d32", "syncing": "#1565c0", "paused": "#757575", "attention": "#e65100"}


def tray_state(*, syncing: bool, attention: bool, paused: bool) -> str:
    """Syncing wins (something happens now), then attention (do not hide a problem behind
    "paused"), then paused, else up to date."""
    if syncing:
        return "syncing"
    if attention:
        return "attention"
    if paused:
        return "paused"
    return "ok"


def state_icon(state: str) -> QIcon:
    """ui.resources.tray_icon when it exists, else a plain coloured disc."""
    try:
        from ui.resources import tray_icon

        icon = tray_icon(state)
        if icon is not None and not icon.isNull():
            return icon
    except Exception:  # resources not built yet, or a broken icon file: never stop the tray
        log.debug("tray icon resources unavailable", exc_info=True)
    pixmap = QPixmap(64, 64)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(_FALLBACK_COLOURS.get(state, "#757575")))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(6, 6, 52, 52)
    painter.end()
    return QIcon(pixmap)


class Tray(QObject):
    """The tray icon and its menu. ``controller``: ui.controller.SyncController;
    ``autosync``: ui.autosync.AutoSync or None (no Pause/Resume then)."""

    sync_requested = pyqtSignal(object)  # a list of kinds, or None for all enabled kinds
    open_requested = pyqtSignal()
    settings_requested = pyqtSignal()
    quit_requested = pyqtSignal()
    state_changed = pyqtSignal(str)

    def __init__(
        self,
        controller: Any,
        autosync: Any = None,
        parent: QObject | None = None,
        *,
        enabled_kinds: Any = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.autosync = autosync
        self._enabled_kinds = enabled_kinds
        self._attention = _last_run_needs_attention(controller)
        self._state = ""
        self._disposed = False
        self.icon = QSystemTrayIcon(self)
        self.menu = QMenu()
        self._build_menu()
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        controller.busy_changed.connect(lambda _busy: self.refresh())
        controller.run_started.connect(lambda *_: self.refresh())
        controller.run_finished.connect(self._finished)
        controller.run_failed.connect(self._failed)
        controller.run_cancelled.connect(self.refresh)
        if autosync is not None:
            autosync.changed.connect(self.refresh)
        self.refresh()

    # -- availability ----------------------------------------------------------------------

    @staticmethod
    def available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def show(self) -> bool:
        """Show the icon when the desktop has a tray; False when it has none."""
        if not self.available():
            return False
        self.icon.show()
        return True

    def hide(self) -> None:
        self.icon.hide()

    @property
    def visible(self) -> bool:
        return self.icon.isVisible()

    # -- the menu ----------------------------------------------------------------------------

    def _build_menu(self) -> None:
        m = self.menu
        self.status_action = add_action(m, STATE_WORDS["ok"])
        self.status_action.setEnabled(False)
        self.detail_action = add_action(m, "")
        self.detail_action.setEnabled(False)
        m.addSeparator()
        self.sync_all_action = add_action(m, "Sync now")
        self.sync_all_action.triggered.connect(lambda: self.sync_requested.emit(None))
        self.kinds_menu = add_menu(m, "Sync one kind")
        self.kind_actions: dict[str, QAction] = {}
        for kind, label in KIND_LABELS:
            action = add_action(self.kinds_menu, label)
            action.triggered.connect(lambda _checked=False, k=kind: self.sync_requested.emit([k]))
            self.kind_actions[kind] = action
        self.pause_action = add_action(m, "Pause auto sync")
        self.pause_action.triggered.connect(self._toggle_pause)
        m.addSeparator()
        self.open_action = add_action(m, "Open Tandem")
        self.open_action.triggered.connect(self.open_requested.emit)
        self.settings_action = add_action(m, "Settings…")
        self.settings_action.triggered.connect(self.settings_requested.emit)
        m.addSeparator()
        self.quit_action = add_action(m, "Quit Tandem")
        self.quit_action.triggered.connect(self.quit_requested.emit)
        m.aboutToShow.connect(self.refresh)

    def _toggle_pause(self) -> None:
        if self.autosync is None:
            return
        if self.autosync.paused:
            self.autosync.resume()
        else:
            self.autosync.pause()
        self.refresh()

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.open_requested.emit()

    # -- state -------------------------------------------------------------------------------

    @property
    def state(self) -> str:
        return self._state

    def _finished(self, report: Any) -> None:
        needs = getattr(report, "needs_attention", None)
        self._attention = bool(needs() if callable(needs) else False)
        self.refresh()

    def _failed(self, exc: Any) -> None:
        # Waiting for a sync that already runs is not a problem of the profile.
        if getattr(exc, "action", None) != "wait":
            self._attention = True
        self.refresh()

    def clear_attention(self) -> None:
        self._attention = False
        self.refresh()

    def refresh(self) -> None:
        if self._disposed:
            return
        paused = bool(self.autosync is not None and self.autosync.paused)
        state = tray_state(syncing=bool(self.controller.busy), attention=self._attention, paused=paused)
        busy = bool(self.controller.busy)
        for action in (self.sync_all_action, *self.kind_actions.values()):
            action.setEnabled(not busy)
        enabled = self._kinds()
        for kind, action in self.kind_actions.items():
            action.setVisible(kind in enabled)
        if self.autosync is None or not self.autosync.available():
            self.pause_action.setText("Pause auto sync")
            self.pause_action.setEnabled(False)
            self.pause_action.setToolTip("Auto sync is off; turn it on in the settings.")
        else:
            self.pause_action.setEnabled(True)
            self.pause_action.setText("Resume auto sync" if paused else "Pause auto sync")
        words = STATE_WORDS[state]
        detail = self.autosync.status_text() if self.autosync is not None else ""
        self.status_action.setText(words)
        self.detail_action.setText(detail)
        self.detail_action.setVisible(bool(detail))
        self.icon.setToolTip(f"Tandem — {words}" + (f"\n{detail}" if detail else ""))
        if state != self._state:
            self._state = state
            self.icon.setIcon(state_icon(state))
            self.state_changed.emit(state)

    def _kinds(self) -> set[str]:
        if self._enabled_kinds is not None:
            return set(self._enabled_kinds())
        settings = getattr(getattr(self.controller, "ctx", None), "settings", None)
        try:
            return set(settings.enabled_kinds()) if settings is not None else {k for k, _ in KIND_LABELS}
        except Exception:
            return {k for k, _ in KIND_LABELS}

    def show_message(self, title: str, body: str, severity: str = "info", msecs: int = 8000) -> None:
        icon = {
            "error": QSystemTrayIcon.MessageIcon.Critical,
            "warning": QSystemTrayIcon.MessageIcon.Warning,
        }.get(severity, QSystemTrayIcon.MessageIcon.Information)
        self.icon.showMessage(title, body, icon, msecs)

    def dispose(self) -> None:
        """Hide the icon and let the menu go (on quit); later signals are ignored."""
        self._disposed = True
        self.icon.hide()
        self.icon.setContextMenu(None)
        self.menu.deleteLater()


def _last_run_needs_attention(controller: Any) -> bool:
    """At start: did the last recorded run fail or leave something for the person?"""
    try:
        runs = controller.ctx.service.history(limit=1)
    except Exception:
        return False
    if not runs:
        return False
    run = runs[0]
    if run.get("status") in ("failed", "interrupted") or run.get("errors"):
        return True
    counts = run.get("counts") or {}
    return any((c or {}).get("held") or (c or {}).get("conflict") for c in counts.values())


__all__ = ["Tray", "tray_state", "state_icon", "STATES", "STATE_WORDS"]
