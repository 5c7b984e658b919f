"""Salesforce events (``SalesforceEvents``): which of the user's events Tandem keeps in step,
and the org's rules for writing them.

Synced: the user's own single events (``OwnerId = me``) in the date window, and the
occurrences of *legacy* recurring events (rows with ``RecurrenceActivityId``: each occurrence
is an event row of its own, changed and deleted on its own).

Left alone (never read for sync, never written), because writing them would duplicate or
change more than one meeting:
- child events (``IsChild``): an invitee's copy of a meeting someone else organises. The
  meeting is already in the user's Outlook as an invitation; only its reminder can be changed.
- legacy recurring masters (``IsRecurrence``): the pattern, not an event itself.
- Lightning event series (``IsRecurrence2``, API 58.0 and later): a change to an occurrence may
  change the series, and deleting the first occurrence deletes the whole series.
A full listing asks for these once (one query of at most ``LEFT_ALONE_SHOWN`` rows) and the
preview says in a note how many there are and why they are left alone (``read_notes``).

Private events (``IsPrivate``) relate to no contact or record: written without WhoId/WhatId.

Events longer than a day (``DurationInMinutes`` > 1440) need the org's multi-day events
setting, which describe does not show. Tandem learns it from Salesforce's refusal: the refused
event is held with a plain reason (not a failed run), the fact is kept in the profile (beside
the describe cache) for ``MULTIDAY_MEMORY_DAYS``, and meanwhile such writes are held before
they are sent (``unwritable``). Events longer than 14 days are always held (Salesforce's limit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sync.fields import Kind
from sync.records import NEEDS_ORG_FEATURE, ChangeSet, ItemResult, Record, Update
from sync.salesforce.client import SalesforceClient, chunks, soql_ids, soql_quote
from sync.salesforce.mapping import encode
from sync.salesforce.source import IDS_PER_QUERY, SalesforceSource

UTC = dt.UTC
DAY_MINUTES = 1440
MAX_EVENT_MINUTES = 14 * DAY_MINUTES  # Salesforce's longest event
MULTIDAY_KEY = "salesforce.org.no_multiday_events"  # when Salesforce last refused one
MULTIDAY_MEMORY_DAYS = 7
LEFT_ALONE_SHOWN = 200

MULTIDAY_REASON = (
    "This event lasts more than a day, and this Salesforce org does not allow events longer "
    "than a day (multi-day events are switched off). It stays in Outlook only; ask your "
    "Salesforce administrator to enable multi-day events to sync it."
)
TOO_LONG_REASON = (
    "This event lasts more than 14 days, the longest event Salesforce allows. It stays in "
    "Outlook only; split it into shorter events to sync it."
)


def event_minutes(record: Record) -> int | None:
    """How long an event record lasts, in minutes (None: not known)."""
    minutes = record.get("DurationInMinutes")
    if record.get("IsAllDayEvent") or (isinstance(minutes, int) and "StartDateTime" not in record):
        return minutes if isinstance(minutes, int) else None
    start, end = record.get("StartDateTime"), record.get("EndDateTime")
    if isinstance(start, dt.datetime) and isinstance(end, dt.datetime):
        return int((end - start).total_seconds() // 60)
    return None


def _when(row: dict[str, Any]) -> str:
    return str(row.get("ActivityDate") or str(row.get("StartDateTime") or "")[:10])


def left_alone_note(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The preview's notes on the events Tandem leaves alone, by kind, naming a few."""
    groups: dict[str, list[dict[str, Any]]] = {"child": [], "legacy": [], "series": []}
    for row in rows:
        if row.get("IsChild"):
            groups["child"].append(row)
        elif row.get("IsRecurrence2"):
            groups["series"].append(row)
        elif row.get("IsRecurrence"):
            groups["legacy"].append(row)
    why = {  # (one, many): what the rows are, and why they are left alone
        "child": (
            "copy of a meeting someone else organises",
            "copies of meetings someone else organises",
        ),
        "legacy": (
            "recurring event pattern of Salesforce Classic",
            "recurring event patterns of Salesforce Classic",
        ),
        "series": ("occurrence of a Lightning recurring series", "occurrences of Lightning recurring series"),
    }
    because = {
        "child": "they are already in your Outlook as invitations",
        "legacy": "their occurrences sync one by one",
        "series": "a change to one could change the whole series",
    }
    notes = []
    for group, found in groups.items():
        if not found:
            continue
        names = list(dict.fromkeys(f'"{r.get("Subject") or "(no subject)"}" ({_when(r)})' for r in found))
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        more = "+" if len(rows) >= LEFT_ALONE_SHOWN else ""
        one, many = why[group]
        what = f"1 {one}" if len(found) == 1 else f"{len(found)}{more} {many}"
        notes.append(f"Left as they are in Salesforce ({because[group]}): {what}: {shown}.")
    return notes


class SalesforceEvents(SalesforceSource):
    kind: Kind = "events"

    def __init__(
        self,
        client: SalesforceClient,
        user_id: str,
        *,
        days_back: int = 30,
        days_ahead: int = 365,
        include_private: bool = False,
    ) -> None:
        super().__init__(client, user_id)
        self.days_back = days_back
        self.days_ahead = days_ahead
        self.include_private = include_private
        self.read_notes: list[str] = []  # for the preview: what is left alone and why

    def _window(self) -> str:
        return (
            f"OwnerId = {soql_quote(self.user_id)} AND ActivityDate >= N_DAYS_AGO:{self.days_back} "
            f"AND ActivityDate <= NEXT_N_DAYS:{self.days_ahead}"
        )

    def range_condition(self) -> str | None:
        cond = self._window() + " AND IsChild = false AND IsRecurrence = false AND IsRecurrence2 = false"
        return cond if self.include_private else cond + " AND IsPrivate = false"

    async def list_changes(self, cursor: str | None) -> ChangeSet:
        self.read_notes = []
        changes = await super().list_changes(cursor)
        if changes.full:
            rows = await self.client.query(
                "SELECT Id, Subject, ActivityDate, StartDateTime, IsChild, IsRecurrence, IsRecurrence2 "
                f"FROM Event WHERE {self._window()} "
                "AND (IsChild = true OR IsRecurrence = true OR IsRecurrence2 = true) "
                f"ORDER BY ActivityDate LIMIT {LEFT_ALONE_SHOWN}"
            )
            self.read_notes = left_alone_note(rows)
        return changes

    def _match_condition(self, record: Record) -> str | None:
        me = f"OwnerId = {soql_quote(self.user_id)} AND IsChild = false AND IsRecurrence2 = false"
        if record.get("Subject"):
            return f"{me} AND Subject = {soql_quote(str(record['Subject']))}"
        if record.get("IsAllDayEvent") and record.get("ActivityDate"):
            return f"{me} AND ActivityDate = {encode(record['ActivityDate'])}"
        if record.get("StartDateTime"):
            return f"{me} AND StartDateTime = {encode(record['StartDateTime'])}"
        return None

    async def _lookups(self, records: Sequence[Record]) -> dict[str, str]:
        emails = sorted({str(r["WhoEmail"]).casefold() for r in records if r.get("WhoEmail")})
        out: dict[str, str] = {}
        for chunk in chunks(emails, IDS_PER_QUERY):
            rows = await self.client.query(
                f"SELECT Id, Email FROM Contact WHERE Email IN {soql_ids(chunk)} ORDER BY CreatedDate"
            )
            for row in rows:
                out.setdefault(str(row["Email"]).casefold(), row["Id"])
        return out

    def _body(self, fields: Record, lookups: dict[str, str], creating: bool) -> dict[str, Any]:
        body = super()._body(fields, lookups, creating)
        if "WhoEmail" in fields:
            email = fields.get("WhoEmail")
            who_id = lookups.get(str(email).casefold()) if email else None
            if who_id or not creating:
                body["WhoId"] = who_id
        if fields.get("IsPrivate"):
            # Salesforce relates a private event to no contact or record: written without them
            body.pop("WhoId", None)
            body.pop("WhatId", None)
        return body

    # -- events longer than a day ------------------------------------------------------

    def _lacks_multiday(self) -> bool:
        cache = self.client.describe_cache
        when = cache.setting(MULTIDAY_KEY, None) if cache is not None else None
        try:
            since = dt.datetime.fromisoformat(str(when)) if when else None
        except ValueError:
            return False
        return since is not None and dt.datetime.now(UTC) - since < dt.timedelta(days=MULTIDAY_MEMORY_DAYS)

    def unwritable(self, records: Sequence[Record]) -> list[str | None]:
        """Per record to be written, why Salesforce would refuse it (None: it can be sent)."""
        lacks = self._lacks_multiday()
        out: list[str | None] = []
        for record in records:
            minutes = event_minutes(record)
            if minutes is not None and minutes > MAX_EVENT_MINUTES:
                out.append(TOO_LONG_REASON)
            elif minutes is not None and minutes > DAY_MINUTES and lacks:
                out.append(MULTIDAY_REASON)
            else:
                out.append(None)
        return out

    def _multiday_refusals(self, records: Sequence[Record], results: list[ItemResult]) -> list[ItemResult]:
        """A refused event longer than a day: Salesforce has no multi-day events. Remember it
        and hold the item with a plain reason."""
        out = []
        for record, result in zip(records, results, strict=False):
            error = result.error
            minutes = event_minutes(record)
            if (
                not result.ok
                and error is not None
                and error.code == "invalid"
                and error.field in ("DurationInMinutes", "EndDateTime")
                and minutes is not None
                and DAY_MINUTES < minutes <= MAX_EVENT_MINUTES
            ):
                cache = self.client.describe_cache
                if cache is not None:
                    cache.set_setting(MULTIDAY_KEY, dt.datetime.now(UTC).isoformat())
                result = ItemResult.failure(NEEDS_ORG_FEATURE, MULTIDAY_REASON, error.field, id=result.id)
            out.append(result)
        return out

    async def create_many(self, records: Sequence[Record]) -> list[ItemResult]:
        return self._multiday_refusals(records, await super().create_many(records))

    async def update_many(self, updates: Sequence[Update]) -> list[ItemResult]:
        return self._multiday_refusals([u.fields for u in updates], await super().update_many(updates))
