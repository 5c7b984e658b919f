"""The direction editor of one kind: a preset ("Both ways", one way only, custom) and the six
"do not create / update / delete" switches it stands for, on each side.

The wizard's direction page and the settings dialog's Sync Jobs page both use this widget.
A preset's switches come from :meth:`app.settings.Settings.preset_switches`, the one place
that keeps a switch the administrator's policy locks at its locked value.

    editor = DirectionEditor("contacts")
    editor.load(ctx.settings)        # the saved switches, locked ones disabled
    editor.values()                  # {"contacts.outlook_no_create": False, ...}
    editor.edited.connect(...)       # the person picked a preset or flipped a switch
"""

from __future__ import annotations

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.settings import SWITCHES, Settings, detect_preset
from sync.fields import Kind
from ui.locked import lock_note, show_locked

PRESET_LABELS = (
    ("both", "Both ways"),
    ("to_outlook", "Salesforce to Outlook only"),
    ("to_salesforce", "Outlook to Salesforce only"),
    ("custom", "Custom"),
)
SIDE_NAMES = {"outlook": "Outlook", "salesforce": "Salesforce"}
OPS = ("create", "update", "delete")


class DirectionEditor(QGroupBox):
    """One kind's direction. ``title`` is the group's heading ("Direction" in the settings,
    the kind's name in the wizard)."""

    edited = pyqtSignal()

    def __init__(self, kind: Kind, title: str = "Direction", parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.kind = kind
        self.settings: Settings | None = None
        self._locked: set[str] = set()
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel("Sync:"))
        self.preset = QComboBox()
        self.preset.setObjectName(f"{kind}Preset")
        for name, label in PRESET_LABELS:
            self.preset.addItem(label, name)
        self.preset.activated.connect(self._preset_chosen)
        row.addWidget(self.preset)
        row.addStretch(1)
        layout.addLayout(row)
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        self.switches: dict[str, QCheckBox] = {}
        for r, side in enumerate(SIDE_NAMES):
            grid.addWidget(QLabel(f"In {SIDE_NAMES[side]}, do not:"), r, 0)
            for c, op in enumerate(OPS, start=1):
                switch = f"{side}_no_{op}"
                box = QCheckBox(op)
                box.setObjectName(f"{kind}.{switch}")
                box.toggled.connect(self._switched)
                self.switches[switch] = box
                grid.addWidget(box, r, c)
        grid.setColumnStretch(4, 1)
        layout.addLayout(grid)
        self.lock_note = lock_note("Some of these switches are set by your administrator.")
        layout.addWidget(self.lock_note)
        hint = QLabel(
            "A prevented change is never sent: it is counted and listed in the summary as prevented."
        )
        hint.setWordWrap(True)
        hint.setObjectName("hint")
        hint.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(hint)

    def load(self, settings: Settings) -> None:
        """Show the saved switches of the kind; the ones the policy locks are disabled."""
        self.settings = settings
        self._locked = {s for s in SWITCHES if settings.is_locked(f"{self.kind}.{s}")}
        self._put({f"{self.kind}.{s}": bool(settings.get(f"{self.kind}.{s}")) for s in SWITCHES})
        for switch, box in self.switches.items():
            show_locked(box, f"{self.kind}.{switch}", switch in self._locked)
        self.refresh()

    def values(self) -> dict[str, bool]:
        """The six switches as shown, keyed ``"kind.switch"``."""
        return {f"{self.kind}.{s}": box.isChecked() for s, box in self.switches.items()}

    def refresh(self) -> None:
        """The preset that the switches shown stand for; the lock note when one is locked."""
        name = detect_preset(self.kind, {s: box.isChecked() for s, box in self.switches.items()})
        blocked = self.preset.blockSignals(True)
        self.preset.setCurrentIndex(self.preset.findData(name))
        self.preset.blockSignals(blocked)
        self.preset.setEnabled(len(self._locked) < len(SWITCHES))
        self.lock_note.setVisible(bool(self._locked))

    def _put(self, values: dict[str, bool]) -> None:
        for key, value in values.items():
            box = self.switches[key.partition(".")[2]]
            blocked = box.blockSignals(True)
            box.setChecked(value)
            box.blockSignals(blocked)

    def _preset_chosen(self, index: int) -> None:
        name = self.preset.itemData(index)
        if name == "custom" or self.settings is None:
            return
        self._put(self.settings.preset_switches(self.kind, name))
        self.refresh()
        self.edited.emit()

    def _switched(self, *_: bool) -> None:
        self.refresh()
        self.edited.emit()
