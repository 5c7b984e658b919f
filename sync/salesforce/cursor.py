"""The cursor of the Salesforce sources (``sync.salesforce.source``): what it holds, the change
query, the getDeleted window and its limits.

Incremental reads (the cursor)
    The cursor holds ``m``: the newest ``SystemModstamp`` seen, ``seen``: the (id, stamp) pairs
    seen in that stamp's whole second, ``d``: the start of the next getDeleted window (a minute,
    as Salesforce ignores seconds there) and ``dids``: ids already reported deleted inside that
    minute. A delta is two requests when nothing changed:
      1. ``GET /sobjects/T/deleted/?start=d&end=...`` -> ``deleted_ids``;
      2. ``SELECT ... WHERE SystemModstamp >= <second of m> ORDER BY SystemModstamp, Id``.
    SOQL documents dateTime literals to the second only (``2026-12-04T10:00:00Z``, see
    ``sync.salesforce.timestamps``), so the query starts at the whole second of ``m`` and the
    rows already seen in it (same id *and* same stamp) are skipped: two records saved in the
    same second (or millisecond) are both seen, a record saved again in that second is seen
    again, nothing is reported twice.
    The change query has no range condition, so a record that leaves the range (reassigned,
    closed long ago, moved out of the window, left the campaign...) is still reported, with
    ``in_range=False``. When something changed, one more query (``Id IN (...) AND <range>``)
    tells in-range from out-of-range records; rows still at the version the engine stored for
    them (``remember_versions``: Tandem's own writes read back) are in range without asking.
    getDeleted's limits (REST "sObject Get Deleted", SOAP "getDeleted()"): the window's start
    must be more than a minute before its end (Tandem's end is a day after the start: "now" is
    Salesforce's and caps the window, ``latestDateCovered``), the start no older than the delete
    log's 15 days (INVALID_REPLICATION_DATE), at most 600,000 ids (EXCEEDED_ID_LIMIT). A ``d``
    older than 15 days (checked locally first), INVALID_REPLICATION_DATE or EXCEEDED_ID_LIMIT
    -> ``CursorExpired``: the engine then asks for a full listing and reconciles ids with it
    (``sync.engine``: a linked id missing from the listing is read again, found = still there,
    out of range; missing = deleted), so no deletion is missed and none is invented.
    A full listing is also two requests (getDeleted to fix the delete window's start before
    the listing, then the ranged query); its cursor starts the change query at the newest
    listed stamp, so an out-of-range record changed after it shows up once, ``in_range=False``.
    The delete window starts at our clock's "now"; when Salesforce's clock is more than 15
    days ahead (a test clock) one more getDeleted with a future window reads Salesforce's now.
    Not covered: a record that stops being *visible* to the user (sharing change) is neither
    changed nor deleted for them; only a full listing notices it. The change query has no
    range condition, so in a big org "mine" deltas carry other people's edits (out of range).

Shapes: version 2 holds ``seen`` as (id, stamp) pairs; a version 1 cursor (``ids`` seen at
exactly stamp ``m``) is read as those pairs, so an upgrade reads no more than one delta.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sync.errors import CursorExpired
from sync.salesforce.client import SalesforceClient, SalesforceRequestFailed
from sync.salesforce.mapping import parse_sf_datetime
from sync.salesforce.timestamps import replication_datetime, replication_minute, whole_second

UTC = dt.UTC
DELETE_LOG_DAYS = 15
_TOO_OLD = "INVALID_REPLICATION_DATE"
_TOO_MANY = "EXCEEDED_ID_LIMIT"


def encode_cursor(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(data, dict) or data.get("v") not in (1, 2):
            raise ValueError
        if data["v"] == 1:  # ids seen at exactly stamp m
            data = {**data, "v": 2, "seen": [[i, data["m"]] for i in data.get("ids", [])]}
        return data
    except (ValueError, TypeError, KeyError):
        raise CursorExpired(
            message="Tandem will read everything from Salesforce again.", service="salesforce"
        ) from None


def stamp_second(stamp: str) -> dt.datetime:
    """The whole second (UTC) of a Salesforce stamp such as ``2026-12-04T10:00:00.123+0000``."""
    when = parse_sf_datetime(stamp)
    if when is None:
        raise CursorExpired(
            message="Tandem will read everything from Salesforce again.", service="salesforce"
        )
    return whole_second(when)


def seen_in_second(rows: Sequence[dict[str, Any]], m: str) -> list[list[str]]:
    """The (id, stamp) pairs of ``rows`` in the whole second of stamp ``m``."""
    top = stamp_second(m)
    return [[r["Id"], r["SystemModstamp"]] for r in rows if stamp_second(r["SystemModstamp"]) == top]


def delete_window_start(state: dict[str, Any]) -> dt.datetime:
    """The cursor's getDeleted start; ``CursorExpired`` when the delete log no longer reaches
    it by our clock (with five minutes to spare, so Salesforce is not asked in vain)."""
    start = parse_sf_datetime(state.get("d"))
    now = dt.datetime.now(UTC)
    if start is None or start < now - dt.timedelta(days=DELETE_LOG_DAYS) + dt.timedelta(minutes=5):
        raise CursorExpired(
            message="Tandem last synced Salesforce too long ago to read only the "
            "changes; it reads everything again.",
            service="salesforce",
        )
    return start


async def deleted_since(
    client: SalesforceClient, sobject: str, start: dt.datetime, known: set[str]
) -> tuple[list[str], str, list[str]]:
    """Ids deleted since ``start`` (less ``known``: already reported in that minute); the next
    window start; the ids reported in that minute. A window Salesforce refuses (start older
    than the delete log, more than 600,000 ids) -> ``CursorExpired``."""
    now = dt.datetime.now(UTC)
    end = max(now, start) + dt.timedelta(days=1)  # "now" is Salesforce's: it caps the window
    try:
        body = await client.get_deleted(sobject, start, end)
    except SalesforceRequestFailed as exc:
        code = exc.ids.get("code")
        if code == _TOO_MANY:
            raise CursorExpired(
                message="More records were deleted in Salesforce since the last sync than it "
                "lists at once; Tandem compares everything instead.",
                service="salesforce",
            ) from exc
        if code == _TOO_OLD:
            raise CursorExpired(
                message="Salesforce no longer keeps the list of deletions from "
                "the last sync; Tandem reads everything again.",
                service="salesforce",
            ) from exc
        raise
    since = replication_minute(parse_sf_datetime(body.get("latestDateCovered")) or start)
    deleted, minute_ids = [], []
    for entry in body.get("deletedRecords", []):
        rid = entry.get("id")
        when = parse_sf_datetime(entry.get("deletedDate"))
        if rid not in known:
            deleted.append(rid)
        if when is not None and when >= since:
            minute_ids.append(rid)  # the next window starts at this minute: skip it then
    return deleted, replication_datetime(since), minute_ids


async def salesforce_minute(client: SalesforceClient, sobject: str) -> str:
    """Salesforce's "now" (to the minute) as a window start, read from ``latestDateCovered`` of
    a window in the future: for a Salesforce clock far ahead of ours (only a test clock)."""
    far = dt.datetime.now(UTC) + dt.timedelta(days=365)
    body = await client.get_deleted(sobject, far, far + dt.timedelta(days=1))
    return replication_datetime(parse_sf_datetime(body.get("latestDateCovered")) or dt.datetime.now(UTC))
