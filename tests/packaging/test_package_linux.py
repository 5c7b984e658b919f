"""The Linux install as a user gets it: the PyInstaller bundle and the .deb, built and run.

Slow (a build of a few minutes), so it is marked ``slow``: pytest.ini leaves slow tests out
(``-m "not slow"``) and ``make package-test`` runs exactly these (``-m slow``). It builds into a
temporary folder (dist/ is left alone), then:

* runs the bundle's ``--version``;
* checks the .deb's control fields and files, unpacks it and runs the unpacked program;
* starts the bundle's own sandbox (``tandem sandbox serve --seed demo --auto-approve``),
  signs in to both services through the bundle's command line, and checks the JSON plan of
  ``tandem sync --preview --json``, all from outside the source tree.

Build time and sizes are printed (``make package-test`` runs pytest with ``-s``). With
TANDEM_PACKAGE_PREBUILT=dist it checks the output of ``make package`` instead of building.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(1800),
    pytest.mark.only_on("linux"),  # the Linux bundle and .deb,
]


def version() -> str:
    match = re.search(r'^VERSION = "([^"]+)"$', (ROOT / "main.py").read_text(encoding="utf-8"), re.M)
    assert match, "main.py has no VERSION line"
    return match.group(1)


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a user's shell: no test keyring, no sandbox pointers, no source path."""
    drop = {
        "PYTHON_KEYRING_BACKEND",
        "TANDEM_SANDBOX_URL",
        "TANDEM_SANDBOX_CA",
        "PYTHONPATH",
        "PYTHONHOME",
        "VIRTUAL_ENV",
    }
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    prebuilt = os.environ.get("TANDEM_PACKAGE_PREBUILT")
    if prebuilt:  # a folder with tandem/ and tandem_*.deb from `make package`: check, don't build
        folder = Path(prebuilt).resolve()
        debs = sorted(folder.glob("tandem_*.deb"))
        assert (folder / "tandem" / "tandem").is_file() and debs, f"no bundle and .deb in {folder}"
        yield {"bundle": folder / "tandem", "deb": debs[-1], "work": tmp_path_factory.mktemp("package")}
        return
    pytest.importorskip("PyInstaller", reason="PyInstaller is not installed; `make package-test` installs it")
    if shutil.which("dpkg-deb") is None:
        pytest.skip("dpkg-deb is not installed (Debian/Ubuntu only)")
    work = tmp_path_factory.mktemp("package")
    started = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(work / "dist"),
            "--workpath",
            str(work / "build"),
            str(ROOT / "packaging" / "tandem.spec"),
        ],
        cwd=ROOT,
        check=True,
        timeout=1500,
    )
    bundle_s = time.monotonic() - started
    bundle = work / "dist" / "tandem"
    started = time.monotonic()
    out = subprocess.run(
        ["bash", str(ROOT / "packaging" / "linux" / "build-deb.sh"), str(bundle), str(work / "out")],
        cwd=ROOT,
        check=True,
        timeout=1500,
        capture_output=True,
        text=True,
    )
    deb_s = time.monotonic() - started
    deb = Path(out.stdout.strip().splitlines()[-1])
    facts = {"bundle": bundle, "deb": deb, "work": work}
    print(
        f"\n[package] PyInstaller bundle: {bundle_s:.0f} s, {folder_size(bundle) / 2**20:.0f} MiB "
        f"unpacked; .deb: {deb_s:.0f} s, {deb.stat().st_size / 2**20:.1f} MiB",
        flush=True,
    )
    yield facts


def test_bundle_prints_its_version(built: dict) -> None:
    exe = built["bundle"] / "tandem"
    done = subprocess.run(
        [str(exe), "--version"],
        cwd=built["work"],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Tandem {version()}"


def test_bundle_carries_its_icons_and_no_test_code(built: dict) -> None:
    internal = built["bundle"] / "_internal"
    assert (internal / "resources" / "icons" / "png" / "tray-attention-dark-44.png").is_file()
    assert (internal / "resources" / "icons" / "tandem.svg").is_file()
    assert not list(internal.glob("pytest*")), "test tools were bundled"
    assert not (internal / "tests").exists()


def test_deb_installs_the_bundle_launcher_desktop_file_and_icons(built: dict, tmp_path: Path) -> None:
    deb = built["deb"]
    assert (
        deb.name
        == f"tandem_{version()}_{subprocess.check_output(['dpkg', '--print-architecture'], text=True).strip()}.deb"
    )
    info = subprocess.run(
        ["dpkg-deb", "--field", str(deb), "Package", "Version", "Depends"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Package: tandem" in info and f"Version: {version()}" in info
    assert "libxcb-cursor0" in info
    listing = subprocess.run(
        ["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    for path in [
        "./opt/tandem/tandem",
        "./usr/bin/tandem",
        "./usr/share/applications/org.tandemsync.Tandem.desktop",
        "./usr/share/metainfo/org.tandemsync.Tandem.metainfo.xml",
        "./usr/share/icons/hicolor/scalable/apps/org.tandemsync.Tandem.svg",
        *[
            f"./usr/share/icons/hicolor/{n}x{n}/apps/org.tandemsync.Tandem.png"
            for n in (16, 22, 24, 32, 48, 64, 128, 256, 512)
        ],
    ]:
        assert re.search(rf"\s{re.escape(path)}$", listing, re.M), f"{path} is not in the .deb"
    assert all(" root/root " in line for line in listing.splitlines()), "files must belong to root"

    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    launcher = (root / "usr" / "bin" / "tandem").read_text()
    assert 'exec /opt/tandem/tandem "$@"' in launcher
    # The unpacked program runs from anywhere (no path baked in at build time).
    done = subprocess.run(
        [str(root / "opt" / "tandem" / "tandem"), "--version"],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and done.stdout.strip() == f"Tandem {version()}", done.stderr
    metainfo = (root / "usr" / "share" / "metainfo" / "org.tandemsync.Tandem.metainfo.xml").read_text()
    assert f'<release version="{version()}"' in metainfo and "@" not in metainfo.split("<releases>")[1]
    if shutil.which("appstreamcli"):
        check = subprocess.run(
            [
                "appstreamcli",
                "validate",
                "--no-net",
                str(root / "usr/share/metainfo/org.tandemsync.Tandem.metainfo.xml"),
            ],
            capture_output=True,
            text=True,
        )
        assert check.returncode == 0, check.stdout + check.stderr
    desktop = (root / "usr/share/applications/org.tandemsync.Tandem.desktop").read_text()
    assert "Exec=tandem" in desktop and "Icon=org.tandemsync.Tandem" in desktop


def _read_line(proc: subprocess.Popen, timeout: float) -> str:
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if not got or not got[0]:
        proc.kill()
        raise AssertionError(f"the bundle's sandbox printed no ready line: {proc.stderr.read()[-2000:]}")
    return got[0]


@pytest.fixture
def bundle_sandbox(built: dict, tmp_path: Path) -> Iterator[dict]:
    proc = subprocess.Popen(
        [
            str(built["bundle"] / "tandem"),
            "sandbox",
            "serve",
            "--seed",
            "demo",
            "--auto-approve",
            "--state",
            str(tmp_path / "world" / "state.json"),
        ],
        cwd=tmp_path,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        (tmp_path / "world").mkdir(exist_ok=True)
        yield json.loads(_read_line(proc, 90))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def test_bundle_previews_a_sync_against_its_own_sandbox(
    built: dict, bundle_sandbox: dict, tmp_path: Path
) -> None:
    profile = tmp_path / "profile"
    exe = str(built["bundle"] / "tandem")

    def tandem(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [
                exe,
                "--sandbox-url",
                bundle_sandbox["base_url"],
                "--sandbox-ca",
                bundle_sandbox["ca_file"],
                "--profile",
                str(profile),
                *args,
            ],
            cwd=tmp_path,
            env=clean_env(HOME=str(tmp_path / "home")),
            capture_output=True,
            text=True,
            timeout=180,
        )

    outlook = tandem("login", "outlook", "--json")
    assert outlook.returncode == 0, outlook.stderr
    assert json.loads(outlook.stdout)["connected"] is True
    salesforce = tandem("login", "salesforce", "--device", "--json")
    assert salesforce.returncode == 0, salesforce.stderr

    preview = tandem("sync", "--preview", "--json")
    # 0: nothing needs the user; 3: the plan holds items for the user (CLI.md). Either way
    # the plan is printed.
    assert preview.returncode in (0, 3), preview.stderr
    plan = json.loads(preview.stdout)
    assert plan["mode"] == "preview" and plan["run_id"] is None
    assert set(plan["kinds"]) == {"contacts", "events", "tasks"}
    contacts = plan["kinds"]["contacts"]
    assert contacts["counts"]["matched"] > 0  # the demo world pairs by email
    assert contacts["counts"]["salesforce"]["create"] > 0
    assert any(a["op"] == "match" and a["reason"] for a in contacts["actions"])
    for kind in plan["kinds"].values():
        assert set(kind["counts"]["outlook"]) == {"create", "update", "delete"}
    assert plan["api_calls"]["graph"] > 0 and plan["api_calls"]["salesforce"] > 0

    # A preview changes nothing: the same plan again, and no applied run was recorded.
    second = tandem("sync", "--preview", "--json")
    assert second.returncode == preview.returncode, second.stderr
    again = json.loads(second.stdout)
    assert again["kinds"]["contacts"]["counts"] == contacts["counts"]
    history = tandem("history", "--json")
    assert history.returncode == 0, history.stderr
    assert all(run["mode"] != "apply" for run in json.loads(history.stdout)["runs"])


def test_a_second_launch_of_the_installed_app_brings_the_first_forward(built: dict, tmp_path: Path) -> None:
    """The desktop app of the bundle (demo mode, offscreen): the second start hands over and exits."""
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = clean_env(QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(runtime), HOME=str(tmp_path / "home"))
    command = [str(built["bundle"] / "tandem"), "--sandbox", "--profile", str(tmp_path / "demo")]
    first = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 120
        while not list(runtime.glob("tandem-*.sock")):  # the first instance listens
            assert first.poll() is None, f"the app stopped: {first.stdout.read()[-3000:]}"
            assert time.monotonic() < deadline, "the app never claimed its profile"
            time.sleep(0.2)
        second = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
        assert second.returncode == 0, second.stdout + second.stderr
        time.sleep(1)
        assert first.poll() is None, "the first instance must keep running"
    finally:
        first.terminate()
        try:
            output = first.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            first.kill()
            output = first.communicate(timeout=10)[0]
    # Qt's offscreen platform says so when a window is asked to come to the front.
    assert "does not support raise()" in output, output[-3000:]
