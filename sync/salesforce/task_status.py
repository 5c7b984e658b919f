"""Task status through the org's TaskStatus picklist (FIELD_MAPPING.md, Tasks).

A task record's ``Status`` is one of the five standard values Outlook's To Do statuses map
onto (``sync.fields.PICKLISTS["Status"]``). Salesforce orgs rename, add and close statuses,
so the Salesforce source translates both ways:

Reading (``record_status``), by the row's ``IsClosed``, never by the label:
    closed (any closed status, e.g. a custom "Done")   -> "Completed";
    open and one of the standard open values            -> that value;
    open and custom: the nearest by its words           -> "Waiting on someone else" (wait),
        "Deferred" (defer, hold, postpone), "Not Started" (not started, new, open), otherwise
        "In Progress" (the work is under way: never "Not Started" by default).
    Read-only mapping, so a custom status is stable: it reads the same every sync and is
    never written back unless the Status changes in Outlook.

Writing (``OrgStatuses.to_org``), from ``SELECT ApiName, MasterLabel, IsClosed, IsDefault,
SortOrder FROM TaskStatus`` (asked once per source, only when a Status is written):
    "Completed"   -> "Completed" when it is a closed status of the org, else the org's first
                     closed status by SortOrder;
    "Not Started" -> the org's default status (IsDefault) when it is open, else its first open
                     status by SortOrder (an Outlook task reopened);
    another value -> itself when it is an open status of the org, else the default as above.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sync.fields import PICKLISTS
from sync.records import Record

STANDARD = PICKLISTS["Status"]
CLOSED = "Completed"
STATUS_QUERY = (
    "SELECT ApiName, MasterLabel, IsClosed, IsDefault, SortOrder FROM TaskStatus ORDER BY SortOrder"
)
_NEAREST = (
    (("wait",), "Waiting on someone else"),
    (("defer", "hold", "postpone"), "Deferred"),
    (("not started", "new", "open"), "Not Started"),
)


def record_status(row: Mapping[str, Any]) -> str | None:
    """The record's Status for a Task row (see the module text)."""
    status = row.get("Status")
    if status is None:
        return None
    if row.get("IsClosed") is True:
        return CLOSED
    text = str(status)
    if text in STANDARD and text != CLOSED:
        return text
    low = text.casefold()
    for words, value in _NEAREST:
        if any(w in low for w in words):
            return value
    return "In Progress"


@dataclass(frozen=True)
class OrgStatuses:
    """The org's statuses: ``(value, closed, default)`` in SortOrder."""

    values: tuple[tuple[str, bool, bool], ...]

    @classmethod
    def from_rows(cls, rows: Sequence[Mapping[str, Any]]) -> OrgStatuses:
        ordered = sorted(rows, key=lambda r: (r.get("SortOrder") is None, r.get("SortOrder") or 0))
        values = tuple(
            (str(r.get("ApiName") or r.get("MasterLabel")), bool(r.get("IsClosed")), bool(r.get("IsDefault")))
            for r in ordered
            if r.get("ApiName") or r.get("MasterLabel")
        )
        return cls(values) if values else STANDARD_ORG

    def to_org(self, value: str) -> str:
        closed = [v for v, c, _ in self.values if c]
        opened = [v for v, c, _ in self.values if not c]
        if value == CLOSED:
            return CLOSED if CLOSED in closed else (closed[0] if closed else CLOSED)
        if value != "Not Started" and value in opened:
            return value
        default = next((v for v, c, d in self.values if d and not c), None)
        return default or (opened[0] if opened else value)


STANDARD_ORG = OrgStatuses(tuple((v, v == CLOSED, v == "Not Started") for v in STANDARD))


class TaskStatusWrites:
    """The writing side for ``SalesforceTasks`` (before ``SalesforceSource`` in its bases): the
    org's statuses are asked once, by the lookups before the first write that carries a Status."""

    client: Any
    _statuses: OrgStatuses | None = None

    async def _lookups(self, records: Sequence[Record]) -> dict[str, str]:
        if self._statuses is None and any(r.get("Status") for r in records):
            self._statuses = OrgStatuses.from_rows(await self.client.query(STATUS_QUERY))
        return {}

    def _body(self, fields: Record, lookups: dict[str, str], creating: bool) -> dict[str, Any]:
        body: dict[str, Any] = super()._body(fields, lookups, creating)  # type: ignore[misc]  # SalesforceSource's
        if body.get("Status"):
            body["Status"] = (self._statuses or STANDARD_ORG).to_org(str(body["Status"]))
        return body
