"""What the console lists: the two sides, the three kinds of record and where each is kept."""

from __future__ import annotations

from urllib.parse import quote

KINDS = ("contacts", "events", "tasks")

SIDES = ("outlook", "salesforce")

COLLECTION = {"contacts": "contacts", "events": "events", "tasks": "todoTasks"}

SOBJECT = {"contacts": "Contact", "events": "Event", "tasks": "Task"}

PAGE_SIZE = 100

TODO_STATUSES = ("notStarted", "inProgress", "completed", "waitingOnOthers", "deferred")

TODO_STATUS_LABELS = {
    "notStarted": "Not started",
    "inProgress": "In progress",
    "completed": "Completed",
    "waitingOnOthers": "Waiting on others",
    "deferred": "Deferred",
}

IMPORTANCES = ("low", "normal", "high")

SHOW_AS = ("free", "tentative", "busy", "oof", "workingElsewhere")

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def singular(kind: str) -> str:
    return {"contacts": "contact", "events": "event", "tasks": "task"}[kind]


def record_url(side: str, kind: str, item_id: str) -> str:
    return f"/_sandbox/console/{side}/{kind}/{quote(item_id, safe='')}"
