"""Graph contacts and contact folders over HTTPS, with requests shaped by the public docs
(``api-reference/v1.0/resources/contact.md``, ``concepts/delta-query-*``, ``errors.md``);
every payload is checked against the independent v1.0 schema subset."""

from __future__ import annotations

import httpx
import pytest
from graph_schema_check import assert_page, assert_valid, bearer, follow, graph_client

from sandbox import seed as seeding

PAVEL = {
    "givenName": "Pavel",
    "surname": "Bansky",
    "emailAddresses": [{"address": "pavelb@contoso.com", "name": "Pavel Bansky"}],
    "businessPhones": ["+1 732 555 0102"],
    "mobilePhone": "+1 732 555 0103",
    "companyName": "Contoso",
    "jobTitle": "Buyer",
    "businessAddress": {
        "street": "1 Main St",
        "city": "Redmond",
        "state": "WA",
        "postalCode": "98052",
        "countryOrRegion": "USA",
    },
    "categories": ["SF-Synced"],
}


@pytest.fixture
def graph(sandbox):
    with graph_client(sandbox) as client:
        yield client


def seed_contacts(sandbox, n: int, folder: str | None = None) -> list[dict]:
    state = sandbox.state
    folder = folder or seeding.root_contact_folder(state)["id"]
    return [
        state.graph_create(
            "contacts",
            {
                "givenName": f"Person{i:03d}",
                "surname": "Test",
                "displayName": f"Person{i:03d} Test",
                "emailAddresses": [{"name": f"p{i}", "address": f"p{i}@example.com"}],
                "parentFolderId": folder,
            },
            container=folder,
        )
        for i in range(n)
    ]


def assert_graph_error(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers.get("request-id")
    error = response.json()["error"]
    assert error["code"] == code, error
    assert error["message"]
    inner = error["innerError"]
    assert {"date", "request-id", "client-request-id"} <= set(inner)
    return error


# ----------------------------------------------------------------------- auth
def test_401_for_missing_unknown_and_expired_tokens(sandbox) -> None:
    with sandbox.client() as c:
        missing = c.get("/v1.0/me/contacts")
        assert_graph_error(missing, 401, "InvalidAuthenticationToken")
        assert missing.headers["www-authenticate"].startswith("Bearer")
        unknown = c.get("/v1.0/me/contacts", headers={"Authorization": "Bearer nonsense"})
        assert_graph_error(unknown, 401, "InvalidAuthenticationToken")
        token = bearer(sandbox)
        assert c.get("/v1.0/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        sandbox.state.tokens.expire_access("microsoft")
        expired = c.get("/v1.0/me", headers={"Authorization": f"Bearer {token}"})
        assert_graph_error(expired, 401, "InvalidAuthenticationToken")
        assert "www-authenticate" in expired.headers
        # A Salesforce token is no Graph token.
        sf, _ = sandbox.state.tokens.issue("salesforce", "005x", "c", "api", 3600)
        assert c.get("/v1.0/me", headers={"Authorization": f"Bearer {sf}"}).status_code == 401


def test_me_and_response_headers(sandbox, graph) -> None:
    r = graph.get("me", headers={"client-request-id": "abc-123"})
    assert r.status_code == 200
    assert r.headers["content-type"] == (
        "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
    )
    assert r.headers["odata-version"] == "4.0"
    assert r.headers["client-request-id"] == "abc-123" and r.headers["request-id"]
    me = r.json()
    assert me["id"] == sandbox.state.graph["user"]["id"]
    assert me["userPrincipalName"] and me["@odata.context"].endswith("$metadata#users/$entity")
    only = graph.get("me", params={"$select": "displayName"}).json()
    assert set(only) == {"@odata.context", "displayName", "id"}


# ----------------------------------------------------------------------- CRUD
def test_contact_create_read_update_delete(sandbox, graph, graph_schema) -> None:
    created = graph.post("me/contacts", json=PAVEL)
    assert created.status_code == 201, created.text
    body = created.json()
    assert_valid(graph_schema, "contact", body)
    assert body["@odata.context"].endswith("/contacts/$entity")
    assert body["displayName"] == "Pavel Bansky"  # Outlook composes it
    assert body["@odata.etag"] == f'W/"{body["changeKey"]}"'
    assert created.headers["etag"] == body["@odata.etag"]
    assert created.headers["location"].endswith(body["id"])
    assert body["parentFolderId"] == seeding.root_contact_folder(sandbox.state)["id"]
    assert body["createdDateTime"].endswith("Z") and body["homePhones"] == []
    assert body["businessAddress"]["city"] == "Redmond"

    got = graph.get(f"me/contacts/{body['id']}")
    assert got.status_code == 200 and got.json()["emailAddresses"] == PAVEL["emailAddresses"]
    assert_valid(graph_schema, "contact", got.json())

    patched = graph.patch(
        f"me/contacts/{body['id']}",
        json={"jobTitle": "Head of Buying", "emailAddresses": []},
        headers={"If-Match": body["@odata.etag"]},
    )
    assert patched.status_code == 200, patched.text
    new = patched.json()
    assert_valid(graph_schema, "contact", new)
    assert new["jobTitle"] == "Head of Buying" and new["emailAddresses"] == []
    assert new["changeKey"] != body["changeKey"] and new["@odata.etag"] != body["@odata.etag"]
    assert new["createdDateTime"] == body["createdDateTime"]

    renamed = graph.patch(f"me/contacts/{body['id']}", json={"givenName": "Pawel"}).json()
    assert renamed["displayName"] == "Pawel Bansky"

    assert graph.delete(f"me/contacts/{body['id']}").status_code == 204
    assert_graph_error(graph.get(f"me/contacts/{body['id']}"), 404, "ErrorItemNotFound")
    assert_graph_error(
        graph.patch(f"me/contacts/{body['id']}", json={"jobTitle": "x"}), 404, "ErrorItemNotFound"
    )
    assert_graph_error(graph.delete(f"me/contacts/{body['id']}"), 404, "ErrorItemNotFound")
    assert_graph_error(graph.get("me/contacts/not!an id"), 400, "ErrorInvalidIdMalformed")


def test_stale_if_match_gives_412(sandbox, graph) -> None:
    body = graph.post("me/contacts", json={"givenName": "Etag"}).json()
    first = graph.patch(
        f"me/contacts/{body['id']}", json={"surname": "One"}, headers={"If-Match": body["@odata.etag"]}
    )
    assert first.status_code == 200
    stale = graph.patch(
        f"me/contacts/{body['id']}", json={"surname": "Two"}, headers={"If-Match": body["@odata.etag"]}
    )
    error = assert_graph_error(stale, 412, "ErrorIrresolvableConflict")
    assert "change key" in error["message"]
    assert assert_graph_error(
        graph.delete(f"me/contacts/{body['id']}", headers={"If-Match": body["@odata.etag"]}),
        412,
        "ErrorIrresolvableConflict",
    )
    assert (
        graph.patch(
            f"me/contacts/{body['id']}", json={"surname": "Three"}, headers={"If-Match": "*"}
        ).status_code
        == 200
    )
    current = graph.get(f"me/contacts/{body['id']}").json()
    # A bare (strong-looking) etag value is compared by value, as Exchange does.
    assert (
        graph.delete(
            f"me/contacts/{body['id']}", headers={"If-Match": f'"{current["changeKey"]}"'}
        ).status_code
        == 204
    )


# --------------------------------------------------------------------- paging
def test_paging_default_top_and_skip(sandbox, graph, graph_schema) -> None:
    made = seed_contacts(sandbox, 25)
    first = graph.get("me/contacts").json()
    assert len(assert_page(graph_schema, "contact", first)) == 10
    assert "$skip=10" in first["@odata.nextLink"]
    assert first["@odata.nextLink"].startswith(sandbox.base_url + "/v1.0/me/contacts?")
    items, pages = follow(graph, "me/contacts")
    assert [len(p["value"]) for p in pages] == [10, 10, 5]
    assert sorted(i["id"] for i in items) == sorted(c["id"] for c in made)

    items, pages = follow(graph, "me/contacts?$top=7&$select=displayName")
    assert [len(p["value"]) for p in pages] == [7, 7, 7, 4]
    assert all("$top=7" in p["@odata.nextLink"] for p in pages[:-1])
    assert all(set(i) == {"@odata.etag", "id", "displayName"} for i in items)

    counted = graph.get("me/contacts", params={"$count": "true", "$top": "2"}).json()
    assert counted["@odata.count"] == 25 and len(counted["value"]) == 2
    big = graph.get("me/contacts", params={"$top": "1000"}).json()
    assert len(big["value"]) == 25 and "@odata.nextLink" not in big
    assert_graph_error(graph.get("me/contacts", params={"$top": "1001"}), 400, "ErrorInvalidUrlQuery")
    assert_graph_error(graph.get("me/contacts", params={"$top": "-1"}), 400, "BadRequest")
    assert_graph_error(graph.get("me/contacts", params={"$skip": "x"}), 400, "BadRequest")
    # Without the $ prefix, as v1.0 also accepts.
    assert len(graph.get("me/contacts", params={"top": "3"}).json()["value"]) == 3


def test_maxpagesize_preference_on_lists(sandbox, graph) -> None:
    seed_contacts(sandbox, 5)
    r = graph.get("me/contacts", headers={"Prefer": "odata.maxpagesize=2"})
    assert len(r.json()["value"]) == 2 and r.headers["preference-applied"] == "odata.maxpagesize=2"


def test_select_and_orderby(sandbox, graph) -> None:
    seed_contacts(sandbox, 3)
    r = graph.get("me/contacts", params={"$select": "givenName,emailAddresses", "$orderby": "givenName desc"})
    assert r.status_code == 200
    value = r.json()["value"]
    assert [v["givenName"] for v in value] == ["Person002", "Person001", "Person000"]
    assert set(value[0]) == {"@odata.etag", "id", "givenName", "emailAddresses"}
    assert r.json()["@odata.context"].endswith("contacts(givenName,emailAddresses)")
    assert_graph_error(
        graph.get("me/contacts", params={"$select": "givenName,shoeSize"}), 400, "RequestBroker--ParseUri"
    )
    assert_graph_error(
        graph.get("me/contacts", params={"$expand": "extensions"}), 400, "ErrorInvalidUrlQuery"
    )


def test_filter_by_email_address(sandbox, graph) -> None:
    seed_contacts(sandbox, 4)
    r = graph.get("me/contacts", params={"$filter": "emailAddresses/any(a:a/address eq 'P2@EXAMPLE.com')"})
    assert r.status_code == 200
    assert [c["givenName"] for c in r.json()["value"]] == ["Person002"]
    none = graph.get("me/contacts", params={"$filter": "emailAddresses/any(x:x/address eq 'nobody@x.org')"})
    assert none.json()["value"] == []
    quoted = graph.get(
        "me/contacts", params={"$filter": "emailAddresses/any(a:a/address eq 'o''brien@x.org')"}
    )
    assert quoted.status_code == 200
    for bad in (
        "startswith(displayName,'P')",
        "emailAddresses/any(a:a/name eq 'p1')",
        "emailAddresses/any(a:a/address gt 'a')",
    ):
        assert_graph_error(
            graph.get("me/contacts", params={"$filter": bad}), 400, "ErrorInvalidUrlQueryFilter"
        )


# -------------------------------------------------------------------- folders
def test_contact_folders(sandbox, graph, graph_schema) -> None:
    root = seeding.root_contact_folder(sandbox.state)["id"]
    assert graph.get("me/contactFolders").json()["value"] == []  # the root is not listed
    made = graph.post("me/contactFolders", json={"displayName": "Partners"})
    assert made.status_code == 201
    folder = made.json()
    assert_valid(graph_schema, "contactFolder", folder)
    assert folder["parentFolderId"] == root
    listed = graph.get("me/contactFolders").json()["value"]
    assert [f["displayName"] for f in listed] == ["Partners"]
    assert_valid(graph_schema, "contactFolder", listed[0])
    dup = graph.post("me/contactFolders", json={"displayName": "partners"})
    assert_graph_error(dup, 409, "ErrorFolderExists")
    by_name = graph.get("me/contactFolders", params={"$filter": "displayName eq 'Partners'"})
    assert [f["id"] for f in by_name.json()["value"]] == [folder["id"]]
    assert graph.get(f"me/contactFolders/{root}").json()["displayName"] == "Contacts"

    inside = graph.post(
        f"me/contactFolders/{folder['id']}/contacts", json={"givenName": "Ines", "surname": "Folder"}
    )
    assert inside.status_code == 201 and inside.json()["parentFolderId"] == folder["id"]
    cid = inside.json()["id"]
    graph.post("me/contacts", json={"givenName": "Root"})
    assert [c["givenName"] for c in graph.get("me/contacts").json()["value"]] == ["Root"]
    assert [c["givenName"] for c in graph.get(f"me/contactFolders/{root}/contacts").json()["value"]] == [
        "Root"
    ]
    assert [
        c["givenName"] for c in graph.get(f"me/contactFolders/{folder['id']}/contacts").json()["value"]
    ] == ["Ines"]
    # A contact is reachable through /me/contacts/{id} and its own folder, not another one.
    assert graph.get(f"me/contacts/{cid}").status_code == 200
    assert graph.get(f"me/contactFolders/{folder['id']}/contacts/{cid}").status_code == 200
    assert_graph_error(graph.get(f"me/contactFolders/{root}/contacts/{cid}"), 404, "ErrorItemNotFound")
    assert_graph_error(graph.get("me/contactFolders/AAMkUnknown="), 404, "ErrorItemNotFound")

    child = graph.post(f"me/contactFolders/{folder['id']}/childFolders", json={"displayName": "EMEA"}).json()
    assert child["parentFolderId"] == folder["id"]
    kids = graph.get(f"me/contactFolders/{folder['id']}/childFolders").json()["value"]
    assert [k["id"] for k in kids] == [child["id"]]
    assert (
        graph.post(
            f"me/contactFolders/{folder['id']}/childFolders/{child['id']}/contacts",
            json={"givenName": "Deep"},
        ).status_code
        == 201
    )


# ----------------------------------------------------------------- validation
@pytest.mark.parametrize(
    "payload,code,fragment",
    [
        (
            {"givenName": "A", "shoeSize": 42},
            "RequestBodyRead",
            "The property 'shoeSize' does not exist on type 'Microsoft.OutlookServices.Contact'",
        ),
        ({"givenName": 7}, "RequestBodyRead", "Edm.String"),
        ({"emailAddresses": "a@b.c"}, "RequestBodyRead", "'StartArray' node was expected"),
        (
            {"emailAddresses": [{"address": "a@b.c", "kind": "work"}]},
            "RequestBodyRead",
            "'kind' does not exist on type 'Microsoft.OutlookServices.EmailAddress'",
        ),
        ({"businessAddress": "1 Main St"}, "RequestBodyRead", "'StartObject' node was expected"),
        ({"categories": None}, "RequestBodyRead", "does not allow null values"),
        ({"birthday": "yesterday"}, "RequestBodyRead", "Edm.DateTimeOffset"),
        (
            {"emailAddresses": [{"address": f"{i}@x.org"} for i in range(4)]},
            "ErrorInvalidProperty",
            "EmailAddresses has 4 entries, that exceeds the max allowed value of 3",
        ),
        ({"businessPhones": ["1", "2", "3"]}, "ErrorInvalidProperty", "max allowed value of 2"),
    ],
)
def test_body_validation(sandbox, graph, payload, code, fragment) -> None:
    error = assert_graph_error(graph.post("me/contacts", json=payload), 400, code)
    assert fragment in error["message"]
    assert sandbox.state.graph["contacts"] == {}


def test_malformed_bodies(sandbox, graph) -> None:
    assert_graph_error(
        graph.post("me/contacts", content=b"{not json", headers={"Content-Type": "application/json"}),
        400,
        "BadRequest",
    )
    assert_graph_error(
        graph.post("me/contacts", content=b"", headers={"Content-Type": "application/json"}),
        400,
        "BadRequest",
    )
    assert_graph_error(graph.post("me/contacts", json=[PAVEL]), 400, "RequestBodyRead")
    ok = graph.post(
        "me/contacts",
        json={
            "@odata.type": "#microsoft.graph.contact",
            "givenName": "Typed",
            "id": "ignored",
            "changeKey": "ignored",
        },
    )
    assert ok.status_code == 201 and ok.json()["id"] != "ignored"


# ---------------------------------------------------------------------- delta
def test_contacts_delta_rounds(sandbox, graph, graph_schema) -> None:
    made = seed_contacts(sandbox, 5)
    r = graph.get(root_delta(sandbox), headers={"Prefer": "odata.maxpagesize=2"})
    assert r.status_code == 200 and r.headers["preference-applied"] == "odata.maxpagesize=2"
    assert r.json()["@odata.context"].endswith("$metadata#Collection(contact)")
    items, pages = follow(graph, root_delta(sandbox), headers={"Prefer": "odata.maxpagesize=2"})
    assert [len(p["value"]) for p in pages] == [2, 2, 1]
    for p in pages:
        assert_page(graph_schema, "contact", p)
    assert "$skiptoken=" in pages[0]["@odata.nextLink"]
    assert sorted(i["id"] for i in items) == sorted(c["id"] for c in made)
    delta_link = pages[-1]["@odata.deltaLink"]
    assert "$deltatoken=" in delta_link and "@odata.nextLink" not in pages[-1]

    # Nothing changed: an empty page with a new delta link.
    quiet = graph.get(delta_link).json()
    assert quiet["value"] == [] and quiet["@odata.deltaLink"]

    graph.patch(f"me/contacts/{made[0]['id']}", json={"jobTitle": "Changed"})
    graph.delete(f"me/contacts/{made[1]['id']}")
    added = graph.post("me/contacts", json={"givenName": "New"}).json()
    changes, pages = follow(graph, quiet["@odata.deltaLink"])
    for p in pages:
        assert_page(graph_schema, "contact", p)
    by_id = {c["id"]: c for c in changes}
    assert set(by_id) == {made[0]["id"], made[1]["id"], added["id"]}
    assert by_id[made[0]["id"]]["jobTitle"] == "Changed"
    assert by_id[made[1]["id"]]["@removed"] == {"reason": "deleted"}
    assert set(by_id[made[1]["id"]]) == {"@odata.type", "id", "@removed"}
    # The same delta link may be replayed and gives the same changes.
    again, _ = follow(graph, quiet["@odata.deltaLink"])
    assert {c["id"] for c in again} == set(by_id)


def test_delta_select_is_baked_into_the_token(sandbox, graph) -> None:
    seed_contacts(sandbox, 2)
    first = graph.get(root_delta(sandbox), params={"$select": "givenName"}).json()
    assert all(set(i) == {"@odata.type", "@odata.etag", "id", "givenName"} for i in first["value"])
    cid = first["value"][0]["id"]
    graph.patch(f"me/contacts/{cid}", json={"surname": "Later"})
    later = graph.get(first["@odata.deltaLink"]).json()["value"]
    assert [set(i) for i in later] == [{"@odata.type", "@odata.etag", "id", "givenName"}]


def test_delta_page_size_caps_at_200(sandbox, graph) -> None:
    seed_contacts(sandbox, 205)
    r = graph.get(root_delta(sandbox), headers={"Prefer": "odata.maxpagesize=500"})
    assert len(r.json()["value"]) == 200
    assert r.headers["preference-applied"] == "odata.maxpagesize=200"
    default = graph.get(root_delta(sandbox)).json()
    assert len(default["value"]) == 10 and "@odata.nextLink" in default


def test_delta_per_folder_and_expired_tokens(sandbox, graph) -> None:
    seed_contacts(sandbox, 2)
    folder = graph.post("me/contactFolders", json={"displayName": "Partners"}).json()
    graph.post(f"me/contactFolders/{folder['id']}/contacts", json={"givenName": "InFolder"})
    in_folder = graph.get(f"me/contactFolders/{folder['id']}/contacts/delta").json()
    assert [c["givenName"] for c in in_folder["value"]] == ["InFolder"]
    root = seeding.root_contact_folder(sandbox.state)["id"]
    in_root = graph.get(f"me/contactFolders/{root}/contacts/delta").json()
    assert len(in_root["value"]) == 2

    # A token of one folder is no token of another.
    token_url = in_folder["@odata.deltaLink"]
    wrong = token_url.replace(f"contactFolders/{folder['id']}", f"contactFolders/{root}")
    assert_graph_error(graph.get(wrong), 410, "SyncStateNotFound")
    forged = token_url.split("$deltatoken=")[0] + "$deltatoken=forged"
    assert_graph_error(graph.get(forged), 410, "SyncStateNotFound")
    assert graph.get(token_url).status_code == 200
    sandbox.state.graph["deltaTokens"].clear()  # what /_sandbox/delta/expire does
    assert_graph_error(graph.get(token_url), 410, "SyncStateNotFound")


def test_changes_made_while_paging_come_in_the_next_round(sandbox, graph) -> None:
    made = seed_contacts(sandbox, 4)
    first = graph.get(root_delta(sandbox), headers={"Prefer": "odata.maxpagesize=2"}).json()
    graph.patch(f"me/contacts/{made[3]['id']}", json={"jobTitle": "Mid-round"})
    rest, pages = follow(graph, first["@odata.nextLink"], headers={"Prefer": "odata.maxpagesize=2"})
    seen = {i["id"] for i in first["value"] + rest}
    assert seen <= {c["id"] for c in made}
    nxt, _ = follow(graph, pages[-1]["@odata.deltaLink"])
    assert [i["jobTitle"] for i in nxt if i["id"] == made[3]["id"]] == ["Mid-round"]


def test_paths_are_case_insensitive_and_users_me_works(sandbox, graph) -> None:
    folder = graph.post("me/contactFolders", json={"displayName": "Partners"}).json()
    user = sandbox.state.graph["user"]
    # Graph's own links spell segments in lower case; ids keep their case.
    lower = graph.get(f"me/contactfolders/{folder['id']}/contacts/delta")
    assert lower.status_code == 200, lower.text
    assert graph.get(f"users/{user['userPrincipalName']}/contactFolders/{folder['id']}").status_code == 200
    assert graph.get(f"users/{user['id']}/contacts").status_code == 200
    assert graph.get(f"me/contactFolders/{folder['id'].lower()}").status_code in (400, 404)


def test_head_requests_change_nothing(sandbox, graph) -> None:
    folder = graph.post("me/contactFolders", json={"displayName": "Keep"}).json()
    assert graph.head(f"me/contactFolders/{folder['id']}").status_code == 200
    assert graph.get(f"me/contactFolders/{folder['id']}").status_code == 200


def test_immutable_id_preference_is_echoed(sandbox, graph) -> None:
    r = graph.get("me/contacts", headers={"Prefer": 'IdType="ImmutableId"'})
    assert r.headers["preference-applied"] == 'IdType="ImmutableId"'
    both = graph.get(root_delta(sandbox), headers={"Prefer": 'IdType="ImmutableId", odata.maxpagesize=5'})
    assert set(both.headers["preference-applied"].split(", ")) == {
        'IdType="ImmutableId"',
        "odata.maxpagesize=5",
    }


def test_delta_items_carry_their_type(sandbox, graph) -> None:
    seed_contacts(sandbox, 1)
    item = graph.get(root_delta(sandbox)).json()["value"][0]
    assert item["@odata.type"] == "#microsoft.graph.contact" and item["@odata.etag"]


def test_birthday_is_normalised_to_a_utc_instant(sandbox, graph, graph_schema) -> None:
    made = graph.post("me/contacts", json={"givenName": "B", "birthday": "1980-05-01T00:00:00+02:00"})
    assert made.json()["birthday"] == "1980-04-30T22:00:00Z"
    assert_valid(graph_schema, "contact", made.json())
    bad = graph.post("me/contacts", json={"givenName": "B", "birthday": "1980-05-01"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "RequestBodyRead"


def root_delta(sandbox) -> str:
    """Contacts delta of the default folder, as v1.0 documents it (by the folder's id)."""
    return f"me/contactFolders/{seeding.root_contact_folder(sandbox.state)['id']}/contacts/delta"
