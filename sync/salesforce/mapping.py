"""Salesforce JSON <-> mapped records (FIELD_MAPPING.md), for the Salesforce sources.

Reading: a SOQL row (``{"Id", "SystemModstamp", "FirstName", "Account": {"Name"}, ...}``) becomes
a cleaned record. ``AccountName`` is read from ``Account.Name`` (Salesforce -> Outlook only);
an event's ``WhoEmail`` is read from ``Who.Email``.

Fields an org lacks: the sources read the object's describe first (``select_fields`` and
``to_body`` take what it lists), so a switched-off MiddleName / Suffix or a field hidden by
field-level security is neither selected nor written.

Writing: a record (or the changed fields of one) becomes a JSON body with only the mapped,
writable fields. ``AccountName`` is never written; ``WhoEmail`` is resolved to ``WhoId`` by
the source. Event timing is sent in one consistent shape: all-day events carry
``ActivityDate`` + ``DurationInMinutes``, timed ones ``StartDateTime`` + ``EndDateTime``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

from sync.fields import FIELDS, SPECS, Kind, fields_to
from sync.normalise import clean_record
from sync.records import Record, Value
from sync.salesforce.task_status import record_status
from sync.salesforce.timestamps import soql_datetime

UTC = dt.UTC
SOBJECTS: dict[Kind, str] = {"contacts": "Contact", "events": "Event", "tasks": "Task"}
SYSTEM_FIELDS = ("Id", "SystemModstamp", "LastModifiedDate", "OwnerId")
# Mapped fields that are not plain columns of the object, and where they come from.
READ_PATHS: dict[Kind, dict[str, str]] = {
    "contacts": {"AccountName": "Account.Name"},
    "events": {"WhoEmail": "Who.Email"},
    "tasks": {},
}
NOT_WRITTEN = {"AccountName", "WhoEmail"}  # WhoEmail is turned into WhoId by the source


def select_fields(kind: Kind, present: Collection[str] | None = None) -> list[str]:
    """The SOQL SELECT list for ``kind``; with ``present`` (the object's fields in describe),
    mapped fields the org lacks or hides are left out (naming one fails the whole query)."""
    paths = READ_PATHS[kind]
    extra = {"contacts": ["AccountId"], "tasks": ["IsClosed"]}.get(kind, [])  # tasks: open/closed
    mapped = [
        f.name for f in FIELDS[kind] if present is None or f.name in READ_PATHS[kind] or f.name in present
    ]
    return list(SYSTEM_FIELDS) + extra + [paths.get(name, name) for name in mapped]


def missing_fields(kind: Kind, present: Collection[str]) -> list[str]:
    """Mapped fields of ``kind`` the org does not have (or hides), in FIELD_MAPPING order."""
    return [
        f.name
        for f in FIELDS[kind]
        if f.name not in READ_PATHS[kind] and f.name not in NOT_WRITTEN and f.name not in present
    ]


def parse_sf_datetime(text: str | None) -> dt.datetime | None:
    """``2026-09-01T12:00:00.000+0000`` (or ``Z`` / ``+00:00``) -> aware UTC datetime."""
    if not text:
        return None
    s = text.strip()
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    elif len(s) >= 5 and s[-5] in "+-" and s[-4:].isdigit():
        s = s[:-2] + ":" + s[-2:]
    return dt.datetime.fromisoformat(s).astimezone(UTC)


def _path(row: Mapping[str, Any], path: str) -> Any:
    value: Any = row
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def from_row(kind: Kind, row: Mapping[str, Any]) -> Record:
    """A cleaned record from one Salesforce row."""
    paths = READ_PATHS[kind]
    raw: dict[str, Any] = {}
    for spec in FIELDS[kind]:
        value = _path(row, paths.get(spec.name, spec.name))
        if value is not None:
            if spec.type == "datetime":
                value = parse_sf_datetime(value)
            elif spec.type == "date":
                value = dt.date.fromisoformat(value[:10])
        raw[spec.name] = value
    if kind == "tasks":  # by the row's IsClosed and the org's words (sync.salesforce.task_status)
        raw["Status"] = record_status(row)
    return clean_record(kind, raw)


def encode(value: Value) -> Any:
    if isinstance(value, dt.datetime):  # the documented SOQL literal, also fine in a JSON body
        return soql_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def to_body(
    kind: Kind, fields: Mapping[str, Value], allowed: Collection[str] | None = None
) -> dict[str, Any]:
    """The JSON body for the mapped ``fields`` (only writable ones; ``None`` clears a field).
    ``allowed``: the fields describe says may be written here (create or update); others are
    left out, so a field the org lacks, hides or keeps read-only is never sent."""
    writable = set(fields_to(kind, "salesforce")) - NOT_WRITTEN
    if allowed is not None:
        writable &= set(allowed)
    body = {name: encode(value) for name, value in fields.items() if name in writable and name in SPECS[kind]}
    if kind == "events":
        all_day = fields.get("IsAllDayEvent")
        if all_day is True:
            for name in ("StartDateTime", "EndDateTime"):
                body.pop(name, None)
        elif all_day is False or "StartDateTime" in body:
            for name in ("ActivityDate", "DurationInMinutes"):
                if body.get(name) is None:
                    body.pop(name, None)
    if kind == "tasks" and body.get("IsReminderSet") is False:
        body.setdefault("ReminderDateTime", None)
    return body
