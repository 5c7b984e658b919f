"""Running ``python main.py ...`` as a user does, in its own process, against a test's sandbox
(the ``sandbox`` fixture): its sign-ins live in the sandbox profile's own file keyring."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def tandem_argv(box, profile: Path, *args: str) -> list[str]:
    return [
        sys.executable,
        "main.py",
        "--sandbox-url",
        box.base_url,
        "--sandbox-ca",
        box.ca_file,
        "--profile",
        str(profile),
        *args,
    ]


def env() -> dict[str, str]:
    """The environment without the variables that would point the command elsewhere."""
    return {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHON_KEYRING_BACKEND", "TANDEM_SANDBOX_URL", "TANDEM_SANDBOX_CA")
    }


def tandem(box, profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        tandem_argv(box, profile, *args), cwd=ROOT, capture_output=True, text=True, timeout=180, env=env()
    )


def signed_in_profile(box, profile: Path, *settings: tuple[str, str]) -> Path:
    """A profile signed in to both services of ``box`` (approved at once), with ``settings``."""
    box.state.config["auto_approve"] = True
    box.state.config["device_interval_s"] = 1
    steps: list[tuple[str, ...]] = [
        ("login", "outlook", "--json"),
        ("login", "salesforce", "--device", "--json"),
    ]
    steps += [("settings", "set", key, value) for key, value in settings]
    for args in steps:
        done = tandem(box, profile, *args)
        assert done.returncode == 0, done.stderr
    return profile
