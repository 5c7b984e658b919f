"""Shared fixtures: a real sandbox over HTTPS on loopback, reset between tests."""

from __future__ import annotations

import copy
import json
import os
import socket
import ssl
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from sandbox import seed as seeding
from sandbox.runner import SandboxServer
from sandbox.state import DEFAULT_CONFIG

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Salesforce's callback for the tests' sign-ins: a free port of this machine (the product's
# default, port 1717, may be taken here), registered in the sandbox's connected app.
TEST_CALLBACK_URL = f"http://localhost:{_free_port()}/OauthRedirect"


@pytest.fixture(autouse=True, scope="session")
def _test_callback() -> Iterator[None]:
    saved = os.environ.get("TANDEM_SALESFORCE_CALLBACK_URL")
    os.environ["TANDEM_SALESFORCE_CALLBACK_URL"] = TEST_CALLBACK_URL
    yield
    if saved is None:
        os.environ.pop("TANDEM_SALESFORCE_CALLBACK_URL", None)
    else:
        os.environ["TANDEM_SALESFORCE_CALLBACK_URL"] = saved


@pytest.fixture(autouse=True, scope="session")
def _no_real_profile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test touches the real user's profile: a command run without --profile (a usage
    error, a default) gets platformdirs' folders under a temporary home (XDG on Linux)."""
    home = tmp_path_factory.mktemp("xdg")
    saved = {
        k: os.environ.get(k) for k in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME")
    }
    for key in saved:
        os.environ[key] = str(home / key.lower())
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


class Sandbox:
    """A running sandbox plus helpers for tests: URLs, its CA, and its control API."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.info = server.info
        self.state = server.state
        self.base_url: str = server.info["base_url"]
        self.ca_file: str = server.info["ca_file"]

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file)

    def client(self, **kw) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, verify=self.ssl_context(), timeout=30, **kw)

    def control(self, path: str, payload: dict | None = None) -> dict:
        with self.client() as c:
            if payload is None and not path.startswith("POST "):
                r = c.get(f"/_sandbox/{path}")
            else:
                r = c.post(f"/_sandbox/{path.removeprefix('POST ')}", json=payload or {})
            r.raise_for_status()
            return r.json()

    def reset(self, seed: str = "empty") -> None:
        # Clock and config first: the seed stamps its records with the sandbox's "now".
        self.state.clock.offset = timedelta(0)
        self.state.config.update(copy.deepcopy(DEFAULT_CONFIG))
        self.state.config["sf_callback_urls"] = [*DEFAULT_CONFIG["sf_callback_urls"], TEST_CALLBACK_URL]
        seeding.apply(self.state, seed)
        self.state.set_faults(latency_ms=0, fault_rate=0.0, seed=0, kinds=["429", "503", "drop"], targets=[])
        self.state.requests.clear()


@pytest.fixture(scope="session")
def sandbox_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    server = SandboxServer(seed="empty", state_dir=tmp_path_factory.mktemp("sandbox"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server: SandboxServer, request: pytest.FixtureRequest) -> Sandbox:
    marker = request.node.get_closest_marker("seed")
    box = Sandbox(sandbox_server)
    box.reset(marker.args[0] if marker else "empty")
    return box


@pytest.fixture(scope="session")
def graph_schema() -> dict:
    """The Graph v1.0 schema subset (taken from Microsoft's CSDL), kept in the repository."""
    return json.loads((DATA / "graph_v1_schema_subset.json").read_text(encoding="utf-8"))


# -- no silent skips -------------------------------------------------------------------------
# A test may skip only because of the platform it runs on, and says so with
# ``@pytest.mark.only_on("linux", "darwin")``. Under CI (CI=true) any other skip fails the run,
# so a missing tool or file can never pass as green.


def pytest_runtest_setup(item: pytest.Item) -> None:
    marker = item.get_closest_marker("only_on")
    if marker and not any(sys.platform.startswith(p) for p in marker.args):
        pytest.skip(f"platform: only on {', '.join(marker.args)} (this is {sys.platform})")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("CI") == "true" and not item.get_closest_marker("only_on"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under CI without a platform marker (only_on): {reason}"
