"""The command line as a user runs it: separate processes for the sandbox and each command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[dict]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "main.py",
            "sandbox",
            "serve",
            "--seed",
            "empty",
            "--auto-approve",
            "--state",
            str(tmp_path / "world.json"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        yield json.loads(proc.stdout.readline())
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def tandem(info: dict, profile: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
    return subprocess.run(
        [
            sys.executable,
            "main.py",
            "--sandbox-url",
            info["base_url"],
            "--sandbox-ca",
            info["ca_file"],
            "--profile",
            str(profile),
            *args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_sign_in_to_both_services_see_status_then_sign_out(served: dict, tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    outlook = tandem(served, profile, "login", "outlook", "--json")
    assert outlook.returncode == 0, outlook.stderr
    assert json.loads(outlook.stdout)["account"]["username"] == "morgan.reyes@northwind-demo.example"

    salesforce = tandem(served, profile, "login", "salesforce", "--device", "--json")
    assert salesforce.returncode == 0, salesforce.stderr

    status = tandem(served, profile, "status", "--json")
    assert status.returncode == 0, status.stderr
    accounts = json.loads(status.stdout)["accounts"]
    assert accounts["outlook"]["connected"] is True
    assert accounts["salesforce"]["connected"] is True

    out = tandem(served, profile, "logout", "salesforce")
    assert out.returncode == 0, out.stderr
    status = json.loads(tandem(served, profile, "status", "--json").stdout)
    assert status["accounts"]["salesforce"]["connected"] is False

    # Secrets live in the sandbox profile's named file store, never in plain profile files.
    files = {p.name for p in profile.rglob("*") if p.is_file()}
    assert "sandbox-secrets.json" in files


def test_settings_round_trip_and_refusal(tmp_path: Path) -> None:
    profile = tmp_path / "profile"

    def run(*a: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "main.py", *a, "--profile", str(profile)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert run("settings", "set", "auto.frequency_min", "60").returncode == 0
    got = run("settings", "get", "auto.frequency_min", "--json")
    assert json.loads(got.stdout) == {"auto.frequency_min": 60}
    bad = run("settings", "set", "auto.frequency_min", "7")
    assert bad.returncode == 1
    assert "choose one of" in bad.stderr
    locked = run("settings", "set", "auto.enabled", "true")
    assert locked.returncode == 1  # auto sync stays locked until a manual sync was applied
