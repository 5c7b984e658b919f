"""What every Entra endpoint shares: the tenant in the path, form bodies, scopes."""

from __future__ import annotations

import base64
import string

from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request

from sandbox.errors import entra_error
from sandbox.state import SandboxState

SERVICE = "microsoft"

GRANT_DEVICE = "urn:ietf:params:oauth:grant-type:device_code"

DEVICE_CODE_LIFETIME_S = 900

AUTH_CODE_LIFETIME_S = 600

ID_TOKEN_LIFETIME_S = 3600

RESERVED_SCOPES = ("openid", "profile", "offline_access", "email")

GRAPH_RESOURCE = "https://graph.microsoft.com/"

MULTI_TENANT = ("common", "organizations", "consumers")

USER_CODE_ALPHABET = "".join(c for c in string.ascii_uppercase + string.digits if c not in "0O1IL")


class _TenantConvertor(Convertor):
    """A first path segment that is not another service's (Salesforce, Graph, control)."""

    regex = r"(?!services/|_sandbox/|v1\.0/|beta/|id/|setup/)[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("entra_tenant", _TenantConvertor())


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def tenant_ok(state: SandboxState, tenant: str) -> bool:
    tid = state.graph.get("tenant_id", "")
    domain = state.graph.get("user", {}).get("userPrincipalName", "").partition("@")[2]
    t = tenant.lower()
    return (
        t in MULTI_TENANT
        or t == tid.lower()
        or (domain and t == domain.lower())
        or t.endswith(".onmicrosoft.com")
    )


def check_tenant(state: SandboxState, tenant: str) -> None:
    if not tenant_ok(state, tenant):
        raise entra_error(
            400,
            "invalid_tenant",
            90002,
            f"Tenant '{tenant}' not found. Check to make sure you have the correct "
            "tenant ID and are signing into the correct cloud.",
        )


def issuer(base: str, state: SandboxState) -> str:
    return f"{base}/{state.graph['tenant_id']}/v2.0"


def split_scopes(scope: str) -> list[str]:
    return [s for s in (scope or "").split() if s]


def granted_scope(requested: str) -> str:
    """The ``scope`` a token response reports: Graph scopes by short name, then OIDC ones."""
    out: list[str] = []
    oidc: list[str] = []
    for s in split_scopes(requested):
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


async def read_form(request: Request) -> dict[str, str]:
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


def require(data: dict[str, str], name: str) -> str:
    value = data.get(name, "")
    if not value:
        raise entra_error(
            400,
            "invalid_request",
            900144,
            f"The request body must contain the following parameter: '{name}'.",
        )
    return value


def user_of(state: SandboxState, user_id: str) -> dict:
    user = state.graph.get("user") or {}
    if user.get("id") != user_id:  # one mailbox user; any other id is an orphan grant
        return {"id": user_id, "displayName": "", "userPrincipalName": ""}
    return user
