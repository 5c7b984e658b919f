"""``status`` on a profile whose database is damaged says so and exits 1 (it used to exit 0
and leave every kind out without a word), and a database emptied to 0 bytes is damage, not
a new profile that silently forgets every pairing. The file is left exactly as it was."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

DAMAGE = {
    "empty": b"",
    "garbage": bytes(range(256)) * 8,
}


def _run(*argv: str) -> tuple[int, dict | None, str]:
    """One Tandem process, as a person runs it (each command opens the database anew)."""
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    env.pop("TANDEM_SANDBOX_URL", None)
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *argv], capture_output=True, text=True, env=env, timeout=120
    )
    return done.returncode, json.loads(done.stdout) if done.stdout.strip() else None, done.stderr


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_status_says_the_database_is_damaged_and_exits_1(tmp_path: Path, damage) -> None:
    profile = tmp_path / "profile"
    code, _, err = _run("settings", "set", "contacts.enabled", "false", "--json", "--profile", str(profile))
    assert code == 0, err
    database = profile / "tandem.sqlite3"
    assert database.stat().st_size > 0
    database.write_bytes(DAMAGE[damage])

    code, doc, err = _run("status", "--json", "--profile", str(profile))
    assert code == 1, (err, doc)
    assert doc is not None and doc["kinds"] is None
    assert doc["database"]["error"] == "DatabaseCorrupt"
    assert "Sync state: unknown" in err and "left it untouched" in err
    assert "Outlook:" in err  # the accounts are still shown
    assert database.read_bytes() == DAMAGE[damage]

    code, _, err = _run("sync", "--preview", "--json", "--profile", str(profile))
    assert code == 1 and "Traceback" not in err
    assert database.read_bytes() == DAMAGE[damage]  # never replaced by a new, empty profile
