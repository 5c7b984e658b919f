"""Outlook recurrence: validating a ``patternedRecurrence`` and expanding it into dates.

All six pattern types (daily, weekly, absoluteMonthly, relativeMonthly, absoluteYearly,
relativeYearly) and the three range types (endDate, noEnd, numbered) are supported. Dates are
generated in the recurrence's own time zone (``range.recurrenceTimeZone``, else the master's
``start.timeZone``): a weekly 09:00 meeting in ``W. Europe Standard Time`` stays at 09:00
Berlin time across daylight-saving changes, as in Outlook.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from sandbox.errors import GraphError

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
INDEX = {"first": 0, "second": 1, "third": 2, "fourth": 3, "last": -1}
MAX_DATES = 100_000  # a guard against runaway noEnd series


def _weekday(name: str) -> int:
    return DAYS.index(name.lower())


def _date(text: str | None) -> date | None:
    if not text or text.startswith("0001-01-01"):
        return None
    return date.fromisoformat(text[:10])


def invalid(message: str) -> GraphError:
    return GraphError(400, "ErrorPropertyValidationFailure", message)


def normalise(recurrence: dict, start_date: date, start_zone: str) -> dict:
    """Check a posted recurrence and fill in what Outlook fills in (interval 1, range time
    zone, ``0001-01-01`` end date for open ranges...). Raises 400 when it cannot recur."""
    pattern = dict(recurrence.get("pattern") or {})
    rng = dict(recurrence.get("range") or {})
    ptype = pattern.get("type")
    if not ptype:
        raise invalid("Recurrence pattern type is required.")
    interval = pattern.get("interval")
    if interval is None:
        interval = 1
    if not isinstance(interval, int) or interval < 1 or interval > 999:
        raise invalid("The recurrence pattern interval must be between 1 and 999.")
    days = [d for d in (pattern.get("daysOfWeek") or [])]
    if ptype in ("weekly", "relativeMonthly", "relativeYearly") and not days:
        raise invalid(f"A {ptype} recurrence pattern needs daysOfWeek.")
    if ptype in ("absoluteMonthly", "absoluteYearly"):
        dom = pattern.get("dayOfMonth")
        if not isinstance(dom, int) or not 1 <= dom <= 31:
            raise invalid(f"A {ptype} recurrence pattern needs dayOfMonth between 1 and 31.")
    if ptype in ("absoluteYearly", "relativeYearly"):
        month = pattern.get("month")
        if not isinstance(month, int) or not 1 <= month <= 12:
            raise invalid(f"A {ptype} recurrence pattern needs month between 1 and 12.")
    rtype = rng.get("type")
    if not rtype:
        raise invalid("Recurrence range type is required.")
    first = _date(rng.get("startDate")) or start_date
    end = _date(rng.get("endDate"))
    if rtype == "endDate":
        if end is None:
            raise invalid("An endDate recurrence range needs endDate.")
        if end < first:
            raise invalid("The recurrence range endDate must not be before startDate.")
    count = rng.get("numberOfOccurrences") or 0
    if rtype == "numbered" and (not isinstance(count, int) or count < 1):
        raise invalid("A numbered recurrence range needs numberOfOccurrences of at least 1.")
    return {
        "pattern": {
            "type": ptype,
            "interval": interval,
            "month": pattern.get("month") or 0,
            "dayOfMonth": pattern.get("dayOfMonth") or 0,
            "daysOfWeek": days,
            "firstDayOfWeek": pattern.get("firstDayOfWeek") or "sunday",
            "index": pattern.get("index") or "first",
        },
        "range": {
            "type": rtype,
            "startDate": first.isoformat(),
            "endDate": end.isoformat() if (rtype == "endDate" and end) else "0001-01-01",
            "recurrenceTimeZone": rng.get("recurrenceTimeZone") or start_zone,
            "numberOfOccurrences": count if rtype == "numbered" else 0,
        },
    }


def _add_months(d: date, months: int) -> tuple[int, int]:
    total = d.year * 12 + (d.month - 1) + months
    return total // 12, total % 12 + 1


def _nth_weekday(year: int, month: int, days: list[int], index: int) -> date | None:
    last = calendar.monthrange(year, month)[1]
    hits = [date(year, month, day) for day in range(1, last + 1) if date(year, month, day).weekday() in days]
    if not hits:
        return None
    if index == -1:
        return hits[-1]
    return hits[index] if index < len(hits) else None


def _candidates(pattern: dict, first: date) -> Iterator[date]:
    """Every date the pattern produces from ``first`` on, in order (unbounded)."""
    ptype = pattern["type"]
    interval = max(1, int(pattern.get("interval") or 1))
    if ptype == "daily":
        d = first
        while True:
            yield d
            d += timedelta(days=interval)
    elif ptype == "weekly":
        fdow = _weekday(pattern.get("firstDayOfWeek") or "sunday")
        wanted = sorted({(_weekday(x) - fdow) % 7 for x in pattern.get("daysOfWeek") or []})
        week = first - timedelta(days=(first.weekday() - fdow) % 7)
        while True:
            for offset in wanted:
                d = week + timedelta(days=offset)
                if d >= first:
                    yield d
            week += timedelta(weeks=interval)
    elif ptype in ("absoluteMonthly", "relativeMonthly", "absoluteYearly", "relativeYearly"):
        yearly = ptype.endswith("Yearly")
        step = interval * (12 if yearly else 1)
        if yearly:
            month = int(pattern.get("month") or first.month)
            anchor = date(first.year, month, 1)
            if anchor < date(first.year, first.month, 1):
                anchor = date(first.year + 1, month, 1)
        else:
            anchor = date(first.year, first.month, 1)
        k = 0
        while True:
            y, m = _add_months(anchor, k * step)
            if y > 9999:
                return
            if ptype.startswith("absolute"):
                day = min(int(pattern.get("dayOfMonth") or 1), calendar.monthrange(y, m)[1])
                hit: date | None = date(y, m, day)
            else:
                days = [_weekday(x) for x in pattern.get("daysOfWeek") or []]
                hit = _nth_weekday(y, m, days, INDEX.get(pattern.get("index") or "first", 0))
            if hit is not None and hit >= first:
                yield hit
            k += 1
    else:  # pragma: no cover - validated on the way in
        return


def dates(recurrence: dict, until: date) -> Iterator[date]:
    """The series' dates, in order, up to ``until`` (inclusive) and the range's own end."""
    pattern = recurrence.get("pattern") or {}
    rng = recurrence.get("range") or {}
    first = _date(rng.get("startDate"))
    if first is None or not pattern.get("type"):
        return
    rtype = rng.get("type")
    end = _date(rng.get("endDate")) if rtype == "endDate" else None
    count = int(rng.get("numberOfOccurrences") or 0) if rtype == "numbered" else 0
    for n, d in enumerate(_candidates(pattern, first)):
        if d > until or (end is not None and d > end) or (count and n >= count) or n >= MAX_DATES:
            return
        yield d


def local_times(recurrence: dict, start_local: datetime, until: date) -> Iterator[datetime]:
    """Naive wall-clock starts: each series date at ``start_local``'s time of day."""
    for d in dates(recurrence, until):
        yield datetime.combine(d, start_local.time())
