"""The preview's tree: the plan model's kinds, groups and actions, opened the way the person
needs them (kinds open, conflicts and held items open, big groups closed until asked for)."""

from __future__ import annotations

from PyQt6.QtCore import QModelIndex, Qt
from PyQt6.QtWidgets import QAbstractItemView, QHeaderView, QTreeView, QWidget

from ui.preview.model import GroupRole, PlanModel
from ui.widget_parts import tree_header


class PlanTree(QTreeView):
    def __init__(self, model: PlanModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan_model = model
        self.setModel(model)
        self.setUniformRowHeights(True)  # lazy layout: 50k rows cost nothing until seen
        self.setAlternatingRowColors(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setExpandsOnDoubleClick(True)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = tree_header(self)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)

    def open_plan(self) -> QModelIndex | None:
        """After a new plan: kinds open; groups that need the person open too; big groups stay
        closed (lazy). Returns the row to show first (the first conflict or held item, else
        the first kind), None for an empty model."""
        model = self.plan_model
        first: QModelIndex | None = None
        for row in range(model.rowCount()):
            kind_index = model.index(row, 0)
            self.expand(kind_index)
            for g in range(model.rowCount(kind_index)):
                group_index = model.index(g, 0, kind_index)
                if model.data(group_index, GroupRole) in ("conflict", "held"):
                    self.expand(group_index)
                    if first is None:
                        first = model.index(0, 0, group_index)
        for row in range(model.rowCount()):
            self.setFirstColumnSpanned(row, QModelIndex(), True)
        self.setColumnWidth(0, 330)
        self.setColumnWidth(1, self.fontMetrics().horizontalAdvance("Held: delete in Salesforce") + 36)
        if first is None and model.rowCount():
            first = model.index(0, 0)
        return first

    def select_action(self, action_id: str) -> bool:
        index = self.plan_model.action_index(action_id)
        if not index.isValid():
            return False
        self.expand(index.parent().parent())
        self.expand(index.parent())
        self.setCurrentIndex(index)
        self.scrollTo(index)
        return True
