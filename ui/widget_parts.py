"""The parts of Qt widgets that always exist, typed as such. PyQt6's stubs type getters such
as ``QTableView.horizontalHeader()`` or ``QMenu.addAction(text)`` as ``X | None``; for the
widgets Tandem builds they never are, and these helpers say so once (a None would be a bug
in Qt, so it raises instead of passing on)."""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import QItemSelectionModel
from PyQt6.QtGui import QAction
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QHeaderView,
    QLayout,
    QMenu,
    QPushButton,
    QTableView,
    QTreeView,
)
from superqt import QRangeSlider


class MissingPart(RuntimeError):
    """Qt returned None for a part every such widget has."""


def add_action(menu: QMenu, text: str) -> QAction:
    action = QAction(text, menu)
    menu.addAction(action)
    return action


def add_menu(menu: QMenu, title: str) -> QMenu:
    submenu = QMenu(title, menu)
    menu.addMenu(submenu)
    return submenu


def horizontal_header(view: QTableView) -> QHeaderView:
    header = view.horizontalHeader()
    if header is None:
        raise MissingPart("a table without its horizontal header")
    return header


def vertical_header(view: QTableView) -> QHeaderView:
    header = view.verticalHeader()
    if header is None:
        raise MissingPart("a table without its vertical header")
    return header


def tree_header(view: QTreeView) -> QHeaderView:
    header = view.header()
    if header is None:
        raise MissingPart("a tree without its header")
    return header


def selection_of(view: QAbstractItemView) -> QItemSelectionModel:
    """The view's selection model (there is one once a model is set)."""
    selection = view.selectionModel()
    if selection is None:
        raise MissingPart("a view without a selection model (no model set yet)")
    return selection


def clear_layout(layout: QLayout) -> None:
    """Take every item out of ``layout``; its widgets are deleted later (by Qt)."""
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.deleteLater()


def slider_range(slider: QRangeSlider) -> tuple[int, int]:
    """The (low, high) handles of a range slider (superqt types ``value()`` as a tuple of
    nothing, so its items need naming)."""
    values: tuple[Any, ...] = slider.value()
    return int(values[0]), int(values[1])


def standard_button(box: QDialogButtonBox, which: QDialogButtonBox.StandardButton) -> QPushButton:
    """A standard button of ``box``, added when it is not there yet."""
    button = box.button(which) or box.addButton(which)
    if button is None:
        raise MissingPart(f"a button box that cannot hold {which.name}")
    return button
