"""One running Tandem per user and profile; a second launch brings the first to the front.

    guard = SingleInstance(ctx.paths.profile_id)
    if not guard.acquire():          # another Tandem of this profile runs; it was told to show itself
        return 0
    guard.activated.connect(window.bring_to_front)

The first instance listens on a QLocalServer (a Unix socket, a named pipe on Windows); a
later one connects, sends ``activate`` and exits. The server name is a hash of the user and
the profile id, so two users, or two profiles of one user, never meet; on Unix the socket
lives in the user's private runtime folder ($XDG_RUNTIME_DIR) when there is one, and is
readable by its owner only in every case. A socket left behind by a crash (nobody answers)
is removed and taken over. A lock file around the check-then-listen step keeps two launches
at the same moment from both becoming "first".
"""

from __future__ import annotations

import getpass
import hashlib
import logging
import os
import sys
from pathlib import Path

from PyQt6.QtCore import QDir, QLockFile, QObject, pyqtSignal
from PyQt6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

MESSAGE = b"activate\n"
CONNECT_TIMEOUT_MS = 1000
LOCK_TIMEOUT_MS = 5000


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (a container without passwd entry)
        return str(os.getuid()) if hasattr(os, "getuid") else "user"


def _runtime_dir() -> Path:
    """A private folder for the socket and lock: $XDG_RUNTIME_DIR on Linux, else the temp dir."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if (
        runtime
        and sys.platform.startswith("linux")
        and os.path.isdir(runtime)
        and os.access(runtime, os.W_OK)
    ):
        return Path(runtime)
    return Path(QDir.tempPath())


class SingleInstance(QObject):
    """Claims the profile for this process, or hands over to the process that has it."""

    activated = pyqtSignal()  # a later launch asked this (first) instance to show itself

    def __init__(self, key: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        if not str(key).strip():
            raise ValueError("SingleInstance needs a profile id, and it was empty.")
        self.key = str(key)
        digest = hashlib.sha256(f"{_user()}\0{self.key}".encode()).hexdigest()[:24]
        self.name = f"tandem-{digest}"
        folder = _runtime_dir()
        # Windows: a pipe name (the pipe namespace is not a folder). Unix: a full socket path.
        self.server_name = self.name if sys.platform == "win32" else str(folder / f"{self.name}.sock")
        self._lock = QLockFile(str(folder / f"{self.name}.lock"))
        self._lock.setStaleLockTime(30_000)
        self._server: QLocalServer | None = None
        self._clients: list[QLocalSocket] = []

    @property
    def is_primary(self) -> bool:
        """True once :meth:`acquire` made this the listening (first) instance."""
        return self._server is not None and self._server.isListening()

    def acquire(self) -> bool:
        """True: this is the first instance and now listens. False: another instance runs and
        was sent "activate" (the caller should exit with status 0)."""
        if self.is_primary:
            return True
        # A lock that cannot be had in time belongs to a launch that hangs; go on without it
        # (a dead holder's lock is taken over by QLockFile by itself).
        locked = self._lock.tryLock(LOCK_TIMEOUT_MS)
        try:
            if self._notify_running():
                return False
            return self._listen()
        finally:
            if locked:
                self._lock.unlock()

    def release(self) -> None:
        """Stop listening (at quit); the next launch becomes the first instance."""
        for client in self._clients:
            client.abort()
        self._clients.clear()
        if self._server is not None:
            self._server.close()
            self._server.deleteLater()
            self._server = None

    # ------------------------------------------------------------------ internals

    def _notify_running(self) -> bool:
        """Tell a running instance to show itself; False when none answers."""
        socket = QLocalSocket()
        socket.connectToServer(self.server_name)
        if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
            return False
        socket.write(MESSAGE)
        socket.flush()
        socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
        socket.disconnectFromServer()
        if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
            socket.waitForDisconnected(CONNECT_TIMEOUT_MS)
        return True

    def _listen(self) -> bool:
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.server_name):
            # Nobody answered, so a socket that is still there was left by a crash.
            log.info("single instance: removing a stale socket (%s)", server.errorString())
            QLocalServer.removeServer(self.server_name)
            if not server.listen(self.server_name):
                raise OSError(f"Tandem could not claim its single-instance socket: {server.errorString()}")
        server.newConnection.connect(self._on_new_connection)
        self._server = server
        return True

    def _on_new_connection(self) -> None:
        while self._server is not None and self._server.hasPendingConnections():
            client = self._server.nextPendingConnection()
            if client is None:
                break
            buffer = bytearray()
            self._clients.append(client)
            client.readyRead.connect(lambda c=client, b=buffer: self._on_ready_read(c, b))
            client.disconnected.connect(lambda c=client, b=buffer: self._on_done(c, b))
            if client.bytesAvailable():
                self._on_ready_read(client, buffer)

    def _on_ready_read(self, client: QLocalSocket, buffer: bytearray) -> None:
        buffer += client.readAll().data()
        if MESSAGE in bytes(buffer):
            buffer.clear()
            self.activated.emit()

    def _on_done(self, client: QLocalSocket, buffer: bytearray) -> None:
        self._on_ready_read(client, buffer)
        if client in self._clients:
            self._clients.remove(client)
        client.deleteLater()
