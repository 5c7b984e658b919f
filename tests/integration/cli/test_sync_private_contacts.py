"""Contacts created from Outlook under the "team" and "campaign" contact ranges, through the
command line over the sandbox's demo world. Such a contact reaches Salesforce as a private
contact (mine, on no account, in no campaign); it stays in range, so a later Salesforce edit
comes back to Outlook instead of unlinking it (and the twin guard then holding it forever)."""

from __future__ import annotations

import pytest
from test_sync_cli import contacts, duplicates, outlook_key, sf_key

from sandbox.seed import root_contact_folder
from sandbox.seed_demo import outlook_contact

pytestmark = pytest.mark.seed("demo")
EMAIL = "mira.jansen@harbourlight.example"


def sync(cli) -> tuple[int, dict]:
    code, doc, err = cli.run("sync", "--kind", "contacts", "--yes", "--json")
    assert doc is not None, err
    assert code in (0, 3), err  # 3: the demo world holds twins outside the range for the person
    return code, doc["kinds"]["contacts"]


def set_range(cli, scope: str) -> None:
    if scope == "campaign":
        campaign = next(iter(cli.sandbox.state.sf["records"]["Campaign"]))
        code, _, err = cli.run("settings", "set", "contacts.campaign_id", campaign, "--json")
        assert code == 0, err
    code, _, err = cli.run("settings", "set", "contacts.range", scope, "--json")
    assert code == 0, err


def sf_contacts_with(box, email: str) -> list[dict]:
    return [c for c in box.state.sf["records"]["Contact"].values() if (c.get("Email") or "").lower() == email]


def held_labels(kplan: dict) -> list[str]:
    return sorted(a["label"] for a in kplan["actions"] if a["op"] == "held")


@pytest.mark.parametrize("scope", ["team", "campaign"])
def test_a_contact_made_in_outlook_stays_in_step_after_an_edit_in_salesforce(cli, scope) -> None:
    box = cli.sandbox
    me = box.state.sf["me"]
    set_range(cli, scope)
    _, first = sync(cli)
    held_before = held_labels(first)
    assert not any("Jansen" in label for label in held_before)

    root = root_contact_folder(box.state)["id"]
    made = box.state.graph_create(
        "contacts",
        outlook_contact(
            given="Mira",
            surname="Jansen",
            emails=[EMAIL],
            company="Harbourlight Studio",
            job_title="Producer",
            folder_id=root,
        ),
        container=root,
    )
    _, created = sync(cli)
    assert created["counts"]["salesforce"]["create"] == 1, created["actions"]
    (sf,) = sf_contacts_with(box, EMAIL)
    assert sf["OwnerId"] == me and not sf.get("AccountId")  # a private contact

    # An edit in Salesforce (the person, in the browser) comes back to Outlook.
    box.state.sf_update(
        "Contact", sf["Id"], {"Title": "Executive Producer", "MobilePhone": "+31 6 1234 5678"}, user_id=me
    )
    _, edited = sync(cli)
    assert edited["counts"]["outlook"]["update"] == 1, edited["actions"]
    assert edited["counts"]["salesforce"] == {"create": 0, "update": 0, "delete": 0}
    outlook = box.state.graph["contacts"][made["id"]]
    assert outlook["jobTitle"] == "Executive Producer"
    assert outlook["mobilePhone"] == "+31 6 1234 5678"

    # Still linked: an Outlook edit goes to the same Salesforce contact; nothing is held,
    # nothing is made twice.
    box.state.graph_update("contacts", made["id"], {"department": "Film"})
    _, back = sync(cli)
    assert back["counts"]["salesforce"]["update"] == 1, back["actions"]
    assert [c["Id"] for c in sf_contacts_with(box, EMAIL)] == [sf["Id"]]
    assert box.state.sf_get("Contact", sf["Id"])["Department"] == "Film"
    assert held_labels(back) == held_before
    outlook_all, sf_all = contacts(box)
    assert duplicates(sf_all, sf_key) == [] and duplicates(outlook_all, outlook_key) == []
    code, plan, err = cli.run("sync", "--kind", "contacts", "--preview", "--json")
    assert code in (0, 3), err
    assert [a for a in plan["kinds"]["contacts"]["actions"] if a["op"] != "held"] == []


def test_a_private_contact_related_to_an_account_outside_my_team_is_unlinked_not_deleted(cli) -> None:
    """The documented edge of the rule: once related to an account, the team rule decides."""
    box = cli.sandbox
    me = box.state.sf["me"]
    set_range(cli, "team")
    sync(cli)
    root = root_contact_folder(box.state)["id"]
    made = box.state.graph_create(
        "contacts",
        outlook_contact(given="Mira", surname="Jansen", emails=[EMAIL], folder_id=root),
        container=root,
    )
    sync(cli)
    (sf,) = sf_contacts_with(box, EMAIL)
    team = {
        r["AccountId"] for r in box.state.sf["records"]["AccountTeamMember"].values() if r["UserId"] == me
    }
    other = next(a for a in box.state.sf["records"]["Account"] if a not in team)
    box.state.sf_update("Contact", sf["Id"], {"AccountId": other, "Title": "Moved"}, user_id=me)
    _, after = sync(cli)
    assert after["counts"]["outlook"] == {"create": 0, "update": 0, "delete": 0}, after["actions"]
    assert box.state.graph["contacts"][made["id"]]["jobTitle"] != "Moved"
    assert box.state.sf_get("Contact", sf["Id"]) is not None
    assert made["id"] in box.state.graph["contacts"]


def test_a_contact_unlinked_by_the_old_rule_is_paired_again_on_the_next_sync(cli, monkeypatch) -> None:
    """Someone who met the old rule (the contact left the range on its first Salesforce edit
    and was unlinked) is healed by the next sync: the range changed, so Salesforce is read in
    full, the contact is in range again and the pair is linked again, nothing made twice."""
    from sync.salesforce.source import SalesforceContacts, SalesforceSource

    box = cli.sandbox
    me = box.state.sf["me"]
    set_range(cli, "team")
    with monkeypatch.context() as old_rule:
        old_rule.setattr(SalesforceContacts, "range_conditions", SalesforceSource.range_conditions)
        sync(cli)
        root = root_contact_folder(box.state)["id"]
        made = box.state.graph_create(
            "contacts",
            outlook_contact(given="Mira", surname="Jansen", emails=[EMAIL], folder_id=root),
            container=root,
        )
        sync(cli)
        (sf,) = sf_contacts_with(box, EMAIL)
        box.state.sf_update("Contact", sf["Id"], {"Title": "Executive Producer"}, user_id=me)
        sync(cli)  # unlinked: the edit stays in Salesforce
        box.state.graph_update("contacts", made["id"], {"department": "Film"})
        _, stuck = sync(cli)
        assert not any("Jansen" in a["label"] for a in stuck["actions"])  # no longer kept in step
        assert box.state.graph["contacts"][made["id"]].get("jobTitle") != "Executive Producer"
        assert box.state.sf_get("Contact", sf["Id"]).get("Department") != "Film"
    _, healed = sync(cli)
    assert not any("Jansen" in label for label in held_labels(healed)), healed["actions"]
    assert [c["Id"] for c in sf_contacts_with(box, EMAIL)] == [sf["Id"]]
    assert box.state.graph["contacts"][made["id"]]["jobTitle"] == "Executive Producer"
    assert box.state.sf_get("Contact", sf["Id"])["Department"] == "Film"
    outlook_all, sf_all = contacts(box)
    assert duplicates(sf_all, sf_key) == [] and duplicates(outlook_all, outlook_key) == []
