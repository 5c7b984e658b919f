"""simple-salesforce 1.12, an independent client, against the sandbox: CRUD, query_all paging,
queryAll, describe, updated/deleted, Collections through ``restful``, its exceptions and its
reading of the Sforce-Limit-Info header."""

from __future__ import annotations

from datetime import timedelta

import pytest
from salesforce_support import account, contact, simple_sf
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)


def test_crud_through_simple_salesforce(sandbox) -> None:
    sf = simple_sf(sandbox)
    acc = sf.Account.create({"Name": "Umbrella"})
    assert acc["success"] is True and acc["errors"] == []
    made = sf.Contact.create({"LastName": "Wesker", "AccountId": acc["id"], "Email": "aw@umbrella.example"})
    got = sf.Contact.get(made["id"])
    assert (
        got["Name"] == "Wesker" and got["AccountId"] == acc["id"] and got["attributes"]["type"] == "Contact"
    )
    assert sf.Contact.update(made["id"], {"Title": "Director"}) == 204
    assert sf.Contact.get(made["id"])["Title"] == "Director"
    assert sf.Contact.delete(made["id"]) == 204
    with pytest.raises(SalesforceResourceNotFound) as gone:
        sf.Contact.get(made["id"])
    assert gone.value.content[0]["errorCode"] == "ENTITY_IS_DELETED"
    with pytest.raises(SalesforceMalformedRequest) as bad:
        sf.Contact.create({"FirstName": "No last name"})
    assert bad.value.content == [
        {
            "message": "Required fields are missing: [LastName]",
            "errorCode": "REQUIRED_FIELD_MISSING",
            "fields": ["LastName"],
        }
    ]
    sf.query("SELECT Id FROM Contact")  # nine calls so far, failed ones included
    assert (sf.api_usage["api-usage"].used, sf.api_usage["api-usage"].total) == (9, 15000)


def test_query_all_pages_and_includes_deleted(sandbox) -> None:
    sandbox.state.config["query_batch_size"] = 3
    acc = account(sandbox)
    made = [contact(sandbox, LastName=f"Q{n}", AccountId=acc["Id"])["Id"] for n in range(8)]
    sandbox.state.sf_delete("Contact", made[0])
    sf = simple_sf(sandbox)
    used = sandbox.state.sf["api_usage"]
    result = sf.query_all("SELECT Id, LastName FROM Contact ORDER BY LastName")
    assert [r["Id"] for r in result["records"]] == made[1:]
    assert sandbox.state.sf["api_usage"] - used == 3  # 7 rows in pages of 3
    with_deleted = sf.query_all("SELECT Id, IsDeleted FROM Contact", include_deleted=True)
    assert {r["Id"] for r in with_deleted["records"] if r["IsDeleted"]} == {made[0]}
    first = sf.query("SELECT Id FROM Contact")
    more = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert len(more["records"]) == 3
    locator = first["nextRecordsUrl"].rsplit("/", 1)[1]
    assert sf.query_more(locator)["records"] == more["records"]
    with pytest.raises(SalesforceMalformedRequest) as bad:
        sf.query("SELECT Nope FROM Contact")
    assert bad.value.content[0]["errorCode"] == "INVALID_FIELD"


def test_describe_limits_updated_and_deleted(sandbox) -> None:
    sf = simple_sf(sandbox)
    assert {s["name"] for s in sf.describe()["sobjects"]} >= {"Contact", "Event", "Task"}
    fields = {f["name"]: f for f in sf.Contact.describe()["fields"]}
    assert fields["LastName"]["length"] == 80
    assert sf.Contact.metadata()["objectDescribe"]["keyPrefix"] == "003"
    assert sf.limits()["DailyApiRequests"]["Max"] == 15000
    start = sandbox.state.now() - timedelta(minutes=5)
    acc = account(sandbox)
    kept = contact(sandbox, AccountId=acc["Id"])
    dropped = contact(sandbox, AccountId=acc["Id"])
    sf.Contact.delete(dropped["Id"])
    sandbox.state.clock.advance(180)  # a window must end by now, more than a minute after its start
    end = sandbox.state.now()
    assert sf.Contact.updated(start, end)["ids"] == [kept["Id"]]
    assert [d["id"] for d in sf.Contact.deleted(start, end)["deletedRecords"]] == [dropped["Id"]]


def test_collections_through_restful(sandbox) -> None:
    sf = simple_sf(sandbox)
    created = sf.restful(
        "composite/sobjects",
        method="POST",
        json={
            "allOrNone": False,
            "records": [
                {"attributes": {"type": "Contact"}, "LastName": "One"},
                {"attributes": {"type": "Contact"}, "LastName": "Two", "Email": "nope"},
            ],
        },
    )
    assert [r["success"] for r in created] == [True, False]
    assert created[1]["errors"][0]["statusCode"] == "INVALID_EMAIL_ADDRESS"
    read = sf.restful(f"composite/sobjects/Contact?ids={created[0]['id']}&fields=Name")
    assert read[0]["Name"] == "One"


def test_simple_salesforce_sees_session_and_limit_errors(sandbox) -> None:
    sf = simple_sf(sandbox)
    sandbox.state.tokens.expire_access("salesforce")
    with pytest.raises(SalesforceExpiredSession):
        sf.limits()
    sf = simple_sf(sandbox, "sokafor")
    sandbox.state.sf["api_usage"] = sandbox.state.sf["api_limit"]
    with pytest.raises(SalesforceRefusedRequest) as refused:
        sf.Contact.describe()
    assert refused.value.content[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
