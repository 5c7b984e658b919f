"""Icons: found from source and from a bundle, crisp at 2x, one per tray state and theme."""

from __future__ import annotations

import importlib.util
import re
import struct
import sys
from pathlib import Path

import pytest
from PyQt6.QtCore import QSize
from PyQt6.QtGui import QColor, QGuiApplication, QImage, QPalette

import ui.resources as resources
from ui.resources import TRAY_STATES, app_icon, resource_path, tray_icon

ROOT = Path(__file__).resolve().parents[2]


def load_make_icons():
    spec = importlib.util.spec_from_file_location("make_icons", ROOT / "packaging" / "make_icons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def fresh_cache():
    resources._cache.clear()
    yield
    resources._cache.clear()


def image(icon, size: int, dpr: float = 1.0) -> QImage:
    return icon.pixmap(QSize(size, size), dpr).toImage().convertToFormat(QImage.Format.Format_ARGB32)


def ink(img: QImage) -> tuple[float, int]:
    """Mean lightness (0-255) of the clearly visible pixels of the glyph (the upper left
    quarter, away from any badge), and how many there are."""
    half = img.width() // 2
    values = [img.pixelColor(x, y) for x in range(half) for y in range(half)]
    seen = [c.lightness() for c in values if c.alpha() > 200]
    return (sum(seen) / len(seen) if seen else -1.0), len(seen)


def test_resources_are_found_beside_the_code(qapp) -> None:
    assert resource_path("icons", "tandem.svg") == ROOT / "resources" / "icons" / "tandem.svg"
    assert resource_path("icons", "tandem.svg").is_file()


def test_resources_are_found_inside_a_bundle(qapp, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resource_path("icons", "x.png") == tmp_path / "resources" / "icons" / "x.png"


def test_a_bundle_without_its_icons_says_the_install_is_incomplete(qapp, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    with pytest.raises(FileNotFoundError, match="installation is incomplete"):
        app_icon()


def test_app_icon_has_every_launcher_size(qapp) -> None:
    icon = app_icon()
    assert not icon.isNull()
    sizes = {s.width() for s in icon.availableSizes()}
    assert {16, 22, 24, 32, 48, 64, 128, 256, 512} <= sizes


@pytest.mark.parametrize(
    "name,size",
    [
        ("app", 16),
        ("app", 32),
        ("app", 64),
        ("tray-ok-light", 16),
        ("tray-ok-light", 22),
        ("tray-attention-dark", 24),
        ("tray-paused-dark", 32),
    ],
)
def test_icons_at_200_percent_use_the_2x_rendering_not_an_upscale(qapp, name: str, size: int) -> None:
    kind, *rest = name.split("-")
    icon = app_icon() if kind == "app" else tray_icon(rest[0], dark=rest[1] == "dark")
    got = image(icon, size, 2.0)
    assert (got.width(), got.height()) == (2 * size, 2 * size)
    rendered = QImage(str(resource_path("icons", "png", f"{name}-{2 * size}.png")))
    # the 2x file itself, not the 1x one scaled up (which blurs every edge far past the tolerance)
    assert load_make_icons().images_match(got, rendered), f"{name} at {size} px @2x"
    upscaled = image_of(resource_path("icons", "png", f"{name}-{size}.png")).scaled(2 * size, 2 * size)
    assert not load_make_icons().images_match(got, upscaled)


def image_of(path: Path) -> QImage:
    return QImage(str(path)).convertToFormat(QImage.Format.Format_ARGB32)


def test_each_tray_state_looks_different(qapp) -> None:
    for dark in (False, True):
        images = [image(tray_icon(state, dark=dark), 22) for state in TRAY_STATES]
        for i, a in enumerate(images):
            for b in images[i + 1 :]:
                assert a != b


def test_light_theme_icons_are_dark_ink_and_dark_theme_icons_light_ink(qapp) -> None:
    for state in ("ok", "attention"):
        light, n_light = ink(image(tray_icon(state, dark=False), 32))
        dark, n_dark = ink(image(tray_icon(state, dark=True), 32))
        assert n_light > 10 and n_dark > 10  # a visible glyph, not an empty square
        assert light < 110 < 150 < dark, (state, light, dark)


@pytest.fixture
def kde(monkeypatch):
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "KDE")


@pytest.mark.only_on("linux")  # GNOME Shell
def test_on_gnome_the_tray_icon_is_drawn_for_its_dark_top_bar(qapp, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "ubuntu:GNOME")
    before = QGuiApplication.palette()
    try:
        light = QPalette(before)
        light.setColor(QPalette.ColorRole.Window, QColor("#f4f4f4"))
        QGuiApplication.setPalette(light)  # a light app scheme ...
        assert image(tray_icon("ok"), 22) == image(tray_icon("ok", dark=True), 22)  # ... dark bar
    finally:
        QGuiApplication.setPalette(before)


@pytest.mark.only_on("linux", "darwin")  # Windows follows the taskbar's own setting
def test_tray_icon_follows_the_desktop_palette(qapp, kde) -> None:
    # The offscreen platform reports no color scheme, so the palette decides (as on desktops
    # whose platform theme does not tell Qt the scheme).
    before = QGuiApplication.palette()
    try:
        dark = QPalette(before)
        dark.setColor(QPalette.ColorRole.Window, QColor("#202326"))
        QGuiApplication.setPalette(dark)
        assert image(tray_icon("ok"), 22) == image(tray_icon("ok", dark=True), 22)
        light = QPalette(before)
        light.setColor(QPalette.ColorRole.Window, QColor("#f4f4f4"))
        QGuiApplication.setPalette(light)
        assert image(tray_icon("ok"), 22) == image(tray_icon("ok", dark=False), 22)
    finally:
        QGuiApplication.setPalette(before)


def test_an_unknown_tray_state_is_refused_in_plain_words(qapp) -> None:
    with pytest.raises(ValueError, match="no tray icon for 'busy'; the states are ok, syncing"):
        tray_icon("busy")


def test_rendered_icons_match_their_svg_sources(qapp) -> None:
    assert load_make_icons().main(["--check"]) == 0, "run packaging/make_icons.py"


def test_the_check_tolerates_a_rasteriser_step_but_not_a_changed_svg(qapp, tmp_path: Path) -> None:
    make_icons = load_make_icons()
    committed = ROOT / "resources" / "icons" / "png" / "tray-ok-light-32.png"
    nudged = image_of(committed)
    for x in range(0, nudged.width(), 3):  # one step in one channel, as another CPU renders it
        c = nudged.pixelColor(x, x)
        if c.alpha() > 0:
            nudged.setPixelColor(x, x, QColor(c.red(), c.green(), min(255, c.blue() + 1), c.alpha()))
    assert make_icons.images_match(committed.read_bytes(), nudged)

    svgs = tmp_path / "svg"
    svgs.mkdir()
    for svg in (ROOT / "resources" / "icons" / "svg").glob("*.svg"):
        (svgs / svg.name).write_bytes(svg.read_bytes())
    assert make_icons.stale_outputs(svgs) == {}
    source = (svgs / "tray-ok-light.svg").read_text()
    colours = sorted(set(re.findall(r"#[0-9a-fA-F]{6}", source)))
    assert colours, "the tray SVG names its colours"
    (svgs / "tray-ok-light.svg").write_text(source.replace(colours[0], "#3a7d2c"))
    stale = {p.name for p in make_icons.stale_outputs(svgs)}
    assert "tray-ok-light-32.png" in stale and "tray-ok-dark-32.png" not in stale


def test_windows_ico_holds_png_images_of_each_size(qapp) -> None:
    make_icons = load_make_icons()
    images = make_icons.read_ico((ROOT / "resources" / "icons" / "tandem.ico").read_bytes())
    assert sorted(images) == [16, 24, 32, 48, 64, 128, 256]
    for size, png in images.items():
        assert make_icons.png_size(png) == (size, size)


def test_macos_icns_holds_png_images_of_each_type(qapp) -> None:
    make_icons = load_make_icons()
    blob = (ROOT / "resources" / "icons" / "tandem.icns").read_bytes()
    assert struct.unpack(">I", blob[4:8])[0] == len(blob)
    elements = make_icons.read_icns(blob)
    expected = dict(make_icons.ICNS_TYPES)
    assert set(elements) == set(expected)
    for kind, png in elements.items():
        assert make_icons.png_size(png) == (expected[kind], expected[kind]), kind
