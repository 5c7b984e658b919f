"""The sync service: what the CLI, the GUI and the scheduler call to sync one profile.

    service = SyncService(ctx, settings)            # ctx: app.cli.accounts.AccountsContext
    async with service.session() as run:            # one run at a time per profile
        plan = await run.preview(["contacts"])      # read both sides, change nothing
        report = await run.apply(plan)              # apply it (guards still hold)
    report = await service.sync(trigger="auto")     # plan + apply in one go
    service.rebuild("contacts"); service.history(); service.status()

A *session* builds the engine for the profile: the store, the settings (policy applied), and
for every kind one Outlook and one Salesforce source over the signed-in accounts. All Graph
sources share one :class:`GraphClient` and all Salesforce sources one
:class:`SalesforceClient`, each with a :class:`BearerAuth` that refreshes silently; both
clients are closed when the session ends. Before any work, both sign-ins are *prepared* (a
silent refresh), so "not connected" / "sign-in expired" surface as typed
:class:`app.errors.AppError` (``action`` = connect / reconnect) before anything is read.

One run at a time per profile: an ``asyncio.Lock`` per profile inside this process, and an
OS lock on ``<profile>/sync.lock`` (``fcntl.flock`` / ``msvcrt.locking``, non-blocking) across
processes. The OS releases the lock when the holder dies, so there is no stale-lock cleanup;
the file only holds the holder's pid for diagnostics. A second run gets :class:`SyncBusy`.

After each session the Salesforce API budget seen on the last response (``used``/``max``,
from ``Sforce-Limit-Info``) is kept in the store (machine state, not a setting) for
``status`` and the scheduler. The engine records every applied run (with its API calls).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import sys
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.auth.token_provider import BearerAuth
from app.cli.accounts import AccountsContext
from app.errors import AppError, not_connected
from app.settings import Settings
from sync.fields import KINDS, Kind
from sync.plan import Decisions, Plan
from sync.report import RunReport

if TYPE_CHECKING:
    from sync.graph.source import GraphSource
    from sync.salesforce.source import SalesforceSource

Progress = Callable[[str, str, int, int], None]  # as sync.engine.Progress
BUDGET_KEY = "_state.salesforce_api_budget"
LOCK_FILE = "sync.lock"


class SyncBusy(AppError):
    title = "A sync is already running"
    action = "wait"


def held(plan_or_report: Plan | RunReport) -> bool:
    """Something waits for the person: conflicts, held items, a stopped kind (CLI exit 3)."""
    if isinstance(plan_or_report, Plan):
        return plan_or_report.needs_user() or any(k.stopped for k in plan_or_report.kinds.values())
    report = plan_or_report
    return (
        report.total("held") > 0
        or report.total("conflict") > 0
        or any(k.stopped for k in report.kinds.values())
    )


def failed(plan_or_report: Plan | RunReport) -> bool:
    """A kind could not be read or applied, or items failed (CLI exit 1)."""
    if isinstance(plan_or_report, Plan):
        return any(k.error for k in plan_or_report.kinds.values())
    return not plan_or_report.ok


# -- the profile lock ---------------------------------------------------------------------

_process_locks: dict[str, asyncio.Lock] = {}


class _FileLock:
    """A non-blocking OS lock on one file; released by the OS if the process dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if sys.platform == "win32":  # pragma: no cover - Windows
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            if sys.platform == "win32":  # pragma: no cover - Windows
                import msvcrt

                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _busy() -> SyncBusy:
    return SyncBusy(
        "A sync is already running",
        "Another sync of this profile is running (here or in another Tandem window). "
        "Wait for it to finish, then try again.",
    )


# -- the service --------------------------------------------------------------------------


class SyncService:
    """Syncs one profile. ``ctx``: an ``AccountsContext``; ``settings``: ``app.settings.Settings``.

    ``client_options`` go to both HTTP clients (tests shorten the back-off).
    """

    def __init__(
        self, ctx: AccountsContext, settings: Settings, *, client_options: dict[str, Any] | None = None
    ) -> None:
        self.ctx = ctx
        self.settings = settings
        self.store = settings.store
        self.client_options = dict(client_options or {})
        key = str(Path(ctx.paths.database).resolve())
        self._lock = _process_locks.setdefault(key, asyncio.Lock())
        self._file_lock = _FileLock(Path(ctx.paths.root) / LOCK_FILE)
        self.running = False

    # -- the lock ---------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _exclusive(self) -> AsyncIterator[None]:
        if self._lock.locked():
            raise _busy()
        async with self._lock:
            if not self._file_lock.acquire():
                raise _busy()
            self.running = True
            try:
                yield
            finally:
                self.running = False
                self._file_lock.release()

    # -- sessions ---------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def session(self, kinds: Iterable[str] | None = None) -> AsyncIterator[SyncSession]:
        """Lock the profile, sign in silently, build the engine; close everything after."""
        async with self._exclusive():
            session = SyncSession(self, self._kinds(kinds))
            try:
                await session.open()
                yield session
            finally:
                await session.close()

    def _kinds(self, kinds: Iterable[str] | None) -> list[Kind]:
        if kinds is None:
            return list(self.settings.enabled_kinds())
        wanted = set(kinds)
        unknown = wanted - set(KINDS)
        if unknown:
            raise ValueError(f"unknown kind(s): {', '.join(sorted(unknown))}")
        return [k for k in KINDS if k in wanted]

    # -- one-shot operations ----------------------------------------------------------------

    async def preview(self, kinds: Iterable[str] | None = None) -> Plan:
        async with self.session(kinds) as run:
            return await run.preview()

    async def sync(
        self,
        kinds: Iterable[str] | None = None,
        *,
        decisions: Decisions | None = None,
        trigger: str = "manual",
        progress: Progress | None = None,
    ) -> RunReport:
        async with self.session(kinds) as run:
            plan = await run.preview(progress=progress)
            return await run.apply(plan, decisions, trigger=trigger, progress=progress)

    async def rebuild(self, kind: Kind) -> int:
        """Forget links and cursors of ``kind`` (no network, no record changes)."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        async with self._exclusive():
            return self.store.forget_kind(kind)

    # -- reading the store ------------------------------------------------------------------

    def history(self, limit: int = 20) -> list[dict[str, Any]]:
        out = []
        for run in self.store.runs(limit=limit):
            report = run.get("report") or {}
            counts = {kind: (r or {}).get("counts") for kind, r in (report.get("kinds") or {}).items()}
            errors = {
                kind: r["error"] for kind, r in (report.get("kinds") or {}).items() if r and r.get("error")
            }
            out.append(
                {
                    "id": run["id"],
                    "started_at": run["started_at"],
                    "finished_at": run["finished_at"],
                    "trigger": run["trigger"],
                    "mode": run["mode"],
                    "kinds": run["kinds"],
                    "status": run["status"],
                    "undo_of": run["undo_of"],
                    "undone_by": run["undone_by"],
                    "counts": counts,
                    "errors": errors,
                    "api_calls": report.get("api_calls"),
                    "duration_s": report.get("duration_s"),
                }
            )
        return out

    def api_budget(self) -> dict[str, Any] | None:
        return self.store.setting(BUDGET_KEY, None)

    def status(self, now: dt.datetime | None = None) -> dict[str, Any]:
        """Per-kind state, last/next run and the API budget (no network)."""
        from app.scheduler import ScheduleConfig, ScheduleState, next_run_time

        now = now or dt.datetime.now(dt.UTC)
        runs = self.store.runs(limit=1)
        last = self.history(limit=1)[0] if runs else None
        enabled = set(self.settings.enabled_kinds())
        kinds: dict[str, Any] = {}
        for kind in KINDS:
            last_kind = next((r for r in self.store.runs(limit=50) if kind in r["kinds"]), None)
            kinds[kind] = {
                "enabled": kind in enabled,
                "linked": self.store.link_count(kind),
                "open_issues": len(self.store.open_issues(kind)),
                "last_run": (
                    {
                        "id": last_kind["id"],
                        "status": last_kind["status"],
                        "finished_at": last_kind["finished_at"],
                    }
                    if last_kind
                    else None
                ),
            }
        next_run = None
        try:
            config = ScheduleConfig.from_settings(self.settings)
            last_at = _parse_time(runs[0]["started_at"]) if runs else None
            when = next_run_time(now, config, ScheduleState(last_run_at=last_at))
            next_run = when.isoformat() if when else None
        except Exception:  # a malformed schedule setting must not break status
            next_run = None
        budget = self.api_budget()
        return {
            "kinds": kinds,
            "last_run": last,
            "next_run": next_run,
            "auto_sync": bool(self.settings.get("auto.enabled")),
            "api_budget": {"salesforce": budget},
        }

    def note_budget(self, usage: tuple[int, int] | None) -> None:
        if usage is None:
            return
        used, limit = usage
        left = round(100.0 * (limit - used) / limit, 1) if limit else None
        self.store.set_setting(
            BUDGET_KEY,
            {
                "used": used,
                "max": limit,
                "left_pct": left,
                "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            },
        )


def _parse_time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class _SharedClientSource:
    """A source whose client other sources share: only the first one per service reports the
    client's request count, so the engine (which sums ``api_calls`` over every source) counts
    each request once. Everything else is the wrapped source's."""

    def __init__(self, source: GraphSource | SalesforceSource, counts: bool) -> None:
        self._source = source
        self._counts = counts

    @property
    def api_calls(self) -> int:
        return self._source.api_calls if self._counts else 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._source, name)


class SyncSession:
    """One locked run of a profile: the clients, the sources and the engine."""

    def __init__(self, service: SyncService, kinds: list[Kind]) -> None:
        self.service = service
        self.kinds = kinds
        self.engine: Any = None
        self.graph: Any = None
        self.salesforce: Any = None

    async def open(self) -> None:
        from app.auth.outlook import OutlookTokenSource
        from app.auth.salesforce import SalesforceTokenSource
        from sync.engine import SyncEngine
        from sync.graph.client import GraphClient
        from sync.graph.source import GraphContacts, GraphEvents
        from sync.graph.tasks import GraphTasks
        from sync.salesforce.client import SalesforceClient
        from sync.salesforce.events import SalesforceEvents
        from sync.salesforce.source import SalesforceContacts, SalesforceTasks

        ctx, settings = self.service.ctx, self.service.settings
        sf_facts = ctx.accounts.get("salesforce")
        if not ctx.accounts.get("outlook"):
            raise not_connected("outlook")
        if not sf_facts or not sf_facts.get("user_id"):
            raise not_connected("salesforce")
        outlook_auth = BearerAuth(OutlookTokenSource(ctx.outlook()))
        sf_login = ctx.salesforce()
        sf_auth = BearerAuth(SalesforceTokenSource(sf_login))
        # Silent refresh first: NotConnected / SignInExpired before any work starts.
        await outlook_auth.prepare()
        await sf_auth.prepare()
        instance_url = await sf_login.instance_url()
        verify = ctx.endpoints.ssl_context()
        graph_root = ctx.endpoints.graph_url.rstrip("/").removesuffix("/v1.0")
        options = self.service.client_options
        self.graph = GraphClient(graph_root, verify=verify, auth=outlook_auth, **options)
        self.salesforce = SalesforceClient(
            instance_url, sf_auth, verify=verify, describe_cache=self.service.store, **options
        )
        user = sf_facts["user_id"]
        # The wrappers delegate to the sources (__getattr__), which mypy cannot match with the
        # Source protocol: the engine gets them as what they stand for.
        sources: dict[str, dict[str, Any]] = {}
        for kind in self.kinds:
            outlook: GraphSource
            sf: SalesforceSource
            if kind == "contacts":
                c = settings.contact_sources()
                outlook = GraphContacts(self.graph, c.outlook_folder)
                sf = SalesforceContacts(self.salesforce, user, scope=c.range, campaign_id=c.campaign_id)
            elif kind == "events":
                e = settings.event_sources()
                outlook = GraphEvents(self.graph, e.days_back, e.days_ahead, calendar_id=e.outlook_folder)
                sf = SalesforceEvents(
                    self.salesforce,
                    user,
                    days_back=e.days_back,
                    days_ahead=e.days_ahead,
                    include_private=e.include_private,
                )
            else:
                t = settings.task_sources()
                outlook = GraphTasks(self.graph, t.outlook_folder)
                sf = SalesforceTasks(self.salesforce, user, closed_days=t.closed_days)
            first = not sources
            sources[kind] = {
                "outlook": _SharedClientSource(outlook, first),
                "salesforce": _SharedClientSource(sf, first),
            }
        self.engine = SyncEngine(self.service.store, sources, settings.kind_settings)

    async def close(self) -> None:
        if self.salesforce is not None:
            with contextlib.suppress(Exception):
                self.service.note_budget(self.salesforce.api_usage)
        for client in (self.graph, self.salesforce):
            if client is not None:
                with contextlib.suppress(Exception):
                    await client.aclose()

    async def preview(self, *, progress: Progress | None = None) -> Plan:
        """Read both sides and plan. ``progress(kind, phase, done, total)`` (optional) hears
        "reading" and "planning" on the loop thread."""
        return await self.engine.preview(self.kinds, progress=progress)

    async def apply(
        self,
        plan: Plan,
        decisions: Decisions | None = None,
        *,
        trigger: str = "manual",
        progress: Progress | None = None,
    ) -> RunReport:
        """Apply ``plan``. ``progress`` (optional) hears "applying" (items sent of the total)."""
        return await self.engine.apply(plan, decisions, trigger=trigger, progress=progress)

    async def preview_undo(self) -> Plan:
        return await self.engine.preview_undo()


__all__ = ["SyncBusy", "SyncService", "SyncSession", "failed", "held"]
