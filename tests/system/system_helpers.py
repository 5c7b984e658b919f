"""Helpers of the system tests: a GNOME Keyring daemon of one test, Tandem's command line in
its own process, and the grep of a profile folder for secrets."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "tandem-system-test-password"
SECRET_SERVICE = "keyring.backends.SecretService.Keyring"


class SecretService:
    """A gnome-keyring-daemon of one test: its own keyring folder, unlocked with PASSWORD."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.env = dict(os.environ, XDG_DATA_HOME=str(folder / "data"))
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert shutil.which("gnome-keyring-daemon"), "gnome-keyring-daemon is not installed"
        self.proc = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=self.env,
        )
        assert self.proc.stdin is not None
        self.proc.stdin.write(PASSWORD.encode())
        self.proc.stdin.close()
        deadline = time.monotonic() + 30  # readiness, not a measurement
        while True:
            if self.on_bus() and not self.collection().is_locked():
                return
            assert self.proc.poll() is None, "gnome-keyring-daemon exited"
            assert time.monotonic() < deadline, "gnome-keyring-daemon did not come up"
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
            self.proc = None
        deadline = time.monotonic() + 30  # until the bus has let go of the name
        while self.on_bus():
            assert time.monotonic() < deadline, "gnome-keyring-daemon did not leave the bus"
            time.sleep(0.1)

    @staticmethod
    def on_bus() -> bool:
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection

        with open_dbus_connection(bus="SESSION") as conn:
            reply = conn.send_and_get_reply(message_bus.NameHasOwner("org.freedesktop.secrets"))
        return bool(reply.body[0])

    def collection(self):  # -> secretstorage.Collection
        import secretstorage  # Linux only, with keyring's Secret Service backend

        return secretstorage.get_default_collection(secretstorage.dbus_init())

    def lock(self) -> None:
        collection = self.collection()
        collection.lock()
        assert collection.is_locked()

    def items(self, service: str) -> dict[str, str]:
        """username -> secret of the entries keyring made under ``service``."""
        collection = self.collection()
        return {
            item.get_attributes()["username"]: item.get_secret().decode()
            for item in collection.search_items({"service": service})
        }


def tandem_env(**extra: str | None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHON_KEYRING_BACKEND", "TANDEM_SANDBOX_URL", "TANDEM_SANDBOX_CA")
    }
    for key, value in extra.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def tandem(profile: Path, *args: str, box=None, env: dict[str, str], **kw) -> subprocess.CompletedProcess:
    """``python main.py [--sandbox-url ...] --profile PROFILE ARGS`` in its own process."""
    return subprocess.run(
        argv(profile, *args, box=box), cwd=ROOT, capture_output=True, text=True, env=env, timeout=180, **kw
    )


def argv(profile: Path, *args: str, box=None) -> list[str]:
    sandbox = ["--sandbox-url", box.base_url, "--sandbox-ca", box.ca_file] if box is not None else []
    return [sys.executable, "main.py", *sandbox, "--profile", str(profile), *args]


def files_containing(folder: Path, secrets: list[str]) -> list[str]:
    """Files under ``folder`` whose bytes contain any of ``secrets`` (the grep of the tests)."""
    assert secrets
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path} holds {s[:6]}…" for s in secrets if s.encode() in data]
    return found
