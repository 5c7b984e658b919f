"""OIDC metadata: the discovery document, the (empty) key set and userinfo."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.entra.wire import MULTI_TENANT, SERVICE, b64url, base_url, check_tenant, user_of
from sandbox.responses import oauth_json
from sandbox.state import SandboxState


def routes(state: SandboxState) -> list[Route]:
    def discovery(request: Request) -> Response:
        tenant = request.path_params["tenant"]
        check_tenant(state, tenant)
        base = base_url(request)
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
        check_tenant(state, request.path_params["tenant"])
        return oauth_json({"keys": []})

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
        user = user_of(state, check.user)
        return oauth_json(
            {
                "sub": b64url(
                    hashlib.sha256(f"{check.user}:{(check.grant or {}).get('client_id')}".encode()).digest()[
                        :32
                    ]
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
        Route("/oidc/userinfo", userinfo, methods=["GET"]),
    ]
