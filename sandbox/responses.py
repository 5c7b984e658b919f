"""Response builders with each service's headers, and the service a path belongs to."""

from __future__ import annotations

import json
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

GRAPH_CONTENT_TYPE = (
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
)


def service_of(path: str) -> str:
    """Which emulated service serves ``path``: graph, salesforce, salesforce_auth, entra, control."""
    if path.startswith("/_sandbox"):
        return "control"
    if path.startswith("/v1.0/") or path == "/v1.0" or path.startswith("/beta/"):
        return "graph"
    if path.startswith("/services/data"):
        return "salesforce"
    if (
        path.startswith("/services/oauth2")
        or path.startswith("/id/")
        or path in ("/setup/connect", "/.well-known/openid-configuration")
    ):
        return "salesforce_auth"
    return "entra"


def _dumps(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def graph_json(
    request: Request | None, data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A Graph reply: OData content type, ``request-id``/``client-request-id``, OData-Version."""
    request_id = str(uuid.uuid4())
    client_request_id = (request.headers.get("client-request-id") if request else None) or request_id
    hdrs = {"request-id": request_id, "client-request-id": client_request_id, "OData-Version": "4.0"}
    hdrs.update(headers or {})
    if status == 204 or data is None:
        return Response(status_code=status, headers=hdrs)
    return Response(_dumps(data), status_code=status, headers=hdrs, media_type=GRAPH_CONTENT_TYPE)


def sf_json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A Salesforce REST reply (``Sforce-Limit-Info`` is added by the Salesforce middleware)."""
    if status == 204 or data is None:
        return Response(status_code=status, headers=headers or {})
    return Response(
        _dumps(data), status_code=status, headers=headers or {}, media_type="application/json;charset=UTF-8"
    )


def oauth_json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A token-endpoint reply; never cached, as the OAuth spec asks."""
    hdrs = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    hdrs.update(headers or {})
    return Response(
        _dumps(data), status_code=status, headers=hdrs, media_type="application/json;charset=utf-8"
    )
