"""Event rules of the org: a private event relates to no contact or record, and an event
longer than a day needs the multi-day events feature."""

from __future__ import annotations

import pytest
from salesforce_support import contact, error_of, sf_client


@pytest.mark.doc(
    "https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_event.htm"
)
def test_a_private_event_refuses_a_who_id(sandbox) -> None:
    with sf_client(sandbox) as api:
        who = contact(sandbox)["Id"]
        base = {"Subject": "Dentist", "StartDateTime": "2026-09-01T10:00:00Z", "DurationInMinutes": 30}
        r = api.post("sobjects/Event", json={**base, "IsPrivate": True, "WhoId": who})
        assert r.status_code == 400 and error_of(r)["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"
        made = api.post("sobjects/Event", json={**base, "IsPrivate": True})
        assert made.status_code == 201
        r = api.patch(f"sobjects/Event/{made.json()['id']}", json={"WhoId": who})
        assert r.status_code == 400 and error_of(r)["fields"] == ["WhoId"]


@pytest.mark.doc(
    "https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_event.htm"
)
def test_an_event_longer_than_a_day_needs_multiday_events(sandbox) -> None:
    fair = {
        "Subject": "Fair",
        "IsAllDayEvent": True,
        "StartDateTime": "2026-09-10T00:00:00Z",
        "EndDateTime": "2026-09-13T00:00:00Z",
    }
    with sf_client(sandbox) as api:
        assert api.post("sobjects/Event", json=fair).status_code == 201
        sandbox.control("POST config", {"sf_org_features": "no-multiday-events"})
        r = api.post("sobjects/Event", json=fair)
        assert r.status_code == 400 and error_of(r)["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"
        one_day = {**fair, "EndDateTime": "2026-09-11T00:00:00Z"}
        assert api.post("sobjects/Event", json=one_day).status_code == 201


def _event(sandbox, subject: str, **extra) -> dict:
    """A row as the org holds it (child events and series rows are not made through the API)."""
    me = sandbox.state.sf["me"]
    fields = {
        "Subject": subject,
        "StartDateTime": "2026-09-02T10:00:00.000+0000",
        "EndDateTime": "2026-09-02T11:00:00.000+0000",
        "DurationInMinutes": 60,
        "ActivityDate": "2026-09-02",
        "OwnerId": me,
        **extra,
    }
    return sandbox.state.sf_create("Event", fields, user_id=me)


@pytest.mark.doc(
    "https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_event.htm"
)
def test_a_child_event_takes_changes_to_its_reminder_only(sandbox) -> None:
    child = _event(sandbox, "Colleague's review", IsChild=True)
    with sf_client(sandbox) as api:
        r = api.patch(f"sobjects/Event/{child['Id']}", json={"Subject": "Moved", "Location": "Room 2"})
        assert r.status_code == 400
        assert error_of(r)["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
        assert sorted(error_of(r)["fields"]) == ["Location", "Subject"]
        ok = api.patch(
            f"sobjects/Event/{child['Id']}",
            json={"IsReminderSet": True, "ReminderDateTime": "2026-09-02T09:45:00Z"},
        )
        assert ok.status_code == 204
        assert api.get(f"sobjects/Event/{child['Id']}").json()["Subject"] == "Colleague's review"


@pytest.mark.doc(
    "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_event_series_delete.htm"
)
def test_deleting_the_first_occurrence_of_a_lightning_series_deletes_the_series(sandbox) -> None:
    first = _event(
        sandbox, "Forecast", IsRecurrence2=True, Recurrence2PatternText="RRULE:FREQ=WEEKLY;COUNT=3"
    )
    first["_series"] = first["Id"]
    later = [_event(sandbox, "Forecast", IsRecurrence2=True) for _ in range(2)]
    for row in later:
        row["_series"] = first["Id"]
    single = _event(sandbox, "Forecast")
    with sf_client(sandbox) as api:
        fields = {f["name"] for f in api.get("sobjects/Event/describe").json()["fields"]}
        assert {"IsRecurrence2", "IsRecurrence2Exception", "Recurrence2PatternText"} <= fields
        # one later occurrence goes alone
        assert api.delete(f"sobjects/Event/{later[0]['Id']}").status_code == 204
        assert api.get(f"sobjects/Event/{later[1]['Id']}").status_code == 200
        # the first occurrence takes the whole series with it, and nothing else
        assert api.delete(f"sobjects/Event/{first['Id']}").status_code == 204
        assert api.get(f"sobjects/Event/{later[1]['Id']}").status_code == 404
        assert api.get(f"sobjects/Event/{single['Id']}").status_code == 200
