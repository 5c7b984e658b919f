"""The one place that turns an error into what the person sees and the one thing they can do.

STYLE.md habit 8 (after maestral-qt ``update_error``): every window hands an exception to
:func:`remedy_for` and shows the result as a banner (``MainWindow.show_banner``) or a message
box; nobody else maps error classes to buttons.

    remedy = remedy_for(exc, ErrorActions(reconnect=..., retry=..., open_settings=...))
    title, message, action_text, callback = remedy          # a NamedTuple
    window.show_banner(remedy.text, remedy_level(exc), action_text, callback)

=================================  ==========================================================
error                              remedy (button)
=================================  ==========================================================
AppError action ``reconnect``      "Reconnect <service>" -> the sign-in of that service again
AppError action ``connect``        "Connect <service>"   -> the sign-in (first time)
AppError action ``unlock_keyring`` an explanation of unlocking the keyring; "Try again"
AppError action ``install_keyring`` an explanation of setting up a keyring; "Try again"
AppError action ``retry``          "Try again"
AppError action ``settings``       "Open settings"
SyncBusy (action ``wait``)         no button: wait for the running sync to finish
SalesforceLimitReached             when the limit resets (rolling 24 hours); no button
Salesforce/Outlook signed out      "Reconnect <service>" (the sources' 401s)
GraphPermissionError               "Reconnect Outlook" (grant the permissions again)
ServiceUnavailable (sync.http)     "Try again"
DatabaseLocked                     "Try again" (another program holds the database)
other StoreError                   no button: the message says what to do
other TandemError                  "Try again"
anything else                      "Something went wrong" + the error's type; "Try again"
=================================  ==========================================================

The callbacks come from the caller (:class:`ErrorActions`), so this module knows no window. A
missing callback drops the button but keeps the words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from app.errors import SERVICE_NAMES, AppError
from sync.errors import DatabaseLocked, StoreError, TandemError

Callback = Callable[[], Any]


class Remedy(NamedTuple):
    title: str
    message: str
    action_text: str | None
    callback: Callback | None

    @property
    def text(self) -> str:
        """Title and message as one line for a banner."""
        title = self.title.rstrip(".")
        return f"{title}. {self.message}" if self.message else f"{title}."


@dataclass
class ErrorActions:
    """What the window can do for the person; each is optional."""

    reconnect: Callable[[str], Any] | None = None  # service -> start its sign-in again
    connect: Callable[[str], Any] | None = None  # service -> first sign-in (default: reconnect)
    retry: Callback | None = None  # run the failed thing again
    open_settings: Callback | None = None


KEYRING_UNLOCK_HELP = (
    "Tandem keeps your sign-ins in the system keyring, and the keyring is locked. Unlock it "
    "(on Linux: your login keyring in Passwords and Keys or KWallet; on macOS: Keychain "
    "Access), then try again."
)

KEYRING_INSTALL_HELP = (
    "Tandem keeps your sign-ins only in the system keyring and never in plain files, and this "
    "computer has none it can use. On Linux install and start GNOME Keyring or KWallet (a "
    "Secret Service provider); Windows and macOS have one built in. Then try again."
)

LIMIT_HELP = (
    "Salesforce counts API requests over the last 24 hours, so requests become available "
    "again gradually as older ones age out, at the latest 24 hours after the busiest hour. "
    "Nothing was lost: Tandem tries again with the next sync, and auto sync waits while the "
    "budget is low."
)


def _service(exc: BaseException) -> str | None:
    ids = getattr(exc, "ids", None) or {}
    service = ids.get("service")
    if service in SERVICE_NAMES:
        return service
    name = type(exc).__name__
    if name.startswith("Salesforce"):
        return "salesforce"
    if name.startswith("Graph"):
        return "outlook"
    return None


def _words(exc: BaseException, fallback_title: str, fallback_message: str = "") -> tuple[str, str]:
    title = getattr(exc, "title", None) or fallback_title
    message = getattr(exc, "message", None) or fallback_message
    return str(title), str(message)


def _bind(fn: Callable[..., Any] | None, *args: Any) -> Callback | None:
    if fn is None:
        return None
    return lambda: fn(*args)


def remedy_for(exc: BaseException, actions: ErrorActions | None = None) -> Remedy:
    """The words and the one remedy for ``exc`` (an AppError, a TandemError or anything)."""
    actions = actions or ErrorActions()
    retry = ("Try again", actions.retry) if actions.retry else (None, None)

    def sign_in(kind: str, service: str | None) -> Remedy:
        title, message = _words(exc, "Sign-in needed")
        name = SERVICE_NAMES.get(service or "", "the service")
        fn = actions.connect if kind == "connect" and actions.connect else actions.reconnect
        if service is None or fn is None:
            return Remedy(title, message, None, None)
        verb = "Connect" if kind == "connect" else "Reconnect"
        return Remedy(
            title, message or f"{verb} {name} to go on syncing.", f"{verb} {name}", _bind(fn, service)
        )

    action = getattr(exc, "action", None) if isinstance(exc, AppError) else None
    if action in ("reconnect", "connect"):
        return sign_in(action, _service(exc))
    if action == "unlock_keyring":
        title, _ = _words(exc, "The system keyring is locked")
        return Remedy(title, KEYRING_UNLOCK_HELP, *retry)
    if action == "install_keyring":
        title, _ = _words(exc, "No system keyring is available")
        return Remedy(title, KEYRING_INSTALL_HELP, *retry)
    if action == "settings":
        title, message = _words(exc, "A setting needs your attention")
        if actions.open_settings is None:
            return Remedy(title, message, None, None)
        return Remedy(title, message, "Open settings", actions.open_settings)
    if action == "wait":  # app.sync_service.SyncBusy
        title, message = _words(exc, "A sync is already running")
        return Remedy(title, message or "Wait for it to finish, then try again.", None, None)
    if action == "retry":
        title, message = _words(exc, "Tandem could not finish")
        return Remedy(title, message, *retry)
    if isinstance(exc, AppError):
        title, message = _words(exc, "Tandem could not finish")
        return Remedy(title, message, *retry)

    name = type(exc).__name__
    if name == "SalesforceLimitReached":
        title, message = _words(exc, "Salesforce's daily API limit is used up")
        return Remedy(title, f"{message} {LIMIT_HELP}".strip(), None, None)
    if name in ("SalesforceSignedOut", "GraphAuthError", "GraphPermissionError"):
        return sign_in(
            "reconnect", _service(exc) or ("outlook" if name.startswith("Graph") else "salesforce")
        )
    if isinstance(exc, DatabaseLocked):
        title, message = _words(exc, "Tandem's database is in use")
        return Remedy(
            title, message or "Another program is using Tandem's database. Close it, then try again.", *retry
        )
    if isinstance(exc, StoreError):
        title, message = _words(exc, "Tandem cannot use its database")
        return Remedy(title, message, None, None)
    if isinstance(exc, TandemError):
        title, message = _words(exc, "Tandem ran into a problem")
        return Remedy(title, message, *retry)
    if isinstance(exc, ValueError) and str(exc):
        return Remedy("Tandem could not start this sync", str(exc), None, None)
    return Remedy(
        "Something went wrong",
        f"Tandem hit an unexpected problem ({name}). Nothing was changed by it; the "
        "details are in the log file. Try again, and if it keeps happening export "
        "the diagnostics for support (Settings > Support > Export diagnostics).",
        *retry,
    )


def remedy_level(exc: BaseException) -> str:
    """The banner level: "info" for waiting, "warning" for limits, "error" otherwise."""
    if getattr(exc, "action", None) == "wait":
        return "info"
    if type(exc).__name__ == "SalesforceLimitReached":
        return "warning"
    return "error"


__all__ = ["ErrorActions", "Remedy", "remedy_for", "remedy_level"]
