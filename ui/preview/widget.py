"""The preview of a manual sync: what will happen, item by item, before anything is sent.

Layers, one plan (``sync.plan.Plan``):

- ui/preview/model.py :class:`PlanModel` - one ``QAbstractItemModel`` over the plan: kind ->
  group -> action, computed on demand, with what the person decided (``Decisions``).
- ui/preview/wording.py - the words of actions, values and totals.
- ui/preview/tree.py :class:`PlanTree` and ui/preview/details.py :class:`DetailsPane` - the
  tree and the details of the selected row (field-by-field old and new values, the reason,
  the choice of a conflict).
- :class:`PreviewWidget` - tree and details side by side, notices (a kind that could not be
  read or was stopped, the mass-delete confirmation) and live totals.
- :class:`PreviewDialog` - the widget with Apply and Cancel, non-modal (``open()`` /
  ``show()``): it emits ``apply_requested(Decisions)`` or ``cancelled()`` and leaves the
  run to ``ui.controller.SyncController``.

A checked item is applied; unticking it leaves it out (``Decisions.excluded``). Conflicts
(only planned under the "ask me" policy) must be decided or left out before Apply.
"""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import QModelIndex, Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from sync.plan import Decisions, Plan
from ui.preview.details import DetailsPane
from ui.preview.model import GroupRole, KindRole, PlanModel
from ui.preview.tree import PlanTree
from ui.preview.wording import KIND_TITLE, is_mass_delete, plural, totals_text
from ui.widget_parts import clear_layout, selection_of


class _Notice(QFrame):
    """A plain banner above the tree: a kind that failed, a stop, a mass delete to confirm."""

    def __init__(self, text: str, *, warning: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("previewNoticeWarning" if warning else "previewNotice")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        style = QApplication.style()
        if warning and style is not None:
            icon = QLabel()
            size = style.pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
            icon.setPixmap(style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size, size))
            icon.setAlignment(Qt.AlignmentFlag.AlignTop)
            lay.addWidget(icon)
        self.column = QVBoxLayout()
        self.column.setSpacing(4)
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.column.addWidget(self.label)
        lay.addLayout(self.column, 1)


class PreviewWidget(QWidget):
    """The tree of a plan with details, notices and live totals."""

    totals_changed = pyqtSignal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = PlanModel(self)
        self.view = PlanTree(self.model)
        self.details = DetailsPane(self.model)

        self.notices = QWidget()
        self.notice_layout = QVBoxLayout(self.notices)
        self.notice_layout.setContentsMargins(0, 0, 0, 0)
        self.notice_layout.setSpacing(6)
        self.confirm_boxes: dict[str, QCheckBox] = {}

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)

        self.empty = QWidget()
        empty_lay = QVBoxLayout(self.empty)
        self.empty_title = QLabel("Everything is up to date")
        font = self.empty_title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.empty_title.setFont(font)
        self.empty_text = QLabel("Nothing to create, update or delete in Outlook or Salesforce.")
        self.empty_text.setWordWrap(True)
        for w in (self.empty_title, self.empty_text):
            w.setAlignment(Qt.AlignmentFlag.AlignCenter)
        empty_lay.addStretch(1)
        empty_lay.addWidget(self.empty_title)
        empty_lay.addWidget(self.empty_text)
        empty_lay.addStretch(1)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.splitter)
        self.stack.addWidget(self.empty)

        self.totals_label = QLabel()
        self.totals_label.setWordWrap(True)
        self.totals_label.setObjectName("previewTotals")

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.notices)
        lay.addWidget(self.stack, 1)
        lay.addWidget(self.totals_label)

        selection_of(self.view).currentRowChanged.connect(self._current_changed)
        self.model.decisions_changed.connect(self._decisions_changed)
        self.model.modelReset.connect(self._after_reset)
        self._totals: dict[str, Any] = {}
        self.set_plan(None)

    # -- public --------------------------------------------------------------------------------

    def set_plan(self, plan: Plan | None) -> None:
        self.model.set_plan(plan)

    def plan(self) -> Plan | None:
        return self.model.plan()

    def decisions(self) -> Decisions:
        return self.model.decisions()

    def totals(self) -> dict[str, Any]:
        return dict(self._totals)

    def undecided(self) -> int:
        return self._totals.get("undecided", 0)

    def select_action(self, action_id: str) -> bool:
        return self.view.select_action(action_id)

    # -- internals -------------------------------------------------------------------------------

    def _after_reset(self) -> None:
        plan = self.model.plan()
        self._build_notices(plan)
        has_problem = plan is not None and any(kp.error or kp.stopped for kp in plan.kinds.values())
        empty = plan is not None and plan.is_empty() and not has_problem
        self.stack.setCurrentWidget(self.empty if empty else self.splitter)
        if plan is not None and plan.undo_of is not None and empty:
            self.empty_title.setText("Nothing to undo")
            self.empty_text.setText("The last sync changed nothing that can be reversed.")
        else:
            self.empty_title.setText("Everything is up to date")
            self.empty_text.setText("Nothing to create, update or delete in Outlook or Salesforce.")
        if plan is None:
            self.details.show_nothing()
            return
        first = self.view.open_plan()
        if first is not None:
            self.view.setCurrentIndex(first)
        else:
            self.details.show_nothing()

    def _build_notices(self, plan: Plan | None) -> None:
        clear_layout(self.notice_layout)
        self.confirm_boxes = {}
        if plan is not None:
            for kind, kp in plan.kinds.items():
                title = KIND_TITLE.get(kind, kind)
                if kp.error:
                    text = (
                        f"{title} could not be read: {kp.error.get('title', '')}. "
                        f"{kp.error.get('message', '')} Nothing was changed for {kind}."
                    )
                    self.notice_layout.addWidget(_Notice(text, warning=True))
                if kp.stopped:
                    self.notice_layout.addWidget(_Notice(f"{title}: {kp.stopped}", warning=True))
                for note in kp.notes:  # e.g. a field this Salesforce org does not have
                    self.notice_layout.addWidget(_Notice(f"{title}: {note}", warning=False))
                held = self.model.mass_held(kind)
                if held:
                    sample = next(a for a in kp.actions if is_mass_delete(a))
                    notice = _Notice(f"{title}: {sample.reason}", warning=True)
                    box = QCheckBox(f"Yes, delete these {held} records")
                    box.setObjectName(f"confirm_{kind}")
                    box.toggled.connect(lambda on, k=kind: self.model.set_confirmed(k, on))
                    notice.column.addWidget(box)
                    self.confirm_boxes[kind] = box
                    self.notice_layout.addWidget(notice)
        self.notices.setVisible(self.notice_layout.count() > 0)

    def _current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        self._show(current)

    def _show(self, index: QModelIndex) -> None:
        if not index.isValid():
            self.details.show_nothing()
            return
        action = self.model.action(index)
        if action is not None:
            self.details.show_action(action)
            return
        kind = self.model.data(index, KindRole)
        key = self.model.data(index, GroupRole)
        if key is not None:
            self.details.show_group(kind, key)
        else:
            self.details.show_kind(kind)

    def _decisions_changed(self) -> None:
        self._totals = self.model.totals()
        self.totals_label.setText(totals_text(self._totals))
        current = self.view.currentIndex()
        if current.isValid() and self.model.action(current) is None:
            self._show(current)
        else:
            self.details.refresh()
        self.totals_changed.emit(dict(self._totals))


class PreviewDialog(QDialog):
    """The preview as a window: Apply sends the person's decisions, Cancel sends nothing.

    Non-modal: show it with ``open()`` or ``show()`` and listen to the signals; it never runs
    a nested event loop. Apply stays disabled while a conflict has neither a choice nor its
    tick removed.
    """

    apply_requested = pyqtSignal(object)  # sync.plan.Decisions
    cancelled = pyqtSignal()

    def __init__(self, plan: Plan, parent: QWidget | None = None, title: str | None = None) -> None:
        super().__init__(parent)
        undo = plan is not None and plan.undo_of is not None
        self.setWindowTitle(title or ("Undo the last sync \u2014 preview" if undo else "Sync preview"))
        self.setModal(False)
        self.intro = QLabel(
            "This is what the undo will change. Untick anything you want to keep as it is, then Apply."
            if undo
            else "Nothing has been changed yet. Check what this sync will do, untick anything you want to "
            "leave out, then Apply."
        )
        self.intro.setWordWrap(True)
        self.widget = PreviewWidget()
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.apply_button = QPushButton("Apply")
        self.apply_button.setAutoDefault(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAutoDefault(False)
        self.buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.apply_button.clicked.connect(self._apply)
        self.cancel_button.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.hint, 1)
        bottom.addWidget(self.buttons)
        lay = QVBoxLayout(self)
        lay.addWidget(self.intro)
        lay.addWidget(self.widget, 1)
        lay.addLayout(bottom)
        self._finished = False
        self.widget.totals_changed.connect(self._update_buttons)
        self.widget.set_plan(plan)
        self.resize(1100, 660)
        self.widget.splitter.setSizes([640, 440])

    def _update_buttons(self, totals: dict | None = None) -> None:
        empty = self.widget.stack.currentWidget() is self.widget.empty
        self.intro.setVisible(not empty)
        self.widget.totals_label.setVisible(not empty)
        self.cancel_button.setVisible(not empty)
        self.apply_button.setText("OK" if empty else "Apply")  # still applied: records the run
        left = self.widget.undecided()
        self.apply_button.setEnabled(left == 0)
        if left:
            self.hint.setText(
                f"Choose a version for {plural(left, 'conflict')}, or untick "
                f"{'it' if left == 1 else 'them'} to decide later, before you apply."
            )
        else:
            self.hint.setText("")

    def _apply(self) -> None:
        if self._finished or not self.apply_button.isEnabled():
            return
        self._finished = True
        self.apply_requested.emit(self.widget.decisions())
        self.accept()

    def reject(self) -> None:
        if not self._finished:
            self._finished = True
            self.cancelled.emit()
        super().reject()
