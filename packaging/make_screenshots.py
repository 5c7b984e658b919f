"""A picture of every icon as a desktop shows it: docs/screenshots/icons.png (and @2x).

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/make_screenshots.py
    QT_QPA_PLATFORM=offscreen QT_SCALE_FACTOR=2 .venv/bin/python packaging/make_screenshots.py

The sheet puts each tray state on a light and on a dark panel at the sizes trays use, and the
app icon at the sizes launchers use. At QT_SCALE_FACTOR=2 the same sheet is drawn with the 2x
renderings, which is how one checks that the icons stay crisp on a high-density screen.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PyQt6.QtCore import QSize, Qt  # noqa: E402
from PyQt6.QtWidgets import QApplication, QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget  # noqa: E402

from ui.resources import TRAY_STATES, app_icon, tray_icon  # noqa: E402

LABELS = {"ok": "Up to date", "syncing": "Syncing", "paused": "Paused", "attention": "Needs attention"}
TRAY_SHOWN = (16, 22, 24, 32, 48)
APP_SHOWN = (16, 24, 32, 48, 64, 128)


def _icon_label(icon, size: int) -> QLabel:
    label = QLabel()
    label.setPixmap(icon.pixmap(QSize(size, size)))
    label.setFixedSize(max(size, 24) + 8, max(size, 24) + 8)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


def tray_panel(dark: bool) -> QFrame:
    panel = QFrame()
    bg, fg = ("#2b2f36", "#f5f7fa") if dark else ("#eef0f3", "#1f2933")
    panel.setStyleSheet(f"QFrame {{ background: {bg}; border-radius: 8px; }} QLabel {{ color: {fg}; }}")
    grid = QGridLayout(panel)
    grid.setContentsMargins(16, 12, 16, 12)
    grid.setHorizontalSpacing(10)
    title = QLabel(("Dark" if dark else "Light") + " panel")
    title.setStyleSheet("font-weight: 600;")
    grid.addWidget(title, 0, 0)
    for col, size in enumerate(TRAY_SHOWN, start=1):
        head = QLabel(f"{size} px")
        head.setAlignment(Qt.AlignmentFlag.AlignCenter)
        grid.addWidget(head, 0, col)
    for row, state in enumerate(TRAY_STATES, start=1):
        grid.addWidget(QLabel(LABELS[state]), row, 0)
        for col, size in enumerate(TRAY_SHOWN, start=1):
            grid.addWidget(_icon_label(tray_icon(state, dark=dark), size), row, col)
    return panel


def sheet() -> QWidget:
    root = QWidget()
    root.setStyleSheet("QWidget { background: #ffffff; color: #1f2933; }")
    layout = QVBoxLayout(root)
    layout.setContentsMargins(20, 16, 20, 20)
    layout.setSpacing(12)
    heading = QLabel("Tandem icons")
    heading.setStyleSheet("font-size: 16px; font-weight: 600;")
    layout.addWidget(heading)
    layout.addWidget(QLabel("Tray states, as they show on a light and on a dark panel:"))
    panels = QHBoxLayout()
    panels.setSpacing(12)
    panels.addWidget(tray_panel(dark=False))
    panels.addWidget(tray_panel(dark=True))
    layout.addLayout(panels)
    layout.addWidget(QLabel("App icon (launcher, taskbar, dock, installer):"))
    row = QHBoxLayout()
    row.setSpacing(12)
    for size in APP_SHOWN:
        cell = QVBoxLayout()
        icon = _icon_label(app_icon(), size)
        icon.setFixedHeight(max(APP_SHOWN) + 8)  # one baseline for every caption
        icon.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom)
        cell.addWidget(icon, alignment=Qt.AlignmentFlag.AlignHCenter)
        caption = QLabel(f"{size} px")
        caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        cell.addWidget(caption)
        row.addLayout(cell)
    row.addStretch(1)
    layout.addLayout(row)
    return root


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    widget = sheet()
    widget.adjustSize()
    widget.show()
    app.processEvents()
    scale = os.environ.get("QT_SCALE_FACTOR", "1").strip()
    suffix = "" if scale in ("", "1", "1.0") else f"@{scale.rstrip('0').rstrip('.') or scale}x"
    out = ROOT / "docs" / "screenshots" / f"icons{suffix}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(out))
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
