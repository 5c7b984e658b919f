"""The wizard's sync pages: the preview of the first (manual) sync, its apply with progress,
and the auto sync settings that the applied sync unlocks.

All runs go through the wizard's :class:`ui.controller.SyncController`: ``start_preview`` on
entering the preview page, ``discard_preview`` on Back or Skip, ``apply_preview`` on entering
the apply page (the preview page is a commit page, so there is no way back after it)."""

from __future__ import annotations

import logging
from typing import Any

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from sync.plan import Decisions
from ui.widget_parts import clear_layout
from ui.wizard.common import KIND_NAMES, Page, plain_error, set_status, status_label, wrapped

log = logging.getLogger(__name__)

SIDES = (("outlook", "Outlook"), ("salesforce", "Salesforce"))
OPS = (
    ("create", "created", "to create"),
    ("update", "updated", "to update"),
    ("delete", "deleted", "to delete"),
)


def counts_text(counts: dict[str, Any], done: bool) -> str:
    """One kind's counts in words: "Outlook: 3 to create · Salesforce: 13 to create · 12 pairs"."""
    parts = []
    for side, name in SIDES:
        c = counts.get(side) or {}
        bits = [f"{c.get(op, 0)} {past if done else future}" for op, past, future in OPS if c.get(op)]
        if bits:
            parts.append(f"{name}: " + ", ".join(bits))
    extra = (
        ("matched", "paired with an existing record", "pairs found (no duplicates made)"),
        ("prevented", "prevented by your direction settings", "prevented by your direction settings"),
        ("conflict", "conflicts left for you", "conflicts to decide"),
        ("held", "held for you", "held for you"),
        ("errors", "could not be synced (see Issues)", "errors"),
    )
    for key, past, future in extra:
        if counts.get(key):
            parts.append(f"{counts[key]} {past if done else future}")
    return " · ".join(parts) if parts else ("nothing to change: up to date" if done else "nothing to change")


def plan_summary(plan: Any) -> str:
    """The fallback preview: counts per kind, as text."""
    lines = []
    for kind, kp in plan.kinds.items():
        name = KIND_NAMES.get(kind, kind)
        if kp.error:
            lines.append(
                f"{name}: could not be read - {kp.error.get('title', '')}. {kp.error.get('message', '')}"
            )
        elif kp.stopped:
            lines.append(f"{name}: stopped - {kp.stopped}")
        else:
            lines.append(f"{name}: {counts_text(kp.counts(), done=False)}")
    return "\n".join(lines)


class PreviewPage(QWizardPage):
    """Reads both sides and shows what the first sync would do; Next applies it."""

    def __init__(self, wizard: Any) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("Preview of your first sync")
        self.setSubTitle(
            "Nothing has changed yet. This is what Tandem would do; untick anything "
            "you do not want, then apply."
        )
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "Apply")
        self.plan: Any = None
        self.widget: Any = None
        self.skipped = False
        self._waiting = False
        self._failed = False
        self.status = status_label()
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.summary = wrapped()
        self.summary.setObjectName("previewSummary")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.holder = QVBoxLayout()
        self.retry = QPushButton("Try again")
        self.retry.clicked.connect(self.start)
        self.retry.hide()
        self.skip = QPushButton("Skip for now")
        self.skip.setObjectName("skipFirstSync")
        self.skip.setToolTip(
            "Finish the setup without syncing. Auto sync stays off until you "
            "have previewed and applied a sync with Sync now."
        )
        self.skip.clicked.connect(self.skip_sync)
        buttons = QHBoxLayout()
        buttons.addWidget(self.retry)
        buttons.addStretch(1)
        buttons.addWidget(self.skip)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary)
        layout.addLayout(self.holder, 1)
        layout.addLayout(buttons)
        c = wizard.signals
        c.preview_ready.connect(self._ready)
        c.run_failed.connect(self._failed_with)
        c.progress.connect(self._progress)

    # -- running -------------------------------------------------------------------------

    def initializePage(self) -> None:  # noqa: N802 (Qt)
        self.skipped = False
        if self.plan is None and not self._waiting:
            self.start()

    def cleanupPage(self) -> None:  # noqa: N802 (Qt) - Back: the settings may change
        self.discard()

    def discard(self) -> None:
        controller = self.w.controller
        if controller is not None:
            if self._waiting:
                controller.cancel()
            else:
                controller.discard_preview()
        self._waiting = False
        self._clear()

    def _clear(self) -> None:
        self.plan = None
        if self.widget is not None:
            self.widget.setParent(None)
            self.widget.deleteLater()
            self.widget = None
        self.summary.clear()

    def start(self) -> None:
        controller = self.w.controller
        self._clear()
        self._failed = False
        self.retry.hide()
        kinds = list(self.w.ctx.settings.enabled_kinds())
        if not controller.start_preview(kinds):
            # The previous preview is still closing (Back then Next): start when it is free.
            self._waiting = True
            set_status(self.status, "Waiting for the previous sync to finish…")

            def later(busy: bool) -> None:
                if not busy:
                    controller.busy_changed.disconnect(later)
                    self._waiting = False
                    if self.w.currentPage() is self:
                        self.start()

            controller.busy_changed.connect(later)
            self._update()
            return
        self._waiting = True
        set_status(self.status, "Reading Outlook and Salesforce… this can take a minute the first time.")
        self._update()

    def _progress(self, kind: str, text: str) -> None:
        if self._waiting and text == "reading":
            set_status(self.status, f"Reading {KIND_NAMES.get(kind, kind).lower()}…")

    def _ready(self, plan: Any) -> None:
        if not self._waiting or self.w.currentPage() is not self:
            return
        self._waiting = False
        self.plan = plan
        self._show_plan(plan)
        self._update()

    def _failed_with(self, exc: BaseException) -> None:
        if not self._waiting:
            return
        self._waiting = False
        self._failed = True
        set_status(self.status, plain_error(exc), "error")
        self.retry.show()
        self._update()

    def _show_plan(self, plan: Any) -> None:
        problems = [kp for kp in plan.kinds.values() if kp.error or kp.stopped]
        changes = sum(
            c[side][op]
            for c in (kp.counts() for kp in plan.kinds.values())
            for side in ("outlook", "salesforce")
            for op in ("create", "update", "delete")
        )
        pairs = sum(kp.counts().get("matched", 0) for kp in plan.kinds.values())
        if problems:
            set_status(
                self.status, "Some of it could not be read; the rest can be applied. Details below.", "error"
            )
        elif plan.actions():
            found = [f"{changes} change{'s' if changes != 1 else ''}"]
            if pairs:
                found.append(
                    f"{pairs} existing pair{'s' if pairs != 1 else ''} found, so no duplicates are made"
                )
            set_status(self.status, " and ".join(found) + ". Review them, then apply.")
        else:
            set_status(
                self.status,
                "Outlook and Salesforce already agree: nothing to change. Apply to record this first sync.",
                "ok",
            )
        self.summary.setText(plan_summary(plan))
        self.summary.show()
        self.widget = None
        try:
            from ui.preview.widget import PreviewWidget

            widget = PreviewWidget(self)
            widget.set_plan(plan)
        except Exception as exc:  # the preview window is optional here: fall back to the counts
            log.info("preview widget unavailable: %s", type(exc).__name__)
            return
        self.widget = widget
        self.holder.addWidget(widget)
        # The plan needs room: the tree and the field-by-field pane side by side.
        window = self.wizard()
        if window is not None and not window.isMaximized():
            on = window.screen()
            screen = on.availableGeometry() if on is not None else None
            width = min(1100, screen.width() - 40) if screen else 1100
            height = min(720, screen.height() - 60) if screen else 720
            window.resize(max(window.width(), width), max(window.height(), height))
            if screen is not None and not screen.contains(window.frameGeometry()):
                window.move(
                    screen.x() + max(0, (screen.width() - window.width()) // 2),
                    screen.y() + max(0, (screen.height() - window.height()) // 2),
                )
            widget.splitter.setSizes([int(window.width() * 0.58), int(window.width() * 0.42)])
        if not problems:
            self.summary.hide()  # the widget shows the same totals, and every item

    def decisions(self) -> Decisions:
        if self.widget is not None:
            return self.widget.decisions()
        return Decisions()

    def _update(self) -> None:
        self.progress.setVisible(self._waiting)
        self.skip.setEnabled(not self._waiting or self.plan is not None)
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 (Qt)
        return self.plan is not None and not self._waiting

    def skip_sync(self) -> None:
        """Finish without syncing: nothing is applied and auto sync stays locked."""
        self.discard()
        self.skipped = True
        self.completeChanged.emit()
        self.w.next()

    def nextId(self) -> int:  # noqa: N802 (Qt)
        return Page.AUTO if self.skipped else Page.APPLY


class ApplyPage(QWizardPage):
    """Applies the previewed plan; a row per kind shows progress, then what happened."""

    def __init__(self, wizard: Any) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("Applying your first sync")
        self.setSubTitle(
            "Tandem writes the changes you approved. Every change is recorded, so "
            "the run can be undone from the main window."
        )
        self.report: Any = None
        self.error: BaseException | None = None
        self._running = False
        self.rows: dict[str, tuple[QLabel, QProgressBar, QLabel]] = {}
        self.grid = QGridLayout()
        self.grid.setColumnStretch(2, 1)
        self.grid.setHorizontalSpacing(12)
        self.status = status_label()
        layout = QVBoxLayout(self)
        layout.addLayout(self.grid)
        layout.addWidget(self.status)
        layout.addStretch(1)
        c = wizard.signals
        c.run_finished.connect(self._finished)
        c.run_failed.connect(self._failed)
        c.progress.connect(self._progress)

    def initializePage(self) -> None:  # noqa: N802 (Qt)
        if self._running or self.report is not None:
            return
        plan = self.w.controller.pending_plan
        kinds = list(plan.kinds) if plan is not None else []
        self._rows(kinds)
        decisions = self.w.preview_page.decisions()
        if not self.w.controller.apply_preview(decisions):
            self.error = RuntimeError("no preview")
            set_status(
                self.status,
                "The preview was closed before it could be applied, so "
                "nothing was changed. Use Sync now in the main window later.",
                "error",
            )
            self.completeChanged.emit()
            return
        self._running = True
        set_status(
            self.status,
            "Tandem is writing the changes. With many items this takes a "
            "minute; this page says when it is done.",
        )
        self.completeChanged.emit()

    def _rows(self, kinds: list[str]) -> None:
        clear_layout(self.grid)
        self.rows.clear()
        for i, kind in enumerate(kinds):
            name = QLabel(f"<b>{KIND_NAMES.get(kind, kind)}</b>")
            bar = QProgressBar()
            bar.setRange(0, 0)
            bar.setTextVisible(False)
            bar.setFixedWidth(120)
            text = wrapped("Waiting…")
            text.setObjectName(f"result_{kind}")
            self.grid.addWidget(name, i, 0, Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(bar, i, 1, Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(text, i, 2)
            self.rows[kind] = (name, bar, text)

    def _progress(self, kind: str, text: str) -> None:
        if self._running and kind in self.rows:
            if text.startswith("applying ") and "/" in text:
                done, _, total = text.removeprefix("applying ").partition("/")
                bar = self.rows[kind][1]
                bar.setRange(0, max(1, int(total)))
                bar.setValue(int(done))
                self.rows[kind][2].setText(f"Applying: {done} of {total}…")
            else:
                self.rows[kind][2].setText(text.capitalize() + "…")

    def _finished(self, report: Any) -> None:
        if not self._running:
            return
        self._running = False
        self.report = report
        for kind, (_, bar, text) in self.rows.items():
            bar.setRange(0, 1)
            bar.setValue(1)
            k = report.kinds.get(kind)
            if k is None:
                text.setText("Not part of this run.")
            elif k.error:
                bar.setValue(0)
                text.setText(f"Stopped: {k.error.get('title', '')}. {k.error.get('message', '')}")
            elif k.stopped:
                bar.setValue(0)
                text.setText(f"Stopped: {k.stopped}")
            else:
                text.setText(counts_text(k.counts, done=True))
        self.setTitle(
            "Your first sync is applied" if report.ok else "Your first sync is applied, with problems"
        )
        if report.ok and not report.needs_attention():
            set_status(
                self.status, "Done. Your first sync is applied, and auto sync can now be switched on.", "ok"
            )
        elif report.ok:
            set_status(
                self.status,
                "Done. Some items wait for your decision; the main window "
                "lists them. Auto sync can now be switched on.",
                "ok",
            )
        else:
            set_status(
                self.status,
                "Done, with problems: some items could not be synced. The "
                "main window lists them with what to do; they are retried next run.",
                "error",
            )
        self.completeChanged.emit()

    def _failed(self, exc: BaseException) -> None:
        if not self._running:
            return
        self._running = False
        self.error = exc
        self.setTitle("Your first sync did not finish")
        for _, bar, text in self.rows.values():
            bar.setRange(0, 1)
            bar.setValue(0)
            text.setText("Not finished.")
        set_status(
            self.status,
            plain_error(exc) + " What was already applied is kept; the next sync finishes the rest.",
            "error",
        )
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 (Qt)
        return not self._running and (self.report is not None or self.error is not None)


__all__ = ["ApplyPage", "PreviewPage", "counts_text", "plan_summary"]
