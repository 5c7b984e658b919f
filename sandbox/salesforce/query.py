"""SOQL resources (``query``, ``queryAll``, ``nextRecordsUrl`` paging) and the replication
resources ``sobjects/{type}/updated`` (getUpdated) and ``sobjects/{type}/deleted`` (getDeleted).

Paging: a result larger than the batch size is kept as a snapshot behind a query locator
(``01g…``); ``nextRecordsUrl`` is ``/services/data/vNN.0/query/<locator>-<offset>``. The batch
size is the config's ``query_batch_size`` (2000 by default), lowered by
``Sforce-Query-Options: batchSize=N`` clamped to 200..2000 (not guaranteed, as documented). A
locator lives 15 minutes after its last use, at most 10 stay open per user (opening more drops
the oldest), and an unknown or expired one is 400 INVALID_QUERY_LOCATOR.

Replication windows (SOAP/REST getUpdated/getDeleted documentation): seconds are ignored,
``start`` must precede ``end`` by more than one minute (so, whole minutes, two at least),
``end`` must not be in the future, ``start`` may go back at most 30 days (updated) or 15 days
(deleted: the recycle bin's age); otherwise 400 INVALID_REPLICATION_DATE. At most the config's
``sf_replication_id_limit`` ids (600,000 as documented), else 400 EXCEEDED_ID_LIMIT.
getUpdated uses SystemModstamp; ``latestDateCovered`` is ``end``.
"""

from __future__ import annotations

import re
import threading
import weakref
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox import ids
from sandbox.clock import parse_instant, sf_datetime
from sandbox.salesforce import soql, task_status
from sandbox.salesforce.http import Reply
from sandbox.salesforce.org_view import OrgView
from sandbox.salesforce.records import (
    Ctx,
    bad_request,
    can_see,
    recycle_cutoff,
    resolve_sobject,
    to_18,
    visible_rows,
)

LOCATOR_TTL_S = 15 * 60
MAX_OPEN_LOCATORS = 10
MAX_REPLICATION_IDS = 600_000
UPDATED_WINDOW_DAYS = 30
DELETED_WINDOW_DAYS = 15


class _Locators:
    """Open query cursors of one org, in memory only (they do not survive a restart)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open: dict[str, dict[str, Any]] = {}
        self.counter = 0

    def add(self, user: str, records: list, batch: int, total: int, now: float) -> str:
        with self.lock:
            self._expire(now)
            mine = sorted((c for c in self.open.items() if c[1]["user"] == user), key=lambda c: c[1]["used"])
            for key, _ in mine[: max(0, len(mine) - MAX_OPEN_LOCATORS + 1)]:
                del self.open[key]
            self.counter += 1
            key = ids.sf_id("01g", self.counter)
            self.open[key] = {"user": user, "records": records, "batch": batch, "total": total, "used": now}
            return key

    def get(self, key: str, user: str, now: float) -> dict | None:
        with self.lock:
            self._expire(now)
            cursor = self.open.get(key)
            if cursor is None or cursor["user"] != user:
                return None
            cursor["used"] = now
            return cursor

    def _expire(self, now: float) -> None:
        for key in [k for k, c in self.open.items() if now - c["used"] > LOCATOR_TTL_S]:
            del self.open[key]


_LOCATORS: weakref.WeakKeyDictionary[Any, _Locators] = weakref.WeakKeyDictionary()


def locators(state: Any) -> _Locators:
    found = _LOCATORS.get(state)
    if found is None:
        found = _LOCATORS[state] = _Locators()
    return found


def _batch_size(req: Any) -> int:
    configured = max(1, int(req.ctx.state.config.get("query_batch_size", 2000)))
    header = req.headers.get("sforce-query-options") or ""
    m = re.search(r"batchSize\s*=\s*(\d+)", header, re.IGNORECASE)
    if m:
        return min(configured, min(max(int(m.group(1)), 200), 2000))
    return configured


def _page(ctx: Ctx, records: list, offset: int, batch: int, total: int, locator: str | None) -> dict:
    chunk = records[offset : offset + batch]
    out: dict[str, Any] = {"totalSize": total, "done": offset + batch >= len(records)}
    if not out["done"]:
        out["nextRecordsUrl"] = f"/services/data/v{ctx.version}/query/{locator}-{offset + batch}"
    out["records"] = chunk
    return out


def run_soql(ctx: Ctx, text: str, include_deleted: bool) -> soql.Records:
    """Run SOQL as ``ctx.user`` sees the org; SoqlError becomes a 400 error array."""
    state = ctx.state

    def rows(sobject: str) -> list[dict]:
        if sobject == "TaskStatus":
            return task_status.rows(state)  # the picklist: the standard values on first use
        return visible_rows(ctx, sobject, include_deleted)

    def get(sobject: str, record_id: str) -> dict | None:
        if not isinstance(record_id, str) or len(record_id) not in (15, 18):
            return None
        rec = state.sf["records"].get(sobject, {}).get(to_18(record_id))
        if rec is None or not can_see(state, ctx.user, sobject, rec):
            return None
        return rec

    try:
        return soql.execute(
            soql.parse(text),
            schema=OrgView(state),
            rows=rows,
            get=get,
            now=state.now(),
            api_version=ctx.version,
        )
    except soql.SoqlError as exc:
        raise bad_request(exc.error_code, exc.message) from None


def _run(req: Any, include_deleted: bool) -> Any:
    text = req.query.get("q")
    if text is None or not text.strip():
        raise bad_request("MALFORMED_QUERY", "A query string has to be specified")
    ctx = req.ctx
    records = run_soql(ctx, text, include_deleted)
    batch = _batch_size(req)
    total = records.total_size
    rows = list(records)
    locator = (
        locators(ctx.state).add(ctx.user, rows, batch, total, ctx.state.now().timestamp())
        if len(rows) > batch
        else None
    )
    return Reply(200, _page(ctx, rows, 0, batch, total, locator))


def query(req: Any) -> Any:
    return _run(req, include_deleted=False)


def query_all(req: Any) -> Any:
    return _run(req, include_deleted=True)


def query_more(req: Any) -> Any:
    raw = req.params["locator"]
    key, _, offset_text = raw.rpartition("-")
    cursor = (
        locators(req.ctx.state).get(key, req.ctx.user, req.ctx.state.now().timestamp())
        if key and offset_text.isdigit()
        else None
    )
    if cursor is None or int(offset_text) > len(cursor["records"]):
        raise bad_request("INVALID_QUERY_LOCATOR", "invalid query locator")
    return Reply(
        200, _page(req.ctx, cursor["records"], int(offset_text), cursor["batch"], cursor["total"], key)
    )


# ------------------------------------------------------------------------------ replication
def _window_param(req: Any, name: str) -> datetime:
    raw = req.query.get(name)
    if raw is None or not raw.strip():
        raise bad_request("MISSING_ARGUMENT", f"Missing argument: {name}")
    text = raw.strip()
    # "+00:00" sent unencoded in a query string arrives as " 00:00"
    text = re.sub(r" (\d{2}:?\d{2})$", r"+\1", text)
    try:
        when = parse_instant(text)
    except ValueError:
        raise bad_request(
            "INVALID_REPLICATION_DATE",
            f"{name} is not a valid dateTime: {raw} (use ISO 8601, e.g. 2026-09-01T00:00:00Z)",
        ) from None
    return when.replace(second=0, microsecond=0)


def _window(req: Any, max_days: int) -> tuple[datetime, datetime, datetime]:
    start, end = _window_param(req, "start"), _window_param(req, "end")
    now = req.ctx.state.now().astimezone(UTC)
    if end - start <= timedelta(minutes=1):
        raise bad_request(
            "INVALID_REPLICATION_DATE",
            "startDate must chronologically precede endDate by more than one minute",
        )
    if end > now:
        raise bad_request(
            "INVALID_REPLICATION_DATE", f"endDate cannot be in the future (now: {sf_datetime(now)})"
        )
    earliest = (now - timedelta(days=max_days)).replace(second=0, microsecond=0)
    if start < earliest:
        raise bad_request(
            "INVALID_REPLICATION_DATE",
            f"startDate cannot be more than {max_days} days ago (earliest allowed: {sf_datetime(earliest)})",
        )
    return start, end, end


def _id_limit(req: Any) -> int:
    return int(req.ctx.state.config.get("sf_replication_id_limit", MAX_REPLICATION_IDS))


def _too_many(req: Any) -> Exception:
    return bad_request(
        "EXCEEDED_ID_LIMIT",
        f"more than {_id_limit(req)} ids in the window: choose start and end dates closer together",
    )


def get_updated(req: Any) -> Any:
    sobject = resolve_sobject(req.params["sobject"])
    start, end, covered = _window(req, UPDATED_WINDOW_DAYS)
    found = [
        (parse_instant(r["SystemModstamp"]), r["Id"])
        for r in visible_rows(req.ctx, sobject)
        if r.get("SystemModstamp") and start <= parse_instant(r["SystemModstamp"]) < end
    ]
    if len(found) > _id_limit(req):
        raise _too_many(req)
    found.sort()
    return Reply(200, {"ids": [rid for _, rid in found], "latestDateCovered": sf_datetime(covered)})


def get_deleted(req: Any) -> Any:
    sobject = resolve_sobject(req.params["sobject"])
    start, end, covered = _window(req, DELETED_WINDOW_DAYS)
    ctx = req.ctx
    cutoff = recycle_cutoff(ctx.state)
    found = []
    for r in ctx.state.sf["deleted"].get(sobject, {}).values():
        when = parse_instant(r["_deletedDate"]) if r.get("_deletedDate") else None
        if when is None or when < cutoff or not start <= when < end:
            continue
        if can_see(ctx.state, ctx.user, sobject, r):
            found.append((when, r["Id"], r["_deletedDate"]))
    if len(found) > _id_limit(req):
        raise _too_many(req)
    found.sort()
    earliest = cutoff.astimezone(UTC).replace(second=0, microsecond=0)
    return Reply(
        200,
        {
            "deletedRecords": [{"id": rid, "deletedDate": text} for _, rid, text in found],
            "earliestDateAvailable": sf_datetime(earliest),
            "latestDateCovered": sf_datetime(covered),
        },
    )
