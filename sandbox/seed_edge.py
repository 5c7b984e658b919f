"""The ``edge`` seed: the demo world plus the records real orgs and mailboxes hold that the
demo does not, so Tandem meets them in tests before a user does.

Salesforce: child events (the invitees' copies) of meetings the user attends, a legacy
recurring event with its occurrences, an IsRecurrence2 weekly series, a private event, a
three-day all-day event, custom task statuses (one open, one closed besides "Completed").
Outlook: a recurring series with one moved occurrence, and a private event.

Each part lives in its own function so each can grow on its own.
"""

from __future__ import annotations

from datetime import date, timedelta

from sandbox import seed_demo
from sandbox.clock import sf_datetime
from sandbox.state import SandboxState


def populate(state: SandboxState) -> None:
    """Fill ``state`` (already holding the base world) with the demo data and the edge cases."""
    seed_demo.populate(state)
    salesforce_events(state)
    salesforce_tasks(state)
    outlook_items(state)


def salesforce_events(state: SandboxState) -> None:
    """Child events, a legacy recurring event, an IsRecurrence2 series, a private event and a
    three-day all-day event, all owned by the signed-in user. (The IsRecurrence2 series is not
    seeded yet: the schema has no Recurrence2 fields.)"""
    me = seed_demo.sf_user_by_alias(state, "mreyes")["Id"]
    sam = seed_demo.sf_user_by_alias(state, "sokafor")["Id"]
    d0 = seed_demo.anchor_day(state)

    def timed(subject: str, day: date, owner: str, **extra: object) -> dict:
        start = seed_demo.at(day, "10:00")
        fields = {
            "Subject": subject,
            "StartDateTime": sf_datetime(start),
            "EndDateTime": sf_datetime(start + timedelta(hours=1)),
            "OwnerId": owner,
            **extra,
        }
        return state.sf_create("Event", fields, user_id=owner)

    for n, subject in enumerate(["Edge: colleague's pipeline review", "Edge: colleague's partner call"]):
        timed(subject, seed_demo.workday(d0, 3 + n), sam)  # the colleague organises it
        timed(subject, seed_demo.workday(d0, 3 + n), me, IsChild=True)  # the user's copy
    master = timed("Edge: legacy weekly sync", seed_demo.workday(d0, 2), me, IsRecurrence=True)
    for week in range(3):
        timed(
            "Edge: legacy weekly sync",
            d0 + timedelta(days=7 * week + 2),
            me,
            RecurrenceActivityId=master["Id"],
        )
    timed("Edge: private appointment", seed_demo.workday(d0, 4), me, IsPrivate=True)
    state.sf_create(
        "Event",
        {
            "Subject": "Edge: three-day trade fair",
            "IsAllDayEvent": True,
            "ActivityDate": seed_demo.workday(d0, 8).isoformat(),
            "DurationInMinutes": 3 * 1440,
            "OwnerId": me,
        },
        user_id=me,
    )


def salesforce_tasks(state: SandboxState) -> None:
    """Custom task statuses and tasks that use them."""


def outlook_items(state: SandboxState) -> None:
    """A recurring series with one moved occurrence, and a private event."""
