"""The wizard's auto sync page: on/off, how often, the daily window (30-minute steps), the days
and which kinds take part. Locked until a first sync was previewed and applied."""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)
from superqt import QRangeSlider

from app.settings import SPECS
from ui.widget_parts import slider_range
from ui.wizard.common import KIND_NAMES, save_settings, set_status, status_label

DAY_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
STEP_MIN = 30


def _to_steps(text: str) -> int:
    hours, minutes = (int(p) for p in text.split(":"))
    return (hours * 60 + minutes) // STEP_MIN


def _to_time(steps: int) -> str:
    minutes = (steps * STEP_MIN) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _label_time(steps: int) -> str:
    return "24:00" if steps * STEP_MIN >= 24 * 60 else _to_time(steps)


class AutoPage(QWizardPage):
    """Auto sync: enable, frequency, daily window and days; locked until a sync was applied."""

    def __init__(self, wizard: Any) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("Sync automatically")
        self.setSubTitle(
            "Tandem can sync in the background on a schedule. It never runs two "
            "syncs at once and tells you when something needs your attention."
        )
        self._ctx: Any = None
        self.enabled = QCheckBox("Sync automatically in the background")
        self.enabled.setObjectName("autoEnabled")
        self.enabled.toggled.connect(self._toggled)
        self.locked_note = status_label()
        self.locked_note.setObjectName("autoLockedNote")
        self.frequency = QComboBox()
        spec = SPECS["auto.frequency_min"]
        for value, label in zip(spec.choices or (), spec.choice_labels or (), strict=False):
            self.frequency.addItem(label, value)
        self.window_slider = QRangeSlider(Qt.Orientation.Horizontal)
        self.window_slider.setObjectName("autoWindow")
        self.window_slider.setRange(0, 24 * 60 // STEP_MIN)
        self.window_slider.setSingleStep(1)
        self.window_slider.setPageStep(2)
        self.window_slider.setMinimumWidth(380)
        self.window_slider.valueChanged.connect(self._window_moved)
        self.window_label = QLabel()
        self.window_label.setMinimumWidth(120)
        self.day_buttons: list[QToolButton] = []
        days = QHBoxLayout()
        days.setSpacing(4)
        for i, name in enumerate(DAY_SHORT):
            button = QToolButton()
            button.setText(name)
            button.setCheckable(True)
            button.setMinimumWidth(44)
            button.setObjectName(f"day_{i}")
            button.setStyleSheet(
                "QToolButton:checked { background: palette(highlight); "
                "color: palette(highlighted-text); border-radius: 3px; "
                "padding: 3px; }"
            )
            self.day_buttons.append(button)
            days.addWidget(button)
        days.addStretch(1)
        self.kind_boxes = {kind: QCheckBox(KIND_NAMES[kind]) for kind in KIND_NAMES}
        kinds = QHBoxLayout()
        for box in self.kind_boxes.values():
            kinds.addWidget(box)
        kinds.addStretch(1)
        window_row = QHBoxLayout()
        window_row.addWidget(self.window_slider, 1)
        window_row.addWidget(self.window_label)
        self.details = QWidget()
        form = QFormLayout(self.details)
        form.setContentsMargins(24, 4, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow("Every", self.frequency)
        form.addRow("Between", window_row)
        form.addRow("On", days)
        form.addRow("Include", kinds)
        self.status = status_label()
        layout = QVBoxLayout(self)
        layout.addWidget(self.locked_note)
        layout.addWidget(self.enabled)
        layout.addWidget(self.details)
        layout.addWidget(self.status)
        layout.addStretch(1)

    @property
    def unlocked(self) -> bool:
        return bool(self.w.ctx and self.w.ctx.settings.auto_sync_unlocked())

    def initializePage(self) -> None:  # noqa: N802 (Qt)
        ctx = self.w.ctx
        s = ctx.settings
        if ctx is not self._ctx:
            self._ctx = ctx
            self.frequency.setCurrentIndex(max(0, self.frequency.findData(s.get("auto.frequency_min"))))
            start, end = _to_steps(s.get("auto.window_start")), _to_steps(s.get("auto.window_end"))
            if end <= start:  # spans midnight or all day: the slider shows start..24:00
                end = 24 * 60 // STEP_MIN
            self.window_slider.setValue((start, end))
            self._window_moved(slider_range(self.window_slider))
            chosen = set(s.get("auto.days"))
            for i, button in enumerate(self.day_buttons):
                button.setChecked(i in chosen)
            for kind, box in self.kind_boxes.items():
                box.setChecked(bool(s.get(f"{kind}.background")))
            self.enabled.setChecked(bool(s.get("auto.enabled")) and self.unlocked)
        for kind, box in self.kind_boxes.items():
            box.setVisible(bool(s.get(f"{kind}.enabled")))
        unlocked = self.unlocked
        self.enabled.setEnabled(unlocked and not s.is_locked("auto.enabled"))
        if not unlocked:
            self.enabled.setChecked(False)
            set_status(
                self.locked_note,
                "Auto sync becomes available once a first sync has been "
                "previewed and applied, so you have seen what Tandem does before it runs on "
                "its own. Use Sync now in the main window when you are ready.",
                "info",
            )
        else:
            set_status(self.locked_note, "")
        for key, widget in (
            ("auto.frequency_min", self.frequency),
            ("auto.days", None),
            ("auto.window_start", self.window_slider),
        ):
            if widget is not None and s.is_locked(key):
                widget.setEnabled(False)
        self._toggled(self.enabled.isChecked())

    def cleanupPage(self) -> None:  # noqa: N802 (Qt)
        pass

    def _toggled(self, on: bool) -> None:
        self.details.setEnabled(on)

    def _window_moved(self, value: Any) -> None:
        start, end = value
        self.window_label.setText(f"{_label_time(start)} – {_label_time(end)}")

    def values(self) -> dict[str, Any]:
        start, end = slider_range(self.window_slider)
        values: dict[str, Any] = {
            "auto.frequency_min": self.frequency.currentData(),
            "auto.window_start": _to_time(start),
            "auto.window_end": _to_time(end),
            "auto.days": [i for i, b in enumerate(self.day_buttons) if b.isChecked()],
        }
        for kind, box in self.kind_boxes.items():
            values[f"{kind}.background"] = box.isChecked()
        if self.unlocked:
            values["auto.enabled"] = self.enabled.isChecked()
        return values

    def validatePage(self) -> bool:  # noqa: N802 (Qt)
        values = self.values()
        if values.get("auto.enabled"):
            if not values["auto.days"]:
                set_status(self.status, "Choose at least one day for auto sync, or switch it off.", "error")
                return False
            if (
                values["auto.window_start"] == values["auto.window_end"]
                and slider_range(self.window_slider)[0] == slider_range(self.window_slider)[1]
            ):
                set_status(self.status, "The daily window is empty: drag the handles apart.", "error")
                return False
        return save_settings(self.w.ctx.settings, self.status, values)


__all__ = ["AutoPage"]
