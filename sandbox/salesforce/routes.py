"""Salesforce REST API under ``/services/data`` (API_CONTRACTS.md sections 8 and 9).

``middleware`` does what the platform does around every call: the bearer check (401
INVALID_SESSION_ID), the daily API request limit (403 REQUEST_LIMIT_EXCEEDED, reset when the
sandbox clock's UTC day changes) and the ``Sforce-Limit-Info: api-usage=N/LIMIT`` header on
every response except the unauthenticated version list ``GET /services/data/``.

Behind it one route takes every ``/services/data/vNN.0/...`` path and an internal router picks
the resource, so the Composite resource can run sub-requests through the very same handlers.
Trailing slashes are accepted (simple-salesforce sends ``query/``, ``limits/``,
``sobjects/Contact/``) and sObject names in paths are case-insensitive, as on the platform.

Resources: the version list and the version's resource list, ``limits``, ``query``,
``queryAll`` (with ``nextRecordsUrl`` paging), ``sobjects`` (global describe), per object
basic info, ``describe``, create, rows (GET/PATCH/DELETE with ``If-Unmodified-Since``,
``If-Modified-Since`` and, on Account only, ``ETag``/``If-Match``/``If-None-Match``),
``updated``/``deleted`` (getUpdated/getDeleted), sObject Collections and Composite (in
``sandbox.salesforce.collections``).

Deliberately left out: upsert by external id (the org has no external-id fields, so
``/sobjects/{type}/{field}/{value}`` answers as Salesforce does for an unknown field), search,
Bulk API, Tooling, undelete, record types, field-level security, per-user locale/time zone.
"""

from __future__ import annotations

import base64
import hashlib
import json
from email.utils import format_datetime, parsedate_to_datetime
from types import SimpleNamespace
from typing import Any

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.clock import parse_instant
from sandbox.errors import SalesforceError
from sandbox.responses import sf_json
from sandbox.salesforce import collections as coll
from sandbox.salesforce import query as q
from sandbox.salesforce import schema as sf_schema
from sandbox.salesforce.describe import describe_basic, describe_sobject
from sandbox.salesforce.http import (
    METHODS,
    VERSIONS,
    Reply,
    Router,
    SfRequest,
    base_url_of,
    release_label,
    split_versioned,
    to_response,
)
from sandbox.salesforce.org_view import validators
from sandbox.salesforce.records import (
    Ctx,
    bad_request,
    get_visible,
    not_found,
    parse_field_list,
    render,
    resolve_sobject,
    url_record_id,
)
from sandbox.salesforce.writes import (
    commit_create,
    commit_delete,
    commit_update,
    prepare_create,
    prepare_delete,
    prepare_update,
)
from sandbox.state import SandboxState


# ----------------------------------------------------------------------------- middleware
def middleware(app: ASGIApp, state: SandboxState) -> ASGIApp:
    """Bearer check, API request limit and ``Sforce-Limit-Info`` for ``/services/data``."""

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or not path.startswith("/services/data")
            or path in ("/services/data", "/services/data/")
        ):
            await app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        auth = headers.get("authorization") or ""
        if auth[:6].lower() == "oauth ":  # the platform also takes "Authorization: OAuth <token>"
            auth = "Bearer " + auth[6:]
        with state.lock:
            check = state.tokens.check("salesforce", auth)
            if check.user is None:
                reply = sf_json(
                    [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}],
                    401,
                    {"WWW-Authenticate": "Token"},
                )
                await reply(scope, receive, send)
                return
            sf = state.sf
            today = state.now().date().isoformat()
            if sf.get("api_usage_day") != today:
                if sf.get("api_usage_day"):
                    sf["api_usage"] = 0
                sf["api_usage_day"] = today
            if sf["api_usage"] >= sf["api_limit"]:
                info = f"api-usage={sf['api_usage']}/{sf['api_limit']}"
                reply = sf_json(
                    [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}],
                    403,
                    {"Sforce-Limit-Info": info},
                )
                await reply(scope, receive, send)
                return
            sf["api_usage"] += 1
            state.dirty = True
            info = f"api-usage={sf['api_usage']}/{sf['api_limit']}"
        scope.setdefault("state", {})["sf_user"] = check.user

        async def send_with_usage(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = list(message.get("headers", [])) + [
                    (b"sforce-limit-info", info.encode("latin-1"))
                ]
            await send(message)

        await app(scope, receive, send_with_usage)

    return asgi


# ------------------------------------------------------------------------------ resources
def _versions() -> list[dict]:
    return [{"label": release_label(v), "url": f"/services/data/v{v}", "version": v} for v in VERSIONS]


def resources(req: SfRequest) -> Reply:
    v = f"/services/data/v{req.ctx.version}"
    return Reply(
        200, {name: f"{v}/{name}" for name in ("limits", "query", "queryAll", "sobjects", "composite")}
    )


def limits(req: SfRequest) -> Reply:
    sf = req.ctx.state.sf
    used, limit = sf["api_usage"], sf["api_limit"]
    stored = sum(len(rows) for rows in sf["records"].values())

    def pair(mx: int, remaining: int) -> dict:
        return {"Max": mx, "Remaining": max(remaining, 0)}

    return Reply(
        200,
        {
            "ConcurrentAsyncGetReportInstances": pair(200, 200),
            "ConcurrentSyncReportRuns": pair(20, 20),
            "DailyApiRequests": pair(limit, limit - used),
            "DailyAsyncApexExecutions": pair(250000, 250000),
            "DailyBulkApiBatches": pair(15000, 15000),
            "DailyBulkV2QueryFileStorageMB": pair(976562, 976562),
            "DailyBulkV2QueryJobs": pair(10000, 10000),
            "DailyGenericStreamingApiEvents": pair(10000, 10000),
            "DailyStreamingApiEvents": pair(1000000, 1000000),
            "DataStorageMB": pair(5, 5 - stored * 2 // 1024),
            "FileStorageMB": pair(20, 20),
            "HourlyDashboardRefreshes": pair(200, 200),
            "HourlyODataCallout": pair(10000, 10000),
            "HourlySyncReportRuns": pair(500, 500),
            "MassEmail": pair(10, 10),
            "SingleEmail": pair(15, 15),
        },
    )


def global_describe(req: SfRequest) -> Reply:
    return Reply(
        200,
        {
            "encoding": "UTF-8",
            "maxBatchSize": 200,
            "sobjects": [describe_basic(s, req.ctx.version) for s in sf_schema.OBJECTS],
        },
    )


def sobject_root(req: SfRequest) -> Reply:
    sobject = resolve_sobject(req.params["sobject"])
    if req.method == "POST":
        return create(req, sobject)
    ctx = req.ctx
    mine = [
        r
        for r in ctx.state.sf["records"][sobject].values()
        if r.get("LastModifiedById") == ctx.user or r.get("CreatedById") == ctx.user
    ]
    mine.sort(key=lambda r: r.get("LastModifiedDate") or "", reverse=True)
    recent = [
        {
            "attributes": {"type": sobject, "url": ctx.url(sobject, r["Id"])},
            "Id": r["Id"],
            **({"Name": r.get("Name")} if "Name" in r else {}),
        }
        for r in mine[:10]
    ]
    return Reply(200, {"objectDescribe": describe_basic(sobject, ctx.version), "recentItems": recent})


def describe(req: SfRequest) -> Reply:
    """The object's describe, with ETag and Last-Modified; 304 to a matching If-None-Match
    or an If-Modified-Since not before Last-Modified (``sandbox.salesforce.org_view``)."""
    sobject = resolve_sobject(req.params["sobject"])
    body = describe_sobject(sobject, req.ctx.version, req.ctx.state)
    etag, modified = validators(req.ctx.state, sobject, body)
    headers = {"ETag": etag, "Last-Modified": format_datetime(modified, usegmt=True)}
    none_match = req.headers.get("if-none-match")
    if none_match is not None:
        if etag in [t.strip() for t in none_match.split(",")] or none_match.strip() == "*":
            return Reply(304, None, headers)
        return Reply(200, body, headers)
    since = _http_date(req, "if-modified-since")
    if since is not None and modified <= since:
        return Reply(304, None, headers)
    return Reply(200, body, headers)


def create(req: SfRequest, sobject: str) -> Reply:
    ctx = req.ctx
    fields = prepare_create(ctx, sobject, req.json())
    rec = commit_create(ctx, sobject, fields)
    return Reply(
        201, {"id": rec["Id"], "success": True, "errors": []}, {"Location": ctx.url(sobject, rec["Id"])}
    )


def _etag(rec: dict) -> str:
    digest = hashlib.sha1(
        json.dumps(
            {k: v for k, v in rec.items() if not k.startswith("_")}, sort_keys=True, default=str
        ).encode()
    ).digest()
    return '"' + base64.b64encode(digest).decode() + '--gzip"'


def _http_date(req: SfRequest, name: str) -> Any:
    value = req.headers.get(name)
    if value is None:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        when = None
    if when is None or when.tzinfo is None:
        raise bad_request("INVALID_HEADER_TYPE", f"Invalid header value for {name}: {value}")
    return when


def _modified_after(rec: dict, when: Any) -> bool:
    """True when the record changed after the HTTP-date ``when`` (whole seconds, as HTTP)."""
    modified = parse_instant(rec["LastModifiedDate"]).replace(microsecond=0)
    return modified > when


def _precondition_failed() -> SalesforceError:
    return SalesforceError(
        412,
        "PRECONDITION_FAILED",
        "The requested resource has been modified since the specified date "
        "or does not match the supplied ETag.",
    )


def row(req: SfRequest) -> Reply:
    sobject = resolve_sobject(req.params["sobject"])
    record_id = url_record_id(sobject, req.params["id"])
    ctx = req.ctx
    if req.method == "GET":
        rec = get_visible(ctx, sobject, record_id)
        names = parse_field_list(sobject, req.query.get("fields"), ctx.state)
        headers = {"Last-Modified": format_datetime(parse_instant(rec["LastModifiedDate"]), usegmt=True)}
        if sobject == "Account":
            headers["ETag"] = _etag(rec)
            none_match = req.headers.get("if-none-match")
            if none_match and headers["ETag"] in [t.strip() for t in none_match.split(",")]:
                return Reply(304, None, headers)
        since = _http_date(req, "if-modified-since")
        if since is not None and not _modified_after(rec, since):
            return Reply(304, None, headers)
        until = _http_date(req, "if-unmodified-since")
        if until is not None and _modified_after(rec, until):
            raise _precondition_failed()
        return Reply(200, render(ctx, sobject, rec, names), headers)
    if req.method == "PATCH":
        until = _http_date(req, "if-unmodified-since")
        body = req.json()
        rec, fields = prepare_update(ctx, sobject, record_id, body)
        if until is not None and _modified_after(rec, until):
            raise _precondition_failed()
        if sobject == "Account":
            match = req.headers.get("if-match")
            if match and _etag(rec) not in [t.strip() for t in match.split(",")]:
                raise _precondition_failed()
        commit_update(ctx, sobject, rec, fields)
        return Reply(204)
    rec = prepare_delete(ctx, sobject, record_id)
    commit_delete(ctx, sobject, rec)
    return Reply(204)


def external_id_row(req: SfRequest) -> Reply:
    resolve_sobject(req.params["sobject"])
    raise not_found(f"Provided external ID field does not exist or is not accessible: {req.params['field']}")


def build_router() -> Router:
    r = Router()

    def composite(req: SfRequest) -> Reply:
        return coll.composite(req, r)

    v = "/services/data/v{version}/"
    r.add(r"", v, {"GET": resources})
    r.add(r"limits", v + "limits", {"GET": limits})
    r.add(r"query", v + "query", {"GET": q.query})
    r.add(r"query/(?P<locator>[^/]+)", v + "query/{locator}", {"GET": q.query_more})
    r.add(r"queryAll", v + "queryAll", {"GET": q.query_all})
    r.add(r"queryAll/(?P<locator>[^/]+)", v + "queryAll/{locator}", {"GET": q.query_more})
    r.add(r"sobjects", v + "sobjects", {"GET": global_describe})
    r.add(
        r"sobjects/(?P<sobject>[^/]+)", v + "sobjects/{sobject}", {"GET": sobject_root, "POST": sobject_root}
    )
    r.add(r"sobjects/(?P<sobject>[^/]+)/describe", v + "sobjects/{sobject}/describe", {"GET": describe})
    r.add(r"sobjects/(?P<sobject>[^/]+)/updated", v + "sobjects/{sobject}/updated", {"GET": q.get_updated})
    r.add(r"sobjects/(?P<sobject>[^/]+)/deleted", v + "sobjects/{sobject}/deleted", {"GET": q.get_deleted})
    r.add(
        r"sobjects/(?P<sobject>[^/]+)/(?P<id>[^/]+)",
        v + "sobjects/{sobject}/{id}",
        {"GET": row, "PATCH": row, "DELETE": row},
    )
    r.add(
        r"sobjects/(?P<sobject>[^/]+)/(?P<field>[^/]+)/(?P<value>[^/]+)",
        v + "sobjects/{sobject}/{field}/{value}",
        {"GET": external_id_row, "PATCH": external_id_row, "DELETE": external_id_row},
    )
    r.add(
        r"composite/sobjects",
        v + "composite/sobjects",
        {"POST": coll.create_many, "PATCH": coll.update_many, "DELETE": coll.delete_many},
    )
    r.add(
        r"composite/sobjects/(?P<sobject>[^/]+)",
        v + "composite/sobjects/{sobject}",
        {"GET": coll.retrieve_many, "POST": coll.retrieve_many},
    )
    r.add(r"composite", v + "composite", {"POST": composite})
    return r


_ROUTER: Router | None = None


def router() -> Router:
    """The resource table (the Composite resource dispatches sub-requests through it too)."""
    global _ROUTER
    if _ROUTER is None:
        _ROUTER = build_router()
    return _ROUTER


def routes(state: SandboxState) -> list[Route]:
    table = router()

    async def versions(request: Request) -> Response:
        return sf_json(_versions())

    async def versioned(request: Request) -> Response:
        try:
            version, rest = split_versioned(request.url.path)
        except SalesforceError as exc:
            return sf_json(exc.body(), exc.status)
        user = (request.scope.get("state") or {}).get("sf_user")
        if user is None:  # only reachable without the middleware; never serve data unauthenticated
            return sf_json(
                [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}], 401
            )
        ctx = Ctx(state, user, version, base_url_of(request.headers, request.scope))
        req = SfRequest(ctx, request.method, {}, request.query_params, request.headers, await request.body())
        reply, template = table.dispatch(req, rest)
        request.scope["route"] = SimpleNamespace(path=template)
        return to_response(reply, request.method)

    return [
        Route("/services/data", versions, methods=["GET"]),
        Route("/services/data/", versions, methods=["GET"]),
        Route("/services/data/{rest:path}", versioned, methods=METHODS),
    ]
