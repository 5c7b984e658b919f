"""getUpdated and getDeleted (``sobjects/{type}/updated`` and ``/deleted``): SystemModstamp,
minute-granular windows that end in the past and span more than a minute, the 30-day and
15-day limits, the 600,000-id limit and latestDateCovered."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from salesforce_support import account, contact, error_of, sf_client, stamp

from sandbox.clock import parse_instant

SOAP_GET_DELETED = (
    "https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_getdeleted.htm"
)
REST_GET_DELETED = (
    "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api/resources_getdeleted.htm"
)


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
    sandbox.state.clock.advance(120)
    now = sandbox.state.now()
    with sf_client(sandbox) as api:
        r = api.get("sobjects/Contact/updated/", params=window(t0 - timedelta(seconds=30), now))
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["ids"] == [changed["Id"], old["Id"]]
        # latestDateCovered: the end (to the minute)
        assert body["latestDateCovered"] == stamp(now.replace(second=0, microsecond=0))
        narrow = api.get("sobjects/Contact/updated", params=window(t0 - timedelta(minutes=5), t0)).json()
        assert narrow["ids"] == []
        assert narrow["latestDateCovered"] == stamp(t0.replace(second=0, microsecond=0))
        # Seconds are ignored: a start 59 s after the change still covers its minute.
        same_minute = api.get(
            "sobjects/Contact/updated",
            params=window(parse_instant(changed["SystemModstamp"]).replace(second=59), now),
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
        sandbox.state.clock.advance(120)
        now = sandbox.state.now()
        body = api.get("sobjects/Contact/deleted/", params=window(t0 - timedelta(minutes=1), now)).json()
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
    sandbox.state.clock.advance(180)
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


@pytest.mark.doc(
    "https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_getdeleted.htm"
)
@pytest.mark.parametrize("resource", ["updated", "deleted"])
def test_a_window_must_span_more_than_a_minute_and_end_by_now(sandbox, resource: str) -> None:
    """ "startDate must chronologically precede endDate by more than one minute" (seconds are
    ignored), and the window cannot reach past the server's now: INVALID_REPLICATION_DATE."""
    now = sandbox.state.now().astimezone(UTC)
    minute = now.replace(second=0, microsecond=0)
    with sf_client(sandbox) as api:
        for start, end in [
            (minute, minute),  # the same minute
            (minute - timedelta(minutes=1), minute),  # one minute apart: not more than one
            (minute - timedelta(minutes=1, seconds=-59), minute + timedelta(seconds=59)),  # seconds ignored
            (minute - timedelta(minutes=10), minute + timedelta(minutes=1)),  # ends in the future
        ]:
            r = api.get(f"sobjects/Contact/{resource}", params=window(start, end))
            assert r.status_code == 400 and error_of(r)["errorCode"] == "INVALID_REPLICATION_DATE", (
                start,
                end,
            )
        ok = api.get(f"sobjects/Contact/{resource}", params=window(minute - timedelta(minutes=2), minute))
        assert ok.status_code == 200, ok.text
        assert ok.json()["latestDateCovered"] == stamp(minute)


@pytest.mark.doc(
    "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api/resources_getdeleted.htm"
)
def test_more_deleted_ids_than_the_limit_is_exceeded_id_limit(sandbox) -> None:
    """ "There is a limit of 600,000 IDs ... If more than 600,000 IDs are found,
    EXCEEDED_ID_LIMIT is returned" (the sandbox's limit is lowered to 2 here)."""
    sandbox.state.config["sf_replication_id_limit"] = 2
    acc = account(sandbox)
    t0 = sandbox.state.now()
    rows = [contact(sandbox, AccountId=acc["Id"]) for _ in range(3)]
    sandbox.state.clock.advance(60)
    for row in rows[:2]:
        sandbox.state.sf_delete("Contact", row["Id"])
    sandbox.state.clock.advance(180)
    now = sandbox.state.now()
    with sf_client(sandbox) as api:
        assert len(api.get("sobjects/Contact/deleted", params=window(t0, now)).json()["deletedRecords"]) == 2
        sandbox.state.sf_delete("Contact", rows[2]["Id"])
        sandbox.state.clock.advance(120)
        r = api.get("sobjects/Contact/deleted", params=window(t0, sandbox.state.now()))
        assert r.status_code == 400 and error_of(r)["errorCode"] == "EXCEEDED_ID_LIMIT"


def test_replies_carry_the_date_of_the_services_clock(sandbox) -> None:
    """Clients read Salesforce's "now" from the reply's Date header: it follows the clock."""
    from email.utils import parsedate_to_datetime

    sandbox.state.clock.advance(3 * 86400)
    with sf_client(sandbox) as api:
        r = api.get("sobjects/Contact/describe")
    dates = r.headers.get_list("date")
    assert len(dates) == 1
    assert abs(parsedate_to_datetime(dates[0]) - sandbox.state.now()) < timedelta(minutes=1)
