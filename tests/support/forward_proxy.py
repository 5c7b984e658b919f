"""A real forward proxy between Tandem and the sandbox: ``proxy.py`` (PyPI) in its own
process on a free loopback port, with its access log read back so a test sees every CONNECT
it tunnelled. ``basic_auth="user:pass"`` makes it answer a CONNECT without those
credentials with 407 Proxy Authentication Required, as a corporate proxy does."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_CONNECT = re.compile(r" - CONNECT (\S+) - ")


class ForwardProxy:
    def __init__(self, url: str, log: Path) -> None:
        self.url = url  # http://127.0.0.1:PORT
        self.log = log

    def connects(self) -> list[str]:
        """``host:port`` of every CONNECT the proxy handled so far (its access log)."""
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return _CONNECT.findall(text)

    def wait_for_connects(self) -> list[str]:
        """:meth:`connects` once there is one: proxy.py logs a tunnel when it closes."""
        for _ in range(200):
            if found := self.connects():
                return found
            time.sleep(0.05)
        return []


@contextmanager
def forward_proxy(
    folder: Path, basic_auth: str | None = None, tls: tuple[str, str] | None = None
) -> Iterator[ForwardProxy]:
    """The proxy on its port; ``tls=(cert_file, key_file)``: it speaks https itself."""
    folder.mkdir(parents=True, exist_ok=True)
    port_file, log = folder / "proxy.port", folder / "proxy.log"
    argv = [
        sys.executable,
        "-m",
        "proxy",
        "--hostname",
        "127.0.0.1",
        "--port",
        "0",
        "--port-file",
        str(port_file),
        "--num-acceptors",
        "1",
        "--log-level",
        "INFO",
        "--log-file",
        str(log),
    ]
    if basic_auth:
        argv += ["--basic-auth", basic_auth]
    if tls:
        argv += ["--cert-file", tls[0], "--key-file", tls[1]]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):  # the port file appears once the proxy listens
            if port_file.exists() and port_file.read_text().strip():
                break
            if proc.poll() is not None:
                raise RuntimeError(f"proxy.py exited with {proc.returncode}; see {log}")
            time.sleep(0.05)
        else:
            raise RuntimeError("proxy.py did not start listening")
        scheme = "https" if tls else "http"
        yield ForwardProxy(f"{scheme}://127.0.0.1:{port_file.read_text().strip()}", log)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
