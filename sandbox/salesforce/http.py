"""The Salesforce REST API's plumbing: API versions, one call as ``SfRequest``, its ``Reply``
and the ``Router`` that maps paths below ``/services/data/vNN.0/`` to resource handlers.

The resources (``sandbox.salesforce.routes``, ``.query``, ``.collections``) all build on it, so
the Composite resource can run sub-requests through the same router as plain calls.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import Headers, QueryParams
from starlette.responses import Response
from starlette.types import Scope

from sandbox.errors import SalesforceError
from sandbox.responses import sf_json
from sandbox.salesforce.records import Ctx, bad_request, not_found

OLDEST_VERSION, NEWEST_VERSION = 20, 67
VERSIONS = [f"{v}.0" for v in range(OLDEST_VERSION, NEWEST_VERSION + 1)]
_SEASONS = ("Winter", "Spring", "Summer")
METHODS = ["GET", "HEAD", "POST", "PATCH", "PUT", "DELETE"]


def release_label(version: str) -> str:
    """``67.0`` -> ``Summer '26`` (three releases a year; v62.0 was Winter '25)."""
    k = int(float(version)) - 62
    return f"{_SEASONS[k % 3]} '{25 + k // 3:02d}"


def base_url_of(request_headers: Headers, scope: Scope) -> str:
    """``https://host[:port]`` as the client addressed the sandbox (from the Host header)."""
    host = request_headers.get("host")
    if not host:
        server = scope.get("server") or ("127.0.0.1", 443)
        host = f"{server[0]}:{server[1]}"
    return f"https://{host}"


# ---------------------------------------------------------------------------- the router
@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class SfRequest:
    """One call to a REST resource, from HTTP or from a Composite sub-request."""

    ctx: Ctx
    method: str
    params: dict[str, str]
    query: QueryParams
    headers: Headers
    raw_body: bytes = b""
    parsed_body: Any = None
    has_parsed_body: bool = False

    def json(self) -> Any:
        if self.has_parsed_body:
            return self.parsed_body
        return parse_json(self.raw_body)


class _NonStandard(ValueError):
    pass


def _non_standard(token: str) -> Any:
    raise _NonStandard(
        f"Non-standard token '{token}': enable JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS to allow"
    )


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _NonStandard(f"Numeric value ({text}) out of range of double")
    return value


def parse_json(raw: bytes) -> Any:
    """The request body as JSON, or JSON_PARSER_ERROR worded as Salesforce's (Jackson) parser."""
    text = raw.decode("utf-8", errors="replace")
    if not text.strip():
        raise bad_request("JSON_PARSER_ERROR", "No content to map due to end-of-input at [line:1, column:0]")
    try:
        return json.loads(text, parse_constant=_non_standard, parse_float=_finite)
    except _NonStandard as exc:
        raise bad_request("JSON_PARSER_ERROR", f"{exc} at [line:1, column:1]") from None
    except json.JSONDecodeError as exc:
        where = f"at [line:{exc.lineno}, column:{exc.colno}]"
        if exc.pos >= len(text):
            message = f"Unexpected end-of-input: expected close marker for OBJECT {where}"
        else:
            ch = text[exc.pos]
            reason = {
                "Expecting property name enclosed in double quotes": "was expecting double-quote to start field name",
                "Expecting value": "expected a valid value (number, String, array, object, "
                "'true', 'false' or 'null')",
                "Expecting ',' delimiter": "was expecting comma to separate Object entries",
                "Expecting ':' delimiter": "was expecting a colon to separate field name and value",
            }.get(exc.msg, exc.msg)
            message = f"Unexpected character ('{ch}' (code {ord(ch)})): {reason} {where}"
        raise bad_request("JSON_PARSER_ERROR", message) from None


Handler = Callable[[SfRequest], Reply]


class Router:
    """Paths below ``/services/data/vNN.0/`` -> handlers, with Salesforce's 404 and 405."""

    def __init__(self) -> None:
        self.table: list[tuple[re.Pattern, str, dict[str, Handler]]] = []

    def add(self, pattern: str, template: str, methods: dict[str, Handler]) -> None:
        self.table.append((re.compile(pattern + r"/?\Z"), template, methods))

    def match(self, rest: str, method: str) -> tuple[Handler | None, dict[str, str], str, list[str]]:
        """``(handler, path params, template, allowed methods)``; handler None: 405."""
        for regex, template, methods in self.table:
            m = regex.match(rest)
            if m is not None:
                return (
                    methods.get("GET" if method == "HEAD" else method),
                    m.groupdict(),
                    template,
                    list(methods),
                )
        raise not_found()

    def dispatch(self, req: SfRequest, rest: str) -> tuple[Reply, str]:
        """Run the resource at ``rest``; errors become replies. Returns the reply and the path template."""
        template = "/services/data/v{version}/" + rest
        try:
            handler, params, template, allowed = self.match(rest, req.method)
            if handler is None:
                raise SalesforceError(
                    405,
                    "METHOD_NOT_ALLOWED",
                    f"HTTP Method '{req.method}' not allowed. Allowed are {','.join(allowed)}",
                    headers={"Allow": ", ".join(allowed)},
                )
            req.params = params
            with req.ctx.state.lock:
                return handler(req), template
        except SalesforceError as exc:
            return Reply(exc.status, exc.body(), exc.headers), template


def split_versioned(path: str) -> tuple[str, str]:
    """``/services/data/v67.0/sobjects/`` -> ``("67.0", "sobjects/")``; 404 for other versions."""
    m = re.match(r"/services/data/v(\d+\.\d+)(?:/(.*))?\Z", path)
    if m is None or m.group(1) not in VERSIONS:
        raise not_found()
    return m.group(1), m.group(2) or ""


def to_response(reply: Reply, method: str) -> Response:
    if method == "HEAD":
        return Response(status_code=reply.status, headers=reply.headers)
    return sf_json(reply.body, reply.status, reply.headers)
