"""Team and campaign contact ranges take in my private contacts (mine, on no account): a contact
created from Outlook arrives that way and must stay in range when it later changes in
Salesforce. Salesforce allows no semi-join under OR, so the range is asked as a union."""

from __future__ import annotations

from typing import Any

import pytest
from sf_world import _World

from sync.normalise import clean_record

pytestmark = pytest.mark.seed("demo")


def _scope_kw(world: _World, scope: str) -> dict[str, Any]:
    if scope != "campaign":
        return {"scope": scope}
    campaign = world.rest("GET", "query", params={"q": "SELECT Id FROM Campaign"}).json()["records"][0]["Id"]
    return {"scope": scope, "campaign_id": campaign}


@pytest.mark.parametrize("scope", ["team", "campaign"])
def test_a_contact_created_by_tandem_stays_in_range_after_an_edit_in_salesforce(world: _World, scope) -> None:
    kw = _scope_kw(world, scope)
    sam = next(
        u["Id"] for u in world.sandbox.state.sf["records"]["User"].values() if u.get("Alias") == "sokafor"
    )
    colleague = world.sandbox.state.sf_create(
        "Contact", {"LastName": "Colleague-Private", "OwnerId": sam}, user_id=sam
    )

    async def body() -> None:
        src = world.source("contacts", **kw)
        listing = await src.list_changes(None)
        assert colleague["Id"] not in {i.id for i in listing.items}  # private, but not mine
        (made,) = await src.create_many(
            [
                clean_record(
                    "contacts",
                    {"FirstName": "Mira", "LastName": "Jansen", "Email": "mira.jansen@harbourlight.example"},
                )
            ]
        )
        assert made.ok
        row = world.sandbox.state.sf_get("Contact", made.id)
        assert row["OwnerId"] == world.me and not row.get("AccountId")
        world.rest("PATCH", f"sobjects/Contact/{made.id}", json={"Title": "Executive Producer"})
        world.sandbox.state.sf_update("Contact", colleague["Id"], {"Title": "Not mine"}, user_id=sam)
        delta = await world.source("contacts", **kw).list_changes(listing.cursor)
        found = {i.id: i for i in delta.items}
        assert found[made.id].in_range and found[made.id].record["Title"] == "Executive Producer"
        assert colleague["Id"] not in found or not found[colleague["Id"]].in_range
        # A fresh listing (a rebuild) sees it too, once.
        again = await world.source("contacts", **kw).list_changes(None)
        ids = [i.id for i in again.items]
        assert ids.count(made.id) == 1 and len(ids) == len(set(ids))

    world.run(body)


def test_a_private_contact_related_to_an_account_off_my_team_leaves_the_team_range(world: _World) -> None:
    state = world.sandbox.state
    team = {
        r["AccountId"] for r in state.sf["records"]["AccountTeamMember"].values() if r["UserId"] == world.me
    }
    inside = next(iter(team))
    outside = next(a for a in state.sf["records"]["Account"] if a not in team)

    async def body() -> None:
        src = world.source("contacts", scope="team")
        listing = await src.list_changes(None)
        (made,) = await src.create_many([clean_record("contacts", {"LastName": "Jansen"})])
        world.rest("PATCH", f"sobjects/Contact/{made.id}", json={"AccountId": inside})
        delta = await world.source("contacts", scope="team").list_changes(listing.cursor)
        assert {i.id: i.in_range for i in delta.items}[made.id] is True
        world.rest("PATCH", f"sobjects/Contact/{made.id}", json={"AccountId": outside})
        later = await world.source("contacts", scope="team").list_changes(delta.cursor)
        assert {i.id: i.in_range for i in later.items}[made.id] is False

    world.run(body)


def test_the_team_range_is_asked_as_a_union_within_the_request_budget(world: _World) -> None:
    """A listing is one query per part of the range; a delta with one change
    asks each part of the range once more (ids already found in range are not asked again)."""

    async def body() -> None:
        src = world.source("contacts", scope="team")
        before = src.api_calls
        listing = await src.list_changes(None)
        assert src.api_calls - before == 1 + 2  # describe, one query per part
        (made,) = await src.create_many([clean_record("contacts", {"LastName": "Jansen"})])
        world.rest("PATCH", f"sobjects/Contact/{made.id}", json={"Title": "Edited"})
        delta_src = world.source("contacts", scope="team")
        delta = await delta_src.list_changes(listing.cursor)
        assert {i.id: i.in_range for i in delta.items}[made.id] is True
        # describe, deletions (the recycle bin: the window is under two minutes), changes,
        # each part of the range
        assert delta_src.api_calls == 1 + 2 + 2

    world.run(body)
