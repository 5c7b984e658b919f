"""The summary window shown after a sync (BEHAVIOUR.md, Notifications and summary).

    if wants_summary(report, settings):
        SummaryWindow(report, parent, settings=ctx.settings, open_run=window.open_run).show()

Whether it opens follows ``summary.after_manual`` / ``summary.after_auto`` /
``summary.only_when_changed`` through app.notifications.show_summary (one rule for the app).
The window is not modal: it never blocks the loop or a running auto sync.

What it shows: a headline by severity (finished / please review / with problems), when and
how (manual or auto, duration, API calls), one row per kind with what changed in Outlook and
in Salesforce, what needs the person (conflicts, held, errors, a stopped kind) and what the
direction settings prevented; a switch "only when something changed"; "Open run details".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.notifications import NotifyPrefs, RunOutcome, show_summary
from ui.widget_parts import horizontal_header, standard_button, vertical_header

KIND_TITLES = {"contacts": "Contacts", "events": "Calendar", "tasks": "Tasks"}  # as the dashboard
OPS = (("create", "created"), ("update", "updated"), ("delete", "deleted"))
HEADLINES = {
    "info": "Sync finished",
    "warning": "Sync finished — please review",
    "error": "Sync finished with problems",
}
COLOURS = {"info": "#2e7d32", "warning": "#b26a00", "error": "#c62828"}
COLUMNS = ("Kind", "In Outlook", "In Salesforce", "Needs you", "Prevented")


def wants_summary(report: Any, settings: Any) -> bool:
    """Open the summary for this finished run, by the summary.* settings?"""
    return show_summary(RunOutcome.from_report(report), NotifyPrefs.from_settings(settings))


def _side_words(counts: dict[str, Any], side: str) -> str:
    c = counts.get(side) or {}
    bits = [f"{int(c.get(op, 0) or 0)} {done}" for op, done in OPS if c.get(op)]
    return ", ".join(bits) if bits else "no change"


def _needs_words(counts: dict[str, Any]) -> str:
    bits = []
    if counts.get("conflict"):
        bits.append(f"{counts['conflict']} conflict{'s' if counts['conflict'] != 1 else ''} to decide")
    if counts.get("held"):
        bits.append(f"{counts['held']} held for you")
    if counts.get("errors"):
        bits.append(f"{counts['errors']} could not be synced")
    return ", ".join(bits) if bits else "—"


class SummaryWindow(QDialog):
    """What one run did. ``report``: a sync.report.RunReport (or its to_json())."""

    def __init__(
        self,
        report: Any,
        parent: QWidget | None = None,
        *,
        settings: Any = None,
        open_run: Callable[[int], Any] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SummaryWindow")
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        data = report.to_json() if hasattr(report, "to_json") else dict(report)
        self.report = data
        self.run_id = data.get("run_id")
        self._open_run = open_run
        self._settings = settings
        outcome = RunOutcome.from_report(data)
        self.severity = outcome.severity()
        trigger = "Auto sync" if data.get("trigger") == "auto" else "Manual sync"
        if data.get("mode") == "undo" or data.get("trigger") == "undo":
            trigger = "Undo of the last run"
        self.setWindowTitle(f"Tandem — {HEADLINES[self.severity]}")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(10)
        self.headline = QLabel(HEADLINES[self.severity])
        self.headline.setObjectName("summaryHeadline")
        font = self.headline.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.headline.setFont(font)
        self.headline.setStyleSheet(f"color: {COLOURS[self.severity]};")
        layout.addWidget(self.headline)

        facts = [trigger]
        if data.get("duration_s") is not None:
            facts.append(f"took {_duration(float(data['duration_s']))}")
        calls = data.get("api_calls") or {}
        if calls:
            facts.append(
                f"{int(calls.get('salesforce', 0))} Salesforce and "
                f"{int(calls.get('graph', 0))} Outlook requests"
            )
        self.facts = QLabel(" · ".join(facts))
        self.facts.setObjectName("summaryFacts")
        self.facts.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(self.facts)

        self.sentence = QLabel(self._sentence(outcome))
        self.sentence.setWordWrap(True)
        layout.addWidget(self.sentence)

        kinds = data.get("kinds") or {}
        self.table = QTableWidget(len(kinds), len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        vertical_header(self.table).setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setWordWrap(False)
        vertical_header(self.table).setDefaultSectionSize(self.fontMetrics().height() + 12)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        for row, (kind, k) in enumerate(kinds.items()):
            counts = (k or {}).get("counts") or {}
            err = (k or {}).get("error")
            stopped = (err.get("title") or "an error") if err else (k or {}).get("stopped")
            cells = [KIND_TITLES.get(kind, kind)]
            if stopped:
                cells += [f"Stopped: {stopped.rstrip('.')}", "", "", ""]
            else:
                prevented = int(counts.get("prevented", 0) or 0)
                cells += [
                    _side_words(counts, "outlook"),
                    _side_words(counts, "salesforce"),
                    _needs_words(counts),
                    str(prevented) if prevented else "—",
                ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(_why(k) if stopped and col else text)
                if col == 0:
                    f = item.font()
                    f.setBold(True)
                    item.setFont(f)
                self.table.setItem(row, col, item)
            if stopped:
                self.table.setSpan(row, 1, 1, len(COLUMNS) - 1)
                reason = self.table.item(row, 1)
                if reason is not None:
                    reason.setForeground(Qt.GlobalColor.darkRed)
        header = horizontal_header(self.table)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for col in range(1, len(COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        height = horizontal_header(self.table).sizeHint().height() + 2 * self.table.frameWidth()
        height += sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        self.table.setMinimumHeight(height + 4)
        self.table.setMaximumHeight(height + 4)
        layout.addWidget(self.table)

        self.only_changed = QCheckBox("Show this summary only when something changed")
        if settings is not None:
            self.only_changed.setChecked(bool(settings.get("summary.only_when_changed")))
            if settings.is_locked("summary.only_when_changed"):
                self.only_changed.setEnabled(False)
                self.only_changed.setToolTip("This setting is managed by your administrator.")
            self.only_changed.toggled.connect(lambda on: settings.set("summary.only_when_changed", bool(on)))
        else:
            self.only_changed.setVisible(False)

        bottom = QHBoxLayout()
        bottom.addWidget(self.only_changed)
        bottom.addStretch(1)
        buttons = QDialogButtonBox()
        self.open_button = QPushButton("Open run details")
        self.open_button.setVisible(bool(open_run and self.run_id is not None))
        self.open_button.clicked.connect(self._open)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = standard_button(buttons, QDialogButtonBox.StandardButton.Close)
        self.close_button.setDefault(True)
        buttons.rejected.connect(self.close)
        self.close_button.clicked.connect(self.close)
        bottom.addWidget(buttons)
        layout.addLayout(bottom)
        self.resize(max(720, self.sizeHint().width()), self.sizeHint().height())

    @staticmethod
    def _sentence(outcome: RunOutcome) -> str:
        stopped = outcome.stopped_kinds()
        if stopped:
            reasons: dict[str, list[str]] = {}
            for kind in stopped:
                reasons.setdefault((outcome.kinds[kind].error or "").rstrip("."), []).append(kind)
            parts = []
            for reason, kinds in reasons.items():
                names = _join([KIND_TITLES.get(k, k) for k in kinds])
                parts.append(f"{names} stopped: {reason}." if reason else f"{names} stopped.")
            rest = [k for k in outcome.kinds if k not in stopped]
            if rest and outcome.changed():
                parts.append(
                    f"{outcome.changed()} change{'s' if outcome.changed() != 1 else ''} "
                    "made in the other kinds."
                )
            return " ".join(parts)
        changed, attention = outcome.changed(), outcome.attention()
        parts = []
        if changed:
            parts.append(f"{changed} change{'s' if changed != 1 else ''} made.")
        else:
            parts.append("Everything was already up to date." if not attention else "Nothing was changed.")
        if attention:
            parts.append(
                f"{attention} item{'s' if attention != 1 else ''} need{'s' if attention == 1 else ''} "
                "you: open the run details or the Issues list."
            )
        if outcome.total("prevented"):
            parts.append("Prevented changes were not sent, as your direction settings ask.")
        return " ".join(parts)

    def _open(self) -> None:
        if self._open_run is not None and self.run_id is not None:
            self._open_run(int(self.run_id))
        self.close()


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _why(kind_report: Any) -> str:
    err = (kind_report or {}).get("error")
    if err:
        return f"{err.get('title', '')}. {err.get('message', '')}".strip(". ") + "."
    return str((kind_report or {}).get("stopped") or "")


def _duration(seconds: float) -> str:
    if seconds < 1:
        return "under a second"
    if seconds < 90:
        return f"{seconds:.0f} seconds"
    return f"{seconds / 60:.0f} minutes"


__all__ = ["SummaryWindow", "wants_summary"]
