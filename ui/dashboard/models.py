"""Table models and wording of the dashboard: run history, a run's changes, open issues.

Everything here reads plain data (``SyncService.history()``, ``Store.journal()``,
``Store.open_issues()``) and turns it into rows for people; no network.

Links to the records (``outlook_url`` / ``salesforce_url``):

* Salesforce: ``<instance_url>/<record id>`` - Salesforce redirects a bare id to the record's
  page in Lightning and Classic alike.
* Outlook on the web has no documented deep link per item, so Tandem uses the forms Outlook
  itself produces:

  - contacts: the People app has no public per-contact address, so the classic OWA item
    form is used, which Outlook on the web opens as the item:
    ``https://outlook.office.com/owa/?itemid=<url-encoded id>&exvsurl=1&path=/people``;
  - events: ``https://outlook.office.com/calendar/item/<url-encoded id>`` (the form of
    Outlook on the web's own event links; Graph's ``webLink`` is the OWA form of the same);
  - tasks (Microsoft To Do): ``https://to-do.office.com/tasks/id/<url-encoded id>/details``.

  Ids are Graph REST ids, url-encoded whole (they contain ``/``, ``+`` and ``=``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from PyQt6.QtCore import QAbstractTableModel, QModelIndex, Qt, pyqtSignal
from PyQt6.QtGui import QBrush, QColor, QFont

from ui.preview.wording import field_label

KIND_LABELS = {"contacts": "Contacts", "events": "Calendar", "tasks": "Tasks"}
TRIGGER_LABELS = {
    "manual": "Sync now",
    "auto": "Automatic",
    "undo": "Undo",
    "wizard": "First sync",
    "cli": "Command line",
    "tray": "Tray",
}
SIDE_LABELS = {"outlook": "Outlook", "salesforce": "Salesforce", "both": "both sides"}
OP_WORDS = {"create": "Created", "update": "Updated", "delete": "Deleted"}
ISSUE_CATEGORY_WORDS = {
    "error": "Could not be synced",
    "held": "Held back",
    "prevented": "Not sent: your direction settings forbid it",
    "revisit": "Will be checked again at the next sync",
}
ATTENTION = QColor("#b3261e")
MUTED = QColor("#5f6368")
LINK = QColor("#1a5fb4")


# -- wording ------------------------------------------------------------------------------


def parse_time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def when_text(text: str | None, now: dt.datetime | None = None) -> str:
    """``Today 14:05``, ``Yesterday 09:30``, ``Mon 23 Nov 09:30`` in local time; ``—`` if none."""
    moment = parse_time(text)
    if moment is None:
        return "—"
    local = moment.astimezone()
    today = (now or dt.datetime.now(dt.UTC)).astimezone().date()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return f"Today {clock}"
    if local.date() == today - dt.timedelta(days=1):
        return f"Yesterday {clock}"
    if local.date() == today + dt.timedelta(days=1):
        return f"Tomorrow {clock}"
    return local.strftime("%a %d %b ") + clock


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1:
        return "under 1 s"
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"


def value_text(value: Any) -> str:
    if value in (None, ""):
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(value_text(v) for v in value) or "(empty)"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {value_text(v)}" for k, v in value.items())
    text = str(value).replace("\n", " ")
    return text if len(text) <= 80 else text[:77] + "..."


def outlook_url(kind: str, item_id: str | None) -> str | None:
    """A link that opens the Outlook item in Outlook on the web (see the module docstring)."""
    if not item_id:
        return None
    encoded = quote(item_id, safe="")
    if kind == "events":
        return f"https://outlook.office.com/calendar/item/{encoded}"
    if kind == "tasks":
        return f"https://to-do.office.com/tasks/id/{encoded}/details"
    return f"https://outlook.office.com/owa/?itemid={encoded}&exvsurl=1&path=/people"


def salesforce_url(instance_url: str | None, record_id: str | None) -> str | None:
    if not instance_url or not record_id:
        return None
    return f"{instance_url.rstrip('/')}/{quote(record_id, safe='')}"


def issue_explanation(issue: dict[str, Any]) -> str:
    """One or two sentences for people: what is wrong and what happens next."""
    head = ISSUE_CATEGORY_WORDS.get(issue.get("category") or "", "Needs a look")
    message = (issue.get("message") or "").strip()
    text = f"{head}. {message}" if message else f"{head}."
    if issue.get("category") == "error":
        text += " Tandem tries again at every sync until it works."
    count = int(issue.get("count") or 1)
    if count > 1:
        text += f" (seen in {count} syncs)"
    return text


def _sum_counts(counts: dict[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "outlook": {"create": 0, "update": 0, "delete": 0},
        "salesforce": {"create": 0, "update": 0, "delete": 0},
        "prevented": 0,
        "conflict": 0,
        "held": 0,
        "matched": 0,
        "errors": 0,
    }
    for kind_counts in (counts or {}).values():
        if not kind_counts:
            continue
        for side in ("outlook", "salesforce"):
            for op in ("create", "update", "delete"):
                out[side][op] += int((kind_counts.get(side) or {}).get(op, 0))
        for key in ("prevented", "conflict", "held", "matched", "errors"):
            out[key] += int(kind_counts.get(key, 0) or 0)
    return out


def side_counts_text(c: dict[str, int]) -> str:
    bits = [f"{c[op]} {word.lower()}" for op, word in OP_WORDS.items() if c.get(op)]
    return ", ".join(bits) if bits else "—"


# -- history ------------------------------------------------------------------------------


class _ListTableModel(QAbstractTableModel):
    """A flat table over a list of dicts: one row per :meth:`items` entry, one column per
    HEADERS entry, a header tooltip from TIPS where there is one."""

    HEADERS: tuple[str, ...] = ()
    TIPS: dict[int, str] = {}

    def items(self) -> list[dict[str, Any]]:
        raise NotImplementedError

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.items())

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.TIPS.get(section)
        return None


class HistoryModel(_ListTableModel):
    """One row per run (newest first), from ``SyncService.history()``."""

    HEADERS = (
        "When",
        "Trigger",
        "Kinds",
        "Duration",
        "In Outlook",
        "In Salesforce",
        "Paired",
        "Prevented",
        "Conflicts",
        "Errors",
        "API calls",
        "Result",
    )
    TIPS = {
        4: "Records created, updated and deleted in Outlook by this run",
        5: "Records created, updated and deleted in Salesforce by this run",
        6: "Records that existed on both sides and were paired, not duplicated",
        7: "Changes not sent because your direction settings forbid them",
        8: "Records changed on both sides, or otherwise held back for you (see Issues)",
        9: "Records that could not be synced (see Issues)",
        10: "Requests sent to Outlook (Graph) / Salesforce",
    }

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.runs: list[dict[str, Any]] = []
        self._totals: list[dict[str, Any]] = []

    def set_runs(self, runs: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.runs = list(runs)
        self._totals = [_sum_counts(r.get("counts")) for r in self.runs]
        self.endResetModel()

    def totals(self, row: int) -> dict[str, Any]:
        """The run's counts summed over its kinds (``outlook``/``salesforce`` per op, ...)."""
        return self._totals[row]

    def row_of(self, run_id: int) -> int | None:
        return next((i for i, r in enumerate(self.runs) if r["id"] == run_id), None)

    def items(self) -> list[dict[str, Any]]:
        return self.runs

    @staticmethod
    def result_text(run: dict[str, Any]) -> str:
        status = run.get("status")
        if run.get("undone_by"):
            return "Undone"
        if status == "running":
            return "Running"
        if status == "interrupted":
            return "Interrupted"
        if status == "failed" or run.get("errors"):
            return (
                "Stopped: " + "; ".join(sorted(KIND_LABELS.get(k, k) for k in (run.get("errors") or {})))
                if run.get("errors")
                else "Failed"
            )
        return "Done"

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        run, tot, col = self.runs[index.row()], self._totals[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return when_text(run.get("started_at"))
            if col == 1:
                label = TRIGGER_LABELS.get(run.get("trigger") or "", (run.get("trigger") or "").title())
                if run.get("undo_of"):
                    label += f" of run {run['undo_of']}"
                return label
            if col == 2:
                return ", ".join(KIND_LABELS.get(k, k) for k in run.get("kinds") or [])
            if col == 3:
                return duration_text(run.get("duration_s"))
            if col == 4:
                return side_counts_text(tot["outlook"])
            if col == 5:
                return side_counts_text(tot["salesforce"])
            if col in (6, 7, 8, 9):
                key = ("matched", "prevented", "conflict", "errors")[col - 6]
                n = tot[key] + (tot["held"] if key == "conflict" else 0)
                return str(n) if n else "—"
            if col == 10:
                calls = run.get("api_calls") or {}
                return f"{calls.get('graph', 0)} / {calls.get('salesforce', 0)}" if calls else "—"
            if col == 11:
                return self.result_text(run)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 0:
                moment = parse_time(run.get("started_at"))
                return moment.astimezone().strftime("%A %d %B %Y, %H:%M:%S") if moment else None
            if col == 11 and run.get("errors"):
                return "\n".join(
                    f"{KIND_LABELS.get(k, k)}: {e.get('title', '')}. {e.get('message', '')}"
                    for k, e in run["errors"].items()
                )
            if col == 10:
                return "Outlook (Graph) requests / Salesforce requests"
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == 9 and tot["errors"]:
                return QBrush(ATTENTION)
            if col == 11 and self.result_text(run) not in ("Done", "Undone"):
                return QBrush(ATTENTION)
            if run.get("undone_by"):
                return QBrush(MUTED)
        if role == Qt.ItemDataRole.TextAlignmentRole and 6 <= col <= 10:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.UserRole:
            return run["id"]
        return None


# -- one run's changes ----------------------------------------------------------------------


def change_rows(journal: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The change journal of one run as rows for people: what changed where, field by field.

    Record writes (create/update/delete) come first in journal order; pairings (``link`` rows
    whose outcome is a match) and prevented operations follow. Pending rows (an apply that was
    interrupted) show as "not finished".
    """
    rows = []
    for entry in journal:
        op, side = entry.get("op"), entry.get("side")
        kind = entry.get("kind") or ""
        payload = entry.get("payload") or {}
        if op in OP_WORDS:
            what = f"{OP_WORDS[op]} in {SIDE_LABELS.get(str(side), side)}"
        elif op == "prevented":
            what = "Not sent (direction settings)"
        elif op == "link" and payload.get("outcome") in ("pair", "match"):
            what = "Paired"
        else:
            continue
        before, after = entry.get("before") or {}, entry.get("after") or {}

        def name(key: str, kind: str = kind) -> str:
            return field_label(kind, key)

        if op == "update":
            fields = [
                f"{name(k)}: {value_text(before.get(k))} → {value_text(v)}"
                for k, v in after.items()
                if before.get(k) != v
            ]
        elif op == "create":
            fields = [
                f"{name(k)}: {value_text(v)}" for k, v in after.items() if v not in (None, "", False, [])
            ]
        elif op == "delete":
            fields = [
                f"{name(k)}: {value_text(v)}" for k, v in before.items() if v not in (None, "", False, [])
            ]
        else:
            fields = []
        status = entry.get("status")
        if status == "applied":
            result = "Done"
        elif status == "pending":
            result = "Not finished (the run was interrupted)"
        else:
            error = entry.get("error") or {}
            result = "Failed: " + (error.get("message") or status or "unknown")
        rows.append(
            {
                "id": entry.get("id"),
                "kind": kind,
                "label": entry.get("label") or "(no name)",
                "what": what,
                "fields": fields,
                "result": result,
                "op": op,
                "side": side,
                "outlook_id": entry.get("outlook_id"),
                "salesforce_id": entry.get("salesforce_id"),
                "target_id": entry.get("target_id"),
                "ok": status == "applied",
            }
        )
    order = {"create": 0, "update": 0, "delete": 0, "prevented": 1, "link": 2}
    rows.sort(key=lambda r: order.get(r["op"], 3))
    return rows


CHANGES_PAGE = 500  # journal entries read at a time for one run's changes


def journal_counts(store: Any, run_id: int) -> dict[str, int]:
    """How many journal entries one run has, and how many of them show as changes, without
    reading them: ``entries``, ``writes`` (create/update/delete), ``prevented``, ``paired``.

    One COUNT query (``Store.journal_counts``); a store without it (a test double) is
    counted the slow way, from its rows."""
    own = getattr(store, "journal_counts", None)
    if callable(own):
        return dict(own(run_id))
    entries = store.journal(run_id=run_id)
    rows = change_rows(entries)
    return {
        "entries": len(entries),
        "writes": sum(1 for r in rows if r["op"] in ("create", "update", "delete")),
        "prevented": sum(1 for r in rows if r["op"] == "prevented"),
        "paired": sum(1 for r in rows if r["op"] == "link"),
    }


class ChangesModel(_ListTableModel):
    """One run's changes, a page of the journal at a time.

    :meth:`set_rows` shows given rows (all there is). :meth:`set_source` shows the first page
    read by ``load(offset, limit) -> journal entries`` and reads the next one on
    :meth:`fetchMore` (the view asks when it is scrolled to the end; "Show more" asks too).
    Within a page, record writes come before pairings (see :func:`change_rows`)."""

    HEADERS = ("Kind", "Record", "Change", "Fields", "Result")
    loaded = pyqtSignal()  # rows were (re)read: what is shown and whether more is there

    def __init__(self, parent: Any = None, page_size: int = CHANGES_PAGE) -> None:
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = []
        self.page_size = page_size
        self.entries_loaded = 0
        self.entries_total = 0
        self._load: Any = None

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self._load = None
        self.entries_loaded = self.entries_total = 0
        self.endResetModel()
        self.loaded.emit()

    def set_source(self, load: Any, total_entries: int) -> None:
        """Show the first page of ``total_entries`` journal entries read by ``load``."""
        first = load(0, self.page_size) if total_entries else []
        self.beginResetModel()
        self._load = load
        self.entries_total = max(int(total_entries), len(first))
        self.entries_loaded = len(first)
        self.rows = change_rows(first)
        self.endResetModel()
        self.loaded.emit()

    @property
    def has_more(self) -> bool:
        return self._load is not None and self.entries_loaded < self.entries_total

    def canFetchMore(self, parent: QModelIndex = QModelIndex()) -> bool:  # noqa: N802 (Qt)
        return not parent.isValid() and self.has_more

    def fetchMore(self, parent: QModelIndex = QModelIndex()) -> None:  # noqa: N802 (Qt)
        """Read the next page (nothing when everything is shown)."""
        if parent.isValid() or not self.has_more:
            return
        entries = self._load(self.entries_loaded, self.page_size)
        if not entries:  # the journal shrank under us: nothing more to read
            self.entries_total = self.entries_loaded
            self.loaded.emit()
            return
        self.entries_loaded += len(entries)
        rows = change_rows(entries)
        if rows:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()
        self.loaded.emit()

    def items(self) -> list[dict[str, Any]]:
        return self.rows

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return KIND_LABELS.get(row["kind"], row["kind"])
            if col == 1:
                return row["label"]
            if col == 2:
                return row["what"]
            if col == 3:
                if not row["fields"]:
                    return "—"
                shown = "; ".join(row["fields"][:3])
                more = len(row["fields"]) - 3
                return shown + (f"; and {more} more" if more > 0 else "")
            if col == 4:
                return row["result"]
        if role == Qt.ItemDataRole.ToolTipRole and col == 3 and row["fields"]:
            return "\n".join(row["fields"])
        if role == Qt.ItemDataRole.ForegroundRole and col == 4 and not row["ok"]:
            return QBrush(ATTENTION)
        return None


# -- issues -------------------------------------------------------------------------------


class IssuesModel(_ListTableModel):
    """Open item issues with a plain explanation and links to both records."""

    HEADERS = ("Kind", "Record", "What is wrong", "Since", "Outlook", "Salesforce")
    OUTLOOK_COL, SALESFORCE_COL = 4, 5

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.issues: list[dict[str, Any]] = []
        self.instance_url: str | None = None
        self.run_times: dict[int, str] = {}

    def set_issues(
        self, issues: list[dict[str, Any]], instance_url: str | None, run_times: dict[int, str] | None = None
    ) -> None:
        self.beginResetModel()
        self.issues = list(issues)
        self.instance_url = instance_url
        self.run_times = dict(run_times or {})
        self.endResetModel()

    def links(self, row: int) -> dict[str, str | None]:
        issue = self.issues[row]
        return {
            "outlook": outlook_url(issue["kind"], issue.get("outlook_id")),
            "salesforce": salesforce_url(self.instance_url, issue.get("salesforce_id")),
        }

    def row_of(self, issue_id: int) -> int | None:
        return next((i for i, r in enumerate(self.issues) if r["id"] == issue_id), None)

    def items(self) -> list[dict[str, Any]]:
        return self.issues

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        issue, col = self.issues[index.row()], index.column()
        links = self.links(index.row()) if col >= self.OUTLOOK_COL else {}
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return KIND_LABELS.get(issue["kind"], issue["kind"])
            if col == 1:
                return issue.get("label") or "(no name)"
            if col == 2:
                return issue_explanation(issue)
            if col == 3:
                return when_text(self.run_times.get(issue.get("first_run") or -1))
            if col == self.OUTLOOK_COL:
                return "Open in Outlook" if links["outlook"] else "Not in Outlook"
            if col == self.SALESFORCE_COL:
                return "Open in Salesforce" if links["salesforce"] else "Not in Salesforce"
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 2:
                return issue_explanation(issue)
            if col == self.OUTLOOK_COL:
                return links["outlook"]
            if col == self.SALESFORCE_COL:
                return links["salesforce"]
        if col >= self.OUTLOOK_COL:
            url = links["outlook" if col == self.OUTLOOK_COL else "salesforce"]
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(LINK if url else MUTED)
            if role == Qt.ItemDataRole.FontRole and url:
                font = QFont()
                font.setUnderline(True)
                return font
            if role == Qt.ItemDataRole.UserRole:
                return url
        if role == Qt.ItemDataRole.ForegroundRole and col == 2 and issue.get("category") == "error":
            return QBrush(ATTENTION)
        return None
