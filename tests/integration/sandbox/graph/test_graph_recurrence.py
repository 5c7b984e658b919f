"""Series expansion (``sandbox.graph.recurrence``) against a brute-force walk over the calendar
that reads the pattern rules of ``resources/recurrencepattern.md`` literally."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.graph.recurrence import DAYS, dates, normalise

INDEX = ["first", "second", "third", "fourth", "last"]


def brute(rec: dict, until: date) -> list[date]:
    p, r = rec["pattern"], rec["range"]
    first = date.fromisoformat(r["startDate"])
    end = date.fromisoformat(r["endDate"]) if r["type"] == "endDate" else None
    fdow = DAYS.index(p["firstDayOfWeek"])
    out: list[date] = []
    d = first
    while d <= until and (end is None or d <= end):
        months = (d.year - first.year) * 12 + d.month - first.month
        last_day = calendar.monthrange(d.year, d.month)[1]
        t = p["type"]
        if t == "daily":
            hit = (d - first).days % p["interval"] == 0
        elif t == "weekly":
            start_week = first - timedelta(days=(first.weekday() - fdow) % 7)
            this_week = d - timedelta(days=(d.weekday() - fdow) % 7)
            hit = (
                DAYS[d.weekday()] in p["daysOfWeek"]
                and ((this_week - start_week).days // 7) % p["interval"] == 0
            )
        elif t == "absoluteMonthly":
            hit = months % p["interval"] == 0 and d.day == min(p["dayOfMonth"], last_day)
        else:  # relativeMonthly
            same = [
                x
                for x in range(1, last_day + 1)
                if DAYS[date(d.year, d.month, x).weekday()] in p["daysOfWeek"]
            ]
            i = INDEX.index(p["index"])
            want = same[-1] if i == 4 else (same[i] if i < len(same) else None)
            hit = months % p["interval"] == 0 and d.day == want
        if hit:
            out.append(d)
            if r["type"] == "numbered" and len(out) == r["numberOfOccurrences"]:
                break
        d += timedelta(days=1)
    return out


patterns = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["daily", "weekly", "absoluteMonthly", "relativeMonthly"]),
        "interval": st.integers(1, 4),
        "daysOfWeek": st.lists(st.sampled_from(DAYS), min_size=1, max_size=3, unique=True),
        "dayOfMonth": st.integers(1, 31),
        "firstDayOfWeek": st.sampled_from(["sunday", "monday"]),
        "index": st.sampled_from(INDEX),
    }
)
ranges = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["endDate", "noEnd", "numbered"]),
        "startDate": st.dates(date(2026, 1, 1), date(2027, 12, 31)).map(date.isoformat),
        "endDate": st.dates(date(2028, 1, 1), date(2028, 6, 30)).map(date.isoformat),
        "numberOfOccurrences": st.integers(1, 30),
    }
)


@settings(max_examples=80, deadline=None, derandomize=True)
@given(pattern=patterns, rng=ranges)
def test_expansion_matches_a_brute_force_walk(pattern, rng) -> None:
    rec = normalise({"pattern": pattern, "range": rng}, date.fromisoformat(rng["startDate"]), "UTC")
    until = date(2028, 3, 31)
    assert list(dates(rec, until)) == brute(rec, until)
