"""Calendars and events: CRUD, ``calendarView``, ``instances`` and ``calendarView/delta``
(series expansion is in ``sandbox.graph.series``). The storage model is described in ``sandbox.graph.routes``'s docstring.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sandbox import ids
from sandbox.errors import GraphError
from sandbox.graph import delta as graph_delta
from sandbox.graph.core import (
    GraphRequest,
    Reply,
    body_type_preference,
    check_id,
    check_if_match,
    convert_body,
    dtz_in,
    dtz_instant,
    fmt_wall,
    item_reply,
    not_found,
    ordered,
    output_zone,
    parse_query_instant,
    parse_wall,
    public_copy,
    require_tz,
    resolve_tz,
    undocumented,
    user_context,
    with_context,
)
from sandbox.graph.model import ENTITIES, validate
from sandbox.graph.query_options import (
    check_options,
    filter_items,
    order_items,
    paged,
    parse_select,
    select_props,
)
from sandbox.graph.recurrence import normalise
from sandbox.graph.series import (
    ICAL_PREFIX,
    UTC,
    event_span,
    event_type,
    exceptions_of,
    find_event,
    series_instances,
    view_instances,
)
from sandbox.state import SandboxState

EVENT_PROPS = list(ENTITIES["event"])
CALENDAR_PROPS = list(ENTITIES["calendar"])
EVENT_TYPE = "Microsoft.OutlookServices.Event"
NEVER = "0001-01-01T00:00:00Z"

EVENT_DEFAULTS: dict[str, Any] = {
    "categories": [],
    "reminderMinutesBeforeStart": 15,
    "isReminderOn": True,
    "hasAttachments": False,
    "subject": "",
    "bodyPreview": "",
    "importance": "normal",
    "sensitivity": "normal",
    "isAllDay": False,
    "isCancelled": False,
    "isOrganizer": True,
    "responseRequested": True,
    "seriesMasterId": None,
    "showAs": "busy",
    "allowNewTimeProposals": True,
    "hideAttendees": False,
    "isDraft": False,
    "isOnlineMeeting": False,
    "onlineMeetingProvider": "unknown",
    "onlineMeetingUrl": None,
    "onlineMeeting": None,
    "transactionId": None,
    "recurrence": None,
    "locations": [],
    "attendees": [],
}


# ---------------------------------------------------------------- calendars
def default_calendar(state: SandboxState) -> dict:
    for cal in state.graph["calendars"].values():
        if cal.get("isDefaultCalendar"):
            return cal
    raise GraphError(404, "ErrorItemNotFound", "The default calendar was not found.")


def get_calendar(state: SandboxState, req: GraphRequest) -> dict:
    cal_id = req.params.get("calendar_id")
    if cal_id is None:
        return default_calendar(state)
    check_id(cal_id)
    cal = state.graph["calendars"].get(cal_id)
    if cal is None:
        raise not_found()
    return cal


def render_calendar(cal: dict, select: list[str] | None = None) -> dict:
    body = {k: v for k, v in public_copy(cal).items() if k != "@odata.etag"}
    return select_props(ordered(body), select)


def list_calendars(state: SandboxState, req: GraphRequest) -> Reply:
    check_options(req)
    select = parse_select(req, CALENDAR_PROPS, "Microsoft.OutlookServices.Calendar")
    items = filter_items(req, list(state.graph["calendars"].values()), CALENDAR_PROPS)
    items = order_items(req, items, CALENDAR_PROPS)
    return paged(state, req, items, user_context(req, "calendars"), lambda c: render_calendar(c, select))


def create_calendar(state: SandboxState, req: GraphRequest) -> Reply:
    data = validate("calendar", req.json())
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise GraphError(400, "ErrorInvalidRequest", "The calendar name must not be empty.")
    if any((c.get("name") or "").lower() == name.lower() for c in state.graph["calendars"].values()):
        raise GraphError(409, "ErrorFolderExists", "A folder with the specified name already exists.")
    user = state.graph.get("user") or {}
    cal = state.graph_create(
        "calendars",
        {
            "name": name,
            "color": data.get("color") or "auto",
            "hexColor": data.get("hexColor") or "",
            "isDefaultCalendar": False,
            "canShare": True,
            "canViewPrivateItems": True,
            "canEdit": True,
            "isRemovable": True,
            "isTallyingResponses": True,
            "allowedOnlineMeetingProviders": ["teamsForBusiness"],
            "defaultOnlineMeetingProvider": "teamsForBusiness",
            "owner": {"name": user.get("displayName", ""), "address": user.get("mail", "")},
        },
    )
    for key in ("createdDateTime", "lastModifiedDateTime"):
        cal.pop(key, None)
    body = with_context(user_context(req, "calendars/$entity"), render_calendar(cal))
    return item_reply(req, body, 201, req.url(path=f"/me/calendars/{cal['id']}"))


def calendar_item(state: SandboxState, req: GraphRequest) -> Reply:
    cal = get_calendar(state, req)
    ctx = user_context(req, "calendars/$entity")
    if req.method == "GET":
        check_options(req, ("select",))
        select = parse_select(req, CALENDAR_PROPS, "Microsoft.OutlookServices.Calendar")
        return item_reply(req, with_context(ctx, render_calendar(cal, select)))
    if req.method == "PATCH":
        data = validate("calendar", req.json())
        updated = state.graph_update("calendars", cal["id"], data)
        return item_reply(req, with_context(ctx, render_calendar(updated)))
    if req.method != "DELETE":  # pragma: no cover - the routes allow GET, PATCH, DELETE
        raise GraphError(405, "BadRequest", "Unsupported HTTP method for this resource.")
    if cal.get("isDefaultCalendar"):
        raise GraphError(400, "ErrorInvalidRequest", "The default calendar can't be deleted.")
    for event in state.graph_items("events", cal["id"]):
        state.graph_delete("events", event["id"])
    state.graph_delete("calendars", cal["id"])
    return Reply(204)


# --------------------------------------------------------------- rendering
class EventView:
    """How one request wants events shown: time zone, body type, selected properties."""

    def __init__(self, req: GraphRequest, select: list[str] | None = None) -> None:
        self.zone = output_zone(req)
        self.body_type = body_type_preference(req)
        self.select = select

    def __call__(self, item: dict) -> dict:
        body = public_copy(item)
        body["type"] = event_type(item)
        if not item.get("isAllDay"):
            for key in ("start", "end"):
                if isinstance(body.get(key), dict):
                    body[key] = dtz_in(body[key], self.zone)
        if "body" in body:
            body["body"] = convert_body(body["body"], self.body_type)
        body.pop("cancelledOccurrences", None)
        if self.select and "cancelledOccurrences" in self.select:
            body["cancelledOccurrences"] = [
                f"OID.{item['id']}.{c[:10]}" for c in item.get("_cancelled") or []
            ]
        return select_props(ordered(body), self.select)


# ---------------------------------------------------------------- writing
def _body_preview(body: Any) -> str:
    if not isinstance(body, dict):
        return ""
    text = convert_body(body, "text").get("content") or ""
    return re.sub(r"\s+", " ", text).strip()[:255]


def _check_dtz(data: dict, key: str) -> None:
    value = data.get(key)
    if value is None:
        return
    if not value.get("dateTime") or not value.get("timeZone"):
        raise GraphError(
            400, "ErrorInvalidRequest", f"The {key} property requires both dateTime and timeZone."
        )
    zone = require_tz(value["timeZone"])
    try:
        data[key] = {"dateTime": fmt_wall(parse_wall(value["dateTime"], zone)), "timeZone": value["timeZone"]}
    except ValueError:
        raise GraphError(
            400,
            "ErrorInvalidRequest",
            f"The value '{value['dateTime']}' of {key}.dateTime is not a valid date and time.",
        ) from None


def prepare_event(data: dict, existing: dict | None, *, series_member: bool = False) -> dict:
    """Check a validated POST/PATCH body against the merged event and return the changes,
    with what Outlook derives (type, original zones, preview, recurrence defaults)."""
    for key in ("start", "end"):
        _check_dtz(data, key)
    if existing is None and (not data.get("start") or not data.get("end")):
        raise GraphError(400, "ErrorInvalidRequest", "An event needs both a start and an end.")
    if series_member and data.get("recurrence"):
        raise GraphError(
            400, "ErrorInvalidRequest", "Recurrence can't be set on an occurrence or exception of a series."
        )
    merged = {**(existing or {}), **data}
    start, end = event_span(merged)
    if end < start:
        raise GraphError(
            400,
            "ErrorInvalidRequest",
            "The end time of the event must be later than or equal to its start time.",
        )
    if merged.get("isAllDay"):
        s_wall = parse_wall(merged["start"]["dateTime"])
        e_wall = parse_wall(merged["end"]["dateTime"])
        if (
            s_wall.time() != datetime.min.time()
            or e_wall.time() != datetime.min.time()
            or merged["start"]["timeZone"] != merged["end"]["timeZone"]
            or e_wall <= s_wall
        ):
            raise GraphError(
                400,
                "ErrorInvalidRequest",
                "Your request can't be completed. If the event is an all-day "
                "event, it must start and end at midnight in the same time zone "
                "and last at least one day.",
            )
    if "start" in data:
        data["originalStartTimeZone"] = data["start"]["timeZone"]
    if "end" in data:
        data["originalEndTimeZone"] = data["end"]["timeZone"]
    if data.get("recurrence"):
        zone = resolve_tz(merged["start"]["timeZone"]) or UTC
        data["recurrence"] = normalise(
            data["recurrence"],
            parse_wall(merged["start"]["dateTime"], zone).date(),
            merged["start"]["timeZone"],
        )
    if "body" in data:
        data["body"] = {
            "contentType": (data["body"] or {}).get("contentType") or "text",
            "content": (data["body"] or {}).get("content") or "",
        }
        data["bodyPreview"] = _body_preview(data["body"])
    if "attendees" in data:
        data["attendees"] = [
            {
                "type": a.get("type") or "required",
                "status": a.get("status") or {"response": "none", "time": NEVER},
                "emailAddress": a.get("emailAddress") or {},
            }
            for a in data["attendees"]
            if isinstance(a, dict)
        ]
    if "location" in data:
        loc = data["location"] or {}
        data["location"] = {
            "displayName": loc.get("displayName") or "",
            "locationType": loc.get("locationType") or "default",
            "uniqueIdType": loc.get("uniqueIdType") or ("private" if loc.get("displayName") else "unknown"),
            **{k: v for k, v in loc.items() if k not in ("displayName", "locationType", "uniqueIdType")},
        }
        if loc.get("displayName") and "locations" not in data:
            data["locations"] = [data["location"]]
    if not series_member and existing is None or not series_member and "recurrence" in data:
        data["type"] = "seriesMaster" if data.get("recurrence") else "singleInstance"
    return data


def _new_event(state: SandboxState, data: dict) -> dict:
    user = state.graph.get("user") or {}
    item_id = ids.graph_id()
    item = {
        **EVENT_DEFAULTS,
        "id": item_id,
        "iCalUId": ICAL_PREFIX + "00000000" + ids.change_key().encode().hex()[:40].upper(),
        "webLink": "https://outlook.office365.com/owa/?itemid="
        f"{quote(item_id, safe='')}&exvsurl=1&path=/calendar/item",
        "responseStatus": {"response": "organizer", "time": NEVER},
        "body": {"contentType": "html", "content": ""},
        "location": {
            "displayName": "",
            "locationType": "default",
            "uniqueIdType": "unknown",
            "address": {},
            "coordinates": {},
        },
        "organizer": {"emailAddress": {"name": user.get("displayName", ""), "address": user.get("mail", "")}},
    }
    item.update(data)
    return item


# ---------------------------------------------------------------- handlers
def _events_context(req: GraphRequest, cal: dict, suffix: str = "events") -> str:
    if cal.get("isDefaultCalendar") and "calendar_id" not in req.params:
        return user_context(req, suffix)
    return user_context(req, f"calendars('{cal['id']}')/{suffix}")


def list_events(state: SandboxState, req: GraphRequest) -> Reply:
    cal = get_calendar(state, req)
    check_options(req)
    select = parse_select(req, EVENT_PROPS, EVENT_TYPE)
    items = [
        i
        for i in state.graph_items("events", cal["id"])
        if event_type(i) in ("singleInstance", "seriesMaster")
    ]
    items = filter_items(req, items, EVENT_PROPS)
    items = order_items(req, items, EVENT_PROPS, _sort_value)
    return paged(state, req, items, _events_context(req, cal), EventView(req, select))


def _sort_value(item: dict, prop: str) -> Any:
    if prop in ("start/dateTime", "end/dateTime"):
        key = prop.split("/")[0]
        return dtz_instant(item[key]) if item.get(key) else None
    return item.get(prop)


def _by_transaction(state: SandboxState, transaction_id: Any) -> dict | None:
    """The live event of this mailbox created with ``transactionId`` (any calendar)."""
    if not transaction_id:
        return None
    for item in state.graph_items("events"):
        if item.get("transactionId") == transaction_id and event_type(item) != "exception":
            return item
    return None


def create_event(state: SandboxState, req: GraphRequest) -> Reply:
    cal = get_calendar(state, req)
    data = prepare_event(validate("event", req.json()), None)
    # transactionId: a client's retry of a create it already made gets the event made then
    # (201 with that event; the event page does not say what Graph answers, see api-notes).
    stored = _by_transaction(state, data.get("transactionId"))
    if stored is None:
        stored = state.graph_create("events", _new_event(state, data), container=cal["id"])
    body = with_context(user_context(req, "events/$entity"), EventView(req)(stored))
    return item_reply(req, body, 201, req.url(path=f"/me/events/{stored['id']}"))


def _bump(state: SandboxState, master: dict) -> None:
    """A change to any occurrence or exception is a change to the series: the master gets a
    new changeKey, which its occurrences share (Exchange: "If either the recurring master or
    any of its occurrences change, the ChangeKey changes. The ChangeKey is the same for the
    recurring master and all occurrences.")."""
    state.graph_update("events", master["id"], {})


def _drop_exceptions(state: SandboxState, master: dict) -> None:
    for exc in exceptions_of(state).get(master["id"], []):
        state.graph_delete("events", exc["id"])


def event_item(state: SandboxState, req: GraphRequest) -> Reply:
    item = find_event(state, req.params["event_id"])
    if "calendar_id" in req.params and item.get("_container") != get_calendar(state, req)["id"]:
        raise not_found()
    ctx = user_context(req, "events/$entity")
    kind = event_type(item)
    if req.method == "GET":
        check_options(req, ("select",))
        select = parse_select(req, EVENT_PROPS, EVENT_TYPE)
        return item_reply(req, with_context(ctx, EventView(req, select)(item)))
    check_if_match(req, item)
    events = state.graph["events"]
    if req.method == "DELETE":
        if kind in ("occurrence", "exception"):
            master = events[item["seriesMasterId"]]
            master.setdefault("_cancelled", []).append(item["originalStart"])
            if kind == "exception":
                state.graph_delete("events", item["id"])
            _bump(state, master)
        else:
            if kind == "seriesMaster":
                _drop_exceptions(state, item)
            state.graph_delete("events", item["id"])
        return Reply(204)
    data = validate("event", req.json())
    if kind == "occurrence":
        # Editing one occurrence turns it into an exception with the same id.
        changes = prepare_event(data, item, series_member=True)
        exception = {k: v for k, v in {**item, **changes}.items() if not k.startswith("_")}
        exception["type"] = "exception"
        stored = state.graph_create("events", exception, container=item["_container"])
        _bump(state, events[item["seriesMasterId"]])  # the series changed: a new shared changeKey
        return item_reply(req, with_context(ctx, EventView(req)(stored)))
    changes = prepare_event(data, item, series_member=kind == "exception")
    if kind == "seriesMaster" and any(k in changes for k in ("start", "end", "recurrence", "isAllDay")):
        _drop_exceptions(state, item)  # Outlook drops exceptions when the series is re-timed
        item.pop("_cancelled", None)
    updated = state.graph_update("events", item["id"], changes)
    if kind == "exception" and item.get("seriesMasterId") in events:
        _bump(state, events[item["seriesMasterId"]])
    return item_reply(req, with_context(ctx, EventView(req)(updated)))


def _window(req: GraphRequest) -> tuple[datetime, datetime]:
    start = parse_query_instant(req, "startDateTime")
    end = parse_query_instant(req, "endDateTime")
    if end < start:
        raise GraphError(
            400, "ErrorInvalidParameter", "The parameter 'EndDateTime' must be later than 'StartDateTime'."
        )
    return start, end


def calendar_view(state: SandboxState, req: GraphRequest) -> Reply:
    cal = get_calendar(state, req)
    check_options(req)
    start, end = _window(req)
    select = parse_select(req, EVENT_PROPS, EVENT_TYPE)
    items = view_instances(state, cal["id"], start, end)
    items = filter_items(req, items, EVENT_PROPS)
    items = order_items(req, items, EVENT_PROPS, _sort_value)
    return paged(state, req, items, _events_context(req, cal, "calendarView"), EventView(req, select))


def instances(state: SandboxState, req: GraphRequest) -> Reply:
    item = find_event(state, req.params["event_id"])
    check_options(req)
    start, end = _window(req)
    select = parse_select(req, EVENT_PROPS, EVENT_TYPE)
    items: list[dict] = []
    if event_type(item) == "seriesMaster":
        items = series_instances(item, exceptions_of(state).get(item["id"], []), start, end)
        items.sort(key=lambda i: (dtz_instant(i["start"]), i["id"]))
    items = filter_items(req, items, EVENT_PROPS)
    ctx = user_context(req, f"events('{item['id']}')/instances")
    return paged(state, req, items, ctx, EventView(req, select))


def _touched(state: SandboxState, calendar_id: str, since: int) -> list[str]:
    """Ids of singles and exceptions of a calendar written or deleted after ``since``."""
    ids_ = [
        i["id"]
        for i in state.graph_items("events", calendar_id)
        if i.get("_seq", 0) > since and event_type(i) in ("singleInstance", "exception")
    ]
    ids_ += [
        t["id"]
        for t in state.graph["tombstones"]
        if t["collection"] == "events"
        and t.get("_container") == calendar_id
        and t["_seq"] > since
        and event_type(t.get("_item") or {}) != "seriesMaster"
    ]
    return ids_


def view_delta(state: SandboxState, req: GraphRequest) -> Reply:
    cal = get_calendar(state, req)
    view = EventView(req)
    return graph_delta.window_delta(
        state,
        req,
        resource=f"calendarView:{cal['id']}",
        window=lambda: _window(req),
        instances=lambda s, e: view_instances(state, cal["id"], s, e),
        render=view,
        touched=lambda since: _touched(state, cal["id"], since),
        options=("top", "skiptoken", "deltatoken"),
    )


def calendar_view_delta(state: SandboxState, req: GraphRequest) -> Reply:
    """Per-calendar calendarView delta: in the delta-query guide, not in the v1.0 reference;
    ``graph_calendar_delta_per_calendar: false`` makes the service refuse it."""
    if not state.config.get("graph_calendar_delta_per_calendar", True):
        undocumented(state, req)
    return view_delta(state, req)


_C = "/me/calendars/{calendar_id}"
ROUTES = [
    (["GET"], "/me/calendars", list_calendars),
    (["POST"], "/me/calendars", create_calendar),
    (["GET"], "/me/calendar", calendar_item),
    (["GET", "PATCH", "DELETE"], _C, calendar_item),
    (["GET"], "/me/calendarView/delta", view_delta),
    (["GET"], "/me/calendar/calendarView/delta", undocumented),
    (["GET"], _C + "/calendarView/delta", calendar_view_delta),
    (["GET"], "/me/calendarView", calendar_view),
    (["GET"], "/me/calendar/calendarView", calendar_view),
    (["GET"], _C + "/calendarView", calendar_view),
    (["GET"], "/me/events", list_events),
    (["POST"], "/me/events", create_event),
    (["GET"], "/me/calendar/events", list_events),
    (["POST"], "/me/calendar/events", create_event),
    (["GET"], _C + "/events", list_events),
    (["POST"], _C + "/events", create_event),
    (["GET"], "/me/events/{event_id}/instances", instances),
    (["GET", "PATCH", "DELETE"], "/me/events/{event_id}", event_item),
    (["GET", "PATCH", "DELETE"], "/me/calendar/events/{event_id}", event_item),
    (["GET", "PATCH", "DELETE"], _C + "/events/{event_id}", event_item),
]

__all__ = ["ROUTES"]
