"""Shared fixtures: a real sandbox over HTTPS on loopback, reset between tests."""
from __future__ import annotations

import os
import ssl
from datetime import timedelta
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from sandbox import seed as seeding
from sandbox.runner import SandboxServer
from sandbox.state import DEFAULT_CONFIG

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True, scope="session")
def _no_real_profile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test touches the real user's profile: a command run without --profile (a usage
    error, a default) gets platformdirs' folders under a temporary home (XDG on Linux)."""
    home = tmp_path_factory.mktemp("xdg")
    saved = {k: os.environ.get(k) for k in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME",
                                              "XDG_STATE_HOME")}
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
        self.state.config.update(DEFAULT_CONFIG)
        seeding.apply(self.state, seed)
        self.state.set_faults(latency_ms=0, fault_rate=0.0, seed=0, kinds=["429", "503", "drop"])
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


@pytest.fixture
def graph_schema() -> dict:
    import json

    path = SHARED / "data" / "graph_v1_schema_subset.json"
    if not path.exists():  # a checkout without the design folder beside it (e.g. GitHub's runners)
        pytest.skip(f"the Graph schema subset is not beside the repository ({path})")
    return json.loads(path.read_text())
