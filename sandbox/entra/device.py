"""The device code flow (RFC 8628): handing out codes, the page where a person enters one,
and the grant the app polls.
"""

from __future__ import annotations

import html
import re
import secrets

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from sandbox import ids
from sandbox.entra.issuing import token_response
from sandbox.entra.pages import page
from sandbox.entra.wire import (
    DEVICE_CODE_LIFETIME_S,
    SERVICE,
    USER_CODE_ALPHABET,
    base_url,
    check_tenant,
    read_form,
    require,
)
from sandbox.errors import OAuthError, entra_error
from sandbox.responses import oauth_json
from sandbox.state import SandboxState


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


def grant_device(state: SandboxState, data: dict[str, str], base: str) -> dict:
    """The device_code grant: tokens once a person approved the code, else pending."""
    client_id = require(data, "client_id")
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
    if state.config.get("entra_block_device_code"):
        raise device_code_blocked()
    return token_response(state, base, client_id, approved, record["scope"])


BLOCKED_TEXT = (
    "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance."
)


def device_code_blocked() -> OAuthError:
    """What the app's poll gets once a person signed in under a Conditional Access policy that
    blocks the device code flow (its "Authentication flows" condition): AADSTS53003."""
    error = entra_error(400, "interaction_required", 53003, BLOCKED_TEXT)
    error.extra["suberror"] = "message_only"
    return error


def routes(state: SandboxState) -> list[Route]:
    async def devicecode(request: Request) -> Response:
        check_tenant(state, request.path_params["tenant"])
        data = await read_form(request)
        client_id = require(data, "client_id")
        scope = require(data, "scope")
        base = base_url(request)
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
                return page(
                    "Sign-in cancelled",
                    "<p>You declined to sign in to the application on your other "
                    "device. You can close this window.</p>",
                )
            record["approved_user"] = state.graph["user"]["id"]
            state.dirty = True
            if state.config.get("entra_block_device_code"):
                return page(
                    "You don't have access to this",
                    "<p>You signed in, but your organisation's access policy does not allow "
                    "signing in with a code from another device to this application.</p>"
                    '<p class="error">Error Code: 53003</p>',
                    status=200,
                )
        return page(
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
        return page("Enter code", body, status)

    T = "/{tenant:entra_tenant}"
    return [
        Route(T + "/oauth2/v2.0/devicecode", devicecode, methods=["POST"]),
        Route(T + "/oauth2/deviceauth", device_page, methods=["GET", "POST"]),
        Route("/devicelogin", device_page, methods=["GET", "POST"]),
    ]
