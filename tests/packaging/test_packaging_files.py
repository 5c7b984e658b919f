"""The installer files agree with each other and with the app (fast; runs in `make test`).

The OS-specific builds run on their own OS (the build workflow); these checks catch, here,
the mistakes that would only show there: an app id spelled two ways, an installer that writes
a start-at-login value the app does not recognise, a script with a syntax error.
"""

from __future__ import annotations

import configparser
import plistlib
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app.autostart import APP_ID, Autostart

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"


def test_macos_info_plist_is_a_menu_bar_app_with_our_bundle_id() -> None:
    info = plistlib.loads((PACKAGING / "macos" / "Info.plist").read_bytes())
    assert info["CFBundleIdentifier"] == APP_ID
    assert info["LSUIElement"] is True
    major = int(info["LSMinimumSystemVersion"].split(".")[0])
    assert major >= 13  # what Qt 6.11 supports
    assert info["NSHighResolutionCapable"] is True


def test_linux_desktop_entry_and_metainfo_name_the_same_app() -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read(PACKAGING / "linux" / "tandem.desktop", encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application" and entry["Exec"] == "tandem"
    assert entry["Icon"] == APP_ID
    assert "Office" in entry["Categories"].split(";")
    meta = ET.parse(PACKAGING / "linux" / f"{APP_ID}.metainfo.xml").getroot()
    assert meta.findtext("id") == APP_ID
    assert meta.find("launchable").text == f"{APP_ID}.desktop"
    assert meta.find("releases/release").get("version") == "@VERSION@"  # filled by build-deb.sh


def test_windows_installer_writes_the_run_value_the_app_reads() -> None:
    iss = (PACKAGING / "windows" / "tandem.iss").read_text(encoding="utf-8")
    line = next(ln for ln in iss.splitlines() if "CurrentVersion\\Run" in ln and "ValueType: string" in ln)
    name = re.search(r'ValueName: "([^"]+)"', line).group(1).replace("{#AppName}", "Tandem")
    data = re.search(r'ValueData: "((?:[^"]|"")*)";', line).group(1).replace('""', '"')
    folder = r"C:\Users\ana\AppData\Local\Programs\Tandem"
    value = data.replace("{app}", folder).replace("{#AppExe}", "tandem.exe")
    exe = folder + r"\tandem.exe"
    assert value == f'"{exe}" --background'  # quiet start in the tray at login

    class Key(dict):
        get = dict.get

        def set(self, n, v):
            self[n] = v

        def delete(self, n):
            self.pop(n, None)

    key = Key({name: value})  # what the installer leaves
    app = Autostart(platform="win32", run_key=key, command=[exe, "--background"])
    assert app.value_name == name
    assert app.is_enabled() is True
    task = next(ln for ln in iss.splitlines() if ln.startswith('Name: "startatlogin"'))
    assert "Flags: unchecked" in task, "start at login stays off unless the user asks (the setting's default)"


def test_windows_installer_icon_and_sources_exist() -> None:
    iss = (PACKAGING / "windows" / "tandem.iss").read_text(encoding="utf-8")
    icon = re.search(r"^SetupIconFile=(.+)$", iss, re.M).group(1).strip()
    assert (PACKAGING / "windows" / Path(icon.replace("\\", "/"))).resolve().is_file()


@pytest.mark.only_on("linux", "darwin")  # bash scripts
@pytest.mark.parametrize("script", ["linux/build-deb.sh", "macos/make-dmg.sh"])
def test_build_scripts_parse(script: str) -> None:
    done = subprocess.run(["bash", "-n", str(PACKAGING / script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.only_on("linux")  # a .deb is built on Linux, where bash and dpkg-deb are required
def test_build_deb_refuses_a_missing_bundle_in_plain_words(tmp_path: Path) -> None:
    done = subprocess.run(
        ["bash", str(PACKAGING / "linux" / "build-deb.sh"), str(tmp_path / "nothing"), str(tmp_path / "out")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "no bundle at" in done.stderr and "make package" in done.stderr


def test_the_spec_bundles_the_sandbox_and_the_icons() -> None:
    spec = (PACKAGING / "tandem.spec").read_text(encoding="utf-8")
    assert '"sandbox"' in spec and "collect_submodules(package)" in spec
    assert '(str(ROOT / "resources"), "resources")' in spec
    assert "shared" not in re.sub(r"#.*", "", spec), "shared/ is test data, not part of the app"
