"""The preview's details pane: what the selected row means, field by field (old -> new), the
reason, and the choice of a conflict."""

from __future__ import annotations

from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtGui import QPalette
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFrame,
    QGroupBox,
    QHeaderView,
    QLabel,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sync.plan import Action
from ui.preview.model import GROUP_CHECKABLE, GROUP_TITLE, PlanModel
from ui.preview.wording import (
    CHOICE_TEXT,
    KIND_NOUN,
    KIND_TITLE,
    OPS,
    SIDE_NAME,
    breakable,
    details_text,
    field_label,
    format_value,
    is_mass_delete,
    matched_text,
    plural,
    what_happens,
)
from ui.widget_parts import horizontal_header, vertical_header


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
        vertical_header(self.table).setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setWordWrap(True)
        self.table.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        self.table.setMinimumWidth(120)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = horizontal_header(self.table)
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
        lines.extend(kp.notes)  # e.g. a field this Salesforce org does not have
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
            text = f"{plural(n, *noun)} will be {past} in {SIDE_NAME[side]}."
        else:
            text = {
                "conflict": f"{plural(n, *noun)} changed differently on both sides. Pick a version for each, "
                "or untick it to decide later.",
                "held": f"{plural(n, *noun)} held: Tandem will not change them without you. Select one to see why.",
                "prevented": f"{plural(n, *noun)} not sent, because the direction settings switch that "
                "operation off.",
                "match": f"{plural(n, *noun)} found on both sides and paired, so no duplicate is made.",
            }.get(key, f"{plural(n, *noun)}.")
        if GROUP_CHECKABLE[key]:
            left = sum(1 for a in actions if self.model.is_excluded(a.id))
            if left:
                text += f" {left} left out by you."
        self.reason.setText(text)
        self.reason.show()

    def show_action(self, a: Action) -> None:
        self._reset()
        self._action = a
        self.title.setText(breakable(a.label))
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
        return [b for b in self.choice_group.buttons()]  # type: ignore[misc]  # the group holds only the radio buttons added above

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
                item = QTableWidgetItem(breakable(text) if col else text or "\u2014")
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
                text += f": {plural(len(a.changes), 'field')} from {other}"
            self.what.setText(text)
