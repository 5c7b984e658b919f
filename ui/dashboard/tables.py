"""The dashboard's read-only tables (history, changes, issues): one look and one behaviour."""

from __future__ import annotations

from PyQt6.QtCore import QAbstractItemModel
from PyQt6.QtWidgets import QAbstractItemView, QTableView

from ui.widget_parts import horizontal_header, vertical_header


def read_only_table(model: QAbstractItemModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    # Size columns from the first rows only: a run with thousands of changes must not
    # stall the window while Qt measures every row.
    vertical, horizontal = vertical_header(view), horizontal_header(view)
    vertical.setVisible(False)
    horizontal.setResizeContentsPrecision(60)
    vertical.setResizeContentsPrecision(60)
    return view
