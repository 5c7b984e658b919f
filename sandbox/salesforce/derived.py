"""The fields Salesforce computes itself when a row is written: Name, IsClosed, the
ActivityDate and times of events, and activities' AccountId.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Protocol

from sandbox.clock import parse_instant, sf_datetime
from sandbox.salesforce.schema import CLOSED_TASK_STATUSES, OBJECTS
from sandbox.salesforce.task_status import closed_labels


class RecordSource(Protocol):
    """Where derived fields look up related rows (the sandbox state)."""

    def sf_get(self, sobject: str, record_id: str) -> dict | None: ...


def _parse_dt(value: str | None) -> datetime | None:
    if not value:
        return None
    return parse_instant(value)


def derive(sobject: str, rec: dict, state: RecordSource | None = None) -> None:
    """Fill the fields Salesforce computes itself (Name, IsClosed, ActivityDate...)."""
    for f in OBJECTS[sobject]:
        if rec.get(f.name) is None and f.default is not None:
            rec[f.name] = f.default
    if sobject in ("Contact", "User"):
        rec["Name"] = " ".join(p for p in (rec.get("FirstName"), rec.get("LastName")) if p)
    elif sobject == "Task":
        rec["IsClosed"] = rec.get("Status") in (
            closed_labels(state) if state is not None else set(CLOSED_TASK_STATUSES)
        )
        rec["IsHighPriority"] = rec.get("Priority") == "High"
        if rec["IsClosed"] and not rec.get("CompletedDateTime"):
            rec["CompletedDateTime"] = rec.get("LastModifiedDate")
        if not rec["IsClosed"]:
            rec["CompletedDateTime"] = None
        _derive_account(rec, state)
    elif sobject == "Event":
        start = _parse_dt(rec.get("StartDateTime"))
        if rec.get("IsAllDayEvent"):
            day = rec.get("ActivityDate") or (start.date().isoformat() if start else None)
            if day:
                d = date.fromisoformat(day)
                minutes = rec.get("DurationInMinutes") or 1440
                rec["ActivityDate"] = d.isoformat()
                rec["DurationInMinutes"] = minutes
                start = (
                    datetime(d.year, d.month, d.day, tzinfo=start.tzinfo if start else None)
                    if start
                    else datetime.fromisoformat(d.isoformat() + "T00:00:00+00:00")
                )
                rec["StartDateTime"] = sf_datetime(start)
                rec["EndDateTime"] = sf_datetime(start + timedelta(minutes=minutes))
        elif start is not None:
            end = _parse_dt(rec.get("EndDateTime"))
            if end is None and rec.get("DurationInMinutes") is not None:
                end = start + timedelta(minutes=int(rec["DurationInMinutes"]))
            if end is not None:
                rec["EndDateTime"] = sf_datetime(end)
                rec["DurationInMinutes"] = int((end - start).total_seconds() // 60)
            rec["StartDateTime"] = sf_datetime(start)
            rec["ActivityDate"] = start.date().isoformat()
        rec["ActivityDateTime"] = rec.get("StartDateTime")
        _derive_account(rec, state)


def _derive_account(rec: dict, state: RecordSource | None) -> None:
    """Activities' AccountId follows WhatId (an Account) or the Who contact's account."""
    if state is None:
        return
    account = None
    what = rec.get("WhatId")
    if what and state.sf_get("Account", what):
        account = what
    elif rec.get("WhoId"):
        who = state.sf_get("Contact", rec["WhoId"])
        if who:
            account = who.get("AccountId")
    rec["AccountId"] = account
