"""Issuing tokens: the token response every grant ends in, its ID token and client_info."""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any

from sandbox.entra.wire import (
    ID_TOKEN_LIFETIME_S,
    SERVICE,
    b64url,
    granted_scope,
    issuer,
    split_scopes,
    user_of,
)
from sandbox.state import SandboxState


def id_token(state: SandboxState, base: str, client_id: str, user_id: str, nonce: str | None = None) -> str:
    """An unsigned (``alg: none``) OIDC ID token with the claims MSAL reads."""
    user = user_of(state, user_id)
    now = int(state.now().timestamp())
    tid = state.graph["tenant_id"]
    claims: dict[str, Any] = {
        "aud": client_id,
        "iss": issuer(base, state),
        "iat": now,
        "nbf": now,
        "exp": now + ID_TOKEN_LIFETIME_S,
        "name": user.get("displayName", ""),
        "oid": user_id,
        "preferred_username": user.get("userPrincipalName", ""),
        "rh": "0.sandbox.",
        "sub": b64url(hashlib.sha256(f"{user_id}:{client_id}".encode()).digest()[:32]),
        "tid": tid,
        "uti": b64url(secrets.token_bytes(16)),
        "ver": "2.0",
    }
    if nonce:
        claims["nonce"] = nonce
    header = {"typ": "JWT", "alg": "none"}
    return (
        f"{b64url(json.dumps(header, separators=(',', ':')).encode())}."
        f"{b64url(json.dumps(claims, separators=(',', ':')).encode())}."
    )


def client_info(state: SandboxState, user_id: str) -> str:
    return b64url(
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
    requested = [s.lower() for s in split_scopes(scope)]
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
