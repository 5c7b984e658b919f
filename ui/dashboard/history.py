"""The dashboard's History tab: the runs on top, the selected run's item-level changes below
(from the change journal, a page at a time: scrolling to the end or "Show more" reads the
next ones)."""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import QModelIndex, Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ui.dashboard.models import ChangesModel, HistoryModel, journal_counts, when_text
from ui.dashboard.tables import read_only_table
from ui.widget_parts import horizontal_header, selection_of


def error_text(exc: BaseException) -> tuple[str, str]:
    """(title, message) of an error for people."""
    title = getattr(exc, "title", None) or "The sync did not finish"
    message = getattr(exc, "message", None) or (str(exc) if str(exc) else type(exc).__name__)
    return title, message


def not_sent_text(run: dict[str, Any] | None) -> str:
    """What the run left for the person and why, from its report (held, conflicts, prevented and
    failed items are item issues, not journal rows): " Not sent: 1 prevented by ...; see Issues." """
    kinds = ((run or {}).get("report") or {}).get("kinds") or {}
    total = {"prevented": 0, "held": 0, "conflict": 0, "errors": 0}
    for entry in kinds.values():
        counts = (entry or {}).get("counts") or {}
        for key in total:
            value = counts.get(key, 0)
            total[key] += value if isinstance(value, int) else 0
    words = {
        "prevented": "prevented by your direction settings",
        "held": "held for you",
        "conflict": "conflicts to decide",
        "errors": "failed",
    }
    bits = [f"{n:,} {words[k]}" for k, n in total.items() if n]
    return f" Not sent: {'; '.join(bits)} (see Issues)." if bits else ""


class HistoryPanel(QWidget):
    """``problem(title, message)``: a page of changes could not be read (the window says so)."""

    problem = pyqtSignal(str, str)

    def __init__(self, store: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.shown_run_id: int | None = None
        self._shown_counts: dict[str, int] | None = None
        self.model = HistoryModel(self)
        self.view = read_only_table(self.model)
        hh = horizontal_header(self.view)
        hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        hh.setStretchLastSection(False)
        self.view.doubleClicked.connect(lambda index: self.show_run(self.model.runs[index.row()]["id"]))
        selection_of(self.view).currentRowChanged.connect(self._row_changed)
        self.changes_model = ChangesModel(self)
        self.changes_view = read_only_table(self.changes_model)
        ch = horizontal_header(self.changes_view)
        ch.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        ch.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        ch.setStretchLastSection(False)
        self.changes_title = QLabel("Pick a run above to see what it changed, record by record.")
        self.changes_title.setWordWrap(True)
        details = QWidget()
        details_layout = QVBoxLayout(details)
        details_layout.setContentsMargins(0, 6, 0, 0)
        details_layout.addWidget(self.changes_title)
        details_layout.addWidget(self.changes_view, 1)
        # A run of thousands of changes is read a page at a time: scrolling to the end reads
        # the next page (the model's fetchMore), and so does this button.
        more_row = QHBoxLayout()
        more_row.setContentsMargins(0, 0, 0, 0)
        self.changes_more_label = QLabel()
        self.changes_more_label.setObjectName("changesShown")
        self.changes_more_button = QPushButton("Show more")
        self.changes_more_button.setObjectName("showMoreChanges")
        self.changes_more_button.setToolTip("Read the next changes of this run")
        self.changes_more_button.clicked.connect(self.show_more_changes)
        more_row.addWidget(self.changes_more_label, 1)
        more_row.addWidget(self.changes_more_button)
        self.changes_more = QWidget()
        self.changes_more.setLayout(more_row)
        self.changes_more.hide()
        details_layout.addWidget(self.changes_more)
        self.changes_model.loaded.connect(self._changes_loaded)
        self.empty = QLabel("No sync has run yet. Press “Sync now” to preview the first one.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(details)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([220, 260])
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.splitter, 1)

    def set_runs(self, runs: list[dict[str, Any]]) -> None:
        current = self.selected_run_id()
        self.model.set_runs(runs)
        has = bool(runs)
        self.empty.setVisible(not has)
        self.splitter.setVisible(has)
        row = self.model.row_of(current) if current is not None else None
        if row is not None:
            self.view.selectRow(row)

    def selected_run_id(self) -> int | None:
        index = self.view.currentIndex()
        if not index.isValid() or index.row() >= len(self.model.runs):
            return None
        run_id: int = self.model.runs[index.row()]["id"]
        return run_id

    def select_run(self, run_id: int) -> bool:
        row = self.model.row_of(run_id)
        if row is None:
            return False
        self.view.selectRow(row)
        self.view.scrollTo(self.model.index(row, 0))
        self.show_run(run_id)
        return True

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and current.row() < len(self.model.runs):
            self.show_run(self.model.runs[current.row()]["id"])

    def show_run(self, run_id: int) -> None:
        """Fill the details pane with the run's item-level changes (from the change journal):
        the counts from one COUNT query, the first page of rows, more on request."""
        store = self.store

        def load(offset: int, limit: int) -> list[dict[str, Any]]:
            rows: list[dict[str, Any]] = store.journal(run_id=run_id, limit=limit, offset=offset)
            return rows

        try:
            run = store.run(run_id)
            counts = journal_counts(store, run_id)
            same = (
                run_id == self.shown_run_id
                and counts == self._shown_counts
                and self.changes_model.entries_loaded > 0
            )
            if not same:  # a refresh of the same run keeps the pages already read
                self.changes_model.set_source(load, counts["entries"])
        except Exception as exc:
            title, message = error_text(exc)
            self.changes_model.set_rows([])
            self.changes_title.setText(f"{title}. {message}")
            return
        self.shown_run_id = run_id
        self._shown_counts = counts
        self._changes_loaded()
        when = when_text(run.get("started_at")) if run else ""
        writes, paired = counts["writes"], counts["paired"]
        if not (writes or paired or counts["prevented"]):
            text = f"Run {run_id} ({when}) changed nothing."
        else:
            bits = [f"{writes:,} change{'s' if writes != 1 else ''}"]
            if paired:
                bits.append(f"{paired:,} pair{'s' if paired != 1 else ''} found")
            text = f"Run {run_id} ({when}): " + ", ".join(bits) + "."
        text += not_sent_text(run)
        if run and run.get("undone_by"):
            text += f" Undone by run {run['undone_by']}."
        if run and run.get("undo_of"):
            text += f" This run undid run {run['undo_of']}."
        self.changes_title.setText(text)

    def changes_total(self) -> int:
        """How many rows the shown run has in all (shown or not yet read)."""
        counts = self._shown_counts or {}
        return sum(counts.get(k, 0) for k in ("writes", "prevented", "paired"))

    def show_more_changes(self) -> None:
        """Read the next page of the shown run's changes."""
        try:
            self.changes_model.fetchMore()
        except Exception as exc:  # the database went away under us: say so, keep what is shown
            self.problem.emit(*error_text(exc))

    def _changes_loaded(self) -> None:
        model = self.changes_model
        more = model.has_more
        self.changes_more.setVisible(more)
        if more:
            total = self.changes_total()
            shown = model.rowCount()
            self.changes_more_label.setText(
                f"Showing {shown:,} of {total:,} rows. Scroll to the end or press “Show more” "
                "for the next ones."
            )
