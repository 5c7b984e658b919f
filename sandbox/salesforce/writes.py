"""Salesforce record writes shared by the sObject, Collections and Composite resources.

Each write is split into ``prepare_*`` (checks and validation, raises ``SalesforceError``,
changes nothing) and ``commit_*`` (applies the prepared change through the state primitives),
so the Collections resource can validate a whole batch before writing any of it (``allOrNone``).
"""

from __future__ import annotations

from typing import Any

from sandbox.salesforce import schema as sf_schema
from sandbox.salesforce.records import Ctx, bad_request, get_writable
from sandbox.salesforce.validation import validate_record


def prepare_create(ctx: Ctx, sobject: str, body: Any) -> dict:
    if not sf_schema.OBJECT_INFO[sobject].createable:
        raise bad_request("INVALID_TYPE_FOR_OPERATION", f"entity type cannot be inserted: {sobject}")
    return validate_record(ctx, sobject, body, existing=None)


def commit_create(ctx: Ctx, sobject: str, fields: dict) -> dict:
    return ctx.state.sf_create(sobject, fields, user_id=ctx.user)


def prepare_update(ctx: Ctx, sobject: str, record_id: str, body: Any) -> tuple[dict, dict]:
    rec = get_writable(ctx, sobject, record_id)
    return rec, validate_record(ctx, sobject, body, existing=rec)


def commit_update(ctx: Ctx, sobject: str, rec: dict, fields: dict) -> dict:
    return ctx.state.sf_update(sobject, rec["Id"], fields, user_id=ctx.user)


def prepare_delete(ctx: Ctx, sobject: str, record_id: str) -> dict:
    if not sf_schema.OBJECT_INFO[sobject].deletable:
        raise bad_request("INVALID_TYPE_FOR_OPERATION", f"entity type cannot be deleted: {sobject}")
    return get_writable(ctx, sobject, record_id)


def commit_delete(ctx: Ctx, sobject: str, rec: dict) -> None:
    """Delete a row and, as Salesforce does, its cascade-delete children."""
    state = ctx.state
    state.sf_delete(sobject, rec["Id"])
    if sobject == "Event" and rec.get("IsRecurrence2") and rec.get("Recurrence2PatternText"):
        # Deleting the first occurrence of a Lightning event series deletes the whole series
        for row in [r for r in state.sf["records"]["Event"].values() if r.get("_series") == rec["Id"]]:
            state.sf_delete("Event", row["Id"])
    for child, fk in sf_schema.CASCADE_DELETE:
        if sobject not in sf_schema.FIELDS[child][fk].reference_to:
            continue
        for row in [r for r in state.sf["records"][child].values() if r.get(fk) == rec["Id"]]:
            commit_delete(ctx, child, row)
