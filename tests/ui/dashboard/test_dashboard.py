"""The dashboard main window against the sandbox: status, sync with preview, history and run
details, issues with links, private contacts, undo, banner."""

from __future__ import annotations

import sys
import types

import pytest
from PyQt6.QtCore import QObject, pyqtSignal
from PyQt6.QtGui import QDesktopServices

from sync.plan import Decisions
from ui.controller import SyncController
from ui.dashboard.window import MainWindow


class FakePreviewDialog(QObject):
    """Stands in for ui.preview.widget.PreviewDialog (same constructor and signals)."""

    apply_requested = pyqtSignal(object)
    cancelled = pyqtSignal()
    opened: list[FakePreviewDialog] = []

    def __init__(self, plan, parent=None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.shown = False
        FakePreviewDialog.opened.append(self)

    def show(self) -> None:
        self.shown = True


@pytest.fixture
def previews(monkeypatch):
    FakePreviewDialog.opened = []
    module = types.ModuleType("ui.preview.widget")
    module.PreviewDialog = FakePreviewDialog
    monkeypatch.setitem(sys.modules, "ui.preview.widget", module)
    return FakePreviewDialog.opened


@pytest.fixture
def opened_urls(monkeypatch):
    urls: list[str] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", staticmethod(lambda url: urls.append(url.toString()) or True)
    )
    return urls


@pytest.fixture
def window(qtbot, qloop, demo_ctx):
    controller = SyncController(demo_ctx)
    win = MainWindow(demo_ctx, controller)
    qtbot.addWidget(win)
    win.show()
    return win


def sync_and_apply(qloop, win, previews, kinds=None, decisions=None):
    """Press Sync now (or the kinds' menu entries), apply the preview, wait for the history."""
    rows = win.history.model.rowCount()
    count = len(previews)
    if kinds is None:
        win.sync_button.click()
    else:
        assert win.sync_now(kinds)
    qloop.until(lambda: len(previews) > count or win.banner.isVisible())
    assert len(previews) > count, win.banner.text.text()
    previews[-1].apply_requested.emit(decisions or Decisions())
    qloop.until(lambda: win.history.model.rowCount() > rows and not win.controller.busy, timeout=60)
    return previews[-1].plan


def outlook_contact(sandbox, **fields):
    from sandbox.seed import root_contact_folder
    from sandbox.seed_demo import outlook_contact as shape

    root = root_contact_folder(sandbox.state)["id"]
    return sandbox.state.graph_create("contacts", shape(folder_id=root, **fields), container=root)


@pytest.mark.seed("demo")
def test_before_the_first_sync_every_kind_asks_for_attention(window):
    for card in window.cards.values():
        assert card.state == "attention"
        assert "not synced yet" in card.state_label.text()
        assert "0 linked" in card.counts_label.text()
        assert "never" in card.last_label.text()
    assert window.history.empty.isVisible()
    assert not window.undo_button.isEnabled()


@pytest.mark.seed("demo")
def test_sync_now_previews_then_apply_adds_a_history_row_with_counts(qloop, window, previews, sandbox_env):
    plan = sync_and_apply(qloop, window, previews)

    assert previews[0].shown and set(plan.kinds) == {"contacts", "events", "tasks"}
    assert window.history.model.rowCount() == 1
    totals = window.history.model.totals(0)
    assert totals["matched"] > 0  # the demo world pairs existing records
    assert totals["salesforce"]["create"] > 0  # Outlook-only contacts reach Salesforce
    assert totals["outlook"]["create"] > 0
    shown = [window.history.model.index(0, c).data() for c in range(window.history.model.columnCount())]
    assert shown[1] == "Sync now" and "created" in shown[5] and shown[11] == "Done"
    # The status cards follow: records are linked and the last run is today.
    contacts = window.cards["contacts"]
    assert contacts.state in ("ok", "attention")
    linked = int(contacts.counts_label.text().split()[0])
    assert linked == window.ctx.store.link_count("contacts") > 0
    assert "Today" in contacts.last_label.text()
    assert window.cards["tasks"].state == "ok" and window.cards["tasks"].state_label.text().endswith(
        "Up to date"
    )
    # The Salesforce API budget of the last run and of the day.
    budget = window.budget_label.text()
    assert "the last run used" in budget and "left today" in budget
    assert window.undo_button.isEnabled() and not window.cancel_button.isVisible()


@pytest.mark.seed("demo")
def test_sync_for_one_kind_and_progress_with_cancel(qloop, window, previews):
    progress = []
    window.controller.progress.connect(lambda kind, text: progress.append(kind))
    assert window.sync_now(["tasks"])
    assert window.cancel_button.isVisible() and not window.sync_button.isEnabled()
    qloop.until(lambda: previews)
    assert set(previews[0].plan.kinds) == {"tasks"} and set(progress) == {"tasks"}
    assert window.cards["tasks"].state == "syncing"
    assert window.cards["tasks"].progress_label.isVisible()
    assert window.cards["contacts"].state != "syncing"

    window.cancel_button.click()  # closes the open preview: nothing applied
    qloop.until(lambda: not window.controller.busy)
    assert window.history.model.rowCount() == 0
    assert window.sync_button.isEnabled() and not window.cancel_button.isVisible()
    assert window.cards["tasks"].state == "attention"


@pytest.mark.seed("demo")
def test_opening_a_run_shows_its_item_changes(qloop, window, previews, sandbox_env):
    sync_and_apply(qloop, window, previews, ["contacts"])
    run_id = window.history.model.runs[0]["id"]
    window.history.changes_model.set_rows([])

    assert window.open_run(run_id)

    assert window.tabs.currentIndex() == 0
    assert window.history.selected_run_id() == run_id
    rows = window.history.changes_model.rows
    created = [r for r in rows if r["what"] == "Created in Salesforce"]
    outlook_only = {c["displayName"] for c in sandbox_env.control("records/graph/contacts")["value"]}
    assert created and all(r["result"] == "Done" for r in created)
    assert {r["label"].split(" <")[0] for r in created} <= outlook_only
    assert any(f.startswith("Last name: ") for f in created[0]["fields"])  # field by field, by label
    assert any(r["what"] == "Paired" for r in rows)
    assert f"Run {run_id}" in window.history.changes_title.text()
    # A run that is not in the history says so instead of showing something else.
    assert not window.open_run(run_id + 999)
    assert window.banner.isVisible() and "no longer in the history" in window.banner.text.text()


@pytest.mark.seed("demo")
def test_an_item_issue_is_listed_with_a_plain_explanation_and_links(
    qloop, window, previews, sandbox_env, opened_urls
):
    item = outlook_contact(
        sandbox_env,
        given="Lena",
        surname="Langtitel",
        emails=["lena.langtitel@example.org"],
        job_title="Head of " + "Very " * 40 + "Long Titles",
    )
    sync_and_apply(qloop, window, previews, ["contacts"])

    # The finished run says something is left to look at, and the banner leads there.
    assert window.banner.isVisible() and window.banner.level == "warning"
    assert (
        "2 items were held back" in window.banner.text.text()
    )  # this one and the demo's colleague-owned one
    window.banner.action.click()
    assert window.tabs.currentIndex() == 1

    issues = window.issues.model.issues
    (issue,) = [i for i in issues if i["outlook_id"] == item["id"]]
    row = window.issues.model.row_of(issue["id"])
    explanation = window.issues.model.index(row, 2).data()
    assert explanation.startswith("Could not be synced.") and "Salesforce allows 128" in explanation
    assert window.tabs.tabText(1) == f"Issues ({len(issues)})"
    assert window.cards["contacts"].state == "attention"
    assert window.issues.model.index(row, IssuesModelCols.OUTLOOK).data() == "Open in Outlook"

    assert window.open_issue(issue["id"])
    assert window.tabs.currentIndex() == 1 and window.issues.selected_issue_id() == issue["id"]
    assert "Open in Outlook" in window.issues.detail.text()

    index = window.issues.model.index(row, IssuesModelCols.OUTLOOK)
    window.issues.view.clicked.emit(index)
    assert opened_urls and opened_urls[-1].startswith("https://outlook.office.com/")
    from urllib.parse import quote

    assert quote(item["id"], safe="") in opened_urls[-1]
    # The record was never created in Salesforce, so there is nothing to open there.
    assert window.issues.model.index(row, IssuesModelCols.SALESFORCE).data() == "Not in Salesforce"


class IssuesModelCols:
    OUTLOOK, SALESFORCE = 4, 5


@pytest.mark.seed("demo")
def test_an_issue_about_a_salesforce_record_links_to_it_on_the_instance(window, opened_urls):
    window.ctx.store.record_issue(
        kind="tasks",
        category="error",
        code="rejected",
        run_id=None,
        message="Salesforce refused the change: the status is not allowed.",
        salesforce_id="00TDm0000000042IAA",
        label="Call Jonas about the renewal",
    )
    window.refresh()
    (row,) = range(window.issues.model.rowCount())
    assert window.issues.model.index(row, IssuesModelCols.OUTLOOK).data() == "Not in Outlook"
    assert window.issues.model.index(row, IssuesModelCols.SALESFORCE).data() == "Open in Salesforce"
    assert (
        window.cards["tasks"].state == "attention"
        and "1 open issue" in window.cards["tasks"].counts_label.text()
    )

    window.issues.view.clicked.emit(window.issues.model.index(row, IssuesModelCols.OUTLOOK))
    assert opened_urls == []  # nothing to open in Outlook
    window.issues.view.clicked.emit(window.issues.model.index(row, IssuesModelCols.SALESFORCE))
    instance = window.ctx.accounts.accounts.get("salesforce")["instance_url"].rstrip("/")
    assert opened_urls == [f"{instance}/00TDm0000000042IAA"]
    # An issue solved meanwhile (a toast clicked late) says so instead of showing another one.
    assert not window.open_issue(999999)
    assert "solved" in window.banner.text.text()


@pytest.mark.seed("demo")
def test_a_preview_applied_the_moment_it_opens_still_applies(qloop, window, monkeypatch):
    class EagerDialog(FakePreviewDialog):
        def show(self) -> None:  # the person is faster than the preview task
            self.apply_requested.emit(Decisions())

    module = types.ModuleType("ui.preview.widget")
    module.PreviewDialog = EagerDialog
    monkeypatch.setitem(sys.modules, "ui.preview.widget", module)
    window.sync_now(["tasks"])
    qloop.until(lambda: window.history.model.rowCount() == 1 and not window.controller.busy)
    assert not window.banner.isVisible()
    assert window.history.model.index(0, 11).data() == "Done"


@pytest.mark.seed("demo")
def test_relate_a_private_contact_to_an_account(qloop, window, sandbox_env):
    panel = window.private_panel
    window.tabs.setCurrentWidget(panel)  # loads the list on first show
    qloop.until(lambda: panel.loaded)
    assert panel.table.rowCount() == 4
    panel.table.selectRow(0)
    contact = panel.selected_contact()
    assert not panel.relate_button.isEnabled()

    panel.search_edit.setText("x")
    panel.search_button.click()  # too short: said in words, nothing sent
    assert "at least 2 letters" in panel.search_status.text()

    panel.search_edit.setText("tiergarten")
    panel.search_button.click()
    qloop.until(lambda: not panel.searching)
    assert panel.results.count() == 1 and "Tiergarten Analytics GmbH" in panel.results.item(0).text()
    assert panel.relate_button.isEnabled()
    account = panel.selected_account()

    panel.relate_button.click()
    qloop.until(lambda: not panel.relating)

    assert sandbox_env.state.sf_get("Contact", contact.id)["AccountId"] == account.id
    assert panel.table.rowCount() == 3
    assert contact.id not in {c.id for c in panel.contacts}
    assert "now belongs to Tiergarten Analytics GmbH" in panel.search_status.text()


@pytest.mark.seed("demo")
def test_a_search_without_hits_says_so(qloop, window):
    panel = window.private_panel
    panel.search_edit.setText("Nobody's Company")
    panel.search()
    qloop.until(lambda: not panel.searching)
    assert panel.results.count() == 0
    assert "No account's name contains" in panel.search_status.text()


@pytest.mark.seed("demo")
def test_undo_last_run_previews_the_reversal(qloop, window, previews):
    sync_and_apply(qloop, window, previews, ["tasks"])
    run_id = window.history.model.runs[0]["id"]
    created = (
        window.history.model.totals(0)["salesforce"]["create"]
        + window.history.model.totals(0)["outlook"]["create"]
    )
    assert created > 0

    window.undo_button.click()
    qloop.until(lambda: len(previews) == 2)

    plan = previews[1].plan
    assert plan.undo_of == run_id
    deletes = [a for a in plan.actions() if a.op == "delete"]
    assert len(deletes) == created  # each record the run created goes again
    previews[1].apply_requested.emit(Decisions())
    qloop.until(lambda: window.history.model.rowCount() == 2 and not window.controller.busy)
    assert window.history.model.index(0, 1).data() == f"Undo of run {run_id}"
    assert window.history.model.index(1, 11).data() == "Undone"


@pytest.mark.seed("demo")
def test_banner_shows_and_its_action_calls_back(window):
    calls = []
    window.show_banner("Salesforce signed you out.", "error", "Sign in again", lambda: calls.append(1))
    assert window.banner.isVisible() and window.banner.level == "error"
    assert window.banner.text.text() == "Salesforce signed you out."
    assert window.banner.action.isVisible() and window.banner.action.text() == "Sign in again"

    window.banner.action.click()
    assert calls == [1] and not window.banner.isVisible()

    window.show_banner("Just so you know.")  # no action: no button, can be dismissed
    assert window.banner.level == "info" and not window.banner.action.isVisible()
    window.banner.close_button.click()
    assert not window.banner.isVisible()


def test_a_failed_run_shows_why_in_the_banner(qtbot, qloop, fresh_ctx):
    controller = SyncController(fresh_ctx)
    win = MainWindow(fresh_ctx, controller)
    qtbot.addWidget(win)
    win.show()
    win.sync_button.click()
    qloop.until(lambda: win.banner.isVisible())
    qloop.until(lambda: not controller.busy)
    assert win.banner.level == "error"
    assert "Outlook" in win.banner.text.text() or "connect" in win.banner.text.text().lower()
    assert win.sync_button.isEnabled()


@pytest.mark.seed("demo")
def test_settings_button_asks_for_settings(window, qtbot):
    with qtbot.waitSignal(window.settings_requested, timeout=1000):
        window.settings_button.click()


@pytest.mark.seed("demo")
def test_rebuild_forgets_links_after_asking(qloop, window, previews):
    sync_and_apply(qloop, window, previews, ["tasks"])
    assert window.ctx.store.link_count("tasks") > 0
    box = window.ask_rebuild("tasks")
    assert box.isVisible() and "Nothing changes in Outlook or Salesforce" in box.text()
    rebuild = next(b for b in box.buttons() if b.text() == "Rebuild")
    rebuild.click()
    qloop.until(lambda: window.ctx.store.link_count("tasks") == 0 and window.banner.isVisible())
    assert "0 linked" in window.cards["tasks"].counts_label.text()
    assert "forgotten" in window.banner.text.text()


class FakeAutoSync(QObject):
    """Stands in for ui.autosync.AutoSync (what the window reads of it)."""

    changed = pyqtSignal()

    def __init__(self) -> None:
        super().__init__()
        self.paused = False

    def status_text(self) -> str:
        return "Auto sync is paused" if self.paused else "Next auto sync today at 14:30"


@pytest.mark.seed("demo")
def test_a_paused_auto_sync_shows_its_kinds_as_paused(qloop, window, previews):
    sync_and_apply(qloop, window, previews, ["tasks"])
    autosync = FakeAutoSync()
    window.set_autosync(autosync)
    assert window.schedule_label.text() == "Next auto sync today at 14:30."
    assert window.cards["tasks"].state == "ok"

    autosync.paused = True
    autosync.changed.emit()

    assert window.schedule_label.text() == "Auto sync is paused."
    background = set(window.ctx.settings.background_kinds())
    assert "tasks" in background and window.cards["tasks"].state == "paused"
    assert "auto sync is paused" in window.cards["tasks"].state_label.text()


@pytest.mark.seed("demo")
def test_a_run_larger_than_a_page_shows_the_first_page_and_can_show_more(qloop, window, previews):
    from ui.dashboard.models import change_rows

    sync_and_apply(qloop, window, previews, ["contacts"])
    run_id = window.history.model.runs[0]["id"]
    journal = window.ctx.store.journal(run_id=run_id)
    everything = change_rows(journal)
    writes = sum(1 for r in everything if r["op"] in ("create", "update", "delete"))
    assert len(journal) > 9, "the demo's first contacts sync should have more than three pages of 3"
    model = window.history.changes_model
    model.page_size = 3
    model.set_rows([])  # forget what the finished run showed (with the ordinary page size)

    assert window.open_run(run_id)

    # The first page only, the counts of the whole run, and the way to more.
    assert model.entries_loaded == 3 and model.rowCount() <= 3
    assert model.has_more and window.history.changes_more.isVisible()
    assert f"Showing {model.rowCount()} of {len(everything)} rows" in window.history.changes_more_label.text()
    assert f"{writes} change" in window.history.changes_title.text()

    window.history.changes_more_button.click()
    assert model.entries_loaded == 6
    presses = 1
    while window.history.changes_more.isVisible():
        window.history.changes_more_button.click()
        presses += 1
        assert presses < len(journal)
    # Everything is shown once, nothing twice; the button is gone.
    assert model.entries_loaded == len(journal) and not model.has_more
    assert sorted(r["id"] for r in model.rows) == sorted(r["id"] for r in everything)
    assert not window.history.changes_more.isVisible()

    # A refresh (another run recorded, auto sync) keeps what was read of the run shown ...
    window.refresh()
    assert window.history.selected_run_id() == run_id and model.entries_loaded == len(journal)
    # ... and showing another run, then this one again, starts from the first page.
    window.history.show_run(run_id + 1000)
    assert model.rowCount() == 0 and not window.history.changes_more.isVisible()
    assert "changed nothing" in window.history.changes_title.text()
    window.history.show_run(run_id)
    assert model.entries_loaded == 3 and window.history.changes_more.isVisible()


@pytest.mark.seed("demo")
def test_a_run_within_one_page_shows_everything_without_show_more(qloop, window, previews):
    sync_and_apply(qloop, window, previews, ["contacts"])
    run_id = window.history.model.runs[0]["id"]
    assert window.open_run(run_id)
    assert not window.history.changes_model.has_more and not window.history.changes_more.isVisible()
    assert window.history.changes_model.entries_loaded == len(window.ctx.store.journal(run_id=run_id))


@pytest.mark.seed("demo")
def test_run_counts_from_the_count_query_match_the_rows(qloop, window, previews):
    from ui.dashboard.models import journal_counts

    sync_and_apply(qloop, window, previews, ["contacts"])
    run_id = window.history.model.runs[0]["id"]
    store = window.ctx.store

    class RowsOnly:  # a store without SQL access: counted from its rows
        def journal(self, **kw):
            return store.journal(**kw)

    counted = journal_counts(store, run_id)
    assert counted == journal_counts(RowsOnly(), run_id)
    assert counted["entries"] == len(store.journal(run_id=run_id)) and counted["writes"] > 0
    assert counted["paired"] > 0
    assert journal_counts(store, run_id + 999) == {"entries": 0, "writes": 0, "prevented": 0, "paired": 0}


@pytest.mark.seed("demo")
def test_a_run_whose_changes_were_all_prevented_says_so_instead_of_nothing(qloop, window, previews):
    window.ctx.settings.set("tasks.outlook_no_create", True)
    window.ctx.settings.set("tasks.salesforce_no_create", True)
    window.ctx.settings.set("tasks.salesforce_no_update", True)
    plan = sync_and_apply(qloop, window, previews, kinds=["tasks"])
    prevented = plan.kinds["tasks"].counts()["prevented"]
    assert prevented > 0
    run_id = window.ctx.service.history(limit=1)[0]["id"]
    assert window.open_run(run_id)
    title = window.history.changes_title.text()
    assert f"Not sent: {prevented} prevented by your direction settings" in title, title
