""" "Start Tandem when I sign in" (setting ``general.start_at_login``), the way each OS does it.

* Linux and other XDG desktops: ``$XDG_CONFIG_HOME/autostart/org.tandemsync.Tandem.desktop``
  (``~/.config`` when the variable is unset), per the XDG Autostart specification.
* macOS: a LaunchAgent ``~/Library/LaunchAgents/org.tandemsync.Tandem.plist`` with
  ``RunAtLoad``; launchd reads it at the next login (nothing is started now).
* Windows: the value ``Tandem`` under ``HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run``.
  ``winreg`` is imported on Windows only; the writing logic takes any object with
  ``get(name)``, ``set(name, command)`` and ``delete(name)``, so it is tested everywhere.

The command is the installed executable (``sys.executable`` when frozen by PyInstaller) or,
from source, ``python main.py``; a profile other than the default one adds ``--profile DIR``
and gets its own entry, so each profile can start at login or not. The command always carries
``--background``: started at login, Tandem opens quietly in the tray (no window; the wizard
still shows on a first run, and without a tray the window shows as usual).

    autostart = Autostart.for_profile(ctx.paths)     # this OS, this user, this profile
    autostart.enable(); autostart.is_enabled(); autostart.disable()
"""

from __future__ import annotations

import os
import plistlib
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from app.errors import AppError
from app.paths import ProfilePaths

APP_ID = "org.tandemsync.Tandem"
APP_NAME = "Tandem"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
SOURCE_ROOT = Path(__file__).resolve().parent.parent
BACKGROUND = "--background"  # main.py: start in the tray, no window


class AutostartError(AppError):
    title = "Tandem could not change “start at login”"
    action = "retry"


class RunKey(Protocol):
    """The HKCU Run key, or a stand-in for it in tests."""

    def get(self, name: str) -> str | None: ...
    def set(self, name: str, command: str) -> None: ...
    def delete(self, name: str) -> None: ...


class WindowsRunKey:
    """HKCU\\...\\Run through winreg (Windows only)."""

    def __init__(self) -> None:
        import winreg  # only on Windows

        self._winreg = winreg

    def get(self, name: str) -> str | None:
        reg = self._winreg
        try:
            with reg.OpenKey(reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_READ) as key:
                value, _kind = reg.QueryValueEx(key, name)
        except FileNotFoundError:
            return None
        return str(value)

    def set(self, name: str, command: str) -> None:
        reg = self._winreg
        with reg.CreateKeyEx(reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_SET_VALUE) as key:
            reg.SetValueEx(key, name, 0, reg.REG_SZ, command)

    def delete(self, name: str) -> None:
        reg = self._winreg
        try:
            with reg.OpenKey(reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_SET_VALUE) as key:
                reg.DeleteValue(key, name)
        except FileNotFoundError:
            pass


def launch_command(args: Sequence[str] = ()) -> list[str]:
    """What starts Tandem: the bundle's executable when frozen, else this Python and main.py."""
    if getattr(sys, "frozen", False):
        return [sys.executable, *args]
    return [sys.executable, str(SOURCE_ROOT / "main.py"), *args]


def desktop_exec(command: Sequence[str]) -> str:
    """``command`` as a desktop entry Exec value (quoting and escapes of the XDG spec)."""
    parts = []
    for arg in command:
        arg = arg.replace("%", "%%")
        if arg and not any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`="):
            parts.append(arg)
            continue
        quoted = "".join("\\" + c if c in '"`$\\' else c for c in arg)
        parts.append('"' + quoted + '"')
    # The string-type escape applies on top of the Exec quoting: each backslash doubles.
    return " ".join(parts).replace("\\", "\\\\")


def _entry_name(profile_id: str) -> str:
    return "" if profile_id == "default" else f"-{profile_id}"


class Autostart:
    """Writes, reads and removes the start-at-login entry of one profile on one OS."""

    def __init__(
        self,
        *,
        platform: str | None = None,
        home: Path | None = None,
        environ: dict[str, str] | None = None,
        run_key: RunKey | None = None,
        command: Sequence[str] | None = None,
        profile_id: str = "default",
    ) -> None:
        self.platform = platform or sys.platform
        self.home = Path(home) if home is not None else Path.home()
        self.environ = os.environ if environ is None else environ
        self._run_key = run_key
        self.command = list(command) if command is not None else launch_command([BACKGROUND])
        self.profile_id = profile_id
        suffix = _entry_name(profile_id)
        self.label = APP_ID + suffix  # file names, launchd label
        self.value_name = APP_NAME + (f" ({profile_id})" if suffix else "")  # Run value

    @classmethod
    def for_profile(
        cls,
        paths: ProfilePaths,
        *,
        platform: str | None = None,
        home: Path | None = None,
        environ: dict[str, str] | None = None,
        run_key: RunKey | None = None,
    ) -> Autostart:
        """The entry of an ``app.paths.ProfilePaths``: ``--profile DIR`` added unless default."""
        args = [] if paths.profile_id in ("default",) else ["--profile", str(paths.root)]
        return cls(
            platform=platform,
            home=home,
            environ=environ,
            run_key=run_key,
            command=launch_command([BACKGROUND, *args]),
            profile_id=paths.profile_id,
        )

    # --------------------------------------------------------------- where it lives

    @property
    def kind(self) -> str:
        if self.platform.startswith("win"):
            return "windows"
        if self.platform == "darwin":
            return "macos"
        return "xdg"

    @property
    def path(self) -> Path | None:
        """The file of the entry (None on Windows, where it is a registry value)."""
        if self.kind == "xdg":
            config = self.environ.get("XDG_CONFIG_HOME") or ""
            base = Path(config) if config and Path(config).is_absolute() else self.home / ".config"
            return base / "autostart" / f"{self.label}.desktop"
        if self.kind == "macos":
            return self.home / "Library" / "LaunchAgents" / f"{self.label}.plist"
        return None

    def _file(self) -> Path:
        """The file of a file-based entry (XDG, macOS)."""
        path = self.path
        if path is None:
            raise AssertionError("a registry entry has no file")
        return path

    def run_key(self) -> RunKey:
        if self._run_key is None:
            self._run_key = WindowsRunKey()
        return self._run_key

    # --------------------------------------------------------------- contents

    def desktop_entry(self) -> str:
        return "\n".join(
            [
                "[Desktop Entry]",
                "Type=Application",
                f"Name={APP_NAME}",
                "Comment=Keep Outlook and Salesforce in step",
                f"Exec={desktop_exec(self.command)}",
                f"Icon={APP_ID}",
                "Terminal=false",
                "Categories=Office;",
                "X-GNOME-Autostart-enabled=true",
                "X-GNOME-Autostart-Delay=10",
                "X-KDE-autostart-after=panel",
                "",
            ]
        )

    def launch_agent(self) -> bytes:
        return plistlib.dumps(
            {
                "Label": self.label,
                "ProgramArguments": list(self.command),
                "RunAtLoad": True,
                "KeepAlive": False,
                "ProcessType": "Interactive",
                "LimitLoadToSessionType": "Aqua",
            }
        )

    def run_value(self) -> str:
        """The Run value: the executable always in quotes (as the installer writes it)."""
        exe, *args = self.command
        return " ".join([f'"{exe}"', subprocess.list2cmdline(args)]) if args else f'"{exe}"'

    def _run_values(self) -> list[str]:
        values = [self.run_value()]
        if BACKGROUND in self.command:
            rest = [a for a in self.command if a != BACKGROUND]
            exe, *args = rest
            values.append(" ".join([f'"{exe}"', subprocess.list2cmdline(args)]) if args else f'"{exe}"')
        return values

    @staticmethod
    def _same_command(a: str | None, b: str) -> bool:
        # Windows paths ignore case; quotes around a path without spaces are optional.
        return a is not None and a.replace('"', "").casefold() == b.replace('"', "").casefold()

    # --------------------------------------------------------------- the three verbs

    def enable(self) -> None:
        """Start this profile's Tandem at the next login (rewrites a stale entry)."""
        try:
            if self.kind == "windows":
                self.run_key().set(self.value_name, self.run_value())
                return
            data = self.desktop_entry().encode("utf-8") if self.kind == "xdg" else self.launch_agent()
            path = self._file()
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except OSError as exc:
            raise AutostartError(message=self._failure("turn on", exc), where=str(self.where)) from exc

    def disable(self) -> None:
        """Do not start at login any more (nothing to do when it was off)."""
        try:
            if self.kind == "windows":
                self.run_key().delete(self.value_name)
                return
            self._file().unlink(missing_ok=True)
        except OSError as exc:
            raise AutostartError(message=self._failure("turn off", exc), where=str(self.where)) from exc

    def is_enabled(self) -> bool:
        """True when the entry exists, is ours, and starts what it should."""
        if self.kind == "windows":
            try:
                value = self.run_key().get(self.value_name)
                # The installer writes the plain executable: that starts Tandem too.
                return any(self._same_command(value, v) for v in self._run_values())
            except OSError:
                return False
        path = self._file()
        if not path.is_file():
            return False
        try:
            if self.kind == "macos":
                agent = plistlib.loads(path.read_bytes())
                return agent.get("ProgramArguments") == self.command and bool(agent.get("RunAtLoad"))
            values = {
                key: value
                for key, _, value in (
                    line.partition("=")
                    for line in path.read_text(encoding="utf-8").splitlines()
                    if "=" in line and not line.startswith("#")
                )
            }
        except Exception:  # a damaged file (plistlib raises ExpatError, ValueError, ...) is not ours
            return False
        return (
            values.get("Hidden", "false").strip().lower() != "true"
            and values.get("X-GNOME-Autostart-enabled", "true").strip().lower() != "false"
            and values.get("Exec") == desktop_exec(self.command)
        )

    # --------------------------------------------------------------- words

    @property
    def where(self) -> str:
        if self.kind == "windows":
            return f"HKEY_CURRENT_USER\\{RUN_KEY}\\{self.value_name}"
        return str(self.path)

    def _failure(self, verb: str, exc: OSError) -> str:
        reason = exc.strerror or str(exc)
        return (
            f"Tandem could not {verb} starting at login, because {self.where} could not be "
            f"changed ({reason}). Check that your user may write there, then try again."
        )
