"""The settings window's Sync Jobs page: one form per kind (what to sync, the Outlook folder,
the direction, conflicts), picked at the top; the folder and campaign lists come from the
services (app/discovery.py) once the window is open."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from sync.fields import KINDS, Kind
from ui.direction import DirectionEditor
from ui.settings.form import KIND_NAMES, SettingsForm, hint, words

FOLDER_WORDS = {"contacts": "Contacts folder", "events": "Calendar", "tasks": "To Do list"}


class SyncJobsPage(QWidget):
    def __init__(self, form: SettingsForm, ctx: Any) -> None:
        super().__init__()
        self.form, self.ctx = form, ctx
        layout = QVBoxLayout(self)
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
        self.directions: dict[str, DirectionEditor] = {}
        self.folder_boxes: dict[str, QComboBox] = {}
        self.folder_notes: dict[str, QLabel] = {}
        for kind in KINDS:
            kind_form = self._kind_form(kind)
            self.kind_forms[kind] = kind_form
            self.kind_stack.addWidget(kind_form)
        self.kind_picker.currentIndexChanged.connect(self.kind_stack.setCurrentIndex)
        layout.addWidget(self.kind_stack)
        layout.addStretch(1)

    @property
    def preset_boxes(self) -> dict[str, QComboBox]:
        return {kind: editor.preset for kind, editor in self.directions.items()}

    def _kind_form(self, kind: Kind) -> QWidget:
        f = self.form
        kind_form = QWidget()
        layout = QVBoxLayout(kind_form)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(f.check(f"{kind}.enabled"))
        f.check_box(f"{kind}.enabled").toggled.connect(lambda _on, k=kind: self.kind_enabled(k))
        details = QWidget()
        self.kind_details[kind] = details
        inner = QVBoxLayout(details)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(f.check(f"{kind}.background"))

        what = QGroupBox("What to sync")
        grid = QFormLayout(what)
        if kind == "contacts":
            grid.addRow("Salesforce contacts:", f.combo("contacts.range"))
            f.combo_box("contacts.range").currentIndexChanged.connect(self.range_changed)
            grid.addRow("Campaign:", f.id_combo("contacts.campaign_id", "Choose a campaign…"))
        elif kind == "events":
            grid.addRow("Days back:", f.spin("events.days_back", " days"))
            grid.addRow("Days ahead:", f.spin("events.days_ahead", " days"))
        else:
            grid.addRow("Closed tasks of the last:", f.spin("tasks.closed_days", " days"))
        folder = QWidget()
        fl = QVBoxLayout(folder)
        fl.setContentsMargins(0, 0, 0, 0)
        fl.setSpacing(2)
        fl.addWidget(f.id_combo(f"{kind}.outlook_folder", f"Default {FOLDER_WORDS[kind].lower()}"))
        self.folder_boxes[kind] = f.combo_box(f"{kind}.outlook_folder")
        note = hint("")
        note.setVisible(False)
        self.folder_notes[kind] = note
        fl.addWidget(note)
        grid.addRow(f"Outlook {FOLDER_WORDS[kind].lower()}:", folder)
        grid.addRow("", f.check(f"{kind}.include_private"))
        inner.addWidget(what)

        direction = DirectionEditor(kind)
        for switch, box in direction.switches.items():
            f.bind(f"{kind}.{switch}", box, box.isChecked, _setter(box), box.toggled, with_note=False)
        direction.edited.connect(f.changed)
        self.directions[kind] = direction
        inner.addWidget(direction)

        conflicts = QGroupBox("Conflicts and special cases")
        c = QFormLayout(conflicts)
        c.addRow("When both sides changed the same field:", f.combo(f"{kind}.conflict_policy"))
        c.addRow("", f.check(f"{kind}.restore_deleted"))
        c.addRow("", f.check(f"{kind}.truncate_long_values"))
        inner.addWidget(conflicts)
        layout.addWidget(details)
        layout.addStretch(1)
        return kind_form

    def loaded(self) -> None:
        """After the window loaded its fields: directions, the parts that depend on others."""
        for kind in KINDS:
            self.directions[kind].load(self.form.settings)
            self.kind_enabled(kind)
        self.range_changed()

    def show_kind(self, kind: str) -> None:
        self.kind_picker.setCurrentIndex(KINDS.index(kind))

    def kind_enabled(self, kind: str) -> None:
        self.kind_details[kind].setEnabled(bool(self.form.fields[f"{kind}.enabled"].get()))

    def range_changed(self, *_: object) -> None:
        self.form.set_enabled("contacts.campaign_id", self.form.fields["contacts.range"].get() == "campaign")

    async def fill_folders(self, discovery: Any) -> None:
        try:
            found = await discovery.outlook_folders(self.ctx)
        except Exception as exc:
            for kind in KINDS:
                self.folder_notes[kind].setText(
                    f"Tandem could not list your Outlook folders, so the default one is used. {words(exc)}"
                )
                self.folder_notes[kind].setVisible(True)
            return
        for kind in KINDS:
            self.form.fill(f"{kind}.outlook_folder", found.get(kind) or [])
            self.folder_notes[kind].setVisible(False)

    async def fill_campaigns(self, discovery: Any) -> None:
        try:
            found = await discovery.campaigns(self.ctx)
        except Exception:
            return
        self.form.fill(
            "contacts.campaign_id",
            [{"id": None, "name": "Choose a campaign…"}]
            + [
                {"id": c["id"], "name": c["name"] + ("" if c.get("active", True) else " (inactive)")}
                for c in found
            ],
        )


def _setter(box: QCheckBox) -> Callable[[Any], None]:
    return lambda v: box.setChecked(bool(v))
