"""Validation of sObject create and update bodies, with Salesforce's error codes and messages.

``validate_record(ctx, sobject, body, existing)`` checks one record the way the platform does,
in its order: JSON shape and value types (JSON_PARSER_ERROR), unknown fields (INVALID_FIELD),
read-only fields (INVALID_FIELD_FOR_INSERT_UPDATE), required fields (REQUIRED_FIELD_MISSING),
field values (STRING_TOO_LONG, INVALID_EMAIL_ADDRESS, INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST,
all of a record's value errors together), references (MALFORMED_ID, FIELD_INTEGRITY_EXCEPTION,
INVALID_CROSS_REFERENCE_KEY, ENTITY_IS_DELETED) and object rules (Event timing). It returns
the changes to store, with canonical field names and Salesforce's formats: datetimes as
``2026-09-01T12:00:00.000+0000``, ``""`` as null (Salesforce stores empty text as null),
15-char ids as 18-char.

Messages marked [exp] in API_CONTRACTS.md are plausible rather than confirmed:
- an Event longer than 14 days: FIELD_INTEGRITY_EXCEPTION "Duration must be between 0 and
  20160 minutes: Duration" (the shape of the confirmed 1440-minute message orgs without
  multiday events give);
- an Event ending before it starts: FIELD_INTEGRITY_EXCEPTION "End Date Time cannot be earlier
  than Start Date Time: End Date Time";
- a timed Event without start: REQUIRED_FIELD_MISSING [StartDateTime]; without end or
  duration: REQUIRED_FIELD_MISSING [DurationInMinutes].
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sandbox import ids
from sandbox.clock import parse_instant, sf_datetime
from sandbox.errors import SalesforceError
from sandbox.salesforce import schema as sf_schema
from sandbox.salesforce.org_view import field_present
from sandbox.salesforce.records import Ctx, SfErrors, bad_request, can_see, lookup, to_18
from sandbox.salesforce.schema import Field

MAX_EVENT_MINUTES = 14 * 24 * 60
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
_TEXT = {"string", "textarea", "email", "phone", "picklist", "combobox", "url"}
_JSON_TYPE_NAMES = {
    "date": "date",
    "datetime": "datetime",
    "int": "int",
    "double": "double",
    "boolean": "boolean",
}


def _token_of(value: Any) -> str:
    """Jackson's name for the JSON token of ``value`` (as in Salesforce's parser errors)."""
    if value is None:
        return "VALUE_NULL"
    if isinstance(value, bool):
        return "VALUE_TRUE" if value else "VALUE_FALSE"
    if isinstance(value, int):
        return "VALUE_NUMBER_INT"
    if isinstance(value, float):
        return "VALUE_NUMBER_FLOAT"
    if isinstance(value, dict):
        return "START_OBJECT"
    if isinstance(value, list):
        return "START_ARRAY"
    return "VALUE_STRING"


def _parser_error(f: Field, value: Any) -> SalesforceError:
    braces: dict[type, str] = {dict: "{", list: "["}
    shown = braces.get(type(value), str(value).lower() if isinstance(value, bool) else value)
    type_name = _JSON_TYPE_NAMES.get(f.type, "string" if f.type in _TEXT else "id")
    return bad_request(
        "JSON_PARSER_ERROR",
        f"Cannot deserialize instance of {type_name} from "
        f"{_token_of(value)} value {shown} or request may be missing a required field",
    )


def coerce(f: Field, value: Any) -> Any:
    """A JSON value as the field stores it, or JSON_PARSER_ERROR as Salesforce's parser says."""
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        raise _parser_error(f, value)
    t = f.type
    if t in _TEXT or t in ("id", "reference"):
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (int, float)):
            value = repr(value) if isinstance(value, float) else str(value)
        return value if value != "" else None
    if t == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise _parser_error(f, value)
    if t == "int":
        if isinstance(value, bool):
            raise _parser_error(f, value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
            return int(value)
        raise _parser_error(f, value)
    if t == "double":
        if isinstance(value, bool):
            raise _parser_error(f, value)
        if isinstance(value, (int, float)):
            return float(value)
        try:
            return float(value)
        except ValueError:
            raise _parser_error(f, value) from None
    if t == "date":
        if isinstance(value, str):
            if value == "":
                return None
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                try:
                    return date.fromisoformat(value).isoformat()
                except ValueError:
                    pass
        raise _parser_error(f, value)
    if t == "datetime":
        if isinstance(value, str):
            if value == "":
                return None
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ].*)?", value):
                try:
                    return sf_datetime(parse_instant(value))
                except ValueError:
                    pass
        raise _parser_error(f, value)
    return value


def validate_record(ctx: Ctx, sobject: str, body: Any, existing: dict | None) -> dict:
    """Check one create (``existing`` None) or update body; return the changes to store."""
    creating = existing is None
    if not isinstance(body, dict):
        raise bad_request(
            "JSON_PARSER_ERROR",
            f"Cannot deserialize instance of {sobject} from "
            f"{_token_of(body)} value {'[' if isinstance(body, list) else body} or "
            "request may be missing a required field",
        )
    fields = sf_schema.FIELDS[sobject]
    changes: dict[str, Any] = {}
    for key, value in body.items():
        if key == "attributes":
            continue
        name = sf_schema.canonical_field(sobject, key)
        if name is None or not field_present(ctx.state, sobject, name):  # switched off or hidden
            raise bad_request("INVALID_FIELD", f"No such column '{key}' on sobject of type {sobject}")
        if name == "Id":
            if creating:
                raise bad_request(
                    "INVALID_FIELD_FOR_INSERT_UPDATE", "cannot specify Id in an insert call", ["Id"]
                )
            raise bad_request("INVALID_FIELD", "The Id field should not be specified in the sobject data.")
        changes[name] = coerce(fields[name], value)

    read_only = [n for n in changes if not (fields[n].createable if creating else fields[n].updateable)]
    if read_only:
        raise bad_request(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            f"Unable to create/update fields: {', '.join(read_only)}. Please check the "
            "security settings of this field and verify that it is read/write for your "
            "profile or permission set.",
            read_only,
        )

    for name in list(changes):
        f = fields[name]
        if changes[name] is None and not f.nillable:
            if f.type == "boolean":
                changes[name] = False
            elif creating and f.defaulted_on_create:
                del changes[name]  # null on insert means "use the default"
    missing = [
        f.name
        for f in sf_schema.OBJECTS[sobject]
        if (f.required and creating and changes.get(f.name) is None)
        or (not f.nillable and f.name in changes and changes[f.name] is None)
    ]
    if missing:
        raise bad_request(
            "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]", missing
        )

    problems: list[tuple[str, str, list[str] | None]] = []
    for name, value in changes.items():
        problem = _value_problem(sobject, fields[name], value)
        if problem:
            problems.append(problem)
    if problems:
        raise SfErrors(problems)

    for name, value in list(changes.items()):
        f = fields[name]
        if f.type == "reference" and value is not None:
            changes[name] = _reference(ctx, sobject, f, value)

    if sobject == "Event":
        _child_event_rule(changes, existing)
        _event_rules(changes, existing)
        _event_org_rules(ctx, changes, existing)
    elif sobject == "CampaignMember" and creating:
        _campaign_member_rules(ctx, changes)
    return changes


def _value_problem(sobject: str, f: Field, value: Any) -> tuple[str, str, list[str]] | None:
    if value is None or f.type not in _TEXT:
        return None
    label = sf_schema.label_of(sobject, f)
    if f.length and len(value) > f.length:
        return (
            "STRING_TOO_LONG",
            f"{label}: data value too large: {value} (max length={f.length})",
            [f.name],
        )
    if f.type == "email" and not _EMAIL.match(value):
        return ("INVALID_EMAIL_ADDRESS", f"{label}: invalid email address: {value}", [f.name])
    if f.type == "picklist" and f.restricted and f.picklist and value not in f.picklist:
        return (
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            f"{label}: bad value for restricted picklist field: {value}",
            [f.name],
        )
    return None


def _reference(ctx: Ctx, sobject: str, f: Field, value: str) -> str:
    label = sf_schema.label_of(sobject, f)
    if not isinstance(value, str) or not ids.sf_id_valid(value):
        raise bad_request("MALFORMED_ID", f"{label}: id value of incorrect type: {value}", [f.name])
    target = sf_schema.object_for_id(value)
    if f.reference_to and target not in f.reference_to:
        raise bad_request(
            "FIELD_INTEGRITY_EXCEPTION", f"{label}: id value of incorrect type: {value}", [f.name]
        )
    value = to_18(value)
    if target is None or target not in sf_schema.OBJECTS:
        return value
    rec, deleted = lookup(ctx.state, target, value)
    if rec is None:
        raise bad_request("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [])
    if deleted:
        raise bad_request("ENTITY_IS_DELETED", "entity is deleted", [])
    if not can_see(ctx.state, ctx.user, target, rec):
        raise bad_request(
            "INVALID_CROSS_REFERENCE_KEY", "insufficient access rights on cross-reference id", []
        )
    if target == "User" and not rec.get("IsActive", True):
        raise bad_request(
            "INACTIVE_OWNER_OR_USER",
            f"operation performed with inactive user [{value}] as owner of [{sobject}]",
            [],
        )
    return value


# ------------------------------------------------------------------------------ object rules
def _instant(value: str | None) -> datetime | None:
    return parse_instant(value) if value else None


def _event_rules(changes: dict, existing: dict | None) -> None:
    """Event timing: start and end or duration, at most 14 days, end not before start.

    Normalises ``changes`` so ``derived.derive`` computes the rest: a timed event gets its
    ``EndDateTime`` (moving the start keeps the duration, as Salesforce does); an all-day event
    gets ``DurationInMinutes`` in whole days.
    """
    old = existing or {}
    merged = {**old, **changes}

    def integrity(message: str, field: str) -> SalesforceError:
        return bad_request("FIELD_INTEGRITY_EXCEPTION", message, [field])

    if "ActivityDateTime" in changes and "StartDateTime" not in changes:
        changes["StartDateTime"] = changes["ActivityDateTime"]
    changes.pop("ActivityDateTime", None)
    start_text = changes.get("StartDateTime", old.get("StartDateTime"))

    if merged.get("IsAllDayEvent"):
        if not (merged.get("ActivityDate") or start_text):
            raise bad_request(
                "REQUIRED_FIELD_MISSING", "Required fields are missing: [ActivityDate]", ["ActivityDate"]
            )
        minutes = changes.get("DurationInMinutes")
        start, end = _instant(start_text), _instant(changes.get("EndDateTime"))
        if minutes is None and end is not None and start is not None:
            days = (end.date() - start.date()).days
            if not (end.time() == datetime.min.time() and days > 0):
                days += 1
            minutes = max(days, 1) * 1440
        if minutes is None and existing is not None and not existing.get("IsAllDayEvent"):
            minutes = 1440  # a timed event made all-day lasts one day
        if minutes is not None:
            if not 0 <= minutes <= MAX_EVENT_MINUTES:
                raise integrity(
                    f"Duration must be between 0 and {MAX_EVENT_MINUTES} minutes: Duration",
                    "DurationInMinutes",
                )
            changes["DurationInMinutes"] = minutes
        if "ActivityDate" not in changes and "StartDateTime" in changes and start is not None:
            changes["ActivityDate"] = start.date().isoformat()
        changes.pop("EndDateTime", None)
        return

    start = _instant(start_text)
    if start is None:
        raise bad_request(
            "REQUIRED_FIELD_MISSING", "Required fields are missing: [StartDateTime]", ["StartDateTime"]
        )
    end = _instant(changes.get("EndDateTime"))
    minutes = changes.get("DurationInMinutes")
    if end is not None and minutes is not None and end != start + timedelta(minutes=minutes):
        raise integrity(
            "End Date Time does not match Start Date Time plus Duration: Duration", "DurationInMinutes"
        )
    if end is None and minutes is None:
        old_start, old_end = _instant(old.get("StartDateTime")), _instant(old.get("EndDateTime"))
        if existing is None or old_start is None or old_end is None:
            raise bad_request(
                "REQUIRED_FIELD_MISSING",
                "Required fields are missing: [DurationInMinutes]",
                ["DurationInMinutes"],
            )
        if existing.get("IsAllDayEvent") and "IsAllDayEvent" in changes:
            minutes = 60  # an all-day event made timed: Salesforce's default length
        else:
            end = start + (old_end - old_start)
    if end is None:
        assert minutes is not None
        if minutes < 0 or minutes > MAX_EVENT_MINUTES:
            raise integrity(
                f"Duration must be between 0 and {MAX_EVENT_MINUTES} minutes: Duration", "DurationInMinutes"
            )
        end = start + timedelta(minutes=minutes)
    if end < start:
        raise integrity("End Date Time cannot be earlier than Start Date Time: End Date Time", "EndDateTime")
    if end - start > timedelta(minutes=MAX_EVENT_MINUTES):
        raise integrity(
            f"Duration must be between 0 and {MAX_EVENT_MINUTES} minutes: Duration", "DurationInMinutes"
        )
    changes["StartDateTime"] = sf_datetime(start)
    changes["EndDateTime"] = sf_datetime(end)
    changes["DurationInMinutes"] = int((end - start).total_seconds() // 60)
    changes["ActivityDate"] = start.astimezone(UTC).date().isoformat()


REMINDER_FIELDS = frozenset({"IsReminderSet", "ReminderDateTime"})


def _child_event_rule(changes: dict, existing: dict | None) -> None:
    """An invitee's copy of a meeting (IsChild) takes changes to its reminder only. The error
    code is not documented; the sandbox answers INVALID_FIELD_FOR_INSERT_UPDATE, the refusal of
    a field the caller may not write (docs/api-notes.md)."""
    if existing is None or not existing.get("IsChild"):
        return
    other = sorted(set(changes) - REMINDER_FIELDS)
    if other:
        raise bad_request(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            "Unable to update fields on a child event (an invitee's copy): "
            f"{', '.join(other)}. Only the reminder fields can be changed.",
            other,
        )


def _event_org_rules(ctx: Ctx, changes: dict, existing: dict | None) -> None:
    """A private event relates to no contact or record (WhoId / WhatId), and an event longer
    than a day needs the org's multi-day events feature. The exact error code is not
    documented; the sandbox answers FIELD_INTEGRITY_EXCEPTION (docs/api-notes.md)."""
    merged = {**(existing or {}), **changes}
    if merged.get("IsPrivate") and (merged.get("WhoId") or merged.get("WhatId")):
        field = "WhoId" if merged.get("WhoId") else "WhatId"
        raise bad_request(
            "FIELD_INTEGRITY_EXCEPTION", "A private event cannot be related to a contact or record", [field]
        )
    minutes = changes.get("DurationInMinutes")
    if minutes is not None and minutes > 1440 and not ctx.state.sf_feature("multiday-events"):
        raise bad_request(
            "FIELD_INTEGRITY_EXCEPTION",
            "Multi-day events are not enabled in this organization: Duration",
            ["DurationInMinutes"],
        )


def _campaign_member_rules(ctx: Ctx, changes: dict) -> None:
    if not changes.get("ContactId") and not changes.get("LeadId"):
        raise bad_request("REQUIRED_FIELD_MISSING", "Required fields are missing: [ContactId]", ["ContactId"])
    for row in ctx.state.sf["records"]["CampaignMember"].values():
        if (
            row.get("CampaignId") == changes.get("CampaignId")
            and changes.get("ContactId")
            and row.get("ContactId") == changes["ContactId"]
        ):
            raise bad_request("DUPLICATE_VALUE", "Already a campaign member.", [])
