"""The dashboard's Issues tab: the open item issues, each with a plain explanation and links
to the record on both sides."""

from __future__ import annotations

from html import escape
from typing import Any

from PyQt6.QtCore import QModelIndex, Qt, pyqtSignal
from PyQt6.QtWidgets import QHeaderView, QLabel, QVBoxLayout, QWidget

from ui.dashboard.models import IssuesModel, issue_explanation
from ui.dashboard.tables import read_only_table
from ui.widget_parts import horizontal_header, selection_of


class IssuesPanel(QWidget):
    """``url_requested(url)``: the person clicked a link to a record (the window opens it)."""

    url_requested = pyqtSignal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = IssuesModel(self)
        self.view = read_only_table(self.model)
        header = horizontal_header(self.view)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.view.setWordWrap(True)
        self.view.clicked.connect(self._clicked)
        selection_of(self.view).currentRowChanged.connect(self._row_changed)
        self.view.setMouseTracking(True)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setOpenExternalLinks(False)
        self.detail.linkActivated.connect(self.url_requested)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.empty = QLabel("No open issues: every record that should sync did.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.detail)

    def set_issues(
        self, issues: list[dict[str, Any]], instance_url: str | None, run_times: dict[int, Any]
    ) -> None:
        current = self.selected_issue_id()
        self.model.set_issues(issues, instance_url, run_times)
        if len(issues) <= 300:  # wrapped explanations; beyond that rows keep one height
            self.view.resizeRowsToContents()
        self.empty.setVisible(not issues)
        self.view.setVisible(bool(issues))
        self.detail.setVisible(bool(issues))
        row = self.model.row_of(current) if current is not None else None
        if row is not None:
            self.view.selectRow(row)
        elif issues:
            self.view.selectRow(0)
        self.show_detail()

    def selected_issue_id(self) -> int | None:
        index = self.view.currentIndex()
        if not index.isValid() or index.row() >= len(self.model.issues):
            return None
        issue_id: int = self.model.issues[index.row()]["id"]
        return issue_id

    def select_issue(self, issue_id: int) -> bool:
        row = self.model.row_of(issue_id)
        if row is None:
            return False
        self.view.selectRow(row)
        self.view.scrollTo(self.model.index(row, 0))
        self.show_detail()
        return True

    def _row_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        index = self.view.currentIndex()
        if not index.isValid() or index.row() >= len(self.model.issues):
            self.detail.setText("")
            return
        row = index.row()
        issue = self.model.issues[row]
        links = self.model.links(row)
        anchors = []
        if links["outlook"]:
            anchors.append(f"<a href='{links['outlook']}'>Open in Outlook</a>")
        if links["salesforce"]:
            anchors.append(f"<a href='{links['salesforce']}'>Open in Salesforce</a>")
        label = escape(issue.get("label") or "(no name)")
        self.detail.setText(
            f"<b>{label}</b>: {escape(issue_explanation(issue))}"
            + ("<br>" + " &nbsp;·&nbsp; ".join(anchors) if anchors else "")
        )

    def _clicked(self, index: QModelIndex) -> None:
        if index.column() in (IssuesModel.OUTLOOK_COL, IssuesModel.SALESFORCE_COL):
            url = self.model.data(index, Qt.ItemDataRole.UserRole)
            if url:
                self.url_requested.emit(url)
