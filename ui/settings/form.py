"""The settings window's controls, each bound to one declared setting, and the plumbing the
pages share (confirmations, asyncio tasks).

    form = SettingsForm(ctx.settings, parent=dialog, on_change=dialog.changed)
    layout.addWidget(form.check("notify.on_success"))   # label and help from SPECS
    form.fields["notify.on_success"].get()              # what the control shows now

Every control is a :class:`Field`: ``get``/``put`` read and show its value; ``locked`` is set
when the window loads (the administrator's policy); ``initial`` is what was loaded, so Apply
writes only what the person changed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.settings import SPECS, Settings
from ui.locked import LOCK_NOTE, lock_note

log = logging.getLogger(__name__)

KIND_NAMES = {"contacts": "Contacts", "events": "Calendar", "tasks": "Tasks"}
KIND_WORDS = {"contacts": "contacts", "events": "calendar events", "tasks": "tasks"}
SERVICE_NAMES = {"outlook": "Outlook", "salesforce": "Salesforce"}


@dataclass
class Field:
    """One control bound to one setting. ``lock_group``: keys whose locks together disable
    the control (the daily window's start and end share one slider)."""

    key: str
    widget: QWidget
    get: Callable[[], Any]
    put: Callable[[Any], Any]
    note: QLabel | None = None
    initial: Any = None
    locked: bool = False
    extra: list[QWidget] = field(default_factory=list)
    lock_group: tuple[str, ...] = ()


def hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setObjectName("hint")
    label.setStyleSheet("color: palette(placeholder-text);")
    return label


def page_scroll(title: str, body: QWidget) -> QScrollArea:
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
    body_layout = body.layout()
    if body_layout is not None:
        body_layout.setContentsMargins(0, 4, 0, 0)
    layout.addWidget(body, 1)
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(page)
    return area


class CheckHolder(QWidget):
    """A check box with its lock note beside it; behaves as the check box in layouts."""

    def __init__(self, holder: QWidget, box: QCheckBox) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(holder)
        self.box = box
        self.toggled = box.toggled


class quiet:  # noqa: N801 - used as a statement: ``with quiet(widget):``
    """Block the signals of some widgets for a moment (loading values is not a change)."""

    def __init__(self, *widgets: QWidget) -> None:
        self.widgets = widgets
        self.before: list[bool] = []

    def __enter__(self) -> None:
        self.before = [w.blockSignals(True) for w in self.widgets]

    def __exit__(self, *exc: object) -> None:
        for w, was in zip(self.widgets, self.before, strict=False):
            w.blockSignals(was)


def who(facts: dict[str, Any]) -> str:
    name, user = facts.get("name") or "", facts.get("username") or ""
    return f"{name} <{user}>" if name and user else (name or user or "an unknown account")


def words(exc: BaseException) -> str:
    title, message = getattr(exc, "title", None), getattr(exc, "message", None)
    if title and message:
        return f"{title}. {message}" if not title.endswith(".") else f"{title} {message}"
    return message or title or f"Something went wrong ({type(exc).__name__})."


class SettingsForm:
    """The fields of the settings window and the pieces its pages share."""

    def __init__(self, settings: Settings, parent: QWidget, on_change: Callable[[], None]) -> None:
        self.settings = settings
        self.parent = parent
        self.on_change = on_change
        self.fields: dict[str, Field] = {}
        self.page_of: dict[str, int] = {}  # key -> the page index that shows it
        self.building_page = 0
        self.question: QMessageBox | None = None  # the open confirmation, if any
        self.tasks: set[asyncio.Future[Any]] = set()

    def changed(self, *_: object) -> None:
        self.on_change()

    # -- control factories ----------------------------------------------------------------------

    def add(self, f: Field) -> Field:
        self.fields[f.key] = f
        self.page_of[f.key] = self.building_page
        return f

    def bind(
        self,
        key: str,
        widget: QWidget,
        get: Callable[[], Any],
        put: Callable[[Any], Any],
        signal: Any,
        with_note: bool = True,
        note_below: bool = False,
    ) -> QWidget:
        """Bind ``widget`` to ``key``; returns it, or a holder with its lock note beside
        (``note_below``: under) it. ``signal``: the widget's change signal."""
        spec = SPECS[key]
        widget.setToolTip(spec.help)
        widget.setObjectName(key)
        note = lock_note() if with_note else None
        self.add(Field(key, widget, get, put, note=note))
        signal.connect(self.changed)
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

    def check(self, key: str, *, text: str | None = None) -> CheckHolder:
        box = QCheckBox(text or SPECS[key].label)
        holder = self.bind(key, box, box.isChecked, lambda v: box.setChecked(bool(v)), box.toggled)
        return CheckHolder(holder, box)

    def combo(self, key: str) -> QWidget:
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

        return self.bind(key, combo, combo.currentData, put, combo.currentIndexChanged)

    def id_combo(self, key: str, placeholder: str) -> QWidget:
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

        return self.bind(key, combo, combo.currentData, put, combo.currentIndexChanged)

    def spin(self, key: str, suffix: str = "") -> QWidget:
        spec = SPECS[key]
        spin = QSpinBox()
        spin.setRange(
            spec.minimum if spec.minimum is not None else 0,
            spec.maximum if spec.maximum is not None else 10_000,
        )
        spin.setSuffix(suffix)
        spin.setMinimumWidth(110)
        return self.bind(key, spin, spin.value, lambda v: spin.setValue(int(v)), spin.valueChanged)

    def line(self, key: str) -> QWidget:
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

        return self.bind(
            key,
            line,
            get,
            lambda v: line.setText("" if v is None else str(v)),
            line.textChanged,
            note_below=True,
        )

    def checks_group(self, title: str, keys: tuple[str, ...], hint_text: str | None = None) -> QGroupBox:
        """A titled group of on/off settings, one check box per key, a hint below if given."""
        group = QGroupBox(title)
        g = QVBoxLayout(group)
        for key in keys:
            g.addWidget(self.check(key))
        if hint_text:
            g.addWidget(hint(hint_text))
        return group

    def check_box(self, key: str) -> QCheckBox:
        box = self.fields[key].widget
        assert isinstance(box, QCheckBox), key  # bound by check()
        return box

    def combo_box(self, key: str) -> QComboBox:
        combo = self.fields[key].widget
        assert isinstance(combo, QComboBox), key  # bound by combo() or id_combo()
        return combo

    # -- locks ------------------------------------------------------------------------------------

    def show_lock(self, f: Field) -> None:
        group = f.lock_group or (f.key,)
        locked = [k for k in group if k in self.fields and self.fields[k].locked]
        for w in [f.widget, *f.extra]:
            if locked:
                w.setEnabled(False)
                w.setToolTip(LOCK_NOTE + ". " + SPECS[locked[0]].help)
            else:
                w.setEnabled(True)
        if f.note is not None:
            f.note.setVisible(bool(locked))

    def set_enabled(self, key: str, on: bool) -> None:
        f = self.fields[key]
        f.widget.setEnabled(on and not f.locked)

    def fill(self, key: str, items: list[dict[str, Any]]) -> None:
        """Replace a picker's entries, keeping what is selected (and what was loaded)."""
        combo = self.combo_box(key)
        current = combo.currentData()
        if not items:
            return
        with quiet(combo):
            combo.clear()
            for item in items:
                combo.addItem(item["name"] + (" (default)" if item.get("default") else ""), item.get("id"))
            index = combo.findData(current)
            if index < 0:
                combo.addItem(f"Saved choice, not found ({current})", current)
                index = combo.count() - 1
            combo.setCurrentIndex(index)
        self.changed()

    # -- confirmations and tasks ------------------------------------------------------------------

    def ask(self, title: str, text: str, yes_text: str, on_yes: Callable[[], Any]) -> QMessageBox:
        """A non-blocking question (``open()``, never ``exec()``); ``on_yes`` on the yes button."""
        box = QMessageBox(QMessageBox.Icon.Question, title, title, parent=self.parent)
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

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Future[Any] | None:
        try:
            task = asyncio.ensure_future(coro)
        except RuntimeError:  # no event loop (a script without qasync): skip the work
            coro.close()
            return None
        self.tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Future[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("settings task failed: %s", type(task.exception()).__name__)

    def cancel_tasks(self, *_: object) -> None:
        for task in list(self.tasks):
            task.cancel()
