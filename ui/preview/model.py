"""The preview's model: one ``QAbstractItemModel`` over a plan (``sync.plan.Plan``), kind ->
group (side and operation, conflicts, held, prevented, matched pairs) -> action.

No widget and no Python object per row: rows are computed on demand from the plan's lists, so
50,000 actions load in a fraction of a second. The model also holds what the person decided
(excluded actions, conflict choices, confirmed mass deletes) and turns it into ``Decisions``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PyQt6.QtCore import QAbstractItemModel, QModelIndex, QObject, Qt, pyqtSignal
from PyQt6.QtGui import QFont, QPalette
from PyQt6.QtWidgets import QApplication, QStyle

from sync.plan import Action, Decisions, KindPlan, Plan
from ui.preview.wording import (
    KIND_NOUN,
    KIND_TITLE,
    OPS,
    SIDE_NAME,
    SIDES,
    details_text,
    is_mass_delete,
    matched_text,
    one_line,
    plural,
    what_happens,
)

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

    def parent(self, index: QModelIndex | None = None) -> Any:
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

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
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
            parts = [plural(changes, "change")] if changes else []
            parts += [plural(conflicts, "conflict")] if conflicts else []
            parts += [f"{held} held for you"] if held else []
            return ", ".join(parts) if parts else "No changes to send"
        if kp.error:
            return one_line(f"{kp.error.get('title', '')}: {kp.error.get('message', '')}", 200)
        if kp.stopped:
            return one_line(kp.stopped, 200)
        return matched_text(node.kind, kp.matched_by)

    def _group_text(self, group: _Group, col: int) -> str:
        if col == 0:
            return GROUP_TITLE[group.key]
        if col == 1:
            n = len(group.actions)
            noun = KIND_NOUN.get(group.kind_node.kind, ("item", "items"))
            if group.checkable and group.excluded:
                return f"{n - group.excluded} of {plural(n, *noun)}"
            return plural(n, *noun)
        if group.key == "conflict":
            left = sum(1 for a in group.actions if a.id not in self.excluded and a.id not in self.choices)
            return f"{left} still to decide" if left else "All decided"
        if (
            group.key == "held"
            and group.kind_node.kind in self.confirmed
            and sum(group.kind_node.mass_held.values()) > 0
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
