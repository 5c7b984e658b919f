"""Normalisation, comparison and the content hash of records (FIELD_MAPPING.md).

Two steps, kept apart on purpose:

- ``clean_record`` turns what a source read into a well-formed record: every field present,
  strings trimmed (CRLF -> LF, empty -> None), datetimes in UTC to the second, event
  all-day/timed fields consistent. Cleaned values are what gets written to the other side,
  so a phone keeps the formatting its owner typed.
- ``compare_form`` maps a cleaned record to the values that decide whether something
  changed: emails case-folded, phones in E.164 where the phonenumbers library parses them.
  ``content_hash`` hashes the compare form of a chosen set of fields, so a no-op edit or a
  server-side reformat does not count as a change.

``check_for_salesforce`` validates a record before it is sent: Salesforce length limits
(over-limit -> an ``ItemError`` naming the field, or a recorded cut when the user chose
"truncate long values"), required fields, and the 14-day limit of timed events.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, SupportsInt

import phonenumbers

from .errors import ItemError
from .fields import FIELDS, MAX_EVENT_DAYS, SPECS, FieldSpec, Kind
from .records import Record, Value, encode_value

UTC = dt.UTC


def _clean_value(spec: FieldSpec, value: object) -> Value:
    t = spec.type
    if t == "bool":
        return bool(value)
    if value is None:
        return None
    if t in ("text", "email", "phone", "picklist"):
        text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
        return text or None
    if t == "datetime":
        if not isinstance(value, dt.datetime):
            raise TypeError(f"{spec.name} must be a datetime, got {type(value).__name__}")
        if value.tzinfo is None:
            raise ValueError(f"{spec.name} must be timezone-aware")
        return value.astimezone(UTC).replace(microsecond=0)
    if t == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if not isinstance(value, dt.date):
            raise TypeError(f"{spec.name} must be a date, got {type(value).__name__}")
        return value
    if t == "int":
        if not isinstance(value, str | SupportsInt):
            raise TypeError(f"{spec.name} must be a whole number, got {type(value).__name__}")
        return int(value)
    raise AssertionError(t)  # pragma: no cover


def clean_record(kind: Kind, raw: Mapping[str, Any]) -> Record:
    """A complete, well-formed record from a source's mapped values (unknown keys dropped)."""
    record: Record = {f.name: _clean_value(f, raw.get(f.name)) for f in FIELDS[kind]}
    if kind == "events":
        _clean_event(record)
    elif kind == "tasks" and not record["IsReminderSet"]:
        record["ReminderDateTime"] = None
    return record


def _clean_event(r: Record) -> None:
    if r["IsAllDayEvent"]:
        start, end = r["StartDateTime"], r["EndDateTime"]
        if r["ActivityDate"] is None and isinstance(start, dt.datetime):
            r["ActivityDate"] = start.date()
        if r["DurationInMinutes"] is None:
            days = 1
            if isinstance(start, dt.datetime) and isinstance(end, dt.datetime):
                days = max(1, (end.date() - start.date()).days)
            r["DurationInMinutes"] = 1440 * days
        r["StartDateTime"] = r["EndDateTime"] = None
    else:
        r["ActivityDate"] = None
        r["DurationInMinutes"] = None


@lru_cache(maxsize=65536)
def normal_phone(text: str, region: str | None = None) -> str:
    """E.164 when the number parses (with ``region`` for national numbers), else digits
    and a leading + only, so "(555) 010-2030" and "555.010.2030" still compare equal."""
    try:
        number = phonenumbers.parse(text, region)
        if phonenumbers.is_possible_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass
    kept = "".join(c for c in text if c.isdigit() or c == "+")
    return kept or text


def compare_value(spec: FieldSpec, value: Value, region: str | None = None) -> Any:
    if value is None:
        return None
    if spec.type == "email":
        return str(value).casefold()
    if spec.type == "phone":
        return normal_phone(str(value), region)
    return encode_value(value)


def compare_form(kind: Kind, record: Mapping[str, Value], region: str | None = None) -> dict[str, Any]:
    specs = SPECS[kind]
    return {name: compare_value(specs[name], record.get(name), region) for name in specs}


def same_value(kind: Kind, name: str, a: Value, b: Value, region: str | None = None) -> bool:
    if a == b:
        return True
    spec = SPECS[kind][name]
    return compare_value(spec, a, region) == compare_value(spec, b, region)


@lru_cache(maxsize=64)
def _hash_plan(kind: Kind, names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((n, SPECS[kind][n].type) for n in names)


def content_hash(
    kind: Kind, record: Mapping[str, Value], fields: Iterable[str] | None = None, region: str | None = None
) -> str:
    """Hash of the compare form of ``fields`` (default: all mapped fields of the kind).

    The hot path of planning a full read; written out rather than via ``compare_value``."""
    names = tuple(fields) if fields is not None else tuple(SPECS[kind])
    parts = []
    get = record.get
    for name, ftype in _hash_plan(kind, names):
        value = get(name)
        if value is None:
            parts.append("\x00")
        elif ftype == "email":
            parts.append(str(value).casefold())
        elif ftype == "phone":
            parts.append(normal_phone(str(value), region))
        elif ftype == "datetime":
            parts.append(value.astimezone(UTC).isoformat())  # type: ignore[union-attr]
        elif ftype == "date":
            parts.append(value.isoformat())  # type: ignore[union-attr]
        else:
            parts.append(str(value))
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


# -- validation before writing to Salesforce -------------------------------------------


def check_for_salesforce(
    kind: Kind, record: Record, fields: Iterable[str], *, truncate: bool, creating: bool
) -> tuple[Record, list[ItemError], list[str]]:
    """Validate the ``fields`` of ``record`` that are about to be sent to Salesforce.

    Returns the (possibly truncated) record, the errors, and the names of truncated fields.
    ``creating`` also checks required fields that are not among ``fields``.
    """
    specs = SPECS[kind]
    out = dict(record)
    errors: list[ItemError] = []
    cut: list[str] = []
    names = list(fields)
    for name in names:
        spec = specs[name]
        value = out.get(name)
        if spec.max_length and isinstance(value, str) and len(value) > spec.max_length:
            if truncate:
                out[name] = value[: spec.max_length].rstrip() or value[: spec.max_length]
                cut.append(name)
            else:
                errors.append(
                    ItemError(
                        "too_long",
                        f"{spec.label or name} is {len(value)} characters long; Salesforce allows "
                        f'{spec.max_length}. Shorten it, or turn on "truncate long values".',
                        name,
                    )
                )
    required = [f for f in FIELDS[kind] if f.required and (creating or f.name in names)]
    for spec in required:
        if out.get(spec.name) in (None, ""):
            errors.append(
                ItemError(
                    "required",
                    f"{spec.label or spec.name} is empty, and Salesforce requires it. "
                    "Fill it in, then sync again.",
                    spec.name,
                )
            )
    if kind == "events" and not out.get("IsAllDayEvent"):
        start, end = out.get("StartDateTime"), out.get("EndDateTime")
        if isinstance(start, dt.datetime) and isinstance(end, dt.datetime):
            if end - start > dt.timedelta(days=MAX_EVENT_DAYS):
                errors.append(
                    ItemError(
                        "too_long_event",
                        f"This event lasts more than {MAX_EVENT_DAYS} days; "
                        "Salesforce does not allow that. Shorten it or split it.",
                        "EndDateTime",
                    )
                )
            elif end < start:
                errors.append(ItemError("invalid", "This event ends before it starts.", "EndDateTime"))
    return out, errors, cut
