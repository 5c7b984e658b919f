"""Time for the emulator: a UTC clock that tests can move forward, and the services' formats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """UTC now, plus an offset that the control API can set (to age tokens, delta logs...)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


def graph_instant(dt: datetime) -> str:
    """Graph DateTimeOffset, e.g. ``2026-09-01T10:00:00Z`` (createdDateTime, lastModifiedDateTime)."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def graph_wallclock(dt: datetime) -> str:
    """Graph ``dateTimeTimeZone.dateTime``: 7 fractional digits, no offset."""
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond:06d}0"


def sf_datetime(dt: datetime) -> str:
    """Salesforce datetime output, e.g. ``2026-09-01T12:00:00.000+0000``."""
    dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}+0000"


def parse_instant(text: str) -> datetime:
    """Parse ISO-8601 with ``Z``, an offset (``+0000`` or ``+00:00``) or none (taken as UTC).

    Accepts up to 7 fractional digits, as Graph sends. Raises ValueError on bad input.
    """
    s = text.strip()
    if s.endswith("Z") or s.endswith("z"):
        s = s[:-1] + "+00:00"
    # +0000 -> +00:00
    if len(s) >= 5 and s[-5] in "+-" and s[-4:].isdigit() and "T" in s:
        s = s[:-2] + ":" + s[-2:]
    if "." in s:
        head, _, rest = s.partition(".")
        frac = ""
        i = 0
        while i < len(rest) and rest[i].isdigit():
            frac += rest[i]
            i += 1
        s = head + "." + (frac[:6].ljust(6, "0")) + rest[i:]
    dt = datetime.fromisoformat(s)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)
