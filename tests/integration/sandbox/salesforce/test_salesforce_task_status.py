"""The TaskStatus object: the org's Task Status picklist, query-only, and Task.IsClosed from it."""

from __future__ import annotations

import pytest
from salesforce_support import sf_client

from sandbox.salesforce import task_status


@pytest.mark.doc(
    "https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_taskstatus.htm"
)
def test_task_status_serves_the_picklist_and_closes_tasks(sandbox) -> None:
    task_status.rows(sandbox.state)
    task_status.add(sandbox.state, "Done", closed=True)
    soql = "SELECT ApiName, MasterLabel, IsClosed, IsDefault, SortOrder FROM TaskStatus ORDER BY SortOrder"
    with sf_client(sandbox) as api:
        rows = api.get("query/", params={"q": soql}).json()["records"]
        assert [(r["ApiName"], r["IsClosed"], r["IsDefault"]) for r in rows] == [
            ("Not Started", False, True),
            ("In Progress", False, False),
            ("Completed", True, False),
            ("Waiting on someone else", False, False),
            ("Deferred", False, False),
            ("Done", True, False),
        ]
        assert [r["SortOrder"] for r in rows] == sorted(r["SortOrder"] for r in rows)
        made = api.post("sobjects/Task/", json={"Subject": "Wrap up", "Status": "Done"}).json()
        row = api.get(f"sobjects/Task/{made['id']}", params={"fields": "Status,IsClosed"}).json()
        assert (row["Status"], row["IsClosed"]) == ("Done", True)
        # the picklist is read-only through the API
        r = api.post("sobjects/TaskStatus/", json={"ApiName": "New one"})
        assert r.status_code >= 400
