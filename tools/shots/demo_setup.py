"""The set-up every screenshot script (and tests/bench/bench_dashboard.py) shares.

Importing this module puts the repository and the test account helpers on sys.path and selects
the in-memory keyring, so it must be imported before anything that touches the keyring. Then:

    server, info, profile = demo_world(seed="demo")   # sandbox running, profile signed in to both
    app, loop = qt()                                   # QApplication + qasync loop, set as current
    path = OUT / f"{name}{suffix()}.png"               # "@2x" under QT_SCALE_FACTOR=2

Nothing here creates a Qt object before qt() is called: sign in first (the CLI sign-in runs its
own asyncio loop), then make the application.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import ssl
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"
for _path in (ROOT / "tests" / "integration" / "accounts", ROOT):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))
os.environ["PYTHON_KEYRING_BACKEND"] = "accounts_keyring.MemoryKeyring"


def suffix() -> str:
    """ "" at 100 %, "@2x" (etc.) when QT_SCALE_FACTOR asks for another scale."""
    scale = os.environ.get("QT_SCALE_FACTOR", "1")
    return "" if scale in ("", "1") else f"@{scale}x"


def start_sandbox(seed: str = "demo", *, auto_approve: bool = True):
    """A running sandbox (server, info); TANDEM_SANDBOX_URL/CA point at it."""
    from sandbox.runner import SandboxServer

    server = SandboxServer(seed=seed, auto_approve=auto_approve)
    info = server.start()
    server.state.config["device_interval_s"] = 1
    os.environ["TANDEM_SANDBOX_URL"] = info["base_url"]
    os.environ["TANDEM_SANDBOX_CA"] = info["ca_file"]
    return server, info


def browser(info):
    """The scripted 'system browser' for the Salesforce sign-in (tests/integration/accounts)."""
    from accounts_helpers import make_browser

    class Box:
        ca_file = info["ca_file"]

    return make_browser(Box)


def sign_in(info, profile: Path) -> None:
    """Sign profile in to Outlook and Salesforce with the CLI (the sandbox must auto-approve)."""
    from app.cli import accounts as accounts_cli

    base = dict(
        profile=str(profile),
        sandbox_url=None,
        sandbox_ca=None,
        json=True,
        device=False,
        service=None,
        login_host=None,
    )
    if accounts_cli.login_outlook(argparse.Namespace(**base)) != 0:
        raise SystemExit("Could not sign the throw-away profile in to Outlook on the sandbox.")
    if accounts_cli.login_salesforce(argparse.Namespace(**base, open_browser=browser(info))) != 0:
        raise SystemExit("Could not sign the throw-away profile in to Salesforce on the sandbox.")


def new_profile(prefix: str = "tandem-shots-") -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix)) / "profile"


def demo_world(seed: str = "demo", *, prefix: str = "tandem-shots-"):
    """(server, info, profile): a sandbox and a throw-away profile signed in to both services.

    Call before any Qt object exists. The caller stops the server."""
    server, info = start_sandbox(seed)
    try:
        profile = new_profile(prefix)
        sign_in(info, profile)
    except BaseException:
        server.stop()
        raise
    return server, info, profile


def open_context(info, profile: Path):
    from app.context import AppContext

    return AppContext.open(profile, sandbox_url=info["base_url"], sandbox_ca=info["ca_file"])


def qt(app_args: list[str] | None = None, *, app=None):
    """(app, loop): a QApplication (or the one given) and a qasync loop set as the current one."""
    import qasync
    from PyQt6.QtWidgets import QApplication

    if app is None:
        app = QApplication.instance() or QApplication(app_args if app_args is not None else sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    OUT.mkdir(parents=True, exist_ok=True)
    return app, loop


async def until(predicate, timeout: float = 90) -> None:
    """Wait (polling) until predicate() is true; asyncio.TimeoutError after timeout seconds."""

    async def wait() -> None:
        while not predicate():
            await asyncio.sleep(0.05)

    await asyncio.wait_for(wait(), timeout)


def save(widget, name: str) -> Path:
    """Grab widget into docs/screenshots/<name>[@2x].png and print the path."""
    path = OUT / f"{name}{suffix()}.png"
    widget.grab().save(str(path))
    print(path, flush=True)
    return path


def control(info, path: str, payload: dict) -> None:
    """POST to the sandbox's control API (blocking; run it in a thread from a coroutine)."""
    import httpx

    with httpx.Client(
        base_url=info["base_url"], timeout=30, verify=ssl.create_default_context(cafile=info["ca_file"])
    ) as client:
        client.post(f"/_sandbox/{path}", json=payload).raise_for_status()


def run(loop, coro, *, close=(), server=None) -> None:
    """Run coro on the qasync loop; afterwards (even on failure) close each of close (windows,
    contexts) in order and stop the sandbox server."""
    try:
        loop.run_until_complete(coro)
    finally:
        for thing in close:
            thing.close()
        if server is not None:
            server.stop()
