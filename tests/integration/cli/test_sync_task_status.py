"""Task status through the org's TaskStatus picklist: custom statuses read by IsClosed map to
the nearest Outlook status and survive a round trip; a task completed in Outlook gets the
org's closed status, a reopened one the org's default open status."""

from __future__ import annotations

import pytest

from sync.salesforce.task_status import OrgStatuses

pytestmark = pytest.mark.seed("edge")


def _sf_task(box, subject: str) -> dict:
    return next(t for t in box.state.sf["records"]["Task"].values() if t.get("Subject") == subject)


def _todo(box, title: str) -> dict:
    return next(t for t in box.state.graph_items("todoTasks") if t.get("title") == title)


def _writes(plan: dict) -> list[dict]:
    return [a for a in plan["kinds"]["tasks"]["actions"] if a["op"] in ("create", "update", "delete")]


def test_custom_statuses_round_trip(cli) -> None:
    box = cli.sandbox
    code, result, err = cli.run("sync", "--kind", "tasks", "--yes", "--json")
    assert code in (0, 3), err
    assert _todo(box, "Chase the signed order form")["status"] == "waitingOnOthers"
    assert _todo(box, "Archive the pilot feedback")["status"] == "completed"

    code, again, err = cli.run("sync", "--kind", "tasks", "--yes", "--json")
    assert code in (0, 3), err
    assert _writes(again) == []
    assert _sf_task(box, "Chase the signed order form")["Status"] == "Waiting on customer"
    assert _sf_task(box, "Archive the pilot feedback")["Status"] == "Done"

    # An edit of the title in Outlook leaves the custom status alone in Salesforce.
    chase = _todo(box, "Chase the signed order form")
    box.state.graph_update("todoTasks", chase["id"], {"title": "Chase the signed order form today"})
    code, again, err = cli.run("sync", "--kind", "tasks", "--yes", "--json")
    assert code in (0, 3), err
    assert _sf_task(box, "Chase the signed order form today")["Status"] == "Waiting on customer"

    # Completed in Outlook: "Completed" is a closed status of this org; reopened: the default.
    box.state.graph_update("todoTasks", chase["id"], {"status": "completed"})
    assert cli.run("sync", "--kind", "tasks", "--yes", "--json")[0] in (0, 3)
    done = _sf_task(box, "Chase the signed order form today")
    assert done["Status"] == "Completed" and done["IsClosed"] is True
    archive = _todo(box, "Archive the pilot feedback")
    box.state.graph_update("todoTasks", archive["id"], {"status": "notStarted"})
    assert cli.run("sync", "--kind", "tasks", "--yes", "--json")[0] in (0, 3)
    reopened = _sf_task(box, "Archive the pilot feedback")
    assert reopened["Status"] == "Not Started" and reopened["IsClosed"] is False


def test_an_org_without_completed_closes_with_its_first_closed_status() -> None:
    org = OrgStatuses.from_rows(
        [
            {"ApiName": "Open", "IsClosed": False, "IsDefault": False, "SortOrder": 1},
            {"ApiName": "Triage", "IsClosed": False, "IsDefault": True, "SortOrder": 2},
            {"ApiName": "Won", "IsClosed": True, "IsDefault": False, "SortOrder": 4},
            {"ApiName": "Closed", "IsClosed": True, "IsDefault": False, "SortOrder": 3},
        ]
    )
    assert org.to_org("Completed") == "Closed"
    assert org.to_org("Not Started") == "Triage"
    assert org.to_org("In Progress") == "Triage"  # not a status of this org: the default
