"""The dashboard's "Private contacts" tab: relate contacts without an account to one.

Left: the signed-in user's private contacts (``app.salesforce_lookup.private_contacts``).
Right: search Salesforce accounts by name, pick one, "Relate to account" sets the contact's
AccountId. All network work runs as asyncio tasks on the qasync loop; the widgets stay
responsive and the buttons are disabled while a request runs.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import salesforce_lookup as lookup
from ui.widget_parts import horizontal_header, selection_of, vertical_header

log = logging.getLogger(__name__)


def _error_text(exc: BaseException) -> str:
    message = getattr(exc, "message", "") or ""
    title = getattr(exc, "title", "") or ""
    if message:
        return f"{title}. {message}" if title and title not in message else message
    return f"Something went wrong ({type(exc).__name__}). Try again."


class PrivateContactsPanel(QWidget):
    related = pyqtSignal(str, str)  # contact id, account name

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.contacts: list[lookup.PrivateContact] = []
        self.accounts: list[lookup.AccountHit] = []
        self.loaded = False
        self._tasks: set[asyncio.Task] = set()
        self.loading = False
        self.searching = False
        self.relating = False

        intro = QLabel(
            "A contact without an account is a <b>private contact</b> in Salesforce: only "
            "you can see it there. Contacts Tandem brings over from Outlook start out this "
            "way. Pick one, find its account, and relate it."
        )
        intro.setWordWrap(True)

        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Name", "Email", "Made by"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        vertical_header(self.table).setVisible(False)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        header = horizontal_header(self.table)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.load)
        self.list_status = QLabel("")
        self.list_status.setWordWrap(True)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addWidget(self.list_status, 1)
        row.addWidget(self.refresh_button)
        left_layout.addLayout(row)

        box = QGroupBox("Relate to an account")
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Account name, e.g. Nordlicht")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.returnPressed.connect(self.search)
        self.search_button = QPushButton("Search")
        self.search_button.clicked.connect(self.search)
        self.results = QListWidget()
        self.results.itemSelectionChanged.connect(self._update_buttons)
        self.results.itemDoubleClicked.connect(lambda _item: self.relate())
        self.relate_button = QPushButton("Relate to account")
        self.relate_button.setDefault(False)
        self.relate_button.clicked.connect(self.relate)
        self.search_status = QLabel("Pick a contact on the left, then search for its account.")
        self.search_status.setWordWrap(True)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search_edit, 1)
        search_row.addWidget(self.search_button)
        box_layout = QVBoxLayout(box)
        box_layout.addLayout(search_row)
        box_layout.addWidget(self.results, 1)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        box_layout.addWidget(self.details)
        box_layout.addWidget(self.search_status)
        box_layout.addWidget(self.relate_button, 0, Qt.AlignmentFlag.AlignRight)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(splitter, 1)
        self._update_buttons()

    # -- helpers ------------------------------------------------------------------------

    def _run(self, coro: Any) -> asyncio.Task:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    @property
    def busy(self) -> bool:
        return self.loading or self.searching or self.relating

    def selected_contact(self) -> lookup.PrivateContact | None:
        rows = selection_of(self.table).selectedRows()
        return self.contacts[rows[0].row()] if rows else None

    def selected_account(self) -> lookup.AccountHit | None:
        row = self.results.currentRow()
        return self.accounts[row] if 0 <= row < len(self.accounts) and self.results.selectedItems() else None

    def _show_details(self) -> None:
        """The picked contact and account, in words (what "Relate" will connect)."""
        from html import escape

        contact, account = self.selected_contact(), self.selected_account()
        lines = []
        if contact is not None:
            facts = ", ".join(escape(p) for p in (contact.title, contact.email) if p)
            lines.append(f"Contact: <b>{escape(contact.name)}</b>" + (f" ({facts})" if facts else ""))
        if account is not None:
            where = ", ".join(escape(p) for p in (account.industry, account.city, account.country) if p)
            lines.append(f"Account: <b>{escape(account.name)}</b>" + (f" ({where})" if where else ""))
        self.details.setText("<br>".join(lines))
        self.details.setVisible(bool(lines))

    def _update_buttons(self) -> None:
        self._show_details()
        self.refresh_button.setEnabled(not self.loading)
        self.search_button.setEnabled(not self.searching)
        self.relate_button.setEnabled(
            not self.relating and self.selected_contact() is not None and self.selected_account() is not None
        )

    # -- list -----------------------------------------------------------------------------

    def load(self) -> None:
        if self.loading:
            return
        self.loading = True
        self.list_status.setText("Asking Salesforce for your private contacts…")
        self._update_buttons()
        self._run(self._load())

    async def _load(self) -> None:
        try:
            contacts = await lookup.private_contacts(self.ctx)
        except Exception as exc:  # shown in words; the panel stays usable
            log.info("private contacts failed: %s", type(exc).__name__)
            self.list_status.setText(_error_text(exc))
            return
        finally:
            self.loading = False
            self._update_buttons()
        self.loaded = True
        self.set_contacts(contacts)

    def set_contacts(self, contacts: list[lookup.PrivateContact]) -> None:
        keep = self.selected_contact()
        self.contacts = list(contacts)
        self.table.setRowCount(len(self.contacts))
        for i, c in enumerate(self.contacts):
            name = QTableWidgetItem(c.name)
            if c.title:
                name.setToolTip(c.title)
            self.table.setItem(i, 0, name)
            self.table.setItem(i, 1, QTableWidgetItem(c.email or ""))
            self.table.setItem(i, 2, QTableWidgetItem("Tandem" if c.created_by_tandem else "You"))
        if not self.contacts:
            self.list_status.setText(
                "You have no private contacts: every contact you own belongs to an account."
            )
        else:
            n = len(self.contacts)
            self.list_status.setText(f"{n} private contact{'s' if n != 1 else ''}.")
        if keep is not None:
            for i, c in enumerate(self.contacts):
                if c.id == keep.id:
                    self.table.selectRow(i)
        self._update_buttons()

    # -- search ---------------------------------------------------------------------------

    def search(self) -> None:
        if self.searching:
            return
        try:
            text = lookup.check_search_text(self.search_edit.text())
        except lookup.LookupInputError as exc:
            self.search_status.setText(exc.message)
            return
        self.searching = True
        self.search_status.setText(f"Searching for “{text}”…")
        self._update_buttons()
        self._run(self._search(text))

    async def _search(self, text: str) -> None:
        try:
            hits = await lookup.search_accounts(self.ctx, text)
        except Exception as exc:
            log.info("account search failed: %s", type(exc).__name__)
            self.search_status.setText(_error_text(exc))
            return
        finally:
            self.searching = False
            self._update_buttons()
        self.set_accounts(hits, text)

    def set_accounts(self, hits: list[lookup.AccountHit], text: str = "") -> None:
        self.accounts = list(hits)
        self.results.clear()
        for hit in self.accounts:
            where = ", ".join(p for p in (hit.city, hit.country) if p)
            item = QListWidgetItem(f"{hit.name}" + (f"  —  {where}" if where else ""))
            item.setToolTip(hit.industry or "")
            self.results.addItem(item)
        if not hits:
            self.search_status.setText(
                f"No account's name contains “{text}”. Check the spelling, or try a shorter part of the name."
            )
        else:
            self.search_status.setText("Pick the account, then press “Relate to account”.")
            if len(hits) == 1:
                self.results.setCurrentRow(0)
        self._update_buttons()

    # -- relate ---------------------------------------------------------------------------

    def relate(self) -> None:
        contact, account = self.selected_contact(), self.selected_account()
        if contact is None or account is None or self.relating:
            self.search_status.setText("Pick a contact on the left and an account above first.")
            return
        self.relating = True
        self.search_status.setText(f"Relating {contact.name} to {account.name}…")
        self._update_buttons()
        self._run(self._relate(contact, account))

    async def _relate(self, contact: lookup.PrivateContact, account: lookup.AccountHit) -> None:
        try:
            await lookup.relate_contact(self.ctx, contact.id, account.id)
        except Exception as exc:
            log.info("relate failed: %s", type(exc).__name__)
            self.search_status.setText(_error_text(exc))
            return
        finally:
            self.relating = False
            self._update_buttons()
        self.search_status.setText(
            f"{contact.name} now belongs to {account.name}. The next sync shows the company in Outlook."
        )
        self.set_contacts([c for c in self.contacts if c.id != contact.id])
        self.related.emit(contact.id, account.name)
