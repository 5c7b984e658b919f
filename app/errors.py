"""Errors of the application layer, meant for people, routed by code.

Every class derives from :class:`sync.errors.TandemError` (``title``, ``message``, ``ids``).
Sign-in and keyring errors also carry ``action``: the one remedy the UI offers for them
(STYLE.md habits 7 and 8). The UI maps ``action`` to a button; the CLI prints the message.

=====================  ======================================================
``action``             remedy
=====================  ======================================================
``"reconnect"``        run the sign-in of ``ids["service"]`` again
``"connect"``          the service was never connected: run its sign-in
``"retry"``            try again later (network down, service unavailable)
``"unlock_keyring"``   unlock the system keyring, then try again
``"install_keyring"``  set up a system keyring (Secret Service, Keychain, ...)
``"settings"``         an administrator or the settings must fix a value
=====================  ======================================================

Library exceptions (msal result dicts, httpx errors, keyring errors) are converted into
these at one boundary each: :func:`oauth_error` for OAuth error bodies, the secrets module
for keyring errors, :func:`network_error` for transport failures.
"""

from __future__ import annotations

from typing import Any

from sync.errors import TandemError

SERVICE_NAMES = {"outlook": "Outlook", "salesforce": "Salesforce"}


class AppError(TandemError):
    """A TandemError raised by the application layer; ``action`` names its remedy."""

    action: str | None = None

    def __init__(
        self, title: str | None = None, message: str = "", *, action: str | None = None, **ids: Any
    ) -> None:
        super().__init__(title, message, **ids)
        if action is not None:
            self.action = action

    def to_json(self) -> dict[str, Any]:
        return {
            "error": type(self).__name__,
            "title": self.title,
            "message": self.message,
            "action": self.action,
            "ids": {k: v for k, v in self.ids.items() if isinstance(v, (str, int, float, bool, type(None)))},
        }


# -- secrets ---------------------------------------------------------------------------


class SecretsError(AppError):
    title = "Tandem cannot use the system keyring"
    action = "retry"


class KeyringUnavailable(SecretsError):
    title = "No system keyring is available"
    action = "install_keyring"


class KeyringLocked(SecretsError):
    title = "The system keyring is locked"
    action = "unlock_keyring"


# -- sign-in ---------------------------------------------------------------------------


class AuthError(AppError):
    """A sign-in problem with one service (``ids["service"]`` is outlook or salesforce)."""

    title = "Sign-in failed"
    action = "reconnect"

    @property
    def service(self) -> str | None:
        return self.ids.get("service")


class NotConnected(AuthError):
    title = "Not connected"
    action = "connect"


class SignInExpired(AuthError):
    """The refresh token was refused (``invalid_grant``): expired, revoked or password changed."""

    title = "Sign-in expired"
    action = "reconnect"


class ConsentDeclined(AuthError):
    title = "Access was not allowed"
    action = "reconnect"


class WrongClientId(AuthError):
    title = "The app registration is not recognised"
    action = "settings"


class SignInTimedOut(AuthError):
    title = "Sign-in timed out"
    action = "reconnect"


class AccessBlocked(AuthError):
    """The organisation's Conditional Access policy allows no token (AADSTS53003)."""

    title = "Blocked by your organisation's access policy"
    action = "reconnect"


class DeviceCodeBlocked(AccessBlocked):
    """The policy blocks the sign-in with a code (the device code flow); the browser may work."""

    title = "Your organisation does not allow signing in with a code"


BLOCKED_BY_POLICY = 53003  # AADSTS53003 BlockedByConditionalAccess


class InsecureEndpoint(AuthError):
    title = "The service answered with an unsafe address"
    action = "settings"


class NetworkDown(AuthError):
    title = "Cannot reach the service"
    action = "retry"


class ServiceUnavailable(AuthError):
    title = "The service is not answering"
    action = "retry"


def _name(service: str) -> str:
    return SERVICE_NAMES.get(service, service)


def not_connected(service: str) -> NotConnected:
    return NotConnected(
        f"{_name(service)} is not connected",
        f"Tandem is not connected to {_name(service)} yet — connect it first.",
        service=service,
    )


def sign_in_expired(service: str, error: str = "invalid_grant", description: str = "") -> SignInExpired:
    return SignInExpired(
        f"{_name(service)} sign-in expired",
        f"Your {_name(service)} sign-in has expired — reconnect.",
        service=service,
        error=error,
        description=description,
    )


def network_error(service: str, exc: BaseException | None = None) -> NetworkDown:
    detail = type(exc).__name__ if exc is not None else ""
    return NetworkDown(
        f"Cannot reach {_name(service)}",
        f"Tandem could not reach {_name(service)}. Check the network connection and try again.",
        service=service,
        detail=detail,
    )


# OAuth error codes (RFC 6749, Entra AADSTS codes, Salesforce) -> the class and the words.
_EXPIRED = {
    "invalid_grant",
    "expired_token_refresh",
    "interaction_required",
    "login_required",
    "invalid_token",
}
_DECLINED = {"access_denied", "authorization_declined", "consent_required"}
_CLIENT = {"invalid_client", "invalid_client_id", "unauthorized_client"}
_TIMEOUT = {"expired_token", "code_expired"}
_UNAVAILABLE = {"temporarily_unavailable", "server_error"}


def oauth_error(
    service: str, body: dict[str, Any] | None, *, during: str = "refresh", status: int | None = None
) -> AuthError:
    """Convert an OAuth error body (or an msal result dict) into a typed error.

    ``during`` is ``"refresh"`` (silent use of a stored sign-in) or ``"login"``.
    """
    from app.redaction import redact

    body = body or {}
    error = str(body.get("error") or "")
    description = redact(str(body.get("error_description") or ""))[:500]
    codes = body.get("error_codes") or []
    name = _name(service)
    ids: dict[str, Any] = {"service": service, "error": error, "status": status, "during": during}
    if error in _CLIENT or 700016 in codes or "AADSTS700016" in description:
        return WrongClientId(
            f"{name} does not recognise the app registration Tandem signs in with",
            f"{name} does not know the client id in Tandem's settings. Ask your "
            "administrator for the right client id and enter it in the settings "
            "(docs/ADMIN.md says how an administrator registers Tandem).",
            **ids,
        )
    if BLOCKED_BY_POLICY in codes:
        return AccessBlocked(
            f"{name} access is blocked by your organisation",
            f"You signed in, but your organisation's access policy does not allow Tandem to use "
            f"{name} this way. Ask your administrator which sign-in your organisation allows.",
            **ids,
        )
    if error in _DECLINED:
        return ConsentDeclined(
            f"{name} access was not allowed",
            f"The sign-in to {name} was declined, so Tandem cannot use it. Connect again and choose Allow.",
            **ids,
        )
    if error in _TIMEOUT:
        return SignInTimedOut(
            f"{name} sign-in timed out",
            f"The {name} sign-in code expired before it was used. Start the sign-in again.",
            **ids,
        )
    if error in _UNAVAILABLE or (status is not None and status >= 500):
        return ServiceUnavailable(
            f"{name} is not answering",
            f"{name} could not complete the sign-in right now. Try again in a few minutes.",
            **ids,
        )
    if error in _EXPIRED or during == "refresh":
        err = sign_in_expired(service, error or "unknown", description)
        err.ids.update(status=status, during=during)
        return err
    return AuthError(
        f"{name} sign-in failed",
        f"The sign-in to {name} did not succeed ({error or 'no reason given'}). Try again.",
        **ids,
    )
