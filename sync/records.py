"""Domain records and the small value types that travel between sources and the engine.

A *record* is the mapped content of one contact, event or task: a plain ``dict`` keyed by
the Salesforce API names of ``sync.fields`` (``{"FirstName": "Ada", "Email": ...}``).
Values are ``str | None``, ``bool``, ``int`` (event duration), ``datetime.date`` and
timezone-aware UTC ``datetime.datetime``. Every record carries every field of its kind
(``None`` when empty); ``sync.normalise.clean_record`` makes it so.

Sources convert their wire format (Graph JSON, Salesforce JSON) to and from records; the
engine only ever sees records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import ItemError
from .fields import SPECS, Kind

Value = str | bool | int | dt.date | dt.datetime | None
Record = dict[str, Value]


@dataclass(frozen=True)
class SourceItem:
    """One record as a source holds it now.

    ``version`` is the service's concurrency token (Graph ``@odata.etag`` / changeKey,
    Salesforce ``SystemModstamp``); it is passed back on update and delete.
    ``modified_at`` is when a person last changed it (for "most recent change wins").
    ``in_range`` is False when the source can see the record but it lies outside the
    chosen range (owner, campaign, calendar window, closed task ...).
    """

    id: str
    version: str
    record: Record
    modified_at: dt.datetime | None = None
    in_range: bool = True


@dataclass
class ChangeSet:
    """What ``Source.list_changes`` returns.

    ``items``: records created or changed since the cursor (or all records when ``full``).
    ``deleted_ids``: ids that are gone since the cursor, deleted or moved out of scope (the
    engine confirms each one with ``get_many`` before acting on it).
    ``cursor``: opaque; pass it to the next ``list_changes`` call.
    ``full``: True when ``items`` is a complete listing (first sync, or a full re-read after
    an expired cursor): a linked id absent from a full listing is treated like a deleted id.
    """

    items: list[SourceItem]
    deleted_ids: list[str]
    cursor: str
    full: bool


@dataclass(frozen=True)
class Update:
    id: str
    version: str
    fields: Record  # only the mapped fields to change; nothing else is sent


@dataclass(frozen=True)
class Delete:
    id: str
    version: str


# Item results that wait for the person (or their admin) rather than failed: the executor
# records them as held, and the run is not a failed one (e.g. an org setting switched off).
NEEDS_ORG_FEATURE = "needs_org_feature"
HELD_RESULT_CODES = frozenset({NEEDS_ORG_FEATURE})
# A create whose reply was lost or was a failure after the service may have done the work:
# the executor reads back what arrived before anything is sent again (never a blind retry).
OUTCOME_UNKNOWN = "outcome_unknown"


@dataclass(frozen=True)
class ItemResult:
    """The outcome of one item of a batch call, in the order of the request.

    ``ok`` with the record's ``id`` and new ``version``; else ``error``. Deleting a record
    that is already gone is ``ok`` (the wanted state is reached).
    """

    ok: bool
    id: str | None = None
    version: str | None = None
    error: ItemError | None = None

    @classmethod
    def success(cls, id: str, version: str) -> ItemResult:
        return cls(True, id, version)

    @classmethod
    def failure(cls, code: str, message: str, field: str | None = None, id: str | None = None) -> ItemResult:
        return cls(False, id, None, ItemError(code, message, field))


# -- JSON encoding of records (store snapshots, journal images) ------------------------


def encode_value(value: Value) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def decode_value(kind: Kind, name: str, raw: object) -> Value:
    """A value back from its JSON form (``encode_value``): str, bool, int or None."""
    if raw is None:
        return None
    if not isinstance(raw, str | bool | int):
        raise TypeError(f"{name} was stored as {type(raw).__name__}, which is not a field value")
    ftype = SPECS[kind][name].type
    if ftype == "datetime":
        return dt.datetime.strptime(str(raw), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    if ftype == "date":
        return dt.date.fromisoformat(str(raw))
    return raw


def encode_record(record: Mapping[str, Value]) -> dict[str, Any]:
    return {k: encode_value(v) for k, v in record.items()}


def decode_record(kind: Kind, raw: Mapping[str, Any]) -> Record:
    specs = SPECS[kind]
    return {k: decode_value(kind, k, v) for k, v in raw.items() if k in specs}


# -- labels for people ----------------------------------------------------------------


def label(kind: Kind, record: Mapping[str, Value]) -> str:
    """A short human name for a record: "Ada Lovelace <ada@example.com>"."""
    if kind == "contacts":
        name = " ".join(str(p) for p in (record.get("FirstName"), record.get("LastName")) if p)
        email = record.get("Email")
        text = f"{name} <{email}>" if email else name
        return text or "(contact without a name)"
    subject = record.get("Subject") or "(no subject)"
    if kind == "events":
        when = record.get("StartDateTime") or record.get("ActivityDate")
        if isinstance(when, dt.datetime):
            return f"{subject} ({when:%Y-%m-%d %H:%M} UTC)"
        return f"{subject} ({when}, all day)" if when else str(subject)
    due = record.get("ActivityDate")
    return f"{subject} (due {due})" if due else str(subject)


@dataclass
class SideChanges:
    """One side's input to the planner, built by the engine from a ``ChangeSet``.

    ``items``: records the engine has in hand for this run (changed, re-read, or all).
    ``deleted``: ids confirmed gone. ``full``: ``items`` lists everything in range.
    ``lacks``: mapped fields the side does not have (the source's ``missing_fields``).
    """

    items: dict[str, SourceItem] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)
    full: bool = False
    # Mapped fields this side does not have (an org that switched them off or hides them):
    # never compared on this side, never written there (``sync.planner``).
    lacks: frozenset[str] = frozenset()
