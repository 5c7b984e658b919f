"""Auto sync timing on a patched clock: window edges, week days, DST in Berlin, sleep, back-off."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from app.scheduler import (
    ScheduleConfig,
    Scheduler,
    ScheduleState,
    decide,
    next_run_time,
    next_window_time,
    retry_delay,
    window_status,
)
from app.settings import Settings
from sync.store import Store

BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.UTC
CONFIG = ScheduleConfig(enabled=True, unlocked=True, tz=BERLIN)  # 30 min, 07:00-19:00, Mon-Fri
EVERY_DAY = frozenset(range(7))


def berlin(text: str) -> dt.datetime:
    """'2026-01-09 18:59' as a Berlin wall time (2026-01-09 is a Friday)."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def ran_at(text: str) -> ScheduleState:
    return ScheduleState(last_run_at=berlin(text))


class Clock:
    def __init__(self, start: dt.datetime) -> None:
        self.now = start.astimezone(UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += dt.timedelta(**kw)


class Runs:
    """The async run callback: records when it ran; fails while ``fail`` is set."""

    def __init__(self, clock: Clock, fail: bool = False) -> None:
        self.clock, self.fail, self.times = clock, fail, []

    async def __call__(self) -> bool:
        self.times.append(self.clock())
        return not self.fail


def make(clock: Clock, config: ScheduleConfig = CONFIG, **kw) -> tuple[Scheduler, Runs]:
    runs = Runs(clock)
    return Scheduler(config=lambda: config, run=runs, clock=clock, **kw), runs


# -- the window and the week ---------------------------------------------------------------


def test_at_1859_on_friday_a_30_minute_schedule_runs_and_at_1901_it_is_skipped() -> None:
    assert decide(berlin("2026-01-09 18:59"), CONFIG, ran_at("2026-01-09 18:29")).run
    late = decide(berlin("2026-01-09 19:01"), CONFIG, ran_at("2026-01-09 18:31"))
    assert not late.run and late.reason == "outside the sync window" and late.record


def test_the_window_end_is_exclusive_and_the_start_inclusive() -> None:
    assert decide(berlin("2026-01-09 19:00"), CONFIG, ran_at("2026-01-09 18:00")).code == "outside_window"
    assert decide(berlin("2026-01-09 07:00"), CONFIG, ran_at("2026-01-08 18:45")).run
    assert decide(berlin("2026-01-09 06:59"), CONFIG, ran_at("2026-01-08 18:45")).code == "outside_window"


def test_saturday_is_skipped_and_the_next_run_is_monday_morning() -> None:
    d = decide(berlin("2026-01-10 10:00"), CONFIG, ran_at("2026-01-09 18:45"))
    assert not d.run and d.reason == "outside the sync window (Saturday is not a sync day)"
    nxt = next_run_time(berlin("2026-01-09 19:01"), CONFIG, ran_at("2026-01-09 18:45"))
    assert nxt is not None and nxt.astimezone(BERLIN) == berlin("2026-01-12 07:00")


def test_a_window_across_midnight_belongs_to_the_day_it_opened() -> None:
    night = replace(CONFIG, window_start=dt.time(22, 0), window_end=dt.time(6, 0), days=frozenset({4}))
    last = ran_at("2026-01-01 00:00")
    assert decide(berlin("2026-01-09 22:00"), night, last).run  # Friday evening
    assert decide(berlin("2026-01-10 05:59"), night, last).run  # Saturday early: Friday's window
    assert decide(berlin("2026-01-10 06:00"), night, last).code == "outside_window"
    assert decide(berlin("2026-01-10 22:30"), night, last).code == "not_a_sync_day"
    assert decide(berlin("2026-01-09 05:00"), night, last).code == "not_a_sync_day"  # Thursday's night
    assert decide(berlin("2026-01-09 12:00"), night, last).code == "outside_window"
    nxt = next_window_time(berlin("2026-01-10 06:00"), night)
    assert nxt is not None and nxt.astimezone(BERLIN) == berlin("2026-01-16 22:00")


def test_start_equal_to_end_means_all_day() -> None:
    all_day = replace(CONFIG, window_start=dt.time(0, 0), window_end=dt.time(0, 0))
    assert decide(berlin("2026-01-09 23:59"), all_day, ran_at("2026-01-09 23:00")).run
    assert decide(berlin("2026-01-10 00:30"), all_day, ran_at("2026-01-09 23:00")).code == "not_a_sync_day"


def test_no_days_chosen_means_no_next_run() -> None:
    assert (
        next_run_time(berlin("2026-01-09 10:00"), replace(CONFIG, days=frozenset()), ScheduleState()) is None
    )


# -- DST in Europe/Berlin ----------------------------------------------------------------------


def test_the_window_follows_local_time_across_the_spring_change() -> None:
    cfg = replace(CONFIG, days=EVERY_DAY)
    # Sunday 29 March 2026: clocks go from 02:00 CET to 03:00 CEST. 07:00 local is 05:00 UTC.
    seven = dt.datetime(2026, 3, 29, 5, 0, tzinfo=UTC)
    assert decide(seven, cfg, ran_at("2026-03-28 18:45")).run
    assert decide(seven - dt.timedelta(minutes=1), cfg, ran_at("2026-03-28 18:45")).code == "outside_window"
    nxt = next_run_time(berlin("2026-03-28 19:10"), cfg, ran_at("2026-03-28 18:45"))
    assert nxt == seven


def test_an_interval_is_real_time_across_the_clock_change() -> None:
    cfg = replace(CONFIG, days=EVERY_DAY, window_start=dt.time(0, 0), window_end=dt.time(0, 0))
    last = ScheduleState(last_run_at=berlin("2026-03-29 01:45"))  # CET, 00:45 UTC
    nxt = next_run_time(berlin("2026-03-29 01:50"), cfg, last)
    assert nxt == dt.datetime(2026, 3, 29, 1, 15, tzinfo=UTC)  # 03:15 CEST: 30 real minutes later
    assert nxt.astimezone(BERLIN).strftime("%H:%M") == "03:15"


def test_a_window_starting_in_the_skipped_hour_opens_when_the_hour_ends() -> None:
    cfg = replace(CONFIG, days=EVERY_DAY, window_start=dt.time(2, 30), window_end=dt.time(5, 0))
    opened = next_window_time(berlin("2026-03-29 01:00"), cfg)
    assert opened is not None and opened.astimezone(BERLIN).strftime("%H:%M %Z") == "03:00 CEST"


def test_the_autumn_change_keeps_the_window_at_local_seven() -> None:
    cfg = replace(CONFIG, days=EVERY_DAY)
    nxt = next_run_time(berlin("2026-10-24 19:05"), cfg, ran_at("2026-10-24 18:50"))
    assert nxt == dt.datetime(2026, 10, 25, 6, 0, tzinfo=UTC)  # 07:00 CET


# -- what stops a due sync, in the words the dashboard shows ----------------------------------


@pytest.mark.parametrize(
    "config, state, reason",
    [
        (
            replace(CONFIG, unlocked=False),
            ScheduleState(),
            "auto sync is locked until you apply a first manual sync",
        ),
        (CONFIG, ScheduleState(paused=True), "paused by you"),
        (CONFIG, ScheduleState(running=True), "a sync is already running"),
        (CONFIG, ScheduleState(api_budget_pct=7.2), "Salesforce API budget low: 7 % left"),
        (replace(CONFIG, kinds=()), ScheduleState(), "no kind is included in background sync"),
    ],
)
def test_a_due_sync_is_skipped_with_a_reason(config, state, reason) -> None:
    d = decide(berlin("2026-01-09 10:00"), config, state)
    assert not d.run and d.reason == reason and d.record


def test_budget_at_the_threshold_runs() -> None:
    assert decide(berlin("2026-01-09 10:00"), CONFIG, ScheduleState(api_budget_pct=10)).run


def test_auto_sync_off_is_silent_and_has_no_next_run() -> None:
    off = replace(CONFIG, enabled=False)
    d = decide(berlin("2026-01-09 10:00"), off, ScheduleState())
    assert not d.run and d.reason is None and not d.record
    assert next_run_time(berlin("2026-01-09 10:00"), off, ScheduleState()) is None


def test_not_due_yet_is_silent() -> None:
    d = decide(berlin("2026-01-09 10:29"), CONFIG, ran_at("2026-01-09 10:00"))
    assert d.code == "not_due" and not d.record


# -- back-off ----------------------------------------------------------------------------------


def test_retry_delay_doubles_after_repeated_failures_up_to_four_hours() -> None:
    minutes = [retry_delay(CONFIG, n).total_seconds() / 60 for n in range(7)]
    assert minutes == [30, 30, 60, 120, 240, 240, 240]
    assert retry_delay(replace(CONFIG, frequency_min=240), 5) == dt.timedelta(hours=4)


@pytest.mark.asyncio
async def test_failing_syncs_back_off_and_a_success_resets_the_pace() -> None:
    cfg = replace(CONFIG, days=EVERY_DAY, window_start=dt.time(0, 0), window_end=dt.time(0, 0))
    clock = Clock(berlin("2026-01-05 08:00"))
    scheduler, runs = make(clock, cfg)
    runs.fail = True
    while len(runs.times) < 6:
        await scheduler.tick()
        clock.advance(minutes=1)
    gaps = [(b - a).total_seconds() / 60 for a, b in zip(runs.times, runs.times[1:], strict=False)]
    assert gaps == [30, 60, 120, 240, 240]
    skipped = [s.reason for s in scheduler.skipped]
    assert any(r.startswith("waiting after 2 failed syncs in a row; next try at") for r in skipped)
    runs.fail = False
    while len(runs.times) < 8:
        await scheduler.tick()
        clock.advance(minutes=1)
    assert (runs.times[7] - runs.times[6]) == dt.timedelta(minutes=30)
    assert scheduler.state.failures == 0


@pytest.mark.asyncio
async def test_an_exception_in_the_sync_counts_as_a_failure_and_the_schedule_goes_on() -> None:
    clock = Clock(berlin("2026-01-09 10:00"))
    errors: list[BaseException] = []

    async def boom() -> None:
        raise RuntimeError("network down")

    scheduler = Scheduler(config=lambda: CONFIG, run=boom, clock=clock, on_error=errors.append)
    d = await scheduler.tick()
    assert d.run and scheduler.state.failures == 1 and not scheduler.state.running
    assert [str(e) for e in errors] == ["network down"]


@pytest.mark.asyncio
async def test_a_report_that_is_not_ok_counts_as_a_failure() -> None:
    class Report:
        ok = False

    async def run() -> Report:
        return Report()

    scheduler = Scheduler(config=lambda: CONFIG, run=run, clock=Clock(berlin("2026-01-09 10:00")))
    await scheduler.tick()
    assert scheduler.state.failures == 1


# -- sleep, overlap, pause, manual runs ---------------------------------------------------------


@pytest.mark.asyncio
async def test_after_sleeping_through_several_due_times_one_sync_runs_on_wake() -> None:
    clock = Clock(berlin("2026-01-09 09:00"))
    scheduler, runs = make(clock)
    await scheduler.tick()  # 09:00 runs
    clock.advance(minutes=10)
    await scheduler.tick()  # 09:10 not due; then the lid closes
    clock.advance(hours=4)  # 13:10: 8 due times were missed
    woke = await scheduler.tick()
    assert woke.run and woke.caught_up
    for _ in range(5):
        clock.advance(minutes=1)
        await scheduler.tick()
    assert [t.astimezone(BERLIN).strftime("%H:%M") for t in runs.times] == ["09:00", "13:10"]


@pytest.mark.asyncio
async def test_never_two_syncs_at_once() -> None:
    clock = Clock(berlin("2026-01-09 10:00"))
    release = asyncio.Event()
    started = asyncio.Event()
    count = 0

    async def slow() -> bool:
        nonlocal count
        count += 1
        started.set()
        await release.wait()
        return True

    scheduler = Scheduler(config=lambda: CONFIG, run=slow, clock=clock)
    first = asyncio.create_task(scheduler.tick())
    await started.wait()
    clock.advance(minutes=45)
    second = await scheduler.tick()
    assert not second.run and second.reason == "a sync is already running"
    release.set()
    assert (await first).run and count == 1


@pytest.mark.asyncio
async def test_a_manual_sync_in_progress_blocks_auto_sync() -> None:
    clock = Clock(berlin("2026-01-09 10:00"))
    scheduler, runs = make(clock, is_running=lambda: True)
    d = await scheduler.tick()
    assert d.reason == "a sync is already running" and runs.times == []


@pytest.mark.asyncio
async def test_a_manual_sync_resets_the_clock_and_clears_back_off() -> None:
    clock = Clock(berlin("2026-01-09 10:00"))
    scheduler, runs = make(clock)
    scheduler.state = replace(scheduler.state, failures=3)
    scheduler.note_run(berlin("2026-01-09 10:00"), ok=True)
    clock.advance(minutes=20)
    assert (await scheduler.tick()).code == "not_due"
    assert scheduler.next_run_time() == berlin("2026-01-09 10:30")


@pytest.mark.asyncio
async def test_pause_and_resume() -> None:
    clock = Clock(berlin("2026-01-09 10:00"))
    changes: list[bool] = []
    scheduler, runs = make(clock)
    scheduler.on_change = lambda: changes.append(scheduler.paused)
    scheduler.pause()
    assert scheduler.paused and scheduler.next_run_time() is None
    d = await scheduler.tick()
    assert d.reason == "paused by you" and runs.times == []
    scheduler.resume()
    assert scheduler.next_run_time() == clock()
    assert (await scheduler.tick()).run and len(runs.times) == 1
    assert changes[:2] == [True, True] and False in changes


@pytest.mark.asyncio
async def test_a_skip_is_recorded_once_per_reason_not_every_minute() -> None:
    clock = Clock(berlin("2026-01-09 18:45"))
    seen = []
    scheduler, runs = make(clock, on_skip=seen.append)
    for _ in range(14 * 60):  # Friday 18:45 to Saturday 08:45
        await scheduler.tick()
        clock.advance(minutes=1)
    assert [r.astimezone(BERLIN).strftime("%a %H:%M") for r in runs.times] == ["Fri 18:45"]
    assert [(s.at.astimezone(BERLIN).strftime("%a %H:%M"), s.reason) for s in scheduler.skipped] == [
        ("Fri 19:15", "outside the sync window"),
        ("Sat 07:00", "outside the sync window (Saturday is not a sync day)"),
    ]
    assert seen == list(scheduler.skipped)


@pytest.mark.asyncio
async def test_budget_provider_pauses_auto_sync_until_the_budget_recovers() -> None:
    clock = Clock(berlin("2026-01-09 10:00"))
    budget = {"pct": 7.0}
    scheduler, runs = make(clock, budget=lambda: budget["pct"])
    d = await scheduler.tick()
    assert d.reason == "Salesforce API budget low: 7 % left"
    budget["pct"] = 55.0
    clock.advance(minutes=1)
    assert (await scheduler.tick()).run


@pytest.mark.asyncio
async def test_run_forever_ticks_at_once_and_stops_when_asked() -> None:
    clock = Clock(berlin("2026-01-09 10:00"))
    scheduler: Scheduler

    async def run_then_stop() -> bool:
        scheduler.stop()
        return True

    scheduler = Scheduler(config=lambda: CONFIG, run=run_then_stop, clock=clock)
    await asyncio.wait_for(scheduler.run_forever(), timeout=30)
    assert scheduler.state.last_run_at == clock()


# -- settings -> configuration -------------------------------------------------------------------


def test_configuration_comes_from_the_settings(tmp_path: Path) -> None:
    store = Store(tmp_path / "tandem.sqlite3")
    try:
        settings = Settings(store)
        cfg = ScheduleConfig.from_settings(settings, tz=BERLIN)
        assert (cfg.enabled, cfg.unlocked, cfg.frequency_min) == (False, False, 30)
        assert cfg.days == frozenset({0, 1, 2, 3, 4}) and cfg.window_end == dt.time(19, 0)
        run = store.start_run(trigger="manual", mode="apply", kinds=["contacts"])
        store.finish_run(run, status="applied", report={})
        settings.set("auto.enabled", "true")
        settings.set("auto.days", "mon,sat")
        settings.set("tasks.background", "false")
        cfg = ScheduleConfig.from_settings(settings, tz=BERLIN)
        assert cfg.enabled and cfg.unlocked and cfg.days == frozenset({0, 5})
        assert cfg.kinds == ("contacts", "events")
    finally:
        store.close()


# -- invariants over random clocks -----------------------------------------------------------


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.datetimes(min_value=dt.datetime(2026, 3, 20), max_value=dt.datetime(2026, 11, 1)),
    frequency=st.sampled_from([5, 10, 15, 30, 60, 120, 240]),
    window=st.tuples(st.integers(0, 23), st.integers(0, 23)),
    days=st.frozensets(st.integers(0, 6), min_size=1),
    steps=st.lists(st.one_of(st.just(1), st.integers(2, 600)), min_size=1, max_size=120),
    failing=st.booleans(),
)
def test_auto_sync_never_runs_outside_the_window_nor_more_often_than_asked(
    start, frequency, window, days, steps, failing
) -> None:
    cfg = replace(
        CONFIG,
        frequency_min=frequency,
        window_start=dt.time(window[0]),
        window_end=dt.time(window[1]),
        days=days,
    )
    clock = Clock(start.replace(tzinfo=BERLIN))
    scheduler, runs = make(clock, cfg)
    runs.fail = failing

    async def drive() -> None:
        for minutes in steps:  # 1 = awake and ticking; more = the machine slept
            await scheduler.tick()
            clock.advance(minutes=minutes)

    asyncio.run(drive())
    for moment in runs.times:
        assert window_status(moment.astimezone(BERLIN), cfg) is None
    for a, b in zip(runs.times, runs.times[1:], strict=False):
        assert b - a >= dt.timedelta(minutes=frequency)
