"""sObject Collections (``/composite/sobjects``) and Composite (``/composite``).

Collections: create, update and delete up to 200 records of any objects in one call, and read
up to 2000 records of one object. Results come back in input order; inside them errors are
``{"statusCode", "message", "fields"}`` (not ``errorCode``). With ``allOrNone`` every record is
checked before anything is written; if one fails, nothing is written and every other record
reports ALL_OR_NONE_OPERATION_ROLLED_BACK.

Composite: up to 25 sub-requests run in order through the same resource handlers as plain
calls (the whole request counts as one API call), with ``@{referenceId.path}`` references into
earlier responses. With ``allOrNone`` the first failing sub-request rolls back everything and
the others report PROCESSING_HALTED. Not covered: ``collateSubrequests`` (sub-requests always
run in order), nested Composite/Batch/Graph calls and the limit of 5 query/collection
sub-requests.
"""

from __future__ import annotations

import copy
import re
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import Headers, QueryParams

from sandbox import ids
from sandbox.errors import SalesforceError
from sandbox.salesforce import schema as sf_schema
from sandbox.salesforce.http import Reply, Router, SfRequest, split_versioned
from sandbox.salesforce.records import (
    Ctx,
    bad_request,
    can_see,
    error_items,
    lookup,
    parse_field_list,
    render,
    resolve_sobject,
    to_18,
)
from sandbox.salesforce.validation import validate_record
from sandbox.salesforce.writes import commit_create, commit_delete, commit_update, prepare_create

MAX_RECORDS = 200
MAX_READ_IDS = 2000
MAX_SUBREQUESTS = 25
ROLLED_BACK = (
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using AllOrNone header",
)


def _reply(status: int, body: Any, headers: dict | None = None) -> Reply:
    return Reply(status, body, headers or {})


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).lower() == "true"


def _records_body(req: Any) -> tuple[list, bool]:
    body = req.json()
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise bad_request(
            "JSON_PARSER_ERROR",
            'Cannot deserialize instance of SObjectCollection: expected an object with a "records" array',
        )
    records = body["records"]
    if len(records) > MAX_RECORDS:
        raise bad_request(
            "EXCEEDED_ID_LIMIT",
            f"The number of records in a single request cannot "
            f"exceed {MAX_RECORDS}: {len(records)} were sent",
        )
    return records, _bool(body.get("allOrNone", False))


def _record_type(rec: Any) -> str:
    attrs = rec.get("attributes") if isinstance(rec, dict) else None
    name = attrs.get("type") if isinstance(attrs, dict) else None
    if not isinstance(name, str) or not name:
        raise bad_request("INVALID_TYPE", "Must send a concrete entity type.")
    sobject = sf_schema.canonical_object(name)
    if sobject is None:
        raise bad_request("INVALID_TYPE", f"sObject type '{name}' is not supported.")
    return sobject


def _fail(exc: SalesforceError, record_id: str | None = None) -> dict:
    out: dict[str, Any] = {"success": False, "errors": error_items(exc)}
    return {"id": record_id, **out} if record_id else out


def _finish(prepared: list, all_or_none: bool, commit: Any) -> list[dict]:
    """Results in input order: ``prepared`` holds ``(id_or_None, work)`` or ``(id_or_None, exc)``."""
    failed = any(isinstance(p[1], SalesforceError) for p in prepared)
    results = []
    for record_id, work in prepared:
        if isinstance(work, SalesforceError):
            results.append(_fail(work, record_id))
        elif failed and all_or_none:
            results.append(_fail(SalesforceError(400, *ROLLED_BACK, []), record_id))
        else:
            try:
                results.append({"id": commit(work), "success": True, "errors": []})
            except SalesforceError as exc:  # pragma: no cover - prepare checks everything
                results.append(_fail(exc, record_id))
    return results


def create_many(req: Any) -> Any:
    ctx = req.ctx
    records, all_or_none = _records_body(req)
    types = [_record_type(r) for r in records]
    chunks = sum(1 for i, t in enumerate(types) if i == 0 or types[i - 1] != t)
    if chunks > 10:
        raise bad_request(
            "INVALID_BATCH_REQUEST",
            "Too many type changes in the request: records of "
            "one object must be contiguous, with at most 10 chunks",
        )
    prepared: list = []
    for sobject, rec in zip(types, records, strict=False):
        try:
            prepared.append((None, (sobject, prepare_create(ctx, sobject, rec))))
        except SalesforceError as exc:
            prepared.append((None, exc))

    def commit(work: tuple) -> str:
        sobject, fields = work
        return commit_create(ctx, sobject, fields)["Id"]

    return _reply(200, _finish(prepared, all_or_none, commit))


def _writable(ctx: Ctx, sobject: str, raw: Any, deleting: bool) -> dict:
    """The row a Collections update/delete targets, or its per-record error."""
    label = sf_schema.OBJECT_INFO[sobject].label
    if not isinstance(raw, str) or not ids.sf_id_valid(raw):
        raise bad_request(
            "MALFORMED_ID",
            f"malformed id {raw}" if deleting else f"{label} ID: id value of incorrect type: {raw}",
            [] if deleting else ["Id"],
        )
    if raw[:3] != sf_schema.key_prefix(sobject):
        raise bad_request("MALFORMED_ID", f"{label} ID: id value of incorrect type: {raw}", ["Id"])
    rec, deleted = lookup(ctx.state, sobject, to_18(raw))
    if rec is None or deleted:
        if deleting or deleted:
            raise bad_request("ENTITY_IS_DELETED", "entity is deleted", [])
        raise bad_request("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [])
    if not can_see(ctx.state, ctx.user, sobject, rec):
        raise bad_request("INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id", [])
    if deleting and not sf_schema.OBJECT_INFO[sobject].deletable:
        raise bad_request("INVALID_TYPE_FOR_OPERATION", f"entity type cannot be deleted: {sobject}", [])
    return rec


def update_many(req: Any) -> Any:
    ctx = req.ctx
    records, all_or_none = _records_body(req)
    types = [_record_type(r) for r in records]
    prepared: list = []
    for sobject, body in zip(types, records, strict=False):
        raw_id = next((v for k, v in body.items() if k.lower() == "id"), None)
        shown = (
            to_18(raw_id)
            if isinstance(raw_id, str)
            and ids.sf_id_valid(raw_id)
            and raw_id[:3] == sf_schema.key_prefix(sobject)
            else None
        )
        try:
            if raw_id is None:
                raise bad_request("MISSING_ARGUMENT", "Id not specified in an update call", [])
            rec = _writable(ctx, sobject, raw_id, deleting=False)
            fields = validate_record(
                ctx, sobject, {k: v for k, v in body.items() if k.lower() != "id"}, existing=rec
            )
            prepared.append((shown, (sobject, rec, fields)))
        except SalesforceError as exc:
            prepared.append((shown, exc))

    def commit(work: tuple) -> str:
        sobject, rec, fields = work
        return commit_update(ctx, sobject, rec, fields)["Id"]

    return _reply(200, _finish(prepared, all_or_none, commit))


def delete_many(req: Any) -> Any:
    ctx = req.ctx
    raw = req.query.get("ids")
    if raw is None or not raw.strip():
        raise bad_request("MISSING_ARGUMENT", "Missing argument: ids")
    id_list = [i.strip() for i in raw.split(",") if i.strip()]
    if len(id_list) > MAX_RECORDS:
        raise bad_request(
            "EXCEEDED_ID_LIMIT",
            f"The number of ids in a single request cannot exceed {MAX_RECORDS}: {len(id_list)} were sent",
        )
    all_or_none = _bool(req.query.get("allOrNone", "false"))
    prepared: list = []
    for raw_id in id_list:
        sobject = sf_schema.object_for_id(raw_id) if ids.sf_id_valid(raw_id) else None
        shown = to_18(raw_id) if sobject else None
        try:
            if sobject is None or sobject not in sf_schema.OBJECTS:
                raise bad_request("MALFORMED_ID", f"malformed id {raw_id}", [])
            prepared.append((shown, (sobject, _writable(ctx, sobject, raw_id, deleting=True))))
        except SalesforceError as exc:
            prepared.append((shown, exc))

    def commit(work: tuple) -> str:
        sobject, rec = work
        if rec["Id"] in ctx.state.sf["records"][sobject]:  # a cascade may have taken it already
            commit_delete(ctx, sobject, rec)
        return rec["Id"]

    return _reply(200, _finish(prepared, all_or_none, commit))


def retrieve_many(req: Any) -> Any:
    """``GET ?ids=&fields=`` or ``POST {"ids": [...], "fields": [...]}``: records or null, in order."""
    ctx = req.ctx
    sobject = resolve_sobject(req.params["sobject"])
    if req.method == "POST":
        body = req.json()
        if not isinstance(body, dict):
            raise bad_request("JSON_PARSER_ERROR", 'expected an object with "ids" and "fields"')
        id_list, field_list = body.get("ids"), body.get("fields")
        if not isinstance(id_list, list) or not isinstance(field_list, list):
            raise bad_request("MISSING_ARGUMENT", "both ids and fields are required")
    else:
        raw_ids, raw_fields = req.query.get("ids"), req.query.get("fields")
        if not raw_ids or not raw_fields:
            raise bad_request("MISSING_ARGUMENT", "both ids and fields are required")
        id_list = [i.strip() for i in raw_ids.split(",") if i.strip()]
        field_list = [f.strip() for f in raw_fields.split(",") if f.strip()]
    if len(id_list) > MAX_READ_IDS:
        raise bad_request(
            "EXCEEDED_ID_LIMIT",
            f"The number of ids in a single request cannot exceed {MAX_READ_IDS}: {len(id_list)} were sent",
        )
    names = parse_field_list(sobject, field_list, ctx.state)
    out = []
    for raw_id in id_list:
        if not isinstance(raw_id, str) or not ids.sf_id_valid(raw_id):
            raise bad_request("MALFORMED_ID", f"malformed id {raw_id}")
        rec = (
            ctx.state.sf["records"][sobject].get(to_18(raw_id))
            if raw_id[:3] == sf_schema.key_prefix(sobject)
            else None
        )
        out.append(
            render(ctx, sobject, rec, names) if rec and can_see(ctx.state, ctx.user, sobject, rec) else None
        )
    return _reply(200, out)


# ------------------------------------------------------------------------------- composite
_REF = re.compile(r"@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}")


class _Unresolved(Exception):
    pass


def _resolve_path(value: Any, path: str) -> Any:
    for part in re.findall(r"\.([A-Za-z0-9_]+)|\[(\d+)\]", path):
        key, index = part
        if key:
            if not isinstance(value, dict) or key not in value:
                raise _Unresolved()
            value = value[key]
        else:
            if not isinstance(value, list) or int(index) >= len(value):
                raise _Unresolved()
            value = value[int(index)]
    return value


def _substitute(value: Any, results: dict[str, Any], as_url: bool = False) -> Any:
    """Replace ``@{ref.path}`` in strings (a whole-string reference keeps the value's JSON type)."""
    if isinstance(value, dict):
        return {k: _substitute(v, results) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, results) for v in value]
    if not isinstance(value, str) or "@{" not in value:
        return value

    def lookup_ref(m: re.Match) -> Any:
        ref, path = m.group(1), m.group(2)
        if ref not in results:
            raise _Unresolved(f"{ref}{path}")
        try:
            return _resolve_path(results[ref], path)
        except _Unresolved:
            raise _Unresolved(f"{ref}{path}") from None

    whole = _REF.fullmatch(value)
    if whole and not as_url:
        return lookup_ref(whole)
    return _REF.sub(lambda m: str(lookup_ref(m)), value)


def _halted(reference_id: str, message: str) -> dict:
    return {
        "body": [{"errorCode": "PROCESSING_HALTED", "message": message}],
        "httpHeaders": {},
        "httpStatusCode": 400,
        "referenceId": reference_id,
    }


def composite(req: SfRequest, router: Router) -> Reply:
    """Run the sub-requests through ``router``, the table the plain calls go through."""
    ctx = req.ctx
    body = req.json()
    subs = body.get("compositeRequest") if isinstance(body, dict) else None
    if not isinstance(subs, list) or not subs:
        raise bad_request("JSON_PARSER_ERROR", "compositeRequest is required and must be a non-empty array")
    if len(subs) > MAX_SUBREQUESTS:
        raise bad_request(
            "INVALID_BATCH_REQUEST",
            f"The number of subrequests cannot exceed {MAX_SUBREQUESTS}: {len(subs)} were sent",
        )
    seen: set[str] = set()
    for sub in subs:
        ref = sub.get("referenceId") if isinstance(sub, dict) else None
        if (
            not isinstance(sub, dict)
            or not isinstance(ref, str)
            or not re.fullmatch(r"[A-Za-z0-9_]+", ref)
            or not isinstance(sub.get("url"), str)
            or not isinstance(sub.get("method"), str)
        ):
            raise bad_request(
                "JSON_PARSER_ERROR",
                "each subrequest needs method, url and a referenceId of letters, digits and underscores",
            )
        if ref in seen:
            raise bad_request(
                "INVALID_BATCH_REQUEST", f"Duplicate referenceId provided in the request: {ref}"
            )
        seen.add(ref)
    all_or_none = _bool(body.get("allOrNone", False))
    state = ctx.state
    snapshot = copy.deepcopy(state.sf) if all_or_none else None
    results: dict[str, Any] = {}
    out: list[dict] = []
    failed_at: int | None = None
    for n, sub in enumerate(subs):
        ref = sub["referenceId"]
        try:
            url = _substitute(sub["url"], results, as_url=True)
            sub_body = _substitute(sub.get("body"), results) if "body" in sub else None
        except _Unresolved as exc:
            out.append(
                _halted(
                    ref,
                    f"Invalid reference specified. No value for {exc} found. Provided "
                    f"referenceId ({str(exc).split('.')[0].split('[')[0]}) must refer "
                    "to a successful earlier subrequest.",
                )
            )
            if all_or_none:
                failed_at = n
                break
            continue
        parts = urlsplit(url)
        method = sub["method"].upper()
        try:
            version, rest = split_versioned(parts.path)
        except SalesforceError as exc:
            reply_headers: dict[str, str] = {}
            reply_status, reply_body = exc.status, exc.body()
        else:
            if rest.rstrip("/") == "composite":
                reply_status, reply_body, reply_headers = (
                    400,
                    [
                        {
                            "errorCode": "INVALID_BATCH_REQUEST",
                            "message": "Composite requests cannot be nested.",
                        }
                    ],
                    {},
                )
            else:
                sub_ctx = Ctx(state, ctx.user, version, ctx.base_url)
                headers = Headers({**{k.lower(): str(v) for k, v in (sub.get("httpHeaders") or {}).items()}})
                sub_req = SfRequest(
                    sub_ctx,
                    method,
                    {},
                    QueryParams(parts.query),
                    headers,
                    parsed_body=sub_body,
                    has_parsed_body=sub_body is not None,
                )
                if sub_body is None and method in ("POST", "PATCH"):
                    sub_req.raw_body = b""
                reply, _ = router.dispatch(sub_req, rest)
                reply_status, reply_body, reply_headers = reply.status, reply.body, reply.headers
        out.append(
            {
                "body": reply_body,
                "httpHeaders": dict(reply_headers),
                "httpStatusCode": reply_status,
                "referenceId": ref,
            }
        )
        if reply_status < 400:
            results[ref] = reply_body
        elif all_or_none:
            failed_at = n
            break
    if failed_at is not None and snapshot is not None:
        usage = state.sf["api_usage"], state.sf["api_usage_day"]
        state.sf.clear()
        state.sf.update(snapshot)
        state.sf["api_usage"], state.sf["api_usage_day"] = usage
        state.dirty = True
        message = "The transaction was rolled back since another operation in the same transaction failed."
        final = []
        for n, sub in enumerate(subs):
            final.append(out[n] if n == failed_at else _halted(sub["referenceId"], message))
        out = final
    return _reply(200, {"compositeResponse": out})
