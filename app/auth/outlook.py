"""Outlook sign-in: MSAL's device-code flow (the default) or its authorization code flow with
PKCE in the browser, the token cache in the keyring, silent refresh.

* A fresh ``PublicClientApplication`` (and a fresh cache) for each login, so MSAL's
  throttling cache (400s replayed for 60 s) never carries a failure into a new attempt.
  Silent use keeps one app per :class:`OutlookAuth` (discovery cached) until a login or
  logout replaces it.
* The browser sign-in redirects to ``http://localhost:PORT`` on a free port, received by
  :class:`app.auth.loopback.RedirectListener`; the app registration lists ``http://localhost``
  ("Mobile and desktop applications"). A tenant whose Conditional Access blocks the device
  code ends that sign-in with :class:`DeviceCodeBlocked` (AADSTS53003): the browser may work.
  MSAL's broker (WAM, the macOS broker) is not used.
* ``instance_discovery=False`` only for a sandbox authority; the scopes never include the
  reserved ``openid``/``profile``/``offline_access`` (MSAL adds them).
* The serialised cache is kept in the keyring (``outlook.token_cache``, chunked where the
  platform caps entries). Non-secret facts (who, tenant) go to ``accounts.json``.
* Everything here blocks (MSAL, keyring): call it through ``asyncio.to_thread`` from async
  code; :class:`OutlookTokenSource` does that for the HTTP clients.
* Microsoft offers no revocation endpoint to a public client (only the tenant-wide
  ``revokeSignInSessions``, which would sign the user out everywhere), so logout forgets the
  tokens locally.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

import httpx
import msal

from app.accounts import AccountsFile
from app.auth.loopback import OpenBrowser, RedirectListener
from app.auth.msal_http import MsalHttpClient
from app.auth.secrets import SecretStore
from app.errors import (
    BLOCKED_BY_POLICY,
    AuthError,
    DeviceCodeBlocked,
    ServiceUnavailable,
    network_error,
    not_connected,
    oauth_error,
)

log = logging.getLogger(__name__)

SERVICE = "outlook"
OUTLOOK_SCOPES = ["Contacts.ReadWrite", "Calendars.ReadWrite", "Tasks.ReadWrite", "User.Read"]
CACHE_SECRET = "outlook.token_cache"
LOGIN_TIMEOUT_S = 300.0


@dataclass(frozen=True)
class OutlookAccount:
    username: str
    name: str
    tenant_id: str
    object_id: str
    home_account_id: str
    authority: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class DeviceLogin:
    """A started device-code login: show ``user_code`` and ``verification_uri``, then finish."""

    user_code: str
    verification_uri: str
    message: str
    expires_at: float
    interval: int
    flow: dict[str, Any]
    app: msal.PublicClientApplication
    cache: msal.SerializableTokenCache

    def prompt_json(self) -> dict[str, Any]:
        return {
            "service": SERVICE,
            "user_code": self.user_code,
            "verification_uri": self.verification_uri,
            "message": self.message,
            "expires_in": max(0, int(self.expires_at - time.time())),
        }


@contextlib.contextmanager
def msal_errors(authority: str) -> Iterator[None]:
    """Convert what MSAL lets through (transport errors, unreadable answers) — one boundary."""
    try:
        yield
    except httpx.TransportError as exc:
        raise network_error(SERVICE, exc) from exc
    except msal.exceptions.MsalServiceError as exc:  # a 5xx of discovery or the device-code endpoint
        raise ServiceUnavailable(
            "The Microsoft sign-in service is not answering",
            "Microsoft's sign-in service answered with an error of its own. Nothing was changed; "
            "try again in a few minutes.",
            service=SERVICE,
            authority=authority,
            detail=type(exc).__name__,
        ) from exc
    except ValueError as exc:  # discovery 4xx, a missing endpoint, a body that is not JSON
        raise ServiceUnavailable(
            "The Microsoft sign-in service did not answer as expected",
            f"Tandem could not use the sign-in service at {authority}. Check the authority in "
            "the settings, or try again later.",
            service=SERVICE,
            authority=authority,
            detail=type(exc).__name__,
        ) from exc


class OutlookAuth:
    def __init__(
        self,
        *,
        client_id: str,
        authority: str,
        secrets: SecretStore,
        accounts: AccountsFile,
        verify: ssl.SSLContext,
        sandbox: bool = False,
        timeout: float = 30.0,
    ) -> None:
        self.client_id = client_id
        self.authority = authority.rstrip("/")
        self.secrets = secrets
        self.accounts = accounts
        self.verify = verify
        self.sandbox = sandbox
        self.timeout = timeout
        self._lock = threading.Lock()
        self._app: msal.PublicClientApplication | None = None
        self._cache: msal.SerializableTokenCache | None = None

    # -- MSAL plumbing -------------------------------------------------------------------
    def _new_app(self, cache: msal.SerializableTokenCache) -> msal.PublicClientApplication:
        with msal_errors(self.authority):
            return msal.PublicClientApplication(
                self.client_id,
                authority=self.authority,
                token_cache=cache,
                http_client=MsalHttpClient(self.verify, self.timeout),
                instance_discovery=False if self.sandbox else None,
            )

    def _save(self, cache: msal.SerializableTokenCache) -> None:
        if cache.has_state_changed:
            self.secrets.set(CACHE_SECRET, cache.serialize())
            cache.has_state_changed = False

    def _silent_app(self) -> tuple[msal.PublicClientApplication, msal.SerializableTokenCache]:
        if self._app is None or self._cache is None:
            raw = self.secrets.get(CACHE_SECRET)
            if not raw:
                raise not_connected(SERVICE)
            cache = msal.SerializableTokenCache()
            cache.deserialize(raw)
            self._app, self._cache = self._new_app(cache), cache
        return self._app, self._cache

    # -- login -------------------------------------------------------------------------
    def start_login(self) -> DeviceLogin:
        """Start a device-code login with a fresh app and a fresh cache."""
        cache = msal.SerializableTokenCache()
        app = self._new_app(cache)
        with msal_errors(self.authority):
            flow = app.initiate_device_flow(scopes=OUTLOOK_SCOPES)
        if "user_code" not in flow:
            raise oauth_error(SERVICE, flow, during="login")
        return DeviceLogin(
            user_code=flow["user_code"],
            verification_uri=flow["verification_uri"],
            message=flow.get("message", ""),
            expires_at=float(flow["expires_at"]),
            interval=int(flow.get("interval", 5)),
            flow=flow,
            app=app,
            cache=cache,
        )

    def finish_login(self, login: DeviceLogin, cancelled: Callable[[], bool] | None = None) -> OutlookAccount:
        """Poll until the user approves (blocks). Saves the cache and the account facts."""

        def exit_condition(flow: dict) -> bool:
            return (cancelled is not None and cancelled()) or flow.get("expires_at", 0) < time.time()

        with msal_errors(self.authority):
            result = login.app.acquire_token_by_device_flow(login.flow, exit_condition=exit_condition)
        if "access_token" not in result:
            if cancelled is not None and cancelled():
                raise AuthError(
                    "Outlook sign-in cancelled",
                    "The sign-in was cancelled.",
                    service=SERVICE,
                    error="cancelled",
                )
            if BLOCKED_BY_POLICY in (result.get("error_codes") or []):
                raise DeviceCodeBlocked(
                    "Your organisation does not allow signing in to Outlook with a code",
                    "You signed in, but your organisation's access policy blocks the sign-in "
                    "with a code. Sign in with your browser instead.",
                    service=SERVICE,
                    error=result.get("error", ""),
                    during="login",
                )
            if result.get("error") == "authorization_pending":
                result = dict(result, error="expired_token")
            raise oauth_error(SERVICE, result, during="login")
        return self._signed_in(login.app, login.cache, result)

    async def login_browser(
        self,
        open_browser: OpenBrowser,
        *,
        timeout_s: float = LOGIN_TIMEOUT_S,
        on_url: Callable[[str], None] | None = None,
    ) -> OutlookAccount:
        """Sign in in the browser: MSAL's authorization code flow with PKCE, its redirect to
        ``http://localhost:PORT`` (a free port; Entra ignores the port of a registered
        ``http://localhost``) received by Tandem's loopback listener. The answer comes as a form
        post (``response_mode=form_post``), so the code never stands in the browser's history."""
        cache = msal.SerializableTokenCache()
        app = await asyncio.to_thread(self._new_app, cache)
        listener = RedirectListener(SERVICE)
        try:
            port = await listener.bind("localhost", 0)
        except OSError as exc:
            raise AuthError(
                "Tandem cannot wait for the Outlook sign-in",
                "Tandem could not open a port on this computer to receive the answer from the "
                "browser. Sign in with a code instead.",
                service=SERVICE,
                error="callback_port_in_use",
                detail=type(exc).__name__,
            ) from None
        try:
            redirect_uri = f"http://localhost:{port}"
            with msal_errors(self.authority):
                flow = app.initiate_auth_code_flow(
                    OUTLOOK_SCOPES, redirect_uri=redirect_uri, response_mode="form_post"
                )
            if on_url is not None:
                on_url(flow["auth_uri"])
            query = await listener.wait(
                flow["auth_uri"],
                flow["state"],
                open_browser,
                timeout_s=timeout_s,
                device_hint="sign in with a code instead",
            )
        finally:
            await listener.close()

        def redeem() -> dict[str, Any]:
            with msal_errors(self.authority):
                return app.acquire_token_by_auth_code_flow(flow, query)

        result = await asyncio.to_thread(redeem)
        if "access_token" not in result:
            raise oauth_error(SERVICE, result, during="login")
        return await asyncio.to_thread(self._signed_in, app, cache, result)

    def _signed_in(
        self, app: msal.PublicClientApplication, cache: msal.SerializableTokenCache, result: dict[str, Any]
    ) -> OutlookAccount:
        """Keep a login's cache in the keyring and its facts in accounts.json (blocks)."""
        claims = result.get("id_token_claims") or {}
        accounts = app.get_accounts()
        home = accounts[0]["home_account_id"] if accounts else ""
        account = OutlookAccount(
            username=claims.get("preferred_username") or (accounts[0]["username"] if accounts else ""),
            name=claims.get("name", ""),
            tenant_id=claims.get("tid", ""),
            object_id=claims.get("oid", ""),
            home_account_id=home,
            authority=self.authority,
        )
        with self._lock:
            cache.has_state_changed = True
            self._save(cache)
            self._app, self._cache = app, cache
        self.accounts.put(SERVICE, account.to_json())
        return account

    # -- silent use --------------------------------------------------------------------
    def acquire_token(self, force_refresh: bool = False) -> str:
        """An access token from the cache, refreshed silently when needed (blocks).

        Raises :class:`NotConnected` without a stored sign-in and :class:`SignInExpired`
        when Microsoft refuses the refresh token.
        """
        with self._lock:
            app, cache = self._silent_app()
            accounts = app.get_accounts()
            if not accounts:
                raise not_connected(SERVICE)
            with msal_errors(self.authority):
                result = app.acquire_token_silent_with_error(
                    OUTLOOK_SCOPES, accounts[0], force_refresh=force_refresh
                )
            if not result or "access_token" not in result:
                error = oauth_error(SERVICE, result or {"error": "invalid_grant"}, during="refresh")
                if isinstance(error, AuthError) and error.action == "reconnect":
                    # MSAL would replay this 400 for 60 s; the next attempt needs a new app.
                    self._app = self._cache = None
                raise error
            self._save(cache)
            return result["access_token"]

    def account(self) -> dict[str, Any] | None:
        return self.accounts.get(SERVICE)

    def logout(self) -> bool:
        """Forget the tokens and the account (there is no revoke for public clients)."""
        with self._lock:
            self._app = self._cache = None
            had = self.secrets.delete(CACHE_SECRET)
        self.accounts.put(SERVICE, None)
        return had


class OutlookTokenSource:
    """Token source for :class:`app.auth.token_provider.BearerAuth` (blocking calls in a thread)."""

    def __init__(self, auth: OutlookAuth) -> None:
        self.auth = auth

    async def get_token(self) -> str:
        return await asyncio.to_thread(self.auth.acquire_token)

    async def refresh_token(self) -> str:
        return await asyncio.to_thread(self.auth.acquire_token, True)

    async def prepare(self) -> str:
        """Silent refresh before a run (MSAL refreshes when the token is near expiry)."""
        return await asyncio.to_thread(self.auth.acquire_token)
