"""Auto sync: decides only *when* a background sync runs (STYLE.md habit 13, after vorta).

The decision is a pure function, :func:`decide` (now, configuration, state) -> :class:`Decision`;
:class:`Scheduler` keeps the state, drives a ``schedule`` job that ticks every minute on the
asyncio loop, calls the async run callback and records skipped runs with their reason.

Rules (BEHAVIOUR.md, Auto sync), with the choices made where the spec is silent:

- **Due**: a sync is due ``frequency`` minutes after the *start* of the last sync (manual or
  auto: a sync you just ran by hand resets the clock), or at once when there was none.
  Intervals are real elapsed time (a 30-minute schedule stays 30 minutes across a DST change).
- **Window** in the user's local zone: ``start <= local time < end`` (the end is exclusive: at
  19:00 exactly a 07:00-19:00 window is closed). ``start > end`` spans midnight (22:00-06:00);
  the part after midnight belongs to the day the window opened, so a Friday 22:00-06:00 window
  runs until Saturday 06:00 even when Saturday is not a sync day. ``start == end`` means all day.
  A sync that fell due outside the window runs once when the window next opens.
- **Days**: week-day numbers, 0 = Monday (``auto.days``).
- **One at a time**: while a sync runs (ours, or a manual one the app reports through
  ``is_running``), a due sync is skipped with "a sync is already running".
- **Sleep**: due-ness is measured from the last sync, not counted in ticks, so after the
  machine slept through several due times exactly one sync runs on wake (marked ``caught_up``).
  A gap between ticks longer than :data:`SLEEP_GAP` counts as a sleep.
- **Back-off**: after 2 or more failed syncs in a row the interval doubles per further failure
  (30 min: 1 failure -> 30, 2 -> 60, 3 -> 120, 4 -> 240), capped at 4 hours (never below the
  frequency). Any successful sync resets it. A single failure (say the network was not up yet
  after waking) does not back off.
- **API budget**: while less than ``auto.min_api_budget_pct`` % of the daily Salesforce API
  limit is left, due syncs are skipped ("Salesforce API budget low: 7 % left"). The budget comes
  from a provider callable (the app's latest reading; unknown = not limiting).
- **Pause/Resume**: in memory, for this session; a restart resumes (the tray shows the state).
- **Skips recorded** only when a sync was *due* and something stopped it, and once per reason
  until the next sync (a closed window at night is one entry, not one per minute).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import inspect
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, overload
from zoneinfo import ZoneInfo

import schedule

if TYPE_CHECKING:
    from app.settings import Settings

log = logging.getLogger(__name__)

TICK = dt.timedelta(seconds=60)
SLEEP_GAP = dt.timedelta(minutes=3)
BACKOFF_CAP = dt.timedelta(hours=4)
BACKOFF_AFTER = 2  # failures in a row before the interval starts to grow
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def local_zone() -> dt.tzinfo:
    tz = dt.datetime.now().astimezone().tzinfo
    return tz if tz is not None else dt.UTC


# -- what the decision reads ----------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleConfig:
    """The auto.* settings, resolved (see :meth:`from_settings`)."""

    enabled: bool = False
    unlocked: bool = False
    frequency_min: int = 30
    window_start: dt.time = dt.time(7, 0)
    window_end: dt.time = dt.time(19, 0)
    days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    min_api_budget_pct: float = 10
    kinds: tuple[str, ...] = ("contacts", "events", "tasks")
    tz: dt.tzinfo = dt.UTC

    @property
    def interval(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.frequency_min)

    @classmethod
    def from_settings(cls, settings: Settings, tz: dt.tzinfo | None = None) -> ScheduleConfig:
        """From an :class:`app.settings.Settings` (duck-typed: ``get``, ``background_kinds``...)."""
        return cls(
            enabled=bool(settings.get("auto.enabled")),
            unlocked=settings.auto_sync_unlocked(),
            frequency_min=int(settings.get("auto.frequency_min")),
            window_start=dt.time.fromisoformat(settings.get("auto.window_start")),
            window_end=dt.time.fromisoformat(settings.get("auto.window_end")),
            days=frozenset(settings.get("auto.days")),
            min_api_budget_pct=float(settings.get("auto.min_api_budget_pct")),
            kinds=tuple(settings.background_kinds()),
            tz=tz or local_zone(),
        )


@dataclass(frozen=True)
class ScheduleState:
    """What the scheduler remembers between ticks (machine state, not settings)."""

    last_run_at: dt.datetime | None = None  # start of the last sync, manual or auto
    failures: int = 0  # failed syncs in a row
    running: bool = False
    paused: bool = False
    api_budget_pct: float | None = None  # % of the daily Salesforce limit left; None = unknown
    last_tick_at: dt.datetime | None = None
    last_skip: str | None = None  # code of the skip recorded since the last sync


@dataclass(frozen=True)
class Decision:
    run: bool
    code: str  # run | disabled | not_due | locked | no_kinds | paused | running |
    # outside_window | not_a_sync_day | budget | backoff
    reason: str | None  # plain words for a skip, None when running or nothing to say
    record: bool = False  # a skip the dashboard should list (first of its kind since the last sync)
    caught_up: bool = False  # running because the machine slept through due times


@dataclass(frozen=True)
class SkippedRun:
    at: dt.datetime
    code: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"at": self.at.isoformat(), "code": self.code, "reason": self.reason}


# -- the pure part ---------------------------------------------------------------------------


def retry_delay(config: ScheduleConfig, failures: int) -> dt.timedelta:
    """The wait after ``failures`` failed syncs in a row (doubling, capped at 4 hours)."""
    if failures < BACKOFF_AFTER:
        return config.interval
    grown = config.interval * (2 ** (failures - BACKOFF_AFTER + 1))
    return max(config.interval, min(grown, BACKOFF_CAP))


def _all_day(config: ScheduleConfig) -> bool:
    return config.window_start == config.window_end


def window_status(local: dt.datetime, config: ScheduleConfig) -> str | None:
    """None when ``local`` (a wall time in the user's zone) is inside the window on a sync day,
    else ``"outside_window"`` or ``"not_a_sync_day"``."""
    t, day = local.time().replace(tzinfo=None), local.weekday()
    start, end = config.window_start, config.window_end
    if _all_day(config):
        return None if day in config.days else "not_a_sync_day"
    if start < end:
        if not start <= t < end:
            return "outside_window"
        return None if day in config.days else "not_a_sync_day"
    if t >= start:  # evening part: belongs to today
        return None if day in config.days else "not_a_sync_day"
    if t < end:  # morning part: belongs to yesterday's window
        return None if (day - 1) % 7 in config.days else "not_a_sync_day"
    return "outside_window"


def _local(moment: dt.datetime, config: ScheduleConfig) -> dt.datetime:
    return moment.astimezone(config.tz)


def _opening(day: dt.date, config: ScheduleConfig) -> dt.datetime:
    start = dt.time(0, 0) if _all_day(config) else config.window_start
    naive = dt.datetime.combine(day, start)
    if isinstance(config.tz, ZoneInfo):
        moment = naive.replace(tzinfo=config.tz)
        # A start inside a DST gap (02:30 on the spring-forward night) opens at the gap's end.
        back = moment.astimezone(dt.UTC).astimezone(config.tz)
        if back.replace(tzinfo=None) != naive:
            moment = back.replace(minute=0, second=0, microsecond=0) if back > moment else back
        return moment
    return naive.replace(tzinfo=config.tz)


def next_window_time(after: dt.datetime, config: ScheduleConfig) -> dt.datetime | None:
    """The first moment at or after ``after`` that is inside the window on a sync day."""
    if not config.days:
        return None
    if window_status(_local(after, config), config) is None:
        return after
    first = _local(after, config).date()
    for offset in range(0, 9):
        opening = _opening(first + dt.timedelta(days=offset), config)
        if opening > after and window_status(_local(opening, config), config) is None:
            return opening.astimezone(dt.UTC)
    return None


@overload
def _utc(moment: dt.datetime) -> dt.datetime: ...
@overload
def _utc(moment: None) -> None: ...
def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    # Aware arithmetic in a ZoneInfo zone is wall-clock arithmetic (01:45 CET + 30 min would
    # give the non-existent 02:15 on the spring-forward night): intervals are added in UTC.
    return None if moment is None else moment.astimezone(dt.UTC)


def _in_utc(state: ScheduleState) -> ScheduleState:
    return replace(state, last_run_at=_utc(state.last_run_at), last_tick_at=_utc(state.last_tick_at))


def decide(now: dt.datetime, config: ScheduleConfig, state: ScheduleState) -> Decision:
    """Should a background sync start at ``now``? Pure: no clock, no I/O."""
    now, state = _utc(now), _in_utc(state)
    if not config.enabled:
        return Decision(False, "disabled", None)
    if state.last_run_at is not None and now < state.last_run_at + config.interval:
        return Decision(False, "not_due", None)
    slept = state.last_tick_at is not None and now - state.last_tick_at > SLEEP_GAP
    caught_up = (
        slept
        and state.last_run_at is not None
        and state.last_tick_at is not None
        and (state.last_tick_at < state.last_run_at + retry_delay(config, state.failures))
    )

    def skip(code: str, reason: str) -> Decision:
        return Decision(False, code, reason, record=state.last_skip != code)

    if not config.unlocked:
        return skip("locked", "auto sync is locked until you apply a first manual sync")
    if not config.kinds:
        return skip("no_kinds", "no kind is included in background sync")
    if state.paused:
        return skip("paused", "paused by you")
    if state.running:
        return skip("running", "a sync is already running")
    local = _local(now, config)
    where = window_status(local, config)
    if where == "outside_window":
        return skip(where, "outside the sync window")
    if where == "not_a_sync_day":
        return skip(where, f"outside the sync window ({DAY_NAMES[local.weekday()]} is not a sync day)")
    budget = state.api_budget_pct
    if budget is not None and budget < config.min_api_budget_pct:
        return skip("budget", f"Salesforce API budget low: {budget:.0f} % left")
    if state.last_run_at is not None:
        retry_at = state.last_run_at + retry_delay(config, state.failures)
        if now < retry_at:
            at = _local(retry_at, config).strftime("%H:%M")
            return skip("backoff", f"waiting after {state.failures} failed syncs in a row; next try at {at}")
    return Decision(True, "run", None, caught_up=caught_up)


def next_run_time(now: dt.datetime, config: ScheduleConfig, state: ScheduleState) -> dt.datetime | None:
    """When the next background sync is expected (for the dashboard); None when it will not
    run by itself (off, locked, paused, no kinds, no days). A low API budget is not predicted."""
    if not (config.enabled and config.unlocked and config.kinds) or state.paused:
        return None
    now, state = _utc(now), _in_utc(state)
    due = (
        now
        if state.last_run_at is None
        else max(now, state.last_run_at + retry_delay(config, state.failures))
    )
    return next_window_time(due, config)


# -- the driver ------------------------------------------------------------------------------

RunCallback = Callable[[], Awaitable[Any]]


@dataclass
class Scheduler:
    """Ticks every minute, asks :func:`decide`, runs the sync, records skips.

    ``config``: a callable returning the current :class:`ScheduleConfig` (read each tick, so a
    settings change applies at once). ``run``: ``async () -> result``; the result counts as a
    success unless it is ``False`` or has a false ``ok`` attribute (a RunReport); an exception
    counts as a failure and is logged and passed to ``on_error``. ``is_running``: whether the
    app is running a sync right now (a manual one). ``budget``: the % of the Salesforce API
    limit left, or None. ``clock``: returns an aware datetime (patched in tests).
    """

    config: Callable[[], ScheduleConfig]
    run: RunCallback
    clock: Clock = system_clock
    is_running: Callable[[], bool] = lambda: False
    budget: Callable[[], float | None] = lambda: None
    on_skip: Callable[[SkippedRun], None] | None = None
    on_error: Callable[[BaseException], None] | None = None
    on_change: Callable[[], None] | None = None  # state changed (tray icon, dashboard)
    state: ScheduleState = field(default_factory=ScheduleState)
    history: int = 100
    skipped: deque = field(init=False)
    _jobs: schedule.Scheduler = field(init=False, repr=False)
    _tick_wanted: bool = field(default=False, init=False, repr=False)
    _stop: bool = field(default=False, init=False, repr=False)
    _wake: asyncio.Event | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.skipped = deque(maxlen=self.history)
        self._jobs = schedule.Scheduler()

    # -- controls --------------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        return self.state.paused

    def pause(self) -> None:
        self._set(paused=True)

    def resume(self) -> None:
        self._set(paused=False, last_skip=None)

    def note_run(self, started_at: dt.datetime, ok: bool, *, trigger: str = "manual") -> None:
        """A sync ran outside the scheduler (manual): it resets the clock; success resets back-off.
        A failed manual sync does not add to the back-off (the person saw it fail)."""
        failures = 0 if ok else (self.state.failures + (trigger == "auto"))
        self._set(last_run_at=started_at, failures=failures, last_skip=None)

    def next_run_time(self) -> dt.datetime | None:
        return next_run_time(self.clock(), self.config(), self.state)

    def _set(self, **changes: Any) -> None:
        self.state = replace(self.state, **changes)
        if self.on_change is not None:
            self.on_change()

    # -- one tick ----------------------------------------------------------------------------

    def decide(self) -> Decision:
        now = self.clock()
        state = replace(
            self.state, running=self.state.running or bool(self.is_running()), api_budget_pct=self.budget()
        )
        return decide(now, self.config(), state)

    async def tick(self) -> Decision:
        """Decide once and, when due, run the sync to its end. Safe to call at any time."""
        now = self.clock()
        decision = self.decide()
        self.state = replace(self.state, last_tick_at=now)
        if decision.record and decision.reason:
            entry = SkippedRun(now, decision.code, decision.reason)
            self.skipped.append(entry)
            self._set(last_skip=decision.code)
            log.info("auto sync skipped: %s", decision.reason)
            if self.on_skip is not None:
                self.on_skip(entry)
        if not decision.run:
            return decision
        if decision.caught_up:
            log.info("auto sync catching up after the computer was asleep")
        self._set(running=True, last_run_at=now, last_skip=None)
        ok = False
        try:
            ok = _succeeded(await self.run())
        except Exception as exc:  # counted and reported; the schedule goes on
            log.exception("auto sync failed")
            if self.on_error is not None:
                self.on_error(exc)
        finally:
            self._set(running=False, failures=0 if ok else self.state.failures + 1, last_tick_at=self.clock())
        return decision

    # -- the loop ----------------------------------------------------------------------------

    async def run_forever(self, tick_seconds: float = TICK.total_seconds()) -> None:
        """Tick now and then every ``tick_seconds`` until :meth:`stop` (or cancellation)."""
        self._stop = False
        self._jobs.clear()
        self._jobs.every(int(tick_seconds)).seconds.do(self._want_tick)
        self._tick_wanted = True
        self._wake = asyncio.Event()
        try:
            while not self._stop:
                self._jobs.run_pending()
                if self._tick_wanted:
                    self._tick_wanted = False
                    await self.tick()
                if self._stop:
                    break
                idle = self._jobs.idle_seconds
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._wake.wait(),
                        max(0.05, min(idle if idle is not None else tick_seconds, tick_seconds)),
                    )
        finally:
            self._jobs.clear()
            self._wake = None

    def stop(self) -> None:
        self._stop = True
        if self._wake is not None:
            self._wake.set()

    def _want_tick(self) -> None:
        self._tick_wanted = True
        if self._wake is not None:
            self._wake.set()


def _succeeded(result: object) -> bool:
    if result is False:
        return False
    ok = getattr(result, "ok", True)
    return bool(ok() if inspect.ismethod(ok) else ok)


__all__ = [
    "Decision",
    "ScheduleConfig",
    "ScheduleState",
    "Scheduler",
    "SkippedRun",
    "decide",
    "next_run_time",
    "next_window_time",
    "retry_delay",
    "window_status",
]
