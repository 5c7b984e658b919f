"""Salesforce OAuth 2.0 at the login host (API_CONTRACTS.md section 7), on the sandbox's own URL.

=====================================  ==================================================
``GET  /services/oauth2/authorize``    web-server flow (``response_type=code``, PKCE S256):
                                       a sign-in page (pick a user, Allow or Deny), then a
                                       redirect to ``redirect_uri`` with ``code``+``state``
                                       or ``error=access_denied``. With ``auto_approve`` it
                                       redirects at once as the default user.
``POST /services/oauth2/authorize``    the page's form
``POST /services/oauth2/token``        ``grant_type=authorization_code|refresh_token|device``
                                       and ``response_type=device_code`` (device flow start)
``POST /services/oauth2/revoke``       ``token=`` (access or refresh; GET works too)
``GET  /services/oauth2/userinfo``     OpenID Connect user info (Bearer)
``GET  /id/{org}/{user}``              the identity URL (Bearer)
``GET  /setup/connect``                where a person enters a device flow's user code
=====================================  ==================================================

The connected app: any ``client_id`` of 8 to 256 characters from ``[A-Za-z0-9._-]`` is a
registered consumer key (so real-looking keys and the sfdx CLI's ``PlatformCLI`` work; short
junk such as ``bogus`` is ``invalid_client_id``). Its callback URLs are the config's
``sf_callback_urls`` (default ``http://localhost:1717/OauthRedirect``), compared exactly as
Salesforce compares a ``redirect_uri`` with the connected app's Callback URL list: any other
URL (another port, host or path) is ``redirect_uri_mismatch``. The web-server flow needs no
client secret (as with "Require Secret for Web Server Flow" cleared); a secret sent is ignored.

Tokens: access tokens look like ``00D…!AQ…``, refresh tokens like ``5Aep861…``; ``issued_at``
is epoch milliseconds as a string; ``signature`` is base64(HMAC-SHA256(id + issued_at)) with
the fixed secret ``SIGNATURE_SECRET``; ``id_token`` (an HS256 JWT signed with that secret)
comes only when the scope has ``openid``; a refresh token only when the scope has
``refresh_token`` or ``offline_access`` (or no scope was asked for). Refresh answers carry no
new refresh token. Codes: authorization codes live 15 minutes and work once, device codes
10 minutes; a device-flow poll sooner than ``interval`` after the previous one is
``slow_down``.

Error bodies are ``{"error", "error_description"}`` with HTTP 400. Errors on the authorize
page before the redirect URI is trusted (bad client, bad redirect) are shown as a page, as
Salesforce does; later ones go to the redirect URI as ``error``/``error_description``.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from sandbox.errors import OAuthError
from sandbox.responses import oauth_json
from sandbox.salesforce.discovery import openid_configuration
from sandbox.salesforce.http import base_url_of
from sandbox.salesforce.oauth_tokens import (
    ALNUM,
    DEFAULT_SCOPE,
    bearer_user,
    identity_url,
    issue_tokens,
    pkce_challenge,
    random_text,
    split_scopes,
)
from sandbox.state import SandboxState

AUTH_CODE_LIFETIME_S = 15 * 60
DEVICE_CODE_LIFETIME_S = 10 * 60
_USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ23456789"
_CLIENT_ID = re.compile(r"[A-Za-z0-9._\-]{8,256}")
_CHALLENGE = re.compile(r"[A-Za-z0-9\-_]{43,128}")


def client_ok(client_id: str | None) -> bool:
    return client_id is not None and _CLIENT_ID.fullmatch(client_id) is not None


def _with_params(uri: str, params: dict[str, str | None]) -> str:
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + [
        (k, v) for k, v in params.items() if v is not None
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def base_url(request: Request) -> str:
    return base_url_of(request.headers, request.scope)


# ------------------------------------------------------------------------------ HTML pages
_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f3f3f3;margin:0}
main{max-width:420px;margin:60px auto;background:#fff;border-radius:6px;padding:28px 32px;
box-shadow:0 1px 4px rgba(0,0,0,.15)}
h1{font-size:20px;margin:0 0 4px}p.note{color:#555;font-size:13px}label{display:block;margin:14px 0 4px;
font-size:14px}select,input[type=text]{width:100%;padding:8px;font-size:15px;box-sizing:border-box}
.buttons{margin-top:22px;display:flex;gap:10px}button{padding:9px 18px;font-size:15px;border-radius:4px;
border:1px solid #0176d3;cursor:pointer}button.allow{background:#0176d3;color:#fff}
button.deny{background:#fff;color:#0176d3}.error{color:#b00;font-weight:600}
.banner{background:#fff3cd;padding:6px 10px;font-size:12px;border-radius:4px;margin-bottom:14px}
"""


def _page(title: str, content: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body><main><div class=banner>Tandem sandbox - an emulated "
        f"Salesforce login, not the real one</div>{content}</main></body></html>",
        status_code=status,
    )


def _user_options(state: SandboxState, selected: str | None) -> str:
    users = [u for u in state.sf["records"]["User"].values() if u.get("IsActive", True)]
    out = []
    for u in users:
        sel = " selected" if u["Id"] == selected else ""
        text = f"{u.get('Name')} ({u.get('Username')}) - {u.get('ProfileName')}"
        out.append(f'<option value="{html.escape(u["Id"])}"{sel}>{html.escape(text)}</option>')
    return "".join(out)


def _error_page(error: str, description: str) -> HTMLResponse:
    return _page(
        "Error",
        f"<h1>Remote Access Error</h1><p class=error>error={html.escape(error)}"
        f"&amp;error_description={html.escape(description)}</p>"
        "<p class=note>The connected app's settings do not match this request.</p>",
        status=400,
    )


# ------------------------------------------------------------------------------- the flows
AUTHORIZE_PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "state",
    "scope",
    "code_challenge",
    "code_challenge_method",
    "prompt",
    "login_hint",
    "nonce",
    "display",
)


def routes(state: SandboxState) -> list[Route]:

    def check_authorize(params: dict[str, str]) -> Response | None:
        """A page for errors shown before the redirect URI is trusted, else None."""
        if not client_ok(params.get("client_id")):
            return _error_page("invalid_client_id", "client identifier invalid")
        if params.get("redirect_uri") not in state.config.get("sf_callback_urls", []):
            return _error_page("redirect_uri_mismatch", "redirect_uri must match configuration")
        return None

    def redirect_error(params: dict[str, str], error: str, description: str) -> Response:
        return RedirectResponse(
            _with_params(
                params["redirect_uri"],
                {"error": error, "error_description": description, "state": params.get("state")},
            ),
            302,
        )

    def grant_code(params: dict[str, str], user_id: str) -> Response:
        code = "aPrx" + random_text(60, ALNUM + "._") + "=="
        with state.lock:
            state.tokens.auth_codes[code] = {
                "service": "salesforce",
                "client_id": params["client_id"],
                "redirect_uri": params["redirect_uri"],
                "code_challenge": params.get("code_challenge") or None,
                "code_challenge_method": (params.get("code_challenge_method") or "S256")
                if params.get("code_challenge")
                else None,
                "user": user_id,
                "expires": state.now().timestamp() + AUTH_CODE_LIFETIME_S,
                "scope": params.get("scope") or DEFAULT_SCOPE,
                "used": False,
            }
            state.dirty = True
        return RedirectResponse(
            _with_params(params["redirect_uri"], {"code": code, "state": params.get("state")}), 302
        )

    def request_problem(params: dict[str, str]) -> Response | None:
        if params.get("response_type") != "code":
            return redirect_error(params, "unsupported_response_type", "response type not supported")
        method = params.get("code_challenge_method")
        if method and method != "S256":
            return redirect_error(params, "invalid_request", "invalid code_challenge_method")
        challenge = params.get("code_challenge")
        if challenge and not _CHALLENGE.fullmatch(challenge):
            return redirect_error(params, "invalid_request", "invalid code_challenge")
        return None

    async def authorize(request: Request) -> Response:
        if request.method == "POST":
            form = await request.form()
            params = {k: str(form.get(k)) for k in AUTHORIZE_PARAMS if form.get(k)}
            action, user_id = str(form.get("action") or ""), str(form.get("user") or "")
        else:
            params = {k: request.query_params[k] for k in AUTHORIZE_PARAMS if request.query_params.get(k)}
            action, user_id = "", ""
        page = check_authorize(params)
        if page is not None:
            return page
        problem = request_problem(params)
        if problem is not None:
            return problem
        if request.method == "GET" and state.config.get("auto_approve"):
            return grant_code(params, state.sf["me"])
        if action == "deny":
            return redirect_error(params, "access_denied", "end-user denied authorization")
        if action == "allow":
            user = state.sf_user(user_id)
            if user is None or not user.get("IsActive", True):
                return _authorize_page(params, "Choose a user to sign in as.", status=400)
            return grant_code(params, user_id)
        return _authorize_page(params)

    def _authorize_page(params: dict[str, str], error: str = "", status: int = 200) -> Response:
        hidden = "".join(
            f'<input type=hidden name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in params.items()
        )
        scopes = ", ".join(split_scopes(params.get("scope") or DEFAULT_SCOPE))
        err = f"<p class=error>{html.escape(error)}</p>" if error else ""
        return _page(
            "Login | Salesforce",
            f"""
<h1>Allow Access?</h1>
<p class=note>The app <b>{html.escape(params["client_id"][:40])}</b> wants to access your Salesforce data
({html.escape(scopes)}) and will return to {html.escape(params["redirect_uri"])}.</p>{err}
<form method=post action="/services/oauth2/authorize">{hidden}
<label for=user>Log in as</label>
<select id=user name=user>{_user_options(state, state.sf["me"])}</select>
<div class=buttons><button class=allow type=submit name=action value=allow>Allow</button>
<button class=deny type=submit name=action value=deny>Deny</button></div></form>""",
            status,
        )

    async def token(request: Request) -> Response:
        form = await request.form()
        params = {k: str(v) for k, v in request.query_params.items()}
        params.update({k: str(v) for k, v in form.items()})
        base = base_url(request)
        grant_type = params.get("grant_type")
        with state.lock:
            if grant_type is None and params.get("response_type") == "device_code":
                return oauth_json(device_start(params, base))
            if grant_type == "authorization_code":
                return oauth_json(code_grant(params, base))
            if grant_type == "refresh_token":
                return oauth_json(refresh_grant(params, base))
            if grant_type == "device":
                return oauth_json(device_grant(params, base))
        raise OAuthError(400, "unsupported_grant_type", "grant type not supported")

    def code_grant(params: dict[str, str], base: str) -> dict:
        code = params.get("code") or ""
        grant = state.tokens.auth_codes.get(code)
        if not client_ok(params.get("client_id")):
            raise OAuthError(400, "invalid_client_id", "client identifier invalid")
        if grant is None or grant["service"] != "salesforce" or grant["used"]:
            raise OAuthError(400, "invalid_grant", "invalid authorization code")
        if grant["expires"] <= state.now().timestamp():
            raise OAuthError(400, "invalid_grant", "expired authorization code")
        if grant["client_id"] != params.get("client_id"):
            raise OAuthError(400, "invalid_grant", "invalid authorization code")
        if grant["redirect_uri"] != params.get("redirect_uri"):
            raise OAuthError(400, "redirect_uri_mismatch", "redirect_uri must match configuration")
        verifier = params.get("code_verifier")
        if grant.get("code_challenge"):
            if not verifier:
                raise OAuthError(400, "invalid_grant", "invalid code verifier")
            if pkce_challenge(verifier) != grant["code_challenge"]:
                raise OAuthError(400, "invalid_request", "invalid code verifier")
        elif verifier:
            raise OAuthError(400, "invalid_request", "invalid code verifier")
        grant["used"] = True
        state.dirty = True
        return issue_tokens(state, base, grant["user"], grant["client_id"], grant["scope"])

    def refresh_grant(params: dict[str, str], base: str) -> dict:
        if params.get("client_id") and not client_ok(params.get("client_id")):
            raise OAuthError(400, "invalid_client_id", "client identifier invalid")
        grant = state.tokens.use_refresh(
            "salesforce", params.get("refresh_token") or "", params.get("client_id")
        )
        if grant is None:
            raise OAuthError(400, "invalid_grant", "expired access/refresh token")
        user = state.sf_user(grant["user"])
        if user is None or not user.get("IsActive", True):
            raise OAuthError(400, "invalid_grant", "inactive user")
        return issue_tokens(
            state,
            base,
            grant["user"],
            grant["client_id"],
            grant["scope"],
            refresh_token=params["refresh_token"],
        )

    def device_start(params: dict[str, str], base: str) -> dict:
        client_id = params.get("client_id")
        if not client_ok(client_id):
            raise OAuthError(400, "invalid_client_id", "client identifier invalid")
        device_code = random_text(43, ALNUM + "._")
        user_code = random_text(8, _USER_CODE_ALPHABET)
        interval = int(state.config.get("device_interval_s", 5))
        state.tokens.device_codes[device_code] = {
            "service": "salesforce",
            "user_code": user_code,
            "client_id": client_id,
            "scope": params.get("scope") or DEFAULT_SCOPE,
            "expires": state.now().timestamp() + DEVICE_CODE_LIFETIME_S,
            "interval": interval,
            "approved_user": None,
            "declined": False,
            "last_poll": 0.0,
        }
        state.dirty = True
        return {
            "device_code": device_code,
            "user_code": user_code,
            "verification_uri": f"{base}/setup/connect",
            "interval": interval,
        }

    def device_grant(params: dict[str, str], base: str) -> dict:
        code = params.get("code") or params.get("device_code") or ""
        record = state.tokens.device_codes.get(code)
        if record is None or record["service"] != "salesforce":
            raise OAuthError(400, "invalid_grant", "invalid device code")
        if params.get("client_id") != record["client_id"]:
            raise OAuthError(400, "invalid_client_id", "client identifier invalid")
        now = state.now().timestamp()
        if record["expires"] <= now:
            raise OAuthError(400, "expired_token", "the device code has expired")
        if record.get("declined"):
            raise OAuthError(400, "access_denied", "end-user denied authorization")
        user_id = record.get("approved_user") or (
            state.sf["me"] if state.config.get("auto_approve") else None
        )
        if not user_id:
            too_soon = record["last_poll"] and now - record["last_poll"] < record["interval"]
            record["last_poll"] = now
            state.dirty = True
            if too_soon:
                raise OAuthError(400, "slow_down", "polling too frequently; wait for the interval")
            raise OAuthError(400, "authorization_pending", "authorization pending")
        del state.tokens.device_codes[code]
        return issue_tokens(state, base, user_id, record["client_id"], record["scope"])

    async def revoke(request: Request) -> Response:
        params = dict(request.query_params)
        if request.method == "POST":
            params.update({k: str(v) for k, v in (await request.form()).items()})
        token_value = params.get("token") or ""
        with state.lock:
            store = state.tokens
            known = store.refresh.get(token_value) or store.access.get(token_value)
            if not known or known.get("service") != "salesforce":
                raise OAuthError(400, "unsupported_token_type", "this token type is not supported")
            store.revoke(token_value)
            state.dirty = True
        return Response(status_code=200)

    def identity_body(base: str, user: dict, asserted: bool) -> dict:
        org, uid = state.sf["org_id"], user["Id"]
        rest = f"{base}/services/data/v{{version}}/"
        urls = {
            "enterprise": f"{base}/services/Soap/c/{{version}}/{org[:15]}",
            "metadata": f"{base}/services/Soap/m/{{version}}/{org[:15]}",
            "partner": f"{base}/services/Soap/u/{{version}}/{org[:15]}",
            "rest": rest,
            "sobjects": rest + "sobjects/",
            "search": rest + "search/",
            "query": rest + "query/",
            "recent": rest + "recent/",
            "tooling_soap": f"{base}/services/Soap/T/{{version}}/{org[:15]}",
            "tooling_rest": rest + "tooling/",
            "profile": f"{base}/{uid}",
            "feeds": rest + "chatter/feeds",
            "groups": rest + "chatter/groups",
            "users": rest + "chatter/users",
            "feed_items": rest + "chatter/feed-items",
            "feed_elements": rest + "chatter/feed-elements",
            "custom_domain": base,
        }
        photo = f"{base}/profilephoto/005/F"
        return {
            "id": identity_url(base, state, uid),
            "asserted_user": asserted,
            "user_id": uid,
            "organization_id": org,
            "username": user.get("Username"),
            "nick_name": user.get("Alias"),
            "display_name": user.get("Name"),
            "email": user.get("Email"),
            "email_verified": True,
            "first_name": user.get("FirstName"),
            "last_name": user.get("LastName"),
            "timezone": user.get("TimeZoneSidKey"),
            "photos": {"picture": photo, "thumbnail": photo + "/T"},
            "addr_street": None,
            "addr_city": None,
            "addr_state": None,
            "addr_country": None,
            "addr_zip": None,
            "mobile_phone": None,
            "mobile_phone_verified": False,
            "is_lightning_login_user": False,
            "status": {"created_date": None, "body": None},
            "urls": urls,
            "active": user.get("IsActive", True),
            "user_type": "STANDARD",
            "language": "en_US",
            "locale": "en_US",
            "utcOffset": 0,
            "last_modified_date": user.get("LastModifiedDate"),
            "is_app_installed": True,
        }

    async def userinfo(request: Request) -> Response:
        user_id = bearer_user(state, request)
        user = state.sf_user(user_id) if user_id else None
        if user is None:
            return Response("Bad_OAuth_Token", 403, media_type="text/plain")
        base = base_url(request)
        ident = identity_body(base, user, True)
        return oauth_json(
            {
                "sub": ident["id"],
                "user_id": user["Id"],
                "organization_id": state.sf["org_id"],
                "preferred_username": user.get("Username"),
                "nickname": user.get("Alias"),
                "name": user.get("Name"),
                "email": user.get("Email"),
                "email_verified": True,
                "given_name": user.get("FirstName"),
                "family_name": user.get("LastName"),
                "zoneinfo": user.get("TimeZoneSidKey"),
                "photos": ident["photos"],
                "profile": ident["urls"]["profile"],
                "picture": ident["photos"]["picture"],
                "address": {},
                "is_salesforce_integration_user": False,
                "urls": ident["urls"],
                "active": ident["active"],
                "user_type": "STANDARD",
                "language": "en_US",
                "locale": "en_US",
                "utcOffset": 0,
                "updated_at": user.get("LastModifiedDate"),
                "is_app_installed": True,
            }
        )

    async def identity(request: Request) -> Response:
        caller = bearer_user(state, request)
        if caller is None:
            return Response("Bad_OAuth_Token", 403, media_type="text/plain")
        org, uid = request.path_params["org"], request.path_params["user"]
        user = state.sf_user(uid) if uid else None
        if org[:15] != state.sf["org_id"][:15] or user is None:
            return Response("Bad_Id", 404, media_type="text/plain")
        return oauth_json(identity_body(base_url(request), user, caller == uid))

    async def connect(request: Request) -> Response:
        message, done = "", False
        code = (request.query_params.get("user_code") or "").strip().upper()
        if request.method == "POST":
            form = await request.form()
            code = str(form.get("user_code") or "").strip().upper().replace("-", "").replace(" ", "")
            action, user_id = str(form.get("action") or ""), str(form.get("user") or "")
            with state.lock:
                now = state.now().timestamp()
                record = next(
                    (
                        r
                        for r in state.tokens.device_codes.values()
                        if r["service"] == "salesforce"
                        and r["user_code"] == code
                        and r["expires"] > now
                        and not r.get("approved_user")
                        and not r.get("declined")
                    ),
                    None,
                )
                user = state.sf_user(user_id)
                if record is None:
                    message = "That code is not valid or has expired. Check the code on your device."
                elif action == "deny":
                    record["declined"] = True
                    message, done = "Access denied. You can close this window.", True
                elif user is None or not user.get("IsActive", True):
                    message = "Choose a user to sign in as."
                else:
                    record["approved_user"] = user_id
                    message, done = (
                        "You're connected. Return to your device; you can close this window.",
                        True,
                    )
                state.dirty = True
        if done:
            return _page("Connected", f"<h1>Connect to Salesforce</h1><p>{html.escape(message)}</p>")
        err = f"<p class=error>{html.escape(message)}</p>" if message else ""
        return _page(
            "Connect | Salesforce",
            f"""
<h1>Connect to Salesforce</h1>
<p class=note>Enter the code shown on your device and choose who signs in.</p>{err}
<form method=post action="/setup/connect">
<label for=user_code>Code</label>
<input id=user_code type=text name=user_code value="{html.escape(code)}" autocomplete=off>
<label for=user>Log in as</label>
<select id=user name=user>{_user_options(state, state.sf["me"])}</select>
<div class=buttons><button class=allow type=submit name=action value=allow>Connect</button>
<button class=deny type=submit name=action value=deny>Deny</button></div></form>""",
            status=400 if message else 200,
        )

    return [
        Route("/services/oauth2/authorize", authorize, methods=["GET", "POST"]),
        Route("/services/oauth2/token", token, methods=["POST"]),
        Route("/services/oauth2/revoke", revoke, methods=["GET", "POST"]),
        Route("/services/oauth2/userinfo", userinfo, methods=["GET", "POST"]),
        Route("/id/{org}/{user}", identity, methods=["GET", "POST"]),
        Route("/setup/connect", connect, methods=["GET", "POST"]),
        Route("/.well-known/openid-configuration", openid_configuration, methods=["GET"]),
    ]
