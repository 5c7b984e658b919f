"""The wizard's choice pages: what to sync (kinds, Outlook folders, ranges) and in which
direction. Both read the profile's settings once per profile and write them when the person
presses Next, so Back and Next never lose what was entered."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from PyQt6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from app.settings import SPECS
from sync.fields import KINDS
from ui.direction import DirectionEditor
from ui.wizard.common import KIND_NAMES, plain_error, save_settings, set_status, status_label

log = logging.getLogger(__name__)

FOLDER_LABELS = {"contacts": "Outlook folder", "events": "Outlook calendar", "tasks": "To Do list"}


def _scrolling(page: QWizardPage, body: QWidget) -> None:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(body)
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(area)


def _lock(widget: QWidget, settings: Any, key: str) -> None:
    if settings.is_locked(key):
        widget.setEnabled(False)
        widget.setToolTip("This setting is managed by your administrator.")


class WhatPage(QWizardPage):
    """Kinds, the Outlook folder/calendar/list of each, contact range, event and task windows."""

    def __init__(self, wizard: Any) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("What to sync")
        self.setSubTitle(
            "Choose what Tandem keeps in step between Outlook and Salesforce. You "
            "can change this later in the settings."
        )
        self._ctx: Any = None
        self._task: asyncio.Task | None = None
        self.folders_loaded = False
        self.campaigns_loaded = False
        self.groups: dict[str, QGroupBox] = {}
        self.folder: dict[str, QComboBox] = {}
        labels: list[QLabel] = []

        def row_label(text: str) -> QLabel:
            labels.append(QLabel(text))
            return labels[-1]

        body = QWidget()
        layout = QVBoxLayout(body)
        for kind in KINDS:
            box = QGroupBox(f"Sync {KIND_NAMES[kind].lower()}")
            box.setObjectName(f"kind_{kind}")
            box.setCheckable(True)
            box.toggled.connect(self._changed)
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
            combo = QComboBox()
            combo.setMinimumContentsLength(28)
            form.addRow(row_label(FOLDER_LABELS[kind]), combo)
            self.groups[kind], self.folder[kind] = box, combo
            if kind == "contacts":
                self.range = QComboBox()
                self.range.setMinimumContentsLength(28)
                spec = SPECS["contacts.range"]
                for value, label in zip(spec.choices or (), spec.choice_labels or (), strict=False):
                    self.range.addItem(label, value)
                self.range.currentIndexChanged.connect(self._changed)
                form.addRow(row_label("Salesforce contacts"), self.range)
                self.campaign = QComboBox()
                self.campaign.setMinimumContentsLength(28)
                self.campaign.currentIndexChanged.connect(self._changed)
                form.addRow(row_label("Campaign"), self.campaign)
            elif kind == "events":
                self.days_back = QSpinBox()
                self.days_back.setRange(0, 3650)
                self.days_back.setSuffix(" days back")
                self.days_ahead = QSpinBox()
                self.days_ahead.setRange(1, 3650)
                self.days_ahead.setSuffix(" days ahead")
                row = QHBoxLayout()
                row.addWidget(self.days_back)
                row.addWidget(QLabel("to"))
                row.addWidget(self.days_ahead)
                row.addStretch(1)
                form.addRow(row_label("Events from"), row)
            else:
                self.closed_days = QSpinBox()
                self.closed_days.setRange(0, 3650)
                self.closed_days.setSuffix(" days back")
                row = QHBoxLayout()
                row.addWidget(self.closed_days)
                row.addWidget(QLabel("(open tasks always sync)"))
                row.addStretch(1)
                form.addRow(row_label("Closed or due tasks from"), row)
            layout.addWidget(box)
        width = max(lbl.sizeHint().width() for lbl in labels)
        for lbl in labels:
            lbl.setMinimumWidth(width)
        self.loading = status_label()
        self.retry = QPushButton("Read the folders again")
        self.retry.clicked.connect(self._discover)
        self.retry.hide()
        row = QHBoxLayout()
        row.addWidget(self.loading, 1)
        row.addWidget(self.retry)
        layout.addLayout(row)
        self.hint = status_label()
        self.hint.setObjectName("whatHint")
        layout.addWidget(self.hint)
        layout.addStretch(1)
        _scrolling(self, body)

    # -- loading -------------------------------------------------------------------------

    def initializePage(self) -> None:  # noqa: N802 (Qt)
        ctx = self.w.ctx
        if ctx is self._ctx:
            return
        self._ctx = ctx
        s = ctx.settings
        for kind in KINDS:
            self.groups[kind].setChecked(bool(s.get(f"{kind}.enabled")))
            _lock(self.groups[kind], s, f"{kind}.enabled")
            self._fill(self.folder[kind], [], s.get(f"{kind}.outlook_folder"), kind)
            _lock(self.folder[kind], s, f"{kind}.outlook_folder")
        self.range.setCurrentIndex(max(0, self.range.findData(s.get("contacts.range"))))
        _lock(self.range, s, "contacts.range")
        self._fill_campaigns([], s.get("contacts.campaign_id"))
        _lock(self.campaign, s, "contacts.campaign_id")
        for spin, key in (
            (self.days_back, "events.days_back"),
            (self.days_ahead, "events.days_ahead"),
            (self.closed_days, "tasks.closed_days"),
        ):
            spin.setValue(int(s.get(key)))
            _lock(spin, s, key)
        self.folders_loaded = self.campaigns_loaded = False
        self._discover()

    def cleanupPage(self) -> None:  # noqa: N802 (Qt) - Back keeps what was entered
        pass

    def _discover(self) -> None:
        if self._task is not None:
            self._task.cancel()
        self.retry.hide()
        set_status(self.loading, "Reading your Outlook folders and Salesforce campaigns…")
        self._task = self.w.spawn(self._load(self.w.ctx))

    async def _load(self, ctx: Any) -> None:
        from app import discovery

        problems = []
        try:
            folders = await discovery.outlook_folders(ctx)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            problems.append(plain_error(exc))
        else:
            if ctx is self._ctx:
                for kind in KINDS:
                    self._fill(self.folder[kind], folders[kind], self.folder[kind].currentData(), kind)
                self.folders_loaded = True
        try:
            found = await discovery.campaigns(ctx)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            problems.append(plain_error(exc))
        else:
            if ctx is self._ctx:
                self._fill_campaigns(found, self.campaign.currentData())
                self.campaigns_loaded = True
        if ctx is not self._ctx:
            return
        self._task = None
        if problems:
            set_status(
                self.loading,
                " ".join(problems) + " The default folders are used until the list can be read.",
                "error",
            )
            self.retry.show()
        else:
            set_status(self.loading, "")
        self._changed()

    def _fill(self, combo: QComboBox, items: list[dict[str, Any]], selected: str | None, kind: str) -> None:
        combo.blockSignals(True)
        combo.clear()
        if not items:
            items = [
                {
                    "id": None,
                    "name": {"contacts": "Contacts", "events": "Calendar", "tasks": "Tasks"}[kind],
                    "default": True,
                }
            ]
            if selected:
                items.append({"id": selected, "name": "The folder chosen before", "default": False})
        for item in items:
            combo.addItem(item["name"] + (" (default)" if item.get("default") else ""), item["id"])
        index = combo.findData(selected) if selected else 0
        combo.setCurrentIndex(index if index >= 0 else 0)
        combo.blockSignals(False)

    def _fill_campaigns(self, items: list[dict[str, Any]], selected: str | None) -> None:
        combo = self.campaign
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("Choose a campaign…", None)
        for item in items:
            combo.addItem(item["name"] + ("" if item.get("active", True) else " (inactive)"), item["id"])
        if selected and combo.findData(selected) < 0:
            combo.addItem("The campaign chosen before", selected)
        index = combo.findData(selected) if selected else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    # -- state ---------------------------------------------------------------------------

    def kinds(self) -> list[str]:
        return [k for k in KINDS if self.groups[k].isChecked()]

    def problem(self) -> str:
        if not self.kinds():
            return "Choose at least one thing to sync."
        if (
            self.groups["contacts"].isChecked()
            and self.range.currentData() == "campaign"
            and not self.campaign.currentData()
        ):
            return "Choose the campaign whose members Tandem should sync."
        return ""

    def _changed(self, *_: Any) -> None:
        self.campaign.setEnabled(
            self.range.currentData() == "campaign"
            and not self.w.ctx.settings.is_locked("contacts.campaign_id")
            if self.w.ctx
            else False
        )
        problem = self.problem()
        set_status(self.hint, problem, "error" if problem else "info")
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 (Qt)
        return not self.problem()

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for kind in KINDS:
            values[f"{kind}.enabled"] = self.groups[kind].isChecked()
            values[f"{kind}.outlook_folder"] = self.folder[kind].currentData()
        values["contacts.range"] = self.range.currentData()
        values["contacts.campaign_id"] = self.campaign.currentData()
        values["events.days_back"] = self.days_back.value()
        values["events.days_ahead"] = self.days_ahead.value()
        values["tasks.closed_days"] = self.closed_days.value()
        return values

    def validatePage(self) -> bool:  # noqa: N802 (Qt)
        return not self.problem() and save_settings(self.w.ctx.settings, self.hint, self.values())


class DirectionPage(QWizardPage):
    def __init__(self, wizard: Any) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("Direction")
        self.setSubTitle(
            "Where changes may flow. A change that a switch prevents is never sent: "
            "it is counted and listed in the summary. By default contacts are never "
            "deleted in Salesforce."
        )
        self._ctx: Any = None
        self.editors: dict[str, DirectionEditor] = {}
        for kind in KINDS:
            editor = DirectionEditor(kind, KIND_NAMES[kind])
            editor.setObjectName(f"direction_{kind}")
            self.editors[kind] = editor
        body = QWidget()
        layout = QVBoxLayout(body)
        for editor in self.editors.values():
            layout.addWidget(editor)
        self.status = status_label()
        layout.addWidget(self.status)
        layout.addStretch(1)
        _scrolling(self, body)

    def initializePage(self) -> None:  # noqa: N802 (Qt)
        ctx = self.w.ctx
        if ctx is not self._ctx:
            self._ctx = ctx
            for editor in self.editors.values():
                editor.load(ctx.settings)
        enabled = set(ctx.settings.enabled_kinds())
        for kind, editor in self.editors.items():
            editor.setVisible(kind in enabled)

    def cleanupPage(self) -> None:  # noqa: N802 (Qt)
        pass

    def validatePage(self) -> bool:  # noqa: N802 (Qt)
        values: dict[str, Any] = {}
        for editor in self.editors.values():
            values.update(editor.values())
        return save_settings(self.w.ctx.settings, self.status, values)


__all__ = ["DirectionPage", "WhatPage"]
