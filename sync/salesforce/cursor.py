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
    must precede its end by more than a minute (seconds are ignored: two whole minutes), the end
    must not be in the future, the start no older than the delete log's 15 days
    (INVALID_REPLICATION_DATE), at most 600,000 ids (EXCEEDED_ID_LIMIT). "Now" is Salesforce's:
    the ``Date`` header of its latest reply (``SalesforceClient.server_now``), so a clock of
    ours that runs ahead never asks for the future. The window ends at that minute; a window
    shorter than two minutes (a sync soon after the last) reads the recycle bin instead
    (``queryAll``: ``IsDeleted = true AND SystemModstamp >= d``, SystemModstamp being the
    deletion's time), keeps ``d`` and remembers the ids in ``dids``, so the getDeleted that
    later covers the same minutes does not report them twice (and still reports what was
    emptied from the recycle bin meanwhile). A ``d`` older than 15 days (checked first on
    Salesforce's clock), INVALID_REPLICATION_DATE or EXCEEDED_ID_LIMIT -> ``CursorExpired``:
    the engine then asks for a full listing and reconciles ids with it (``sync.engine``: a
    linked id missing from the listing is read again, found = still there, out of range;
    missing = deleted), so no deletion is missed and none is invented.
    A full listing is one request per part of the range: the delete window starts at
    Salesforce's minute read before the listing (the describe's ``Date``); its cursor starts
    the change query at the newest listed stamp, so an out-of-range record changed after it
    shows up once, ``in_range=False``.
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
from sync.salesforce.timestamps import (
    replication_datetime,
    replication_minute,
    soql_datetime,
    whole_second,
)

UTC = dt.UTC
DELETE_LOG_DAYS = 15
_TOO_OLD = "INVALID_REPLICATION_DATE"
_TOO_MANY = "EXCEEDED_ID_LIMIT"
# getDeleted: "startDate must chronologically precede endDate by more than one minute", and
# seconds are ignored: two whole minutes apart.
MIN_WINDOW = dt.timedelta(minutes=2)


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


def delete_window_start(state: dict[str, Any], now: dt.datetime) -> dt.datetime:
    """The cursor's getDeleted start; ``CursorExpired`` when the delete log no longer reaches
    it by Salesforce's clock ``now`` (with five minutes to spare, so it is not asked in vain)."""
    start = parse_sf_datetime(state.get("d"))
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
    """Ids deleted since ``start`` (less ``known``: already reported); the next window start;
    the ids already reported from it on.

    The window ends at Salesforce's current minute (never in the future). When that is less
    than ``MIN_WINDOW`` after ``start``, getDeleted would refuse it: the recycle bin answers
    instead (``queryAll ... IsDeleted = true``, one request too), the window start stays, and
    the ids it reported are remembered so that the next getDeleted does not report them again.
    A window Salesforce refuses (start older than the delete log, more ids than it lists at
    once) -> ``CursorExpired``: the engine reconciles a full listing instead."""
    end = replication_minute(await client.server_now())
    if end - replication_minute(start) < MIN_WINDOW:
        rows = await client.query(
            f"SELECT Id FROM {sobject} WHERE IsDeleted = true "
            f"AND SystemModstamp >= {soql_datetime(replication_minute(start))}",
            all_rows=True,
        )
        ids = [r["Id"] for r in rows if isinstance(r.get("Id"), str)]
        return [i for i in ids if i not in known], replication_datetime(start), sorted(known | set(ids))
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


async def listing_window_start(client: SalesforceClient) -> str:
    """The delete window's start for a full listing: Salesforce's current minute, read
    before the listing, so nothing deleted while it runs is missed (and no request is spent:
    the clock comes from the ``Date`` of the describe Tandem has just asked)."""
    return replication_datetime(await client.server_now())
