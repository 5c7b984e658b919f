"""The settings window: a page list on the left, one page per area, Apply / OK / Cancel.

    dialog = SettingsDialog(ctx, controller)      # ctx: app.context.AppContext
    dialog.reconnect_requested.connect(main_window.reconnect)   # "outlook" | "salesforce"
    dialog.show_page("Accounts"); dialog.show()

Every control is bound to one declared setting (app/settings.py ``SPECS``: label, help,
choices, limits). Nothing is written until Apply or OK: then the values that differ from what
the window loaded go through ``Settings.set_many`` (all or nothing); a refused value shows as
a sentence at the bottom and the window opens the page that holds it. Settings locked by the
administrator's policy are disabled, say "Set by your administrator" and are never written.

Confirmations (sign out, rebuild) and the diagnostics file picker are opened with
``open()``, never ``exec()``: the window runs on the qasync loop and must not nest loops.
Network work (folder and campaign lists, sign-out) and the rebuild run as asyncio tasks.

Choices made where BEHAVIOUR.md is silent:
* The daily window slider moves in 15-minute steps over 00:00-24:00; its right end (24:00)
  is stored as "00:00", so 07:00-24:00 is "07:00"-"00:00" (until midnight) and the whole
  bar is "00:00"-"00:00" (all day), which is what the scheduler reads. A stored window that
  spans midnight (22:00-06:00) is described in words; it is kept unless the slider is moved.
* Picking a direction preset leaves switches locked by the administrator as they are (the
  preset then shows as Custom).
* "Start Tandem when I sign in" sits on the Notification Options page (under Start-up).
* The sign-in settings (client ids, Salesforce login address) sit on the Accounts page; they
  take effect the next time Tandem starts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PyQt6.QtCore import QT_VERSION_STR, QStandardPaths, Qt, QUrl, pyqtSignal
from PyQt6.QtGui import QDesktopServices
from PyQt6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from superqt import QRangeSlider

from app import diagnostics
from app.settings import DAY_NAMES, SPECS, SWITCHES, auto_sync_unlocked, detect_preset
from sync.fields import KINDS
from sync.settings import KindSettings

log = logging.getLogger(__name__)

LOCK_NOTE = "Set by your administrator"
PAGES = (
    "Sync Jobs",
    "Auto Background Sync",
    "Notification Options",
    "Summary Options",
    "Accounts",
    "Support",
)
KIND_NAMES = {"contacts": "Contacts", "events": "Calendar", "tasks": "Tasks"}
KIND_WORDS = {"contacts": "contacts", "events": "calendar events", "tasks": "tasks"}
FOLDER_WORDS = {"contacts": "Contacts folder", "events": "Calendar", "tasks": "To Do list"}
PRESET_LABELS = (
    ("both", "Both ways"),
    ("to_outlook", "Salesforce to Outlook only"),
    ("to_salesforce", "Outlook to Salesforce only"),
    ("custom", "Custom"),
)
SERVICE_NAMES = {"outlook": "Outlook", "salesforce": "Salesforce"}
STEP_MIN = 15
SLOTS = 24 * 60 // STEP_MIN  # 96 steps: the right end is 24:00
AUTO_LOCKED_TEXT = (
    "Auto sync becomes available after your first manual sync has been "
    "previewed and applied, so you have seen what Tandem does before it works "
    "on its own. Press Sync now in the main window, check the preview, then "
    "apply it."
)


# -- time window <-> slider ---------------------------------------------------------------------


def time_to_slot(text: str) -> int:
    hours, minutes = (int(p) for p in text.split(":"))
    return min(SLOTS, round((hours * 60 + minutes) / STEP_MIN))


def slot_to_time(slot: int, *, end: bool = False) -> str:
    """A slider position as HH:MM; the right end (24:00) as "00:00" (midnight)."""
    minutes = (slot * STEP_MIN) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def slot_label(slot: int) -> str:
    minutes = slot * STEP_MIN
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def window_to_slots(start: str, end: str) -> tuple[int, int] | None:
    """The slider positions of a stored window; None when it spans midnight (start > end)."""
    s, e = time_to_slot(start), time_to_slot(end)
    if e == 0 or (start == end):
        return (s if start != end else 0, SLOTS)
    if s > e:
        return None
    return (s, e)


def window_words(start: str, end: str) -> str:
    if start == end:
        return "All day"
    if end == "00:00":
        return f"From {start} until midnight"
    if start > end:
        return f"From {start} until {end} the next morning (across midnight)"
    return f"From {start} until {end}"


# -- one control bound to one setting -------------------------------------------------------------


@dataclass
class Field:
    key: str
    widget: QWidget
    get: Callable[[], Any]
    put: Callable[[Any], None]
    note: QLabel | None = None
    initial: Any = None
    locked: bool = False
    extra: list[QWidget] = field(default_factory=list)


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setObjectName("hint")
    label.setStyleSheet("color: palette(placeholder-text);")
    return label


def _lock_note() -> QLabel:
    note = QLabel(LOCK_NOTE)
    note.setObjectName("lockNote")
    note.setStyleSheet("color: palette(placeholder-text); font-style: italic;")
    note.setVisible(False)
    return note


def _scroll(title: str, body: QWidget) -> QScrollArea:
    """A page: its title above the body, scrolling down (never sideways) when it is tall."""
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(4, 0, 4, 0)
    heading = QLabel(title)
    heading.setObjectName("pageTitle")
    font = heading.font()
    font.setPointSizeF(font.pointSizeF() * 1.35)
    font.setBold(True)
    heading.setFont(font)
    layout.addWidget(heading)
    body.layout().setContentsMargins(0, 4, 0, 0)
    layout.addWidget(body, 1)
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(page)
    return area


class SettingsDialog(QDialog):
    """Settings of one profile. ``controller``: ui.controller.SyncController (optional)."""

    reconnect_requested = pyqtSignal(str)  # "outlook" | "salesforce": the main window signs in
    signed_out = pyqtSignal(str)  # a service was signed out from here
    applied = pyqtSignal(list)  # the keys just saved

    def __init__(self, ctx: Any, controller: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.settings = ctx.settings
        self.controller = controller
        self.fields: dict[str, Field] = {}
        self.question: QMessageBox | None = None  # the open confirmation, if any
        self.file_dialog: QFileDialog | None = None
        self._tasks: set[asyncio.Future] = set()
        self._page_of: dict[str, int] = {}
        self._building_page = 0
        self.setWindowTitle("Tandem settings")
        self.setObjectName("settingsDialog")
        self.resize(860, 640)

        self.pages = QListWidget()
        self.pages.setObjectName("pageList")
        self.pages.addItems(PAGES)
        self.pages.setFixedWidth(200)
        self.pages.setStyleSheet(
            "QListWidget#pageList { outline: 0; } QListWidget#pageList::item { padding: 6px 8px; }"
        )
        self.stack = QStackedWidget()
        builders = (
            self._sync_jobs_page,
            self._auto_page,
            self._notify_page,
            self._summary_page,
            self._accounts_page,
            self._support_page,
        )
        for index, build in enumerate(builders):
            self._building_page = index
            self.stack.addWidget(_scroll(PAGES[index], build()))
        self.pages.currentRowChanged.connect(self.stack.setCurrentIndex)

        self.error = QLabel()
        self.error.setObjectName("errorBanner")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(
            "QLabel#errorBanner { background: #fdecea; color: #611a15; "
            "border: 1px solid #f5c2c0; border-radius: 4px; padding: 8px; }"
        )
        self.error.setVisible(False)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.Apply
        )
        self.apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.apply_button.clicked.connect(self.apply)
        self.ok_button.clicked.connect(self._ok)
        self.cancel_button.clicked.connect(self.reject)
        self.saved = QLabel()
        self.saved.setObjectName("savedNote")
        bottom = QHBoxLayout()
        bottom.addWidget(self.saved, 1)
        bottom.addWidget(self.buttons)

        body = QHBoxLayout()
        body.addWidget(self.pages)
        body.addWidget(self.stack, 1)
        outer = QVBoxLayout(self)
        outer.addLayout(body, 1)
        outer.addWidget(self.error)
        outer.addLayout(bottom)

        self.load()
        self.pages.setCurrentRow(0)
        if controller is not None:
            controller.history_changed.connect(self.refresh_auto_lock)
            controller.busy_changed.connect(self._busy_changed)
        self.finished.connect(self._cancel_tasks)
        self._discover()

    # -- public ----------------------------------------------------------------------------------

    def show_page(self, name: str) -> None:
        self.pages.setCurrentRow(PAGES.index(name))

    @property
    def current_page(self) -> str:
        return PAGES[self.pages.currentRow()]

    def load(self) -> None:
        """Show the saved values (policy applied); what Apply compares against."""
        for f in self.fields.values():
            state = self.settings.state(f.key)
            f.locked = state.locked
            with _quiet(f.widget, *f.extra):
                f.put(state.value)
            self._show_lock(f)
        for f in self.fields.values():
            f.initial = f.get()
        for kind in KINDS:
            self._sync_preset(kind)
            self._kind_enabled(kind)
        self._range_changed()
        self._slider_changed()
        self.refresh_auto_lock()
        self.refresh_accounts()
        self._changed()

    def pending(self) -> dict[str, Any]:
        """What Apply would save: the values the person changed (locked keys never)."""
        return {k: f.get() for k, f in self.fields.items() if not f.locked and f.get() != f.initial}

    def apply(self) -> bool:
        """Save the changed values (all or nothing); False with a message when refused."""
        values = self.pending()
        problem = self._problem(values)
        if problem:
            self._refuse(*problem)
            return False
        if "general.start_at_login" in values:
            try:  # the OS entry first: a setting that says "on" must mean it is on
                from app.autostart import Autostart

                autostart = Autostart.for_profile(self.ctx.paths)
                autostart.enable() if values["general.start_at_login"] else autostart.disable()
            except Exception as exc:  # AutostartError says what could not be written
                self._refuse("general.start_at_login", _words(exc))
                return False
        if values:
            try:
                self.settings.set_many(values)
            except Exception as exc:  # SettingsError and friends carry words for people
                self._refuse(getattr(exc, "ids", {}).get("key"), _words(exc))
                return False
        self.error.setVisible(False)
        self.load()
        if values:
            self.saved.setText("Saved.")
            self.applied.emit(sorted(values))
        return True

    # -- pages -------------------------------------------------------------------------------------

    def _sync_jobs_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        top = QHBoxLayout()
        top.addWidget(QLabel("Settings for:"))
        self.kind_picker = QComboBox()
        self.kind_picker.setObjectName("kindPicker")
        for kind in KINDS:
            self.kind_picker.addItem(KIND_NAMES[kind], kind)
        top.addWidget(self.kind_picker)
        top.addStretch(1)
        layout.addLayout(top)
        self.kind_stack = QStackedWidget()
        self.kind_forms: dict[str, QWidget] = {}
        self.kind_details: dict[str, QWidget] = {}
        self.preset_boxes: dict[str, QComboBox] = {}
        self.folder_boxes: dict[str, QComboBox] = {}
        self.folder_notes: dict[str, QLabel] = {}
        for kind in KINDS:
            form = self._kind_form(kind)
            self.kind_forms[kind] = form
            self.kind_stack.addWidget(form)
        self.kind_picker.currentIndexChanged.connect(self.kind_stack.setCurrentIndex)
        layout.addWidget(self.kind_stack)
        layout.addStretch(1)
        return page

    def _kind_form(self, kind: str) -> QWidget:
        form = QWidget()
        layout = QVBoxLayout(form)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._check(f"{kind}.enabled"))
        self.fields[f"{kind}.enabled"].widget.toggled.connect(lambda _on, k=kind: self._kind_enabled(k))
        details = QWidget()
        self.kind_details[kind] = details
        inner = QVBoxLayout(details)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(self._check(f"{kind}.background"))

        what = QGroupBox("What to sync")
        grid = QFormLayout(what)
        if kind == "contacts":
            grid.addRow("Salesforce contacts:", self._combo("contacts.range"))
            self.fields["contacts.range"].widget.currentIndexChanged.connect(self._range_changed)
            grid.addRow("Campaign:", self._id_combo("contacts.campaign_id", "Choose a campaign…"))
        elif kind == "events":
            grid.addRow("Days back:", self._spin("events.days_back", " days"))
            grid.addRow("Days ahead:", self._spin("events.days_ahead", " days"))
        else:
            grid.addRow("Closed tasks of the last:", self._spin("tasks.closed_days", " days"))
        folder = QWidget()
        fl = QVBoxLayout(folder)
        fl.setContentsMargins(0, 0, 0, 0)
        fl.setSpacing(2)
        fl.addWidget(self._id_combo(f"{kind}.outlook_folder", f"Default {FOLDER_WORDS[kind].lower()}"))
        self.folder_boxes[kind] = self.fields[f"{kind}.outlook_folder"].widget  # type: ignore[assignment]
        note = _hint("")
        note.setVisible(False)
        self.folder_notes[kind] = note
        fl.addWidget(note)
        grid.addRow(f"Outlook {FOLDER_WORDS[kind].lower()}:", folder)
        grid.addRow("", self._check(f"{kind}.include_private"))
        inner.addWidget(what)

        direction = QGroupBox("Direction")
        d = QVBoxLayout(direction)
        row = QHBoxLayout()
        row.addWidget(QLabel("Sync:"))
        preset = QComboBox()
        preset.setObjectName(f"{kind}Preset")
        for name, label in PRESET_LABELS:
            preset.addItem(label, name)
        preset.activated.connect(lambda _i, k=kind: self._preset_picked(k))
        self.preset_boxes[kind] = preset
        row.addWidget(preset)
        row.addStretch(1)
        d.addLayout(row)
        switches = QGridLayout()
        switches.setHorizontalSpacing(18)
        for r, side in enumerate(("outlook", "salesforce"), start=0):
            switches.addWidget(QLabel(f"In {SERVICE_NAMES[side]}, do not:"), r, 0)
            for c, op in enumerate(("create", "update", "delete"), start=1):
                key = f"{kind}.{side}_no_{op}"
                box = self._check(key, text=op, with_note=False)
                box.toggled.connect(lambda _on, k=kind: self._sync_preset(k))
                switches.addWidget(box, r, c)
        switches.setColumnStretch(4, 1)
        d.addLayout(switches)
        note = _lock_note()
        note.setText("Some of these switches are set by your administrator.")
        self._switch_notes = getattr(self, "_switch_notes", {})
        self._switch_notes[kind] = note
        d.addWidget(note)
        d.addWidget(
            _hint("A prevented change is never sent: it is counted and listed in the summary as prevented.")
        )
        inner.addWidget(direction)

        conflicts = QGroupBox("Conflicts and special cases")
        c = QFormLayout(conflicts)
        c.addRow("When both sides changed the same field:", self._combo(f"{kind}.conflict_policy"))
        c.addRow("", self._check(f"{kind}.restore_deleted"))
        c.addRow("", self._check(f"{kind}.truncate_long_values"))
        inner.addWidget(conflicts)
        layout.addWidget(details)
        layout.addStretch(1)
        return form

    def _auto_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.auto_locked_note = QLabel(AUTO_LOCKED_TEXT)
        self.auto_locked_note.setObjectName("autoLockedNote")
        self.auto_locked_note.setWordWrap(True)
        self.auto_locked_note.setStyleSheet(
            "QLabel#autoLockedNote { background: #fff4e5; "
            "color: #663c00; border: 1px solid #ffd8a8; "
            "border-radius: 4px; padding: 8px; }"
        )
        layout.addWidget(self.auto_locked_note)
        self.auto_body = QWidget()
        body = QVBoxLayout(self.auto_body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self._check("auto.enabled"))
        when = QGroupBox("When")
        form = QFormLayout(when)
        form.addRow("Every:", self._combo("auto.frequency_min"))
        self.window_slider = QRangeSlider(Qt.Orientation.Horizontal)
        self.window_slider.setObjectName("windowSlider")
        self.window_slider.setRange(0, SLOTS)
        self.window_slider.setSingleStep(1)
        self.window_slider.setPageStep(4)
        self.window_slider.setMinimumWidth(360)
        self.window_slider.setToolTip(SPECS["auto.window_start"].help)
        self.window_label = QLabel()
        self.window_label.setObjectName("windowLabel")
        self.window_note = _hint("")
        self.window_note.setVisible(False)
        ticks = QHBoxLayout()
        ticks.setContentsMargins(0, 0, 0, 0)
        for i, text in enumerate(("00:00", "06:00", "12:00", "18:00", "24:00")):
            if i:
                ticks.addStretch(1)
            tick = QLabel(text)
            tick.setStyleSheet("color: palette(placeholder-text);")
            ticks.addWidget(tick)
        slider_box = QWidget()
        sb = QVBoxLayout(slider_box)
        sb.setContentsMargins(0, 0, 0, 0)
        sb.setSpacing(2)
        sb.addWidget(self.window_label)
        sb.addWidget(self.window_slider)
        sb.addLayout(ticks)
        sb.addWidget(self.window_note)
        self._window_note_lock = _lock_note()
        sb.addWidget(self._window_note_lock)
        form.addRow("Daily window:", slider_box)
        self.window_slider.valueChanged.connect(self._slider_changed)
        self._window_loaded: tuple[str, str] = ("07:00", "19:00")

        def get_start() -> str:
            lo, hi = self.window_slider.value()
            if (lo, hi) == self._slider_loaded:
                return self._window_loaded[0]
            return slot_to_time(lo)

        def get_end() -> str:
            lo, hi = self.window_slider.value()
            if (lo, hi) == self._slider_loaded:
                return self._window_loaded[1]
            return slot_to_time(hi, end=True)

        def put_start(value: str) -> None:
            self._window_loaded = (value, self._window_loaded[1])
            self._place_slider()

        def put_end(value: str) -> None:
            self._window_loaded = (self._window_loaded[0], value)
            self._place_slider()

        self._slider_loaded: tuple[int, int] = (28, 76)
        for key, get, put in (
            ("auto.window_start", get_start, put_start),
            ("auto.window_end", get_end, put_end),
        ):
            self.fields[key] = Field(key, self.window_slider, get, put, note=self._window_note_lock)

        days = QWidget()
        dl = QHBoxLayout(days)
        dl.setContentsMargins(0, 0, 0, 0)
        self.day_boxes = []
        for name in DAY_NAMES:
            box = QCheckBox(name[:3])
            box.setToolTip(name)
            box.toggled.connect(self._changed)
            self.day_boxes.append(box)
            dl.addWidget(box)
        dl.addStretch(1)
        day_note = _lock_note()
        dl.addWidget(day_note)
        self.fields["auto.days"] = Field(
            "auto.days",
            days,
            lambda: [i for i, b in enumerate(self.day_boxes) if b.isChecked()],
            lambda value: [b.setChecked(i in value) for i, b in enumerate(self.day_boxes)],
            note=day_note,
            extra=list(self.day_boxes),
        )
        self._page_of["auto.days"] = self._building_page
        self._page_of["auto.window_start"] = self._page_of["auto.window_end"] = self._building_page
        form.addRow("On these days:", days)
        body.addWidget(when)

        budget = QGroupBox("Salesforce API budget")
        bl = QFormLayout(budget)
        bl.addRow("Pause when less than this is left:", self._spin("auto.min_api_budget_pct", " %"))
        bl.addRow(_hint(SPECS["auto.min_api_budget_pct"].help))
        body.addWidget(budget)
        body.addWidget(
            QLabel('Which kinds take part: see "Include in background sync" on the Sync Jobs page.')
        )
        layout.addWidget(self.auto_body)
        layout.addStretch(1)
        return page

    def _notify_page(self) -> QWidget:
        return self._checks_page(
            self._checks_group(
                "Show a desktop notification",
                ("notify.on_start", "notify.on_success", "notify.on_warnings", "notify.on_errors"),
                "Notifications appear beside the tray icon; clicking one opens the run "
                "or the issue it is about.",
            ),
            self._checks_group("Start-up", ("general.start_at_login",)),
        )

    def _summary_page(self) -> QWidget:
        return self._checks_page(
            self._checks_group(
                "Summary window",
                ("summary.after_manual", "summary.after_auto", "summary.only_when_changed"),
                "The summary lists what a sync created, updated, deleted and "
                "prevented on each side, and anything that needs your attention.",
            )
        )

    def _checks_group(self, title: str, keys: tuple[str, ...], hint: str | None = None) -> QGroupBox:
        """A titled group of on/off settings, one check box per key, a hint below if given."""
        group = QGroupBox(title)
        g = QVBoxLayout(group)
        for key in keys:
            g.addWidget(self._check(key))
        if hint:
            g.addWidget(_hint(hint))
        return group

    @staticmethod
    def _checks_page(*groups: QWidget) -> QWidget:
        """A page of groups stacked at the top."""
        page = QWidget()
        layout = QVBoxLayout(page)
        for group in groups:
            layout.addWidget(group)
        layout.addStretch(1)
        return page

    def _accounts_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
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
            signout.clicked.connect(lambda _c, s=service: self._ask_sign_out(s))
            self.reconnect_buttons[service] = reconnect
            self.signout_buttons[service] = signout
            row.addWidget(reconnect)
            row.addWidget(signout)
            row.addStretch(1)
            g.addLayout(row)
            layout.addWidget(group)
        advanced = QGroupBox("Sign-in settings")
        a = QFormLayout(advanced)
        a.addRow(
            _hint(
                "Usually set by your administrator. Changes take effect the next time "
                "Tandem starts; sign in again afterwards."
            )
        )
        for key in (
            "accounts.salesforce_login_host",
            "accounts.salesforce_client_id",
            "accounts.microsoft_client_id",
            "accounts.microsoft_authority",
        ):
            a.addRow(SPECS[key].label + ":", self._line(key))
        layout.addWidget(advanced)
        self.accounts_status = QLabel()
        self.accounts_status.setWordWrap(True)
        self.accounts_status.setObjectName("accountsStatus")
        layout.addWidget(self.accounts_status)
        layout.addStretch(1)
        return page

    def _support_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        logs = QGroupBox("Log files")
        lg = QVBoxLayout(logs)
        path = QLabel(str(self.ctx.paths.log_dir))
        path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        path.setWordWrap(True)
        lg.addWidget(path)
        open_logs = QPushButton("Open log folder")
        open_logs.setObjectName("openLogs")
        open_logs.clicked.connect(self.open_log_folder)
        lg.addWidget(open_logs, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(logs)

        diag = QGroupBox("Diagnostics for support")
        dg = QVBoxLayout(diag)
        dg.addWidget(
            _hint(
                "Saves one zip file with the logs, your settings, recent runs, open "
                "issues and version facts. Sign-in tokens are removed; nothing from "
                "your keyring is included."
            )
        )
        self.export_button = QPushButton("Export diagnostics…")
        self.export_button.setObjectName("exportDiagnostics")
        self.export_button.clicked.connect(self.choose_export_path)
        dg.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(diag)

        rebuild = QGroupBox("Rebuild")
        rg = QVBoxLayout(rebuild)
        rg.addWidget(
            _hint(
                "If items look paired wrongly or a sync keeps failing, Tandem can forget "
                "which items belong together and pair them again on the next sync. "
                "Nothing is changed in Outlook or Salesforce."
            )
        )
        row = QHBoxLayout()
        self.rebuild_kind = QComboBox()
        self.rebuild_kind.setObjectName("rebuildKind")
        for kind in KINDS:
            self.rebuild_kind.addItem(KIND_NAMES[kind], kind)
        self.rebuild_button = QPushButton("Rebuild…")
        self.rebuild_button.setObjectName("rebuild")
        self.rebuild_button.clicked.connect(self._ask_rebuild)
        row.addWidget(self.rebuild_kind)
        row.addWidget(self.rebuild_button)
        row.addStretch(1)
        rg.addLayout(row)
        layout.addWidget(rebuild)
        self.support_status = QLabel()
        self.support_status.setObjectName("supportStatus")
        self.support_status.setWordWrap(True)
        self.support_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.support_status)
        layout.addStretch(1)
        return page

    # -- control factories ----------------------------------------------------------------------

    def _bind(
        self,
        key: str,
        widget: QWidget,
        get: Callable[[], Any],
        put: Callable[[Any], None],
        signal: Any,
        with_note: bool = True,
        note_below: bool = False,
    ) -> QWidget:
        spec = SPECS[key]
        widget.setToolTip(spec.help)
        widget.setObjectName(key)
        note = _lock_note() if with_note else None
        self.fields[key] = Field(key, widget, get, put, note=note)
        self._page_of[key] = self._building_page
        signal.connect(self._changed)
        if note is None:
            return widget
        holder = QWidget()
        row = QVBoxLayout(holder) if note_below else QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2 if note_below else 8)
        row.addWidget(widget)
        row.addWidget(note)
        if not note_below:
            row.addStretch(1)
        return holder

    def _check(self, key: str, *, text: str | None = None, with_note: bool = True) -> Any:
        box = QCheckBox(text or SPECS[key].label)
        holder = self._bind(
            key, box, box.isChecked, lambda v: box.setChecked(bool(v)), box.toggled, with_note
        )
        return box if not with_note else _CheckHolder(holder, box)

    def _combo(self, key: str) -> QWidget:
        spec = SPECS[key]
        combo = QComboBox()
        labels = spec.choice_labels or tuple(str(c) for c in spec.choices or ())
        for value, label in zip(spec.choices or (), labels, strict=False):
            combo.addItem(label, value)

        def put(value: Any) -> None:
            index = combo.findData(value)
            if index < 0:
                combo.addItem(str(value), value)
                index = combo.count() - 1
            combo.setCurrentIndex(index)

        return self._bind(key, combo, combo.currentData, put, combo.currentIndexChanged)

    def _id_combo(self, key: str, placeholder: str) -> QWidget:
        """A picker of ids (folders, campaigns) filled later; None is the placeholder entry."""
        combo = QComboBox()
        combo.setMinimumWidth(260)
        combo.addItem(placeholder, None)

        def put(value: Any) -> None:
            index = combo.findData(value)
            if index < 0:
                combo.addItem(f"Saved choice ({value})", value)
                index = combo.count() - 1
            combo.setCurrentIndex(index)

        return self._bind(key, combo, combo.currentData, put, combo.currentIndexChanged)

    def _spin(self, key: str, suffix: str = "") -> QWidget:
        spec = SPECS[key]
        spin = QSpinBox()
        spin.setRange(
            spec.minimum if spec.minimum is not None else 0,
            spec.maximum if spec.maximum is not None else 10_000,
        )
        spin.setSuffix(suffix)
        spin.setMinimumWidth(110)
        return self._bind(key, spin, spin.value, lambda v: spin.setValue(int(v)), spin.valueChanged)

    def _line(self, key: str) -> QWidget:
        spec = SPECS[key]
        line = QLineEdit()
        line.setMinimumWidth(240)
        line.setPlaceholderText(
            "from your organisation's administrator, unless the policy file sets it"
            if spec.nullable and "client" in key
            else "any work or school account"
            if spec.nullable
            else ""
        )
        line.setClearButtonEnabled(True)

        def get() -> Any:
            text = line.text().strip()
            return text or (None if spec.nullable else text)

        return self._bind(
            key,
            line,
            get,
            lambda v: line.setText("" if v is None else str(v)),
            line.textChanged,
            note_below=True,
        )

    # -- behaviour ---------------------------------------------------------------------------------

    def _show_lock(self, f: Field) -> None:
        for w in [f.widget, *f.extra]:
            if f.locked:
                w.setEnabled(False)
                w.setToolTip(LOCK_NOTE + ". " + SPECS[f.key].help)
            elif f.key in ("auto.window_start", "auto.window_end"):
                w.setEnabled(
                    not (self.fields["auto.window_start"].locked or self.fields["auto.window_end"].locked)
                )
            else:
                w.setEnabled(True)
        if f.note is not None:
            if f.key in ("auto.window_start", "auto.window_end"):
                f.note.setVisible(
                    self.fields["auto.window_start"].locked or self.fields["auto.window_end"].locked
                )
            else:
                f.note.setVisible(f.locked)
        for kind in KINDS:
            if hasattr(self, "_switch_notes"):
                self._switch_notes[kind].setVisible(
                    any(self.fields[f"{kind}.{s}"].locked for s in SWITCHES if f"{kind}.{s}" in self.fields)
                )

    def _set_enabled(self, key: str, on: bool) -> None:
        f = self.fields[key]
        f.widget.setEnabled(on and not f.locked)

    def _changed(self, *_: Any) -> None:
        if not hasattr(self, "apply_button"):
            return
        dirty = bool(self.pending())
        self.apply_button.setEnabled(dirty)
        if dirty:
            self.saved.setText("")

    def _kind_enabled(self, kind: str) -> None:
        self.kind_details[kind].setEnabled(bool(self.fields[f"{kind}.enabled"].get()))

    def _range_changed(self, *_: Any) -> None:
        self._set_enabled("contacts.campaign_id", self.fields["contacts.range"].get() == "campaign")

    def _switch_values(self, kind: str) -> dict[str, bool]:
        return {s: bool(self.fields[f"{kind}.{s}"].get()) for s in SWITCHES}

    def _sync_preset(self, kind: str) -> None:
        box = self.preset_boxes[kind]
        with _quiet(box):
            box.setCurrentIndex(box.findData(detect_preset(kind, self._switch_values(kind))))
        box.setEnabled(not all(self.fields[f"{kind}.{s}"].locked for s in SWITCHES))

    def _preset_picked(self, kind: str) -> None:
        name = self.preset_boxes[kind].currentData()
        if name == "custom":
            return
        target = KindSettings.preset(kind, name)
        for s in SWITCHES:
            f = self.fields[f"{kind}.{s}"]
            if not f.locked:
                with _quiet(f.widget):
                    f.put(getattr(target, s))
        self._sync_preset(kind)
        self._changed()

    def _place_slider(self) -> None:
        start, end = self._window_loaded
        slots = window_to_slots(start, end)
        self._slider_loaded = slots if slots is not None else (0, SLOTS)
        with _quiet(self.window_slider):
            self.window_slider.setValue(self._slider_loaded)
        self._slider_changed()

    def _slider_changed(self, *_: Any) -> None:
        if not hasattr(self, "window_slider"):
            return
        lo, hi = self.window_slider.value()
        start, end = self.fields["auto.window_start"].get(), self.fields["auto.window_end"].get()
        self.window_label.setText(
            window_words(start, end)
            if (lo, hi) == self._slider_loaded
            else window_words(slot_to_time(lo), slot_to_time(hi))
        )
        spans = window_to_slots(*self._window_loaded) is None
        self.window_note.setVisible(spans and (lo, hi) == self._slider_loaded)
        if spans:
            self.window_note.setText(
                "Your window runs across midnight, which the slider cannot "
                "show. Moving the slider sets a window within one day."
            )
        self._changed()

    def refresh_auto_lock(self) -> None:
        """Auto sync is locked until a manual sync was previewed and applied."""
        unlocked = auto_sync_unlocked(self.ctx.store)
        self.auto_locked_note.setVisible(not unlocked)
        self.auto_body.setEnabled(unlocked)

    @property
    def auto_sync_locked(self) -> bool:
        return not self.auto_body.isEnabled()

    def _problem(self, values: dict[str, Any]) -> tuple[str, str] | None:
        """Combinations a single setting cannot check, in plain words."""
        get = lambda key: values.get(key, self.fields[key].get())  # noqa: E731
        if (
            get("contacts.enabled")
            and get("contacts.range") == "campaign"
            and not get("contacts.campaign_id")
        ):
            return (
                "contacts.campaign_id",
                "Choose the campaign whose members Tandem should sync, "
                "or pick another range of Salesforce contacts.",
            )
        lo, hi = self.window_slider.value()
        if lo == hi and (lo, hi) != self._slider_loaded:
            return (
                "auto.window_start",
                "The daily window is empty. Drag the two handles apart, "
                "or to both ends of the bar for all day.",
            )
        if get("auto.enabled") and not get("auto.days"):
            return ("auto.days", "Pick at least one day of the week for auto sync, or switch auto sync off.")
        return None

    def _refuse(self, key: str | None, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(True)
        self.saved.setText("")
        if key in self._page_of:
            self.pages.setCurrentRow(self._page_of[key])
            if key.split(".")[0] in KINDS and self._page_of[key] == 0:
                self.kind_picker.setCurrentIndex(KINDS.index(key.split(".")[0]))
            self.fields[key].widget.setFocus()

    def _ok(self) -> None:
        if self.apply():
            self.accept()

    def _busy_changed(self, busy: bool) -> None:
        self.rebuild_button.setEnabled(not busy)
        self.rebuild_button.setToolTip("Wait until the running sync has finished." if busy else "")

    # -- accounts ----------------------------------------------------------------------------------

    def refresh_accounts(self) -> None:
        try:
            who = self.ctx.signed_in()
        except Exception as exc:
            who = {"outlook": None, "salesforce": None}
            self.accounts_status.setText(_words(exc))
        for service, label in self.account_labels.items():
            facts = who.get(service)
            if facts:
                text = f"Connected as {_who(facts)}"
                if service == "salesforce" and facts.get("instance_url"):
                    text += f"\nOrg {facts.get('organization_id')}, {facts.get('instance_url')}"
                elif facts.get("tenant_id"):
                    text += f"\nTenant {facts.get('tenant_id')}"
            else:
                text = "Not connected"
            label.setText(text)
            self.reconnect_buttons[service].setText("Reconnect" if facts else "Connect")
            self.signout_buttons[service].setEnabled(bool(facts))

    def _ask_sign_out(self, service: str) -> None:
        name = SERVICE_NAMES[service]
        self._ask(
            f"Sign out of {name}?",
            f"Tandem forgets your {name} sign-in on this computer"
            + (" and asks Salesforce to revoke it" if service == "salesforce" else "")
            + ". Nothing is synced until you connect again; your data in Outlook and "
            "Salesforce is not touched.",
            "Sign out",
            lambda: self._spawn(self._sign_out(service)),
        )

    async def _sign_out(self, service: str) -> None:
        name = SERVICE_NAMES[service]
        self.accounts_status.setText(f"Signing out of {name}…")
        try:
            if service == "outlook":
                await asyncio.to_thread(lambda: self.ctx.accounts.outlook().logout())
                words = f"Signed out of {name}; the sign-in was forgotten on this computer."
            else:
                result = await self.ctx.accounts.salesforce().logout()
                words = (
                    f"Signed out of {name}; the sign-in was revoked and forgotten."
                    if result.get("revoked")
                    else f"Signed out of {name}; the sign-in was forgotten on this computer. "
                    + (result.get("warning") or "")
                )
        except Exception as exc:
            self.accounts_status.setText(_words(exc))
            return
        self.accounts_status.setText(words.strip())
        self.refresh_accounts()
        self.signed_out.emit(service)

    # -- support -----------------------------------------------------------------------------------

    def open_log_folder(self) -> bool:
        folder = Path(self.ctx.paths.log_dir)
        folder.mkdir(parents=True, exist_ok=True)
        ok = QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
        if not ok:
            self.support_status.setText(f"Tandem could not open a file manager. The logs are in {folder}.")
        return ok

    def choose_export_path(self) -> None:
        docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        start = Path(docs or Path.home()) / diagnostics.default_name()
        dialog = QFileDialog(self, "Export diagnostics", str(start), "Zip files (*.zip)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setDefaultSuffix("zip")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.fileSelected.connect(lambda path: self._spawn(self.export_diagnostics(path)))
        self.file_dialog = dialog
        dialog.open()

    async def export_diagnostics(self, path: str) -> Path | None:
        self.export_button.setEnabled(False)
        self.support_status.setText("Saving diagnostics…")
        try:
            target = await asyncio.to_thread(diagnostics.export, self.ctx, path, qt_version=QT_VERSION_STR)
        except Exception as exc:
            self.support_status.setText(
                str(exc) if isinstance(exc, diagnostics.DiagnosticsError) else _words(exc)
            )
            return None
        finally:
            self.export_button.setEnabled(True)
        self.support_status.setText(f"Diagnostics saved to {target}. Send this file to your support contact.")
        return target

    def _ask_rebuild(self) -> None:
        kind = self.rebuild_kind.currentData()
        words = KIND_WORDS[kind]
        rule = {
            "contacts": "by email address, then by name and company",
            "events": "by subject, start and end",
            "tasks": "by subject and due date",
        }[kind]
        self._ask(
            f"Rebuild {words}?",
            f"Tandem will forget which Outlook and Salesforce {words} belong together. "
            f"Nothing is changed or deleted in Outlook or Salesforce. The next sync pairs "
            f"them again {rule}, the way the first sync did, and shows you a preview before "
            "anything is written.",
            "Rebuild",
            lambda: self._spawn(self._rebuild(kind)),
        )

    async def _rebuild(self, kind: str) -> None:
        words = KIND_WORDS[kind]
        try:
            forgotten = await self.ctx.service.rebuild(kind)
        except Exception as exc:
            self.support_status.setText(_words(exc))
            return
        self.support_status.setText(
            f"Tandem forgot {forgotten} pair{'s' if forgotten != 1 else ''} "
            f"of {words}. The next sync pairs them again; check its preview."
        )
        if self.controller is not None:
            self.controller.history_changed.emit()

    # -- plumbing ----------------------------------------------------------------------------------

    def _ask(self, title: str, text: str, yes_text: str, on_yes: Callable[[], Any]) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Question, title, title, parent=self)
        box.setInformativeText(text)
        yes = box.addButton(yes_text, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setObjectName("question")

        def done(_result: int) -> None:
            clicked: QAbstractButton | None = box.clickedButton()
            self.question = None
            if clicked is yes:
                on_yes()

        box.finished.connect(done)
        self.question = box
        box.open()
        return box

    def _spawn(self, coro: Any) -> asyncio.Future | None:
        try:
            task = asyncio.ensure_future(coro)
        except RuntimeError:  # no event loop (a script without qasync): skip the work
            coro.close()
            return None
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Future) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("settings task failed: %s", type(task.exception()).__name__)

    def _cancel_tasks(self, *_: Any) -> None:
        for task in list(self._tasks):
            task.cancel()

    def _discover(self) -> None:
        from app import discovery  # looked up when the dialog opens: tests swap the module

        self._spawn(self._fill_folders(discovery))
        self._spawn(self._fill_campaigns(discovery))

    async def _fill_folders(self, discovery: Any) -> None:
        try:
            found = await discovery.outlook_folders(self.ctx)
        except Exception as exc:
            for kind in KINDS:
                self.folder_notes[kind].setText(
                    f"Tandem could not list your Outlook folders, so the default one is used. {_words(exc)}"
                )
                self.folder_notes[kind].setVisible(True)
            return
        for kind in KINDS:
            self._fill(f"{kind}.outlook_folder", found.get(kind) or [])
            self.folder_notes[kind].setVisible(False)

    async def _fill_campaigns(self, discovery: Any) -> None:
        try:
            found = await discovery.campaigns(self.ctx)
        except Exception:
            return
        self._fill(
            "contacts.campaign_id",
            [{"id": None, "name": "Choose a campaign…"}]
            + [
                {"id": c["id"], "name": c["name"] + ("" if c.get("active", True) else " (inactive)")}
                for c in found
            ],
        )

    def _fill(self, key: str, items: list[dict[str, Any]]) -> None:
        """Replace a picker's entries, keeping what is selected (and what was loaded)."""
        f = self.fields[key]
        combo: QComboBox = f.widget  # type: ignore[assignment]
        current = combo.currentData()
        if not items:
            return
        with _quiet(combo):
            combo.clear()
            for item in items:
                combo.addItem(item["name"] + (" (default)" if item.get("default") else ""), item.get("id"))
            index = combo.findData(current)
            if index < 0:
                combo.addItem(f"Saved choice, not found ({current})", current)
                index = combo.count() - 1
            combo.setCurrentIndex(index)
        self._changed()


class _CheckHolder(QWidget):
    """A check box with its lock note beside it; behaves as the check box in layouts."""

    def __init__(self, holder: QWidget, box: QCheckBox) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(holder)
        self.box = box
        self.toggled = box.toggled


class _quiet:
    """Block the signals of some widgets for a moment (loading values is not a change)."""

    def __init__(self, *widgets: QWidget) -> None:
        self.widgets = widgets
        self.before: list[bool] = []

    def __enter__(self) -> None:
        self.before = [w.blockSignals(True) for w in self.widgets]

    def __exit__(self, *exc: Any) -> None:
        for w, was in zip(self.widgets, self.before, strict=False):
            w.blockSignals(was)


def _who(facts: dict[str, Any]) -> str:
    name, user = facts.get("name") or "", facts.get("username") or ""
    return f"{name} <{user}>" if name and user else (name or user or "an unknown account")


def _words(exc: BaseException) -> str:
    title, message = getattr(exc, "title", None), getattr(exc, "message", None)
    if title and message:
        return f"{title}. {message}" if not title.endswith(".") else f"{title} {message}"
    return message or title or f"Something went wrong ({type(exc).__name__})."
