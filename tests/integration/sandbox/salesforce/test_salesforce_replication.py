"""getUpdated and getDeleted (``sobjects/{type}/updated`` and ``/deleted``): SystemModstamp,
minute-granular windows, the 30-day and 15-day limits and latestDateCovered."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from salesforce_support import account, contact, error_of, sf_client, stamp

from sandbox.clock import parse_instant


def window(start, end) -> dict:
    return {"start": start.isoformat(), "end": end.isoformat()}


def test_get_updated_lists_changes_by_system_modstamp(sandbox) -> None:
    acc = account(sandbox)
    old = contact(sandbox, LastName="Old", AccountId=acc["Id"])
    sandbox.state.clock.advance(600)
    t0 = sandbox.state.now()
    changed = contact(sandbox, LastName="New", AccountId=acc["Id"])
    sandbox.state.clock.advance(60)
    sandbox.state.sf_update("Contact", old["Id"], {"Title": "Touched"})
    now = sandbox.state.now()
    with sf_client(sandbox) as api:
        r = api.get(
            "sobjects/Contact/updated/", params=window(t0 - timedelta(seconds=30), now + timedelta(hours=1))
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["ids"] == [changed["Id"], old["Id"]]
        # latestDateCovered: the end, or now (to the minute) when the end is in the future
        assert body["latestDateCovered"] == stamp(now.replace(second=0, microsecond=0))
        narrow = api.get("sobjects/Contact/updated", params=window(t0 - timedelta(minutes=5), t0)).json()
        assert narrow["ids"] == []
        assert narrow["latestDateCovered"] == stamp(t0.replace(second=0, microsecond=0))
        # Seconds are ignored: a start 59 s after the change still covers its minute.
        same_minute = api.get(
            "sobjects/Contact/updated",
            params=window(
                parse_instant(changed["SystemModstamp"]).replace(second=59), now + timedelta(minutes=2)
            ),
        ).json()
        assert changed["Id"] in same_minute["ids"]


def test_get_updated_window_limits(sandbox) -> None:
    now = sandbox.state.now().astimezone(UTC)
    with sf_client(sandbox) as api:
        r = api.get("sobjects/Contact/updated", params=window(now - timedelta(days=31), now))
        assert r.status_code == 400 and error_of(r)["errorCode"] == "INVALID_REPLICATION_DATE"
        r = api.get("sobjects/Contact/updated", params=window(now, now - timedelta(hours=1)))
        assert r.status_code == 400 and error_of(r)["errorCode"] == "INVALID_REPLICATION_DATE"
        r = api.get("sobjects/Contact/updated", params={"start": now.isoformat()})
        assert r.status_code == 400 and error_of(r)["errorCode"] == "MISSING_ARGUMENT"
        r = api.get("sobjects/Contact/updated", params={"start": "yesterday", "end": now.isoformat()})
        assert r.status_code == 400 and error_of(r)["errorCode"] == "INVALID_REPLICATION_DATE"
        ok = api.get(
            "sobjects/Contact/updated",
            params={
                "start": (now - timedelta(days=29)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "end": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        )
        assert ok.status_code == 200


def test_get_deleted_lists_deletions_in_the_window(sandbox) -> None:
    acc = account(sandbox)
    rec = contact(sandbox, AccountId=acc["Id"])
    t0 = sandbox.state.now()
    with sf_client(sandbox) as api:
        assert api.delete(f"sobjects/Contact/{rec['Id']}").status_code == 204
        now = sandbox.state.now()
        body = api.get(
            "sobjects/Contact/deleted/", params=window(t0 - timedelta(minutes=1), now + timedelta(minutes=1))
        ).json()
        assert [d["id"] for d in body["deletedRecords"]] == [rec["Id"]]
        deleted_date = body["deletedRecords"][0]["deletedDate"]
        assert deleted_date.endswith("+0000") and parse_instant(deleted_date) >= t0.replace(microsecond=0)
        earliest = parse_instant(body["earliestDateAvailable"])
        assert timedelta(days=14, hours=23) < now - earliest <= timedelta(days=15, minutes=1)
        assert set(body) == {"deletedRecords", "earliestDateAvailable", "latestDateCovered"}
        r = api.get("sobjects/Contact/deleted", params=window(now - timedelta(days=16), now))
        assert r.status_code == 400 and error_of(r)["errorCode"] == "INVALID_REPLICATION_DATE"
        before = api.get(
            "sobjects/Contact/deleted", params=window(t0 - timedelta(days=1), t0 - timedelta(hours=1))
        ).json()
        assert before["deletedRecords"] == []


def test_deleted_private_contacts_are_reported_only_to_who_could_see_them(sandbox) -> None:
    private = contact(sandbox, "mreyes", LastName="Private")
    t0 = sandbox.state.now()
    sandbox.state.sf_delete("Contact", private["Id"])
    params = window(t0 - timedelta(minutes=1), t0 + timedelta(minutes=2))
    with sf_client(sandbox, "sokafor") as colleague:
        assert colleague.get("sobjects/Contact/deleted", params=params).json()["deletedRecords"] == []
    with sf_client(sandbox, "mreyes") as owner:
        assert len(owner.get("sobjects/Contact/deleted", params=params).json()["deletedRecords"]) == 1


@pytest.mark.parametrize("resource", ["updated", "deleted"])
def test_unknown_objects_are_404(sandbox, resource: str) -> None:
    now = sandbox.state.now()
    with sf_client(sandbox) as api:
        r = api.get(f"sobjects/Nope/{resource}", params=window(now - timedelta(hours=1), now))
    assert r.status_code == 404
