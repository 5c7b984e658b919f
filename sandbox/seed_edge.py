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
from sandbox.base_world import default_calendar
from sandbox.clock import sf_datetime
from sandbox.graph.core import fmt_wall
from sandbox.graph.series import series_starts, synthesize
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
    # A Lightning event series (IsRecurrence2): four weekly occurrences; the first one is the
    # series record and carries the RRULE, the third was moved (an exception).
    series = timed(
        "Edge: weekly forecast call",
        seed_demo.workday(d0, 1),
        me,
        IsRecurrence2=True,
        Recurrence2PatternText="RRULE:FREQ=WEEKLY;INTERVAL=1;COUNT=4",
    )
    series["_series"] = series["Id"]
    for week in range(1, 4):
        day = seed_demo.workday(d0, 1) + timedelta(days=7 * week)
        row = timed(
            "Edge: weekly forecast call", day, me, IsRecurrence2=True, IsRecurrence2Exception=week == 2
        )
        row["_series"] = series["Id"]
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
    cal = default_calendar(state)["id"]
    d0 = state.now().date()
    # A weekly Wednesday series from two weeks back for ten weeks; its third occurrence
    # (next Wednesday or so) moved by two hours: an exception of the series.
    first = d0 - timedelta(days=14 + (d0.weekday() - 2) % 7)
    master = seed_demo._add_outlook_item(
        state,
        "events",
        seed_demo.outlook_event(
            subject="Weekly key-account sync",
            start=seed_demo.at(first, "10:00"),
            end=seed_demo.at(first, "10:45"),
            location="Microsoft Teams meeting",
            online=True,
            recurrence=seed_demo.weekly(first, ["wednesday"], end_day=first + timedelta(weeks=9)),
        ),
        cal,
    )
    until = seed_demo.at(first + timedelta(weeks=10), "00:00")
    original, start, end, _s, _e = list(series_starts(master, until))[2]
    moved = synthesize(master, original, start, end)
    moved.update(
        {
            "type": "exception",
            "start": {"dateTime": fmt_wall(_s + timedelta(hours=2)), "timeZone": "UTC"},
            "end": {"dateTime": fmt_wall(_e + timedelta(hours=2)), "timeZone": "UTC"},
            "subject": "Weekly key-account sync (moved)",
        }
    )
    moved.pop("_container", None)
    seed_demo._add_outlook_item(state, "events", moved, cal)
    # A private appointment (sensitivity private) in the coming week.
    private_day = d0 + timedelta(days=3)
    seed_demo._add_outlook_item(
        state,
        "events",
        seed_demo.outlook_event(
            subject="Doctor's appointment",
            start=seed_demo.at(private_day, "08:00"),
            end=seed_demo.at(private_day, "09:00"),
            sensitivity="private",
            show_as="oof",
        ),
        cal,
    )
