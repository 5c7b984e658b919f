"""The desktop app's log file: ``<profile log dir>/tandem.log``, rotated, always redacted.

    setup_logging(paths)            # once, at start-up of the GUI
    with command_log(paths): ...    # around one command-line command (sync, login, ...)

One rotating file (1 MB x 5) per profile at INFO (DEBUG with ``TANDEM_DEBUG=1``); every record
passes through :mod:`app.redaction` first, so no token reaches the file. Diagnostics bundles
(app.diagnostics) pick the files up from the same folder. A log folder that cannot be written
(full disk, read-only) leaves logging to stderr only; it never stops the app.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
from collections.abc import Iterator
from pathlib import Path

from app import redaction
from app.paths import ProfilePaths

LOG_NAME = "tandem.log"
NOISY = ("httpx", "httpcore", "urllib3", "msal", "uvicorn", "uvicorn.access")  # kept at WARNING
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(paths: ProfilePaths, *, level: int | None = None) -> Path | None:
    """Log to the profile's log file; returns its path, or None when it cannot be written."""
    root = logging.getLogger()
    if level is None:
        level = logging.DEBUG if os.environ.get("TANDEM_DEBUG") == "1" else logging.INFO
    root.setLevel(level)
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    log_file = Path(paths.log_dir) / LOG_NAME
    for old in list(root.handlers):
        if getattr(old, "_tandem", False):
            root.removeHandler(old)
            old.close()
    handler: logging.Handler
    path: Path | None
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            log_file, maxBytes=1_000_000, backupCount=5, encoding="utf-8", delay=True
        )
        path = log_file
    except OSError:
        handler, path = logging.StreamHandler(), None
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler._tandem = True  # type: ignore[union-attr]  # a marker: the handler replaced on the next call
    root.addHandler(handler)
    redaction.install(root)
    return path


def _remove_file_log() -> None:
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_tandem", False):
            root.removeHandler(old)
            old.close()


@contextlib.contextmanager
def command_log(paths: ProfilePaths) -> Iterator[Path | None]:
    """The profile's log file for one command-line command, so that what a command did is in
    the support log (and so in a diagnostics bundle) as it is for the desktop app. A log folder
    that cannot be written means no file: the command's own words on stderr stay as they are."""
    names = ("", *NOISY)
    saved = {name: logging.getLogger(name).level for name in names}
    path = setup_logging(paths)
    if path is None:  # no file: do not send log lines to the command's stderr
        _remove_file_log()
    try:
        yield path
    finally:
        _remove_file_log()
        for name, level in saved.items():  # leave the process's loggers as they were
            logging.getLogger(name).setLevel(level)
