"""The authorization code flow's browser side: the sign-in page with Accept / Cancel, its
redirects back to the app, and the sign-out page.
"""

from __future__ import annotations

import html
import re
import uuid
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from sandbox import ids
from sandbox.entra.issuing import client_info
from sandbox.entra.pages import page, scope_list
from sandbox.entra.wire import AUTH_CODE_LIFETIME_S, SERVICE, tenant_ok
from sandbox.state import SandboxState


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


LOCALHOST = ("localhost", "127.0.0.1")


def redirect_uri_registered(registered: list[str], uri: str) -> bool:
    """Whether ``uri`` matches one of the app registration's redirect URIs, as Entra matches:
    exactly (paths are case-sensitive), except that on localhost / 127.0.0.1 the port is
    ignored ("Localhost exceptions" of the redirect URI restrictions). The IPv6 loopback
    ``[::1]`` is not supported there."""
    parts = urlsplit(uri)
    for known in registered:
        if known == uri:
            return True
        other = urlsplit(known)
        if (
            parts.scheme in ("http", "https")
            and parts.hostname in LOCALHOST
            and (other.scheme, other.hostname) == (parts.scheme, parts.hostname)
            and (other.path or "/") == (parts.path or "/")
            and other.query == parts.query
        ):
            return True
    return False


def _with_params(uri: str, params: dict[str, str | None], mode: str = "query") -> str:
    params = {k: v for k, v in params.items() if v is not None}
    parts = urlsplit(uri)
    if mode in ("query", "fragment") and not parts.path:
        uri = urlunsplit(parts._replace(path="/"))  # no path: it comes back with a trailing slash
    if mode == "fragment":
        return f"{uri}#{urlencode(params)}"
    sep = "&" if urlsplit(uri).query else "?"
    return f"{uri}{sep}{urlencode(params)}"


def routes(state: SandboxState) -> list[Route]:
    def _authorize_error_page(message: str) -> HTMLResponse:
        return page(
            "Sorry, but we're having trouble signing you in.",
            f'<p class="error">{html.escape(message)}</p>',
            status=400,
        )

    def _redirect(params: dict[str, str | None], uri: str, mode: str) -> Response:
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
        if not redirect_uri_ok(redirect_uri) or not redirect_uri_registered(
            state.config.get("entra_redirect_uris", []), redirect_uri
        ):
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
        out: dict[str, str | None] = {"code": code}
        if params.get("client_info") == "1":
            out["client_info"] = client_info(state, user_id)
        out["state"] = params.get("state") or None
        out["session_state"] = str(uuid.uuid4())
        return _redirect(out, redirect_uri, mode)

    async def authorize(request: Request) -> Response:
        tenant = request.path_params["tenant"]
        if not tenant_ok(state, tenant):
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
            f"to:</p>{scope_list(params.get('scope', ''))}"
            f'<form method="post">{hidden}<div class="buttons">'
            f'<button type="submit" name="action" value="deny">Cancel</button>'
            f'<button type="submit" class="primary" name="action" value="allow">'
            f"Accept</button></div></form>"
        )
        return page("Permissions requested", body)

    def logout(request: Request) -> Response:
        target = request.query_params.get("post_logout_redirect_uri", "")
        if target and redirect_uri_ok(target):
            return RedirectResponse(target, status_code=302)
        return page("You signed out of your account", "<p>It's a good idea to close all browser windows.</p>")

    T = "/{tenant:entra_tenant}"
    return [
        Route(T + "/oauth2/v2.0/authorize", authorize, methods=["GET", "POST"]),
        Route(T + "/oauth2/v2.0/logout", logout, methods=["GET"]),
    ]
