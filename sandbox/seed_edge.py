"""The ``edge`` seed: the demo world plus the records real orgs and mailboxes hold that the
demo does not, so Tandem meets them in tests before a user does.

Salesforce: child events (the invitees' copies) of meetings the user attends, a legacy
recurring event with its occurrences, an IsRecurrence2 weekly series, a private event, a
three-day all-day event, custom task statuses (one open, one closed besides "Completed").
Outlook: a recurring series with one moved occurrence, and a private event.

Each part lives in its own function so each can grow on its own.
"""

from __future__ import annotations

from sandbox import seed_demo
from sandbox.state import SandboxState


def populate(state: SandboxState) -> None:
    """Fill ``state`` (already holding the base world) with the demo data and the edge cases."""
    seed_demo.populate(state)
    salesforce_events(state)
    salesforce_tasks(state)
    outlook_items(state)


def salesforce_events(state: SandboxState) -> None:
    """Child events, a legacy recurring event, an IsRecurrence2 series, a private event and a
    three-day all-day event, all owned by the signed-in user."""


def salesforce_tasks(state: SandboxState) -> None:
    """Custom task statuses and tasks that use them: "Waiting on customer" (open) and "Done"
    (closed, besides "Completed"), each on one open task of the signed-in user."""
    from datetime import timedelta

    from sandbox.salesforce import task_status

    task_status.rows(state)  # the standard five first
    task_status.add(state, "Waiting on customer", closed=False)
    task_status.add(state, "Done", closed=True)
    me = state.sf["me"]
    today = state.now().date()
    for subject, status, days in (
        ("Chase the signed order form", "Waiting on customer", 3),
        ("Archive the pilot feedback", "Done", -2),
    ):
        state.sf_create(
            "Task",
            {
                "Subject": subject,
                "Status": status,
                "Priority": "Normal",
                "ActivityDate": (today + timedelta(days=days)).isoformat(),
                "OwnerId": me,
                "TaskSubtype": "Task",
            },
            user_id=me,
        )


def outlook_items(state: SandboxState) -> None:
    """A recurring series with one moved occurrence, and a private event."""
