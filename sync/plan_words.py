"""The planner's words for people: sides, kinds, pairing rules and conflicting values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .fields import FIELDS, Kind
from .records import Value

SIDE_NAME = {"outlook": "Outlook", "salesforce": "Salesforce"}
KIND_NAME = {"contacts": "contacts", "events": "events", "tasks": "tasks"}


def rule_words(rule: str) -> str:
    return {
        "email": "email address",
        "name_company": "first name, last name and company",
        "name": "first and last name",
        "subject_start_end": "subject, start and end",
        "subject_due": "subject and due date",
    }.get(rule, rule)


CONFLICT_VALUE_CHARS = 40


def _value_words(value: Value) -> str:
    """A field value as a person reads it in one line: shortened, "empty" for nothing."""
    if value is None or value == "":
        return "empty"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = " ".join(str(value).split())
    if len(text) > CONFLICT_VALUE_CHARS:
        text = text[: CONFLICT_VALUE_CHARS - 1].rstrip() + "\u2026"
    return f"\u201c{text}\u201d"


def conflict_reason(kind: Kind, conflicts: dict[str, tuple[Value, Value]], paired: bool = False) -> str:
    """The reason of a conflict in plain words: each field by its label (in the order of
    FIELD_MAPPING), with the Outlook and the Salesforce value, then what the person can do.
    ``paired``: two records just paired (first sync), not a change on both sides."""
    order = {f.name: n for n, f in enumerate(FIELDS[kind])}
    labels = {f.name: f.label for f in FIELDS[kind]}
    parts = []
    for name in sorted(conflicts, key=lambda n: (order.get(n, len(order)), n)):
        outlook, salesforce = conflicts[name]
        field_label = labels.get(name) or name
        parts.append(
            f"{field_label}: {_value_words(outlook)} in Outlook, {_value_words(salesforce)} in Salesforce"
        )
    head = (
        "Found in both Outlook and Salesforce, with different values. "
        if paired
        else "Changed differently in Outlook and in Salesforce since the last sync. "
    )
    return (
        head + "; ".join(parts) + ". Choose which to keep: the Outlook version, the Salesforce "
        "version, or both (a second copy on purpose)."
    )


# What each mapped field holds, in the plural, for the note on a field a side lacks.
_FIELD_PLURAL = {"MiddleName": "middle names", "Suffix": "suffixes", "Title": "job titles"}


def missing_fields_note(kind: Kind, side: str, fields: Iterable[str]) -> str:
    """The preview's note on mapped fields ``side`` does not have, e.g. "This Salesforce org
    has no Middle name field: Outlook's middle names are not sent."."""
    order = {f.name: n for n, f in enumerate(FIELDS[kind])}
    labels = {f.name: f.label for f in FIELDS[kind]}
    names = sorted(fields, key=lambda n: (order.get(n, len(order)), n))
    shown = [labels.get(n) or n for n in names]
    plural = [_FIELD_PLURAL.get(n) or f"{(labels.get(n) or n).lower()} values" for n in names]
    where = "This Salesforce org has" if side == "salesforce" else "This Outlook account has"
    other = "Outlook" if side == "salesforce" else "Salesforce"
    return f"{where} no {_joined(shown, 'or')} field: {other}'s {_joined(plural, 'and')} are not sent."


def _joined(parts: list[str], word: str) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" {word} " + parts[-1]
