"""Create/update validation: each error Salesforce gives a bad record, its code, message and
fields, and that no input at all makes the emulator answer 500."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from salesforce_support import account, contact, error_of, sf_client, user_id

from sandbox import ids

START = "2026-09-01T10:00:00Z"
LONG = "x" * 81
UNKNOWN_ACCOUNT = ids.sf_id("001", 987654)


def event(**fields) -> dict:
    return {"Subject": "Meeting", "StartDateTime": START, "DurationInMinutes": 30, **fields}


CASES = [
    ("Contact", {}, "REQUIRED_FIELD_MISSING", "Required fields are missing: [LastName]", ["LastName"]),
    (
        "Contact",
        {"LastName": ""},
        "REQUIRED_FIELD_MISSING",
        "Required fields are missing: [LastName]",
        ["LastName"],
    ),
    (
        "Contact",
        {"LastName": LONG},
        "STRING_TOO_LONG",
        f"Last Name: data value too large: {LONG} (max length=80)",
        ["LastName"],
    ),
    (
        "Contact",
        {"LastName": "A", "MailingPostalCode": "1" * 21},
        "STRING_TOO_LONG",
        f"Mailing Zip/Postal Code: data value too large: {'1' * 21} (max length=20)",
        ["MailingPostalCode"],
    ),
    (
        "Contact",
        {"LastName": "A", "Email": "not-an-email"},
        "INVALID_EMAIL_ADDRESS",
        "Email: invalid email address: not-an-email",
        ["Email"],
    ),
    (
        "Contact",
        {"LastName": "A", "Foo": 1},
        "INVALID_FIELD",
        "No such column 'Foo' on sobject of type Contact",
        None,
    ),
    (
        "Contact",
        {"LastName": "A", "Name": "A B"},
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        "Unable to create/update fields: Name. Please check the security settings of this field and verify "
        "that it is read/write for your profile or permission set.",
        ["Name"],
    ),
    (
        "Contact",
        {"LastName": "A", "Id": "003Dm0000000001AAA"},
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        "cannot specify Id in an insert call",
        ["Id"],
    ),
    (
        "Contact",
        {"LastName": "A", "Birthdate": "01/02/2000"},
        "JSON_PARSER_ERROR",
        "Cannot deserialize instance of date from VALUE_STRING value 01/02/2000 or request may be missing a "
        "required field",
        None,
    ),
    (
        "Contact",
        {"LastName": "A", "FirstName": {"a": 1}},
        "JSON_PARSER_ERROR",
        "Cannot deserialize instance of string from START_OBJECT value { or request may be missing a required "
        "field",
        None,
    ),
    (
        "Contact",
        {"LastName": "A", "AccountId": "001xyz"},
        "MALFORMED_ID",
        "Account ID: id value of incorrect type: 001xyz",
        ["AccountId"],
    ),
    (
        "Contact",
        {"LastName": "A", "AccountId": UNKNOWN_ACCOUNT},
        "INVALID_CROSS_REFERENCE_KEY",
        "invalid cross reference id",
        [],
    ),
    (
        "Event",
        event(ShowAs="Sleeping"),
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        "Show Time As: bad value for restricted picklist field: Sleeping",
        ["ShowAs"],
    ),
    (
        "Event",
        event(DurationInMinutes=15 * 24 * 60),
        "FIELD_INTEGRITY_EXCEPTION",
        "Duration must be between 0 and 20160 minutes: Duration",
        ["DurationInMinutes"],
    ),
    (
        "Event",
        {"Subject": "Long", "StartDateTime": START, "EndDateTime": "2026-09-16T10:00:01Z"},
        "FIELD_INTEGRITY_EXCEPTION",
        "Duration must be between 0 and 20160 minutes: Duration",
        ["DurationInMinutes"],
    ),
    (
        "Event",
        {"Subject": "Back", "StartDateTime": START, "EndDateTime": "2026-09-01T09:00:00Z"},
        "FIELD_INTEGRITY_EXCEPTION",
        "End Date Time cannot be earlier than Start Date Time: End Date Time",
        ["EndDateTime"],
    ),
    (
        "Event",
        {"Subject": "No start", "DurationInMinutes": 30},
        "REQUIRED_FIELD_MISSING",
        "Required fields are missing: [StartDateTime]",
        ["StartDateTime"],
    ),
    (
        "Event",
        {"Subject": "No end", "StartDateTime": START},
        "REQUIRED_FIELD_MISSING",
        "Required fields are missing: [DurationInMinutes]",
        ["DurationInMinutes"],
    ),
    (
        "Event",
        {"Subject": "All day", "IsAllDayEvent": True},
        "REQUIRED_FIELD_MISSING",
        "Required fields are missing: [ActivityDate]",
        ["ActivityDate"],
    ),
    (
        "Event",
        event(DurationInMinutes="half an hour"),
        "JSON_PARSER_ERROR",
        "Cannot deserialize instance of int from VALUE_STRING value half an hour or request may be missing a "
        "required field",
        None,
    ),
    (
        "Event",
        event(StartDateTime="next tuesday"),
        "JSON_PARSER_ERROR",
        "Cannot deserialize instance of datetime from VALUE_STRING value next tuesday or request may be "
        "missing a required field",
        None,
    ),
    (
        "Event",
        event(IsPrivate="maybe"),
        "JSON_PARSER_ERROR",
        "Cannot deserialize instance of boolean from VALUE_STRING value maybe or request may be missing a "
        "required field",
        None,
    ),
    (
        "Task",
        {"Subject": "x", "TaskSubtype": "Fax"},
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        "Task Subtype: bad value for restricted picklist field: Fax",
        ["TaskSubtype"],
    ),
    (
        "Task",
        {"Subject": "x", "IsClosed": True},
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        "Unable to create/update fields: IsClosed. Please check the security settings of this field and "
        "verify that it is read/write for your profile or permission set.",
        ["IsClosed"],
    ),
]


@pytest.mark.parametrize(
    "sobject, body, code, message, fields", CASES, ids=[f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(CASES)]
)
def test_bad_records_get_salesforce_s_errors(sandbox, sobject, body, code, message, fields) -> None:
    with sf_client(sandbox) as api:
        r = api.post(f"sobjects/{sobject}", json=body)
    assert r.status_code == 400, r.text
    expected = {"errorCode": code, "message": message}
    if fields is not None:
        expected["fields"] = fields
    assert error_of(r) == expected
    assert not sandbox.state.sf["records"][sobject] or sobject == "User"


def test_references_must_point_at_the_right_object(sandbox) -> None:
    with sf_client(sandbox) as api:
        r = api.post("sobjects/Contact", json={"LastName": "A", "AccountId": user_id(sandbox)})
        assert error_of(r) == {
            "errorCode": "FIELD_INTEGRITY_EXCEPTION",
            "fields": ["AccountId"],
            "message": f"Account ID: id value of incorrect type: {user_id(sandbox)}",
        }
        gone = account(sandbox)
        sandbox.state.sf_delete("Account", gone["Id"])
        r = api.post("sobjects/Contact", json={"LastName": "A", "AccountId": gone["Id"]})
        assert error_of(r)["errorCode"] == "ENTITY_IS_DELETED"
        ok = api.post(
            "sobjects/Contact",
            json={
                "LastName": "A",
                "AccountId": account(sandbox)["Id"][:15],
                "OwnerId": user_id(sandbox, "sokafor"),
            },
        )
        assert ok.status_code == 201
        stored = sandbox.state.sf_get("Contact", ok.json()["id"])
        assert len(stored["AccountId"]) == 18 and stored["OwnerId"] == user_id(sandbox, "sokafor")


def test_all_of_a_record_s_value_errors_come_together(sandbox) -> None:
    with sf_client(sandbox) as api:
        r = api.post("sobjects/Contact", json={"LastName": LONG, "Email": "nope"})
    assert r.status_code == 400
    assert [e["errorCode"] for e in r.json()] == ["STRING_TOO_LONG", "INVALID_EMAIL_ADDRESS"]


@pytest.mark.parametrize(
    "raw, start",
    [
        (
            b"{not json",
            "Unexpected character ('n' (code 110)): was expecting double-quote to start field name",
        ),
        (b"", "No content to map due to end-of-input"),
        (b'{"LastName": "A",}', "Unexpected character ('}' (code 125))"),
        (b'{"LastName": "A"', "Unexpected end-of-input"),
        (b"[1, 2]", "Cannot deserialize instance of Contact from START_ARRAY"),
    ],
)
def test_malformed_bodies_get_json_parser_error(sandbox, raw: bytes, start: str) -> None:
    with sf_client(sandbox) as api:
        r = api.post("sobjects/Contact", content=raw, headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    err = error_of(r)
    assert err["errorCode"] == "JSON_PARSER_ERROR" and err["message"].startswith(start), err


def test_update_rules(sandbox) -> None:
    rec = contact(sandbox, AccountId=account(sandbox)["Id"])
    url = f"sobjects/Contact/{rec['Id']}"
    with sf_client(sandbox) as api:
        r = api.patch(url, json={"Id": rec["Id"], "Title": "x"})
        assert error_of(r) == {
            "errorCode": "INVALID_FIELD",
            "message": "The Id field should not be specified in the sobject data.",
        }
        r = api.patch(url, json={"CreatedDate": "2026-01-01T00:00:00Z"})
        assert error_of(r)["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
        r = api.patch(url, json={"LastName": None})
        assert error_of(r) == {
            "errorCode": "REQUIRED_FIELD_MISSING",
            "fields": ["LastName"],
            "message": "Required fields are missing: [LastName]",
        }
        assert api.patch(url, json={"Email": None, "attributes": {"type": "Contact"}}).status_code == 204


def test_task_defaults_and_required_picklists(sandbox) -> None:
    with sf_client(sandbox) as api:
        r = api.post(
            "sobjects/Task", json={"Subject": "Call back", "Status": None, "ActivityDate": "2026-09-03"}
        )
        assert r.status_code == 201
        task = api.get(f"sobjects/Task/{r.json()['id']}").json()
        assert (task["Status"], task["Priority"], task["IsClosed"], task["OwnerId"]) == (
            "Not Started",
            "Normal",
            False,
            user_id(sandbox),
        )
        r = api.patch(f"sobjects/Task/{task['Id']}", json={"Status": None})
        assert error_of(r)["errorCode"] == "REQUIRED_FIELD_MISSING" and error_of(r)["fields"] == ["Status"]
        assert api.patch(f"sobjects/Task/{task['Id']}", json={"Status": "Completed"}).status_code == 204
        done = api.get(f"sobjects/Task/{task['Id']}").json()
        assert done["IsClosed"] is True and done["CompletedDateTime"]


def test_event_timing_rules_on_update(sandbox) -> None:
    with sf_client(sandbox) as api:
        ev = api.post("sobjects/Event", json=event(DurationInMinutes=90)).json()["id"]
        url = f"sobjects/Event/{ev}"
        assert api.patch(url, json={"StartDateTime": "2026-09-02T08:00:00Z"}).status_code == 204
        moved = api.get(url).json()
        assert (moved["EndDateTime"], moved["DurationInMinutes"]) == ("2026-09-02T09:30:00.000+0000", 90)
        r = api.patch(url, json={"EndDateTime": "2026-09-02T07:00:00Z"})
        assert error_of(r)["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"
        assert api.patch(url, json={"IsAllDayEvent": True, "ActivityDate": "2026-09-05"}).status_code == 204
        allday = api.get(url).json()
        assert (allday["ActivityDate"], allday["DurationInMinutes"], allday["StartDateTime"]) == (
            "2026-09-05",
            1440,
            "2026-09-05T00:00:00.000+0000",
        )
        two_days = api.post(
            "sobjects/Event",
            json={
                "Subject": "Fair",
                "IsAllDayEvent": True,
                "StartDateTime": "2026-09-10T00:00:00Z",
                "EndDateTime": "2026-09-12T00:00:00Z",
            },
        )
        assert two_days.status_code == 201
        assert sandbox.state.sf_get("Event", two_days.json()["id"])["DurationInMinutes"] == 2880


FIELD_NAMES = [
    "LastName",
    "FirstName",
    "Email",
    "Birthdate",
    "AccountId",
    "OwnerId",
    "Name",
    "Foo",
    "Salutation",
    "Description",
    "Id",
    "CreatedDate",
    "attributes",
]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=5,
)
BODIES = (
    st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=5), JSON_VALUES, max_size=5) | JSON_VALUES
)


def test_no_input_makes_it_answer_500(sandbox) -> None:
    with sf_client(sandbox) as api:

        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
        @given(body=BODIES)
        def check(body) -> None:
            for r in (
                api.post("sobjects/Contact", content=json.dumps(body)),
                api.post("composite/sobjects", json={"records": [body] if isinstance(body, dict) else body}),
            ):
                assert r.status_code in (200, 201, 400), r.text
                assert isinstance(r.json(), (list, dict))

        check()
        for raw in (b'{"LastName": NaN}', b'{"LastName": "A", "DurationInMinutes": 1e999}', b"\xff\xfe"):
            r = api.post("sobjects/Contact", content=raw)
            assert r.status_code == 400 and error_of(r)["errorCode"] == "JSON_PARSER_ERROR"
