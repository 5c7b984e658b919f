"""Microsoft Graph v1.0 (the Outlook and To Do parts Tandem uses), under ``/v1.0``.

Every call needs ``Authorization: Bearer <token from sandbox.entra>``; a missing, unknown or
expired token is ``401 InvalidAuthenticationToken`` with a ``WWW-Authenticate`` header.
Replies carry Graph's headers (``request-id``, ``client-request-id``, OData content type,
``Preference-Applied`` for honoured ``Prefer`` preferences, ``ETag`` on single items) and
errors Graph's body ``{"error": {"code", "message", "innerError"}}``.

Endpoints (the modules that serve them):

* ``graph_contacts``: ``/me/contactFolders[/{id}[/childFolders]]``, contacts CRUD in the
  default folder (``/me/contacts``) and in any folder (``/me/contactFolders/{id}/contacts``),
  contacts delta per folder (``/me/contacts/delta`` = the default folder).
* ``graph_calendar``: ``/me/calendars``, ``/me/calendar``, events CRUD (``/me/events``,
  ``/me/calendars/{id}/events``), ``/me/calendarView`` (and per calendar),
  ``/me/events/{id}/instances``, ``/me/calendarView/delta``.
* ``graph_todo``: ``/me/todo/lists[/{id}]``, ``/me/todo/lists/delta``, tasks CRUD and
  ``/me/todo/lists/{id}/tasks/delta``.
* ``graph_batch``: ``/$batch``.
* here: ``/me``, ``/me/mailboxSettings``, ``/me/outlook/supportedTimeZones``.

URL segments are case-insensitive (``/me/contactfolders/{id}`` works, as in Graph's own
links; ids keep their case) and ``/users/{id or UPN of the mailbox user}/...`` is ``/me/...``.

Query options: ``$select``, ``$top`` (at most 1000), ``$skip`` (the ``@odata.nextLink`` of
plain lists), ``$count``, ``$orderby`` on plain properties, and ``$filter`` in two forms:
``emailAddresses/any(a:a/address eq '...')`` on contacts and ``prop eq|ne literal`` terms
joined by ``and``. Other filters, ``$expand`` and ``$search`` are 400s. Collections default to
pages of ``state.config["graph_page_default"]`` (10). ``Prefer`` preferences honoured:
``odata.maxpagesize`` (delta pages capped at ``graph_delta_page_max``, 200),
``outlook.timezone`` (Windows or IANA names), ``outlook.body-content-type``,
``IdType="ImmutableId"`` (ids here never change anyway) and ``odata.track-changes``.

Storage model (for seeds: write items with ``state.graph_create(collection, item, container)``)
=============================================================================================

Items are stored in Graph's own JSON shape; keys starting with ``_`` are the emulator's
bookkeeping and never leave it. ``graph_create``/``graph_update`` stamp ``id``,
``createdDateTime``/``lastModifiedDateTime`` (``...Z``), ``changeKey`` and ``@odata.etag``.

* ``contactFolders``: ``{"displayName", "parentFolderId"}``, ``_container`` = parent folder.
  The default Contacts folder has ``_root: True``.
* ``contacts``: a Graph ``contact``; ``_container`` = its folder id, and ``parentFolderId``
  the same id. Missing properties are simply not returned; API-created contacts get every
  property (nulls and empty lists), as Graph returns them.
* ``calendars``: a Graph ``calendar``; the default one has ``isDefaultCalendar: True``.
* ``todoLists``: ``{"displayName", "isOwner", "isShared", "wellknownListName"}``.
* ``todoTasks``: a Graph ``todoTask`` (no ``changeKey``); ``_container`` = its list id.
  Dates are ``{"dateTime": "YYYY-MM-DDTHH:MM:SS.0000000", "timeZone": ...}``; To Do stores due
  dates as midnight, usually with ``"timeZone": "UTC"``.
* ``events``: a Graph ``event``; ``_container`` = its calendar id.

  - ``start``/``end`` are ``dateTimeTimeZone`` in any zone Graph accepts (Windows or IANA
    name; 7 fractional digits, no offset). They are stored as given and shown in the zone
    of ``Prefer: outlook.timezone`` (default UTC) - except **all-day events**
    (``"isAllDay": True``), which must run midnight to midnight in one zone (e.g.
    ``{"dateTime": "2026-10-05T00:00:00.0000000", "timeZone": "UTC"}`` to the next day's
    midnight) and are always shown in their own zone.
  - A **single** event: ``"type": "singleInstance"`` (or no ``recurrence``).
  - A **series** is one stored item, the master: ``"type": "seriesMaster"`` with a
    ``recurrence`` = ``{"pattern": {"type": "weekly", "interval": 1, "daysOfWeek":
    ["monday"], "firstDayOfWeek": "sunday", ...}, "range": {"type": "noEnd"|"endDate"|
    "numbered", "startDate": "2026-10-05", "endDate": "2026-12-28" or "0001-01-01",
    "numberOfOccurrences": 0, "recurrenceTimeZone": "W. Europe Standard Time"}}``; its
    ``start``/``end`` are those of the first occurrence. Occurrences are **not stored**: they
    are computed when read (``calendarView``, ``instances``, ``GET /me/events/{occurrenceId}``),
    at the master's wall-clock time of day in ``recurrenceTimeZone`` (else the start's zone),
    as ``"type": "occurrence"`` with ``seriesMasterId``, ``originalStart`` (``...Z``) and the
    master's ``changeKey``. Their ids encode the master id and the original start.
  - Editing an occurrence stores an **exception**: an item with the occurrence's id,
    ``"type": "exception"``, ``seriesMasterId`` and ``originalStart``, in the same calendar.
  - Deleting an occurrence (or an exception) cancels it: its ``originalStart`` is appended to
    the master's internal ``_cancelled`` list (shown as ``cancelledOccurrences`` on request).
  - ``GET /me/events`` lists singles and masters only; exceptions and occurrences appear in
    ``calendarView`` and ``instances``.

  A seed's weekly meeting: ``graph_create("events", {..., "type": "seriesMaster", "start":
  {"dateTime": "2026-10-05T07:00:00.0000000", "timeZone": "UTC"}, "end": {... 07:30 ...},
  "recurrence": {...}}, container=default_calendar(state)["id"])``; an all-day event: ``start``
  and ``end`` at midnight in one zone with ``"isAllDay": True``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, compile_path

from sandbox.errors import GraphError, graph_error_body
from sandbox.graph import batch as graph_batch
from sandbox.graph import calendar as graph_calendar
from sandbox.graph import contacts as graph_contacts
from sandbox.graph import todo as graph_todo
from sandbox.graph.core import (
    WINDOWS_NAMES,
    WINDOWS_TO_IANA,
    GraphRequest,
    Handler,
    Reply,
    authenticate,
    bad_request,
    user_context,
    with_context,
)
from sandbox.graph.query_options import check_options, parse_select
from sandbox.responses import graph_json
from sandbox.state import SandboxState

USER_PROPS = [
    "id",
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
]


def me(state: SandboxState, req: GraphRequest) -> Reply:
    check_options(req, ("select",))
    user = state.graph["user"]
    select = parse_select(req, USER_PROPS, "microsoft.graph.user")
    props = select or [p for p in USER_PROPS if p != "id"]
    body: dict[str, Any] = {"@odata.context": f"{req.base}/v1.0/$metadata#users/$entity"}
    for p in props:
        body[p] = user.get(p)
    body["id"] = user["id"]
    return Reply(200, body)


def mailbox_settings(state: SandboxState, req: GraphRequest) -> Reply:
    return Reply(
        200,
        with_context(
            user_context(req, "mailboxSettings"),
            {
                "archiveFolder": "",
                "timeZone": state.graph.get("user", {}).get("_timeZone", "W. Europe Standard Time"),
                "delegateMeetingMessageDeliveryOptions": "sendToDelegateOutlookOnly",
                "dateFormat": "dd.MM.yyyy",
                "timeFormat": "HH:mm",
                "userPurpose": "user",
                "language": {"locale": "en-US", "displayName": "English (United States)"},
                "workingHours": {
                    "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
                    "startTime": "08:00:00.0000000",
                    "endTime": "17:00:00.0000000",
                    "timeZone": {"name": "W. Europe Standard Time"},
                },
            },
        ),
    )


def supported_time_zones(state: SandboxState, req: GraphRequest) -> Reply:
    names = sorted(
        {v for v in WINDOWS_NAMES.values()}
        | {
            k.title().replace("Utc", "UTC")
            for k in WINDOWS_TO_IANA
            if "://" not in k and "coordinated" not in k
        }
    )
    return Reply(
        200,
        {
            "@odata.context": f"{req.base}/v1.0/$metadata#Collection(timeZoneInformation)",
            "value": [{"alias": n, "displayName": n} for n in names],
        },
    )


def batch(state: SandboxState, req: GraphRequest) -> Reply:
    """Stands in the route table; ``$batch`` is served by ``_batch_endpoint`` (asynchronous:
    its sub-requests run concurrently)."""
    raise bad_request("A batch can't contain a batch.")


async def run_batch(state: SandboxState, req: GraphRequest) -> Reply:
    try:
        req.user = authenticate(state, req.headers.get("authorization"), req.base)
        return await graph_batch.handle(state, req, lambda sub: dispatch(state, sub))
    except GraphError as exc:
        return Reply(exc.status, exc.body(), dict(exc.headers))


TABLE: list[tuple[list[str], str, Handler]] = [
    (["POST"], "/$batch", batch),
    (["GET"], "/me", me),
    (["GET"], "/me/mailboxSettings", mailbox_settings),
    (["GET"], "/me/outlook/supportedTimeZones", supported_time_zones),
    *graph_contacts.ROUTES,
    *graph_calendar.ROUTES,
    *graph_todo.ROUTES,
]
_COMPILED = [(methods, compile_path(path), handler) for methods, path, handler in TABLE]
# Graph's URL segments are case-insensitive ("/me/contactfolders/{id}" works, and Graph's own
# links use it); ids are not. Literal segments are put in the case the routes use.
_SEGMENTS = {
    seg.lower(): seg for _, path, _ in TABLE for seg in path.split("/") if seg and not seg.startswith("{")
}


def canonical_path(state: SandboxState, path: str) -> str:
    """``path`` below /v1.0 with literal segments in canonical case, and ``/users/{me}/``
    (the mailbox user's id or UPN) read as ``/me/``."""
    parts = path.split("/")
    if len(parts) > 2 and parts[1].lower() == "users":
        user = state.graph.get("user") or {}
        who = parts[2].lower()
        if who in (str(user.get("id", "")).lower(), str(user.get("userPrincipalName", "")).lower()):
            parts = ["", "me", *parts[3:]]
    return "/".join(_SEGMENTS.get(p.lower(), p) for p in parts)


def middleware(app: Any, state: SandboxState) -> Any:
    """Canonicalise Graph paths before routing (see ``canonical_path``)."""

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") == "http" and scope.get("path", "").startswith("/v1.0/"):
            path = "/v1.0" + canonical_path(state, scope["path"][len("/v1.0") :])
            if path != scope["path"]:
                scope = dict(scope, path=path)
        await app(scope, receive, send)

    return wrapped


def execute(state: SandboxState, handler: Handler, req: GraphRequest) -> Reply:
    """Authenticate and run one handler under the state lock; errors become replies."""
    try:
        if not req.user:
            req.user = authenticate(state, req.headers.get("authorization"), req.base)
        if req.prefer.get("idtype", "").lower() == "immutableid":
            req.apply('IdType="ImmutableId"')  # ids here never change on moves anyway
        with state.lock:
            reply = handler(state, req)
    except GraphError as exc:
        return Reply(exc.status, exc.body(), dict(exc.headers))
    if req.applied and reply.status < 400:
        reply.headers["Preference-Applied"] = ", ".join(req.applied)
    return reply


def dispatch(state: SandboxState, req: GraphRequest) -> Reply:
    """Route a request (a ``$batch`` sub-request) through the same table HTTP uses."""
    method_mismatch = False
    req.path = canonical_path(state, req.path)
    for methods, (regex, _fmt, convertors), handler in _COMPILED:
        m = regex.match(req.path)
        if not m:
            continue
        if req.method not in methods:
            method_mismatch = True
            continue
        req.params = {k: convertors[k].convert(v) for k, v in m.groupdict().items()}
        if handler is batch:
            return Reply(400, graph_error_body("BadRequest", "A batch can't contain a batch."))
        return execute(state, handler, req)
    if method_mismatch:
        return Reply(405, graph_error_body("BadRequest", "Unsupported HTTP method for this resource."))
    segment = req.path.rstrip("/").rsplit("/", 1)[-1]
    return Reply(400, graph_error_body("BadRequest", f"Resource not found for the segment '{segment}'."))


def _endpoint(state: SandboxState, handler: Handler) -> Any:
    async def endpoint(request: Request) -> Response:
        body = await request.body()
        req = GraphRequest(
            method="GET" if request.method == "HEAD" else request.method,
            path=request.url.path[len("/v1.0") :],
            params=dict(request.path_params),
            query=parse_qsl(request.url.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
            base=str(request.base_url).rstrip("/"),
        )
        reply = await run_batch(state, req) if handler is batch else execute(state, handler, req)
        return graph_json(request, reply.body, reply.status, reply.headers)

    endpoint.__name__ = getattr(handler, "__name__", "graph")
    return endpoint


def routes(state: SandboxState) -> list[Route]:
    return [
        Route("/v1.0" + path, _endpoint(state, handler), methods=methods) for methods, path, handler in TABLE
    ]


__all__ = ["routes", "middleware", "dispatch", "execute", "canonical_path", "TABLE"]
