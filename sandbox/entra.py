"""Microsoft Entra ID (the v2.0 endpoints) as MSAL Python and plain OAuth clients call it.

Served under any known tenant segment (``common``, ``organizations``, ``consumers``, the
tenant id, or the mailbox's domain), like ``login.microsoftonline.com``:

==========================================================  ====================================
``GET  /{tenant}/v2.0/.well-known/openid-configuration``    OIDC discovery
``GET  /{tenant}/discovery/v2.0/keys``                      JWKS (empty: ID tokens are unsigned)
``POST /{tenant}/oauth2/v2.0/devicecode``                   device authorization (RFC 8628)
``POST /{tenant}/oauth2/v2.0/token``                        grants: device_code, refresh_token,
                                                            authorization_code (+ PKCE)
``GET|POST /{tenant}/oauth2/v2.0/authorize``                sign-in page with Allow / Cancel
``GET  /{tenant}/oauth2/v2.0/logout``                       sign-out page (or redirect)
``GET|POST /devicelogin``, ``/{tenant}/oauth2/deviceauth``  the page where a person enters a
                                                            device code and allows or declines
``GET  /oidc/userinfo``                                     OIDC userinfo (bearer token)
==========================================================  ====================================

Wire shapes follow API_CONTRACTS.md section 2: errors carry ``error_codes``, ``timestamp``,
``trace_id``, ``correlation_id`` and ``error_uri``; token responses carry ``client_info`` (without
it MSAL caches no account). Access and refresh tokens are opaque strings from
``state.tokens``; the refresh token is rotated on every refresh, as Entra does. ID tokens are
JWTs with ``alg: none`` (MSAL 1.38+ does not validate them; the claims are still right:
``aud``, ``iss``, ``tid``, ``oid``, ``sub``, ``nonce``...).

Any ``client_id`` is accepted (there is no app registry). ``state.config["auto_approve"]``
makes device codes count as approved at once and the authorize page redirect at once.
``state.config["device_interval_s"]`` is the polling interval handed out with device codes;
polling faster than it gets ``slow_down``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import secrets
import string
import uuid
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from sandbox import ids
from sandbox.errors import entra_error
from sandbox.responses import oauth_json
from sandbox.state import SandboxState

SERVICE = "microsoft"
GRANT_DEVICE = "urn:ietf:params:oauth:grant-type:device_code"
DEVICE_CODE_LIFETIME_S = 900
AUTH_CODE_LIFETIME_S = 600
ID_TOKEN_LIFETIME_S = 3600
RESERVED_SCOPES = ("openid", "profile", "offline_access", "email")
GRAPH_RESOURCE = "https://graph.microsoft.com/"
MULTI_TENANT = ("common", "organizations", "consumers")
# Unambiguous characters, like Entra's 9-character user codes (e.g. "FKJ9LRH3W").
USER_CODE_ALPHABET = "".join(c for c in string.ascii_uppercase + string.digits if c not in "0O1IL")


class _TenantConvertor(Convertor):
    """A first path segment that is not another service's (Salesforce, Graph, control)."""

    regex = r"(?!services/|_sandbox/|v1\.0/|beta/|id/|setup/)[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("entra_tenant", _TenantConvertor())


# ------------------------------------------------------------------ helpers
def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _tenant_ok(state: SandboxState, tenant: str) -> bool:
    tid = state.graph.get("tenant_id", "")
    domain = state.graph.get("user", {}).get("userPrincipalName", "").partition("@")[2]
    t = tenant.lower()
    return (
        t in MULTI_TENANT
        or t == tid.lower()
        or (domain and t == domain.lower())
        or t.endswith(".onmicrosoft.com")
    )


def _check_tenant(state: SandboxState, tenant: str) -> None:
    if not _tenant_ok(state, tenant):
        raise entra_error(
            400,
            "invalid_tenant",
            90002,
            f"Tenant '{tenant}' not found. Check to make sure you have the correct "
            "tenant ID and are signing into the correct cloud.",
        )


def _issuer(base: str, state: SandboxState) -> str:
    return f"{base}/{state.graph['tenant_id']}/v2.0"


def _split_scopes(scope: str) -> list[str]:
    return [s for s in (scope or "").split() if s]


def granted_scope(requested: str) -> str:
    """The ``scope`` a token response reports: Graph scopes by short name, then OIDC ones."""
    out: list[str] = []
    oidc: list[str] = []
    for s in _split_scopes(requested):
        low = s.lower()
        if low == "offline_access":
            continue
        if low in ("openid", "profile", "email"):
            oidc.append(low)
            continue
        if low.startswith(GRAPH_RESOURCE) or low.startswith("https://graph.microsoft.com"):
            s = s.rsplit("/", 1)[1]
        if s == ".default":
            s = "User.Read Contacts.ReadWrite Calendars.ReadWrite Tasks.ReadWrite"
        for part in s.split():
            if part not in out:
                out.append(part)
    if oidc:
        for extra in ("profile", "openid", "email"):
            if extra not in out:
                out.append(extra)
    return " ".join(out)


async def _form(request: Request) -> dict[str, str]:
    """The url-encoded form body (Entra accepts only that on its POST endpoints)."""
    ctype = request.headers.get("content-type", "")
    if "application/x-www-form-urlencoded" not in ctype and "multipart/form-data" not in ctype:
        raw = await request.body()
        if not raw:
            return {}
        raise entra_error(
            400,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'grant_type'.",
        )
    form = await request.form()
    return {k: str(v) for k, v in form.items()}


def _require(data: dict[str, str], name: str) -> str:
    value = data.get(name, "")
    if not value:
        raise entra_error(
            400,
            "invalid_request",
            900144,
            f"The request body must contain the following parameter: '{name}'.",
        )
    return value


def _user(state: SandboxState, user_id: str) -> dict:
    user = state.graph.get("user") or {}
    if user.get("id") != user_id:  # one mailbox user; any other id is an orphan grant
        return {"id": user_id, "displayName": "", "userPrincipalName": ""}
    return user


def id_token(state: SandboxState, base: str, client_id: str, user_id: str, nonce: str | None = None) -> str:
    """An unsigned (``alg: none``) OIDC ID token with the claims MSAL reads."""
    user = _user(state, user_id)
    now = int(state.now().timestamp())
    tid = state.graph["tenant_id"]
    claims: dict[str, Any] = {
        "aud": client_id,
        "iss": _issuer(base, state),
        "iat": now,
        "nbf": now,
        "exp": now + ID_TOKEN_LIFETIME_S,
        "name": user.get("displayName", ""),
        "oid": user_id,
        "preferred_username": user.get("userPrincipalName", ""),
        "rh": "0.sandbox.",
        "sub": _b64url(hashlib.sha256(f"{user_id}:{client_id}".encode()).digest()[:32]),
        "tid": tid,
        "uti": _b64url(secrets.token_bytes(16)),
        "ver": "2.0",
    }
    if nonce:
        claims["nonce"] = nonce
    header = {"typ": "JWT", "alg": "none"}
    return (
        f"{_b64url(json.dumps(header, separators=(',', ':')).encode())}."
        f"{_b64url(json.dumps(claims, separators=(',', ':')).encode())}."
    )


def client_info(state: SandboxState, user_id: str) -> str:
    return _b64url(
        json.dumps({"uid": user_id, "utid": state.graph["tenant_id"]}, separators=(",", ":")).encode()
    )


def token_response(
    state: SandboxState,
    base: str,
    client_id: str,
    user_id: str,
    scope: str,
    refresh_token: str | None = None,
    nonce: str | None = None,
) -> dict:
    """Issue tokens for a grant and build the Entra token response."""
    lifetime = float(state.config["access_token_lifetime_s"])
    requested = [s.lower() for s in _split_scopes(scope)]
    refreshing = refresh_token is not None
    wants_refresh = refreshing or "offline_access" in requested
    scope_out = granted_scope(scope)
    access, refresh = state.tokens.issue(
        SERVICE,
        user_id,
        client_id,
        scope_out,
        lifetime,
        refresh_token=refresh_token,
        with_refresh=wants_refresh,
    )
    state.dirty = True
    body: dict[str, Any] = {
        "token_type": "Bearer",
        "scope": scope_out,
        "expires_in": int(lifetime),
        "ext_expires_in": int(lifetime),
        "access_token": access,
    }
    if wants_refresh and refresh is not None:
        body["refresh_token"] = refresh
    if refreshing or "openid" in requested:
        body["id_token"] = id_token(state, base, client_id, user_id, nonce)
    body["client_info"] = client_info(state, user_id)
    return body


def _normal_user_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").upper()


def _new_user_code(state: SandboxState) -> str:
    taken = {d["user_code"] for d in state.tokens.device_codes.values()}
    while True:
        code = "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(9))
        if code not in taken:
            return code


def find_device_code(state: SandboxState, user_code: str) -> tuple[str, dict] | None:
    want = _normal_user_code(user_code)
    for device_code, record in state.tokens.device_codes.items():
        if record.get("service") == SERVICE and _normal_user_code(record["user_code"]) == want:
            return device_code, record
    return None


# ------------------------------------------------------------- redirect URIs
def redirect_uri_ok(uri: str) -> bool:
    """What Entra accepts as a public client's redirect URI: https, http on loopback, the
    native-client page, or a custom scheme (msal{client_id}://auth); never with a fragment."""
    if not uri or "#" in uri:
        return False
    parts = urlsplit(uri)
    if not parts.scheme:
        return False
    if parts.scheme == "https":
        return bool(parts.netloc)
    if parts.scheme == "http":
        return (parts.hostname or "") in ("localhost", "127.0.0.1", "::1")
    if parts.scheme == "urn":
        return uri == "urn:ietf:wg:oauth:2.0:oob"
    return bool(re.fullmatch(r"[a-z][a-z0-9+.-]*", parts.scheme))


def _with_params(uri: str, params: dict[str, str], mode: str = "query") -> str:
    params = {k: v for k, v in params.items() if v is not None}
    if mode == "fragment":
        return f"{uri}#{urlencode(params)}"
    sep = "&" if urlsplit(uri).query else "?"
    return f"{uri}{sep}{urlencode(params)}"


# ------------------------------------------------------------------- pages
PAGE_CSS = """
body{font-family:"Segoe UI",system-ui,sans-serif;background:#f2f2f2;margin:0;color:#1b1b1b}
main{max-width:440px;margin:64px auto;background:#fff;padding:44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
h1{font-size:24px;font-weight:600;margin:0 0 16px}
p{line-height:1.5}
.sandbox{font-size:12px;color:#605e5c;text-transform:uppercase;letter-spacing:.05em}
label{display:block;margin:16px 0 4px}
input[type=text]{width:100%;box-sizing:border-box;font-size:18px;padding:6px;letter-spacing:.1em}
.buttons{margin-top:24px;display:flex;gap:8px;justify-content:flex-end}
button{font-size:15px;padding:6px 20px;border:1px solid #8a8886;background:#fff;cursor:pointer}
button.primary{background:#0067b8;border-color:#0067b8;color:#fff}
.error{color:#a4262c}
ul{padding-left:20px}
"""


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    doc = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{PAGE_CSS}</style></head><body><main>"
        f'<div class="sandbox">Tandem sandbox &middot; Microsoft sign-in</div>'
        f"<h1>{html.escape(title)}</h1>{body}</main></body></html>"
    )
    return HTMLResponse(doc, status_code=status, headers={"Cache-Control": "no-store"})


def _scope_list(scope: str) -> str:
    shown = [s for s in _split_scopes(granted_scope(scope)) if s not in RESERVED_SCOPES]
    if not shown:
        return ""
    return "<ul>" + "".join(f"<li>{html.escape(s)}</li>" for s in shown) + "</ul>"


# ------------------------------------------------------------------ routes
def routes(state: SandboxState) -> list[Route]:  # noqa: C901 - one closure per endpoint
    def discovery(request: Request) -> Response:
        tenant = request.path_params["tenant"]
        _check_tenant(state, tenant)
        base = _base_url(request)
        tid = state.graph["tenant_id"]
        issuer_tenant = "{tenantid}" if tenant.lower() in MULTI_TENANT else tid
        t = f"{base}/{tenant}"
        return oauth_json(
            {
                "token_endpoint": f"{t}/oauth2/v2.0/token",
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "private_key_jwt",
                    "client_secret_basic",
                ],
                "jwks_uri": f"{t}/discovery/v2.0/keys",
                "response_modes_supported": ["query", "fragment", "form_post"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "issuer": f"{base}/{issuer_tenant}/v2.0",
                "request_uri_parameter_supported": False,
                "userinfo_endpoint": f"{base}/oidc/userinfo",
                "authorization_endpoint": f"{t}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{t}/oauth2/v2.0/devicecode",
                "http_logout_supported": True,
                "frontchannel_logout_supported": True,
                "end_session_endpoint": f"{t}/oauth2/v2.0/logout",
                "claims_supported": [
                    "sub",
                    "iss",
                    "cloud_instance_name",
                    "cloud_instance_host_name",
                    "cloud_graph_host_name",
                    "msgraph_host",
                    "aud",
                    "exp",
                    "iat",
                    "auth_time",
                    "acr",
                    "nonce",
                    "preferred_username",
                    "name",
                    "tid",
                    "ver",
                    "at_hash",
                    "c_hash",
                    "email",
                ],
                "code_challenge_methods_supported": ["plain", "S256"],
                "tenant_region_scope": "EU",
                "cloud_instance_name": "microsoftonline.com",
                "cloud_graph_host_name": "graph.windows.net",
                "msgraph_host": urlsplit(base).netloc,
                "rbac_url": "https://pas.windows.net",
            }
        )

    def jwks(request: Request) -> Response:
        _check_tenant(state, request.path_params["tenant"])
        return oauth_json({"keys": []})

    # ---------------------------------------------------------- device code
    async def devicecode(request: Request) -> Response:
        _check_tenant(state, request.path_params["tenant"])
        data = await _form(request)
        client_id = _require(data, "client_id")
        scope = _require(data, "scope")
        base = _base_url(request)
        with state.lock:
            device_code = "DAQABIQEAAAD" + ids.opaque_token(96)
            user_code = _new_user_code(state)
            interval = int(state.config.get("device_interval_s", 5))
            state.tokens.device_codes[device_code] = {
                "service": SERVICE,
                "user_code": user_code,
                "client_id": client_id,
                "scope": scope,
                "expires": state.now().timestamp() + DEVICE_CODE_LIFETIME_S,
                "interval": interval,
                "approved_user": None,
                "declined": False,
                "last_poll": 0.0,
                "used": False,
            }
            state.dirty = True
        uri = f"{base}/devicelogin"
        return oauth_json(
            {
                "user_code": user_code,
                "device_code": device_code,
                "verification_uri": uri,
                "expires_in": DEVICE_CODE_LIFETIME_S,
                "interval": interval,
                "message": f"To sign in, use a web browser to open the page {uri} and enter the "
                f"code {user_code} to authenticate.",
            }
        )

    def grant_device(data: dict[str, str], base: str) -> dict:
        client_id = _require(data, "client_id")
        code = data.get("device_code") or data.get("code") or ""
        if not code:
            raise entra_error(
                400,
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'device_code'.",
            )
        record = state.tokens.device_codes.get(code)
        if record is None or record.get("service") != SERVICE:
            raise entra_error(
                400,
                "bad_verification_code",
                70000,
                "The provided value for the input parameter 'device_code' is not valid.",
            )
        if record.get("client_id") != client_id:
            raise entra_error(
                400,
                "invalid_grant",
                70000,
                "The provided value for the input parameter 'device_code' is not "
                "valid. It was issued to a different client.",
            )
        now = state.now().timestamp()
        if record.get("used"):
            raise entra_error(
                400,
                "invalid_grant",
                54005,
                "OAuth2 Authorization code was already redeemed, please retry with "
                "a new valid code or use an existing refresh token.",
            )
        if record["expires"] <= now:
            raise entra_error(400, "expired_token", 70019, "Verification code expired.")
        if record.get("declined"):
            raise entra_error(
                400, "authorization_declined", 70000, "The user declined the authorization request."
            )
        approved = record.get("approved_user")
        if not approved and state.config.get("auto_approve"):
            approved = record["approved_user"] = state.graph["user"]["id"]
        last, record["last_poll"] = record.get("last_poll", 0.0), now
        if not approved:
            interval = float(record.get("interval", 5))
            if last and now - last < interval - 0.25:
                raise entra_error(
                    400,
                    "slow_down",
                    70016,
                    "OAuth 2.0 device flow error. Polling too frequently; poll no "
                    f"more often than every {int(interval)} seconds.",
                )
            raise entra_error(
                400,
                "authorization_pending",
                70016,
                "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
            )
        record["used"] = True
        state.dirty = True
        return token_response(state, base, client_id, approved, record["scope"])

    def grant_refresh(data: dict[str, str], base: str) -> dict:
        client_id = _require(data, "client_id")
        token = _require(data, "refresh_token")
        grant = state.tokens.refresh.get(token)
        if grant is None or grant.get("service") != SERVICE:
            raise entra_error(
                400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid."
            )
        if grant.get("revoked"):
            raise entra_error(
                400,
                "invalid_grant",
                50173,
                "The provided grant has expired due to it being revoked, a fresh "
                "auth token is needed. The user might have changed or reset their "
                "password.",
            )
        if grant.get("client_id") != client_id:
            raise entra_error(
                400,
                "invalid_grant",
                70000,
                "The provided value for the input parameter 'refresh_token' or "
                "'assertion' is not valid. The refresh token was issued to a "
                "different client.",
            )
        scope = data.get("scope") or grant.get("scope", "")
        new_refresh = state.tokens.rotate_refresh(token)
        return token_response(state, base, client_id, grant["user"], scope, refresh_token=new_refresh)

    def grant_auth_code(data: dict[str, str], base: str) -> dict:
        client_id = _require(data, "client_id")
        code = _require(data, "code")
        redirect_uri = _require(data, "redirect_uri")
        record = state.tokens.auth_codes.get(code)
        if record is None or record.get("service") != SERVICE:
            raise entra_error(
                400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid."
            )
        if record.get("used"):
            raise entra_error(
                400,
                "invalid_grant",
                54005,
                "OAuth2 Authorization code was already redeemed, please retry with "
                "a new valid code or use an existing refresh token.",
            )
        if record["expires"] <= state.now().timestamp():
            raise entra_error(
                400,
                "invalid_grant",
                70008,
                "The provided authorization code or refresh token has expired due "
                "to inactivity. Send a new interactive authorization request for "
                "this user and resource.",
            )
        if record.get("client_id") != client_id:
            raise entra_error(
                400,
                "invalid_grant",
                70000,
                "The provided value for the 'code' parameter is not valid. The "
                "code was issued to a different client.",
            )
        if record.get("redirect_uri") != redirect_uri:
            raise entra_error(
                400, "invalid_grant", 500117, "The reply uri specified in the request isn't expected."
            )
        challenge = record.get("code_challenge")
        if challenge:
            verifier = data.get("code_verifier", "")
            method = record.get("code_challenge_method") or "plain"
            if method == "S256":
                computed = _b64url(hashlib.sha256(verifier.encode("ascii", "replace")).digest())
            else:
                computed = verifier
            if not verifier or not secrets.compare_digest(computed, challenge):
                raise entra_error(
                    400,
                    "invalid_grant",
                    501481,
                    "The Code_Verifier does not match the code_challenge supplied "
                    "in the authorization request.",
                )
        record["used"] = True
        state.dirty = True
        scope = data.get("scope") or record.get("scope", "")
        return token_response(state, base, client_id, record["user"], scope, nonce=record.get("nonce"))

    async def token(request: Request) -> Response:
        _check_tenant(state, request.path_params["tenant"])
        data = await _form(request)
        grant_type = _require(data, "grant_type")
        base = _base_url(request)
        with state.lock:
            if grant_type == GRANT_DEVICE or grant_type == "device_code":
                body = grant_device(data, base)
            elif grant_type == "refresh_token":
                body = grant_refresh(data, base)
            elif grant_type == "authorization_code":
                body = grant_auth_code(data, base)
            else:
                raise entra_error(
                    400,
                    "unsupported_grant_type",
                    70003,
                    f"The app requested an unsupported grant type '{grant_type}'.",
                )
        return oauth_json(body)

    # ------------------------------------------------------------ authorize
    def _authorize_error_page(message: str) -> HTMLResponse:
        return _page(
            "Sorry, but we're having trouble signing you in.",
            f'<p class="error">{html.escape(message)}</p>',
            status=400,
        )

    def _redirect(params: dict[str, str], uri: str, mode: str) -> Response:
        if mode == "form_post":
            fields = "".join(
                f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                for k, v in params.items()
                if v
            )
            return HTMLResponse(
                f'<!doctype html><html><body onload="document.forms[0].submit()">'
                f'<form method="post" action="{html.escape(uri)}">{fields}'
                f'<noscript><button type="submit">Continue</button></noscript></form>'
                f"</body></html>"
            )
        return RedirectResponse(_with_params(uri, params, mode), status_code=302)

    def _authorize_checked(params: dict[str, str]) -> tuple[str, str, Response | None]:
        """Validate an authorization request: (redirect_uri, mode, error response or None)."""
        client_id = params.get("client_id", "")
        redirect_uri = params.get("redirect_uri", "")
        if not client_id:
            return (
                "",
                "query",
                _authorize_error_page(
                    "AADSTS900144: The request body must contain the following parameter: 'client_id'."
                ),
            )
        if not redirect_uri_ok(redirect_uri):
            return (
                "",
                "query",
                _authorize_error_page(
                    f"AADSTS50011: The redirect URI '{redirect_uri}' specified in the request does "
                    f"not match the redirect URIs configured for the application '{client_id}'."
                ),
            )
        mode = params.get("response_mode") or "query"
        if mode not in ("query", "fragment", "form_post"):
            mode = "query"
        st = params.get("state")

        def fail(error: str, code: int, text: str) -> Response:
            trace = str(uuid.uuid4())
            return _redirect(
                {
                    "error": error,
                    "error_description": f"AADSTS{code}: {text}\r\nTrace ID: {trace}"
                    f"\r\nCorrelation ID: {trace}",
                    "error_uri": f"https://login.microsoftonline.com/error?code={code}",
                    "state": st,
                },
                redirect_uri,
                mode,
            )

        response_type = params.get("response_type", "")
        if response_type != "code":
            return (
                redirect_uri,
                mode,
                fail(
                    "unsupported_response_type",
                    700054,
                    f"response_type '{response_type}' is not enabled for the application.",
                ),
            )
        if not params.get("scope"):
            return (
                redirect_uri,
                mode,
                fail(
                    "invalid_request",
                    900144,
                    "The request body must contain the following parameter: 'scope'.",
                ),
            )
        method = params.get("code_challenge_method")
        if method and method not in ("S256", "plain"):
            return (
                redirect_uri,
                mode,
                fail(
                    "invalid_request",
                    501491,
                    f"Invalid code_challenge_method '{method}'. Use 'S256' or 'plain'.",
                ),
            )
        if method and not params.get("code_challenge"):
            return (
                redirect_uri,
                mode,
                fail(
                    "invalid_request",
                    900144,
                    "The request body must contain the following parameter: 'code_challenge'.",
                ),
            )
        return redirect_uri, mode, None

    def _issue_code(params: dict[str, str], redirect_uri: str, mode: str) -> Response:
        code = "1.AQ" + ids.opaque_token(72)
        user_id = state.graph["user"]["id"]
        with state.lock:
            state.tokens.auth_codes[code] = {
                "service": SERVICE,
                "client_id": params["client_id"],
                "redirect_uri": redirect_uri,
                "code_challenge": params.get("code_challenge") or None,
                "code_challenge_method": (
                    params.get("code_challenge_method") or ("plain" if params.get("code_challenge") else None)
                ),
                "user": user_id,
                "expires": state.now().timestamp() + AUTH_CODE_LIFETIME_S,
                "scope": params.get("scope", ""),
                "used": False,
                "nonce": params.get("nonce") or None,
            }
            state.dirty = True
        out = {"code": code}
        if params.get("client_info") == "1":
            out["client_info"] = client_info(state, user_id)
        out["state"] = params.get("state") or None
        out["session_state"] = str(uuid.uuid4())
        return _redirect(out, redirect_uri, mode)

    async def authorize(request: Request) -> Response:
        tenant = request.path_params["tenant"]
        if not _tenant_ok(state, tenant):
            return _authorize_error_page(f"AADSTS90002: Tenant '{tenant}' not found.")
        if request.method == "POST":
            form = await request.form()
            params = {k: str(v) for k, v in form.items()}
            action = params.pop("action", "")
        else:
            params = dict(parse_qsl(request.url.query, keep_blank_values=True))
            action = ""
        redirect_uri, mode, error = _authorize_checked(params)
        if error is not None:
            return error
        if action == "deny":
            trace = str(uuid.uuid4())
            return _redirect(
                {
                    "error": "access_denied",
                    "error_subcode": "cancel",
                    "error_description": "AADSTS65004: User declined to consent to "
                    f"access the app.\r\nTrace ID: {trace}",
                    "state": params.get("state") or None,
                },
                redirect_uri,
                mode,
            )
        if action == "allow" or state.config.get("auto_approve"):
            return _issue_code(params, redirect_uri, mode)
        if params.get("prompt") == "none":
            return _redirect(
                {
                    "error": "interaction_required",
                    "error_description": "AADSTS50058: A silent sign-in request was "
                    "sent but no user is signed in.",
                    "state": params.get("state") or None,
                },
                redirect_uri,
                mode,
            )
        user = state.graph.get("user") or {}
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in params.items()
        )
        body = (
            f"<p><strong>{html.escape(user.get('userPrincipalName', ''))}</strong></p>"
            f"<p>The application <strong>{html.escape(params['client_id'])}</strong> wants "
            f"to:</p>{_scope_list(params.get('scope', ''))}"
            f'<form method="post">{hidden}<div class="buttons">'
            f'<button type="submit" name="action" value="deny">Cancel</button>'
            f'<button type="submit" class="primary" name="action" value="allow">'
            f"Accept</button></div></form>"
        )
        return _page("Permissions requested", body)

    # ------------------------------------------------------- device page
    async def device_page(request: Request) -> Response:
        if request.method == "GET":
            prefill = request.query_params.get("otc", "")
            return _device_form(prefill)
        form = await request.form()
        code = str(form.get("otc", ""))
        action = str(form.get("action", "allow"))
        with state.lock:
            found = find_device_code(state, code)
            now = state.now().timestamp()
            if found is None:
                return _device_form(
                    code, "That code wasn't recognised. Check the code and try again.", status=400
                )
            _, record = found
            if record["expires"] <= now:
                return _device_form(
                    code, "That code has expired. Go back to the app and request a new code.", status=400
                )
            if record.get("used") or record.get("approved_user") or record.get("declined"):
                return _device_form(code, "That code has already been used.", status=400)
            if action == "deny":
                record["declined"] = True
                state.dirty = True
                return _page(
                    "Sign-in cancelled",
                    "<p>You declined to sign in to the application on your other "
                    "device. You can close this window.</p>",
                )
            record["approved_user"] = state.graph["user"]["id"]
            state.dirty = True
        return _page(
            "You're signed in",
            f"<p>You have signed in to the application <strong>"
            f"{html.escape(record.get('client_id', ''))}</strong> on your device. You "
            f"may now close this window.</p>",
        )

    def _device_form(prefill: str = "", error: str = "", status: int = 200) -> HTMLResponse:
        err = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
        user = state.graph.get("user") or {}
        body = (
            f"<p>Enter the code displayed on your app or device to sign in as "
            f"<strong>{html.escape(user.get('userPrincipalName', ''))}</strong>.</p>{err}"
            f'<form method="post"><label for="otc">Code</label>'
            f'<input type="text" id="otc" name="otc" autocomplete="off" autofocus '
            f'value="{html.escape(prefill)}" maxlength="20">'
            f'<div class="buttons">'
            f'<button type="submit" name="action" value="deny">Cancel</button>'
            f'<button type="submit" class="primary" name="action" value="allow">'
            f"Allow</button></div></form>"
        )
        return _page("Enter code", body, status)

    # ------------------------------------------------------------- logout
    def logout(request: Request) -> Response:
        target = request.query_params.get("post_logout_redirect_uri", "")
        if target and redirect_uri_ok(target):
            return RedirectResponse(target, status_code=302)
        return _page(
            "You signed out of your account", "<p>It's a good idea to close all browser windows.</p>"
        )

    def userinfo(request: Request) -> Response:
        check = state.tokens.check(SERVICE, request.headers.get("authorization"))
        if check.user is None:
            return oauth_json(
                {
                    "error": "invalid_token",
                    "error_description": "Access token is missing, invalid or expired.",
                },
                401,
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        user = _user(state, check.user)
        return oauth_json(
            {
                "sub": _b64url(
                    hashlib.sha256(f"{check.user}:{check.grant['client_id']}".encode()).digest()[:32]
                ),
                "name": user.get("displayName", ""),
                "family_name": user.get("surname", ""),
                "given_name": user.get("givenName", ""),
                "email": user.get("mail", ""),
                "picture": "https://graph.microsoft.com/v1.0/me/photo/$value",
            }
        )

    T = "/{tenant:entra_tenant}"
    return [
        Route(T + "/v2.0/.well-known/openid-configuration", discovery, methods=["GET"]),
        Route(T + "/discovery/v2.0/keys", jwks, methods=["GET"]),
        Route(T + "/oauth2/v2.0/devicecode", devicecode, methods=["POST"]),
        Route(T + "/oauth2/v2.0/token", token, methods=["POST"]),
        Route(T + "/oauth2/v2.0/authorize", authorize, methods=["GET", "POST"]),
        Route(T + "/oauth2/v2.0/logout", logout, methods=["GET"]),
        Route(T + "/oauth2/deviceauth", device_page, methods=["GET", "POST"]),
        Route("/devicelogin", device_page, methods=["GET", "POST"]),
        Route("/oidc/userinfo", userinfo, methods=["GET"]),
    ]


__all__ = [
    "routes",
    "token_response",
    "id_token",
    "client_info",
    "granted_scope",
    "find_device_code",
    "redirect_uri_ok",
]
