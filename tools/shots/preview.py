"""Screenshots of the preview dialog with the demo world's first sync.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/shots/preview.py
    QT_QPA_PLATFORM=offscreen QT_SCALE_FACTOR=2 .venv/bin/python tools/shots/preview.py   # @2x

Starts its own sandbox (seed "demo"), signs a throw-away profile in to both services the way
tests/ui/conftest.py does (device code auto-approved, scripted browser, in-memory keyring),
previews contacts + events + tasks, and saves into docs/screenshots/:

- preview.png            the first sync: a contact update selected, old and new values
- preview-conflict.png   the same world under the "ask me" conflict policy: a conflict to decide
- preview-guards.png     held mass deletes to confirm and a kind that could not be read
- preview-empty.png      a plan with nothing to do
"""

from __future__ import annotations

import asyncio

from demo_setup import demo_world, open_context, qt, save


def demo_plans():
    """(first sync plan, the same under 'ask me'), computed before any Qt object exists."""
    server, info, profile = demo_world("demo")
    try:
        ctx = open_context(info, profile)

        async def preview():
            async with ctx.service.session(["contacts", "events", "tasks"]) as session:
                return await session.preview()

        first = asyncio.run(preview())
        ctx.settings.set("contacts.conflict_policy", "ask")
        ask = asyncio.run(preview())
        ctx.close()
        return first, ask
    finally:
        server.stop()


def guarded(first):
    """The guards on the demo's contacts: 12 deletes in Outlook held by the mass-delete guard,
    events that could not be read, tasks as planned."""
    from dataclasses import replace

    from sync.plan import KindPlan, Plan

    pairs = [a for a in first.kinds["contacts"].actions if a.op == "match"][:12]
    reason = (
        f"This sync would delete {len(pairs)} contacts in Outlook (of 40 linked). That is more than "
        "Tandem deletes without asking, so the deletes are held. Confirm them in the preview if "
        "they are intended."
    )
    held = []
    for n, pair in enumerate(pairs, 1):
        delete = replace(
            pair,
            id=f"contacts-d{n}",
            op="delete",
            side="outlook",
            reason="",
            choices={},
            changes={"LastName": (pair.label.split(" <")[0].split(" ")[-1], None)},
        )
        held.append(
            replace(
                delete,
                id=f"contacts-g{n}",
                op="held",
                reason=reason,
                outcome="mass_delete_guard",
                choices={"confirm": [delete]},
            )
        )
    return Plan(
        kinds={
            "contacts": KindPlan("contacts", actions=held),
            "events": KindPlan(
                "events",
                error={
                    "title": "Calendar not found",
                    "message": (
                        "The calendar chosen in the settings no longer exists in Outlook. Pick another calendar in "
                        "Settings, then sync again."
                    ),
                },
            ),
            "tasks": first.kinds["tasks"],
        }
    )


def main() -> None:
    first, ask = demo_plans()

    from sync.plan import KindPlan, Plan
    from ui.preview.widget import PreviewDialog

    app, _loop = qt()  # dialogs only: the loop is never run

    def shot(dialog: PreviewDialog, name: str) -> None:
        dialog.show()
        for _ in range(5):
            app.processEvents()
        save(dialog, name)
        dialog.close()

    dialog = PreviewDialog(first)
    model = dialog.widget.model
    updates = model.actions("contacts", "outlook.update")
    pick = max(updates, key=lambda a: len(a.changes)) if updates else model.actions()[0]
    dialog.widget.select_action(pick.id)
    excluded = model.actions("contacts", "salesforce.create")
    if len(excluded) > 1:  # show what a left-out item looks like
        dialog.widget.view.expand(model.group_index("contacts", "salesforce.create"))
        model.set_excluded(excluded[1].id, True)
    dialog.widget.select_action(pick.id)
    shot(dialog, "preview")

    dialog = PreviewDialog(ask)
    conflicts = dialog.widget.model.actions("contacts", "conflict")
    if conflicts:
        dialog.widget.select_action(conflicts[0].id)
    shot(dialog, "preview-conflict")

    dialog = PreviewDialog(guarded(first))
    dialog.widget.select_action("contacts-g1")
    shot(dialog, "preview-guards")

    dialog = PreviewDialog(Plan(kinds={k: KindPlan(k) for k in ("contacts", "events", "tasks")}))
    dialog.resize(720, 420)
    shot(dialog, "preview-empty")


if __name__ == "__main__":
    main()
