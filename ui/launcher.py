"""Opening profiles for the desktop app: the real one or the demo's (with its embedded
sandbox), one Tandem per profile (ui.single_instance) and one SyncController per profile.

    launcher = Launcher(args, sandbox_factory=main.embedded_sandbox)
    ctx = launcher.open_initial()           # --sandbox: the demo, else the real profile
    controller = launcher.controller_for(ctx)
    launcher.shutdown()                     # cancel runs, close profiles, stop the sandbox

The embedded sandbox is started by a factory the composition root (main.py) passes in: ui/ may
not import sandbox/ (tests/test_layering.py). Without it the demo mode says so plainly.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.context import AppContext
from app.paths import profile_paths
from ui.controller import SyncController
from ui.single_instance import SingleInstance

log = logging.getLogger(__name__)

# (server, info) where server has .stop() and info has "base_url" and "ca_file"
SandboxFactory = Callable[[Path], tuple[Any, dict[str, Any]]]


class DemoUnavailable(Exception):
    """The demo mode cannot start (no sandbox factory, or it failed)."""

    title = "The demo could not start"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AlreadyOpen(Exception):
    title = "Tandem is already open"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# -- profiles ------------------------------------------------------------------------------


def needs_setup(ctx: Any) -> bool:
    """First run of this profile: a service not connected, or no run yet and auto sync never
    unlocked (the wizard's last steps are the first manual sync)."""
    who = ctx.signed_in()
    if not who.get("outlook") or not who.get("salesforce"):
        return True
    return not ctx.settings.auto_sync_unlocked() and not ctx.store.runs(limit=1)


def instance_key(paths: Any) -> str:
    """The single-instance key of a profile (ui.single_instance adds the user itself)."""
    return f"tandem-{paths.profile_id}"


class Launcher:
    """Opens profiles for the windows; owns the embedded sandbox and the controllers.

    ``args``: the parsed command line (``profile``, ``sandbox``, ``sandbox_url``,
    ``sandbox_ca``). ``sandbox_factory(state_dir) -> (server, info)`` starts the demo's
    sandbox (main.py passes it). ``single_instance``: hold one instance per profile.
    """

    def __init__(
        self,
        args: argparse.Namespace,
        *,
        sandbox_factory: SandboxFactory | None = None,
        single_instance: bool = True,
    ) -> None:
        self.args = args
        self.sandbox_factory = sandbox_factory
        self.single_instance = single_instance
        self.sandbox_server: Any = None
        self.sandbox_info: dict[str, Any] | None = None
        self._contexts: dict[str, Any] = {}
        self._controllers: dict[int, Any] = {}
        self._instances: dict[str, Any] = {}
        self.activated: Callable[[], Any] | None = None  # another start asked us to come forward

    @property
    def demo(self) -> bool:
        return bool(getattr(self.args, "sandbox", False))

    @property
    def demo_available(self) -> bool:
        return self.sandbox_factory is not None

    # -- paths --------------------------------------------------------------------------

    def demo_paths(self) -> Any:
        # --profile belongs to the demo only when the demo was asked for on the command line.
        return profile_paths(self.args.profile if self.demo else None, sandbox=True, demo=True)

    def real_paths(self) -> Any:
        sandbox = bool(getattr(self.args, "sandbox_url", None) or os.environ.get("TANDEM_SANDBOX_URL"))
        # With --sandbox, --profile names the demo's folder, never the real accounts'.
        return profile_paths(None if self.demo else getattr(self.args, "profile", None), sandbox=sandbox)

    def initial_paths(self) -> Any:
        return self.demo_paths() if self.demo else self.real_paths()

    # -- one instance per profile -------------------------------------------------------

    def acquire(self, paths: Any) -> bool:
        """Hold this profile; False when another Tandem has it (it was asked to come forward)."""
        if not self.single_instance:
            return True
        key = instance_key(paths)
        if key in self._instances:
            return True
        guard = SingleInstance(key)
        if not guard.acquire():
            return False
        if hasattr(guard, "activated"):
            guard.activated.connect(lambda *_: self.activated() if self.activated else None)
        self._instances[key] = guard
        return True

    # -- profiles -------------------------------------------------------------------------

    def open_demo(self) -> Any:
        """The demo profile over the embedded sandbox (started once, seeded with demo data)."""
        paths = self.demo_paths().ensure()
        ctx = self._open_once(
            paths, "The demo is already open in another Tandem window; it was brought to the front."
        )
        if ctx is None:
            info = self.start_sandbox(paths.root / "sandbox")
            ctx = self._contexts[str(paths.root)] = AppContext.open(
                paths.root, sandbox_url=info["base_url"], sandbox_ca=info["ca_file"]
            )
        return ctx

    def _open_once(self, paths: Any, busy_message: str) -> Any:
        """The context already open for ``paths`` (None if there is none yet, after taking the
        single-instance guard); AlreadyOpen(busy_message) if another process holds it."""
        key = str(paths.root)
        if key in self._contexts:
            return self._contexts[key]
        if not self.acquire(paths):
            raise AlreadyOpen(busy_message)
        return None

    def start_sandbox(self, state_dir: Path) -> dict[str, Any]:
        if self.sandbox_info is not None:
            return self.sandbox_info
        if self.sandbox_factory is None:
            raise DemoUnavailable(
                "This copy of Tandem was started without its demo sandbox. "
                "Start it with `python main.py --sandbox`."
            )
        Path(state_dir).mkdir(parents=True, exist_ok=True)
        try:
            server, info = self.sandbox_factory(Path(state_dir))
        except Exception as exc:
            log.exception("the embedded sandbox did not start")
            raise DemoUnavailable(
                f"The pretend Outlook and Salesforce did not start ({exc}). "
                "Try again; if it keeps failing, restart Tandem."
            ) from exc
        self.sandbox_server, self.sandbox_info = server, info
        return info

    async def open_demo_async(self) -> Any:
        """:meth:`open_demo` without blocking the loop while the sandbox starts."""
        if self.sandbox_info is None:
            paths = self.demo_paths().ensure()
            await asyncio.to_thread(self.start_sandbox, paths.root / "sandbox")
        return self.open_demo()

    def open_real(self) -> Any:
        """The real profile (``--profile`` or the per-user default; a ``--sandbox-url`` if given)."""
        paths = self.real_paths().ensure()
        ctx = self._open_once(
            paths, "Tandem is already open for these accounts in another window; it was brought to the front."
        )
        if ctx is None:
            ctx = self._contexts[str(paths.root)] = AppContext.open(
                paths.root if (getattr(self.args, "profile", None) and not self.demo) else None,
                sandbox_url=getattr(self.args, "sandbox_url", None),
                sandbox_ca=getattr(self.args, "sandbox_ca", None),
            )
        return ctx

    def open_initial(self) -> Any:
        return self.open_demo() if self.demo else self.open_real()

    def controller_for(self, ctx: Any) -> Any:
        controller = self._controllers.get(id(ctx))
        if controller is None:
            controller = self._controllers[id(ctx)] = SyncController(ctx)
        return controller

    # -- the end ------------------------------------------------------------------------------

    async def wait_idle(self, timeout: float = 5.0) -> bool:
        """Cancel what runs and wait (up to ``timeout`` s) until every profile is let go:
        a cancelled apply records what it did and closes its session first."""
        controllers = list(self._controllers.values())
        for controller in controllers:
            controller.cancel()
        try:
            async with asyncio.timeout(timeout):
                while any(c.busy for c in controllers):
                    await asyncio.sleep(0.02)
        except TimeoutError:
            log.warning("a sync did not stop within %s s; closing anyway", timeout)
            return False
        return True

    def shutdown(self) -> None:
        for controller in self._controllers.values():
            controller.cancel()
        for ctx in self._contexts.values():
            try:
                ctx.close()
            except Exception:
                log.warning("closing a profile failed", exc_info=True)
        self._contexts.clear()
        self._controllers.clear()
        if self.sandbox_server is not None:
            try:
                self.sandbox_server.stop()
            except Exception:
                log.warning("stopping the embedded sandbox failed", exc_info=True)
            self.sandbox_server = self.sandbox_info = None
        for guard in self._instances.values():
            release = getattr(guard, "release", None)
            if release is not None:
                release()
        self._instances.clear()
