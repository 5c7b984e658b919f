"""Run the emulator: in a background thread (demo mode, tests) or in the foreground (CLI).

``SandboxServer(...).start()`` binds a loopback port (0 = any free one), makes or loads the
CA, seeds or loads the data, starts uvicorn with TLS in its own thread and event loop (never
the application's loop), and returns the facts a client needs::

    {"base_url", "authority", "graph_url", "salesforce_login_url", "ca_file", "pid"}
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from sandbox import seed as seeding
from sandbox.org_features import parse_features, parse_hidden_fields
from sandbox.server import DroppedConnection, create_app
from sandbox.state import SandboxState
from sandbox.tls import ensure_tls

TENANT = "common"


class _DropFilter(logging.Filter):
    """Keep the deliberate dropped connections of fault injection out of the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        while exc is not None:
            if isinstance(exc, DroppedConnection):
                return False
            exc = exc.__cause__ or exc.__context__
        return True


class SandboxServer:
    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        state_file: str | Path | None = None,
        seed: str = "demo",
        latency_ms: int = 0,
        fault_rate: float = 0.0,
        fault_seed: int = 0,
        auto_approve: bool = False,
        state_dir: str | Path | None = None,
        sf_org_features: str | None = None,
        sf_hidden_fields: str | None = None,
        entra_block_device_code: bool = False,
    ) -> None:
        self.host = host
        self.port = port
        self.state_file = Path(state_file).resolve() if state_file else None
        self.seed = seed
        self._tmpdir: str | None = None
        if state_dir is not None:
            self.state_dir = Path(state_dir)
        elif self.state_file is not None:
            self.state_dir = self.state_file.parent
        else:
            self._tmpdir = tempfile.mkdtemp(prefix="tandem-sandbox-")
            self.state_dir = Path(self._tmpdir)
        self.state = self._load_or_seed()
        self.state.config["auto_approve"] = bool(auto_approve) or self.state.config.get("auto_approve", False)
        self.state.set_faults(latency_ms=latency_ms, fault_rate=fault_rate, seed=fault_seed)
        if entra_block_device_code:
            self.state.config["entra_block_device_code"] = True
        if sf_org_features is not None:
            self.state.config["sf_org_features"] = parse_features(sf_org_features)
        if sf_hidden_fields is not None:
            self.state.config["sf_hidden_fields"] = parse_hidden_fields(sf_hidden_fields)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.info: dict[str, Any] = {}

    def _load_or_seed(self) -> SandboxState:
        if self.state_file is not None and self.state_file.exists():
            return SandboxState.load(self.state_file)
        state = SandboxState()
        seeding.apply(state, self.seed)
        return state

    def start(self, timeout: float = 15.0) -> dict[str, Any]:
        tls = ensure_tls(self.state_dir, self.host)
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted sockets inherit this; without it Nagle + delayed ACK add ~40 ms per reply.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((self.host, self.port))
        port = sock.getsockname()[1]
        logging.getLogger("uvicorn.error").addFilter(_DropFilter())
        config = uvicorn.Config(
            create_app(self.state, self.state_file),
            ssl_certfile=str(tls.cert_file),
            ssl_keyfile=str(tls.key_file),
            log_level="warning",
            access_log=False,
            date_header=False,  # the app sends Date by the sandbox clock (sandbox.server)
            lifespan="on",
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="tandem-sandbox", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.01)
        shown = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        if ":" in shown:
            shown = f"[{shown}]"
        base = f"https://{shown}:{port}"
        self.info = {
            "base_url": base,
            "authority": f"{base}/{TENANT}",
            "graph_url": f"{base}/v1.0",
            "salesforce_login_url": base,
            "ca_file": str(tls.ca_file),
            "pid": os.getpid(),
        }
        return self.info

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def wait(self) -> None:
        """Block until the server thread ends (Ctrl+C stops it)."""
        assert self._thread is not None
        try:
            while self._thread.is_alive():
                self._thread.join(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self) -> SandboxServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
