"""Salesforce record operations shared by the sObject, Collections and Composite resources.

One request runs as one ``Ctx`` (the caller, the API version, the instance's base URL). The
writes themselves are in ``sandbox.salesforce.writes``.

Sharing model of the emulated org (BEHAVIOUR.md, API_CONTRACTS.md section 9):
- Org-wide defaults are Public Read/Write, so every user sees and edits every record, except
- private contacts (a Contact without AccountId): only the owner and administrators
  (profile "System Administrator") see or change them, and
- private events (``IsPrivate``): only the owner and administrators see them.
A record the caller cannot see is "not found" on read and INSUFFICIENT_ACCESS_OR_READONLY on
update or delete; a reference to it is INVALID_CROSS_REFERENCE_KEY.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sandbox import ids
from sandbox.clock import parse_instant
from sandbox.errors import SalesforceError
from sandbox.salesforce import schema as sf_schema
from sandbox.salesforce.org_view import field_present
from sandbox.state import SandboxState

ADMIN_PROFILE = "System Administrator"
RECYCLE_BIN_DAYS = 15


class SfErrors(SalesforceError):
    """Several errors for one record, sent as one Salesforce error array."""

    def __init__(self, errors: list[tuple[str, str, list[str] | None]], status: int = 400) -> None:
        code, message, fields = errors[0]
        super().__init__(status, code, message, fields)
        self.errors = errors

    def body(self) -> list:
        out = []
        for code, message, fields in self.errors:
            item: dict[str, Any] = {"message": message, "errorCode": code}
            if fields is not None:
                item["fields"] = list(fields)
            out.append(item)
        return out


def error_items(exc: SalesforceError) -> list[dict]:
    """An error as the ``errors`` of a Collections result (``statusCode``, not ``errorCode``)."""
    return [
        {"statusCode": item["errorCode"], "message": item["message"], "fields": item.get("fields") or []}
        for item in exc.body()
    ]


def bad_request(code: str, message: str, fields: list[str] | None = None) -> SalesforceError:
    return SalesforceError(400, code, message, fields)


def not_found(message: str = "The requested resource does not exist") -> SalesforceError:
    return SalesforceError(404, "NOT_FOUND", message)


@dataclass
class Ctx:
    """One authenticated REST call: who calls, with which API version, on which host."""

    state: SandboxState
    user: str
    version: str
    base_url: str

    @property
    def is_admin(self) -> bool:
        return is_admin(self.state, self.user)

    def url(self, sobject: str, record_id: str) -> str:
        return f"/services/data/v{self.version}/sobjects/{sobject}/{record_id}"


def is_admin(state: SandboxState, user_id: str) -> bool:
    user = state.sf_user(user_id)
    return bool(user and user.get("ProfileName") == ADMIN_PROFILE)


def can_see(state: SandboxState, user_id: str, sobject: str, rec: dict) -> bool:
    if sobject == "Contact" and not rec.get("AccountId"):
        return rec.get("OwnerId") == user_id or is_admin(state, user_id)
    if sobject == "Event" and rec.get("IsPrivate"):
        return rec.get("OwnerId") == user_id or is_admin(state, user_id)
    return True


# -------------------------------------------------------------------------------- objects, ids
def resolve_sobject(name: str) -> str:
    """The canonical sObject name of a URL segment (case-insensitive) or 404 NOT_FOUND."""
    sobject = sf_schema.canonical_object(name)
    if sobject is None:
        raise not_found()
    return sobject


def to_18(value: str) -> str:
    return ids.sf_id_to_18(value)


def url_record_id(sobject: str, raw: str) -> str:
    """The 18-char id in ``/sobjects/{sobject}/{raw}``, or the error Salesforce gives.

    A segment that is not id-shaped is taken as an external-id field name (404 NOT_FOUND
    "Provided external ID field does not exist or is not accessible"), an 18-char id whose
    checksum is wrong is MALFORMED_ID, and an id of another object is NOT_FOUND.
    """
    if len(raw) not in (15, 18) or not raw.isascii() or not raw.isalnum():
        raise not_found(f"Provided external ID field does not exist or is not accessible: {raw}")
    if not ids.sf_id_valid(raw):
        label = sf_schema.OBJECT_INFO[sobject].label
        raise bad_request("MALFORMED_ID", f"{label} ID: id value of incorrect type: {raw}", ["Id"])
    if raw[:3] != sf_schema.key_prefix(sobject):
        raise not_found()
    return to_18(raw)


def lookup(state: SandboxState, sobject: str, record_id: str) -> tuple[dict | None, bool]:
    """``(record, deleted)``: the live row, else the recycle-bin row with ``deleted`` True."""
    rec = state.sf["records"].get(sobject, {}).get(record_id)
    if rec is not None:
        return rec, False
    rec = state.sf["deleted"].get(sobject, {}).get(record_id)
    return rec, rec is not None


def get_visible(ctx: Ctx, sobject: str, record_id: str) -> dict:
    """A live record the caller may see, or 404 (ENTITY_IS_DELETED / NOT_FOUND)."""
    rec, deleted = lookup(ctx.state, sobject, record_id)
    if rec is None:
        raise not_found()
    if deleted:
        raise SalesforceError(404, "ENTITY_IS_DELETED", "entity is deleted", [])
    if not can_see(ctx.state, ctx.user, sobject, rec):
        raise not_found()
    return rec


def get_writable(ctx: Ctx, sobject: str, record_id: str) -> dict:
    """A live record the caller may change, or the error Salesforce gives."""
    rec, deleted = lookup(ctx.state, sobject, record_id)
    if rec is None:
        raise not_found()
    if deleted:
        raise SalesforceError(404, "ENTITY_IS_DELETED", "entity is deleted", [])
    if not can_see(ctx.state, ctx.user, sobject, rec):
        raise bad_request("INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id", [])
    return rec


# ------------------------------------------------------------------------------- rendering
def render(ctx: Ctx, sobject: str, rec: dict, fields: Iterable[str] | None = None) -> dict:
    """A record as the REST API returns it: ``attributes`` first, then the fields."""
    out: dict[str, Any] = {"attributes": {"type": sobject, "url": ctx.url(sobject, rec["Id"])}}
    if fields is None:
        fields = [n for n in sf_schema.field_names(sobject) if field_present(ctx.state, sobject, n)]
    for name in fields:
        out[name] = rec.get(name)
    return out


def parse_field_list(
    sobject: str, raw: str | Iterable[str] | None, state: SandboxState | None = None
) -> list[str] | None:
    """``fields=A,b`` -> canonical names (plus ``Id`` last); INVALID_FIELD for unknown ones
    (with ``state``: also for fields the org switched off or hides)."""
    if raw is None:
        return None
    names = [n.strip() for n in raw.split(",")] if isinstance(raw, str) else list(raw)
    out: list[str] = []
    for name in names:
        if not name:
            continue
        canonical = sf_schema.canonical_field(sobject, name) if isinstance(name, str) else None
        if canonical is not None and state is not None:
            canonical = canonical if field_present(state, sobject, canonical) else None
        if canonical is None:
            raise bad_request(
                "INVALID_FIELD",
                f"No such column '{name}' on entity '{sobject}'. If you are "
                "attempting to use a custom field, be sure to append the '__c' after the "
                "custom field name. Please reference your WSDL or the describe call for "
                "the appropriate names.",
            )
        if canonical not in out:
            out.append(canonical)
    if "Id" not in out:
        out.append("Id")  # as Salesforce does: the requested fields, then Id
    return out


# ----------------------------------------------------------------------------- row sources
def recycle_cutoff(state: SandboxState) -> datetime:
    return state.now() - timedelta(days=RECYCLE_BIN_DAYS)


def visible_rows(ctx: Ctx, sobject: str, include_deleted: bool = False) -> list[dict]:
    """The rows a query of ``sobject`` sees; queryAll adds the recycle bin and archived activities."""
    state, user = ctx.state, ctx.user
    admin = is_admin(state, user)
    rows = [
        r
        for r in state.sf["records"].get(sobject, {}).values()
        if (admin or can_see(state, user, sobject, r)) and (include_deleted or not r.get("IsArchived"))
    ]
    if include_deleted:
        cutoff = recycle_cutoff(state)
        for r in state.sf["deleted"].get(sobject, {}).values():
            if r.get("_deletedDate") and parse_instant(r["_deletedDate"]) < cutoff:
                continue
            if admin or can_see(state, user, sobject, r):
                rows.append(r)
    return rows
