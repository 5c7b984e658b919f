"""Which desktop notification (toast) a run gets, and whether the summary window opens.

Pure functions over a finished run (:class:`RunOutcome`, built from a ``sync.report.RunReport``
or its stored JSON) and the ``notify.*`` / ``summary.*`` settings (:class:`NotifyPrefs`). The
tray (ui/) shows the toast; clicking it opens ``toast.target`` (a run or an issue).

Severity of a finished run:
- **error**: the run failed (a fatal error), a kind stopped (its error, or the empty-side
  guard), or items could not be synced;
- **warning**: items were prevented by the direction settings, held (mass-delete guard) or
  left as conflicts;
- **info**: everything else (success).
A toast is shown when the matching ``notify.on_errors`` / ``on_warnings`` / ``on_success`` is on.

Choices where the spec is silent:
- When the summary window opens for a run, no toast is shown for it: the window says the same,
  and the person is looking at Tandem already.
- "Only when something changed" counts a created, updated or deleted item *or* anything that
  needs attention (errors, stopped kinds, held items, conflicts) as a change, so a failing run
  is never hidden; prevented items alone and pairs matched on a first sync do not count.
- The toast opens the run, except when exactly one thing needs attention and its issue id is
  known: then it opens that issue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from app.settings import SettingValues
    from sync.report import RunReport

Severity = Literal["info", "warning", "error"]
SIDES = (("outlook", "Outlook"), ("salesforce", "Salesforce"))
OPS = (("create", "created"), ("update", "updated"), ("delete", "deleted"))
KIND_NAMES = {"contacts": "contacts", "events": "events", "tasks": "tasks"}


@dataclass(frozen=True)
class NotifyPrefs:
    on_start: bool = False
    on_success: bool = False
    on_warnings: bool = True
    on_errors: bool = True
    summary_after_manual: bool = True
    summary_after_auto: bool = False
    summary_only_when_changed: bool = False

    @classmethod
    def from_settings(cls, settings: SettingValues) -> NotifyPrefs:
        g = settings.get
        return cls(
            on_start=g("notify.on_start"),
            on_success=g("notify.on_success"),
            on_warnings=g("notify.on_warnings"),
            on_errors=g("notify.on_errors"),
            summary_after_manual=g("summary.after_manual"),
            summary_after_auto=g("summary.after_auto"),
            summary_only_when_changed=g("summary.only_when_changed"),
        )


@dataclass(frozen=True)
class Target:
    kind: Literal["run", "issue", "dashboard"]
    id: int | None = None


@dataclass(frozen=True)
class Toast:
    title: str
    body: str
    severity: Severity
    target: Target


@dataclass(frozen=True)
class KindOutcome:
    counts: Mapping[str, Any]
    error: str | None = None  # why the kind stopped (error title/message, or guard message)

    def n(self, key: str) -> int:
        return int(self.counts.get(key, 0) or 0)

    def changed(self, side: str, op: str) -> int:
        return int((self.counts.get(side) or {}).get(op, 0) or 0)


@dataclass(frozen=True)
class RunOutcome:
    """What a finished run did, as the notification policy needs it."""

    trigger: str  # "manual" | "auto" (anything else: manual)
    run_id: int | None = None
    kinds: Mapping[str, KindOutcome] = field(default_factory=dict)
    fatal: tuple[str, str] | None = None  # (title, message) of an error that stopped the run
    issue_ids: tuple[int, ...] = ()  # open issues raised by this run, if known

    @classmethod
    def from_report(
        cls, report: RunReport | Mapping[str, Any], *, issue_ids: tuple[int, ...] = ()
    ) -> RunOutcome:
        """From a ``RunReport`` or its ``to_json()`` (the run row's ``report``)."""
        data = dict(report) if isinstance(report, Mapping) else report.to_json()
        kinds = {}
        for kind, k in (data.get("kinds") or {}).items():
            err = k.get("error")
            why = f"{err.get('title', '')}. {err.get('message', '')}".strip(". ") if err else k.get("stopped")
            kinds[kind] = KindOutcome(counts=k.get("counts") or {}, error=why or None)
        return cls(
            trigger=data.get("trigger") or "manual",
            run_id=data.get("run_id"),
            kinds=kinds,
            issue_ids=tuple(issue_ids),
        )

    @classmethod
    def failed(cls, trigger: str, title: str, message: str, run_id: int | None = None) -> RunOutcome:
        """A run that stopped with a fatal error (sign-in expired, API limit reached...)."""
        return cls(trigger=trigger, run_id=run_id, fatal=(title, message))

    def total(self, key: str) -> int:
        return sum(k.n(key) for k in self.kinds.values())

    def changed(self) -> int:
        return sum(k.changed(side, op) for k in self.kinds.values() for side, _ in SIDES for op, _ in OPS)

    def stopped_kinds(self) -> list[str]:
        return [name for name, k in self.kinds.items() if k.error]

    def attention(self) -> int:
        """Items or kinds that need the person: errors, stopped kinds, held, conflicts."""
        return (
            self.total("errors")
            + len(self.stopped_kinds())
            + self.total("held")
            + self.total("conflict")
            + (1 if self.fatal else 0)
        )

    def severity(self) -> Severity:
        if self.fatal or self.stopped_kinds() or self.total("errors"):
            return "error"
        if self.total("prevented") or self.total("held") or self.total("conflict"):
            return "warning"
        return "info"


# -- decisions ------------------------------------------------------------------------------


def show_summary(outcome: RunOutcome, prefs: NotifyPrefs) -> bool:
    """Open the summary window after this run?"""
    wanted = prefs.summary_after_auto if outcome.trigger == "auto" else prefs.summary_after_manual
    if not wanted:
        return False
    if prefs.summary_only_when_changed:
        return outcome.changed() > 0 or outcome.attention() > 0
    return True


def start_toast(
    trigger: str, kinds: list[str] | tuple[str, ...], prefs: NotifyPrefs, run_id: int | None = None
) -> Toast | None:
    """The toast when a sync starts (only with ``notify.on_start``)."""
    if not prefs.on_start:
        return None
    title = "Auto sync started" if trigger == "auto" else "Sync started"
    return Toast(
        title,
        f"Syncing {_join([KIND_NAMES.get(k, k) for k in kinds]) or 'nothing'}.",
        "info",
        Target("run", run_id) if run_id is not None else Target("dashboard"),
    )


def finish_toast(outcome: RunOutcome, prefs: NotifyPrefs) -> Toast | None:
    """The toast when a sync has finished, or None."""
    severity = outcome.severity()
    wanted = {"error": prefs.on_errors, "warning": prefs.on_warnings, "info": prefs.on_success}[severity]
    if not wanted or show_summary(outcome, prefs):
        return None
    target = _target(outcome)
    if outcome.fatal:
        return Toast(outcome.fatal[0], outcome.fatal[1], "error", target)
    body = _changes_sentence(outcome)
    if severity == "info":
        return Toast("Sync finished", body, "info", target)
    attention = _attention_sentence(outcome)
    if severity == "error":
        title = (
            "Sync finished with problems"
            if outcome.kinds and len(outcome.stopped_kinds()) < len(outcome.kinds)
            else "Sync failed"
        )
        return Toast(title, f"{attention} {body}".strip(), "error", target)
    return Toast("Sync finished: please review", f"{attention} {body}".strip(), "warning", target)


def _target(outcome: RunOutcome) -> Target:
    if outcome.attention() == 1 and len(outcome.issue_ids) == 1 and not outcome.fatal:
        return Target("issue", outcome.issue_ids[0])
    if outcome.run_id is not None:
        return Target("run", outcome.run_id)
    return Target("dashboard")


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _changes_sentence(outcome: RunOutcome) -> str:
    """ "2 created and 1 updated in Outlook; 1 updated in Salesforce." or "Everything was up to date."""
    per_side = []
    for side, name in SIDES:
        bits = []
        for op, done in OPS:
            n = sum(k.changed(side, op) for k in outcome.kinds.values())
            if n:
                bits.append(f"{n} {done}")
        if bits:
            per_side.append(f"{_join(bits)} in {name}")
    if per_side:
        return "; ".join(per_side) + "."
    if outcome.attention() or outcome.total("prevented"):
        return "Nothing else changed."
    return "Everything was already up to date."


def _attention_sentence(outcome: RunOutcome) -> str:
    parts = []
    for kind in outcome.stopped_kinds():
        why = (outcome.kinds[kind].error or "").rstrip(". ")
        parts.append(f"{KIND_NAMES.get(kind, kind).capitalize()} stopped: {why}.")
    items = []
    if outcome.total("errors"):
        items.append(_plural(outcome.total("errors"), "item") + " could not be synced")
    if outcome.total("held"):
        items.append(_plural(outcome.total("held"), "change") + " held for you to confirm")
    if outcome.total("conflict"):
        items.append(_plural(outcome.total("conflict"), "conflict") + " to decide")
    if outcome.total("prevented"):
        items.append(_plural(outcome.total("prevented"), "change") + " prevented by your direction settings")
    if items:
        parts.append(_join(items).capitalize() + ".")
    return " ".join(parts)


__all__ = [
    "NotifyPrefs",
    "RunOutcome",
    "KindOutcome",
    "Toast",
    "Target",
    "finish_toast",
    "start_toast",
    "show_summary",
]
