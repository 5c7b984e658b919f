"""Fields an org lacks, as Salesforce answers: describe leaves out a switched-off or hidden
field, SOQL and reads naming it are INVALID_FIELD, writes naming it are INVALID_FIELD, a
read-only field is INVALID_FIELD_FOR_INSERT_UPDATE, and describe answers 304 to a
conditional GET."""

from __future__ import annotations

import pytest
from salesforce_support import account, contact, error_of, sf_client


def _fields(api) -> set[str]:
    r = api.get("sobjects/Contact/describe")
    assert r.status_code == 200
    return {f["name"] for f in r.json()["fields"]}


@pytest.mark.doc(
    "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm"
)
def test_describe_leaves_out_switched_off_and_hidden_fields(sandbox) -> None:
    with sf_client(sandbox) as api:
        assert {"MiddleName", "Suffix", "Title"} <= _fields(api)
    sandbox.control(
        "POST config", {"sf_org_features": "no-middle-name,no-suffix", "sf_hidden_fields": "Contact.Title"}
    )
    with sf_client(sandbox) as api:
        fields = _fields(api)
    assert not {"MiddleName", "Suffix", "Title"} & fields
    assert {"FirstName", "LastName", "Email"} <= fields


@pytest.mark.doc("https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm")
def test_soql_and_reads_naming_a_missing_field_are_invalid_field(sandbox) -> None:
    made = contact(sandbox, LastName="Okafor", AccountId=account(sandbox)["Id"])
    sandbox.control("POST config", {"sf_org_features": "no-middle-name", "sf_hidden_fields": "Contact.Title"})
    with sf_client(sandbox) as api:
        r = api.get("query/", params={"q": "SELECT Id, MiddleName FROM Contact"})
        assert r.status_code == 400
        err = error_of(r)
        assert err["errorCode"] == "INVALID_FIELD"
        assert "No such column 'MiddleName' on entity 'Contact'" in err["message"]
        r = api.get("query/", params={"q": "SELECT Id FROM Contact WHERE Title = 'x'"})
        assert r.status_code == 400 and error_of(r)["errorCode"] == "INVALID_FIELD"
        # a record read leaves the hidden field out; asking for it is INVALID_FIELD
        row = api.get(f"sobjects/Contact/{made['Id']}").json()
        assert "Title" not in row and "MiddleName" not in row and row["LastName"] == "Okafor"
        r = api.get(f"sobjects/Contact/{made['Id']}", params={"fields": "LastName,Title"})
        assert r.status_code == 400 and error_of(r)["errorCode"] == "INVALID_FIELD"
        # the query still runs without them
        r = api.get("query/", params={"q": "SELECT Id, FirstName FROM Contact"})
        assert r.status_code == 200


@pytest.mark.doc("https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm")
def test_writes_naming_a_missing_or_read_only_field_are_refused(sandbox) -> None:
    sandbox.control("POST config", {"sf_org_features": "no-suffix"})
    acc = account(sandbox)
    with sf_client(sandbox) as api:
        r = api.post(
            "sobjects/Contact/", json={"LastName": "Okafor", "Suffix": "Jr.", "AccountId": acc["Id"]}
        )
        assert r.status_code == 400
        assert error_of(r)["errorCode"] == "INVALID_FIELD"
        assert "Suffix" in error_of(r)["message"]
        r = api.post(
            "composite/sobjects",
            json={
                "allOrNone": False,
                "records": [{"attributes": {"type": "Contact"}, "LastName": "Okafor", "Suffix": "Jr."}],
            },
        )
        assert r.status_code == 200 and r.json()[0]["errors"][0]["statusCode"] == "INVALID_FIELD"
        # present but not writable (a formula-like system field): INVALID_FIELD_FOR_INSERT_UPDATE
        r = api.post("sobjects/Contact/", json={"LastName": "Okafor", "Name": "X", "AccountId": acc["Id"]})
        assert r.status_code == 400 and error_of(r)["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
        assert sandbox.state.sf["records"]["Contact"] == {}


@pytest.mark.doc(
    "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/sobject_describe_with_ifmodified_header.htm"
)
def test_describe_answers_304_to_a_conditional_get(sandbox) -> None:
    with sf_client(sandbox) as api:
        first = api.get("sobjects/Contact/describe")
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
        r = api.get("sobjects/Contact/describe", headers={"If-Modified-Since": modified})
        assert r.status_code == 304 and r.content == b""
        r = api.get("sobjects/Contact/describe", headers={"If-None-Match": etag})
        assert r.status_code == 304
        r = api.get(
            "sobjects/Contact/describe", headers={"If-Modified-Since": "Wed, 3 Jul 2013 19:43:31 GMT"}
        )
        assert r.status_code == 200 and r.json()["name"] == "Contact"
    # The org switches a field off: the metadata changed, so the old validators no longer match.
    sandbox.state.clock.advance(5)
    sandbox.control("POST config", {"sf_org_features": "no-middle-name"})
    with sf_client(sandbox) as api:
        r = api.get("sobjects/Contact/describe", headers={"If-None-Match": etag})
        assert r.status_code == 200 and "MiddleName" not in {f["name"] for f in r.json()["fields"]}
        r = api.get("sobjects/Contact/describe", headers={"If-Modified-Since": modified})
        assert r.status_code == 200
