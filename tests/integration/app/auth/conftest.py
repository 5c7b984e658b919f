"""Fixtures for the accounts tests: a throwaway keyring, a profile, a context on the sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from accounts_keyring import MemoryKeyring

from app.cli.accounts import AccountsContext, AccountSettings
from app.endpoints import Endpoints
from app.paths import profile_paths


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> dict:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "accounts_keyring.MemoryKeyring")
    MemoryKeyring.store.clear()
    yield MemoryKeyring.store
    MemoryKeyring.store.clear()


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    return tmp_path / "profile"


@pytest.fixture
def ctx(sandbox, profile: Path, memory_keyring: dict) -> AccountsContext:
    sandbox.control("config", {"device_interval_s": 1})
    endpoints = Endpoints.from_sandbox_info(sandbox.info)
    return AccountsContext(profile_paths(profile, sandbox=True).ensure(), endpoints, AccountSettings())


@pytest.fixture
def offline_ctx(profile: Path, memory_keyring: dict) -> AccountsContext:
    """A context whose services are never reached (for the loopback listener's refusals)."""
    endpoints = Endpoints(
        authority="https://127.0.0.1:9/common",
        graph_url="https://127.0.0.1:9/v1.0",
        salesforce_login_url="https://127.0.0.1:9",
        sandbox=True,
    )
    return AccountsContext(profile_paths(profile, sandbox=True).ensure(), endpoints, AccountSettings())
