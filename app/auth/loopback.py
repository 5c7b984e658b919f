"""The loopback listener of the browser sign-ins (Salesforce's web-server flow, Outlook's
authorization code flow): one sign-in, one listener, one redirect (RFC 8252 section 7.3).

* :meth:`RedirectListener.bind` listens on a loopback port (0: any free one) before the
  browser opens, so a taken port is said at once.
* :meth:`RedirectListener.wait` opens the browser (``open_browser(url)``, sync or async, injected
  so tests act as the browser) and answers the redirect on ``path`` (a GET with the answer in
  its query, or the POST of ``response_mode=form_post``): a wrong ``state``, an
  ``error=`` or a missing ``code`` end the sign-in with a typed error, a good one hands back the
  redirect's query. Other paths get 404 and do not end it; a second redirect gets 410. No answer
  within ``timeout_s`` ends it with :class:`SignInTimedOut`. The listener closes on the way out.
"""

from __future__ import annotations

import asyncio
import inspect
import secrets as pysecrets
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from app.errors import SERVICE_NAMES, AuthError, SignInTimedOut, oauth_error

OpenBrowser = Callable[[str], Any]

_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Tandem</title></head>"
    "<body style='font-family:sans-serif'><h1>{title}</h1><p>{text}</p></body></html>"
)
_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 410: "Gone"}
_DONE = "You can close this window and return to Tandem."
_MAX_BODY = 64 * 1024


class RedirectListener:
    """A single-use HTTP listener on loopback for one sign-in's redirect."""

    def __init__(self, service: str, path: str = "/") -> None:
        self.service = service
        self.name = SERVICE_NAMES.get(service, service)
        self.path = path
        self.state = ""
        self._server: asyncio.Server | None = None
        self._outcome: asyncio.Future[dict[str, str]] | None = None

    @property
    def port(self) -> int:
        assert self._server is not None, "bind() first"
        return int(self._server.sockets[0].getsockname()[1])

    async def bind(self, host: str, port: int) -> int:
        """Listen on ``host:port`` (``localhost`` listens on 127.0.0.1); the port listened on.
        Raises ``OSError`` when the port is taken."""
        self._outcome = asyncio.get_running_loop().create_future()
        address = "127.0.0.1" if host == "localhost" else host.strip("[]")
        self._server = await asyncio.start_server(self._handle, address, port)
        return self.port

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def wait(
        self, url: str, state: str, open_browser: OpenBrowser, *, timeout_s: float, device_hint: str
    ) -> dict[str, str]:
        """Open ``url`` in the browser and wait for the redirect carrying ``state``; its query.
        ``device_hint`` is the other way to sign in, named in the timeout's words."""
        assert self._outcome is not None, "bind() first"
        self.state = state
        outcome = self._outcome
        if inspect.iscoroutinefunction(open_browser):
            browser_task = asyncio.ensure_future(open_browser(url))
        else:
            browser_task = asyncio.ensure_future(asyncio.to_thread(open_browser, url))

        def browser_done(task: asyncio.Future) -> None:
            if task.cancelled() or task.exception() is None or outcome.done():
                return
            outcome.set_exception(
                AuthError(
                    "The browser could not be opened",
                    f"Tandem could not open the browser for the {self.name} sign-in. Open the "
                    f"address shown yourself, or {device_hint}.",
                    service=self.service,
                    error="browser",
                    detail=type(task.exception()).__name__,
                )
            )

        browser_task.add_done_callback(browser_done)
        try:
            return await asyncio.wait_for(asyncio.shield(outcome), timeout_s)
        except TimeoutError:
            raise SignInTimedOut(
                f"{self.name} sign-in timed out",
                f"No answer came back from the browser within {int(timeout_s)} seconds. "
                f"Start the sign-in again and finish it in the browser (or {device_hint}).",
                service=self.service,
            ) from None
        finally:
            await self.close()
            await asyncio.wait({browser_task}, timeout=2)  # let it read the reply page
            if not browser_task.done():
                browser_task.cancel()
            await asyncio.gather(browser_task, return_exceptions=True)

    # -- the one request -------------------------------------------------------------------
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            status, title, text = await self._answer(reader)
        except (TimeoutError, ConnectionError, ValueError, UnicodeDecodeError, asyncio.IncompleteReadError):
            status, title, text = 400, "Bad request", "Tandem did not understand this request."
        body = _PAGE.format(title=title, text=text).encode("utf-8")
        try:
            writer.write(
                f"HTTP/1.1 {status} {_REASONS[status]}\r\nContent-Type: text/html; charset=utf-8"
                f"\r\nContent-Length: {len(body)}\r\nConnection: close\r\n"
                "Cache-Control: no-store\r\n\r\n".encode("ascii")
                + body
            )
            await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def _answer(self, reader: asyncio.StreamReader) -> tuple[int, str, str]:
        request_line = (await asyncio.wait_for(reader.readline(), 10)).decode("latin-1")
        length = 0
        while True:  # the headers: only the body's length matters
            line = await asyncio.wait_for(reader.readline(), 10)
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        method, target, _ = request_line.split(" ", 2)
        parts = urlsplit(target)
        outcome = self._outcome
        if (
            method not in ("GET", "POST")
            or (parts.path or "/") != self.path
            or outcome is None
            or not self.state
        ):
            return 404, "Not found", "This address is only for Tandem's sign-in."
        if not 0 <= length <= _MAX_BODY:
            raise ValueError("body too large")
        # response_mode=form_post: the answer is the body (kept out of the browser's history).
        body = (await asyncio.wait_for(reader.readexactly(length), 10)).decode("ascii") if length else ""
        if outcome.done():
            return 410, "Already used", "This sign-in link was already used. Return to Tandem."
        query = {k: v[0] for k, v in parse_qs(body if method == "POST" else parts.query).items()}
        if not pysecrets.compare_digest(query.get("state", ""), self.state):
            outcome.set_exception(
                AuthError(
                    f"{self.name} sign-in was refused",
                    "The answer from the browser did not belong to this sign-in (state mismatch), "
                    "so Tandem ignored it. Start the sign-in again.",
                    service=self.service,
                    error="state_mismatch",
                )
            )
            return 400, "Sign-in refused", "This answer did not match Tandem's sign-in."
        if "error" in query:
            outcome.set_exception(oauth_error(self.service, query, during="login"))
            return 200, "Sign-in not completed", _DONE
        if not query.get("code"):
            outcome.set_exception(
                AuthError(
                    f"{self.name} sign-in failed",
                    "The browser returned no authorization code.",
                    service=self.service,
                    error="no_code",
                )
            )
            return 400, "Sign-in failed", "No authorization code was returned."
        outcome.set_result(query)
        return 200, f"Signed in to {self.name}", _DONE
