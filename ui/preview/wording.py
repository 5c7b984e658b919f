"""What the preview says: the words of a plan's actions, values and totals (no widgets).

what_happens(action)        # "Update in Salesforce", "Held: delete in Outlook", ...
details_text(action)        # the short line of the Details column
totals_text(model.totals()) # "Salesforce: 3 to create  ·  1 conflict (1 to decide)"
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sync.fields import SPECS
from sync.plan import Action

SIDE_NAME = {"outlook": "Outlook", "salesforce": "Salesforce"}
KIND_TITLE = {"contacts": "Contacts", "events": "Events", "tasks": "Tasks"}
KIND_NOUN = {"contacts": ("contact", "contacts"), "events": ("event", "events"), "tasks": ("task", "tasks")}
OPS = ("create", "update", "delete")
SIDES = ("salesforce", "outlook")

CHOICE_TEXT = {
    "keep_outlook": "Keep Outlook's version",
    "keep_salesforce": "Keep Salesforce's version",
    "keep_both": "Keep both (a second copy on purpose)",
}


def is_mass_delete(action: Action) -> bool:
    return action.op == "held" and "confirm" in action.choices


def field_label(kind: str, name: str) -> str:
    spec = SPECS.get(kind, {}).get(name)  # type: ignore[call-overload]  # SPECS is keyed by Kind; any str looks up safely
    return spec.label if spec is not None and spec.label else name


def format_value(value: Any) -> str:
    """A field value as a person reads it ("" for empty)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def one_line(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def breakable(text: str) -> str:
    """Let a label wrap inside long words such as email addresses (zero-width spaces)."""
    return "".join(ch + "\u200b" if ch in "@.-_/" else ch for ch in text)


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def matched_text(kind: str, matched_by: dict[str, int]) -> str:
    """A first sync's pairing, e.g. 'Matched 11 pairs: 9 by email and 2 by name and company.'"""
    if not matched_by:
        return ""
    words = {
        "email": "email",
        "name_company": "name and company",
        "name": "name",
        "subject_start_end": "subject and time",
        "subject_due": "subject and due date",
    }
    parts = [f"{n} by {words.get(rule, rule)}" for rule, n in matched_by.items() if n]
    total = sum(matched_by.values())
    if not parts:
        return ""
    first = f"Matched {plural(total, 'pair')}"
    if len(parts) == 1:
        return f"{first} by {words.get(next(r for r, n in matched_by.items() if n), '')}."
    return f"{first}: " + ", ".join(parts[:-1]) + " and " + parts[-1] + "."


def what_happens(
    a: Action, *, excluded: bool = False, choice: str | None = None, confirmed: bool = False
) -> str:
    side = SIDE_NAME.get(a.side, "")
    if excluded:
        return "Left out: nothing happens"
    if a.op == "create":
        if choice and choice in a.choices:
            other = "Salesforce" if a.side == "outlook" else "Outlook"
            return f"Keep the deletion: delete in {other}"
        return f"Create in {side}"
    if a.op == "update":
        return f"Update in {side}"
    if a.op == "delete":
        return f"Delete in {side}"
    if a.op == "conflict":
        if choice:
            return CHOICE_TEXT.get(choice, choice)
        return "Conflict: choose a version"
    if a.op == "held":
        if is_mass_delete(a):
            return f"Delete in {side} (confirmed)" if confirmed else f"Held: delete in {side}"
        if a.outcome == "empty_side_guard":
            return "Stopped: nothing changed"
        if a.outcome == "hold_ambiguous":
            return "Held: matches several records"
        return "Held: cannot be sent"
    if a.op == "prevented":
        return f"Not sent to {side} (switched off)" if side else "Not sent (switched off)"
    if a.op == "match":
        return "Paired: already on both sides"
    return a.op


def details_text(a: Action) -> str:
    """The short line of the Details column (the pane shows everything)."""
    if a.op == "update" and a.changes:
        parts = []
        for name, (old, new) in list(a.changes.items())[:2]:
            parts.append(
                f"{field_label(a.kind, name)}: {one_line(format_value(old) or '(empty)', 24)}"
                f" \u2192 {one_line(format_value(new) or '(empty)', 24)}"
            )
        more = len(a.changes) - 2
        text = "; ".join(parts) + (f"; and {more} more" if more > 0 else "")
        return text if not a.reason else f"{text}. {a.reason}"
    if a.op == "conflict" and a.changes:
        names = ", ".join(field_label(a.kind, n) for n in a.changes)
        return f"Changed on both sides: {names}"
    if a.reason:
        return one_line(a.reason, 200)
    if a.op == "create":
        source = "Salesforce" if a.side == "outlook" else "Outlook"
        return f"New in {source}, copied over"
    if a.op == "delete":
        source = "Salesforce" if a.side == "outlook" else "Outlook"
        return f"Deleted in {source}"
    return ""


def totals_text(t: dict[str, Any]) -> str:
    parts = []
    for side in SIDES:
        c = t[side]
        if any(c.values()):
            items = [f"{c[op]} to {op}" for op in OPS if c[op]]
            parts.append(f"{SIDE_NAME[side]}: " + ", ".join(items))
    if not parts:
        parts.append("Nothing to create, update or delete")
    if t["conflict"]:
        parts.append(
            plural(t["conflict"], "conflict") + (f" ({t['undecided']} to decide)" if t["undecided"] else "")
        )
    if t["held"]:
        parts.append(f"{t['held']} held")
    if t["prevented"]:
        parts.append(f"{t['prevented']} prevented")
    if t["excluded"]:
        parts.append(f"{t['excluded']} left out")
    return "  \u00b7  ".join(parts)
