"""The preview dialog: what the person sees, leaves out and decides is what gets applied."""

from __future__ import annotations

import pytest
from PyQt6.QtCore import QPoint, Qt
from PyQt6.QtWidgets import QApplication, QLabel, QStyle, QStyleOptionViewItem

from sync.plan import Action, KindPlan, Plan
from ui.controller import SyncController
from ui.preview.widget import PreviewDialog, PreviewWidget

CHECKED, UNCHECKED, PARTIAL = Qt.CheckState.Checked, Qt.CheckState.Unchecked, Qt.CheckState.PartiallyChecked
CheckRole = Qt.ItemDataRole.CheckStateRole


# -- helpers -----------------------------------------------------------------------------------


def act(n: int, op: str, side: str, kind: str = "contacts", **kw) -> Action:
    changes = kw.pop("changes", None)
    if changes is None:
        changes = (
            {"Title": ("Sales", "Senior Sales")} if op == "update" else {"LastName": (None, f"Person {n}")}
        )
    return Action(
        id=f"{kind}-{n}",
        kind=kind,
        op=op,
        side=side,  # type: ignore[arg-type]
        outlook_id=f"O{n}",
        salesforce_id=f"S{n}",
        label=f"Person {n}",
        changes=changes,
        **kw,
    )


def small_plan() -> Plan:
    """3 creates in Salesforce, 2 updates in Outlook, 1 match, 1 prevented delete."""
    actions = [
        act(1, "create", "salesforce"),
        act(2, "create", "salesforce"),
        act(3, "create", "salesforce"),
        act(4, "update", "outlook"),
        act(5, "update", "outlook"),
        act(6, "match", "both", reason="Paired by email address."),
        act(7, "prevented", "salesforce", reason="Deleting contacts in Salesforce is switched off."),
    ]
    return Plan(kinds={"contacts": KindPlan("contacts", actions=actions, matched_by={"email": 1})})


def big_plan(n: int) -> Plan:
    """n actions spread over creates, updates and deletes on both sides, three kinds."""
    ops = [
        ("create", "salesforce"),
        ("create", "outlook"),
        ("update", "salesforce"),
        ("update", "outlook"),
        ("delete", "outlook"),
        ("match", "both"),
    ]
    kinds = {}
    per_kind = n // 3
    for k, kind in enumerate(("contacts", "events", "tasks")):
        count = per_kind if k < 2 else n - 2 * per_kind
        kinds[kind] = KindPlan(kind, actions=[act(i, *ops[i % len(ops)], kind=kind) for i in range(count)])
    return Plan(kinds=kinds)


def click_checkbox(qtbot, view, index) -> None:
    """Click the check box of a row where a person would: on its indicator in the view."""
    view.scrollTo(index)
    rect = view.visualRect(index)
    option = QStyleOptionViewItem()
    option.rect = rect
    option.features |= QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
    check = view.style().subElementRect(QStyle.SubElement.SE_ItemViewItemCheckIndicator, option, view)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=check.center())


def click_radio(qtbot, button) -> None:
    """Click a radio button on its round indicator, once the new buttons are laid out."""
    QApplication.processEvents()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))


def name(record: dict) -> tuple:
    return (record.get("FirstName"), record.get("LastName"))


def records(sandbox, sobject: str) -> list[dict]:
    return sandbox.control(f"records/salesforce/{sobject}")["records"]


def preview(qloop, controller: SyncController, kinds: list[str]) -> Plan:
    plans, failures = [], []
    controller.preview_ready.connect(plans.append)
    controller.run_failed.connect(failures.append)
    assert controller.start_preview(kinds)
    qloop.until(lambda: plans or failures)
    assert not failures, failures
    return plans[0]


def apply(qloop, controller: SyncController, decisions):
    reports, failures = [], []
    controller.run_finished.connect(reports.append)
    controller.run_failed.connect(failures.append)
    assert controller.apply_preview(decisions)
    qloop.until(lambda: reports or failures)
    assert not failures, failures
    qloop.until(lambda: not controller.busy)
    return reports[0]


# -- against the sandbox -------------------------------------------------------------------------


@pytest.mark.seed("demo")
def test_an_unticked_create_is_not_sent_and_every_other_create_is(qtbot, qloop, demo_ctx, sandbox):
    controller = SyncController(demo_ctx)
    plan = preview(qloop, controller, ["contacts"])
    widget = PreviewWidget()
    qtbot.addWidget(widget)
    widget.resize(1000, 600)
    widget.show()
    widget.set_plan(plan)
    model = widget.model
    creates = model.actions("contacts", "salesforce.create")
    assert len(creates) >= 3
    left_out = creates[1]
    index = model.action_index(left_out.id)
    widget.select_action(left_out.id)
    before = widget.totals()["salesforce"]["create"]
    click_checkbox(qtbot, widget.view, index)

    assert model.data(index, CheckRole) == UNCHECKED
    assert widget.decisions().excluded == {left_out.id}
    assert widget.totals()["salesforce"]["create"] == before - 1
    assert "1 left out" in widget.totals_label.text()
    assert model.data(model.group_index("contacts", "salesforce.create"), CheckRole) == PARTIAL

    report = apply(qloop, controller, widget.decisions())
    assert report.kinds["contacts"].excluded == 1
    names = {name(r) for r in records(sandbox, "Contact")}
    assert name(left_out.record) not in names
    for a in creates:
        if a is not left_out:
            assert name(a.record) in names, a.label

    # It is not forgotten: the next preview offers it again, and only it.
    again = preview(qloop, controller, ["contacts"])
    offered = [a for a in again.kinds["contacts"].actions if a.op == "create" and a.side == "salesforce"]
    assert [name(a.record) for a in offered] == [name(left_out.record)]
    controller.discard_preview()
    qloop.until(lambda: not controller.busy)


@pytest.mark.seed("demo")
def test_a_conflict_is_decided_in_the_details_pane_and_the_choice_is_applied(qtbot, qloop, demo_ctx, sandbox):
    demo_ctx.settings.set("contacts.conflict_policy", "ask")
    controller = SyncController(demo_ctx)
    plan = preview(qloop, controller, ["contacts"])
    conflicts = [a for a in plan.kinds["contacts"].actions if a.op == "conflict"]
    assert conflicts, "the demo world should hold a same-field conflict under 'ask me'"
    dialog = PreviewDialog(plan)
    qtbot.addWidget(dialog)
    dialog.show()
    requested = []
    dialog.apply_requested.connect(requested.append)
    widget = dialog.widget
    assert not dialog.apply_button.isEnabled()
    assert "conflict" in dialog.hint.text()

    target = conflicts[0]
    field, (outlook_value, salesforce_value) = next(iter(target.changes.items()))
    assert widget.select_action(target.id)
    assert widget.details.choice_box.isVisible()
    # the pane shows each side's value of the conflicting field
    table = widget.details.table
    shown = {table.item(r, c).text().replace("\u200b", "") for r in range(table.rowCount()) for c in (1, 2)}
    assert str(outlook_value) in shown and str(salesforce_value) in shown
    keep_outlook = next(b for b in widget.details.choice_buttons() if "Outlook" in b.text())
    click_radio(qtbot, keep_outlook)
    assert widget.decisions().choices == {target.id: "keep_outlook"}
    for other in conflicts[1:]:  # the rest: left out, to decide later
        widget.model.set_excluded(other.id, True)
    assert dialog.apply_button.isEnabled() and dialog.hint.text() == ""

    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert len(requested) == 1 and requested[0].choices == {target.id: "keep_outlook"}
    apply(qloop, controller, requested[0])
    contact = next(r for r in records(sandbox, "Contact") if r["Id"] == target.salesforce_id)
    assert contact[field] == outlook_value


# -- the model and the widget on their own --------------------------------------------------------


def test_totals_follow_what_is_ticked(qtbot):
    widget = PreviewWidget()
    qtbot.addWidget(widget)
    seen = []
    widget.totals_changed.connect(seen.append)
    widget.set_plan(small_plan())
    t = widget.totals()
    assert t["salesforce"]["create"] == 3 and t["outlook"]["update"] == 2
    assert t["matched"] == 1 and t["prevented"] == 1 and t["excluded"] == 0
    widget.model.set_excluded("contacts-4", True)
    assert seen[-1]["outlook"]["update"] == 1 and seen[-1]["excluded"] == 1
    assert "Outlook: 1 to update" in widget.totals_label.text()
    widget.model.set_excluded("contacts-4", False)
    assert seen[-1]["outlook"]["update"] == 2 and seen[-1]["excluded"] == 0


def test_group_and_kind_checkboxes_are_tristate_and_set_their_children(qtbot):
    widget = PreviewWidget()
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    widget.show()
    widget.set_plan(small_plan())
    model = widget.model
    group = model.group_index("contacts", "salesforce.create")
    kind = model.kind_index("contacts")
    widget.view.expand(group)
    child = model.action_index("contacts-2")
    click_checkbox(qtbot, widget.view, child)
    assert model.data(group, CheckRole) == PARTIAL and model.data(kind, CheckRole) == PARTIAL

    click_checkbox(qtbot, widget.view, group)  # partial -> all in
    assert model.data(group, CheckRole) == CHECKED and widget.decisions().excluded == set()
    click_checkbox(qtbot, widget.view, group)  # all in -> all out
    assert model.data(group, CheckRole) == UNCHECKED
    assert widget.decisions().excluded == {"contacts-1", "contacts-2", "contacts-3"}
    assert model.data(model.action_index("contacts-3"), Qt.ItemDataRole.DisplayRole) == "Person 3"
    assert model.data(model.action_index("contacts-3", 1), Qt.ItemDataRole.DisplayRole).startswith("Left out")

    assert model.setData(kind, UNCHECKED, CheckRole)  # the kind row: every checkable item
    assert widget.decisions().excluded == {f"contacts-{n}" for n in range(1, 6)}
    assert model.setData(kind, CHECKED, CheckRole)
    assert widget.decisions().excluded == set()
    # matched pairs and prevented items are for information: no checkbox
    for key in ("match", "prevented"):
        index = model.group_index("contacts", key)
        assert model.data(index, CheckRole) is None
        assert model.data(model.index(0, 0, index), CheckRole) is None
        assert not model.setData(model.index(0, 0, index), UNCHECKED, CheckRole)


def test_held_mass_deletes_go_ahead_only_when_confirmed(qtbot):
    deletes = [act(n, "delete", "outlook") for n in range(1, 13)]
    held = []
    for a in deletes:
        h = act(
            int(a.id.split("-")[1]),
            "held",
            "outlook",
            reason="This sync would delete 12 contacts in Outlook.",
            outcome="mass_delete_guard",
            changes={"LastName": (a.label, None)},
        )
        h.choices = {"confirm": [a]}
        held.append(h)
    plan = Plan(kinds={"contacts": KindPlan("contacts", actions=held)})
    widget = PreviewWidget()
    qtbot.addWidget(widget)
    widget.set_plan(plan)
    box = widget.confirm_boxes["contacts"]
    assert box.text() == "Yes, delete these 12 records"
    widget.select_action("contacts-5")
    assert "would delete 12 contacts in Outlook" in widget.details.reason.text()
    assert widget.details.what.text() == "Held: delete in Outlook"
    assert widget.totals()["held"] == 12 and widget.totals()["outlook"]["delete"] == 0
    assert widget.decisions().confirm_mass_delete == set()
    box.setChecked(True)
    assert widget.decisions().confirm_mass_delete == {"contacts"}
    assert widget.details.what.text() == "Delete in Outlook (confirmed)"
    assert widget.totals()["held"] == 0 and widget.totals()["outlook"]["delete"] == 12
    box.setChecked(False)
    assert widget.decisions().confirm_mass_delete == set()


def test_a_kind_that_failed_or_stopped_says_so_in_plain_words(qtbot):
    stopped = (
        "Outlook returned no contacts at all, while 40 are linked. To protect your data nothing "
        "was changed for contacts."
    )
    plan = Plan(
        kinds={
            "contacts": KindPlan(
                "contacts",
                stopped=stopped,
                actions=[
                    Action(
                        id="contacts-1",
                        kind="contacts",
                        op="held",
                        side="outlook",
                        outlook_id=None,
                        salesforce_id=None,
                        label="All contacts",
                        reason=stopped,
                        outcome="empty_side_guard",
                    )
                ],
            ),
            "events": KindPlan(
                "events",
                error={"title": "Permission missing", "message": "Tandem may not read your calendar."},
            ),
            "tasks": KindPlan("tasks", actions=[act(1, "create", "outlook", kind="tasks")]),
        }
    )
    widget = PreviewWidget()
    qtbot.addWidget(widget)
    widget.show()
    widget.set_plan(plan)
    texts = [label.text() for label in widget.notices.findChildren(QLabel) if label.isVisible()]
    assert any("Permission missing" in t and "may not read your calendar" in t for t in texts)
    assert any(stopped in t for t in texts)
    model = widget.model
    assert model.data(model.kind_index("events").siblingAtColumn(1)) == "Could not be read"
    assert model.data(model.kind_index("contacts").siblingAtColumn(1)) == "Stopped to protect your data"
    assert widget.stack.currentWidget() is widget.splitter


def test_a_field_the_org_lacks_is_a_note_even_when_nothing_changes(qtbot):
    note = "This Salesforce org has no Middle name field: Outlook's middle names are not sent."
    widget = PreviewWidget()
    qtbot.addWidget(widget)
    widget.show()
    widget.set_plan(Plan(kinds={"contacts": KindPlan("contacts", notes=[note])}))
    texts = [label.text() for label in widget.notices.findChildren(QLabel) if label.isVisible()]
    assert any(note in t for t in texts)
    assert widget.stack.currentWidget() is widget.empty


def test_an_empty_plan_says_everything_is_up_to_date(qtbot):
    widget = PreviewWidget()
    qtbot.addWidget(widget)
    widget.show()
    widget.set_plan(Plan(kinds={k: KindPlan(k) for k in ("contacts", "events", "tasks")}))
    assert widget.stack.currentWidget() is widget.empty
    assert widget.empty_title.text() == "Everything is up to date"
    assert widget.empty_title.isVisible()
    dialog = PreviewDialog(Plan(kinds={"tasks": KindPlan("tasks")}))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.apply_button.text() == "OK" and dialog.apply_button.isEnabled()
    assert not dialog.cancel_button.isVisible()


def test_a_first_sync_says_how_many_pairs_were_found_and_by_which_rule(qtbot):
    plan = small_plan()
    plan.kinds["contacts"].matched_by = {"email": 9, "name_company": 2}
    widget = PreviewWidget()
    qtbot.addWidget(widget)
    widget.set_plan(plan)
    assert widget.view.isFirstColumnSpanned(0, widget.model.index(0, 0).parent())
    text = widget.model.data(widget.model.index(0, 0), Qt.ItemDataRole.DisplayRole)
    assert text.startswith("Contacts")
    assert text.endswith("Matched 11 pairs: 9 by email and 2 by name and company.")


def test_a_recreate_can_let_the_delete_win(qtbot):
    delete = act(2, "delete", "salesforce")
    recreate = act(1, "create", "outlook", reason="Deleted in Outlook, but changed in Salesforce since.")
    recreate.choices = {"keep_outlook": [delete]}
    widget = PreviewWidget()
    qtbot.addWidget(widget)
    widget.show()
    widget.set_plan(Plan(kinds={"contacts": KindPlan("contacts", actions=[recreate])}))
    widget.select_action(recreate.id)
    buttons = widget.details.choice_buttons()
    assert [b.text() for b in buttons] == [
        "Create it again in Outlook (the change wins)",
        "Keep the deletion: delete it in Salesforce too",
    ]
    click_radio(qtbot, buttons[1])
    assert widget.decisions().choices == {recreate.id: "keep_outlook"}
    click_radio(qtbot, buttons[0])
    assert widget.decisions().choices == {}


def test_the_dialog_cancels_once_and_applies_once(qtbot):
    dialog = PreviewDialog(small_plan())
    qtbot.addWidget(dialog)
    dialog.open()
    cancelled, applied = [], []
    dialog.cancelled.connect(lambda: cancelled.append(1))
    dialog.apply_requested.connect(applied.append)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert cancelled == [1] and applied == [] and not dialog.isVisible()

    dialog = PreviewDialog(small_plan(), title="Preview of contacts")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == "Preview of contacts"
    dialog.cancelled.connect(lambda: cancelled.append(2))
    dialog.apply_requested.connect(applied.append)
    dialog.widget.model.set_excluded("contacts-1", True)
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert len(applied) == 1 and applied[0].excluded == {"contacts-1"}
    assert cancelled == [1] and not dialog.isVisible()


def test_ten_thousand_actions_load_into_one_lazy_model(qtbot):
    widget = PreviewWidget()
    qtbot.addWidget(widget)
    widget.resize(1000, 600)
    widget.show()
    widget.set_plan(big_plan(10_000))
    model = widget.model
    assert model.rowCount() == 3
    kind = model.kind_index("contacts")
    assert model.rowCount(kind) == 6
    assert sum(model.rowCount(model.index(g, 0, kind)) for g in range(6)) == 3333
    assert len(model.actions()) == 10_000
    group = model.group_index("tasks", "outlook.delete")
    assert model.rowCount(group) == len([i for i in range(3334) if i % 6 == 4])
    assert model.setData(group, UNCHECKED, CheckRole)
    assert widget.totals()["outlook"]["delete"] == 2 * len([i for i in range(3333) if i % 6 == 4])
    assert widget.totals()["excluded"] == model.rowCount(group)
