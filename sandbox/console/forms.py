"""Form building blocks: a field's spec, and reading what a person typed into a form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


class FormProblem(ValueError):
    """A mistake in a submitted form, in words for the person who made it."""


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str = "text"  # text textarea select date datetime checkbox email
    options: tuple[tuple[str, str], ...] = ()
    required: bool = False
    hint: str = ""
    wide: bool = False


def form_text(form: dict, name: str) -> str | None:
    value = (form.get(name) or "").replace("\r\n", "\n").strip()
    return value or None


def form_date(form: dict, name: str, label: str) -> date | None:
    value = form_text(form, name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise FormProblem(f"{label}: “{value}” is not a date (use YYYY-MM-DD).") from None


def form_moment(form: dict, name: str, label: str, zone: ZoneInfo) -> datetime | None:
    value = form_text(form, name)
    if value is None:
        return None
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        raise FormProblem(f"{label}: “{value}” is not a date and time (use YYYY-MM-DD HH:MM).") from None
    if naive.tzinfo is None:
        naive = naive.replace(tzinfo=zone)
    return naive.astimezone(UTC)


def form_check(form: dict, name: str) -> bool:
    return (form.get(name) or "") in ("on", "true", "1", "yes")
