"""SOQL over REST: paging with nextRecordsUrl, queryAll, COUNT(), query errors, the contact
ranges of BEHAVIOUR.md (mine, all, team, campaign) and who sees private contacts."""

from __future__ import annotations

import pytest
from salesforce_support import API, account, contact, error_of, sf_client, user_id


def ids_of(body: dict) -> set[str]:
    return {r["Id"] for r in body["records"]}


def test_paging_follows_next_records_url(sandbox) -> None:
    sandbox.state.config["query_batch_size"] = 4
    acc = account(sandbox)
    made = [contact(sandbox, LastName=f"P{n:02d}", AccountId=acc["Id"])["Id"] for n in range(10)]
    with sf_client(sandbox) as api:
        first = api.get("query/", params={"q": "SELECT Id, LastName FROM Contact ORDER BY LastName"})
        assert first.status_code == 200
        page = first.json()
        assert (page["totalSize"], page["done"], len(page["records"])) == (10, False, 4)
        locator = page["nextRecordsUrl"]
        assert locator.startswith(f"{API}/query/01g") and locator.endswith("-4")
        seen = [r["Id"] for r in page["records"]]
        while not page["done"]:
            page = api.get(f"{sandbox.base_url}{page['nextRecordsUrl']}").json()
            assert page["totalSize"] == 10
            seen += [r["Id"] for r in page["records"]]
        assert seen == made and "nextRecordsUrl" not in page
        assert page["records"][0]["attributes"]["type"] == "Contact"
        # Replaying a locator works; an unknown one is INVALID_QUERY_LOCATOR.
        assert api.get(f"{sandbox.base_url}{locator}").json()["records"][0]["LastName"] == "P04"
        bad = api.get("query/01gDm0000000999AAA-4")
        assert bad.status_code == 400 and error_of(bad) == {
            "errorCode": "INVALID_QUERY_LOCATOR",
            "message": "invalid query locator",
        }
    with sf_client(sandbox, "sokafor") as other:  # a locator is its opener's
        assert other.get(f"{sandbox.base_url}{locator}").status_code == 400
    sandbox.state.clock.advance(16 * 60)  # locators expire after 15 idle minutes
    with sf_client(sandbox) as api:
        assert error_of(api.get(f"{sandbox.base_url}{locator}"))["errorCode"] == "INVALID_QUERY_LOCATOR"


def test_batch_size_header_is_honoured_between_200_and_2000(sandbox) -> None:
    acc = account(sandbox)
    for n in range(450):
        sandbox.state.sf_create("Contact", {"LastName": f"B{n:03d}", "AccountId": acc["Id"]})
    with sf_client(sandbox) as api:
        sizes = []
        page = api.get(
            "query", params={"q": "SELECT Id FROM Contact"}, headers={"Sforce-Query-Options": "batchSize=200"}
        ).json()
        sizes.append(len(page["records"]))
        while not page["done"]:
            page = api.get(f"{sandbox.base_url}{page['nextRecordsUrl']}").json()
            sizes.append(len(page["records"]))
        assert sizes == [200, 200, 50]
        small = api.get(
            "query", params={"q": "SELECT Id FROM Contact"}, headers={"Sforce-Query-Options": "batchSize=10"}
        ).json()
        assert len(small["records"]) == 200  # below the minimum: 200
        whole = api.get("query", params={"q": "SELECT Id FROM Contact"}).json()
        assert whole["done"] is True and len(whole["records"]) == 450


def test_query_all_includes_deleted_rows_and_query_does_not(sandbox) -> None:
    acc = account(sandbox)
    keep = contact(sandbox, LastName="Keep", AccountId=acc["Id"])
    gone = contact(sandbox, LastName="Gone", AccountId=acc["Id"])
    with sf_client(sandbox) as api:
        assert api.delete(f"sobjects/Contact/{gone['Id']}").status_code == 204
        q = {"q": "SELECT Id, IsDeleted FROM Contact"}
        assert ids_of(api.get("query", params=q).json()) == {keep["Id"]}
        everything = api.get("queryAll", params=q).json()
        assert {r["Id"]: r["IsDeleted"] for r in everything["records"]} == {
            keep["Id"]: False,
            gone["Id"]: True,
        }
        only = api.get("queryAll/", params={"q": "SELECT Id FROM Contact WHERE IsDeleted = true"}).json()
        assert ids_of(only) == {gone["Id"]}
    sandbox.state.clock.advance(16 * 24 * 3600)  # the recycle bin keeps rows 15 days
    with sf_client(sandbox) as api:
        assert ids_of(api.get("queryAll", params=q).json()) == {keep["Id"]}


def test_count_and_relationships(sandbox) -> None:
    acc = account(sandbox, Name="Globex")
    for n in range(3):
        contact(sandbox, LastName=f"C{n}", AccountId=acc["Id"])
    with sf_client(sandbox) as api:
        count = api.get("query", params={"q": "SELECT COUNT() FROM Contact"}).json()
        assert count == {"totalSize": 3, "done": True, "records": []}
        rows = api.get(
            "query", params={"q": "SELECT Name, Account.Name, Owner.Alias FROM Contact LIMIT 1"}
        ).json()
        rec = rows["records"][0]
        assert rec["Account"]["Name"] == "Globex" and rec["Owner"]["Alias"] == "mreyes"
        assert rec["Account"]["attributes"]["type"] == "Account"


@pytest.mark.parametrize(
    "soql, code",
    [
        ("SELECT Id FROM", "MALFORMED_QUERY"),
        ("SELECT Id FROM Contact WHERE", "MALFORMED_QUERY"),
        ("SELECT Nope FROM Contact", "INVALID_FIELD"),
        ("SELECT Id FROM Nope", "INVALID_TYPE"),
        ("SELECT Id FROM Contact WHERE CreatedDate > '2026-01-01'", "INVALID_FIELD"),
    ],
)
def test_bad_queries_get_400_error_arrays(sandbox, soql: str, code: str) -> None:
    with sf_client(sandbox) as api:
        r = api.get("query", params={"q": soql})
    assert r.status_code == 400 and error_of(r)["errorCode"] == code


def test_a_query_needs_q(sandbox) -> None:
    with sf_client(sandbox) as api:
        r = api.get("query")
    assert r.status_code == 400 and error_of(r)["errorCode"] == "MALFORMED_QUERY"


@pytest.fixture
def ranges_world(sandbox) -> dict:
    """Morgan's and Sam's contacts on their accounts, an account team, a campaign, private ones."""
    me, sam = user_id(sandbox, "mreyes"), user_id(sandbox, "sokafor")
    mine_acc, sams_acc, other_acc = (
        account(sandbox, Name="Mine"),
        account(sandbox, "sokafor", Name="Team"),
        account(sandbox, "sokafor", Name="Other"),
    )
    s = sandbox.state
    s.sf_create(
        "AccountTeamMember", {"AccountId": sams_acc["Id"], "UserId": me, "TeamMemberRole": "Sales Rep"}
    )
    w = {
        "mine": contact(sandbox, "mreyes", LastName="Mine", AccountId=mine_acc["Id"]),
        "my_private": contact(sandbox, "mreyes", LastName="MyPrivate"),
        "team": contact(sandbox, "sokafor", LastName="OnTeamAccount", AccountId=sams_acc["Id"]),
        "other": contact(sandbox, "sokafor", LastName="Other", AccountId=other_acc["Id"]),
        "sams_private": contact(sandbox, "sokafor", LastName="SamsPrivate"),
    }
    campaign = s.sf_create("Campaign", {"Name": "Summit", "Status": "Planned"})
    for key in ("team", "other"):
        s.sf_create(
            "CampaignMember", {"CampaignId": campaign["Id"], "ContactId": w[key]["Id"], "Status": "Sent"}
        )
    w["campaign"], w["me"], w["sam"] = campaign, me, sam
    return {k: (v["Id"] if isinstance(v, dict) else v) for k, v in w.items()}


def test_contact_ranges_as_soql(sandbox, ranges_world: dict) -> None:
    w = ranges_world
    scopes = {
        "mine": f"SELECT Id FROM Contact WHERE OwnerId = '{w['me']}'",
        "all": "SELECT Id FROM Contact",
        "team": "SELECT Id FROM Contact WHERE AccountId IN "
        f"(SELECT AccountId FROM AccountTeamMember WHERE UserId = '{w['me']}')",
        "campaign": "SELECT Id FROM Contact WHERE Id IN "
        f"(SELECT ContactId FROM CampaignMember WHERE CampaignId = '{w['campaign']}')",
    }
    expected = {
        "mine": {w["mine"], w["my_private"]},
        "all": {w["mine"], w["my_private"], w["team"], w["other"]},
        "team": {w["team"]},
        "campaign": {w["team"], w["other"]},
    }
    with sf_client(sandbox) as api:
        for name, soql in scopes.items():
            r = api.get("query", params={"q": soql})
            assert r.status_code == 200, r.text
            assert ids_of(r.json()) == expected[name], name


def test_private_contacts_in_queries(sandbox, ranges_world: dict) -> None:
    w = ranges_world
    q = {"q": "SELECT Id FROM Contact WHERE AccountId = null"}
    with sf_client(sandbox, "mreyes") as owner:
        assert ids_of(owner.get("query", params=q).json()) == {w["my_private"]}
    with sf_client(sandbox, "sokafor") as colleague:
        assert ids_of(colleague.get("query", params=q).json()) == {w["sams_private"]}
        count = colleague.get("query", params={"q": "SELECT COUNT() FROM Contact"}).json()
        assert count["totalSize"] == 4
    with sf_client(sandbox, "aadmin") as admin:
        assert ids_of(admin.get("query", params=q).json()) == {w["my_private"], w["sams_private"]}
