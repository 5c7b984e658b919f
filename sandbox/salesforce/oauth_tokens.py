"""Salesforce OAuth tokens: issuing them shaped as Salesforce's (access and refresh token
formats, ``signature``, the HS256 ``id_token``), and reading the bearer of a request.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import string
from typing import Any

from starlette.requests import Request

from sandbox.state import SandboxState

SIGNATURE_SECRET = b"tandem-sandbox-salesforce-connected-app-secret"
DEFAULT_SCOPE = "api refresh_token"
ALNUM = string.ascii_letters + string.digits


def random_text(n: int, alphabet: str = ALNUM) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def split_scopes(scope: str) -> list[str]:
    return [s for s in re.split(r"[\s+]+", scope or "") if s]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def pkce_challenge(verifier: str) -> str:
    return b64url(hashlib.sha256(verifier.encode()).digest())


def identity_url(base: str, state: SandboxState, user_id: str) -> str:
    return f"{base}/id/{state.sf['org_id']}/{user_id}"


def _id_token(state: SandboxState, base: str, user: dict, client_id: str, access: str, issued: int) -> str:
    header = {"alg": "HS256", "typ": "JWT", "kid": "sandbox"}
    at_hash = b64url(hashlib.sha256(access.encode()).digest()[:16])
    claims = {
        "at_hash": at_hash,
        "sub": identity_url(base, state, user["Id"]),
        "aud": client_id,
        "iss": base,
        "exp": issued + 300,
        "iat": issued,
        "auth_time": issued,
        "name": user.get("Name"),
        "given_name": user.get("FirstName"),
        "family_name": user.get("LastName"),
        "preferred_username": user.get("Username"),
        "nickname": user.get("Alias"),
        "email": user.get("Email"),
        "email_verified": True,
        "zoneinfo": user.get("TimeZoneSidKey"),
    }
    signing_input = (
        b64url(json.dumps(header, separators=(",", ":")).encode())
        + "."
        + b64url(json.dumps(claims, separators=(",", ":")).encode())
    )
    sig = hmac.new(SIGNATURE_SECRET, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64url(sig)


def issue_tokens(
    state: SandboxState, base: str, user_id: str, client_id: str, scope: str, refresh_token: str | None = None
) -> dict:
    """Issue tokens through the token store, shaped as Salesforce's, and build the response."""
    store = state.tokens
    scopes = split_scopes(scope) or split_scopes(DEFAULT_SCOPE)
    scope_text = " ".join(scopes)
    want_refresh = refresh_token is None and ("refresh_token" in scopes or "offline_access" in scopes)
    access, refresh = store.issue(
        "salesforce",
        user_id,
        client_id,
        scope_text,
        float(state.config.get("access_token_lifetime_s", 3600)),
        refresh_token=refresh_token,
        with_refresh=want_refresh,
    )
    org15 = state.sf["org_id"][:15]
    new_access = f"{org15}!AQ{random_text(4)}.{random_text(88, ALNUM + '._')}"
    store.access[new_access] = store.access.pop(access)
    out_refresh = None
    if want_refresh and refresh is not None:
        out_refresh = "5Aep861" + random_text(80, ALNUM + "._")
        store.refresh[out_refresh] = store.refresh.pop(refresh)
        store.access[new_access]["refresh"] = out_refresh
    state.dirty = True
    issued = state.now()
    issued_at = str(int(issued.timestamp() * 1000))
    identity = identity_url(base, state, user_id)
    signature = base64.b64encode(
        hmac.new(SIGNATURE_SECRET, (identity + issued_at).encode(), hashlib.sha256).digest()
    ).decode()
    body: dict[str, Any] = {"access_token": new_access}
    if out_refresh:
        body["refresh_token"] = out_refresh
    body["signature"] = signature
    body["scope"] = scope_text
    if "openid" in scopes:
        user = state.sf_user(user_id) or {"Id": user_id}
        body["id_token"] = _id_token(state, base, user, client_id, new_access, int(issued.timestamp()))
    body.update(instance_url=base, id=identity, token_type="Bearer", issued_at=issued_at)
    return body


def bearer_user(state: SandboxState, request: Request) -> str | None:
    auth = request.headers.get("authorization") or ""
    if not auth and request.query_params.get("oauth_token"):
        auth = "Bearer " + request.query_params["oauth_token"]
    if auth[:6].lower() == "oauth ":
        auth = "Bearer " + auth[6:]
    with state.lock:
        return state.tokens.check("salesforce", auth).user
