"""Tandem's sign-ins in the real OS keyring (GNOME Keyring's Secret Service over D-Bus): saved,
read and forgotten there, never in the profile folder; a locked keyring and no keyring at all
stop a sign-in with words that say what to do, and no token lands on disk."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from system_helpers import ROOT, SECRET_SERVICE, SecretService, argv, files_containing, tandem, tandem_env

from app.paths import profile_paths

pytestmark = [pytest.mark.system, pytest.mark.only_on("linux")]

CACHE = "outlook.token_cache"
LOCKED = "The system keyring is locked"
NO_KEYRING = "No system keyring is available"


def issued_tokens(box) -> list[str]:
    tokens = box.state.tokens
    return [*tokens.refresh, *tokens.access]


def test_sign_in_lives_in_the_secret_service_and_nowhere_in_the_profile(
    sandbox, secret_service: SecretService, tmp_path: Path
) -> None:
    profile = tmp_path / "profile"
    env = tandem_env(PYTHON_KEYRING_BACKEND=SECRET_SERVICE)
    sandbox.state.config["auto_approve"] = True
    sandbox.state.config["device_interval_s"] = 1

    done = tandem(profile, "login", "outlook", "--json", box=sandbox, env=env)
    assert done.returncode == 0, done.stderr
    service = profile_paths(profile).keyring_service
    refresh = list(sandbox.state.tokens.refresh)
    assert len(refresh) == 1
    saved = secret_service.items(service)
    assert list(saved) == [CACHE]
    assert refresh[0] in saved[CACHE]  # the refresh token is in the keyring...
    assert files_containing(profile, issued_tokens(sandbox)) == []  # ...and in no file

    status = tandem(profile, "status", "--json", box=sandbox, env=env)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["accounts"]["outlook"]["connected"] is True  # read back

    out = tandem(profile, "logout", "outlook", box=sandbox, env=env)
    assert out.returncode == 0, out.stderr
    assert "forgotten" in out.stderr
    assert secret_service.items(service) == {}
    assert files_containing(profile, issued_tokens(sandbox)) == []


def test_secret_store_of_a_real_profile_finds_the_secret_service_by_itself(
    secret_service: SecretService, tmp_path: Path
) -> None:
    """No PYTHON_KEYRING_BACKEND: keyring's own discovery, as on a user's desktop."""
    profile = tmp_path / "profile"
    token = "0.AXkA-refresh-token-of-a-real-user-7f3c9d"
    script = (
        "import sys\n"
        "from app.auth.secrets import SecretStore\n"
        "from app.paths import profile_paths\n"
        "store = SecretStore.for_profile(profile_paths(sys.argv[1]).ensure())\n"
        "print(type(store.backend).__module__, flush=True)\n"
        "store.set('salesforce.credentials', sys.argv[2])\n"
        "assert store.get('salesforce.credentials') == sys.argv[2]\n"
        "print('saved', flush=True)\n"
        "input()\n"  # the test looks into the keyring and the folder here
        "assert store.delete('salesforce.credentials') is True\n"
        "assert store.get('salesforce.credentials') is None\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(profile), token],
        cwd=ROOT,
        env=tandem_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdin is not None
    backend = proc.stdout.readline().strip()
    assert backend == "keyring.backends.SecretService", proc.communicate("\n", timeout=60)[1]
    assert proc.stdout.readline().strip() == "saved", proc.communicate("\n", timeout=60)[1]
    service = profile_paths(profile).keyring_service
    assert secret_service.items(service) == {"salesforce.credentials": token}
    assert files_containing(profile, [token]) == []
    out, err = proc.communicate("\n", timeout=60)
    assert proc.returncode == 0, err
    assert secret_service.items(service) == {}


def test_locked_keyring_stops_the_sign_in_and_keeps_the_token_off_disk(
    sandbox, secret_service: SecretService, tmp_path: Path
) -> None:
    profile = tmp_path / "profile"
    env = tandem_env(PYTHON_KEYRING_BACKEND=SECRET_SERVICE)
    service = profile_paths(profile).keyring_service

    # Locked before the sign-in: said before the user is sent to the browser.
    secret_service.lock()
    done = tandem(profile, "login", "outlook", box=sandbox, env=env)
    assert done.returncode == 1
    assert LOCKED in done.stderr and "Unlock it" in done.stderr, done.stderr
    assert "enter the code" not in done.stderr
    assert not sandbox.state.tokens.device_codes  # no sign-in was started

    # Locked while the user signs in: the service issues tokens, Tandem cannot keep them.
    secret_service.stop()
    secret_service.start()
    sandbox.state.config["device_interval_s"] = 1
    proc = subprocess.Popen(
        argv(profile, "login", "outlook", "--json", box=sandbox),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    prompt = json.loads(proc.stderr.readline())
    assert prompt["event"] == "device_code"
    secret_service.lock()
    sandbox.control("POST device/approve", {"user_code": prompt["user_code"]})
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    assert LOCKED in err and "Unlock it" in err, err
    assert json.loads(out)["error"]["action"] == "unlock_keyring"
    assert sandbox.state.tokens.refresh, "the sandbox issued no token; the case did not happen"
    assert files_containing(profile, issued_tokens(sandbox)) == []
    secret_service.stop()
    secret_service.start()  # a new daemon on the same keyring folder: unlocked again
    assert secret_service.items(service) == {}


def test_no_session_bus_means_no_keyring_and_no_token_on_disk(tmp_path: Path) -> None:
    """A real profile on a machine without a D-Bus session: keyring's discovery finds nothing."""
    profile = tmp_path / "profile"
    env = tandem_env(
        DBUS_SESSION_BUS_ADDRESS=f"unix:path={tmp_path / 'no-bus'}",
        TANDEM_OUTLOOK_CLIENT_ID="00000000-0000-0000-0000-0000000000aa",
    )
    done = tandem(profile, "login", "outlook", "--json", env=env)
    assert done.returncode == 1
    assert NO_KEYRING in done.stderr and "Secret Service" in done.stderr, done.stderr
    assert "enter the code" not in done.stderr
    assert json.loads(done.stdout)["error"]["action"] == "install_keyring"
    assert not (profile / "sandbox-secrets.json").exists()


def test_failing_backend_chosen_by_variable_stops_the_sign_in(sandbox, tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    env = tandem_env(PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    sandbox.state.config["auto_approve"] = True
    done = tandem(profile, "login", "outlook", "--json", box=sandbox, env=env)
    assert done.returncode == 1
    assert NO_KEYRING in done.stderr, done.stderr
    assert not sandbox.state.tokens.refresh  # stopped before anything was issued
    assert not (profile / "sandbox-secrets.json").exists()
