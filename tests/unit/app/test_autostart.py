"""Start at login: the entry each OS reads is written, recognised and removed."""

from __future__ import annotations

import configparser
import plistlib
import subprocess
import sys
from pathlib import Path

import pytest

from app import autostart
from app.autostart import Autostart, AutostartError, desktop_exec, launch_command
from app.paths import profile_paths

COMMAND = ["/opt/tandem/tandem"]


class FakeRunKey:
    """HKCU\\...\\Run as a dict: what winreg would hold."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def set(self, name: str, command: str) -> None:
        self.values[name] = command

    def delete(self, name: str) -> None:
        self.values.pop(name, None)


def parse_exec(value: str) -> list[str]:
    """An Exec value back to its arguments, as the XDG Desktop Entry spec reads it."""
    value = value.replace("\\\\", "\\")  # the string-type escape
    args, current, quoted, escaped, started = [], "", False, False, False
    for char in value:
        if escaped:
            current, escaped = current + char, False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted, started = not quoted, True
        elif char == " " and not quoted:
            if started or current:
                args.append(current)
            current, started = "", False
        else:
            current += char
    if started or current:
        args.append(current)
    return [arg.replace("%%", "%") for arg in args]


def read_desktop(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read(path, encoding="utf-8")
    return dict(parser["Desktop Entry"])


# ----------------------------------------------------------------------------- Linux


def test_linux_entry_written_in_xdg_config_home_and_removed(tmp_path: Path) -> None:
    config = tmp_path / "cfg"
    entry = Autostart(
        platform="linux", home=tmp_path / "home", environ={"XDG_CONFIG_HOME": str(config)}, command=COMMAND
    )
    assert entry.is_enabled() is False
    entry.enable()
    path = config / "autostart" / "org.tandemsync.Tandem.desktop"
    assert entry.path == path and path.is_file()
    fields = read_desktop(path)
    assert fields["Type"] == "Application"
    assert fields["Exec"] == "/opt/tandem/tandem"
    assert fields["Name"] == "Tandem"
    assert entry.is_enabled() is True
    entry.disable()
    assert not path.exists()
    assert entry.is_enabled() is False
    entry.disable()  # turning off twice is not an error


def test_linux_entry_defaults_to_dot_config_without_xdg_config_home(tmp_path: Path) -> None:
    entry = Autostart(platform="linux", home=tmp_path, environ={}, command=COMMAND)
    entry.enable()
    assert (tmp_path / ".config" / "autostart" / "org.tandemsync.Tandem.desktop").is_file()


def test_linux_entry_hidden_by_the_desktop_counts_as_off(tmp_path: Path) -> None:
    entry = Autostart(platform="linux", home=tmp_path, environ={}, command=COMMAND)
    entry.enable()
    entry.path.write_text(entry.path.read_text() + "Hidden=true\n")
    assert entry.is_enabled() is False
    entry.enable()
    assert entry.is_enabled() is True


def test_linux_exec_line_quotes_paths_with_spaces_and_specials(tmp_path: Path) -> None:
    command = [
        "/home/ana maria/venv/bin/python",
        "/home/ana maria/tandem/main.py",
        "--profile",
        "/home/ana maria/50% off $HOME",
        'a "quoted" back\\slash `tick`',
    ]
    entry = Autostart(platform="linux", home=tmp_path, environ={}, command=command)
    entry.enable()
    assert parse_exec(read_desktop(entry.path)["Exec"]) == command
    assert entry.is_enabled() is True


def test_desktop_exec_leaves_plain_words_alone() -> None:
    assert desktop_exec(["/usr/bin/tandem", "--profile", "/tmp/p"]) == "/usr/bin/tandem --profile /tmp/p"


def test_linux_entry_moved_install_reads_as_off_until_enabled_again(tmp_path: Path) -> None:
    old = Autostart(platform="linux", home=tmp_path, environ={}, command=["/old/tandem"])
    old.enable()
    new = Autostart(platform="linux", home=tmp_path, environ={}, command=["/opt/tandem/tandem"])
    assert new.is_enabled() is False
    new.enable()
    assert new.is_enabled() is True
    assert read_desktop(new.path)["Exec"] == "/opt/tandem/tandem"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_linux_unwritable_config_gives_a_plain_message(tmp_path: Path) -> None:
    config = tmp_path / "cfg"
    config.mkdir()
    (config / "autostart").write_text("not a folder")
    entry = Autostart(
        platform="linux", home=tmp_path, environ={"XDG_CONFIG_HOME": str(config)}, command=COMMAND
    )
    with pytest.raises(AutostartError) as caught:
        entry.enable()
    assert "could not turn on starting at login" in caught.value.message
    assert "autostart" in caught.value.message


# ----------------------------------------------------------------------------- macOS


def test_macos_launch_agent_written_and_removed(tmp_path: Path) -> None:
    command = ["/Applications/Tandem.app/Contents/MacOS/tandem"]
    entry = Autostart(platform="darwin", home=tmp_path, environ={}, command=command)
    assert entry.is_enabled() is False
    entry.enable()
    path = tmp_path / "Library" / "LaunchAgents" / "org.tandemsync.Tandem.plist"
    assert path.is_file()
    agent = plistlib.loads(path.read_bytes())
    assert agent["Label"] == "org.tandemsync.Tandem"
    assert agent["ProgramArguments"] == command
    assert agent["RunAtLoad"] is True
    assert entry.is_enabled() is True
    entry.disable()
    assert not path.exists() and entry.is_enabled() is False


def test_macos_damaged_launch_agent_reads_as_off_and_is_rewritten(tmp_path: Path) -> None:
    entry = Autostart(platform="darwin", home=tmp_path, environ={}, command=COMMAND)
    entry.path.parent.mkdir(parents=True)
    entry.path.write_bytes(b"<plist>half")
    assert entry.is_enabled() is False
    entry.enable()
    assert entry.is_enabled() is True


# ----------------------------------------------------------------------------- Windows


def test_windows_run_value_written_and_removed() -> None:
    key = FakeRunKey()
    command = [r"C:\Program Files\Tandem\tandem.exe"]
    entry = Autostart(platform="win32", run_key=key, command=command)
    assert entry.is_enabled() is False
    entry.enable()
    assert key.values == {"Tandem": r'"C:\Program Files\Tandem\tandem.exe"'}
    assert entry.is_enabled() is True
    assert entry.path is None
    entry.disable()
    assert key.values == {}
    assert entry.is_enabled() is False


def test_windows_value_written_by_the_installer_counts_as_on() -> None:
    key = FakeRunKey()
    key.values["Tandem"] = r'"C:\Users\ana\AppData\Local\Programs\Tandem\tandem.exe"'
    entry = Autostart(
        platform="win32", run_key=key, command=[r"C:\Users\ana\AppData\Local\Programs\Tandem\TANDEM.EXE"]
    )
    assert entry.is_enabled() is True
    key.values["Tandem"] = r'"C:\Old\tandem.exe"'
    assert entry.is_enabled() is False


def test_windows_keeps_other_programs_run_values() -> None:
    key = FakeRunKey()
    key.values["OneDrive"] = r'"C:\OneDrive\OneDrive.exe" /background'
    entry = Autostart(platform="win32", run_key=key, command=COMMAND)
    entry.enable()
    entry.disable()
    assert key.values == {"OneDrive": r'"C:\OneDrive\OneDrive.exe" /background'}


def test_windows_registry_refusal_gives_a_plain_message() -> None:
    class Refusing(FakeRunKey):
        def set(self, name: str, command: str) -> None:
            raise PermissionError(5, "Access is denied")

    entry = Autostart(platform="win32", run_key=Refusing(), command=COMMAND)
    with pytest.raises(AutostartError) as caught:
        entry.enable()
    assert "Access is denied" in caught.value.message
    assert r"CurrentVersion\Run\Tandem" in caught.value.message


@pytest.mark.skipif(sys.platform == "win32", reason="checks that winreg is not needed elsewhere")
def test_winreg_is_imported_only_on_windows() -> None:
    assert "winreg" not in sys.modules
    with pytest.raises(ImportError):
        autostart.WindowsRunKey()


# ----------------------------------------------------------------------------- command and profiles


def test_from_source_the_command_is_this_python_and_main_py() -> None:
    command = launch_command(["--profile", "/tmp/x"])
    assert command[0] == sys.executable
    assert Path(command[1]).name == "main.py" and Path(command[1]).is_file()
    assert command[2:] == ["--profile", "/tmp/x"]


def test_frozen_the_command_is_the_installed_executable(monkeypatch) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/tandem/tandem")
    assert launch_command() == ["/opt/tandem/tandem"]


def test_each_profile_has_its_own_entry(tmp_path: Path) -> None:
    default = Autostart.for_profile(profile_paths(None), platform="linux", home=tmp_path, environ={})
    other_paths = profile_paths(tmp_path / "work profile")
    other = Autostart.for_profile(other_paths, platform="linux", home=tmp_path, environ={})
    assert "--profile" not in default.command
    assert other.command[-2:] == ["--profile", str(other_paths.root)]
    other.enable()
    assert other.is_enabled() is True
    assert default.is_enabled() is False
    assert other.path != default.path
    key = FakeRunKey()
    Autostart.for_profile(other_paths, platform="win32", run_key=key).enable()
    Autostart.for_profile(profile_paths(None), platform="win32", run_key=key).enable()
    assert set(key.values) == {"Tandem", f"Tandem ({other_paths.profile_id})"}


def test_the_written_command_starts_tandem(tmp_path: Path) -> None:
    """The Linux entry's Exec line, run as a desktop would, starts this Tandem."""
    entry = Autostart(platform="linux", home=tmp_path, environ={}, command=launch_command(["--version"]))
    entry.enable()
    done = subprocess.run(
        parse_exec(read_desktop(entry.path)["Exec"]), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Tandem ")


# ----------------------------------------------------------------------------- start quietly


def test_every_entry_starts_tandem_in_the_background(tmp_path: Path) -> None:
    """Started at login, Tandem opens in the tray: each OS's entry passes --background."""
    paths = profile_paths(tmp_path / "work")
    linux = Autostart.for_profile(paths, platform="linux", home=tmp_path, environ={})
    linux.enable()
    argv = parse_exec(read_desktop(linux.path)["Exec"])
    assert "--background" in argv and argv[-2:] == ["--profile", str(paths.root)]
    mac = Autostart.for_profile(paths, platform="darwin", home=tmp_path, environ={})
    mac.enable()
    assert "--background" in plistlib.loads(mac.path.read_bytes())["ProgramArguments"]
    key = FakeRunKey()
    Autostart.for_profile(profile_paths(None), platform="win32", run_key=key).enable()
    assert key.values["Tandem"].endswith(" --background")
    assert Autostart(platform="linux", home=tmp_path, environ={}).command[-1] == "--background"


def test_an_entry_without_background_is_rewritten_on_linux_and_accepted_from_the_windows_installer(
    tmp_path: Path,
) -> None:
    old = Autostart(platform="linux", home=tmp_path, environ={}, command=launch_command())
    old.enable()
    new = Autostart.for_profile(profile_paths(None), platform="linux", home=tmp_path, environ={})
    assert new.is_enabled() is False  # an older Tandem's entry: turning it on rewrites it
    new.enable()
    assert new.is_enabled() is True
    key = FakeRunKey()
    entry = Autostart(platform="win32", run_key=key, command=[r"C:\Tandem\tandem.exe", "--background"])
    key.values["Tandem"] = r'"C:\Tandem\tandem.exe"'  # what the installer's task writes
    assert entry.is_enabled() is True
    key.values["Tandem"] = r'"C:\Other\tandem.exe"'
    assert entry.is_enabled() is False


def test_the_background_command_is_understood_by_main() -> None:
    import main

    command = launch_command(["--background", "--profile", "/tmp/x"])
    args = main.build_parser().parse_args(command[2:])
    assert args.background is True and args.profile == "/tmp/x" and args.command is None
