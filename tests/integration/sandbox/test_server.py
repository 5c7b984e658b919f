"""The sandbox as a server: TLS with its own CA, the CLI's ready line, persistence, faults,
request accounting and error formats shared by every service."""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from sandbox.runner import SandboxServer

ROOT = Path(__file__).resolve().parents[3]


def test_serves_https_trusted_only_through_its_own_ca(sandbox) -> None:
    with sandbox.client() as c:
        assert c.get("/_sandbox/requests").status_code == 200
    # A client that does not trust the sandbox CA must refuse the connection.
    with httpx.Client(verify=ssl.create_default_context()) as plain, pytest.raises(httpx.ConnectError):
        plain.get(f"{sandbox.base_url}/_sandbox/requests")


def test_cli_prints_one_json_line_then_serves_until_interrupted(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "main.py",
            "sandbox",
            "serve",
            "--seed",
            "empty",
            "--state",
            str(tmp_path / "world.json"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        info = json.loads(line)
        assert set(info) == {"base_url", "authority", "graph_url", "salesforce_login_url", "ca_file", "pid"}
        assert info["base_url"].startswith("https://127.0.0.1:")
        assert info["graph_url"] == info["base_url"] + "/v1.0"
        assert info["salesforce_login_url"] == info["base_url"]
        assert info["pid"] == proc.pid
        assert Path(info["ca_file"]).parent == tmp_path
        ctx = ssl.create_default_context(cafile=info["ca_file"])
        r = httpx.get(info["base_url"] + "/_sandbox/requests", verify=ctx)
        assert r.status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert proc.returncode == 0
    assert (tmp_path / "world.json").exists()


def test_cli_rejects_a_bad_seed_with_usage_error() -> None:
    proc = subprocess.run(
        [sys.executable, "main.py", "sandbox", "serve", "--seed", "huge"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "unknown seed" in proc.stderr
    assert proc.stdout == ""


def test_state_file_keeps_data_and_ca_across_restarts(tmp_path: Path) -> None:
    state_file = tmp_path / "world.json"
    with SandboxServer(seed="empty", state_file=state_file) as first:
        first.state.sf_create("Account", {"Name": "Kept Across Restarts GmbH"})
        ca_before = Path(first.info["ca_file"]).read_bytes()
    with SandboxServer(seed="empty", state_file=state_file) as second:
        names = [a["Name"] for a in second.state.sf["records"]["Account"].values()]
        assert "Kept Across Restarts GmbH" in names
        assert Path(second.info["ca_file"]).read_bytes() == ca_before
        ctx = ssl.create_default_context(cafile=second.info["ca_file"])
        assert httpx.get(second.info["base_url"] + "/_sandbox/requests", verify=ctx).status_code == 200


def test_unknown_paths_get_each_service_s_own_error_format(sandbox) -> None:
    with sandbox.client() as c:
        graph = c.get("/v1.0/me/nonsense")
        assert graph.status_code == 400
        assert graph.json()["error"]["code"] == "BadRequest"
        assert "request-id" in graph.headers
        sf = c.get("/services/data/v67.0/nonsense/deeper")
        assert sf.status_code in (401, 404)
        body = sf.json()
        assert isinstance(body, list) and body[0]["errorCode"] in ("NOT_FOUND", "INVALID_SESSION_ID")


def test_fault_injection_answers_429_with_retry_after_in_service_format(sandbox) -> None:
    sandbox.control("faults", {"fault_rate": 1.0, "kinds": ["429"]})
    with sandbox.client() as c:
        graph = c.get("/v1.0/me")
        assert graph.status_code == 429
        assert graph.headers["Retry-After"] == "1"
        assert graph.json()["error"]["code"] == "ApplicationThrottled"
        sf = c.get("/services/data/v67.0/limits")
        assert sf.status_code == 429
        assert sf.json()[0]["errorCode"] == "SERVER_UNAVAILABLE"
        # The control API itself is never faulted, so tests can always switch faults off.
        assert c.post("/_sandbox/faults", json={"fault_rate": 0}).status_code == 200
        assert c.get("/v1.0/me").status_code != 429


def test_fault_injection_drops_connections(sandbox) -> None:
    sandbox.control("faults", {"fault_rate": 1.0, "kinds": ["drop"]})
    with sandbox.client() as c, pytest.raises(httpx.RemoteProtocolError):
        c.get("/v1.0/me")


def test_targeted_faults_meet_only_their_request_and_are_checked(sandbox) -> None:
    target = {"service": "graph", "method": "GET", "path": "/me", "kind": "504", "times": 2}
    sandbox.control("faults", {"targets": [target]})
    with sandbox.client() as c:
        statuses = [c.get("/v1.0/me").status_code for _ in range(3)]
        assert c.get("/v1.0/me/contacts").status_code != 504  # another path: untouched
        gateway = c.post("/_sandbox/faults", json={"targets": [{**target, "times": 1}]})
        assert gateway.status_code == 200
        page = c.get("/v1.0/me")
        assert "text/html" in page.headers["content-type"]  # a gateway's page, not Graph's JSON
        for wrong in (
            {**target, "kind": "teapot"},
            {**target, "service": "salesforce", "in_batch": True},
            {**target, "service": "nowhere"},
        ):
            assert c.post("/_sandbox/faults", json={"targets": [wrong]}).status_code == 400
    assert statuses[:2] == [504, 504] and statuses[2] == 401  # then the real answer (no token)


def test_faults_follow_a_seeded_random_source(sandbox) -> None:
    def pattern() -> list[int]:
        sandbox.control("faults", {"fault_rate": 0.5, "kinds": ["503"], "seed": 42})
        with sandbox.client() as c:
            return [c.get("/v1.0/me/nonsense").status_code for _ in range(30)]

    first, second = pattern(), pattern()
    assert first == second
    assert 503 in first and any(code != 503 for code in first)


def test_requests_are_counted_per_service_and_endpoint(sandbox) -> None:
    sandbox.control("POST requests/reset")
    with sandbox.client() as c:
        for _ in range(3):
            c.get("/v1.0/me/nonsense")
        c.get("/services/data/v67.0/nonsense")
    counts = sandbox.control("requests")
    assert counts["services"]["graph"]["total"] == 3
    assert counts["services"]["salesforce"]["total"] == 1
    assert "control" not in counts["services"]
    assert counts["total"] == 4


def test_control_api_rejects_bad_input_plainly(sandbox) -> None:
    with sandbox.client() as c:
        r = c.post("/_sandbox/faults", json={"kinds": ["meteor"]})
        assert r.status_code == 400 and "unknown fault kinds" in r.json()["error"]
        r = c.post("/_sandbox/config", content=b"{not json")
        assert r.status_code == 400
        r = c.post("/_sandbox/reset", json={"seed": "scale:x"})
        assert r.status_code == 400 and "unknown seed" in r.json()["error"]


def test_clock_can_be_moved_forward(sandbox) -> None:
    before = sandbox.state.now()
    sandbox.control("clock", {"advance_s": 3600})
    assert (sandbox.state.now() - before).total_seconds() >= 3600
