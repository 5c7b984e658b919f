"""Keep tokens, codes and verifiers out of every log record.

:func:`redact` rewrites a string; :class:`RedactingFilter` applies it to a record's
formatted message, exception text and stack text. :func:`install` makes it cover every
record of every logger (httpx, httpcore, msal, urllib3 included) by wrapping the log-record
factory, and also adds the filter to the root logger's handlers. What is removed:

* ``Bearer …`` / ``Basic …`` credentials and any ``Authorization`` header value;
* the values of ``access_token``, ``refresh_token``, ``id_token``, ``code``,
  ``code_verifier``, ``device_code``, ``client_info``, ``client_secret``, ``password``,
  ``token``, ``assertion``, ``sid`` and ``secret`` (the MSAL cache) in JSON (``"k": "v"``), Python reprs (``'k': 'v'``)
  and form/query (``k=v``) forms;
* JWT-shaped strings (``eyJ….….…``) and Salesforce session ids (``00D…!…``);
* the password of a URL (``http://user:[redacted]@proxy:8080``).
"""

from __future__ import annotations

import logging
import re
from typing import Any

MASK = "[redacted]"

SECRET_KEYS = (
    "access_token",
    "refresh_token",
    "id_token",
    "code",
    "code_verifier",
    "device_code",
    "client_info",
    "client_secret",
    "password",
    "token",
    "assertion",
    "sid",
    "session_id",
    "secret",
)
_KEYS = "|".join(sorted(SECRET_KEYS, key=len, reverse=True))

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # Authorization header in dict reprs / JSON / header dumps: keep the name, drop the value.
    (re.compile(r"""(?i)(["']?authorization["']?\s*[:=]\s*["']?)([^"'\r\n,}]+)"""), r"\1" + MASK),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9\-._~+/=!%]+"), r"\1 " + MASK),
    # "key": "value"  /  'key': 'value'  (JSON, Python reprs), also escaped JSON in JSON.
    (
        re.compile(rf"""(?i)(\\?["'](?:{_KEYS})\\?["']\s*:\s*\\?["'])((?:[^"'\\]|\\(?!["']))*)"""),
        r"\1" + MASK,
    ),
    # "key": 123 style non-string values are not secrets; skip. Form and query: key=value.
    (re.compile(rf"(?i)(?<![A-Za-z0-9_])((?:{_KEYS})=)([^&\s\"',;)}}\]]+)"), r"\1" + MASK),
    # key=b'...' style and key: value in plain text ("refresh_token: abc").
    (
        re.compile(rf"(?i)(?<![A-Za-z0-9_])((?:{_KEYS})\s*:\s+)([A-Za-z0-9\-._~+/=!%]{{8,}})"),
        r"\1" + MASK,
    ),
    # JWT-shaped (header.payload.signature, signature may be empty for alg "none").
    (re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"), MASK),
    # Salesforce session ids: 00D + org id, "!", then the session part.
    (re.compile(r"\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._\-]+"), MASK),
    # The password of a URL (a proxy address: http://user:password@host:port).
    (re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://[^\s/:@\"']+:)([^\s/@\"']+)(@)"), r"\1" + MASK + r"\3"),
]


def redact(text: str) -> str:
    """``text`` without any credential the patterns know."""
    if not text:
        return text
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _redact_record(record: logging.LogRecord) -> logging.LogRecord:
    if getattr(record, "_tandem_redacted", False):
        return record
    try:
        message = record.getMessage()
    except Exception:  # bad format args: keep both parts, redacted
        message = f"{record.msg!s} {record.args!r}"
    record.msg = redact(message)
    record.args = None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    record._tandem_redacted = True
    return record


class RedactingFilter(logging.Filter):
    """A handler (or logger) filter that rewrites the record in place; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        _redact_record(record)
        return True


_installed: dict[str, Any] = {}


def install(root: logging.Logger | None = None) -> None:
    """Redact every record from now on, whichever logger or handler it passes through."""
    if "factory" not in _installed:
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            return _redact_record(previous(*args, **kwargs))

        _installed["previous"] = previous
        _installed["factory"] = factory
        logging.setLogRecordFactory(factory)
    root = root or logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


def uninstall() -> None:
    """Undo :func:`install`'s record factory (tests)."""
    if "factory" in _installed and logging.getLogRecordFactory() is _installed["factory"]:
        logging.setLogRecordFactory(_installed["previous"])
    _installed.clear()
