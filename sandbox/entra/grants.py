"""The token endpoint and its grants: device_code (in ``device``), refresh_token and
authorization_code with PKCE.
"""

from __future__ import annotations

import hashlib
import secrets

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.entra.device import grant_device
from sandbox.entra.issuing import token_response
from sandbox.entra.wire import GRANT_DEVICE, SERVICE, b64url, base_url, check_tenant, read_form, require
from sandbox.errors import entra_error
from sandbox.responses import oauth_json
from sandbox.state import SandboxState


def grant_refresh(state: SandboxState, data: dict[str, str], base: str) -> dict:
    client_id = require(data, "client_id")
    token = require(data, "refresh_token")
    grant = state.tokens.refresh.get(token)
    if grant is None or grant.get("service") != SERVICE:
        raise entra_error(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")
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


def grant_auth_code(state: SandboxState, data: dict[str, str], base: str) -> dict:
    client_id = require(data, "client_id")
    code = require(data, "code")
    redirect_uri = require(data, "redirect_uri")
    record = state.tokens.auth_codes.get(code)
    if record is None or record.get("service") != SERVICE:
        raise entra_error(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")
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
            computed = b64url(hashlib.sha256(verifier.encode("ascii", "replace")).digest())
        else:
            computed = verifier
        if not verifier or not secrets.compare_digest(computed, challenge):
            raise entra_error(
                400,
                "invalid_grant",
                501481,
                "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
            )
    record["used"] = True
    state.dirty = True
    scope = data.get("scope") or record.get("scope", "")
    return token_response(state, base, client_id, record["user"], scope, nonce=record.get("nonce"))


def routes(state: SandboxState) -> list[Route]:
    async def token(request: Request) -> Response:
        check_tenant(state, request.path_params["tenant"])
        data = await read_form(request)
        grant_type = require(data, "grant_type")
        base = base_url(request)
        with state.lock:
            if grant_type == GRANT_DEVICE or grant_type == "device_code":
                body = grant_device(state, data, base)
            elif grant_type == "refresh_token":
                body = grant_refresh(state, data, base)
            elif grant_type == "authorization_code":
                body = grant_auth_code(state, data, base)
            else:
                raise entra_error(
                    400,
                    "unsupported_grant_type",
                    70003,
                    f"The app requested an unsupported grant type '{grant_type}'.",
                )
        return oauth_json(body)

    T = "/{tenant:entra_tenant}"
    return [Route(T + "/oauth2/v2.0/token", token, methods=["POST"])]
