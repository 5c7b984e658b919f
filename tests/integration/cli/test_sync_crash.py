"""A ``python main.py sync --yes`` process killed with SIGKILL in the middle of applying, then
run again: no duplicate and nothing lost. The CLI runs in separate processes (a sandbox
profile keeps its sign-ins in its own file keyring); the sandbox is this test's."""

from __future__ import annotations

import collections
import json
import signal
import subprocess
import time
from pathlib import Path

import pytest
from cli_run import env, signed_in_profile, tandem, tandem_argv

from sandbox.seed import root_contact_folder

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.seed("demo")
WRITES = (
    "POST /v1.0/$batch",
    "POST /services/data/v{version}/composite/sobjects",
    "PATCH /services/data/v{version}/composite/sobjects",
)


def writes_seen(box, service: str) -> int:
    entry = box.control("requests")["services"].get(service) or {"endpoints": {}}
    return sum(
        n
        for name, n in entry["endpoints"].items()
        if any(name.startswith(w) for w in WRITES) and "[fault" not in name
    )


@pytest.fixture
def profile(sandbox, tmp_path: Path) -> Path:
    return signed_in_profile(sandbox, tmp_path / "profile", ("contacts.range", "all"))


def add_salesforce_only_contacts(box, n: int) -> None:
    """``n`` contacts only Salesforce has: a first sync creates them in Outlook, 20 a batch."""
    me = box.state.sf["me"]
    for i in range(n):
        box.state.sf_create(
            "Contact",
            {
                "FirstName": "Crash",
                "LastName": f"Test{i:03d}",
                "Email": f"crash.test{i:03d}@example.com",
                "Title": f"Title {i}",
                "OwnerId": me,
            },
            user_id=me,
        )


def counts(box) -> tuple[collections.Counter, collections.Counter]:
    root = root_contact_folder(box.state)["id"]
    ol = collections.Counter(
        e["address"].lower()
        for c in box.state.graph_items("contacts", root)
        for e in (c.get("emailAddresses") or [])[:1]
    )
    me = box.state.sf["me"]
    sf = collections.Counter(
        (c.get("Email") or "").lower()
        for c in box.state.sf["records"]["Contact"].values()
        if c.get("Email") and (c.get("AccountId") or c.get("OwnerId") == me)
    )
    return ol, sf


@pytest.mark.parametrize("service, kill_after_writes", [("graph", 1), ("graph", 3), ("salesforce", 1)])
def test_a_sync_killed_while_applying_then_run_again_duplicates_nothing_and_loses_nothing(
    sandbox, profile, service, kill_after_writes
) -> None:
    box = sandbox
    add_salesforce_only_contacts(box, 90)
    box.control("POST requests/reset")
    box.control("POST faults", {"latency_ms": 300})
    out, err = (profile.parent / "killed.out").open("wb"), (profile.parent / "killed.err").open("wb")
    proc = subprocess.Popen(
        tandem_argv(box, profile, "sync", "--kind", "contacts", "--yes", "--json"),
        cwd=ROOT,
        stdout=out,
        stderr=err,
        env=env(),
    )  # files: a full pipe blocks
    try:
        deadline = time.monotonic() + 120
        while writes_seen(box, service) < kill_after_writes:
            assert proc.poll() is None, (profile.parent / "killed.err").read_text()[-2000:]
            assert time.monotonic() < deadline, "no write reached the sandbox"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        out.close()
        err.close()
    assert proc.returncode == -signal.SIGKILL
    box.control("POST faults", {"latency_ms": 0})
    ol, sf = counts(box)
    if service == "graph":  # killed among the Outlook creates (sent first)
        assert sum(1 for e in ol if e.startswith("crash.test")) < 90, "the sync finished first"

    again = tandem(box, profile, "sync", "--kind", "contacts", "--yes", "--json")
    assert again.returncode == 0, again.stderr
    result = json.loads(again.stdout)
    history = json.loads(tandem(box, profile, "history", "--json").stdout)["runs"]
    assert [r["status"] for r in history] == ["applied", "interrupted"]

    ol, sf = counts(box)
    assert [e for e, n in ol.items() if n > 1] == [], "duplicate in Outlook"
    assert [e for e, n in sf.items() if n > 1] == [], "duplicate in Salesforce"
    assert set(ol) == set(sf), set(ol) ^ set(sf)  # nothing lost on either side
    assert all(f"crash.test{i:03d}@example.com" in ol for i in range(90))
    root = root_contact_folder(box.state)["id"]
    titles = {
        (c.get("emailAddresses") or [{}])[0].get("address"): c.get("jobTitle")
        for c in box.state.graph_items("contacts", root)
    }
    assert all(titles[f"crash.test{i:03d}@example.com"] == f"Title {i}" for i in range(90))
    preview = tandem(box, profile, "sync", "--kind", "contacts", "--preview", "--json")
    assert preview.returncode == 0, preview.stderr
    assert json.loads(preview.stdout)["kinds"]["contacts"]["actions"] == []
    print(
        f"killed after {kill_after_writes} {service} writes; second run: "
        f"{result['kinds']['contacts']['counts']}"
    )
