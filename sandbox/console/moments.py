"""Times as records hold them: Graph ``dateTimeTimeZone`` values and Salesforce datetimes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sandbox.clock import parse_instant

WINDOWS_ZONES = {
    "W. Europe Standard Time": "Europe/Berlin",
    "UTC": "UTC",
    "Eastern Standard Time": "America/New_York",
    "GMT Standard Time": "Europe/London",
    "Pacific Standard Time": "America/Los_Angeles",
}


def zone_named(name: str | None) -> ZoneInfo:
    name = WINDOWS_ZONES.get(name or "UTC", name or "UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def graph_moment(value: dict | None) -> datetime | None:
    """An aware datetime from a Graph ``dateTimeTimeZone``."""
    if not value or not value.get("dateTime"):
        return None
    naive = parse_instant(value["dateTime"]).replace(tzinfo=None)
    return naive.replace(tzinfo=zone_named(value.get("timeZone"))).astimezone(UTC)


def graph_day(value: dict | None) -> date | None:
    """The calendar day of a Graph ``dateTimeTimeZone`` as written (all-day events, due dates)."""
    if not value or not value.get("dateTime"):
        return None
    return date.fromisoformat(value["dateTime"][:10])


def sf_moment(value: str | None) -> datetime | None:
    return parse_instant(value) if value else None
