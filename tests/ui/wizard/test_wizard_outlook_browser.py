"""The wizard's Outlook page: "Sign in with your browser" beside the device code, and what the
page does when the organisation refuses the sign-in with a code (AADSTS53003)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from accounts_helpers import make_browser
from PyQt6.QtGui import QColor, QGuiApplication, QPalette
from PyQt6.QtWidgets import QApplication
from test_wizard import go_next, make_wizard, next_enabled, wait_page_ready

from ui.wizard.window import Page


def shoot(widget, name: str, tmp_path: Path) -> None:
    """Light and dark screenshots of ``widget`` (into $TANDEM_SHOTS, else the test's folder);
    run under QT_SCALE_FACTOR=2 for 200 %."""
    folder = Path(os.environ.get("TANDEM_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    scale = os.environ.get("QT_SCALE_FACTOR", "1")
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    light = QGuiApplication.palette()
    dark = QPalette(light)
    for role, colour in (
        (QPalette.ColorRole.Window, "#202124"),
        (QPalette.ColorRole.WindowText, "#e8eaed"),
        (QPalette.ColorRole.Base, "#2b2c30"),
        (QPalette.ColorRole.Text, "#e8eaed"),
        (QPalette.ColorRole.Button, "#3c4043"),
        (QPalette.ColorRole.ButtonText, "#e8eaed"),
        (QPalette.ColorRole.Link, "#8ab4f8"),
    ):
        dark.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        dark.setColor(QPalette.ColorGroup.Disabled, role, QColor("#80868b"))
    for theme, palette in (("light", light), ("dark", dark)):
        app.setPalette(palette)
        QApplication.processEvents()
        path = folder / f"wizard-outlook-{name}-{theme}@{scale}x.png"
        assert widget.grab().save(str(path))
    app.setPalette(light)


@pytest.mark.seed("demo")
def test_the_browser_sign_in_beside_the_code(qtbot, qloop, fresh_ctx, sandbox_env, tmp_path):
    sandbox_env.state.config["auto_approve"] = False  # the person presses Accept on the page
    wizard, _ = make_wizard(qtbot, fresh_ctx, sandbox_env, demo=True)
    go_next(wizard, Page.OUTLOOK)
    page = wizard.outlook_page
    qloop.until(lambda: page.code.code.text())  # the code starts by itself, as before
    assert page.browser.isVisible() and page.browser.text() == "Sign in with your browser"
    shoot(wizard, "code", tmp_path)
    seen: list = []
    gate = asyncio.Event()  # the person takes a moment before pressing Accept
    accept = make_browser(sandbox_env, seen=seen)

    async def browser(url: str) -> None:
        await gate.wait()
        await accept(url)

    wizard.open_browser = browser
    page.browser.click()
    qloop.until(lambda: page.link.isVisible())
    assert "open the Microsoft sign-in page" in page.link.text() and not page.code.isVisible()
    assert not page.browser.isVisible() and page.use_code.isVisible() and not next_enabled(wizard)
    shoot(wizard, "browser", tmp_path)
    gate.set()
    wait_page_ready(qloop, wizard)
    assert "Connected to Outlook as Morgan Reyes" in page.connected.text()
    assert not page.code.isVisible() and not page.browser.isVisible()
    assert fresh_ctx.signed_in()["outlook"]["username"].lower().startswith("morgan.reyes")
    assert "Signed in to Outlook" in seen[-1].text  # Tandem's page in the browser
    assert next_enabled(wizard)


@pytest.mark.seed("demo")
def test_a_refused_code_says_so_and_offers_the_browser_at_once(
    qtbot, qloop, fresh_ctx, sandbox_env, tmp_path
):
    sandbox_env.state.config["auto_approve"] = False
    sandbox_env.state.config["entra_block_device_code"] = True
    wizard, _ = make_wizard(qtbot, fresh_ctx, sandbox_env, demo=True)
    go_next(wizard, Page.OUTLOOK)
    page = wizard.outlook_page
    qloop.until(lambda: page.code.code.text())
    sandbox_env.control("device/approve", {"user_code": page.code.code.text()})  # signs in: refused
    qloop.until(lambda: not page.waiting and page.status.text(), timeout=30)
    message = page.status.text()
    assert "organisation's access policy blocks the sign-in with a code" in message
    assert "Sign in with your browser" in message and "AADSTS" not in message
    assert page.browser.isVisible() and page.browser.hasFocus()
    assert not page.retry.isVisible() and not page.code.isVisible()  # a code would fail again
    assert not next_enabled(wizard)
    shoot(wizard, "blocked", tmp_path)

    # Back and Next again: the page does not ask for another code.
    wizard.back()
    go_next(wizard, Page.OUTLOOK)
    assert not page.waiting and page.browser.isVisible()

    sandbox_env.state.config["auto_approve"] = True
    page.browser.click()
    assert not page.use_code.isVisible()  # no way back to the refused code
    wait_page_ready(qloop, wizard)
    assert fresh_ctx.signed_in()["outlook"] and page.status.text() == ""


@pytest.mark.seed("demo")
def test_a_browser_sign_in_that_fails_is_tried_again_in_the_browser(qtbot, qloop, fresh_ctx, sandbox_env):
    sandbox_env.state.config["auto_approve"] = False
    wizard, _ = make_wizard(qtbot, fresh_ctx, sandbox_env, demo=True)
    wizard.open_browser = make_browser(sandbox_env, decide="deny")
    go_next(wizard, Page.OUTLOOK)
    page = wizard.outlook_page
    qloop.until(lambda: page.code.code.text())
    page.browser.click()
    qloop.until(lambda: page.retry.isVisible(), timeout=30)
    assert "declined" in page.status.text() and not next_enabled(wizard)
    wizard.open_browser = make_browser(sandbox_env)
    page.retry.click()  # the browser again, not a code
    wait_page_ready(qloop, wizard)
    assert not page.code.code.text() and fresh_ctx.signed_in()["outlook"]


@pytest.mark.seed("demo")
def test_from_the_browser_back_to_a_code(qtbot, qloop, fresh_ctx, sandbox_env):
    sandbox_env.state.config["auto_approve"] = False
    wizard, _ = make_wizard(qtbot, fresh_ctx, sandbox_env, demo=True)
    wizard.open_browser = lambda url: None  # the browser opens, the person does nothing there
    go_next(wizard, Page.OUTLOOK)
    page = wizard.outlook_page
    qloop.until(lambda: page.code.code.text())
    page.browser.click()
    qloop.until(lambda: page.use_code.isVisible())
    page.use_code.click()
    qloop.until(lambda: page.code.code.text())
    assert not page.link.isVisible() and page.browser.isVisible()
    sandbox_env.control("device/approve", {"user_code": page.code.code.text()})
    wait_page_ready(qloop, wizard)
    assert fresh_ctx.signed_in()["outlook"]
