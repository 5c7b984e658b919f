"""The settings window's Support page: the log folder, Export diagnostics (one zip file for
support, tokens removed) and Rebuild (forget which items are paired; nothing changes in
Outlook or Salesforce)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PyQt6.QtCore import QT_VERSION_STR, QStandardPaths, Qt, QUrl
from PyQt6.QtGui import QDesktopServices
from PyQt6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import diagnostics
from sync.fields import KINDS
from ui.settings.form import KIND_NAMES, KIND_WORDS, SettingsForm, hint, words

PAIRING_RULES = {
    "contacts": "by email address, then by name and company",
    "events": "by subject, start and end",
    "tasks": "by subject and due date",
}


class SupportPage(QWidget):
    def __init__(self, form: SettingsForm, ctx: Any, controller: Any = None) -> None:
        super().__init__()
        self.form, self.ctx, self.controller = form, ctx, controller
        self.file_dialog: QFileDialog | None = None
        layout = QVBoxLayout(self)
        logs = QGroupBox("Log files")
        lg = QVBoxLayout(logs)
        path = QLabel(str(ctx.paths.log_dir))
        path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        path.setWordWrap(True)
        lg.addWidget(path)
        open_logs = QPushButton("Open log folder")
        open_logs.setObjectName("openLogs")
        open_logs.clicked.connect(self.open_log_folder)
        lg.addWidget(open_logs, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(logs)

        diag = QGroupBox("Diagnostics for support")
        dg = QVBoxLayout(diag)
        dg.addWidget(
            hint(
                "Saves one zip file with the logs, your settings, recent runs, open "
                "issues and version facts. Sign-in tokens are removed; nothing from "
                "your keyring is included."
            )
        )
        self.export_button = QPushButton("Export diagnostics…")
        self.export_button.setObjectName("exportDiagnostics")
        self.export_button.clicked.connect(self.choose_export_path)
        dg.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(diag)

        rebuild = QGroupBox("Rebuild")
        rg = QVBoxLayout(rebuild)
        rg.addWidget(
            hint(
                "If items look paired wrongly or a sync keeps failing, Tandem can forget "
                "which items belong together and pair them again on the next sync. "
                "Nothing is changed in Outlook or Salesforce."
            )
        )
        row = QHBoxLayout()
        self.rebuild_kind = QComboBox()
        self.rebuild_kind.setObjectName("rebuildKind")
        for kind in KINDS:
            self.rebuild_kind.addItem(KIND_NAMES[kind], kind)
        self.rebuild_button = QPushButton("Rebuild…")
        self.rebuild_button.setObjectName("rebuild")
        self.rebuild_button.clicked.connect(self.ask_rebuild)
        row.addWidget(self.rebuild_kind)
        row.addWidget(self.rebuild_button)
        row.addStretch(1)
        rg.addLayout(row)
        layout.addWidget(rebuild)
        self.support_status = QLabel()
        self.support_status.setObjectName("supportStatus")
        self.support_status.setWordWrap(True)
        self.support_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.support_status)
        layout.addStretch(1)

    def set_busy(self, busy: bool) -> None:
        self.rebuild_button.setEnabled(not busy)
        self.rebuild_button.setToolTip("Wait until the running sync has finished." if busy else "")

    def open_log_folder(self) -> bool:
        folder = Path(self.ctx.paths.log_dir)
        folder.mkdir(parents=True, exist_ok=True)
        ok = QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
        if not ok:
            self.support_status.setText(f"Tandem could not open a file manager. The logs are in {folder}.")
        return ok

    def choose_export_path(self) -> None:
        docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        start = Path(docs or Path.home()) / diagnostics.default_name()
        dialog = QFileDialog(self.form.parent, "Export diagnostics", str(start), "Zip files (*.zip)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setDefaultSuffix("zip")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.fileSelected.connect(lambda path: self.form.spawn(self.export_diagnostics(path)))
        self.file_dialog = dialog
        dialog.open()

    async def export_diagnostics(self, path: str) -> Path | None:
        self.export_button.setEnabled(False)
        self.support_status.setText("Saving diagnostics…")
        try:
            target = await asyncio.to_thread(diagnostics.export, self.ctx, path, qt_version=QT_VERSION_STR)
        except Exception as exc:
            self.support_status.setText(
                str(exc) if isinstance(exc, diagnostics.DiagnosticsError) else words(exc)
            )
            return None
        finally:
            self.export_button.setEnabled(True)
        self.support_status.setText(f"Diagnostics saved to {target}. Send this file to your support contact.")
        return target

    def ask_rebuild(self) -> None:
        kind = self.rebuild_kind.currentData()
        what = KIND_WORDS[kind]
        self.form.ask(
            f"Rebuild {what}?",
            f"Tandem will forget which Outlook and Salesforce {what} belong together. "
            f"Nothing is changed or deleted in Outlook or Salesforce. The next sync pairs "
            f"them again {PAIRING_RULES[kind]}, the way the first sync did, and shows you a "
            "preview before anything is written.",
            "Rebuild",
            lambda: self.form.spawn(self._rebuild(kind)),
        )

    async def _rebuild(self, kind: str) -> None:
        what = KIND_WORDS[kind]
        try:
            forgotten = await self.ctx.service.rebuild(kind)
        except Exception as exc:
            self.support_status.setText(words(exc))
            return
        self.support_status.setText(
            f"Tandem forgot {forgotten} pair{'s' if forgotten != 1 else ''} "
            f"of {what}. The next sync pairs them again; check its preview."
        )
        if self.controller is not None:
            self.controller.history_changed.emit()
