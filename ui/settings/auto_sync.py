"""The settings window's Auto Background Sync page: on/off, how often, the daily window (a
range slider in 15-minute steps), the days and the Salesforce API budget. The page stays
disabled until a first manual sync was previewed and applied.

The slider's right end (24:00) is stored as "00:00": 07:00-24:00 is "07:00"-"00:00" (until
midnight) and the whole bar is "00:00"-"00:00" (all day), which is what the scheduler reads.
A stored window that spans midnight (22:00-06:00) is described in words; it is kept unless
the slider is moved.
"""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QCheckBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget
from superqt import QRangeSlider

from app.settings import DAY_NAMES, SPECS, auto_sync_unlocked
from ui.locked import lock_note
from ui.settings.form import Field, SettingsForm, hint, quiet
from ui.widget_parts import slider_range

STEP_MIN = 15
SLOTS = 24 * 60 // STEP_MIN  # 96 steps: the right end is 24:00
AUTO_LOCKED_TEXT = (
    "Auto sync becomes available after your first manual sync has been "
    "previewed and applied, so you have seen what Tandem does before it works "
    "on its own. Press Sync now in the main window, check the preview, then "
    "apply it."
)
WINDOW_KEYS = ("auto.window_start", "auto.window_end")


# -- time window <-> slider ---------------------------------------------------------------------


def time_to_slot(text: str) -> int:
    hours, minutes = (int(p) for p in text.split(":"))
    return min(SLOTS, round((hours * 60 + minutes) / STEP_MIN))


def slot_to_time(slot: int, *, end: bool = False) -> str:
    """A slider position as HH:MM; the right end (24:00) as "00:00" (midnight)."""
    minutes = (slot * STEP_MIN) % (24 * 60)
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


class AutoSyncPage(QWidget):
    def __init__(self, form: SettingsForm, store: Any) -> None:
        super().__init__()
        self.form, self.store = form, store
        layout = QVBoxLayout(self)
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
        body.addWidget(form.check("auto.enabled"))
        when = QGroupBox("When")
        when_form = QFormLayout(when)
        when_form.addRow("Every:", form.combo("auto.frequency_min"))
        when_form.addRow("Daily window:", self._window_box())
        when_form.addRow("On these days:", self._days_box())
        body.addWidget(when)

        budget = QGroupBox("Salesforce API budget")
        bl = QFormLayout(budget)
        bl.addRow("Pause when less than this is left:", form.spin("auto.min_api_budget_pct", " %"))
        bl.addRow(hint(SPECS["auto.min_api_budget_pct"].help))
        body.addWidget(budget)
        body.addWidget(
            QLabel('Which kinds take part: see "Include in background sync" on the Sync Jobs page.')
        )
        layout.addWidget(self.auto_body)
        layout.addStretch(1)

    def _window_box(self) -> QWidget:
        self.window_slider = QRangeSlider(Qt.Orientation.Horizontal)
        self.window_slider.setObjectName("windowSlider")
        self.window_slider.setRange(0, SLOTS)
        self.window_slider.setSingleStep(1)
        self.window_slider.setPageStep(4)
        self.window_slider.setMinimumWidth(360)
        self.window_slider.setToolTip(SPECS["auto.window_start"].help)
        self.window_label = QLabel()
        self.window_label.setObjectName("windowLabel")
        self.window_note = hint("")
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
        window_lock = lock_note()
        sb.addWidget(window_lock)
        self.window_slider.valueChanged.connect(self.slider_changed)
        self._window_loaded: tuple[str, str] = ("07:00", "19:00")
        self._slider_loaded: tuple[int, int] = (28, 76)

        def get_start() -> str:
            lo, hi = slider_range(self.window_slider)
            if (lo, hi) == self._slider_loaded:
                return self._window_loaded[0]
            return slot_to_time(lo)

        def get_end() -> str:
            lo, hi = slider_range(self.window_slider)
            if (lo, hi) == self._slider_loaded:
                return self._window_loaded[1]
            return slot_to_time(hi, end=True)

        def put_start(value: str) -> None:
            self._window_loaded = (value, self._window_loaded[1])
            self._place_slider()

        def put_end(value: str) -> None:
            self._window_loaded = (self._window_loaded[0], value)
            self._place_slider()

        for key, get, put in (
            ("auto.window_start", get_start, put_start),
            ("auto.window_end", get_end, put_end),
        ):
            self.form.add(Field(key, self.window_slider, get, put, note=window_lock, lock_group=WINDOW_KEYS))
        return slider_box

    def _days_box(self) -> QWidget:
        days = QWidget()
        dl = QHBoxLayout(days)
        dl.setContentsMargins(0, 0, 0, 0)
        self.day_boxes: list[QCheckBox] = []
        for name in DAY_NAMES:
            box = QCheckBox(name[:3])
            box.setToolTip(name)
            box.toggled.connect(self.form.changed)
            self.day_boxes.append(box)
            dl.addWidget(box)
        dl.addStretch(1)
        day_note = lock_note()
        dl.addWidget(day_note)

        def put(value: list[int]) -> None:
            for i, b in enumerate(self.day_boxes):
                b.setChecked(i in value)

        self.form.add(
            Field(
                "auto.days",
                days,
                lambda: [i for i, b in enumerate(self.day_boxes) if b.isChecked()],
                put,
                note=day_note,
                extra=list(self.day_boxes),
            )
        )
        return days

    def loaded(self) -> None:
        self.slider_changed()
        self.refresh_auto_lock()

    def _place_slider(self) -> None:
        start, end = self._window_loaded
        slots = window_to_slots(start, end)
        self._slider_loaded = slots if slots is not None else (0, SLOTS)
        with quiet(self.window_slider):
            self.window_slider.setValue(self._slider_loaded)
        self.slider_changed()

    def slider_changed(self, *_: object) -> None:
        lo, hi = slider_range(self.window_slider)
        start, end = self.form.fields["auto.window_start"].get(), self.form.fields["auto.window_end"].get()
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
        self.form.changed()

    def window_empty(self) -> bool:
        """The person dragged both handles together (a loaded window is never refused)."""
        lo, hi = slider_range(self.window_slider)
        return bool(lo == hi and (lo, hi) != self._slider_loaded)

    def refresh_auto_lock(self) -> None:
        """Auto sync is locked until a manual sync was previewed and applied."""
        unlocked = auto_sync_unlocked(self.store)
        self.auto_locked_note.setVisible(not unlocked)
        self.auto_body.setEnabled(unlocked)

    @property
    def auto_sync_locked(self) -> bool:
        return not self.auto_body.isEnabled()
