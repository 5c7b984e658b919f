"""Salesforce REST on the sandbox with plain HTTP shaped by the public docs: versions, sessions,
the API limit, sObject rows, describe, conditional requests and private-contact visibility."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime

from salesforce_support import API, account, contact, error_of, sf_client, token_for, user_id

from sandbox.clock import parse_instant


def test_versions_need_no_session_and_carry_no_usage_header(sandbox) -> None:
    with sandbox.client() as c:
        r = c.get("/services/data/")
        assert c.get("/services/data").json() == r.json()
    assert r.status_code == 200 and "sforce-limit-info" not in r.headers
    by_version = {v["version"]: v for v in r.json()}
    assert by_version["67.0"] == {"label": "Summer '26", "url": "/services/data/v67.0", "version": "67.0"}
    assert by_version["66.0"]["label"] == "Spring '26"
    with sf_client(sandbox) as api:
        resources = api.get("").json()
        assert resources["sobjects"] == f"{API}/sobjects" and resources["query"] == f"{API}/query"
        r = api.get(f"{sandbox.base_url}/services/data/v99.0/limits")
        assert r.status_code == 404 and error_of(r)["errorCode"] == "NOT_FOUND"
        assert api.get(f"{sandbox.base_url}/services/data/v66.0/limits").status_code == 200


def test_calls_without_a_valid_session_get_401_invalid_session_id(sandbox) -> None:
    expected = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    with sandbox.client() as c:
        assert c.get(f"{API}/limits").json() == expected
        r = c.get(f"{API}/limits", headers={"Authorization": "Bearer 00Dxx!AQnope"})
        assert r.status_code == 401 and r.json() == expected
        assert "sforce-limit-info" not in r.headers
    tok = token_for(sandbox)["access_token"]
    with sf_client(sandbox, token=tok) as api:
        assert api.get("limits").status_code == 200
        sandbox.state.tokens.expire_access("salesforce")
        r = api.get("limits")
        assert r.status_code == 401 and r.json() == expected
    with sandbox.client() as c:  # the old "OAuth" scheme works like Bearer
        fresh = token_for(sandbox)["access_token"]
        assert c.get(f"{API}/limits", headers={"Authorization": f"OAuth {fresh}"}).status_code == 200


def test_every_call_counts_and_a_spent_limit_gets_403(sandbox) -> None:
    sandbox.state.sf["api_limit"] = 5
    with sf_client(sandbox) as api:
        first = api.get("limits")
        assert first.headers["sforce-limit-info"] == "api-usage=1/5"
        assert first.json()["DailyApiRequests"] == {"Max": 5, "Remaining": 4}
        assert api.get("sobjects/Contact/003Dm0000000zzzAAA").headers["sforce-limit-info"] == "api-usage=2/5"
        for n in (3, 4, 5):
            assert api.get("limits").headers["sforce-limit-info"] == f"api-usage={n}/5"
        spent = api.get("limits")
        assert spent.status_code == 403
        assert spent.json() == [
            {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
        ]
        assert spent.headers["sforce-limit-info"] == "api-usage=5/5"
    sandbox.state.clock.advance(24 * 3600)  # a new day, a new allowance (and a new session)
    with sf_client(sandbox) as api:
        assert api.get("limits").headers["sforce-limit-info"] == "api-usage=1/5"


def test_create_read_update_delete_a_contact(sandbox) -> None:
    acc = account(sandbox)
    with sf_client(sandbox) as api:
        r = api.post(
            "sobjects/Contact",
            json={
                "FirstName": "Ada",
                "LastName": "Lovelace",
                "Email": "ada@example.com",
                "AccountId": acc["Id"],
            },
        )
        assert r.status_code == 201
        new_id = r.json()["id"]
        assert r.json() == {"id": new_id, "success": True, "errors": []}
        assert new_id.startswith("003") and len(new_id) == 18
        assert r.headers["location"] == f"{API}/sobjects/Contact/{new_id}"

        got = api.get(f"sobjects/Contact/{new_id}").json()
        assert got["attributes"] == {"type": "Contact", "url": f"{API}/sobjects/Contact/{new_id}"}
        assert list(got)[0] == "attributes"
        assert got["Name"] == "Ada Lovelace" and got["OwnerId"] == user_id(sandbox)
        assert got["CreatedById"] == user_id(sandbox) and got["IsDeleted"] is False
        assert got["MailingCity"] is None
        assert got["CreatedDate"].endswith("+0000") and len(got["CreatedDate"]) == 28
        some = api.get(f"sobjects/contact/{new_id[:15]}", params={"fields": "email,LastName"}).json()
        assert some == {
            "attributes": got["attributes"],
            "Id": new_id,
            "Email": "ada@example.com",
            "LastName": "Lovelace",
        }

        sandbox.state.clock.advance(5)
        assert (
            api.patch(f"sobjects/Contact/{new_id}", json={"lastname": "King", "Title": ""}).status_code == 204
        )
        after = api.get(f"sobjects/Contact/{new_id}").json()
        assert after["Name"] == "Ada King" and after["Title"] is None
        assert after["LastModifiedDate"] > got["LastModifiedDate"]
        assert after["SystemModstamp"] == after["LastModifiedDate"]

        assert api.delete(f"sobjects/Contact/{new_id}").status_code == 204
        for method in ("GET", "PATCH", "DELETE"):
            gone = api.request(method, f"sobjects/Contact/{new_id}", json={} if method == "PATCH" else None)
            assert gone.status_code == 404
            assert error_of(gone) == {
                "errorCode": "ENTITY_IS_DELETED",
                "message": "entity is deleted",
                "fields": [],
            }


def test_ids_that_are_unknown_malformed_or_of_another_object(sandbox) -> None:
    acc = account(sandbox)
    good = contact(sandbox, AccountId=acc["Id"])["Id"]
    with sf_client(sandbox) as api:
        unknown = "003Dm00000zzzzzIAA"
        r = api.get(f"sobjects/Contact/{unknown[:15]}")
        assert r.status_code == 404 and error_of(r)["errorCode"] == "NOT_FOUND"
        bad_checksum = good[:15] + "AAA" if not good.endswith("AAA") else good[:15] + "BBB"
        r = api.patch(f"sobjects/Contact/{bad_checksum}", json={"Title": "x"})
        assert r.status_code == 400
        assert error_of(r) == {
            "errorCode": "MALFORMED_ID",
            "fields": ["Id"],
            "message": f"Contact ID: id value of incorrect type: {bad_checksum}",
        }
        r = api.get("sobjects/Contact/not-an-id")
        assert r.status_code == 404
        assert (
            error_of(r)["message"]
            == "Provided external ID field does not exist or is not accessible: not-an-id"
        )
        r = api.get(f"sobjects/Contact/{acc['Id']}")  # an Account id under Contact
        assert r.status_code == 404 and error_of(r)["errorCode"] == "NOT_FOUND"
        r = api.get("sobjects/Opportunity/006Dm0000000001AAA")
        assert r.status_code == 404 and error_of(r)["errorCode"] == "NOT_FOUND"
        r = api.put(f"sobjects/Contact/{good}", json={})
        assert r.status_code == 405 and error_of(r)["errorCode"] == "METHOD_NOT_ALLOWED"


def test_describe_publishes_the_schema(sandbox) -> None:
    with sf_client(sandbox) as api:
        d = api.get("sobjects/Contact/describe/").json()
        assert d["name"] == "Contact" and d["keyPrefix"] == "003" and d["createable"] is True
        assert d["urls"]["sobject"] == f"{API}/sobjects/Contact"
        fields = {f["name"]: f for f in d["fields"]}
        expected_lengths = {
            "FirstName": 40,
            "LastName": 80,
            "MiddleName": 40,
            "Suffix": 40,
            "Salutation": 40,
            "Email": 80,
            "Phone": 40,
            "MobilePhone": 40,
            "Title": 128,
            "Department": 80,
            "MailingStreet": 255,
            "MailingCity": 40,
            "MailingState": 80,
            "MailingPostalCode": 20,
            "MailingCountry": 80,
            "Description": 32000,
        }
        assert {n: fields[n]["length"] for n in expected_lengths} == expected_lengths
        last = fields["LastName"]
        assert (last["type"], last["nillable"], last["createable"], last["updateable"], last["label"]) == (
            "string",
            False,
            True,
            True,
            "Last Name",
        )
        assert fields["Email"]["type"] == "email" and fields["MailingStreet"]["type"] == "textarea"
        assert fields["Name"]["createable"] is False and fields["Name"]["updateable"] is False
        assert fields["AccountId"]["referenceTo"] == ["Account"]
        assert fields["AccountId"]["relationshipName"] == "Account"
        sal = fields["Salutation"]["picklistValues"]
        assert {
            "value": "Mr.",
            "label": "Mr.",
            "active": True,
            "defaultValue": False,
            "validFor": None,
        } in sal
        task = {f["name"]: f for f in api.get("sobjects/Task/describe").json()["fields"]}
        status = {p["value"]: p for p in task["Status"]["picklistValues"]}
        assert status["Not Started"]["defaultValue"] is True and task["Status"]["defaultedOnCreate"] is True
        event = {f["name"]: f for f in api.get("sobjects/Event/describe").json()["fields"]}
        assert event["ShowAs"]["restrictedPicklist"] is True and event["DurationInMinutes"]["type"] == "int"
        account_rel = api.get("sobjects/Account/describe").json()["childRelationships"]
        assert {
            "childSObject": "Contact",
            "field": "AccountId",
            "relationshipName": "Contacts",
        }.items() <= next(c for c in account_rel if c["childSObject"] == "Contact").items()

        glob = api.get("sobjects").json()
        names = {s["name"] for s in glob["sobjects"]}
        assert {
            "Account",
            "Contact",
            "Event",
            "Task",
            "User",
            "Campaign",
            "CampaignMember",
            "AccountTeamMember",
        } <= names
        assert glob["encoding"] == "UTF-8" and glob["maxBatchSize"] == 200
        basic = api.get("sobjects/Contact/").json()
        assert basic["objectDescribe"]["name"] == "Contact" and isinstance(basic["recentItems"], list)
        assert api.get("sobjects/Nope/describe").status_code == 404


def test_if_unmodified_since_guards_updates(sandbox) -> None:
    rec = contact(sandbox, AccountId=account(sandbox)["Id"])
    modified = parse_instant(rec["LastModifiedDate"])
    with sf_client(sandbox) as api:
        url = f"sobjects/Contact/{rec['Id']}"
        stale = format_datetime(modified - timedelta(minutes=5), usegmt=True)
        r = api.patch(url, json={"Title": "Stale"}, headers={"If-Unmodified-Since": stale})
        assert r.status_code == 412
        assert sandbox.state.sf_get("Contact", rec["Id"])["Title"] is None
        fresh = format_datetime(modified + timedelta(minutes=5), usegmt=True)
        assert (
            api.patch(url, json={"Title": "Fresh"}, headers={"If-Unmodified-Since": fresh}).status_code == 204
        )
        bad = api.patch(url, json={"Title": "x"}, headers={"If-Unmodified-Since": "yesterday-ish"})
        assert bad.status_code == 400
        got = api.get(url)
        assert got.headers["last-modified"]
        later = format_datetime(
            parse_instant(got.json()["LastModifiedDate"]) + timedelta(seconds=2), usegmt=True
        )
        assert api.get(url, headers={"If-Modified-Since": later}).status_code == 304


def test_account_rows_have_etags(sandbox) -> None:
    acc = account(sandbox)
    with sf_client(sandbox) as api:
        url = f"sobjects/Account/{acc['Id']}"
        etag = api.get(url).headers["etag"]
        assert api.get(url, headers={"If-None-Match": etag}).status_code == 304
        assert api.patch(url, json={"Phone": "+1"}, headers={"If-Match": '"other"'}).status_code == 412
        assert api.patch(url, json={"Phone": "+1"}, headers={"If-Match": etag}).status_code == 204
        assert api.get(url).headers["etag"] != etag


def test_datetimes_accept_offsets_and_come_back_in_utc_with_millis(sandbox) -> None:
    with sf_client(sandbox) as api:
        r = api.post(
            "sobjects/Event",
            json={
                "Subject": "Call",
                "StartDateTime": "2026-09-01T14:00:00+02:00",
                "EndDateTime": "2026-09-01T12:30:00Z",
            },
        )
        assert r.status_code == 201, r.text
        ev = api.get(f"sobjects/Event/{r.json()['id']}").json()
    assert ev["StartDateTime"] == "2026-09-01T12:00:00.000+0000"
    assert ev["EndDateTime"] == "2026-09-01T12:30:00.000+0000"
    assert ev["ActivityDateTime"] == ev["StartDateTime"]
    assert ev["DurationInMinutes"] == 30 and ev["ActivityDate"] == "2026-09-01"
    assert ev["ShowAs"] == "Busy" and ev["IsAllDayEvent"] is False


def test_private_contacts_are_for_their_owner_and_admins_only(sandbox) -> None:
    private = contact(sandbox, "mreyes", LastName="Private")
    url = f"sobjects/Contact/{private['Id']}"
    with sf_client(sandbox, "sokafor") as colleague:
        assert colleague.get(url).status_code == 404
        for method in ("PATCH", "DELETE"):
            r = colleague.request(method, url, json={"Title": "x"} if method == "PATCH" else None)
            assert r.status_code == 400
            assert error_of(r)["errorCode"] == "INSUFFICIENT_ACCESS_OR_READONLY"
        r = colleague.post(
            "sobjects/Event",
            json={
                "Subject": "x",
                "StartDateTime": "2026-09-01T10:00:00Z",
                "DurationInMinutes": 30,
                "WhoId": private["Id"],
            },
        )
        assert r.status_code == 400 and error_of(r)["errorCode"] == "INVALID_CROSS_REFERENCE_KEY"
    with sf_client(sandbox, "mreyes") as owner:
        assert owner.get(url).status_code == 200
    with sf_client(sandbox, "aadmin") as admin:
        assert admin.get(url).status_code == 200
        assert admin.patch(url, json={"Title": "Checked"}).status_code == 204
    # Related to an account, the contact is no longer private.
    sandbox.state.sf_update("Contact", private["Id"], {"AccountId": account(sandbox)["Id"]})
    with sf_client(sandbox, "sokafor") as colleague:
        assert colleague.get(url).status_code == 200
        assert colleague.patch(url, json={"Title": "Shared"}).status_code == 204


def test_deleting_an_account_deletes_its_contacts(sandbox) -> None:
    acc = account(sandbox)
    kid = contact(sandbox, AccountId=acc["Id"])
    with sf_client(sandbox) as api:
        assert api.delete(f"sobjects/Account/{acc['Id']}").status_code == 204
        assert error_of(api.get(f"sobjects/Contact/{kid['Id']}"))["errorCode"] == "ENTITY_IS_DELETED"
        r = api.delete(f"sobjects/User/{user_id(sandbox)}")
        assert r.status_code == 400 and error_of(r)["errorCode"] == "INVALID_TYPE_FOR_OPERATION"
