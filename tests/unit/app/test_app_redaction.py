"""The redaction filter: tokens, codes, verifiers and Authorization headers never reach a log."""

from __future__ import annotations

import logging

import pytest

from app import redaction
from app.redaction import MASK, RedactingFilter, redact

SECRET = "s3cr3tV4lue_abc-123"


@pytest.mark.parametrize(
    "text",
    [
        f"Authorization: Bearer {SECRET}",
        f"headers={{'Authorization': 'Bearer {SECRET}', 'Accept': 'json'}}",
        f"authorization={SECRET}",
        f'{{"access_token": "{SECRET}", "token_type": "Bearer"}}',
        f'{{"refresh_token":"{SECRET}"}}',
        f"{{'id_token': '{SECRET}'}}",
        f"grant_type=authorization_code&code={SECRET}&redirect_uri=http://127.0.0.1:5/cb",
        f"code_verifier={SECRET}&client_id=abc",
        f"grant_type=device&client_id=x&code={SECRET}",
        f"device_code={SECRET}&code={SECRET}",
        f"client_info={SECRET}",
        f"password={SECRET}",
        f"b'grant_type=refresh_token&refresh_token={SECRET}&scope=api'",
        f"GET /OauthRedirect?code={SECRET}&state=xyz HTTP/1.1",
        f'"{{\\"access_token\\": \\"{SECRET}\\"}}"',
        f"refresh_token: {SECRET}",
    ],
)
def test_known_shapes_are_redacted(text: str) -> None:
    out = redact(text)
    assert SECRET not in out
    assert MASK in out


def test_jwt_and_salesforce_session_ids_are_redacted() -> None:
    jwt = "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
    session = "00D5g000004DmX2!AQ4AQHk0.abc_def"
    out = redact(f"id token {jwt} and session {session} here")
    assert jwt not in out and session not in out and "AQ4AQHk0" not in out


def test_harmless_text_is_kept() -> None:
    text = (
        "POST https://login.example/token user_code=ABCD-EFGH code_challenge=xyz "
        "error_code=5 state=abc scope=api"
    )
    assert redact(text) == text


def test_filter_rewrites_message_args_and_exception(caplog) -> None:
    logger = logging.getLogger("test.redaction")
    handler_filter = RedactingFilter()
    caplog.handler.addFilter(handler_filter)
    try:
        with caplog.at_level(logging.DEBUG, logger="test.redaction"):
            logger.debug("sending %s", {"refresh_token": SECRET})
            try:
                raise ValueError(f"bad answer access_token={SECRET}")
            except ValueError:
                logger.exception("failed with Bearer %s", SECRET)
    finally:
        caplog.handler.removeFilter(handler_filter)
    assert SECRET not in caplog.text
    assert len(caplog.records) == 2


def test_install_covers_every_logger_and_handler(caplog) -> None:
    redaction.install()
    try:
        with caplog.at_level(logging.DEBUG):
            for name in ("httpx", "httpcore.http11", "msal.application", "urllib3.connectionpool"):
                logging.getLogger(name).debug("body: %s", f"refresh_token={SECRET}&code={SECRET}")
    finally:
        redaction.uninstall()
    assert caplog.records and SECRET not in caplog.text
    assert all(r.getMessage().count(MASK) == 2 for r in caplog.records)


def test_an_msal_token_cache_written_to_a_log_loses_its_secrets():
    cache = (
        '{"AccessToken": {"uid.utid-login-accesstoken": {"credential_type": "AccessToken", '
        '"secret": "opaque-access-token-value", "home_account_id": "uid.utid"}}, '
        '"RefreshToken": {"uid.utid-login-refreshtoken": {"secret": "opaque-refresh-value"}}}'
    )
    out = redact(cache)
    assert "opaque-access-token-value" not in out and "opaque-refresh-value" not in out
    assert '"credential_type": "AccessToken"' in out  # what is not secret stays readable
