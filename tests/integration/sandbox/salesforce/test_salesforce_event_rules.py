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
