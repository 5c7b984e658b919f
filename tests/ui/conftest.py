"""Fixtures of the pytest-qt tests: one qasync loop per test and a profile signed in to the
sandbox through the real app sign-in (device code auto-approved, browser scripted).

    def test_x(qtbot, qloop, demo_ctx):           # demo_ctx: app.context.AppContext
        widget = Something(demo_ctx); qtbot.addWidget(widget)
        qloop.run(some_coroutine())               # run a coroutine on the Qt loop
        qloop.until(lambda: widget.done, timeout=20)   # run the loop until a condition holds

Never call QDialog.exec() from a coroutine (nested loops); tests drive non-modal windows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from accounts_helpers import sign_in_profile
from accounts_keyring import MemoryKeyring


class QLoop:
    """A qasync loop bound to the test's QApplication."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    def run(self, coro: Any, timeout: float = 60) -> Any:
        asyncio.set_event_loop(self.loop)  # a sign-in's asyncio.run() may have unset it
        return self.loop.run_until_complete(asyncio.wait_for(coro, timeout))

    def until(self, predicate: Callable[[], Any], timeout: float = 30, step: float = 0.02) -> None:
        async def wait() -> None:
            while not predicate():
                await asyncio.sleep(step)

        self.run(wait(), timeout)

    def sleep(self, seconds: float) -> None:
        self.run(asyncio.sleep(seconds), seconds + 5)


@pytest.fixture
def qloop(qapp):
    import qasync

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    yield QLoop(loop)
    try:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    finally:
        asyncio.set_event_loop(None)
        # qasync's close() tears down its executor; the QApplication lives on.
        loop.close()


@pytest.fixture
def keyring_memory(monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "accounts_keyring.MemoryKeyring")
    MemoryKeyring.store.clear()
    yield MemoryKeyring
    MemoryKeyring.store.clear()


@pytest.fixture
def sandbox_env(sandbox, monkeypatch, keyring_memory):
    """The sandbox's URL and CA in the environment (what `--sandbox` sets), sign-ins approve."""
    monkeypatch.setenv("TANDEM_SANDBOX_URL", sandbox.base_url)
    monkeypatch.setenv("TANDEM_SANDBOX_CA", sandbox.ca_file)
    sandbox.state.config["auto_approve"] = True
    sandbox.state.config["device_interval_s"] = 1
    return sandbox


@pytest.fixture
def fresh_ctx(sandbox_env, tmp_path, qloop):
    """A new, not signed-in profile on the sandbox (what the first-run wizard starts from)."""
    from app import redaction
    from app.context import AppContext

    ctx = AppContext.open(
        tmp_path / "profile", sandbox_url=sandbox_env.base_url, sandbox_ca=sandbox_env.ca_file
    )
    yield ctx
    ctx.close()
    redaction.uninstall()


@pytest.fixture
def demo_ctx(sandbox_env, fresh_ctx, qloop, monkeypatch):
    """A profile signed in to both services of the sandbox (seed: @pytest.mark.seed("demo"))."""
    sign_in_profile(sandbox_env, fresh_ctx.paths.root, monkeypatch)
    asyncio.set_event_loop(qloop.loop)  # the sign-ins' asyncio.run() unset it
    return fresh_ctx
