"""Files shipped beside the code (icons), found the same way from source and from a bundle.

    resource_path("icons", "tandem.svg")   # <repo>/resources/icons/tandem.svg, or inside the bundle
    app_icon()                            # the window / dock / taskbar icon
    tray_icon("syncing")                  # the tray icon of a state, drawn for the panel it sits on
    tray_icon("attention", dark=True)     # the light glyph drawn for a dark panel

The PNGs are rendered from resources/icons/svg by packaging/make_icons.py in every size a
desktop asks for (16 ... 512); each QIcon holds all of them, so Qt picks the crisp one for
the size and device pixel ratio at hand (a 22 px tray at 200 % gets the 44 px rendering).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QGuiApplication, QIcon, QPalette, QPixmap

TRAY_STATES = ("ok", "syncing", "paused", "attention")
APP_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
TRAY_SIZES = (16, 22, 24, 32, 44, 48, 64, 128)

_SOURCE_ROOT = Path(__file__).resolve().parent.parent
_cache: dict[tuple, QIcon] = {}


def resource_path(*parts: str) -> Path:
    """A path under resources/: beside the code from source, under sys._MEIPASS when frozen."""
    bundle = getattr(sys, "_MEIPASS", None)
    base = Path(bundle) if getattr(sys, "frozen", False) and bundle else _SOURCE_ROOT
    return base.joinpath("resources", *parts)


def _icon(files: dict[int, Path]) -> QIcon:
    missing = [p for p in files.values() if not p.is_file()]
    if missing:
        raise FileNotFoundError(
            f"Tandem's icon file {missing[0]} is missing; the installation is incomplete. "
            "Reinstall Tandem (from source: run packaging/make_icons.py)."
        )
    icon = QIcon()
    for path in files.values():
        # addPixmap, not addFile: Qt 6.11 picks lazily added files of a known size badly at
        # device pixel ratios above 1 (it returned the 32 px one for every request at 200 %).
        icon.addPixmap(QPixmap(str(path)))
    return icon


def app_icon() -> QIcon:
    """The application icon, every rendered size."""
    key = ("app",)
    if key not in _cache:
        _cache[key] = _icon({n: resource_path("icons", "png", f"app-{n}.png") for n in APP_SIZES})
    return _cache[key]


def prefers_dark() -> bool:
    """True when the desktop's color scheme is dark (from the style hints, else the palette)."""
    app = QGuiApplication.instance()
    if app is None:
        return False
    hints = QGuiApplication.styleHints()
    scheme = hints.colorScheme() if hints is not None else Qt.ColorScheme.Unknown
    if scheme == Qt.ColorScheme.Dark:
        return True
    if scheme == Qt.ColorScheme.Light:
        return False
    return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def _windows_taskbar_is_dark() -> bool | None:
    """Windows paints the taskbar by its own setting ("Choose your default Windows mode")."""
    if sys.platform != "win32":
        return None
    import winreg  # Windows only

    try:
        with winreg.OpenKey(
            winreg.HKEY_CURRENT_USER, r"Software\Microsoft\Windows\CurrentVersion\Themes\Personalize"
        ) as key:
            return winreg.QueryValueEx(key, "SystemUsesLightTheme")[0] == 0
    except OSError:
        return None


def panel_is_dark() -> bool:
    """True when the panel that shows the tray icon is dark.

    The tray's panel need not follow the app's color scheme: GNOME Shell's top bar is dark in
    the light scheme too, and Windows colors the taskbar by its own setting. Elsewhere (KDE,
    Xfce, macOS) the panel follows the color scheme.
    """
    if sys.platform == "win32":
        taskbar = _windows_taskbar_is_dark()
        if taskbar is not None:
            return taskbar
    desktops = os.environ.get("XDG_CURRENT_DESKTOP", "").upper().split(":")
    if sys.platform.startswith("linux") and "GNOME" in desktops:
        return True
    return prefers_dark()


def tray_icon(state: str, dark: bool | None = None) -> QIcon:
    """The tray icon of a state: "ok" (up to date), "syncing", "paused" or "attention".

    ``dark``: True for a dark panel (light glyph), False for a light one; None follows the
    panel (:func:`panel_is_dark`: the desktop's color scheme, or the panel's own color where
    the desktop paints it apart).
    """
    if state not in TRAY_STATES:
        raise ValueError(
            f"There is no tray icon for {state!r}; the states are " + ", ".join(TRAY_STATES) + "."
        )
    if dark is None:
        dark = panel_is_dark()
    theme = "dark" if dark else "light"
    key = ("tray", state, theme)
    if key not in _cache:
        _cache[key] = _icon(
            {n: resource_path("icons", "png", f"tray-{state}-{theme}-{n}.png") for n in TRAY_SIZES}
        )
    return _cache[key]
