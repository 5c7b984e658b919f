"""Events as series: occurrence ids, a master expanded into its occurrences (with their
exceptions), and the instances of a calendar in a time window.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sandbox.graph.core import (
    check_id,
    dtz_instant,
    fmt_instant,
    fmt_wall,
    not_found,
    parse_wall,
    resolve_tz,
)
from sandbox.graph.recurrence import local_times
from sandbox.state import SandboxState

UTC = ZoneInfo("UTC")
ICAL_PREFIX = "040000008200E00074C5B7101A82E008"  # GlobalObjectId header; then 4 date bytes
OCC_PREFIX = "AAMkOcc"


def event_type(item: dict) -> str:
    if item.get("type") in ("exception", "occurrence"):
        return item["type"]
    return "seriesMaster" if item.get("recurrence") else "singleInstance"


def event_span(item: dict) -> tuple[datetime, datetime]:
    start = dtz_instant(item["start"])
    end = dtz_instant(item["end"]) if item.get("end") else start
    return start, end


def overlaps(start: datetime, end: datetime, wstart: datetime, wend: datetime) -> bool:
    if end <= start:
        return wstart <= start < wend
    return start < wend and end > wstart


def occurrence_id(master_id: str, original: datetime) -> str:
    raw = f"{master_id}|{original.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}"
    return OCC_PREFIX + base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def parse_occurrence_id(item_id: str) -> tuple[str, datetime] | None:
    if not item_id.startswith(OCC_PREFIX):
        return None
    text = item_id[len(OCC_PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        master_id, stamp = raw.rsplit("|", 1)
        when = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except (ValueError, UnicodeDecodeError):
        return None
    return master_id, when


def _series_zone(master: dict) -> ZoneInfo:
    rng = (master.get("recurrence") or {}).get("range") or {}
    return (
        resolve_tz(rng.get("recurrenceTimeZone"))
        or resolve_tz((master.get("start") or {}).get("timeZone"))
        or UTC
    )


def series_starts(master: dict, until: datetime) -> Iterator[tuple[datetime, dict, dict, datetime, datetime]]:
    """``(original start, start, end, start instant, end instant)`` of each occurrence
    starting before ``until``. Timed occurrences come out in UTC; all-day ones keep the
    master's own zone."""
    recurrence = master.get("recurrence")
    if not recurrence or not master.get("start"):
        return
    if master.get("isAllDay"):
        zone_name = master["start"].get("timeZone") or "UTC"
        zone = resolve_tz(zone_name) or UTC
        first = parse_wall(master["start"]["dateTime"], zone)
        last = parse_wall(master["end"]["dateTime"], zone) if master.get("end") else first
        days = max(1, (last.date() - first.date()).days)
        for local in local_times(
            recurrence,
            first.replace(hour=0, minute=0, second=0, microsecond=0),
            until.astimezone(zone).date() + timedelta(days=1),
        ):
            original = local.replace(tzinfo=zone).astimezone(UTC)
            if original >= until:
                return
            end_wall = local + timedelta(days=days)
            yield (
                original,
                {"dateTime": fmt_wall(local), "timeZone": zone_name},
                {"dateTime": fmt_wall(end_wall), "timeZone": zone_name},
                original,
                end_wall.replace(tzinfo=zone).astimezone(UTC),
            )
        return
    zone = _series_zone(master)
    start, end = event_span(master)
    duration = end - start
    local_start = start.astimezone(zone).replace(tzinfo=None)
    for local in local_times(recurrence, local_start, until.astimezone(zone).date() + timedelta(days=1)):
        original = local.replace(tzinfo=zone).astimezone(UTC)
        if original >= until:
            return
        finish = original + duration
        yield (
            original,
            {"dateTime": fmt_wall(original.replace(tzinfo=None)), "timeZone": "UTC"},
            {"dateTime": fmt_wall(finish.replace(tzinfo=None)), "timeZone": "UTC"},
            original,
            finish,
        )


def _ical_for(master_ical: str | None, original: datetime) -> str | None:
    if not master_ical or len(master_ical) < 40 or not master_ical.startswith(ICAL_PREFIX):
        return master_ical
    d = original.date()
    return master_ical[:32] + f"{d.year:04X}{d.month:02X}{d.day:02X}" + master_ical[40:]


def synthesize(master: dict, original: datetime, start: dict, end: dict) -> dict:
    """An occurrence of ``master`` in stored form (it inherits the master's change key)."""
    # A shallow copy: rendering deep-copies the few occurrences that are shown.
    occ = {
        k: v
        for k, v in master.items()
        if k not in ("recurrence", "cancelledOccurrences") and not k.startswith("_")
    }
    occ.update(
        {
            "id": occurrence_id(master["id"], original),
            "type": "occurrence",
            "seriesMasterId": master["id"],
            "start": start,
            "end": end,
            "originalStart": fmt_instant(original),
            "recurrence": None,
            "iCalUId": _ical_for(master.get("iCalUId"), original),
        }
    )
    occ["_container"] = master.get("_container")
    return occ


def exceptions_of(state: SandboxState) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for item in state.graph["events"].values():
        if item.get("type") == "exception" and item.get("seriesMasterId"):
            out.setdefault(item["seriesMasterId"], []).append(item)
    return out


def series_instances(master: dict, exceptions: list[dict], wstart: datetime, wend: datetime) -> list[dict]:
    """Occurrences and exceptions of one series overlapping ``[wstart, wend)``."""
    replaced = {e.get("originalStart") for e in exceptions}
    cancelled = set(master.get("_cancelled") or [])
    out: list[dict] = []
    for original, start, end, s, e in series_starts(master, wend):
        if not overlaps(s, e, wstart, wend):
            continue
        key = fmt_instant(original)
        if key in replaced or key in cancelled:
            continue
        occ = synthesize(master, original, start, end)
        occ["_start"] = s
        out.append(occ)
    for exc in exceptions:
        s, e = event_span(exc)
        if overlaps(s, e, wstart, wend):
            out.append(exc)
    return out


def view_instances(state: SandboxState, calendar_id: str, wstart: datetime, wend: datetime) -> list[dict]:
    """What ``calendarView`` shows: singles, occurrences and exceptions, by start time."""
    exceptions = exceptions_of(state)
    out: list[dict] = []
    for item in state.graph_items("events", calendar_id):
        kind = event_type(item)
        if kind == "seriesMaster":
            out.extend(series_instances(item, exceptions.get(item["id"], []), wstart, wend))
        elif kind == "singleInstance":
            s, e = event_span(item)
            if overlaps(s, e, wstart, wend):
                out.append(item)
    out.sort(key=lambda i: (i.get("_start") or dtz_instant(i["start"]), i["id"]))
    return out


def find_occurrence(state: SandboxState, item_id: str) -> dict | None:
    """The computed occurrence an occurrence id names, if the series still has it."""
    parsed = parse_occurrence_id(item_id)
    if parsed is None:
        return None
    master_id, original = parsed
    master = state.graph["events"].get(master_id)
    if master is None or event_type(master) != "seriesMaster":
        return None
    if fmt_instant(original) in set(master.get("_cancelled") or []):
        return None
    for when, start, end, _s, _e in series_starts(master, original + timedelta(seconds=1)):
        if when == original:
            return synthesize(master, when, start, end)
    return None


def find_event(state: SandboxState, item_id: str) -> dict:
    check_id(item_id)
    item = state.graph["events"].get(item_id)
    if item is not None:
        return item
    occ = find_occurrence(state, item_id)
    if occ is None:
        raise not_found()
    return occ
