"""Shared machinery of the Graph emulator: requests, replies, auth, query options, ``Prefer``
headers, paging, rendering of stored items, time zones and etags.

Handlers are plain functions ``handler(state, req) -> Reply`` over a transport-free
``GraphRequest``, so the same code serves an HTTP request and a ``$batch`` sub-request.
Errors are raised as ``sandbox.errors.GraphError``.
"""

from __future__ import annotations

import copy
import html
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from sandbox.errors import GraphError
from sandbox.state import SandboxState

GRAPH_VERSION = "/v1.0"

# ------------------------------------------------------------------ errors
NOT_FOUND_MESSAGE = "The specified object was not found in the store."


def not_found() -> GraphError:
    return GraphError(404, "ErrorItemNotFound", NOT_FOUND_MESSAGE)


def bad_request(message: str, code: str = "BadRequest") -> GraphError:
    return GraphError(400, code, message)


def body_read_error(message: str) -> GraphError:
    return GraphError(400, "RequestBodyRead", message)


# ----------------------------------------------------------------- requests
@dataclass
class GraphRequest:
    """One Graph call, from HTTP or from a ``$batch`` envelope."""

    method: str
    path: str  # below /v1.0, e.g. "/me/contacts/AAMk..."
    params: dict[str, str]  # path parameters
    query: list[tuple[str, str]]  # decoded query pairs, in order
    headers: dict[str, str]  # lower-cased names
    body: bytes
    base: str  # "https://127.0.0.1:PORT"
    user: str = ""
    applied: list[str] = field(default_factory=list)  # Preference-Applied entries

    # ----------------------------------------------------------- query options
    def option(self, name: str) -> str | None:
        """A system query option, with or without its ``$`` (v1.0 accepts both)."""
        bare = name.lstrip("$").lower()
        for key, value in self.query:
            if key.lstrip("$").lower() == bare:
                return value
        return None

    def arg(self, name: str) -> str | None:
        """A plain query parameter (``startDateTime``...); names are case-insensitive."""
        low = name.lower()
        for key, value in self.query:
            if key.lower() == low:
                return value
        return None

    # ---------------------------------------------------------------- Prefer
    @property
    def prefer(self) -> dict[str, str]:
        return parse_prefer(self.headers.get("prefer", ""))

    def apply(self, preference: str) -> None:
        if preference not in self.applied:
            self.applied.append(preference)

    def url(self, query: Iterable[tuple[str, str]] | None = None, path: str | None = None) -> str:
        """An absolute URL on the sandbox for ``path`` (default: this one) with ``query``."""
        target = quote(path if path is not None else self.path, safe="/=(),$'")
        text = f"{self.base}{GRAPH_VERSION}{target}"
        pairs = list(query) if query is not None else []
        if pairs:
            text += "?" + urlencode(pairs, safe="$:,'()/", quote_via=quote)
        return text

    def json(self) -> dict:
        """The JSON object body of a POST or PATCH (400s as Graph words them)."""
        if not self.body or not self.body.strip():
            raise bad_request("Empty Payload. JSON content expected.")
        ctype = self.headers.get("content-type", "application/json")
        if "json" not in ctype.lower():
            raise bad_request(
                "Unable to read JSON request payload. Please ensure Content-Type "
                "header is set and payload is of valid JSON format."
            )
        try:
            data = json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            raise bad_request(
                "Unable to read JSON request payload. Please ensure Content-Type "
                "header is set and payload is of valid JSON format."
            ) from None
        if not isinstance(data, dict):
            raise body_read_error(
                "An unexpected 'StartArray' node was found when reading from "
                "the JSON reader. A 'StartObject' node was expected."
                if isinstance(data, list)
                else "An unexpected 'PrimitiveValue' node was found when reading "
                "from the JSON reader. A 'StartObject' node was expected."
            )
        return data


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[SandboxState, GraphRequest], Reply]


def parse_prefer(header: str) -> dict[str, str]:
    """``Prefer`` preferences by lower-cased name; quoted values unquoted."""
    out: dict[str, str] = {}
    for part in re.findall(r'(?:[^,"]|"[^"]*")+', header or ""):
        part = part.strip()
        if not part:
            continue
        name, _, value = part.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        out[name.strip().lower()] = value
    return out


# ------------------------------------------------------------------- auth
def authenticate(state: SandboxState, authorization: str | None, base: str) -> str:
    """The user a bearer token belongs to, or a 401 as Graph sends it."""
    check = state.tokens.check("microsoft", authorization)
    if check.user is not None:
        return check.user
    messages = {
        "missing": "Access token is empty.",
        "unknown": "IDX14100: JWT is not well formed, there are no dots (.).",
        "expired": "Lifetime validation failed, the token is expired.",
        "revoked": "Access token has expired or is not yet valid.",
    }
    www = (
        f'Bearer realm="", authorization_uri="{base}/common/oauth2/authorize", '
        f'client_id="00000003-0000-0000-c000-000000000000"'
    )
    raise GraphError(
        401,
        "InvalidAuthenticationToken",
        messages.get(check.reason, "Access token has expired or is not yet valid."),
        headers={"WWW-Authenticate": www},
    )


# --------------------------------------------------------------- time zones
WINDOWS_TO_IANA = {
    "utc": "UTC",
    "coordinated universal time": "UTC",
    "tzone://microsoft/utc": "UTC",
    "gmt standard time": "Europe/London",
    "greenwich standard time": "Atlantic/Reykjavik",
    "w. europe standard time": "Europe/Berlin",
    "romance standard time": "Europe/Paris",
    "central europe standard time": "Europe/Budapest",
    "central european standard time": "Europe/Warsaw",
    "e. europe standard time": "Europe/Chisinau",
    "fle standard time": "Europe/Kiev",
    "gtb standard time": "Europe/Bucharest",
    "russian standard time": "Europe/Moscow",
    "turkey standard time": "Europe/Istanbul",
    "israel standard time": "Asia/Jerusalem",
    "south africa standard time": "Africa/Johannesburg",
    "arabian standard time": "Asia/Dubai",
    "india standard time": "Asia/Kolkata",
    "singapore standard time": "Asia/Singapore",
    "china standard time": "Asia/Shanghai",
    "tokyo standard time": "Asia/Tokyo",
    "korea standard time": "Asia/Seoul",
    "aus eastern standard time": "Australia/Sydney",
    "e. australia standard time": "Australia/Brisbane",
    "new zealand standard time": "Pacific/Auckland",
    "eastern standard time": "America/New_York",
    "central standard time": "America/Chicago",
    "mountain standard time": "America/Denver",
    "us mountain standard time": "America/Phoenix",
    "pacific standard time": "America/Los_Angeles",
    "alaskan standard time": "America/Anchorage",
    "hawaiian standard time": "Pacific/Honolulu",
    "atlantic standard time": "America/Halifax",
    "e. south america standard time": "America/Sao_Paulo",
    "sa pacific standard time": "America/Bogota",
    "central standard time (mexico)": "America/Mexico_City",
    "canada central standard time": "America/Regina",
}
WINDOWS_NAMES = {
    "UTC": "UTC",
    "Europe/London": "GMT Standard Time",
    "Europe/Berlin": "W. Europe Standard Time",
    "Europe/Paris": "Romance Standard Time",
    "America/New_York": "Eastern Standard Time",
    "America/Chicago": "Central Standard Time",
    "America/Denver": "Mountain Standard Time",
    "America/Los_Angeles": "Pacific Standard Time",
    "Asia/Tokyo": "Tokyo Standard Time",
}
_TZ_CACHE: dict[str, ZoneInfo | None] = {}


def resolve_tz(name: str | None) -> ZoneInfo | None:
    """A Windows or IANA time zone name as a ZoneInfo, or None when unknown."""
    if not name or not isinstance(name, str):
        return None
    key = name.strip()
    if key in _TZ_CACHE:
        return _TZ_CACHE[key]
    iana = WINDOWS_TO_IANA.get(key.lower(), key)
    zone: ZoneInfo | None
    if iana.upper() in ("UTC", "ETC/UTC", "GMT", "Z"):
        iana = "UTC"
    try:
        zone = ZoneInfo(iana) if re.fullmatch(r"[A-Za-z][A-Za-z0-9_+\-/]*", iana) else None
    except Exception:  # ZoneInfoNotFoundError, ValueError, IsADirectoryError...
        zone = None
    _TZ_CACHE[key] = zone
    return zone


def require_tz(name: Any) -> ZoneInfo:
    zone = resolve_tz(name) if isinstance(name, str) else None
    if zone is None:
        raise GraphError(
            400,
            "TimeZoneNotSupportedException",
            "A valid TimeZone value must be specified. The following TimeZone value "
            f"is not supported: '{name}'.",
        )
    return zone


_WALL_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?"
)


def parse_wall(text: Any, zone: ZoneInfo | None = None) -> datetime:
    """A ``dateTimeTimeZone.dateTime`` as a naive wall-clock time (ValueError when malformed).

    A trailing ``Z`` or offset is honoured: the instant is shown in ``zone``."""
    if not isinstance(text, str):
        raise ValueError("not a string")
    m = _WALL_RE.fullmatch(text.strip())
    if not m:
        raise ValueError(text)
    y, mo, d, hh, mm, ss, frac, off = m.groups()
    micro = int((frac or "0")[:6].ljust(6, "0"))
    wall = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0), micro)
    if off:
        if off == "Z":
            offset = timedelta(0)
        else:
            sign = -1 if off[0] == "-" else 1
            digits = off[1:].replace(":", "")
            offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        instant = wall.replace(tzinfo=timezone(offset))
        wall = instant.astimezone(zone or UTC).replace(tzinfo=None)
    return wall


def fmt_wall(wall: datetime) -> str:
    """Graph wall-clock format: 7 fractional digits, no offset."""
    return wall.strftime("%Y-%m-%dT%H:%M:%S.") + f"{wall.microsecond:06d}0"


def fmt_instant(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def dtz_instant(value: dict) -> datetime:
    """The UTC instant of a stored ``dateTimeTimeZone``."""
    zone = resolve_tz(value.get("timeZone")) or ZoneInfo("UTC")
    wall = parse_wall(value.get("dateTime"), zone)
    return wall.replace(tzinfo=zone).astimezone(UTC)


def dtz_in(value: dict | None, zone_name: str) -> dict | None:
    """A stored ``dateTimeTimeZone`` shown in another zone (label = the name asked for)."""
    if not isinstance(value, dict) or not value.get("dateTime"):
        return value
    zone = resolve_tz(zone_name) or ZoneInfo("UTC")
    try:
        moment = dtz_instant(value)
    except ValueError:
        return value
    return {"dateTime": fmt_wall(moment.astimezone(zone).replace(tzinfo=None)), "timeZone": zone_name}


def output_zone(req: GraphRequest) -> str:
    """The zone named by ``Prefer: outlook.timezone`` (recorded as applied), else UTC."""
    name = req.prefer.get("outlook.timezone")
    if name and resolve_tz(name) is not None:
        req.apply(f'outlook.timezone="{name}"')
        return name
    return "UTC"


def parse_query_instant(req: GraphRequest, name: str) -> datetime:
    """``startDateTime``/``endDateTime``: ISO 8601; without an offset it is UTC."""
    raw = req.arg(name)
    if raw is None or raw == "":
        raise bad_request(
            "This request requires a time window specified by the query string "
            "parameters StartDateTime and EndDateTime.",
            "ErrorInvalidParameter",
        )
    try:
        wall = parse_wall(raw.replace(" ", "+"), ZoneInfo("UTC"))
    except ValueError:
        raise bad_request(
            f"The parameter '{name}' has an invalid value '{raw}'.", "ErrorInvalidParameter"
        ) from None
    return wall.replace(tzinfo=UTC)


# ------------------------------------------------------------------- etags
def etag_matches(header: str | None, etag: str | None) -> bool:
    """``If-Match`` against an item's ``@odata.etag`` (weak comparison, ``*`` matches)."""
    if header is None:
        return True
    want = _etag_value(etag or "")
    for part in header.split(","):
        part = part.strip()
        if part == "*" or (want and _etag_value(part) == want):
            return True
    return False


def _etag_value(tag: str) -> str:
    tag = tag.strip()
    if tag.startswith("W/"):
        tag = tag[2:]
    return tag.strip('"')


def check_if_match(req: GraphRequest, item: dict) -> None:
    if not etag_matches(req.headers.get("if-match"), item.get("@odata.etag")):
        raise GraphError(
            412,
            "ErrorIrresolvableConflict",
            "The send or update operation could not be performed because the change "
            "key passed in the request does not match the current change key for the "
            "item.",
        )


_ID_RE = re.compile(r"[A-Za-z0-9+/_=\-.]+")


def check_id(item_id: str) -> None:
    if not _ID_RE.fullmatch(item_id or ""):
        raise bad_request("Id is malformed.", "ErrorInvalidIdMalformed")


# ------------------------------------------------------------ query options
KNOWN_OPTIONS = {
    "select",
    "top",
    "skip",
    "filter",
    "orderby",
    "count",
    "expand",
    "search",
    "skiptoken",
    "deltatoken",
    "format",
}


def check_options(
    req: GraphRequest, allowed: Iterable[str] = ("select", "top", "skip", "filter", "orderby", "count")
) -> None:
    allowed = set(allowed)
    for key, _ in req.query:
        if not key.startswith("$"):
            continue
        name = key[1:].lower()
        if name not in KNOWN_OPTIONS:
            raise bad_request(
                f"Query option '{key[1:]}' is not allowed. To include a query "
                f"parameter with a name starting with '$', escape the name."
            )
        if name not in allowed:
            raise bad_request(
                f"The query option '${name}' is not supported on this resource "
                f"(or not by the Tandem sandbox).",
                "ErrorInvalidUrlQuery",
            )


def int_option(req: GraphRequest, name: str) -> int | None:
    raw = req.option(name)
    if raw is None:
        return None
    if not re.fullmatch(r"\d+", raw.strip()):
        raise bad_request(
            f"Invalid value '{raw}' for ${name} query option found. The ${name} "
            f"query option requires a non-negative integer value."
        )
    return int(raw)


def page_size(state: SandboxState, req: GraphRequest, *, delta: bool = False) -> int:
    """The page size from ``$top`` and ``Prefer: odata.maxpagesize`` (recorded as applied)."""
    cfg = state.config
    top = int_option(req, "top")
    cap = int(cfg["graph_delta_page_max"] if delta else cfg["graph_page_max"])
    if top is not None and top > int(cfg["graph_page_max"]) and not delta:
        raise bad_request(
            f"The value of $top query parameter must be less than or equal to {cfg['graph_page_max']}.",
            "ErrorInvalidUrlQuery",
        )
    size = top if top is not None else int(cfg["graph_page_default"])
    raw = req.prefer.get("odata.maxpagesize")
    if raw is not None and re.fullmatch(r"\d+", raw) and int(raw) > 0:
        wanted = int(raw)
        applied = min(wanted, cap)
        req.apply(f"odata.maxpagesize={applied}")
        size = applied if top is None else min(size, applied)
    return max(1, min(size, cap))


def paged(
    state: SandboxState, req: GraphRequest, items: list, context: str, render: Callable[[dict], dict]
) -> Reply:
    """A plain (non-delta) collection page with ``$skip`` paging and ``@odata.nextLink``."""
    size = page_size(state, req)
    skip = int_option(req, "skip") or 0
    chunk = items[skip : skip + size]
    body: dict[str, Any] = {"@odata.context": context}
    if (req.option("count") or "").lower() == "true":
        body["@odata.count"] = len(items)
    body["value"] = [render(i) for i in chunk]
    if skip + size < len(items):
        query = [(k, v) for k, v in req.query if k.lstrip("$").lower() != "skip"]
        query.append(("$skip", str(skip + size)))
        body["@odata.nextLink"] = req.url(query)
    return Reply(200, body)


def parse_select(req: GraphRequest, props: Iterable[str], type_name: str) -> list[str] | None:
    raw = req.option("select")
    if raw is None:
        return None
    known = {p.lower(): p for p in props}
    out = []
    for name in (p.strip() for p in raw.split(",")):
        if not name:
            continue
        if name.lower() not in known:
            raise bad_request(
                f"Could not find a property named '{name}' on type '{type_name}'.", "RequestBroker--ParseUri"
            )
        out.append(known[name.lower()])
    return out


def select_props(body: dict, select: list[str] | None) -> dict:
    if select is None:
        return body
    out = {k: v for k, v in body.items() if k.startswith("@")}
    out["id"] = body.get("id")
    for name in select:
        out[name] = body.get(name)
    return out


# ---------------------------------------------------------- $filter/$orderby
_ANY_EMAIL = re.compile(
    r"\s*emailAddresses/any\(\s*(\w+)\s*:\s*\1/address\s+eq\s+'((?:[^']|'')*)'\s*\)\s*", re.IGNORECASE
)
_SIMPLE = re.compile(r"\s*(\w+)\s+(eq|ne)\s+('(?:[^']|'')*'|true|false|null)\s*", re.IGNORECASE)


def filter_items(
    req: GraphRequest, items: list[dict], props: Iterable[str], emails: bool = False
) -> list[dict]:
    """``$filter``: ``emailAddresses/any(a:a/address eq 'x')`` (contacts) and
    ``prop eq|ne literal`` terms joined by ``and``. Anything else is a 400."""
    raw = req.option("filter")
    if raw is None:
        return items
    known = {p.lower(): p for p in props}
    tests: list[Callable[[dict], bool]] = []
    for term in re.split(r"\s+and\s+", raw.strip(), flags=re.IGNORECASE):
        m = _ANY_EMAIL.fullmatch(term) if emails else None
        if m:
            address = m.group(2).replace("''", "'").lower()
            tests.append(
                lambda i, a=address: any(
                    isinstance(e, dict) and str(e.get("address") or "").lower() == a
                    for e in i.get("emailAddresses") or []
                )
            )
            continue
        m = _SIMPLE.fullmatch(term)
        if m and m.group(1).lower() in known:
            prop, op, lit = known[m.group(1).lower()], m.group(2).lower(), m.group(3)
            value: Any
            if lit.startswith("'"):
                value = lit[1:-1].replace("''", "'")
            else:
                value = {"true": True, "false": False, "null": None}[lit.lower()]

            def test(i: dict, prop: str = prop, op: str = op, value: Any = value) -> bool:
                have = i.get(prop)
                if isinstance(have, str) and isinstance(value, str):
                    same = have.lower() == value.lower()
                else:
                    same = have == value
                return same if op == "eq" else not same

            tests.append(test)
            continue
        raise bad_request(
            "The query filter contains one or more invalid nodes.", "ErrorInvalidUrlQueryFilter"
        )
    return [i for i in items if all(t(i) for t in tests)]


def order_items(
    req: GraphRequest,
    items: list[dict],
    props: Iterable[str],
    key_of: Callable[[dict, str], Any] | None = None,
) -> list[dict]:
    raw = req.option("orderby")
    if raw is None:
        return items
    known = {p.lower(): p for p in props}
    known.update(
        {
            "start/datetime": "start/dateTime",
            "end/datetime": "end/dateTime",
            "duedatetime/datetime": "dueDateTime/dateTime",
        }
    )
    keys = []
    for part in raw.split(","):
        bits = part.strip().split()
        if (
            not bits
            or bits[0].lower() not in known
            or len(bits) > 2
            or (len(bits) == 2 and bits[1].lower() not in ("asc", "desc"))
        ):
            raise bad_request(
                f"The $orderby expression '{part.strip()}' is not supported.", "ErrorInvalidUrlQuery"
            )
        keys.append((known[bits[0].lower()], len(bits) == 2 and bits[1].lower() == "desc"))
    out = list(items)
    for prop, desc in reversed(keys):

        def sort_key(i: dict, prop: str = prop) -> tuple:
            if key_of is not None:
                v = key_of(i, prop)
            elif "/" in prop:
                head, tail = prop.split("/", 1)
                v = (i.get(head) or {}).get(tail)
            else:
                v = i.get(prop)
            if isinstance(v, str):
                v = v.lower()
            return (v is None, v if v is not None else 0)

        out.sort(key=sort_key, reverse=desc)
    return out


# ---------------------------------------------------------------- rendering
def ordered(body: dict) -> dict:
    """``@odata.*`` annotations first, then ``id``, then the rest (Graph's order)."""
    head = {k: body[k] for k in body if k.startswith("@")}
    if "id" in body:
        head["id"] = body["id"]
    head.update({k: v for k, v in body.items() if k not in head})
    return head


def convert_body(value: Any, wanted: str | None) -> Any:
    """``Prefer: outlook.body-content-type``: turn an itemBody into text or HTML."""
    if not isinstance(value, dict) or wanted not in ("text", "html"):
        return value
    have = (value.get("contentType") or "text").lower()
    content = value.get("content") or ""
    if have == wanted:
        return value
    if wanted == "text":
        text = re.sub(r"(?is)<(script|style).*?</\1>", "", content)
        text = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\r\n", text)
        text = re.sub(r"<[^>]+>", "", text)
        return {"contentType": "text", "content": html.unescape(text).strip()}
    escaped = html.escape(content).replace("\n", "<br>")
    return {
        "contentType": "html",
        "content": '<html><head><meta http-equiv="Content-Type" content="text/html; '
        'charset=utf-8"></head><body>' + escaped + "</body></html>",
    }


def body_type_preference(req: GraphRequest) -> str | None:
    wanted = (req.prefer.get("outlook.body-content-type") or "").lower()
    if wanted in ("text", "html"):
        req.apply(f'outlook.body-content-type="{wanted}"')
        return wanted
    return None


def public_copy(item: dict) -> dict:
    return {k: copy.deepcopy(v) for k, v in item.items() if not k.startswith("_")}


def user_context(req: GraphRequest, suffix: str) -> str:
    return f"{req.base}{GRAPH_VERSION}/$metadata#users('{req.user}')/{suffix}"


def prune_tokens(state: SandboxState, limit: int = 5000) -> None:
    """Keep the delta-token table bounded (oldest first out, like any expiring sync state)."""
    tokens = state.graph["deltaTokens"]
    if len(tokens) > limit:
        for key in list(tokens)[: len(tokens) - limit + limit // 5]:
            tokens.pop(key, None)


def item_reply(req: GraphRequest, body: dict, status: int = 200, location: str | None = None) -> Reply:
    """A single entity: ``@odata.context`` first, ``ETag`` header, ``Location`` on create."""
    headers: dict[str, str] = {}
    if body.get("@odata.etag"):
        headers["ETag"] = body["@odata.etag"]
    if location:
        headers["Location"] = location
    return Reply(status, body, headers)


def with_context(context: str, body: dict) -> dict:
    return {"@odata.context": context, **body}
