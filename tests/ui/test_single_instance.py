"""One Tandem per user and profile: a second launch hands over to the first and exits."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

from ui.single_instance import SingleInstance

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import sys
from PyQt6.QtCore import QCoreApplication, QTimer
from ui.single_instance import SingleInstance

app = QCoreApplication(sys.argv)
guard = SingleInstance(sys.argv[1])
if not guard.acquire():
    print("second", flush=True)
    sys.exit(0)
print("first", flush=True)
guard.activated.connect(lambda: (print("activated", flush=True), app.quit()))
QTimer.singleShot(60_000, app.quit)
app.exec()
"""


@pytest.fixture
def runtime_dir(monkeypatch):
    """A private, short runtime folder (Unix socket paths are limited to ~100 characters)."""
    folder = tempfile.mkdtemp(prefix="tandem-rt-")
    os.chmod(folder, 0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", folder)
    monkeypatch.setenv("TMPDIR", folder)
    yield Path(folder)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def key() -> str:
    return f"p-test-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def guards():
    made: list[SingleInstance] = []
    yield made
    for guard in made:
        guard.release()


def child(key: str, runtime_dir: Path) -> subprocess.Popen:
    env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime_dir), TMPDIR=str(runtime_dir), PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, key],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_second_launch_hands_over_to_the_first(qtbot, runtime_dir, key, guards) -> None:
    first, second = SingleInstance(key), SingleInstance(key)
    guards += [first, second]
    assert first.acquire() is True
    with qtbot.waitSignal(first.activated, timeout=10_000):
        assert second.acquire() is False
    assert first.is_primary and not second.is_primary


def test_every_later_launch_activates_the_first_again(qtbot, runtime_dir, key, guards) -> None:
    first = SingleInstance(key)
    guards.append(first)
    assert first.acquire()
    for _ in range(3):
        other = SingleInstance(key)
        guards.append(other)
        with qtbot.waitSignal(first.activated, timeout=10_000):
            assert other.acquire() is False


def test_other_profiles_and_other_users_do_not_meet(qtbot, runtime_dir, key, guards, monkeypatch) -> None:
    mine, other_profile = SingleInstance(key), SingleInstance(key + "-b")
    guards += [mine, other_profile]
    assert mine.acquire() is True
    assert other_profile.acquire() is True
    monkeypatch.setattr("getpass.getuser", lambda: "someone-else")
    other_user = SingleInstance(key)
    assert other_user.server_name != mine.server_name


def test_after_quit_the_next_launch_is_first(qtbot, runtime_dir, key, guards) -> None:
    first = SingleInstance(key)
    guards.append(first)
    assert first.acquire()
    first.release()
    again = SingleInstance(key)
    guards.append(again)
    assert again.acquire() is True


@pytest.mark.only_on("linux", "darwin")  # Unix socket files only
def test_the_socket_is_private_to_its_user(qtbot, runtime_dir, key, guards) -> None:
    first = SingleInstance(key)
    guards.append(first)
    assert first.acquire()
    mode = os.stat(first.server_name).st_mode
    assert stat.S_ISSOCK(mode)
    assert mode & 0o077 == 0, oct(mode)


def test_an_empty_profile_id_is_refused_in_plain_words() -> None:
    with pytest.raises(ValueError, match="needs a profile id"):
        SingleInstance("  ")


def test_a_launch_in_another_process_activates_this_one(qtbot, runtime_dir, key, guards) -> None:
    first = SingleInstance(key)
    guards.append(first)
    assert first.acquire()
    with qtbot.waitSignal(first.activated, timeout=30_000):
        proc = child(key, runtime_dir)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert out.split() == ["second"]


def test_this_launch_defers_to_another_process(qtbot, runtime_dir, key, guards) -> None:
    proc = child(key, runtime_dir)
    try:
        assert proc.stdout.readline().strip() == "first"
        mine = SingleInstance(key)
        guards.append(mine)
        assert mine.acquire() is False
        out, err = proc.communicate(timeout=30)
        assert out.split() == ["activated"], err
        assert proc.returncode == 0
    finally:
        proc.kill()
        proc.wait(timeout=10)


@pytest.mark.only_on("linux", "darwin")  # named pipes vanish with their process
def test_a_socket_left_by_a_crash_is_taken_over(qtbot, runtime_dir, key, guards) -> None:
    proc = child(key, runtime_dir)
    try:
        assert proc.stdout.readline().strip() == "first"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    mine = SingleInstance(key)
    guards.append(mine)
    assert Path(mine.server_name).exists()  # the crash left its socket behind
    assert mine.acquire() is True
    again = SingleInstance(key)
    guards.append(again)
    with qtbot.waitSignal(mine.activated, timeout=10_000):
        assert again.acquire() is False
