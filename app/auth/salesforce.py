"""Salesforce sign-in: web-server flow with PKCE via a loopback redirect, or the device flow.

* **Browser (default).** A PKCE pair (S256), a random ``state``, and a single-use listener
  on ``http://127.0.0.1:<random free port>/OauthRedirect``. The "open the browser" step is
  injected (``open_browser(url)``, sync or async) so tests act as the browser. The listener
  answers one redirect: a wrong ``state`` or an ``error=`` ends the login with a typed error;
  no answer within ``timeout_s`` ends it with :class:`SignInTimedOut`.
* **Device flow** (``--device``), Salesforce's non-standard one: ``response_type=device_code``
  to start, ``grant_type=device`` with ``code=<device_code>`` to poll.
* ``instance_url`` must come from the token response and be ``https``.
* Who: OIDC userinfo on the login host, falling back to the identity URL (``id``).
* Refresh: ``grant_type=refresh_token``; Salesforce returns no new refresh token (unless
  rotation is on, then the new one is kept). Logout revokes the refresh token (which also
  revokes its access tokens), then forgets everything.
* Tokens are kept in the keyring as one JSON secret ``salesforce.credentials``; the facts
  about the user go to ``accounts.json``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import secrets as pysecrets
import ssl
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from app.accounts import AccountsFile
from app.auth.loopback import OpenBrowser, RedirectListener
from app.auth.secrets import SecretStore
from app.endpoints import EndpointError, require_https
from app.errors import AuthError, InsecureEndpoint, network_error, not_connected, oauth_error
from sync.network import async_http_client

log = logging.getLogger(__name__)

SERVICE = "salesforce"
SCOPE = "api refresh_token openid"
CREDENTIALS_SECRET = "salesforce.credentials"
DEFAULT_CALLBACK_URL = "http://localhost:1717/OauthRedirect"  # register this in the connected app
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")
LOGIN_TIMEOUT_S = 300.0


@dataclass(frozen=True)
class SalesforceAccount:
    user_id: str
    username: str
    name: str
    email: str
    organization_id: str
    instance_url: str
    login_url: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SalesforceDeviceLogin:
    user_code: str
    verification_uri: str
    interval: float
    expires_at: float
    device_code: str

    def prompt_json(self) -> dict[str, Any]:
        return {
            "service": SERVICE,
            "user_code": self.user_code,
            "verification_uri": self.verification_uri,
            "expires_in": max(0, int(self.expires_at - time.time())),
        }


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, code_challenge) per RFC 7636, method S256."""
    verifier = pysecrets.token_urlsafe(64)  # 86 characters from the unreserved set
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def parse_callback_url(url: str) -> tuple[str, int, str]:
    """``(host, port, path)`` of a loopback callback URL such as the default
    ``http://localhost:1717/OauthRedirect``; ``InvalidSetting``-style AuthError otherwise."""
    parts = urlsplit(url.strip())
    host = (parts.netloc.rsplit(":", 1)[0] if parts.port else parts.netloc).lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme != "http" or host not in LOOPBACK_HOSTS or not port or not parts.path:
        raise AuthError(
            "The Salesforce callback URL cannot be used",
            f"{url!r} is not a callback Tandem can listen on. Use http://localhost:PORT/PATH "
            f"(the default is {DEFAULT_CALLBACK_URL}), the same URL as registered in your "
            "organisation's connected app.",
            service=SERVICE,
            error="bad_callback_url",
        )
    return host, port, parts.path


class SalesforceAuth:
    def __init__(
        self,
        *,
        client_id: str,
        login_url: str,
        secrets: SecretStore,
        accounts: AccountsFile,
        verify: ssl.SSLContext,
        client_secret: str | None = None,
        timeout: float = 30.0,
        callback_url: str = DEFAULT_CALLBACK_URL,
    ) -> None:
        self.client_id = client_id
        self.login_url = require_https(login_url, "The Salesforce login host").rstrip("/")
        self.client_secret = client_secret
        self.secrets = secrets
        self.accounts = accounts
        self.verify = verify
        self.timeout = timeout
        self.callback = parse_callback_url(callback_url)
        self.callback_url = callback_url.strip()
        self._refresh_lock: asyncio.Lock | None = None

    # -- HTTP --------------------------------------------------------------------------
    def _client(self) -> httpx.AsyncClient:
        return async_http_client(self.verify, timeout=self.timeout, follow_redirects=False)

    async def _post_token(
        self, data: dict[str, str], login_url: str | None = None
    ) -> tuple[int, dict[str, Any]]:
        if self.client_secret and "grant_type" in data:
            data = dict(data, client_secret=self.client_secret)
        try:
            async with self._client() as client:
                response = await client.post(
                    f"{login_url or self.login_url}/services/oauth2/token",
                    data=data,
                    headers={"Accept": "application/json"},
                )
        except httpx.TransportError as exc:
            raise network_error(SERVICE, exc) from exc
        try:
            body = response.json()
        except ValueError:
            body = {}
        return response.status_code, body if isinstance(body, dict) else {}

    async def _token(self, data: dict[str, str], during: str, login_url: str | None = None) -> dict[str, Any]:
        status, body = await self._post_token(data, login_url)
        if status != 200 or "access_token" not in body:
            raise oauth_error(SERVICE, body, during=during, status=status)
        return body

    @staticmethod
    def _instance_url(body: dict[str, Any], fallback: str | None = None) -> str:
        url = body.get("instance_url") or fallback
        if not url:
            raise InsecureEndpoint(
                "Salesforce sent no instance address",
                "The sign-in answer had no instance URL. Try again.",
                service=SERVICE,
            )
        try:
            return require_https(url, "The Salesforce instance URL").rstrip("/")
        except EndpointError as exc:
            raise InsecureEndpoint(
                "Salesforce sent an unsafe address",
                "The sign-in answer pointed at an address without https; "
                "Tandem refused it. Check the login host in the settings.",
                service=SERVICE,
            ) from exc

    async def _whoami(self, access_token: str, id_url: str | None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/json"}
        try:
            async with self._client() as client:
                response = await client.get(f"{self.login_url}/services/oauth2/userinfo", headers=headers)
                if response.status_code == 200:
                    info = response.json()
                    return {
                        "user_id": info.get("user_id", ""),
                        "organization_id": info.get("organization_id", ""),
                        "username": info.get("preferred_username", ""),
                        "name": info.get("name", ""),
                        "email": info.get("email", ""),
                    }
                if id_url and urlsplit(id_url).scheme == "https":
                    response = await client.get(id_url, headers=headers)
                    if response.status_code == 200:
                        info = response.json()
                        return {
                            "user_id": info.get("user_id", ""),
                            "organization_id": info.get("organization_id", ""),
                            "username": info.get("username", ""),
                            "name": info.get("display_name", ""),
                            "email": info.get("email", ""),
                        }
        except httpx.TransportError as exc:
            raise network_error(SERVICE, exc) from exc
        except ValueError:
            pass
        log.warning("Salesforce did not say who signed in (HTTP %s)", response.status_code)
        parts = (id_url or "").rstrip("/").split("/")
        return {
            "user_id": parts[-1] if len(parts) > 2 else "",
            "organization_id": parts[-2] if len(parts) > 2 else "",
            "username": "",
            "name": "",
            "email": "",
        }

    async def _complete(self, body: dict[str, Any]) -> SalesforceAccount:
        instance_url = self._instance_url(body)
        if not body.get("refresh_token"):
            raise AuthError(
                "Salesforce gave no lasting sign-in",
                "Salesforce did not grant offline access (no refresh token). Ask "
                "your administrator to allow the 'refresh_token' scope for Tandem's "
                "connected app.",
                service=SERVICE,
                error="no_refresh_token",
            )
        who = await self._whoami(body["access_token"], body.get("id"))
        credentials = {
            "access_token": body["access_token"],
            "refresh_token": body["refresh_token"],
            "instance_url": instance_url,
            "id": body.get("id", ""),
            "issued_at": body.get("issued_at", ""),
            "login_url": self.login_url,
            "client_id": self.client_id,
        }
        await self.secrets.aset_json(CREDENTIALS_SECRET, credentials)
        account = SalesforceAccount(
            user_id=who["user_id"],
            username=who["username"],
            name=who["name"],
            email=who["email"],
            organization_id=who["organization_id"],
            instance_url=instance_url,
            login_url=self.login_url,
        )
        await asyncio.to_thread(self.accounts.put, SERVICE, account.to_json())
        return account

    # -- browser flow with PKCE ----------------------------------------------------------
    async def login_browser(
        self,
        open_browser: OpenBrowser,
        *,
        timeout_s: float = LOGIN_TIMEOUT_S,
        on_url: Callable[[str], None] | None = None,
    ) -> SalesforceAccount:
        verifier, challenge = pkce_pair()
        state = pysecrets.token_urlsafe(24)
        host, port, path = self.callback
        listener = RedirectListener(SERVICE, path)
        try:
            await listener.bind(host, port)
        except OSError as exc:
            raise AuthError(
                "The Salesforce sign-in port is taken",
                f"Tandem waits for Salesforce's answer on port {port} of this computer "
                f"({self.callback_url}), and another program is using that port. Close the other "
                "program (another Tandem, or a developer tool) and try again, or set another "
                "callback URL in Settings > Accounts; it must also be registered in your "
                "organisation's connected app.",
                service=SERVICE,
                error="callback_port_in_use",
                detail=type(exc).__name__,
            ) from None
        try:
            redirect_uri = self.callback_url
            url = f"{self.login_url}/services/oauth2/authorize?" + urlencode(
                {
                    "response_type": "code",
                    "client_id": self.client_id,
                    "redirect_uri": redirect_uri,
                    "scope": SCOPE,
                    "state": state,
                    "code_challenge": challenge,
                    "code_challenge_method": "S256",
                }
            )
            if on_url is not None:
                on_url(url)
            query = await listener.wait(
                url, state, open_browser, timeout_s=timeout_s, device_hint="use the device sign-in"
            )
        finally:
            await listener.close()
        body = await self._token(
            {
                "grant_type": "authorization_code",
                "code": query["code"],
                "client_id": self.client_id,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            },
            during="login",
        )
        return await self._complete(body)

    # -- device flow -------------------------------------------------------------------
    async def start_device_login(self) -> SalesforceDeviceLogin:
        status, body = await self._post_token(
            {"response_type": "device_code", "client_id": self.client_id, "scope": SCOPE}
        )
        if status != 200 or "device_code" not in body:
            raise oauth_error(SERVICE, body, during="login", status=status)
        interval = float(body.get("interval") or 5)
        expires_in = float(body.get("expires_in") or 600)
        return SalesforceDeviceLogin(
            user_code=body["user_code"],
            verification_uri=body["verification_uri"],
            interval=max(interval, 1.0),
            expires_at=time.time() + expires_in,
            device_code=body["device_code"],
        )

    async def finish_device_login(
        self, login: SalesforceDeviceLogin, *, min_interval: float = 1.0
    ) -> SalesforceAccount:
        interval = max(login.interval, min_interval)
        while True:
            if time.time() > login.expires_at:
                raise oauth_error(SERVICE, {"error": "expired_token"}, during="login")
            status, body = await self._post_token(
                {"grant_type": "device", "client_id": self.client_id, "code": login.device_code}
            )
            if status == 200 and "access_token" in body:
                return await self._complete(body)
            error = body.get("error")
            if error == "authorization_pending":
                await asyncio.sleep(interval)
                continue
            if error == "slow_down":
                interval += 5
                await asyncio.sleep(interval)
                continue
            raise oauth_error(SERVICE, body, during="login", status=status)

    # -- stored sign-in ----------------------------------------------------------------
    async def _credentials(self) -> dict[str, Any]:
        credentials = await self.secrets.aget_json(CREDENTIALS_SECRET)
        if not credentials or not credentials.get("refresh_token"):
            raise not_connected(SERVICE)
        return credentials

    async def access_token(self) -> str:
        """The stored access token (Salesforce does not say when it expires; a 401 refreshes)."""
        credentials = await self._credentials()
        if credentials.get("access_token"):
            return credentials["access_token"]
        return await self.refresh()

    async def instance_url(self) -> str:
        return (await self._credentials())["instance_url"]

    async def refresh(self) -> str:
        """A new access token from the refresh token; :class:`SignInExpired` when refused."""
        if self._refresh_lock is None:
            self._refresh_lock = asyncio.Lock()
        async with self._refresh_lock:
            credentials = await self._credentials()
            status, body = await self._post_token(
                {
                    "grant_type": "refresh_token",
                    "refresh_token": credentials["refresh_token"],
                    "client_id": credentials.get("client_id") or self.client_id,
                },
                credentials.get("login_url"),
            )
            if status != 200 or "access_token" not in body:
                raise oauth_error(SERVICE, body, during="refresh", status=status)
            credentials["access_token"] = body["access_token"]
            credentials["instance_url"] = self._instance_url(body, credentials["instance_url"])
            credentials["issued_at"] = body.get("issued_at", credentials.get("issued_at", ""))
            if body.get("refresh_token"):  # refresh-token rotation is on
                credentials["refresh_token"] = body["refresh_token"]
            await self.secrets.aset_json(CREDENTIALS_SECRET, credentials)
            return body["access_token"]

    def account(self) -> dict[str, Any] | None:
        return self.accounts.get(SERVICE)

    async def logout(self) -> dict[str, Any]:
        """Revoke the refresh token (and with it the access tokens), then forget everything.

        Returns ``{"revoked": bool, "forgotten": bool, "warning": str | None}``; the local
        sign-in is forgotten even when the revocation could not reach Salesforce.
        """
        credentials = await self.secrets.aget_json(CREDENTIALS_SECRET)
        revoked, warning = False, None
        if credentials:
            token = credentials.get("refresh_token") or credentials.get("access_token")
            login_url = credentials.get("login_url") or self.login_url
            try:
                async with self._client() as client:
                    response = await client.post(f"{login_url}/services/oauth2/revoke", data={"token": token})
                # 400 = unknown/already revoked token: nothing left to revoke.
                revoked = response.status_code in (200, 400)
                if not revoked:
                    warning = f"Salesforce answered HTTP {response.status_code} to the revocation."
            except httpx.TransportError as exc:
                warning = (
                    f"Salesforce could not be reached to revoke the sign-in "
                    f"({type(exc).__name__}); it was forgotten on this computer only."
                )
        forgotten = await self.secrets.adelete(CREDENTIALS_SECRET)
        await asyncio.to_thread(self.accounts.put, SERVICE, None)
        return {"revoked": revoked, "forgotten": forgotten, "warning": warning}

    async def prepare(self) -> str:
        """Before a run: refresh now, so an expired sign-in is found before any work."""
        return await self.refresh()


class SalesforceTokenSource:
    """Token source for :class:`app.auth.token_provider.BearerAuth`."""

    def __init__(self, auth: SalesforceAuth) -> None:
        self.auth = auth

    async def get_token(self) -> str:
        return await self.auth.access_token()

    async def refresh_token(self) -> str:
        return await self.auth.refresh()

    async def prepare(self) -> str:
        return await self.auth.prepare()
