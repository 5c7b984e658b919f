"""Helpers for the Salesforce emulator tests (no tests here).

Tokens are issued through ``sandbox.salesforce.oauth.issue_tokens`` (what the token endpoint does, so
REST tests need not replay a sign-in); the OAuth flows themselves are tested end to end in
``test_sf_oauth.py``. ``simple_sf`` builds an independent client, simple-salesforce, that
trusts the sandbox CA explicitly: ``REQUESTS_CA_BUNDLE`` overrides ``Session.verify`` in
requests, so the session passes ``verify`` on every call.
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import requests
from simple_salesforce import Salesforce

from sandbox.clock import sf_datetime
from sandbox.salesforce.oauth_tokens import issue_tokens
from sandbox.seed import sf_user_by_alias

CLIENT_ID = "3MVG9TandemSandboxTestClient"
API = "/services/data/v67.0"


def user_id(sandbox, alias: str = "mreyes") -> str:
    return sf_user_by_alias(sandbox.state, alias)["Id"]


def token_for(sandbox, alias: str = "mreyes", scope: str = "api refresh_token") -> dict:
    with sandbox.state.lock:
        return issue_tokens(sandbox.state, sandbox.base_url, user_id(sandbox, alias), CLIENT_ID, scope)


def sf_client(sandbox, alias: str = "mreyes", token: str | None = None) -> httpx.Client:
    """An httpx client for ``/services/data/v67.0/`` signed in as ``alias``."""
    token = token or token_for(sandbox, alias)["access_token"]
    return httpx.Client(
        base_url=f"{sandbox.base_url}{API}/",
        verify=sandbox.ssl_context(),
        timeout=30,
        headers={"Authorization": f"Bearer {token}"},
    )


class VerifiedSession(requests.Session):
    """A requests session that trusts exactly the sandbox CA, whatever the environment says."""

    def __init__(self, ca_file: str) -> None:
        super().__init__()
        self.ca_file = ca_file

    def request(self, method, url, **kwargs):  # type: ignore[override]
        kwargs["verify"] = self.ca_file
        return super().request(method, url, **kwargs)


def simple_sf(sandbox, alias: str = "mreyes", token: str | None = None) -> Salesforce:
    token = token or token_for(sandbox, alias)["access_token"]
    return Salesforce(
        instance_url=sandbox.base_url,
        session_id=token,
        session=VerifiedSession(sandbox.ca_file),
        version="67.0",
    )


def contact(sandbox, alias: str = "mreyes", **fields) -> dict:
    """A Contact stored straight into the org, owned by ``alias``."""
    owner = user_id(sandbox, alias)
    return sandbox.state.sf_create("Contact", {"LastName": "Doe", "OwnerId": owner, **fields}, user_id=owner)


def account(sandbox, alias: str = "mreyes", **fields) -> dict:
    owner = user_id(sandbox, alias)
    return sandbox.state.sf_create("Account", {"Name": "Acme", "OwnerId": owner, **fields}, user_id=owner)


def error_of(response) -> dict:
    """The first error of a Salesforce error array (and check that it is one)."""
    body = response.json()
    assert isinstance(body, list) and body, body
    assert set(body[0]) <= {"message", "errorCode", "fields"}, body
    return body[0]


def stamp(dt: datetime) -> str:
    return sf_datetime(dt.astimezone(UTC))
