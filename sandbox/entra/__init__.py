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

Any ``client_id`` is accepted; they all share one app registration, whose redirect URIs are
``state.config["entra_redirect_uris"]`` (``http://localhost`` by default: any port, as Entra's
localhost exception has it; anything else unregistered is refused with AADSTS50011).
``state.config["entra_block_device_code"]`` is a Conditional Access policy blocking the device
code flow: the code can still be entered, but the sign-in ends in AADSTS53003. ``state.config["auto_approve"]``
makes device codes count as approved at once and the authorize page redirect at once.
``state.config["device_interval_s"]`` is the polling interval handed out with device codes;
polling faster than it gets ``slow_down``.

The parts: ``wire`` (tenants, forms, scopes), ``issuing`` (token responses, ID tokens),
``discovery``, ``device`` (the device code flow), ``grants`` (the token endpoint),
``authorize`` (the sign-in page) and ``pages`` (their look).
"""

from __future__ import annotations

from starlette.routing import Route

from sandbox.entra import authorize, device, discovery, grants
from sandbox.state import SandboxState


def routes(state: SandboxState) -> list[Route]:
    """Every Entra endpoint over ``state``."""
    return [route for part in (discovery, device, grants, authorize) for route in part.routes(state)]


__all__ = ["routes"]
