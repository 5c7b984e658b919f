"""The emulator's ASGI application: the services' routes behind one middleware.

The middleware does what every service does around its handlers: it counts requests per
service and endpoint (for the tests' API-economy checks), adds the configured latency,
injects faults from a seeded random source (429 with Retry-After, 503, dropped connections),
enforces Graph's limit of 4 concurrent requests per mailbox, and turns any error into the
service's own error format — never a 500 with a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import UTC
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox import console, control, entra
from sandbox.errors import GraphError, OAuthError, SalesforceError, ServiceError, graph_error_body
from sandbox.graph import routes as graph
from sandbox.graph.concurrency import RETRY_AFTER_S, mailbox_of
from sandbox.graph.concurrency import release as release_slot
from sandbox.graph.concurrency import take as take_slot
from sandbox.responses import graph_json, oauth_json, service_of, sf_json
from sandbox.salesforce import oauth as sf_oauth
from sandbox.salesforce import routes as salesforce
from sandbox.state import SandboxState

log = logging.getLogger("sandbox")


# Each module exposes ``routes(state) -> list[Route]`` (and optionally ``middleware(app, state)``).
class DroppedConnection(Exception):
    """Raised after a partial response so the server closes the connection: a network drop."""


def error_response(service: str, request: Request | None, status: int, *, detail: str = "") -> Response:
    """The error body a service sends for a bare HTTP status (unknown path, bad method, crash)."""
    if status == 504 and service in ("graph", "salesforce"):
        # A gateway's page, not the service's JSON: the gateway gave up waiting for it.
        return Response(
            "<html><body><h1>504 Gateway Time-out</h1></body></html>", 504, media_type="text/html"
        )
    if service == "graph":
        if status == 404:
            code, msg = "BadRequest", f"Resource not found for the segment '{detail}'."
            status = 400
        elif status == 405:
            code, msg = "BadRequest", "Unsupported HTTP method for this resource."
        elif status == 429:
            code, msg = "ApplicationThrottled", "Application is over its MailboxConcurrency limit."
        elif status == 503:
            code, msg = "serviceNotAvailable", "The service is temporarily unavailable. Try again later."
        else:
            code, msg = "generalException", "An unexpected error occurred while processing the request."
        return graph_json(request, graph_error_body(code, msg), status)
    if service == "salesforce":
        if status == 404:
            body = [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]
        elif status == 405:
            body = [
                {
                    "errorCode": "METHOD_NOT_ALLOWED",
                    "message": f"HTTP Method '{request.method if request else ''}' not allowed.",
                }
            ]
        elif status in (429, 503):
            body = [
                {
                    "errorCode": "SERVER_UNAVAILABLE",
                    "message": "Server temporarily unavailable; please try again later.",
                }
            ]
        else:
            body = [
                {
                    "errorCode": "UNKNOWN_EXCEPTION",
                    "message": "An unexpected error occurred. Please include this ErrorId if you "
                    "contact support: 1234567890-12345 (-1234567890)",
                }
            ]
        return sf_json(body, status)
    if service in ("entra", "salesforce_auth"):
        error = {
            404: "invalid_request",
            405: "invalid_request",
            429: "temporarily_unavailable",
            503: "temporarily_unavailable",
        }.get(status, "server_error")
        return oauth_json({"error": error, "error_description": detail or f"HTTP {status}"}, status)
    return Response(json.dumps({"error": detail or f"HTTP {status}"}), status, media_type="application/json")


async def _service_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceError)
    body = exc.body()
    if isinstance(exc, GraphError):
        return graph_json(request, body, exc.status, exc.headers)
    if isinstance(exc, SalesforceError):
        return sf_json(body, exc.status, exc.headers)
    if isinstance(exc, OAuthError):
        return oauth_json(body, exc.status, exc.headers)
    return Response(json.dumps(body), exc.status, exc.headers, media_type="application/json")


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    service = service_of(request.url.path)
    segment = request.url.path.rstrip("/").rsplit("/", 1)[-1]
    return error_response(
        service,
        request,
        exc.status_code,
        detail=str(exc.detail or segment) if service != "graph" else segment,
    )


async def _crash(request: Request, exc: Exception) -> Response:
    """Any unexpected error: the service's own 500 body (the middleware logs the traceback)."""
    return error_response(service_of(request.url.path), request, 500)


class SandboxMiddleware:
    """Accounting, latency, faults, Graph concurrency and the last-resort error net."""

    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = self._dated(send)
        state = self.state
        path = scope["path"]
        service = service_of(path)
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                if not started and service != "control":
                    # Counted before the reply leaves, so a client that reads the counts
                    # right after a response always sees its own request.
                    self._count(scope, service)
                started = True
            await send(message)

        if service == "control":
            await self._guarded(scope, receive, tracking_send, service, lambda: started)
            return

        # A Graph call holds its mailbox's slot for its whole service time (latency included);
        # a $batch envelope holds none: its sub-requests take theirs (sandbox.graph.batch).
        mailbox = None
        if service == "graph" and not _is_batch(path):
            mailbox = mailbox_of(state, path)
            if not take_slot(state, mailbox):
                self._count(scope, service, fault="concurrency")
                resp = error_response("graph", None, 429)
                resp.headers["Retry-After"] = RETRY_AFTER_S
                await resp(scope, receive, send)
                return
        try:
            await self._serve(scope, receive, send, service, tracking_send, lambda: started)
        finally:
            if mailbox is not None:
                release_slot(state, mailbox)

    def _dated(self, send: Send) -> Send:
        """Every reply carries ``Date`` (RFC 9110) by the sandbox's clock, which tests move:
        clients read the services' "now" from it (uvicorn's own Date header is off)."""

        async def dated_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                stamp = format_datetime(self.state.now().astimezone(UTC), usegmt=True)
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"date"]
                message = {**message, "headers": [*headers, (b"date", stamp.encode())]}
            await send(message)

        return dated_send

    async def _serve(
        self, scope: Scope, receive: Receive, send: Send, service: str, tracking_send: Send, started: Any
    ) -> None:
        state = self.state
        path = scope["path"]
        latency = state.faults.get("latency_ms", 0)
        if latency and not (service == "graph" and _is_batch(path)):
            await asyncio.sleep(latency / 1000)

        targeted = state.take_fault(service, scope["method"], path) if service != "control" else None
        fault = targeted["kind"] if targeted else self._draw_fault()
        try:
            if fault in ("429", "503", "504"):
                resp = error_response(service, None, int(fault))
                if fault != "504" and (targeted is None or targeted["retry_after"]):
                    resp.headers["Retry-After"] = "1"
                self._count(scope, service, fault=fault)
                await resp(scope, receive, send)
                return
            if fault == "drop":
                self._count(scope, service, fault=fault)
                await self._drop(send)

            if fault in ("drop_after", "504_after"):
                # The request is processed, then the reply is lost on the way back (or a
                # gateway in between gave up waiting and answers 504 instead).
                async def swallow(message: Message) -> None:
                    return None

                await self._guarded(scope, receive, swallow, service, lambda: False)
                self._count(scope, service, fault=fault)
                if fault == "504_after":
                    await error_response(service, None, 504)(scope, receive, send)
                    return
                await self._drop(send)
            await self._guarded(scope, receive, tracking_send, service, started)
        except DroppedConnection:
            raise

    async def _guarded(self, scope: Scope, receive: Receive, send: Send, service: str, started: Any) -> None:
        try:
            await self.app(scope, receive, send)
        except DroppedConnection:
            raise
        except Exception:  # the last-resort net: the service's own 500, never a traceback
            log.exception("sandbox: unhandled error in %s %s", scope.get("method"), scope["path"])
            if not started():
                await error_response(service, None, 500)(scope, receive, send)

    @staticmethod
    async def _drop(send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-length", b"1000"), (b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": b"{", "more_body": True})
        raise DroppedConnection()

    def _draw_fault(self) -> str | None:
        faults = self.state.faults
        rate = faults.get("fault_rate", 0.0)
        if not rate or not faults.get("kinds"):
            return None
        with self.state.lock:
            if self.state.rng.random() >= rate:
                return None
            return self.state.rng.choice(faults["kinds"])

    def _count(self, scope: Scope, service: str, fault: str | None = None) -> None:
        route = scope.get("route")
        template = getattr(route, "path", None) or scope["path"]
        endpoint = f"{scope['method']} {template}"
        if fault:
            endpoint += f" [fault {fault}]"
        with self.state.lock:
            self.state.requests[(service, endpoint)] += 1


def _is_batch(path: str) -> bool:
    return path.rstrip("/").lower().endswith("/$batch")


def create_app(state: SandboxState, state_file: Path | None = None) -> ASGIApp:
    """Build the ASGI app serving every emulated service over ``state``."""
    routes: list = []
    wrappers = []
    for module in (control, console, entra, graph, sf_oauth, salesforce):
        routes.extend(module.routes(state))
        if hasattr(module, "middleware"):
            wrappers.append(module.middleware)

    @contextlib.asynccontextmanager
    async def lifespan(app: Any):
        saver = None
        if state_file is not None:
            saver = asyncio.create_task(_autosave(state, state_file))
        try:
            yield
        finally:
            if saver is not None:
                saver.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await saver
                if state_file is not None:
                    state.save(state_file)

    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={ServiceError: _service_error, HTTPException: _http_error, Exception: _crash},
    )
    app.router.redirect_slashes = False
    asgi: ASGIApp = app
    for wrap in wrappers:
        asgi = wrap(asgi, state)
    return SandboxMiddleware(asgi, state)


async def _autosave(state: SandboxState, path: Path) -> None:
    while True:
        await asyncio.sleep(0.5)
        if state.dirty:
            try:
                await asyncio.to_thread(state.save, path)
            except OSError:
                log.exception("sandbox: could not save state to %s", path)
