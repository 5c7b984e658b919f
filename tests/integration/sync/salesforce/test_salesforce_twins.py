"""``SalesforceContacts.existing_twins`` against the sandbox: before Tandem creates contacts in
a scoped Salesforce range, it looks their emails up outside the range, in few requests."""

from __future__ import annotations

import pytest
from sf_world import _World

from sync.normalise import clean_record
from sync.salesforce.client import chunks_by_length
from sync.salesforce.source import IDS_PER_QUERY, TWIN_QUERY_CHARS


@pytest.fixture
def world(sandbox):
    return _World(sandbox)


def people(sandbox):
    users = sandbox.state.sf["records"]["User"].values()
    return (
        next(u["Id"] for u in users if u.get("Alias") == "mreyes"),
        next(u["Id"] for u in users if u.get("Alias") == "sokafor"),
    )


def contact(email: str | None, last: str = "Doe") -> dict:
    return clean_record("contacts", {"LastName": last, "Email": email})


@pytest.mark.seed("demo")
def test_a_colleagues_contact_is_reported_with_its_owner_and_mine_are_not(world, sandbox) -> None:
    me, sam = people(sandbox)
    by_owner = {}
    for c in sandbox.state.sf["records"]["Contact"].values():
        if c.get("Email") and c.get("AccountId"):
            by_owner.setdefault(c["OwnerId"], c["Email"])
    theirs, mine = by_owner[sam], by_owner[me]
    source = world.source("contacts")
    sandbox.control("POST requests/reset")
    reasons = world.run(
        lambda: source.existing_twins(
            [contact(theirs.upper()), contact(mine), contact("nobody@example.com"), contact(None)]
        )
    )
    assert reasons[0] is not None and "outside your range (owned by Sam Okafor)" in reasons[0]
    assert reasons[1] is not None and "kept in step with another Outlook contact" in reasons[1]
    assert reasons[2] is None and reasons[3] is None
    assert sum(world.sf_requests().values()) == 1


@pytest.mark.seed("demo")
def test_the_team_range_tells_in_range_from_out_of_range_with_one_more_query(world, sandbox) -> None:
    me, sam = people(sandbox)
    records = sandbox.state.sf["records"]
    team = {r["AccountId"] for r in records["AccountTeamMember"].values() if r["UserId"] == me}
    outside = next(
        c
        for c in records["Contact"].values()
        if c.get("Email") and c.get("OwnerId") == me and c.get("AccountId") and c["AccountId"] not in team
    )
    # My private contacts (mine, on no account) are in the team range: how Outlook's arrive.
    private = next(
        c
        for c in records["Contact"].values()
        if c.get("Email") and c.get("OwnerId") == me and not c.get("AccountId")
    )
    source = world.source("contacts", scope="team")
    reason, kept = world.run(
        lambda: source.existing_twins([contact(outside["Email"]), contact(private["Email"])])
    )
    assert reason is not None and "outside your range (owned by Morgan" in reason
    assert kept is not None and "already exists in your range" in kept


@pytest.mark.seed("demo")
def test_the_all_range_asks_nothing(world, sandbox) -> None:
    source = world.source("contacts", scope="all")
    sandbox.control("POST requests/reset")
    assert world.run(lambda: source.existing_twins([contact("nadia.haddad@example.com")])) == [None]
    assert world.sf_requests() == {}


@pytest.mark.seed("empty")
def test_many_creates_are_looked_up_200_emails_a_query_five_queries_a_request(world, sandbox) -> None:
    me, sam = people(sandbox)
    account = sandbox.state.sf_create("Account", {"Name": "Sam's customer", "OwnerId": sam}, user_id=sam)
    for i in range(0, 1100, 100):  # every 100th exists, owned by the colleague (on an account:
        sandbox.state.sf_create(
            "Contact",
            {  # a contact without one would be private to him)
                "LastName": f"P{i}",
                "Email": f"person{i:05d}@example.com",
                "OwnerId": sam,
                "AccountId": account["Id"],
            },
            user_id=sam,
        )
    records = [contact(f"Person{i:05d}@Example.com", f"P{i}") for i in range(1100)]
    source = world.source("contacts")
    sandbox.control("POST requests/reset")
    reasons = world.run(lambda: source.existing_twins(records))
    assert [i for i, r in enumerate(reasons) if r] == list(range(0, 1100, 100))
    calls = world.sf_requests()
    # 1,100 emails: 6 queries of at most 200, sent as one composite of 5 and one plain query
    assert calls == {
        "POST /services/data/v{version}/composite": 1,
        "GET /services/data/v{version}/query": 1,
    }, calls


def test_long_emails_are_split_so_each_query_url_stays_short() -> None:
    emails = [f"{'x' * 70}{i}@example.com" for i in range(400)]
    chunks = chunks_by_length(emails, IDS_PER_QUERY, TWIN_QUERY_CHARS)
    assert [e for c in chunks for e in c] == emails
    assert all(len(c) <= IDS_PER_QUERY for c in chunks)
    assert len(chunks) > 400 // IDS_PER_QUERY  # the length limit, not the count, split them
    from urllib.parse import quote

    assert all(len(quote("'" + "','".join(c) + "'", safe="")) <= TWIN_QUERY_CHARS for c in chunks)


@pytest.mark.seed("demo")
def test_a_refused_query_in_a_composite_is_an_error_that_names_the_problem(world, sandbox) -> None:
    from sync.salesforce.client import SalesforceRequestFailed

    client = world.client()

    async def ask():
        return await client.query_many(["SELECT Id FROM Contact LIMIT 1", "SELECT Nope FROM Contact"])

    with pytest.raises(SalesforceRequestFailed) as caught:
        world.run(ask)
    assert "INVALID_FIELD" in caught.value.message and "Nope" in caught.value.message
    found = world.run(lambda: world.client().query_many(["SELECT Id FROM Account", "SELECT Id FROM User"]))
    assert len(found[0]) == len(sandbox.state.sf["records"]["Account"]) and len(found[1]) >= 2
