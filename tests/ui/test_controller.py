"""The controller runs one manual sync as preview -> apply inside one locked session."""

from __future__ import annotations

import pytest

from sync.plan import Decisions
from ui.controller import SyncController


@pytest.mark.seed("demo")
def test_manual_sync_previews_then_applies_and_holds_the_profile_between(qtbot, qloop, demo_ctx):
    controller = SyncController(demo_ctx)
    plans, reports, failures = [], [], []
    controller.preview_ready.connect(plans.append)
    controller.run_finished.connect(reports.append)
    controller.run_failed.connect(failures.append)

    assert controller.start_preview(["contacts"])
    qloop.until(lambda: plans or failures)
    assert not failures
    plan = plans[0]
    assert plan.kinds["contacts"].counts()["matched"] > 0
    # While the preview is open the profile is held: a second run is refused.
    assert controller.busy
    assert not controller.start_preview(["contacts"])
    assert controller.run_auto(["contacts"]) is None

    assert controller.apply_preview(Decisions())
    qloop.until(lambda: reports or failures)
    assert not failures and reports[0].ok
    qloop.until(lambda: not controller.busy)
    assert demo_ctx.service.history(limit=1)[0]["mode"] == "apply"


@pytest.mark.seed("demo")
def test_discarded_preview_applies_nothing_and_frees_the_profile(qtbot, qloop, demo_ctx):
    controller = SyncController(demo_ctx)
    plans = []
    controller.preview_ready.connect(plans.append)
    controller.start_preview(["tasks"])
    qloop.until(lambda: plans)
    controller.discard_preview()
    qloop.until(lambda: not controller.busy)
    assert demo_ctx.service.history() == [] or all(r["mode"] != "apply" for r in demo_ctx.service.history())
    assert controller.start_preview(["tasks"])
    qloop.until(lambda: len(plans) == 2)
    controller.discard_preview()
    qloop.until(lambda: not controller.busy)


def test_not_signed_in_surfaces_as_a_failure_with_the_connect_action(qtbot, qloop, fresh_ctx):
    controller = SyncController(fresh_ctx)
    failures = []
    controller.run_failed.connect(failures.append)
    controller.start_preview()
    qloop.until(lambda: failures)
    assert getattr(failures[0], "action", None) == "connect"
    qloop.until(lambda: not controller.busy)


@pytest.mark.seed("demo")
def test_apply_is_accepted_straight_from_the_preview_signal(qtbot, qloop, demo_ctx):
    """A window that applies as soon as the plan arrives (an empty plan's OK) is not refused."""
    controller = SyncController(demo_ctx)
    accepted, reports = [], []
    controller.preview_ready.connect(lambda plan: accepted.append(controller.apply_preview()))
    controller.run_finished.connect(reports.append)
    controller.start_preview(["tasks"])
    qloop.until(lambda: reports)
    assert accepted == [True]
    qloop.until(lambda: not controller.busy)


@pytest.mark.seed("demo")
def test_apply_reports_item_counts_per_kind(qtbot, qloop, demo_ctx):
    controller = SyncController(demo_ctx)
    heard, texts, plans, reports = [], [], [], []
    controller.counts.connect(lambda *args: heard.append(args))
    controller.progress.connect(lambda kind, text: texts.append((kind, text)))
    controller.preview_ready.connect(plans.append)
    controller.run_finished.connect(reports.append)
    controller.start_preview(["contacts"])
    qloop.until(lambda: plans)
    controller.apply_preview()
    qloop.until(lambda: reports)
    applying = [(done, total) for kind, phase, done, total in heard if phase == "applying"]
    assert applying and applying[-1][0] == applying[-1][1] > 0  # ends with all items sent
    assert ("contacts", f"applying {applying[-1][0]}/{applying[-1][1]}") in texts


@pytest.mark.seed("demo")
def test_each_finished_run_leaves_one_log_line_of_counts_without_names(qtbot, qloop, demo_ctx, caplog):
    controller = SyncController(demo_ctx)
    plans, reports = [], []
    controller.preview_ready.connect(plans.append)
    controller.run_finished.connect(reports.append)
    with caplog.at_level("INFO", logger="ui.controller"):
        controller.start_preview(["contacts"])
        qloop.until(lambda: plans)
        controller.apply_preview()
        qloop.until(lambda: reports)
    lines = [r.getMessage() for r in caplog.records if "finished" in r.getMessage()]
    assert len(lines) == 1 and f"run {reports[0].run_id} finished: contacts: outlook " in lines[0]
    labels = [a.label.split(" <")[0] for a in plans[0].actions()]
    assert labels and not any(name in lines[0] for name in labels)  # counts only, no people
