"""The sync commands of the CLI: ``sync``, ``history``, ``rebuild``, ``undo`` and ``status``.

main.py parses the arguments and calls :func:`run`, which opens the profile's settings and
calls the command with them (``app.settings.Settings``); each returns the exit code of CLI.md: 0 success, 1 failed, 2 bad usage, 3 held for the user
(conflicts, held items, a mass delete or an empty side stopped by a guard). Human text goes to
stderr; with ``--json`` one JSON document goes to stdout.

``sync`` without ``--preview`` or ``--yes``: in a terminal the plan is printed and the person
is asked; when stdin is not a terminal (a script) it is treated as ``--preview`` and says so.
Deletes held by the mass-delete guard go ahead only when confirmed: a second question in the
terminal, or ``--confirm-deletes`` (``args.confirm_deletes``) with ``--yes``.
Tests may pass ``args.confirm`` (a callable returning bool) instead of the terminal question.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Callable
from typing import Any

from app.cli.accounts import (
    UsageError,
    _fail,
    accounts_status,
    accounts_status_json,
    profile_options,
    say_accounts,
)
from app.context import open_profile
from app.settings import Settings, open_settings
from app.sync_service import SyncService, failed, held
from sync.errors import NothingToUndo, TandemError
from sync.fields import KINDS
from sync.plan import Decisions, Plan
from sync.report import RunReport

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_HELD = 0, 1, 2, 3
MAX_LINES = 40  # actions listed per kind in the human plan

log = logging.getLogger(__name__)


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _emit(args: argparse.Namespace, document: dict[str, Any]) -> None:
    if getattr(args, "json", False):
        print(json.dumps(document, ensure_ascii=False, default=str), flush=True)


def make_service(args: argparse.Namespace, settings: Settings) -> SyncService:
    """The sync service of the profile the arguments name, over its opened ``settings``."""
    return open_profile(getattr(args, "profile", None), profile_options(args), settings=settings).service


def _kinds(args: argparse.Namespace) -> list[str] | None:
    kind = getattr(args, "kind", None) or "all"
    if kind == "all":
        return None
    if kind not in KINDS:
        raise UsageError(f"--kind must be one of {', '.join(KINDS)} or all")
    return [kind]


def _error(args: argparse.Namespace, exc: BaseException) -> int:
    if isinstance(exc, (UsageError, ValueError)):
        return _fail(args, None, exc if isinstance(exc, UsageError) else UsageError(str(exc)))
    return _fail(args, None, exc)


# -- human text -----------------------------------------------------------------------------


def describe_plan(plan: Plan) -> str:
    lines = []
    for kind, kplan in plan.kinds.items():
        if kplan.error:
            lines.append(f"{kind}: cannot be read — {kplan.error['title']}. {kplan.error['message']}")
            continue
        c = kplan.counts()
        bits = []
        for side, name in (("outlook", "Outlook"), ("salesforce", "Salesforce")):
            ops = [f"{c[side][op]} to {op}" for op in ("create", "update", "delete") if c[side][op]]
            if ops:
                bits.append(f"in {name} " + ", ".join(ops))
        for key, words in (
            ("matched", "pairs matched"),
            ("conflict", "conflicts"),
            ("prevented", "prevented by your direction settings"),
            ("held", "held for you"),
        ):
            if c.get(key):
                bits.append(f"{c[key]} {words}")
        lines.append(f"{kind}: " + ("; ".join(bits) if bits else "nothing to do"))
        if kplan.stopped:
            lines.append(f"  stopped: {kplan.stopped}")
        lines.extend(f"  note: {note}" for note in kplan.notes)
        for action in kplan.actions[:MAX_LINES]:
            a = action.to_json()
            reason = f" — {a['reason']}" if a.get("reason") else ""
            lines.append(f"  {a['op']:<9} {a['side']:<10} {a.get('label') or ''}{reason}")
        if len(kplan.actions) > MAX_LINES:
            lines.append(f"  … and {len(kplan.actions) - MAX_LINES} more")
    calls = plan.api_calls
    lines.append(f"API calls: Graph {calls.get('graph', 0)}, Salesforce {calls.get('salesforce', 0)}.")
    return "\n".join(lines)


def _ask(args: argparse.Namespace, question: str = "Apply these changes? [y/N] ") -> bool | None:
    """True/False from the person, or None when nobody can be asked."""
    confirm: Callable[[], bool] | None = getattr(args, "confirm", None)
    if confirm is not None:
        return bool(confirm())
    if not sys.stdin.isatty():
        return None
    try:
        answer = input(question)
    except EOFError:
        return None
    return answer.strip().lower() in ("y", "yes")


def _guarded_deletes(plan: Plan) -> dict[str, int]:
    """Per kind, the deletes the mass-delete guard holds (they can be confirmed)."""
    out: dict[str, int] = {}
    for kind, kplan in plan.kinds.items():
        n = sum(1 for a in kplan.actions if a.op == "held" and "confirm" in a.choices)
        if n:
            out[kind] = n
    return out


def _decisions(args: argparse.Namespace, plan: Plan, *, asked: bool) -> Decisions:
    """``--confirm-deletes`` (or, in a terminal, a second yes) lets held mass deletes go ahead."""
    guarded = _guarded_deletes(plan)
    if not guarded:
        return Decisions()
    if getattr(args, "confirm_deletes", False):
        return Decisions(confirm_mass_delete=set(guarded))
    if asked:
        what = ", ".join(f"{n} {kind}" for kind, n in guarded.items())
        if _ask(args, f"The deletes of {what} are held because there are many. Carry them out too? [y/N] "):
            return Decisions(confirm_mass_delete=set(guarded))
    return Decisions()


def _plan_exit(plan: Plan) -> int:
    return EXIT_FAILED if failed(plan) else EXIT_HELD if held(plan) else EXIT_OK


def _report_exit(report: RunReport) -> int:
    return EXIT_FAILED if failed(report) else EXIT_HELD if held(report) else EXIT_OK


# -- commands -------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    """``sync``, ``history``, ``rebuild``, ``undo`` or ``status`` (``args.command``) over the
    profile's settings. A database that cannot be opened fails the command (exit 1); ``status``
    still shows the accounts, then says what is wrong with the database (exit 1 too)."""
    try:
        settings = open_settings(getattr(args, "profile", None), profile_options(args))
    except TandemError as exc:
        if args.command == "status":
            return accounts_status(args, settings=None, database=exc)
        _say(f"tandem: {exc.title}. {exc.message}")
        return EXIT_FAILED
    handler = {"sync": sync, "history": history, "rebuild": rebuild, "undo": undo, "status": status}
    return handler[args.command](args, settings=settings)


def sync(args: argparse.Namespace, *, settings: Settings) -> int:
    """``sync [--kind K|all] [--preview] [--yes] [--json]``."""
    if getattr(args, "preview", False) and getattr(args, "yes", False):
        return _fail(args, None, UsageError("pass --preview or --yes, not both"))
    try:
        service = make_service(args, settings)
        kinds = _kinds(args)
        return asyncio.run(_sync(args, service, kinds))
    except (TandemError, UsageError, ValueError) as exc:
        return _error(args, exc)


async def _sync(args: argparse.Namespace, service: SyncService, kinds: list[str] | None) -> int:
    async with service.session(kinds) as run:
        plan = await run.preview()
        if not getattr(args, "yes", False):
            _say(describe_plan(plan))
            if getattr(args, "preview", False) or plan.is_empty():
                if plan.is_empty() and not failed(plan):
                    _say("Everything is up to date.")
                _emit(args, plan.to_json())
                return _plan_exit(plan)
            decision = _ask(args)
            if decision is None:
                _say("Not a terminal, so nothing was applied (treated as --preview). Pass --yes to apply.")
                _emit(args, plan.to_json())
                return _plan_exit(plan)
            if not decision:
                _say("Nothing was applied.")
                _emit(args, plan.to_json())
                return EXIT_OK
        decisions = _decisions(args, plan, asked=not getattr(args, "yes", False))
        report = await run.apply(plan, decisions, trigger="manual")
    log.info("command-line run %s finished: %s", report.run_id, report.support_line())
    _say(f"Run {report.run_id}: {report.summary()}")
    _emit(args, report.plan_json())
    return _report_exit(report)


def undo(args: argparse.Namespace, *, settings: Settings) -> int:
    """``undo [--preview] [--yes]``: reverse the last applied run."""
    if getattr(args, "preview", False) and getattr(args, "yes", False):
        return _fail(args, None, UsageError("pass --preview or --yes, not both"))
    try:
        service = make_service(args, settings)
        return asyncio.run(_undo(args, service))
    except NothingToUndo as exc:
        _say(f"tandem: {exc.title}.")
        _emit(
            args,
            {"ok": False, "error": {"error": "NothingToUndo", "title": exc.title, "message": exc.message}},
        )
        return EXIT_FAILED
    except (TandemError, UsageError, ValueError) as exc:
        return _error(args, exc)


async def _undo(args: argparse.Namespace, service: SyncService) -> int:
    async with service.session() as run:
        plan = await run.preview_undo()
        if not getattr(args, "yes", False):
            _say(f"Undo of run {plan.undo_of}:\n" + describe_plan(plan))
            decision = None if getattr(args, "preview", False) else _ask(args)
            if not decision:
                if decision is None and not getattr(args, "preview", False):
                    _say("Not a terminal, so nothing was undone (treated as --preview). Pass --yes to undo.")
                _emit(args, dict(plan.to_json(), undo_of=plan.undo_of))
                return _plan_exit(plan) if decision is None else EXIT_OK
        report = await run.apply(plan, trigger="manual")
    log.info("command-line undo run %s finished: %s", report.run_id, report.support_line())
    _say(f"Run {report.run_id} undid run {plan.undo_of}: {report.summary()}")
    _emit(args, dict(report.plan_json(), undo_of=plan.undo_of))
    return _report_exit(report)


def history(args: argparse.Namespace, *, settings: Settings) -> int:
    """``history [--limit N] [--json]``: the recorded runs, newest first."""
    limit = getattr(args, "limit", None) or 20
    if limit < 1:
        return _fail(args, None, UsageError("--limit must be at least 1"))
    try:
        service = make_service(args, settings)
    except (TandemError, UsageError) as exc:
        return _error(args, exc)
    runs = service.history(limit)
    if not runs:
        _say("No runs yet.")
    for r in runs:
        changed = sum(
            c[side][op]
            for c in (r["counts"] or {}).values()
            if c
            for side in ("outlook", "salesforce")
            for op in ("create", "update", "delete")
        )
        extra = f", undone by run {r['undone_by']}" if r["undone_by"] else ""
        _say(
            f"#{r['id']} {r['started_at']} {r['trigger']} {r['mode']} {','.join(r['kinds'])}: "
            f"{r['status']}, {changed} changes{extra}"
        )
    _emit(args, {"runs": runs})
    return EXIT_OK


def rebuild(args: argparse.Namespace, *, settings: Settings) -> int:
    """``rebuild --kind K``: forget links and cursors of one kind; changes no record."""
    kind = getattr(args, "kind", None)
    if kind not in KINDS:
        return _fail(args, None, UsageError(f"rebuild needs --kind {'|'.join(KINDS)}"))
    try:
        service = make_service(args, settings)
        forgotten = asyncio.run(service.rebuild(kind))
    except (TandemError, UsageError, ValueError) as exc:
        return _error(args, exc)
    _say(
        f"Forgot {forgotten} {kind} pairs and where the last sync stopped reading. No record was "
        "changed in Outlook or Salesforce; the next sync matches them again."
    )
    _emit(args, {"ok": True, "kind": kind, "forgotten": forgotten, "records_changed": 0})
    return EXIT_OK


def status(args: argparse.Namespace, *, settings: Settings) -> int:
    """``status [--json]``: accounts, per-kind state, last/next run, API budget."""
    try:
        service = make_service(args, settings)
    except (TandemError, UsageError) as exc:
        return _error(args, exc)
    accounts = accounts_status_json(service.ctx)
    state = service.status()
    say_accounts(accounts)
    for kind, k in state["kinds"].items():
        last = k["last_run"]
        _say(
            f"{kind}: {'on' if k['enabled'] else 'off'}, {k['linked']} pairs, "
            f"{k['open_issues']} open issues, last run "
            + (f"#{last['id']} {last['status']}" if last else "never")
        )
    last = state["last_run"]
    if last:
        calls = last.get("api_calls") or {}
        _say(
            f"Last run: #{last['id']} {last['started_at']} ({last['status']}); API calls Graph "
            f"{calls.get('graph', 0)}, Salesforce {calls.get('salesforce', 0)}."
        )
    _say(f"Next run: {state['next_run'] or 'not scheduled (auto sync off)'}")
    budget = state["api_budget"]["salesforce"]
    if budget:
        _say(
            f"Salesforce API budget: {budget['used']} of {budget['max']} used today "
            f"({budget['left_pct']}% left)."
        )
    _emit(args, dict(state, accounts=accounts))
    return EXIT_OK
