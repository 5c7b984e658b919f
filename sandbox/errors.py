"""Error replies in each emulated service's own wire format.

Route code raises one of these exceptions; the server turns it into the body, status and
headers the real service sends (API_CONTRACTS.md sections 2, 3, 7 and 8).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any


class ServiceError(Exception):
    """Base class: a reply that is an error in some service's format."""

    status: int = 400

    def body(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    headers: dict[str, str]


class GraphError(ServiceError):
    """Microsoft Graph: ``{"error": {"code", "message", "innerError": {...}}}``."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})

    def body(self) -> dict:
        return graph_error_body(self.code, self.message)


def graph_error_body(code: str, message: str, request_id: str | None = None) -> dict:
    request_id = request_id or str(uuid.uuid4())
    return {
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                "request-id": request_id,
                "client-request-id": request_id,
            },
        }
    }


class SalesforceError(ServiceError):
    """Salesforce REST: a JSON array of ``{"message", "errorCode", "fields"?}``."""

    def __init__(
        self,
        status: int,
        error_code: str,
        message: str,
        fields: list[str] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(f"{status} {error_code}: {message}")
        self.status = status
        self.error_code = error_code
        self.message = message
        self.fields = fields
        self.headers = dict(headers or {})

    def body(self) -> list:
        item: dict[str, Any] = {"message": self.message, "errorCode": self.error_code}
        if self.fields is not None:
            item["fields"] = list(self.fields)
        return [item]


class OAuthError(ServiceError):
    """OAuth 2.0 token-endpoint error: ``{"error", "error_description", ...}``.

    Entra adds ``error_codes``, ``timestamp``, ``trace_id``, ``correlation_id`` and
    ``error_uri``; pass them as ``extra``.
    """

    def __init__(
        self,
        status: int,
        error: str,
        description: str,
        extra: dict | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(f"{status} {error}: {description}")
        self.status = status
        self.error = error
        self.description = description
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})

    def body(self) -> dict:
        return {"error": self.error, "error_description": self.description, **self.extra}


def entra_error(status: int, error: str, aadsts: int, description: str) -> OAuthError:
    """An Entra ID token error with the extra members real Entra sends."""
    trace = str(uuid.uuid4())
    return OAuthError(
        status,
        error,
        f"AADSTS{aadsts}: {description} Trace ID: {trace} Correlation ID: {trace} "
        f"Timestamp: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M:%SZ')}",
        extra={
            "error_codes": [aadsts],
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ"),
            "trace_id": trace,
            "correlation_id": trace,
            "error_uri": f"https://login.microsoftonline.com/error?code={aadsts}",
        },
    )
