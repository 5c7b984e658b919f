"""Salesforce's OpenID Connect discovery document, ``GET /.well-known/openid-configuration``
on the login host (and My Domain): served without a session, it lists the OAuth endpoints.
Tandem's ``login --check`` reads it to tell a Salesforce login address from a typo."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sandbox.salesforce.http import base_url_of


async def openid_configuration(request: Request) -> Response:
    base = base_url_of(request.headers, request.scope)
    return JSONResponse(
        {
            "issuer": base,
            "authorization_endpoint": f"{base}/services/oauth2/authorize",
            "token_endpoint": f"{base}/services/oauth2/token",
            "revocation_endpoint": f"{base}/services/oauth2/revoke",
            "userinfo_endpoint": f"{base}/services/oauth2/userinfo",
            "jwks_uri": f"{base}/id/keys",
            "scopes_supported": [
                "api",
                "refresh_token",
                "offline_access",
                "openid",
                "id",
                "profile",
                "email",
            ],
            "response_types_supported": ["code", "token", "token id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }
    )
