"""The desktop app on a real X server (Xvfb) through Qt's xcb platform, as on a Linux desktop:
`python main.py --sandbox` puts its first window on the screen, and a screenshot of the whole
screen (taken by another X client) shows it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from system_helpers import ROOT, tandem_env

pytestmark = [pytest.mark.system, pytest.mark.only_on("linux")]

GRAB = """
import sys
from PyQt6.QtGui import QGuiApplication
app = QGuiApplication(sys.argv[:1])
image = app.primaryScreen().grabWindow(0).toImage()
colours = {image.pixel(x, y) for x in range(0, image.width(), 16) for y in range(0, image.height(), 16)}
image.save(sys.argv[1])
print(len(colours), flush=True)
"""


@pytest.fixture
def x_display() -> Iterator[str]:
    assert shutil.which("Xvfb"), "Xvfb is not installed"
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as lines:
        number = lines.readline().strip()
    assert number, "Xvfb did not start"
    yield f":{number}"
    server.terminate()
    server.wait(timeout=30)


def test_demo_window_shows_on_a_real_x_server(x_display: str, tmp_path: Path) -> None:
    env = tandem_env(DISPLAY=x_display, QT_QPA_PLATFORM="xcb", DBUS_SESSION_BUS_ADDRESS=None)
    shot = tmp_path / "demo-window.png"
    blank = subprocess.run([sys.executable, "-c", GRAB, str(shot)], env=env, capture_output=True, text=True)
    assert blank.returncode == 0, blank.stderr  # Qt's xcb platform plugin loads (its libraries are there)
    assert blank.stdout.strip() == "1"  # an empty screen: one colour

    app = subprocess.Popen(
        [sys.executable, "main.py", "--sandbox", "--profile", str(tmp_path / "demo")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120  # until the window is drawn; not a measurement
        while True:
            grab = subprocess.run(
                [sys.executable, "-c", GRAB, str(shot)], env=env, capture_output=True, text=True
            )
            assert grab.returncode == 0, grab.stderr
            if int(grab.stdout) > 8:
                break
            assert app.poll() is None, app.communicate()[0]
            assert time.monotonic() < deadline, "no window appeared on the X server"
            time.sleep(0.5)
    finally:
        app.terminate()
        output = app.communicate(timeout=60)[0]
    assert shot.stat().st_size > 0
    saved = os.environ.get("TANDEM_SYSTEM_SHOTS")
    if saved:
        Path(saved).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(saved) / shot.name)
    assert "Traceback" not in output, output
