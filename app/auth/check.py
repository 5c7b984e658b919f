"""``login --check``: what is configured for each sign-in and what is wrong with it, in plain
words, without signing in (nothing is stored, no token is asked for).

Outlook (Microsoft Entra ID)
    * the client id: set at all, and shaped like an application (client) id (a GUID);
    * the authority's OpenID Connect discovery document
      (``{authority}/v2.0/.well-known/openid-configuration``): an unknown tenant answers 400
      with AADSTS90002, an unreachable host is a network problem.

Salesforce
    * the consumer key: set at all;
    * the login host's discovery document (``{login}/.well-known/openid-configuration``, served
      without a session): a host that is not a Salesforce login (a typo in My Domain) fails;
    * the callback URL: a loopback ``http://localhost:PORT/PATH`` and its port free right now;
    * the connected app: the authorization page is asked for (not followed, nothing signed in)
      with the consumer key and callback URL; Salesforce shows ``invalid_client_id`` for an
      unknown key and ``redirect_uri_mismatch`` for a callback the app does not register.

Each finding is ``Finding(service, what, ok, words)``; ``ok=None`` is information only.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets as _secrets
import socket
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
from keyring.backends.fail import Keyring as NoKeyring

from app.auth.secrets import SecretStore
from app.errors import AuthError
from sync.network import NetworkSetupError, http_client

if TYPE_CHECKING:
    from app.cli.accounts import AccountsContext, AccountSettings

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
ADMIN_GUIDE = "docs/ADMIN.md"


@dataclass(frozen=True)
class Finding:
    service: str
    what: str
    ok: bool | None
    words: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def check_accounts(ctx: AccountsContext, timeout_s: float = 15.0) -> list[Finding]:
    """Every finding for both services (never raises for what it finds). The keyring is not
    opened: a check works where it is locked or missing, and cannot touch a sign-in."""
    from app.cli.accounts import AccountsContext

    ctx = AccountsContext(ctx.paths, ctx.endpoints, ctx.settings, SecretStore("tandem-check", NoKeyring()))
    with http_client(ctx.endpoints.ssl_context(), timeout=timeout_s, follow_redirects=False) as http:
        return [*_outlook(ctx, http), *_salesforce(ctx, http)]


def summary(findings: list[Finding]) -> dict[str, Any]:
    """The JSON of ``login --check``: per service, ok and its findings."""
    out: dict[str, Any] = {}
    for service in ("outlook", "salesforce"):
        mine = [f for f in findings if f.service == service]
        out[service] = {"ok": all(f.ok is not False for f in mine), "checks": [f.to_json() for f in mine]}
    return out


def _get(http: httpx.Client, url: str, **kw: Any) -> httpx.Response | str:
    """The reply, or plain words for why there was none."""
    try:
        return http.get(url, **kw)
    except NetworkSetupError as exc:  # a proxy wanting a sign-in, an untrusted certificate
        return exc.message
    except httpx.TransportError as exc:
        host = urlsplit(url).hostname or url
        return f"Tandem cannot reach {host} ({type(exc).__name__}): check the address and the network."


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


# -- Outlook ------------------------------------------------------------------------------


def _outlook(ctx: AccountsContext, http: httpx.Client) -> list[Finding]:
    found: list[Finding] = []
    add: Callable[[str, bool | None, str], None] = lambda what, ok, words: found.append(  # noqa: E731
        Finding("outlook", what, ok, words)
    )
    try:
        auth = ctx.outlook()
    except AuthError as exc:
        add("client id", False, f"{exc.message} See {ADMIN_GUIDE}.")
        return found
    if ctx.endpoints.sandbox or _GUID.fullmatch(auth.client_id):
        add("client id", True, f"Application (client) id {auth.client_id}.")
    else:
        add(
            "client id",
            False,
            f"{auth.client_id!r} is not an application (client) id: Microsoft's look like "
            "00000000-0000-0000-0000-000000000000 (Entra admin center, App registrations, Overview).",
        )
    url = f"{auth.authority.rstrip('/')}/v2.0/.well-known/openid-configuration"
    reply = _get(http, url)
    if isinstance(reply, str):
        add("authority", False, reply)
    elif reply.status_code == 200 and _json(reply).get("token_endpoint"):
        add("authority", True, f"{auth.authority} answers as a Microsoft sign-in authority.")
    else:
        body = _json(reply)
        detail = str(body.get("error_description") or "").split("\r\n")[0]
        if "AADSTS90002" in detail:
            words = (
                f"Microsoft does not know the tenant in {auth.authority}: check the tenant id or "
                "domain in the Microsoft sign-in authority setting."
            )
        else:
            words = f"{auth.authority} did not answer as a Microsoft sign-in authority ({reply.status_code})."
        add("authority", False, f"{words} {detail}".strip())
    return found


# -- Salesforce ---------------------------------------------------------------------------


def _salesforce(ctx: AccountsContext, http: httpx.Client) -> list[Finding]:
    found: list[Finding] = []
    add: Callable[[str, bool | None, str], None] = lambda what, ok, words: found.append(  # noqa: E731
        Finding("salesforce", what, ok, words)
    )
    try:
        auth = ctx.salesforce()
    except AuthError as exc:
        what = "callback URL" if exc.ids.get("error") == "bad_callback_url" else "consumer key"
        add(what, False, f"{exc.message} See {ADMIN_GUIDE}.")
        return found
    except ValueError as exc:  # EndpointError: a login address that is not https
        add("login address", False, f"{exc}. See {ADMIN_GUIDE}.")
        return found
    add("consumer key", True, f"Consumer key {auth.client_id[:12]}… is set.")
    login = auth.login_url.rstrip("/")
    reply = _get(http, f"{login}/.well-known/openid-configuration")
    authorize_url = f"{login}/services/oauth2/authorize"
    if isinstance(reply, str):
        add("login address", False, reply)
        return found
    body = _json(reply)
    if reply.status_code == 200 and body.get("authorization_endpoint"):
        add("login address", True, f"{login} answers as a Salesforce login.")
        authorize_url = str(body["authorization_endpoint"])
    else:
        add(
            "login address",
            False,
            f"{login} did not answer as a Salesforce login ({reply.status_code}): check the login "
            "address (https://login.salesforce.com, https://test.salesforce.com or your My Domain).",
        )
        return found
    callback = auth.callback_url
    host, port, _ = auth.callback
    add("callback URL", *_port_free(host, port, callback))
    add("connected app", *_connected_app(http, authorize_url, auth.client_id, callback))
    return found


def _port_free(host: str, port: int, callback: str) -> tuple[bool, str]:
    family = socket.AF_INET6 if host.startswith("[") else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        if os.name != "nt":  # as asyncio's listener does: a closed sign-in's TIME_WAIT is no owner
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("::1" if family == socket.AF_INET6 else "127.0.0.1", port))
        except OSError:
            return False, (
                f"{callback}: port {port} is in use by another program right now, so the browser "
                "sign-in could not come back. Close that program, or ask your administrator for "
                "another registered callback URL."
            )
    return True, f"{callback}: Tandem can listen there."


def _connected_app(http: httpx.Client, authorize_url: str, client_id: str, callback: str) -> tuple[bool, str]:
    verifier = _secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    reply = _get(
        http,
        authorize_url,
        params={
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": callback,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": _secrets.token_urlsafe(8),
        },
    )
    if isinstance(reply, str):
        return False, reply
    said = f"{reply.headers.get('location', '')} {reply.text[:4000]}"
    if "invalid_client_id" in said:
        return False, (
            "Salesforce does not know this consumer key: check it in the connected app "
            "(Setup, App Manager, View, Consumer Key) and in the login address's org."
        )
    if "redirect_uri_mismatch" in said:
        return False, (
            f"The connected app does not list {callback} as a Callback URL: add it there, or set "
            "the callback URL Tandem uses to one the app lists."
        )
    if reply.status_code >= 500:
        return False, f"Salesforce's sign-in page answered {reply.status_code}; try again later."
    return True, "The connected app knows this consumer key and callback URL."


# -- what the first-run wizard asks for ----------------------------------------------------


def missing_registrations(ctx: AccountsContext, settings: AccountSettings | None = None) -> list[str]:
    """The services (``"outlook"``, ``"salesforce"``) that have no client id from anywhere
    Tandem looks: the settings (policy applied), the ``TANDEM_*`` environment, or the demo
    sandbox's own ids. ``settings`` replaces ``ctx.settings`` (values just saved). Nothing is
    asked of the network or the keyring."""
    from app.cli.accounts import AccountsContext

    trial = AccountsContext(
        ctx.paths,
        ctx.endpoints,
        ctx.settings if settings is None else settings,
        SecretStore("tandem-check", NoKeyring()),
    )
    missing = []
    for service, build in (("outlook", trial.outlook), ("salesforce", trial.salesforce)):
        try:
            build()
        except AuthError as exc:
            if exc.ids.get("error") == "no_client_id":
                missing.append(service)
        except ValueError:  # a login address that is not https: the id itself is there
            pass
    return missing


def is_application_id(text: str) -> bool:
    """Shaped like a Microsoft Entra application (client) id (a GUID)."""
    return bool(_GUID.fullmatch(text.strip()))
