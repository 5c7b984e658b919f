"""Errors for people: OAuth error bodies become typed errors with titles, words and ids."""

from __future__ import annotations

import pytest

from app.errors import (
    AuthError,
    ConsentDeclined,
    NetworkDown,
    ServiceUnavailable,
    SignInExpired,
    SignInTimedOut,
    WrongClientId,
    network_error,
    oauth_error,
)
from sync.errors import TandemError


@pytest.mark.parametrize("service, name", [("salesforce", "Salesforce"), ("outlook", "Outlook")])
def test_invalid_grant_says_reconnect(service: str, name: str) -> None:
    err = oauth_error(service, {"error": "invalid_grant", "error_description": "expired"})
    assert isinstance(err, SignInExpired) and isinstance(err, TandemError)
    assert err.message == f"Your {name} sign-in has expired — reconnect."
    assert err.action == "reconnect"
    assert err.ids["service"] == service and err.ids["error"] == "invalid_grant"


@pytest.mark.parametrize(
    "body, cls, action",
    [
        ({"error": "access_denied"}, ConsentDeclined, "reconnect"),
        ({"error": "authorization_declined"}, ConsentDeclined, "reconnect"),
        ({"error": "invalid_client_id"}, WrongClientId, "settings"),
        ({"error": "invalid_request", "error_codes": [700016]}, WrongClientId, "settings"),
        ({"error": "expired_token"}, SignInTimedOut, "reconnect"),
        ({"error": "temporarily_unavailable"}, ServiceUnavailable, "retry"),
    ],
)
def test_login_errors(body, cls, action) -> None:
    err = oauth_error("outlook", body, during="login")
    assert type(err) is cls and err.action == action
    assert err.title and err.message and "Outlook" in err.title


def test_unknown_login_error_is_generic_and_refresh_failure_is_expiry() -> None:
    assert type(oauth_error("salesforce", {"error": "weird"}, during="login")) is AuthError
    assert isinstance(oauth_error("salesforce", {"error": "weird"}, during="refresh"), SignInExpired)
    assert isinstance(oauth_error("salesforce", {}, during="login", status=503), ServiceUnavailable)


def test_network_error() -> None:
    err = network_error("salesforce", ConnectionRefusedError())
    assert isinstance(err, NetworkDown) and err.action == "retry"
    assert "network" in err.message
    assert err.to_json()["ids"]["service"] == "salesforce"
