"""Render Tandem's icons from their SVG sources, and write the .ico and .icns containers.

    .venv/bin/python packaging/make_icons.py          # rewrite resources/icons/{png,tandem.ico,tandem.icns}
    .venv/bin/python packaging/make_icons.py --check  # exit 1 if a rendered file is missing or stale

Sources (hand-written SVG, 32x32 view box for tray icons, 64x64 for the app icon) live in
resources/icons/svg/. Outputs:

* resources/icons/png/app-<N>.png for N in SIZES (the hicolor sizes, 16 ... 512);
* resources/icons/png/tray-<state>-<theme>-<N>.png for N in TRAY_SIZES (16 ... 64, and their
  2x renderings up to 128), theme "light" (dark glyph, for light panels) or "dark";
* resources/icons/tandem.ico: PNG-in-ICO (Windows Vista and later read PNG entries);
* resources/icons/tandem.icns: PNG-in-ICNS (icp4 ... ic14).

Pillow is not needed: both containers are a small header and an index in front of PNG data.
Qt's SVG rasteriser may differ by one step in a channel between CPUs, so `--check` compares
decoded pixels, not bytes: premultiplied ARGB (a colour counts as much as it is visible), at
most PIXEL_TOLERANCE per channel and a mean difference of at most MEAN_TOLERANCE. A real
change to an SVG (a colour, a shape) moves many pixels by far more and is reported.
"""

from __future__ import annotations

import argparse
import operator
import os
import struct
import sys
from pathlib import Path
from typing import Any

QImageLike = Any  # a PyQt6 QImage; Qt is imported lazily so --help works without a display

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
SVG_DIR = ICONS / "svg"
PNG_DIR = ICONS / "png"

SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
TRAY_SIZES = (16, 22, 24, 32, 44, 48, 64, 128)  # 22@2x = 44, 64@2x = 128
STATES = ("ok", "syncing", "paused", "attention")
THEMES = ("light", "dark")

ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS element types holding PNG data, by pixel size (several types share a size: @2x ones).
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic10", 1024),
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic13", 256),
    (b"ic14", 512),
)


def _qt():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PyQt6.QtGui import QGuiApplication, QImage, QPainter
    from PyQt6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    return app, QBuffer, QByteArray, QIODevice, Qt, QImage, QPainter, QSvgRenderer


def render_png(svg: Path, size: int) -> bytes:
    """The SVG rendered to a size x size PNG with a transparent background."""
    _app, QBuffer, QByteArray, QIODevice, Qt, QImage, QPainter, QSvgRenderer = _qt()
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not a valid SVG file")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data)


PIXEL_TOLERANCE = 2  # per channel, 0-255, of premultiplied ARGB
MEAN_TOLERANCE = 0.25  # mean absolute difference over every channel of every pixel


def pixel_difference(a: bytes | QImageLike, b: bytes | QImageLike) -> tuple[int, float] | None:
    """(largest, mean) channel difference of two images (PNG bytes or QImages) as
    premultiplied ARGB, or None when their sizes differ."""
    _app, _buf, _ba, _io, _qt_ns, QImage, _painter, _svg = _qt()

    def decoded(x: bytes | QImageLike) -> QImageLike:
        image = QImage.fromData(x, "PNG") if isinstance(x, bytes) else x
        return image.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)

    ia, ib = decoded(a), decoded(b)
    if ia.size() != ib.size() or ia.isNull() or ib.isNull():
        return None
    da, db = bytes(ia.constBits().asarray(ia.sizeInBytes())), bytes(ib.constBits().asarray(ib.sizeInBytes()))
    if da == db:
        return 0, 0.0
    diffs = list(map(abs, map(operator.sub, da, db)))
    return max(diffs), sum(diffs) / len(diffs)


def images_match(a: bytes | QImageLike, b: bytes | QImageLike) -> bool:
    """The same picture within the rasteriser's tolerance (see the module docstring)."""
    diff = pixel_difference(a, b)
    return diff is not None and diff[0] <= PIXEL_TOLERANCE and diff[1] <= MEAN_TOLERANCE


def same_output(path: Path, old: bytes, new: bytes) -> bool:
    """A rendered file is unchanged: equal bytes, or equal pictures for PNG, ICO and ICNS."""
    if old == new:
        return True
    if path.suffix == ".png":
        return images_match(old, new)
    if path.suffix in (".ico", ".icns"):
        read = read_ico if path.suffix == ".ico" else read_icns
        try:
            olds, news = read(old), read(new)
        except (ValueError, struct.error):
            return False
        return olds.keys() == news.keys() and all(images_match(olds[k], news[k]) for k in olds)
    return False


def png_size(png: bytes) -> tuple[int, int]:
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    return struct.unpack(">II", png[16:24])


def write_ico(pngs: dict[int, bytes]) -> bytes:
    """An ICO file whose images are PNG data (ICONDIR, ICONDIRENTRY per size, images)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, images = b"", b""
    for size in sizes:
        data = pngs[size]
        dim = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        images += data
        offset += len(data)
    return header + entries + images


def read_ico(blob: bytes) -> dict[int, bytes]:
    """The PNG images of an ICO file written by :func:`write_ico`, by size."""
    reserved, kind, count = struct.unpack("<HHH", blob[:6])
    if reserved != 0 or kind != 1:
        raise ValueError("not an ICO file")
    found = {}
    for i in range(count):
        dim, _h, _c, _r, _p, _bpp, length, offset = struct.unpack("<BBBBHHII", blob[6 + 16 * i : 22 + 16 * i])
        found[dim or 256] = blob[offset : offset + length]
    return found


def write_icns(pngs: dict[int, bytes]) -> bytes:
    """An ICNS file: 'icns', total length, then (type, length, PNG data) elements."""
    body = b""
    for kind, size in ICNS_TYPES:
        data = pngs[size]
        body += kind + struct.pack(">I", 8 + len(data)) + data
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def read_icns(blob: bytes) -> dict[bytes, bytes]:
    if blob[:4] != b"icns" or struct.unpack(">I", blob[4:8])[0] != len(blob):
        raise ValueError("not an ICNS file")
    found, pos = {}, 8
    while pos < len(blob):
        kind, length = blob[pos : pos + 4], struct.unpack(">I", blob[pos + 4 : pos + 8])[0]
        found[kind] = blob[pos + 8 : pos + length]
        pos += length
    return found


def outputs(svg_dir: Path = SVG_DIR) -> dict[Path, bytes]:
    """Every rendered file and its bytes, rendered from the SVGs in ``svg_dir``."""
    files: dict[Path, bytes] = {}
    app_svg = svg_dir / "app.svg"
    app_pngs = {size: render_png(app_svg, size) for size in set(SIZES) | set(ICO_SIZES) | {1024}}
    for size in SIZES:
        files[PNG_DIR / f"app-{size}.png"] = app_pngs[size]
    for state in STATES:
        for theme in THEMES:
            svg = svg_dir / f"tray-{state}-{theme}.svg"
            for size in TRAY_SIZES:
                files[PNG_DIR / f"tray-{state}-{theme}-{size}.png"] = render_png(svg, size)
    files[ICONS / "tandem.ico"] = write_ico({s: app_pngs[s] for s in ICO_SIZES})
    files[ICONS / "tandem.icns"] = write_icns(app_pngs)
    files[ICONS / "tandem.svg"] = app_svg.read_bytes()  # hicolor/scalable
    return files


def stale_outputs(svg_dir: Path = SVG_DIR) -> dict[Path, bytes]:
    """The rendered files that are missing or no longer match what ``svg_dir`` renders."""
    return {
        path: data
        for path, data in outputs(svg_dir).items()
        if not (path.exists() and same_output(path, path.read_bytes(), data))
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 1 when a rendered file is missing or differs",
    )
    args = parser.parse_args(argv)
    stale = stale_outputs()
    if not args.check:
        for path, data in stale.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    rel = [str(p.relative_to(ROOT)) for p in stale]
    if args.check:
        if rel:
            print(
                "These icons are out of date; run packaging/make_icons.py:\n  " + "\n  ".join(rel),
                file=sys.stderr,
            )
            return 1
        print("All icons are up to date.", file=sys.stderr)
        return 0
    print(f"Wrote {len(rel)} file(s) under resources/icons.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
