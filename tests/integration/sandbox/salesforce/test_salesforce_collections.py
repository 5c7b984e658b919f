"""sObject Collections and Composite: per-record results in input order with ``statusCode``
errors, allOrNone rollback, the 200-record limit, reads by id, and references between
Composite sub-requests."""

from __future__ import annotations

from salesforce_support import API, account, contact, error_of, sf_client, user_id


def rec(sobject: str, **fields) -> dict:
    return {"attributes": {"type": sobject}, **fields}


def test_create_many_reports_each_record_in_order(sandbox) -> None:
    acc = account(sandbox)
    with sf_client(sandbox) as api:
        r = api.post(
            "composite/sobjects",
            json={
                "allOrNone": False,
                "records": [
                    rec("Contact", LastName="One", AccountId=acc["Id"]),
                    rec("Contact", FirstName="NoLastName"),
                    rec("Event", Subject="Call", StartDateTime="2026-09-01T10:00:00Z", DurationInMinutes=30),
                    rec("Contact", LastName="x" * 81),
                ],
            },
        )
        assert r.status_code == 200
        res = r.json()
        assert [x["success"] for x in res] == [True, False, True, False]
        assert res[0]["id"].startswith("003") and res[0]["errors"] == [] and res[2]["id"].startswith("00U")
        assert "id" not in res[1]
        assert res[1]["errors"] == [
            {
                "statusCode": "REQUIRED_FIELD_MISSING",
                "message": "Required fields are missing: [LastName]",
                "fields": ["LastName"],
            }
        ]
        assert res[3]["errors"][0]["statusCode"] == "STRING_TOO_LONG"
        assert sandbox.state.sf_get("Contact", res[0]["id"])["CreatedById"] == user_id(sandbox)


def test_all_or_none_rolls_every_record_back(sandbox) -> None:
    with sf_client(sandbox) as api:
        res = api.post(
            "composite/sobjects",
            json={
                "allOrNone": True,
                "records": [
                    rec("Contact", LastName="Fine"),
                    rec("Contact", Email="bad", LastName="Bad"),
                    rec("Contact", LastName="AlsoFine"),
                ],
            },
        ).json()
    assert [x["success"] for x in res] == [False, False, False]
    assert res[0]["errors"] == [
        {
            "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
            "fields": [],
            "message": "Record rolled back because not all records were valid and the "
            "request was using AllOrNone header",
        }
    ]
    assert res[1]["errors"][0]["statusCode"] == "INVALID_EMAIL_ADDRESS"
    assert sandbox.state.sf["records"]["Contact"] == {}


def test_collections_are_limited_to_200_records(sandbox) -> None:
    with sf_client(sandbox) as api:
        r = api.post(
            "composite/sobjects", json={"records": [rec("Contact", LastName=f"L{n}") for n in range(201)]}
        )
        assert r.status_code == 400
        err = error_of(r)
        assert err["errorCode"] == "EXCEEDED_ID_LIMIT" and "cannot exceed 200" in err["message"]
        ok = api.post(
            "composite/sobjects", json={"records": [rec("Contact", LastName=f"L{n}") for n in range(200)]}
        )
        assert ok.status_code == 200 and all(x["success"] for x in ok.json())
        r = api.post("composite/sobjects", json={"records": [{"LastName": "typeless"}]})
        assert r.status_code == 400 and error_of(r)["errorCode"] == "INVALID_TYPE"


def test_update_many(sandbox) -> None:
    acc = account(sandbox)
    a, b = contact(sandbox, AccountId=acc["Id"]), contact(sandbox, AccountId=acc["Id"])
    private = contact(sandbox, "aadmin", LastName="AdminsOwn")
    with sf_client(sandbox) as api:
        res = api.patch(
            "composite/sobjects",
            json={
                "records": [
                    rec("Contact", id=a["Id"], Title="CEO"),
                    rec("Contact", Id=acc["Id"], Title="wrong object"),
                    rec("Contact", Title="no id"),
                    rec("Contact", Id=b["Id"], LastName=None),
                    rec("Contact", Id=private["Id"], Title="not mine to see"),
                ]
            },
        ).json()
    assert res[0] == {"id": a["Id"], "success": True, "errors": []}
    assert res[1] == {
        "success": False,
        "errors": [
            {
                "statusCode": "MALFORMED_ID",
                "fields": ["Id"],
                "message": f"Contact ID: id value of incorrect type: {acc['Id']}",
            }
        ],
    }
    assert res[2]["errors"][0] == {
        "statusCode": "MISSING_ARGUMENT",
        "fields": [],
        "message": "Id not specified in an update call",
    }
    assert res[3]["id"] == b["Id"] and res[3]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert res[4]["errors"][0]["statusCode"] == "INSUFFICIENT_ACCESS_OR_READONLY"
    assert sandbox.state.sf_get("Contact", a["Id"])["Title"] == "CEO"


def test_delete_many(sandbox) -> None:
    acc = account(sandbox)
    a, b = contact(sandbox, AccountId=acc["Id"]), contact(sandbox, AccountId=acc["Id"])
    ev = sandbox.state.sf_create(
        "Event", {"Subject": "x", "StartDateTime": "2026-09-01T10:00:00.000+0000", "DurationInMinutes": 30}
    )
    sandbox.state.sf_delete("Contact", b["Id"])
    with sf_client(sandbox) as api:
        res = api.delete(
            "composite/sobjects", params={"ids": f"{a['Id']},{b['Id']},{ev['Id']},junk", "allOrNone": "false"}
        ).json()
        assert [x["success"] for x in res] == [True, False, True, False]
        assert res[1] == {
            "id": b["Id"],
            "success": False,
            "errors": [{"statusCode": "ENTITY_IS_DELETED", "message": "entity is deleted", "fields": []}],
        }
        assert res[3]["errors"][0] == {
            "statusCode": "MALFORMED_ID",
            "message": "malformed id junk",
            "fields": [],
        }
        c = contact(sandbox, AccountId=acc["Id"])
        res = api.delete(
            "composite/sobjects", params={"ids": f"{c['Id']},{b['Id']}", "allOrNone": "true"}
        ).json()
        assert res[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
        assert sandbox.state.sf_get("Contact", c["Id"]) is not None


def test_retrieve_many_by_id(sandbox) -> None:
    acc = account(sandbox)
    a = contact(sandbox, LastName="A", Email="a@example.com", AccountId=acc["Id"])
    private = contact(sandbox, "aadmin", LastName="Hidden")
    with sf_client(sandbox) as api:
        got = api.get(
            "composite/sobjects/Contact",
            params={"ids": f"{a['Id']},{private['Id']},{a['Id'][:15]}", "fields": "LastName,Email"},
        ).json()
        assert got[0] == {
            "attributes": {"type": "Contact", "url": f"{API}/sobjects/Contact/{a['Id']}"},
            "Id": a["Id"],
            "LastName": "A",
            "Email": "a@example.com",
        }
        assert got[1] is None and got[2]["Id"] == a["Id"]
        posted = api.post("composite/sobjects/Contact", json={"ids": [a["Id"]], "fields": ["Name"]}).json()
        assert posted[0]["Name"] == "A"
        r = api.get("composite/sobjects/Contact", params={"ids": a["Id"], "fields": "Nope"})
        assert r.status_code == 400 and error_of(r)["errorCode"] == "INVALID_FIELD"


def test_composite_with_references(sandbox) -> None:
    v = "/services/data/v67.0"
    with sf_client(sandbox) as api:
        used = sandbox.state.sf["api_usage"]
        r = api.post(
            "composite",
            json={
                "allOrNone": True,
                "compositeRequest": [
                    {
                        "method": "POST",
                        "url": f"{v}/sobjects/Account",
                        "referenceId": "acc",
                        "body": {"Name": "Initech"},
                    },
                    {
                        "method": "POST",
                        "url": f"{v}/sobjects/Contact",
                        "referenceId": "person",
                        "body": {"LastName": "Lumbergh", "AccountId": "@{acc.id}"},
                    },
                    {
                        "method": "GET",
                        "url": f"{v}/sobjects/Contact/@{{person.id}}?fields=Name,AccountId",
                        "referenceId": "read",
                    },
                    {
                        "method": "GET",
                        "url": f"{v}/query?q=SELECT+Id+FROM+Contact+WHERE+AccountId='@{{acc.id}}'",
                        "referenceId": "q",
                    },
                ],
            },
        )
        assert r.status_code == 200
        out = r.json()["compositeResponse"]
        assert [x["httpStatusCode"] for x in out] == [201, 201, 200, 200]
        assert [x["referenceId"] for x in out] == ["acc", "person", "read", "q"]
        acc_id = out[0]["body"]["id"]
        assert out[0]["httpHeaders"]["Location"] == f"{v}/sobjects/Account/{acc_id}"
        assert out[2]["body"]["AccountId"] == acc_id and out[2]["body"]["Name"] == "Lumbergh"
        assert out[3]["body"]["totalSize"] == 1
        assert r.headers["sforce-limit-info"] == f"api-usage={used + 1}/15000"  # one call for all four


def test_composite_all_or_none_rolls_back(sandbox) -> None:
    v = "/services/data/v67.0"
    with sf_client(sandbox) as api:
        out = api.post(
            "composite",
            json={
                "allOrNone": True,
                "compositeRequest": [
                    {
                        "method": "POST",
                        "url": f"{v}/sobjects/Account",
                        "referenceId": "acc",
                        "body": {"Name": "Kept?"},
                    },
                    {
                        "method": "POST",
                        "url": f"{v}/sobjects/Contact",
                        "referenceId": "bad",
                        "body": {"FirstName": "x"},
                    },
                    {"method": "GET", "url": f"{v}/limits", "referenceId": "after"},
                ],
            },
        ).json()["compositeResponse"]
        assert [x["httpStatusCode"] for x in out] == [400, 400, 400]
        assert out[1]["body"][0]["errorCode"] == "REQUIRED_FIELD_MISSING"
        assert out[0]["body"][0]["errorCode"] == "PROCESSING_HALTED"
        assert sandbox.state.sf["records"]["Account"] == {}
        loose = api.post(
            "composite",
            json={
                "compositeRequest": [
                    {
                        "method": "POST",
                        "url": f"{v}/sobjects/Contact",
                        "referenceId": "bad",
                        "body": {"FirstName": "x"},
                    },
                    {
                        "method": "PATCH",
                        "url": f"{v}/sobjects/Contact/@{{bad.id}}",
                        "referenceId": "next",
                        "body": {"Title": "x"},
                    },
                    {
                        "method": "POST",
                        "url": f"{v}/sobjects/Account",
                        "referenceId": "ok",
                        "body": {"Name": "Kept"},
                    },
                ]
            },
        ).json()["compositeResponse"]
        assert [x["httpStatusCode"] for x in loose] == [400, 400, 201]
        assert loose[1]["body"][0]["errorCode"] == "PROCESSING_HALTED"
        too_many = api.post(
            "composite",
            json={
                "compositeRequest": [
                    {"method": "GET", "url": f"{v}/limits", "referenceId": f"r{n}"} for n in range(26)
                ]
            },
        )
        assert too_many.status_code == 400
