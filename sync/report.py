"""The run report: what one run did, per kind, side and operation, in numbers and words.

Stored as the ``report`` of the run row (history, dashboard), returned to app/, and turned
into the CLI's JSON (the plan shape with ``mode: "apply"`` and the counts of what happened).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .plan import Plan


@dataclass
class KindReport:
    counts: dict[str, Any]
    excluded: int = 0
    unlinked: int = 0
    truncated: list[tuple[str, list[str]]] = field(default_factory=list)
    error: dict[str, str] | None = None  # the error that stopped this kind: {"title", "message"}
    stopped: str | None = None  # the empty-side guard's message

    def to_json(self) -> dict[str, Any]:
        return {
            "counts": self.counts,
            "excluded": self.excluded,
            "unlinked": self.unlinked,
            "truncated": [{"label": label, "fields": fields} for label, fields in self.truncated],
            "error": self.error,
            "stopped": self.stopped,
        }


@dataclass
class RunReport:
    run_id: int | None
    trigger: str
    mode: str  # "apply" | "undo"
    kinds: dict[str, KindReport]
    api_calls: dict[str, int]
    duration_s: float
    plan: Plan | None = None

    def total(self, key: str) -> int:
        return sum(int(k.counts.get(key, 0)) for k in self.kinds.values())

    def changed(self) -> int:
        return sum(
            k.counts[side][op]
            for k in self.kinds.values()
            for side in ("outlook", "salesforce")
            for op in ("create", "update", "delete")
        )

    @property
    def ok(self) -> bool:
        return not any(k.error for k in self.kinds.values()) and self.total("errors") == 0

    def needs_attention(self) -> bool:
        return (
            not self.ok
            or self.total("held") > 0
            or self.total("conflict") > 0
            or any(k.stopped for k in self.kinds.values())
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "trigger": self.trigger,
            "mode": self.mode,
            "kinds": {k: r.to_json() for k, r in self.kinds.items()},
            "api_calls": dict(self.api_calls),
            "duration_s": round(self.duration_s, 3),
        }

    def plan_json(self) -> dict[str, Any]:
        """The CLI shape of an applied run: the plan, with counts of what happened."""
        if self.plan is None:
            return {
                "run_id": self.run_id,
                "mode": "apply",
                "kinds": {},
                "api_calls": dict(self.api_calls),
                "duration_s": round(self.duration_s, 3),
            }
        for kind, kreport in self.kinds.items():
            if kind in self.plan.kinds:
                self.plan.kinds[kind].applied = kreport.counts
        self.plan.mode = "apply"
        self.plan.run_id = self.run_id
        self.plan.api_calls = dict(self.api_calls)
        self.plan.duration_s = self.duration_s
        return self.plan.to_json()

    def support_line(self) -> str:
        """Counts only (no names, no values): the run's line in the support log."""
        bits = []
        for kind, entry in (self.to_json().get("kinds") or {}).items():
            counts = (entry or {}).get("counts") or {}
            sides = ", ".join(
                f"{side} "
                + "/".join(str((counts.get(side) or {}).get(op, 0)) for op in ("create", "update", "delete"))
                for side in ("outlook", "salesforce")
            )
            extra = ", ".join(
                f"{key} {counts[key]}"
                for key in ("held", "conflict", "prevented", "errors")
                if counts.get(key)
            )
            bits.append(f"{kind}: {sides} (c/u/d)" + (f", {extra}" if extra else ""))
        return "; ".join(bits) or "nothing"

    def summary(self) -> str:
        """One paragraph for people (summary window, toast, CLI stderr)."""
        parts = []
        for kind, r in self.kinds.items():
            if r.error:
                parts.append(f"{kind}: stopped - {r.error['title']}. {r.error['message']}")
                continue
            if r.stopped:
                parts.append(f"{kind}: stopped - {r.stopped}")
                continue
            bits = []
            for side, name in (("outlook", "Outlook"), ("salesforce", "Salesforce")):
                c = r.counts[side]
                done = [
                    f"{n} {op}d"
                    for op, n in (("create", c["create"]), ("update", c["update"]), ("delete", c["delete"]))
                    if n
                ]
                if done:
                    bits.append(f"in {name} " + ", ".join(done))
            for key, words in (
                ("matched", "paired"),
                ("prevented", "prevented by your direction settings"),
                ("conflict", "conflicts to decide"),
                ("held", "held for you"),
                ("errors", "could not be synced (see Issues)"),
            ):
                if r.counts.get(key):
                    bits.append(f"{r.counts[key]} {words}")
            parts.append(f"{kind}: " + ("; ".join(bits) if bits else "up to date"))
        return ". ".join(parts) + "."
