"""The preview of a manual sync: what will happen, item by item, before anything is sent.

Three layers, one plan (``sync.plan.Plan``):

- :class:`PlanModel` - one ``QAbstractItemModel`` over the plan: kind -> group (side and
  operation, conflicts, held, prevented, matched pairs) -> action. No widget and no Python
  object per row: rows are computed on demand from the plan's lists, so 50,000 actions load
  in a fraction of a second. The model also holds what the person decided (excluded
  actions, conflict choices, confirmed mass deletes) and turns it into ``Decisions``.
- :class:`PreviewWidget` - the tree, a details pane (field-by-field old and new values, the
  reason, the choice of a conflict), notices (a kind that could not be read or was stopped,
  the mass-delete confirmation) and live totals.
- :class:`PreviewDialog` - the widget with Apply and Cancel, non-modal (``open()`` /
  ``show()``): it emits ``apply_requested(Decisions)`` or ``cancelled()`` and leaves the
  run to ``ui.controller.SyncController``.

A checked item is applied; unticking it leaves it out (``Decisions.excluded``). Conflicts
(only planned under the "ask me" policy) must be decided or left out before Apply.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from PyQt6.QtCore import QAbstractItemModel, QModelIndex, QObject, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QFont, QPalette
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from sync.fields import SPECS
from sync.plan import Action, Decisions, KindPlan, Plan

SIDE_NAME = {"outlook": "Outlook", "salesforce": "Salesforce"}
KIND_TITLE = {"contacts": "Contacts", "events": "Events", "tasks": "Tasks"}
KIND_NOUN = {"contacts": ("contact", "contacts"), "events": ("event", "events"), "tasks": ("task", "tasks")}
OPS = ("create", "update", "delete")
SIDES = ("salesforce", "outlook")

# Group key -> (title, checkable). The order is the order on screen: what needs the person
# first, then what will be written, then what is only for information.
GROUPS: tuple[tuple[str, str, bool], ...] = (
    ("conflict", "Conflicts", True),
    ("held", "Held for you", False),
    *((f"{side}.{op}", f"{SIDE_NAME[side]} \u00b7 {op}", True) for side in SIDES for op in OPS),
    ("prevented", "Prevented", False),
    ("match", "Matched pairs", False),
    ("other", "Other", False),
)
GROUP_TITLE = {key: title for key, title, _ in GROUPS}
GROUP_CHECKABLE = {key: checkable for key, _, checkable in GROUPS}
GROUP_ORDER = {key: n for n, (key, _, _) in enumerate(GROUPS)}

CHOICE_TEXT = {
    "keep_outlook": "Keep Outlook's version",
    "keep_salesforce": "Keep Salesforce's version",
    "keep_both": "Keep both (a second copy on purpose)",
}

COLUMNS = ("Item", "What happens", "Details")
ActionRole = Qt.ItemDataRole.UserRole + 1  # the sync.plan.Action of a row (None for kind/group rows)
KindRole = Qt.ItemDataRole.UserRole + 2  # the kind of any row
GroupRole = Qt.ItemDataRole.UserRole + 3  # the group key of a group or action row


_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_CHECKABLE_FLAGS = _ROW_FLAGS | Qt.ItemFlag.ItemIsUserCheckable
_GROUP_KEY = {(op, side): f"{side}.{op}" for op in OPS for side in SIDES}


def group_of(action: Action) -> str:
    if action.op in OPS and action.side in SIDES:
        return f"{action.side}.{action.op}"
    if action.op in ("conflict", "held", "prevented", "match"):
        return action.op
    return "other"


def is_mass_delete(action: Action) -> bool:
    return action.op == "held" and "confirm" in action.choices


def field_label(kind: str, name: str) -> str:
    spec = SPECS.get(kind, {}).get(name)  # type: ignore[call-overload]
    return spec.label if spec is not None and spec.label else name


def format_value(value: Any) -> str:
    """A field value as a person reads it ("" for empty)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _one_line(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _breakable(text: str) -> str:
    """Let a label wrap inside long words such as email addresses (zero-width spaces)."""
    return "".join(ch + "\u200b" if ch in "@.-_/" else ch for ch in text)


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


# -- the tree's nodes (one per kind and per group; none per action) ------------------------


@dataclass(eq=False)
class _Group:
    kind_node: _Kind
    key: str
    actions: list[Action]
    row: int
    excluded: int = 0

    @property
    def checkable(self) -> bool:
        return GROUP_CHECKABLE[self.key]


@dataclass(eq=False)
class _Kind:
    kind: str
    kplan: KindPlan
    row: int
    groups: list[_Group] = field(default_factory=list)
    mass_held: dict[str, int] = field(default_factory=lambda: {"outlook": 0, "salesforce": 0})

    def checkable_total(self) -> int:
        return sum(len(g.actions) for g in self.groups if g.checkable)

    def excluded(self) -> int:
        return sum(g.excluded for g in self.groups if g.checkable)


class PlanModel(QAbstractItemModel):
    """Kind -> group -> action over one plan, with the person's decisions.

    Checked means "apply it"; an unchecked action is excluded. Group and kind rows are
    tri-state and set all their checkable actions at once. Matched pairs, prevented and
    held items carry no checkbox (nothing to apply, or nothing to apply without a choice).
    """

    decisions_changed = pyqtSignal()  # an exclusion, a choice or a confirmation changed

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._plan: Plan | None = None
        self._kinds: list[_Kind] = []
        self._group_of_id: dict[str, _Group] = {}
        self._row_of_id: dict[str, int] = {}
        self.excluded: set[str] = set()
        self.choices: dict[str, str] = {}
        self.confirmed: set[str] = set()
        self._details: dict[str, str] = {}
        self._warn_icon: Any = None

    # -- loading ----------------------------------------------------------------------------

    def set_plan(self, plan: Plan | None) -> None:
        self.beginResetModel()
        self._plan = plan
        self._kinds = []
        self._group_of_id = {}
        self._row_of_id = {}
        self._details = {}
        self.excluded = set()
        self.choices = {}
        self.confirmed = set()
        if plan is not None:
            for kind, kplan in plan.kinds.items():
                node = _Kind(kind, kplan, len(self._kinds))
                buckets: dict[str, list[Action]] = {}
                for action in kplan.actions:
                    key = _GROUP_KEY.get((action.op, action.side)) or group_of(action)
                    bucket = buckets.get(key)
                    if bucket is None:
                        bucket = buckets[key] = []
                    bucket.append(action)
                    if key == "held" and is_mass_delete(action) and action.side in SIDES:
                        node.mass_held[action.side] += 1
                for key in sorted(buckets, key=GROUP_ORDER.__getitem__):
                    group = _Group(node, key, buckets[key], len(node.groups))
                    node.groups.append(group)
                    for row, action in enumerate(group.actions):
                        self._group_of_id[action.id] = group
                        self._row_of_id[action.id] = row
                self._kinds.append(node)
        self.endResetModel()
        self.decisions_changed.emit()

    def plan(self) -> Plan | None:
        return self._plan

    # -- structure --------------------------------------------------------------------------

    def _node(self, index: QModelIndex) -> _Kind | _Group | Action | None:
        """What a valid index shows: a kind node, a group node or an action."""
        if not index.isValid():
            return None
        parent = index.internalPointer()
        if parent is None:
            return self._kinds[index.row()]
        if isinstance(parent, _Kind):
            return parent.groups[index.row()]
        return parent.actions[index.row()]

    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:
        if column < 0 or column >= len(COLUMNS) or row < 0:
            return QModelIndex()
        node = self._node(parent)
        if node is None:
            return self.createIndex(row, column) if row < len(self._kinds) else QModelIndex()
        if isinstance(node, _Kind):
            return self.createIndex(row, column, node) if row < len(node.groups) else QModelIndex()
        if isinstance(node, _Group):
            return self.createIndex(row, column, node) if row < len(node.actions) else QModelIndex()
        return QModelIndex()

    def parent(self, index: QModelIndex | None = None) -> Any:  # type: ignore[override]
        if index is None:  # QObject.parent()
            return super().parent()
        if not index.isValid():
            return QModelIndex()
        parent = index.internalPointer()
        if parent is None:
            return QModelIndex()
        if isinstance(parent, _Kind):
            return self.createIndex(parent.row, 0)
        return self.createIndex(parent.row, 0, parent.kind_node)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        node = self._node(parent)
        if node is None:
            return len(self._kinds)
        if isinstance(node, _Kind):
            return len(node.groups)
        if isinstance(node, _Group):
            return len(node.actions)
        return 0

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return len(COLUMNS)

    def hasChildren(self, parent: QModelIndex = QModelIndex()) -> bool:
        return self.rowCount(parent) > 0

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    # -- lookups used by the widget and the tests -------------------------------------------

    def kinds(self) -> list[str]:
        return [k.kind for k in self._kinds]

    def kind_index(self, kind: str) -> QModelIndex:
        for node in self._kinds:
            if node.kind == kind:
                return self.createIndex(node.row, 0)
        return QModelIndex()

    def group_index(self, kind: str, key: str) -> QModelIndex:
        for node in self._kinds:
            if node.kind == kind:
                for group in node.groups:
                    if group.key == key:
                        return self.createIndex(group.row, 0, node)
        return QModelIndex()

    def action_index(self, action_id: str, column: int = 0) -> QModelIndex:
        group = self._group_of_id.get(action_id)
        if group is None:
            return QModelIndex()
        return self.createIndex(self._row_of_id[action_id], column, group)

    def action(self, index: QModelIndex) -> Action | None:
        node = self._node(index)
        return node if isinstance(node, Action) else None

    def actions(self, kind: str | None = None, group: str | None = None) -> list[Action]:
        out: list[Action] = []
        for node in self._kinds:
            if kind is None or node.kind == kind:
                for g in node.groups:
                    if group is None or g.key == group:
                        out.extend(g.actions)
        return out

    def kind_plan(self, kind: str) -> KindPlan | None:
        return self._plan.kinds.get(kind) if self._plan is not None else None

    # -- decisions ----------------------------------------------------------------------------

    def is_checkable(self, action: Action) -> bool:
        group = self._group_of_id.get(action.id)
        return group is not None and group.checkable

    def is_excluded(self, action_id: str) -> bool:
        return action_id in self.excluded

    def set_excluded(self, action_id: str, excluded: bool) -> bool:
        """Leave one action out (or take it back in); False when it has no checkbox."""
        group = self._group_of_id.get(action_id)
        if group is None or not group.checkable:
            return False
        if excluded == (action_id in self.excluded):
            return True
        if excluded:
            self.excluded.add(action_id)
            group.excluded += 1
        else:
            self.excluded.discard(action_id)
            group.excluded -= 1
        row = self._row_of_id[action_id]
        self.dataChanged.emit(self.createIndex(row, 0, group), self.createIndex(row, len(COLUMNS) - 1, group))
        self._changed_above(group)
        self.decisions_changed.emit()
        return True

    def _set_group(self, group: _Group, excluded: bool) -> None:
        if not group.checkable or not group.actions:
            return
        ids = [a.id for a in group.actions]
        if excluded:
            self.excluded.update(ids)
            group.excluded = len(ids)
        else:
            self.excluded.difference_update(ids)
            group.excluded = 0
        self.dataChanged.emit(
            self.createIndex(0, 0, group), self.createIndex(len(group.actions) - 1, len(COLUMNS) - 1, group)
        )

    def _changed_above(self, group: _Group) -> None:
        kind = group.kind_node
        self.dataChanged.emit(
            self.createIndex(group.row, 0, kind), self.createIndex(group.row, len(COLUMNS) - 1, kind)
        )
        self.dataChanged.emit(self.createIndex(kind.row, 0), self.createIndex(kind.row, len(COLUMNS) - 1))

    def set_choice(self, action_id: str, choice: str | None) -> None:
        """Decide a conflict (or a re-create); None takes the decision back."""
        group = self._group_of_id.get(action_id)
        if group is None:
            raise KeyError(action_id)
        action = group.actions[self._row_of_id[action_id]]
        if choice is not None and choice not in action.choices:
            raise ValueError(f"{choice!r} is not a choice of {action.label!r}")
        if choice is None:
            self.choices.pop(action_id, None)
        else:
            self.choices[action_id] = choice
        row = self._row_of_id[action_id]
        self.dataChanged.emit(self.createIndex(row, 0, group), self.createIndex(row, len(COLUMNS) - 1, group))
        self._changed_above(group)
        self.decisions_changed.emit()

    def set_confirmed(self, kind: str, confirmed: bool) -> None:
        """Let the held mass deletes of ``kind`` go ahead (or hold them again)."""
        if confirmed == (kind in self.confirmed):
            return
        (self.confirmed.add if confirmed else self.confirmed.discard)(kind)
        for node in self._kinds:
            if node.kind == kind:
                for group in node.groups:
                    if group.key == "held" and group.actions:
                        self.dataChanged.emit(
                            self.createIndex(0, 0, group),
                            self.createIndex(len(group.actions) - 1, len(COLUMNS) - 1, group),
                        )
                        self._changed_above(group)
                self.dataChanged.emit(
                    self.createIndex(node.row, 0), self.createIndex(node.row, len(COLUMNS) - 1)
                )
        self.decisions_changed.emit()

    def mass_held(self, kind: str) -> int:
        for node in self._kinds:
            if node.kind == kind:
                return sum(node.mass_held.values())
        return 0

    def undecided(self) -> list[Action]:
        """Conflicts that are neither decided nor left out (Apply waits for these)."""
        return [
            a
            for a in self.actions(group="conflict")
            if a.id not in self.excluded and a.id not in self.choices
        ]

    def decisions(self) -> Decisions:
        return Decisions(
            excluded=set(self.excluded),
            choices={k: v for k, v in self.choices.items() if k not in self.excluded},
            confirm_mass_delete={k for k in self.confirmed if self.mass_held(k)},
        )

    def totals(self) -> dict[str, Any]:
        """What applying now would do: per side create/update/delete, conflicts, held, ..."""
        t: dict[str, Any] = {side: {op: 0 for op in OPS} for side in ("outlook", "salesforce")}
        t.update(conflict=0, undecided=0, held=0, prevented=0, matched=0, excluded=len(self.excluded))
        for node in self._kinds:
            for group in node.groups:
                live = len(group.actions) - group.excluded
                if "." in group.key:
                    side, op = group.key.split(".")
                    t[side][op] += live
                elif group.key == "conflict":
                    t["conflict"] += live
                elif group.key == "held":
                    t["held"] += live
                elif group.key == "prevented":
                    t["prevented"] += live
                elif group.key == "match":
                    t["matched"] += live
            if node.kind in self.confirmed:
                for side, n in node.mass_held.items():
                    t[side]["delete"] += n
                    t["held"] -= n
        t["undecided"] = len(self.undecided())
        return t

    # -- what a row says ----------------------------------------------------------------------

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.column() == 0 and self._check_state(self._node(index)) is not None:
            return _CHECKABLE_FLAGS
        return _ROW_FLAGS

    def _check_state(self, node: Any) -> Qt.CheckState | None:
        if isinstance(node, Action):
            group = self._group_of_id[node.id]
            if not group.checkable:
                return None
            return Qt.CheckState.Unchecked if node.id in self.excluded else Qt.CheckState.Checked
        if isinstance(node, _Group):
            total, out = (len(node.actions), node.excluded) if node.checkable else (0, 0)
        elif isinstance(node, _Kind):
            total, out = node.checkable_total(), node.excluded()
        else:
            return None
        if total == 0:
            return None
        if out == 0:
            return Qt.CheckState.Checked
        return Qt.CheckState.Unchecked if out == total else Qt.CheckState.PartiallyChecked

    def setData(self, index: QModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid() or index.column() != 0:
            return False
        state = Qt.CheckState(value.value if isinstance(value, Qt.CheckState) else int(value))
        include = state != Qt.CheckState.Unchecked
        node = self._node(index)
        if isinstance(node, Action):
            return self.set_excluded(node.id, not include)
        groups = [node] if isinstance(node, _Group) else node.groups if isinstance(node, _Kind) else []
        groups = [g for g in groups if g.checkable and g.actions]
        if not groups:
            return False
        for group in groups:
            self._set_group(group, not include)
            self._changed_above(group)
        self.decisions_changed.emit()
        return True

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node = self._node(index)
        if node is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if isinstance(node, Action):
                return self._action_text(node, col)
            if isinstance(node, _Group):
                return self._group_text(node, col)
            return self._kind_text(node, col)
        if role == Qt.ItemDataRole.CheckStateRole and col == 0:
            state = self._check_state(node)
            return state if state is not None else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if isinstance(node, Action):
                if col == 0 and self.is_checkable(node):
                    return "Untick to leave this item out of the sync."
                text = self._action_text(node, col)
                return text if col else node.label
            if isinstance(node, _Kind):
                return self._kind_text(node, 2) or None
            if isinstance(node, _Group) and col == 0 and node.checkable:
                return "Tick or untick every item of this group."
            return None
        if role == Qt.ItemDataRole.FontRole and not isinstance(node, Action) and col == 0:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole:
            if isinstance(node, Action) and node.id in self.excluded:
                return QApplication.palette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
            return None
        if role == Qt.ItemDataRole.DecorationRole and col == (0 if isinstance(node, _Kind) else 1):
            return self._icon(node)
        if role == ActionRole:
            return node if isinstance(node, Action) else None
        if role == KindRole:
            if isinstance(node, Action):
                return node.kind
            return node.kind_node.kind if isinstance(node, _Group) else node.kind
        if role == GroupRole:
            if isinstance(node, Action):
                return self._group_of_id[node.id].key
            return node.key if isinstance(node, _Group) else None
        return None

    def _icon(self, node: Any) -> Any:
        if self._warn_icon is None:
            style = QApplication.style()
            if style is None:
                return None
            self._warn_icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        warn = self._warn_icon
        if isinstance(node, _Kind):
            return warn if (node.kplan.error or node.kplan.stopped) else None
        if (
            isinstance(node, Action)
            and node.op == "conflict"
            and node.id not in self.excluded
            and node.id not in self.choices
        ):
            return warn
        return None

    def _kind_text(self, node: _Kind, col: int) -> str:
        kp = node.kplan
        if col == 0:  # the view spans this over all columns: a section header
            title = KIND_TITLE.get(node.kind, node.kind.title())
            text = f"{title} \u2014 {self._kind_text(node, 1)}"
            if kp.error:
                return f"{text}: {kp.error.get('title', '')}"
            matched = "" if kp.stopped else self._kind_text(node, 2)
            return f"{text}  \u00b7  {matched}" if matched else text
        if col == 1:
            if kp.error:
                return "Could not be read"
            if kp.stopped:
                return "Stopped to protect your data"
            if not kp.actions:
                return "Up to date"
            confirmed = sum(node.mass_held.values()) if node.kind in self.confirmed else 0
            changes = sum(len(g.actions) - g.excluded for g in node.groups if "." in g.key) + confirmed
            conflicts = sum(len(g.actions) - g.excluded for g in node.groups if g.key == "conflict")
            held = sum(len(g.actions) for g in node.groups if g.key == "held") - confirmed
            parts = [_plural(changes, "change")] if changes else []
            parts += [_plural(conflicts, "conflict")] if conflicts else []
            parts += [f"{held} held for you"] if held else []
            return ", ".join(parts) if parts else "No changes to send"
        if kp.error:
            return _one_line(f"{kp.error.get('title', '')}: {kp.error.get('message', '')}", 200)
        if kp.stopped:
            return _one_line(kp.stopped, 200)
        return matched_text(node.kind, kp.matched_by)

    def _group_text(self, group: _Group, col: int) -> str:
        if col == 0:
            return GROUP_TITLE[group.key]
        if col == 1:
            n = len(group.actions)
            noun = KIND_NOUN.get(group.kind_node.kind, ("item", "items"))
            if group.checkable and group.excluded:
                return f"{n - group.excluded} of {_plural(n, *noun)}"
            return _plural(n, *noun)
        if group.key == "conflict":
            left = sum(1 for a in group.actions if a.id not in self.excluded and a.id not in self.choices)
            return f"{left} still to decide" if left else "All decided"
        if (
            group.key == "held"
            and group.kind_node.kind in self.confirmed
            and sum(group.kind_node.mass_held.values())
        ):
            return "Deletes confirmed by you"
        return ""

    def _action_text(self, a: Action, col: int) -> str:
        if col == 0:
            return a.label
        if col == 1:
            return what_happens(
                a,
                excluded=a.id in self.excluded,
                choice=self.choices.get(a.id),
                confirmed=a.kind in self.confirmed,
            )
        text = self._details.get(a.id)
        if text is None:
            text = self._details[a.id] = details_text(a)
        return text


def matched_text(kind: str, matched_by: dict[str, int]) -> str:
    """A first sync's pairing, e.g. 'Matched 11 pairs: 9 by email and 2 by name and company.'"""
    if not matched_by:
        return ""
    words = {
        "email": "email",
        "name_company": "name and company",
        "name": "name",
        "subject_start_end": "subject and time",
        "subject_due": "subject and due date",
    }
    parts = [f"{n} by {words.get(rule, rule)}" for rule, n in matched_by.items() if n]
    total = sum(matched_by.values())
    if not parts:
        return ""
    first = f"Matched {_plural(total, 'pair')}"
    if len(parts) == 1:
        return f"{first} by {words.get(next(r for r, n in matched_by.items() if n), '')}."
    return f"{first}: " + ", ".join(parts[:-1]) + " and " + parts[-1] + "."


def what_happens(
    a: Action, *, excluded: bool = False, choice: str | None = None, confirmed: bool = False
) -> str:
    side = SIDE_NAME.get(a.side, "")
    if excluded:
        return "Left out: nothing happens"
    if a.op == "create":
        if choice and choice in a.choices:
            other = "Salesforce" if a.side == "outlook" else "Outlook"
            return f"Keep the deletion: delete in {other}"
        return f"Create in {side}"
    if a.op == "update":
        return f"Update in {side}"
    if a.op == "delete":
        return f"Delete in {side}"
    if a.op == "conflict":
        if choice:
            return CHOICE_TEXT.get(choice, choice)
        return "Conflict: choose a version"
    if a.op == "held":
        if is_mass_delete(a):
            return f"Delete in {side} (confirmed)" if confirmed else f"Held: delete in {side}"
        if a.outcome == "empty_side_guard":
            return "Stopped: nothing changed"
        if a.outcome == "hold_ambiguous":
            return "Held: matches several records"
        return "Held: cannot be sent"
    if a.op == "prevented":
        return f"Not sent to {side} (switched off)" if side else "Not sent (switched off)"
    if a.op == "match":
        return "Paired: already on both sides"
    return a.op


def details_text(a: Action) -> str:
    """The short line of the Details column (the pane shows everything)."""
    if a.op == "update" and a.changes:
        parts = []
        for name, (old, new) in list(a.changes.items())[:2]:
            parts.append(
                f"{field_label(a.kind, name)}: {_one_line(format_value(old) or '(empty)', 24)}"
                f" \u2192 {_one_line(format_value(new) or '(empty)', 24)}"
            )
        more = len(a.changes) - 2
        text = "; ".join(parts) + (f"; and {more} more" if more > 0 else "")
        return text if not a.reason else f"{text}. {a.reason}"
    if a.op == "conflict" and a.changes:
        names = ", ".join(field_label(a.kind, n) for n in a.changes)
        return f"Changed on both sides: {names}"
    if a.reason:
        return _one_line(a.reason, 200)
    if a.op == "create":
        source = "Salesforce" if a.side == "outlook" else "Outlook"
        return f"New in {source}, copied over"
    if a.op == "delete":
        source = "Salesforce" if a.side == "outlook" else "Outlook"
        return f"Deleted in {source}"
    return ""


# -- the widget ------------------------------------------------------------------------------


def totals_text(t: dict[str, Any]) -> str:
    parts = []
    for side in SIDES:
        c = t[side]
        if any(c.values()):
            items = [f"{c[op]} to {op}" for op in OPS if c[op]]
            parts.append(f"{SIDE_NAME[side]}: " + ", ".join(items))
    if not parts:
        parts.append("Nothing to create, update or delete")
    if t["conflict"]:
        parts.append(
            _plural(t["conflict"], "conflict") + (f" ({t['undecided']} to decide)" if t["undecided"] else "")
        )
    if t["held"]:
        parts.append(f"{t['held']} held")
    if t["prevented"]:
        parts.append(f"{t['prevented']} prevented")
    if t["excluded"]:
        parts.append(f"{t['excluded']} left out")
    return "  \u00b7  ".join(parts)


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


class DetailsPane(QScrollArea):
    """What the selected row means: fields old -> new, the reason, and any choice to make."""

    def __init__(self, model: PlanModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        lay = QVBoxLayout(body)
        lay.setContentsMargins(10, 6, 6, 6)
        self.title = QLabel()
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.what = QLabel()
        self.what.setWordWrap(True)
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.choice_box = QGroupBox("Which version do you want to keep?")
        self.choice_layout = QVBoxLayout(self.choice_box)
        self.choice_group = QButtonGroup(self)
        self.choice_group.setExclusive(True)
        self.choice_group.idClicked.connect(self._chosen)
        self._choice_keys: list[str | None] = []
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Field", "Before", "After"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setWordWrap(True)
        self.table.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        self.table.setMinimumWidth(120)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.sectionResized.connect(lambda *_: self.table.resizeRowsToContents())
        for w in (self.title, self.what, self.reason, self.choice_box):
            lay.addWidget(w)
        lay.addWidget(self.table, 1)
        self.filler = QWidget()
        lay.addWidget(self.filler, 1)
        self.setWidget(body)
        self._action: Action | None = None
        self.show_nothing()

    def _reset(self) -> None:
        self._action = None
        for w in (self.what, self.reason, self.choice_box, self.table):
            w.hide()
        self.filler.show()

    def show_nothing(self) -> None:
        self._reset()
        self.title.setText("Select an item to see what changes.")

    def show_kind(self, kind: str) -> None:
        self._reset()
        kp = self.model.kind_plan(kind)
        self.title.setText(KIND_TITLE.get(kind, kind))
        if kp is None:
            return
        lines = []
        if kp.error:
            lines.append(f"{kp.error.get('title', 'Could not be read')}. {kp.error.get('message', '')}")
        if kp.stopped:
            lines.append(kp.stopped)
        matched = matched_text(kind, kp.matched_by)
        if matched:
            lines.append(matched)
        c = kp.counts()
        for side in ("outlook", "salesforce"):
            items = [f"{c[side][op]} to {op}" for op in OPS if c[side][op]]
            if items:
                lines.append(f"In {SIDE_NAME[side]}: " + ", ".join(items) + ".")
        for key, word in (("conflict", "conflicts"), ("held", "held"), ("prevented", "prevented")):
            if c.get(key):
                lines.append(f"{c[key]} {word}.")
        if not kp.actions and not kp.error and not kp.stopped:
            lines.append("Everything is up to date.")
        self.reason.setText("\n\n".join(lines))
        self.reason.show()

    def show_group(self, kind: str, key: str) -> None:
        self._reset()
        actions = self.model.actions(kind, key)
        noun = KIND_NOUN.get(kind, ("item", "items"))
        self.title.setText(f"{KIND_TITLE.get(kind, kind)}: {GROUP_TITLE[key]}")
        n = len(actions)
        if "." in key:
            side, op = key.split(".")
            past = {"create": "created", "update": "updated", "delete": "deleted"}[op]
            text = f"{_plural(n, *noun)} will be {past} in {SIDE_NAME[side]}."
        else:
            text = {
                "conflict": f"{_plural(n, *noun)} changed differently on both sides. Pick a version for each, "
                "or untick it to decide later.",
                "held": f"{_plural(n, *noun)} held: Tandem will not change them without you. Select one to see why.",
                "prevented": f"{_plural(n, *noun)} not sent, because the direction settings switch that "
                "operation off.",
                "match": f"{_plural(n, *noun)} found on both sides and paired, so no duplicate is made.",
            }.get(key, f"{_plural(n, *noun)}.")
        if GROUP_CHECKABLE[key]:
            left = sum(1 for a in actions if self.model.is_excluded(a.id))
            if left:
                text += f" {left} left out by you."
        self.reason.setText(text)
        self.reason.show()

    def show_action(self, a: Action) -> None:
        self._reset()
        self._action = a
        self.title.setText(_breakable(a.label))
        self.refresh()
        self.what.show()
        reason = a.reason or details_text(a) if a.op != "update" else a.reason
        if a.op == "conflict":
            names = ", ".join(field_label(a.kind, n) for n in a.changes)
            reason = (
                f"Changed differently in Outlook and in Salesforce ({names}). Choose the version to "
                "keep, or untick it to leave it for a later sync."
            )
        if is_mass_delete(a):
            reason += (
                f"\n\nTo let these deletes go ahead, tick \u201cYes, delete these "
                f"{self.model.mass_held(a.kind)} records\u201d above the list."
            )
        if a.truncated:
            reason = (
                (reason + "\n\n" if reason else "")
                + "Shortened to fit Salesforce: "
                + ", ".join(field_label(a.kind, f) for f in a.truncated)
                + "."
            )
        if reason:
            self.reason.setText(reason)
            self.reason.show()
        self._show_choices(a)
        self._show_changes(a)

    def _show_choices(self, a: Action) -> None:
        for button in self.choice_group.buttons():
            self.choice_group.removeButton(button)
            self.choice_layout.removeWidget(button)
            button.deleteLater()
        self._choice_keys = []
        options: list[tuple[str | None, str]] = []
        if a.op == "conflict":
            self.choice_box.setTitle("Which version do you want to keep?")
            options = [
                (c, CHOICE_TEXT.get(c, c))
                for c in ("keep_outlook", "keep_salesforce", "keep_both")
                if c in a.choices
            ]
        elif a.op == "create" and a.choices:
            gone = SIDE_NAME.get(a.side, "")
            other = "Outlook" if a.side == "salesforce" else "Salesforce"
            self.choice_box.setTitle("Deleted on one side, changed on the other")
            options = [(None, f"Create it again in {gone} (the change wins)")]
            options += [(c, f"Keep the deletion: delete it in {other} too") for c in a.choices]
        if not options:
            return
        current = self.model.choices.get(a.id)
        for n, (key, text) in enumerate(options):
            button = QRadioButton(text)
            button.setChecked(key == current)
            self.choice_group.addButton(button, n)
            self.choice_layout.addWidget(button)
            self._choice_keys.append(key)
        self.choice_box.show()

    def choice_buttons(self) -> list[QRadioButton]:
        return [b for b in self.choice_group.buttons()]  # type: ignore[misc]

    def _chosen(self, n: int) -> None:
        if self._action is None or n >= len(self._choice_keys):
            return
        self.model.set_choice(self._action.id, self._choice_keys[n])
        self.refresh()

    def _show_changes(self, a: Action) -> None:
        if not a.changes:
            return
        if a.op == "conflict":
            headers = ["Field", "In Outlook", "In Salesforce"]
        elif a.op == "create" or (
            a.op in ("held", "prevented") and all(o is None for o, _ in a.changes.values())
        ):
            headers = ["Field", "", "New value"]
        elif a.op == "delete" or is_mass_delete(a):
            headers = ["Field", "Now", ""]
        else:
            headers = ["Field", "Now", "After the sync"]
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setColumnHidden(1, headers[1] == "")
        self.table.setColumnHidden(2, headers[2] == "")
        self.table.setRowCount(len(a.changes))
        for row, (name, (old, new)) in enumerate(a.changes.items()):
            cells = (field_label(a.kind, name), format_value(old), format_value(new))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(_breakable(text) if col else text or "\u2014")
                if col and not text:
                    item.setText("\u2014")
                item.setToolTip(text or "(empty)")
                if col and not text:
                    item.setForeground(
                        self.palette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
                    )
                if col == 0:
                    f = item.font()
                    f.setBold(True)
                    item.setFont(f)
                self.table.setItem(row, col, item)
        self.table.resizeRowsToContents()
        QTimer.singleShot(0, self.table.resizeRowsToContents)  # again once the columns have their width
        self.table.show()
        self.filler.hide()

    def refresh(self) -> None:
        if self._action is not None:
            a = self._action
            text = what_happens(
                a,
                excluded=self.model.is_excluded(a.id),
                choice=self.model.choices.get(a.id),
                confirmed=a.kind in self.model.confirmed,
            )
            if a.op == "update" and a.changes and not self.model.is_excluded(a.id):
                other = "Salesforce" if a.side == "outlook" else "Outlook"
                text += f": {_plural(len(a.changes), 'field')} from {other}"
            self.what.setText(text)


class PreviewWidget(QWidget):
    """The tree of a plan with details, notices and live totals."""

    totals_changed = pyqtSignal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = PlanModel(self)
        self.view = QTreeView()
        self.view.setModel(self.model)
        self.view.setUniformRowHeights(True)  # lazy layout: 50k rows cost nothing until seen
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setExpandsOnDoubleClick(True)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.view.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
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

        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
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
        index = self.model.action_index(action_id)
        if not index.isValid():
            return False
        self.view.expand(index.parent().parent())
        self.view.expand(index.parent())
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        return True

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
        # Kinds open; groups that need the person open too; big groups stay closed (lazy).
        first: QModelIndex | None = None
        for row in range(self.model.rowCount()):
            kind_index = self.model.index(row, 0)
            self.view.expand(kind_index)
            for g in range(self.model.rowCount(kind_index)):
                group_index = self.model.index(g, 0, kind_index)
                if self.model.data(group_index, GroupRole) in ("conflict", "held"):
                    self.view.expand(group_index)
                    if first is None:
                        first = self.model.index(0, 0, group_index)
        for row in range(self.model.rowCount()):
            self.view.setFirstColumnSpanned(row, QModelIndex(), True)
        self.view.setColumnWidth(0, 330)
        self.view.setColumnWidth(
            1, self.view.fontMetrics().horizontalAdvance("Held: delete in Salesforce") + 36
        )
        if first is None and self.model.rowCount():
            first = self.model.index(0, 0)
        if first is not None:
            self.view.setCurrentIndex(first)
        else:
            self.details.show_nothing()

    def _build_notices(self, plan: Plan | None) -> None:
        while self.notice_layout.count():
            item = self.notice_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
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
                f"Choose a version for {_plural(left, 'conflict')}, or untick "
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
