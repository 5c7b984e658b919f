"""Shared machinery of the Graph emulator: requests, replies, auth, ``Prefer`` headers,
rendering of stored items, time zones and etags (query options are in ``query_options``).

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


def undocumented(state: SandboxState, req: GraphRequest) -> Reply:
    """A path v1.0 does not document (``/me/contacts/delta``...): Graph's docs do not say
    what it answers; the sandbox refuses it with 400 ``BadRequest``."""
    raise bad_request("Unsupported request: this path is not part of Microsoft Graph v1.0.")


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
