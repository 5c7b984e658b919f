"""ui.errors: every error class gets plain words and its one remedy, in one place."""

from __future__ import annotations

import pytest

from app.errors import (
    KeyringLocked,
    KeyringUnavailable,
    NetworkDown,
    WrongClientId,
    network_error,
    not_connected,
    sign_in_expired,
)
from app.settings import InvalidSetting
from app.sync_service import SyncBusy
from sync.errors import DatabaseCorrupt, DatabaseLocked, SourceError
from sync.graph.client import GraphAuthError, GraphPermissionError
from sync.http import ServiceUnavailable
from sync.salesforce.client import SalesforceLimitReached, SalesforceSignedOut
from ui.errors import ErrorActions, remedy_for, remedy_level


class Calls:
    def __init__(self) -> None:
        self.log: list[tuple] = []

    def actions(self) -> ErrorActions:
        return ErrorActions(
            reconnect=lambda s: self.log.append(("reconnect", s)),
            connect=lambda s: self.log.append(("connect", s)),
            retry=lambda: self.log.append(("retry",)),
            open_settings=lambda: self.log.append(("settings",)),
        )


def press(exc: BaseException) -> tuple[object, list[tuple]]:
    calls = Calls()
    remedy = remedy_for(exc, calls.actions())
    if remedy.callback is not None:
        remedy.callback()
    return remedy, calls.log


@pytest.mark.parametrize(
    "exc, button, effect",
    [
        (sign_in_expired("outlook"), "Reconnect Outlook", ("reconnect", "outlook")),
        (sign_in_expired("salesforce"), "Reconnect Salesforce", ("reconnect", "salesforce")),
        (not_connected("salesforce"), "Connect Salesforce", ("connect", "salesforce")),
        (network_error("outlook"), "Try again", ("retry",)),
        (KeyringLocked(message="locked"), "Try again", ("retry",)),
        (KeyringUnavailable(message="none"), "Try again", ("retry",)),
        (
            WrongClientId("bad client", "Ask your administrator.", service="outlook"),
            "Open settings",
            ("settings",),
        ),
        (InvalidSetting(message="'x' is not valid."), "Open settings", ("settings",)),
        (
            SalesforceSignedOut(message="Salesforce ended the session.", service="salesforce"),
            "Reconnect Salesforce",
            ("reconnect", "salesforce"),
        ),
        (
            GraphAuthError(message="Outlook did not accept the sign-in."),
            "Reconnect Outlook",
            ("reconnect", "outlook"),
        ),
        (
            GraphPermissionError(message="Outlook refused access."),
            "Reconnect Outlook",
            ("reconnect", "outlook"),
        ),
        (ServiceUnavailable(message="Salesforce kept failing."), "Try again", ("retry",)),
        (DatabaseLocked(message="In use."), "Try again", ("retry",)),
        (SourceError(message="Outlook answered 500."), "Try again", ("retry",)),
        (RuntimeError("boom"), "Try again", ("retry",)),
    ],
)
def test_each_error_class_offers_the_button_that_fixes_it(exc, button, effect):
    remedy, log = press(exc)
    assert remedy.action_text == button
    assert log == [effect]
    assert remedy.title and remedy.message


def test_a_busy_profile_says_wait_and_offers_no_button():
    remedy, log = press(SyncBusy(message="Another sync of this profile is running."))
    assert remedy.action_text is None and remedy.callback is None and log == []
    assert "running" in remedy.text
    assert remedy_level(SyncBusy()) == "info"


def test_the_api_limit_says_when_requests_come_back():
    exc = SalesforceLimitReached(
        message="Your Salesforce org has used all the API requests it is "
        "allowed today. Tandem will try again later; nothing was lost.",
        service="salesforce",
    )
    remedy, log = press(exc)
    assert remedy.action_text is None and log == []
    assert "24 hours" in remedy.message
    assert remedy_level(exc) == "warning"


def test_keyring_errors_explain_what_to_do_not_only_that_it_failed():
    locked, _ = press(KeyringLocked(message=""))
    assert "Unlock" in locked.message
    missing, _ = press(KeyringUnavailable(message=""))
    assert "Keyring" in missing.message or "keyring" in missing.message
    assert "KWallet" in missing.message


def test_a_damaged_database_gets_its_own_words_and_no_useless_retry():
    remedy, log = press(DatabaseCorrupt(message="Restore the backup from the profile folder."))
    assert remedy.title == "Tandem's database is damaged"
    assert "backup" in remedy.message and remedy.action_text is None


def test_an_unexpected_error_is_plain_and_names_its_type():
    remedy, _ = press(KeyError("x"))
    assert remedy.title == "Something went wrong"
    assert "KeyError" in remedy.message and "log" in remedy.message


def test_a_missing_callback_keeps_the_words_but_drops_the_button():
    remedy = remedy_for(sign_in_expired("outlook"), ErrorActions())
    assert remedy.action_text is None and remedy.callback is None
    assert "reconnect" in remedy.message.lower()


def test_a_remedy_unpacks_as_title_message_button_callback():
    title, message, action_text, callback = remedy_for(
        NetworkDown("Cannot reach Outlook", "Check the network."), Calls().actions()
    )
    assert (title, action_text) == ("Cannot reach Outlook", "Try again") and callable(callback)
