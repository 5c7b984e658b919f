"""The console page for people at /_sandbox/, over HTTPS: both worlds listed, records added,
edited and deleted through its forms (with the bookkeeping of the real services), device
sign-ins approved, and everything escaped."""

from __future__ import annotations

import re

import pytest

from sandbox.seed import root_contact_folder, sf_user_by_alias

pytestmark = pytest.mark.seed("demo")


def outlook_contact_by_name(state, name: str) -> dict:
    return next(c for c in state.graph["contacts"].values() if c["displayName"] == name)


def sf_contact_by_name(state, name: str) -> dict:
    return next(c for c in state.sf["records"]["Contact"].values() if c["Name"] == name)


def pending_code(state, service: str, user_code: str) -> None:
    state.tokens.device_codes[f"dc-{user_code}"] = {
        "service": service,
        "user_code": user_code,
        "client_id": "tandem-test",
        "device_code": f"dc-{user_code}",
        "scope": "",
        "expires": state.now().timestamp() + 900,
        "approved_user": None,
        "declined": False,
    }


def test_main_page_shows_both_worlds_with_counts(sandbox) -> None:
    with sandbox.client() as c:
        r = c.get("/_sandbox/")
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/html")
        page = r.text
        assert "Tandem sandbox" in page and "a pretend Outlook and Salesforce on this computer" in page
        assert "Outlook <small>(Morgan Reyes's mailbox)</small>" in page
        assert "Salesforce <small>(Northwind demo org)</small>" in page
        assert "Yuki Tanaka" in page  # only in Outlook
        assert "Greta Lund" in page  # only in Salesforce (Sam's private contact)
        assert "26 contacts: 25 in Contacts, 1 in Partners" in page
        assert "40 contacts, 31 owned by Morgan Reyes, 5 private (no account)" in page
        assert "<script" not in page and "http://" not in page and "src=" not in page

        events = c.get("/_sandbox/", params={"kind": "events"}).text
        assert "Weekly pipeline review" in events and "Weekly on Monday, no end" in events
        assert "Team offsite (Potsdam)" in events  # Salesforce all-day event
        tasks = c.get("/_sandbox/", params={"kind": "tasks"}).text
        assert "Try the new CPQ tool" in tasks and "Quarterly CRM data cleanup" in tasks
        assert c.get("/_sandbox", follow_redirects=False).headers["location"] == "/_sandbox/"


def test_add_edit_delete_an_outlook_contact(sandbox) -> None:
    state = sandbox.state
    root = root_contact_folder(state)["id"]
    with sandbox.client() as c:
        r = c.post(
            "/_sandbox/console/outlook/contacts",
            data={
                "given": "Ada",
                "surname": "Kramer",
                "email": "ada.kramer@new-customer.example",
                "job_title": "Buyer",
                "company": "New Customer GmbH",
                "city": "Berlin",
                "folder": root,
            },
        )
        assert r.status_code == 303 and r.headers["location"].startswith("/_sandbox/?kind=contacts")
        ada = outlook_contact_by_name(state, "Ada Kramer")
        assert ada["emailAddresses"] == [{"name": "Ada Kramer", "address": "ada.kramer@new-customer.example"}]
        assert ada["_container"] == ada["parentFolderId"] == root
        assert ada["businessAddress"]["city"] == "Berlin"
        assert "Ada Kramer" in c.get(r.headers["location"]).text

        # Edit: a new job title and mobile; the change key moves on, other addresses stay.
        state.graph_update(
            "contacts",
            ada["id"],
            {"emailAddresses": ada["emailAddresses"] + [{"name": "Ada", "address": "ada@home.example"}]},
        )
        before_key, seq = ada["changeKey"], ada["_seq"]
        form = c.get(f"/_sandbox/console/outlook/contacts/{ada['id']}")
        assert form.status_code == 200 and 'value="Buyer"' in form.text
        r = c.post(
            f"/_sandbox/console/outlook/contacts/{ada['id']}",
            data={
                "given": "Ada",
                "surname": "Kramer",
                "email": "ada.kramer@new-customer.example",
                "job_title": "Head of Purchasing",
                "mobile": "+49 151 5550 0000",
                "company": "New Customer GmbH",
                "city": "Berlin",
            },
        )
        assert r.status_code == 303 and "Saved" in c.get(r.headers["location"]).text
        ada = state.graph["contacts"][ada["id"]]
        assert ada["jobTitle"] == "Head of Purchasing" and ada["mobilePhone"] == "+49 151 5550 0000"
        assert ada["changeKey"] != before_key and ada["@odata.etag"] == f'W/"{ada["changeKey"]}"'
        assert ada["_seq"] > seq
        assert [a["address"] for a in ada["emailAddresses"]] == [
            "ada.kramer@new-customer.example",
            "ada@home.example",
        ]

        # Saving without a change changes nothing.
        key = ada["changeKey"]
        c.post(
            f"/_sandbox/console/outlook/contacts/{ada['id']}",
            data={
                "given": "Ada",
                "surname": "Kramer",
                "email": "ada.kramer@new-customer.example",
                "job_title": "Head of Purchasing",
                "mobile": "+49 151 5550 0000",
                "company": "New Customer GmbH",
                "city": "Berlin",
            },
        )
        assert state.graph["contacts"][ada["id"]]["changeKey"] == key

        r = c.post(f"/_sandbox/console/outlook/contacts/{ada['id']}/delete")
        assert r.status_code == 303
        assert ada["id"] not in state.graph["contacts"]
        assert state.graph["tombstones"][-1]["id"] == ada["id"]
        gone = c.get(f"/_sandbox/console/outlook/contacts/{ada['id']}", follow_redirects=False)
        assert gone.status_code == 303 and "error=" in gone.headers["location"]


def test_add_edit_delete_a_salesforce_contact_as_the_colleague(sandbox) -> None:
    state = sandbox.state
    me = state.sf["me"]
    sam = sf_user_by_alias(state, "sokafor")["Id"]
    account = next(
        a for a in state.sf["records"]["Account"].values() if a["Name"] == "Nordlicht Payments GmbH"
    )
    with sandbox.client() as c:
        r = c.post(
            "/_sandbox/console/salesforce/contacts",
            data={
                "FirstName": "Bruno",
                "LastName": "Keller",
                "Email": "bruno.keller@nordlicht-pay.example",
                "Salutation": "Mr.",
                "AccountId": account["Id"],
                "OwnerId": me,
                "_acting": sam,
            },
        )
        assert r.status_code == 303
        bruno = sf_contact_by_name(state, "Bruno Keller")
        assert bruno["OwnerId"] == me and bruno["CreatedById"] == sam
        assert bruno["AccountId"] == account["Id"] and bruno["Id"].startswith("003")

        state.clock.advance(2)  # so the modstamp visibly moves on
        stamp = bruno["SystemModstamp"]
        r = c.post(
            f"/_sandbox/console/salesforce/contacts/{bruno['Id']}",
            data={
                "FirstName": "Bruno",
                "LastName": "Keller",
                "Email": "bruno.keller@nordlicht-pay.example",
                "Salutation": "Mr.",
                "Title": "Head of Treasury",
                "AccountId": "",
                "OwnerId": me,
                "_acting": sam,
            },
        )
        assert r.status_code == 303
        bruno = state.sf_get("Contact", bruno["Id"])
        assert bruno["Title"] == "Head of Treasury" and bruno["AccountId"] is None
        assert bruno["LastModifiedById"] == sam and bruno["SystemModstamp"] > stamp
        assert "changed" in c.get("/_sandbox/", params={"q": "keller"}).text

        r = c.post(f"/_sandbox/console/salesforce/contacts/{bruno['Id']}/delete")
        assert r.status_code == 303
        assert state.sf_get("Contact", bruno["Id"]) is None
        assert state.sf["deleted"]["Contact"][bruno["Id"]]["IsDeleted"] is True


def test_a_form_with_a_mistake_is_shown_again_and_changes_nothing(sandbox) -> None:
    state = sandbox.state
    before = len(state.sf["records"]["Contact"])
    with sandbox.client() as c:
        r = c.post(
            "/_sandbox/console/salesforce/contacts",
            data={"FirstName": "No", "LastName": "", "OwnerId": state.sf["me"]},
        )
        assert r.status_code == 400 and "LastName" in r.text and 'value="No"' in r.text
        lena = sf_contact_by_name(state, "Lena Vogt")
        r = c.post(
            f"/_sandbox/console/salesforce/contacts/{lena['Id']}",
            data={"LastName": "Vogt", "Title": "x" * 129, "OwnerId": lena["OwnerId"]},
        )
        assert r.status_code == 400 and "Salesforce allows 128" in r.text
    assert len(state.sf["records"]["Contact"]) == before
    assert sf_contact_by_name(state, "Lena Vogt")["Title"] == "VP Partnerships"


def test_edit_events_and_tasks_on_both_sides(sandbox) -> None:
    state = sandbox.state
    with sandbox.client() as c:
        dentist = next(e for e in state.graph["events"].values() if e["subject"] == "Dentist")
        key = dentist["changeKey"]
        r = c.post(
            f"/_sandbox/console/outlook/events/{dentist['id']}",
            data={
                "subject": "Dentist",
                "start": "2026-03-02T08:00",
                "end": "2026-03-02T09:15",
                "private": "on",
                "show_as": "busy",
            },
        )
        assert r.status_code == 303
        dentist = state.graph["events"][dentist["id"]]
        # Berlin is UTC+1 in March: the form's wall-clock time is stored as a UTC instant.
        assert dentist["start"] == {"dateTime": "2026-03-02T07:00:00.0000000", "timeZone": "UTC"}
        assert dentist["end"]["dateTime"] == "2026-03-02T08:15:00.0000000"
        assert dentist["sensitivity"] == "private" and dentist["changeKey"] != key

        offsite = next(
            e for e in state.sf["records"]["Event"].values() if e["Subject"] == "Team offsite (Potsdam)"
        )
        r = c.post(
            f"/_sandbox/console/salesforce/events/{offsite['Id']}",
            data={
                "Subject": "Team offsite (Potsdam)",
                "StartDateTime": "2026-06-10T00:00",
                "EndDateTime": "2026-06-11T00:00",
                "IsAllDayEvent": "on",
                "ShowAs": "OutOfOffice",
                "OwnerId": offsite["OwnerId"],
            },
        )
        assert r.status_code == 303
        offsite = state.sf_get("Event", offsite["Id"])
        assert offsite["ActivityDate"] == "2026-06-10" and offsite["DurationInMinutes"] == 2880
        assert offsite["IsAllDayEvent"] is True
        r = c.post(
            f"/_sandbox/console/salesforce/events/{offsite['Id']}",
            data={
                "Subject": "Too long",
                "StartDateTime": "2026-06-01T09:00",
                "EndDateTime": "2026-06-20T09:00",
                "ShowAs": "Busy",
                "OwnerId": offsite["OwnerId"],
            },
        )
        assert r.status_code == 400 and "14 days" in r.text

        task = next(t for t in state.graph["todoTasks"].values() if t["title"] == "Renew passport")
        etag = task["@odata.etag"]
        r = c.post(
            f"/_sandbox/console/outlook/tasks/{task['id']}",
            data={
                "title": "Renew passport",
                "status": "completed",
                "importance": "high",
                "due": "2026-12-01",
            },
        )
        assert r.status_code == 303
        task = state.graph["todoTasks"][task["id"]]
        assert task["status"] == "completed" and task["completedDateTime"]["dateTime"]
        assert task["dueDateTime"]["dateTime"].startswith("2026-12-01") and task["@odata.etag"] != etag

        r = c.post(
            "/_sandbox/console/salesforce/tasks",
            data={
                "Subject": "Call Lena about the renewal",
                "Status": "Completed",
                "Priority": "High",
                "ActivityDate": "2026-12-02",
                "OwnerId": state.sf["me"],
            },
        )
        assert r.status_code == 303
        made = next(
            t for t in state.sf["records"]["Task"].values() if t["Subject"] == "Call Lena about the renewal"
        )
        assert made["IsClosed"] and made["IsHighPriority"] and made["ActivityDate"] == "2026-12-02"


def test_approve_a_pending_device_code(sandbox) -> None:
    state = sandbox.state
    pending_code(state, "microsoft", "WXYZ-1234")
    pending_code(state, "salesforce", "SFSF-5678")
    sam = sf_user_by_alias(state, "sokafor")["Id"]
    with sandbox.client() as c:
        page = c.get("/_sandbox/").text
        assert "WXYZ-1234" in page and "SFSF-5678" in page and "Approve" in page
        assert "2 waiting" in page
        r = c.post("/_sandbox/console/device/approve", data={"user_code": "WXYZ-1234"})
        assert r.status_code == 303
        assert state.tokens.device_codes["dc-WXYZ-1234"]["approved_user"] == state.graph["user"]["id"]
        r = c.post("/_sandbox/console/device/approve", data={"user_code": "SFSF-5678", "user": sam})
        assert state.tokens.device_codes["dc-SFSF-5678"]["approved_user"] == sam
        signins = c.get(r.headers["location"]).text
        assert "now signed in as Sam Okafor" in signins and "SFSF-5678" not in signins
        again = c.post("/_sandbox/console/device/approve", data={"user_code": "WXYZ-1234"})
        assert "error=" in again.headers["location"]


def test_everything_shown_is_escaped_and_foreign_posts_are_refused(sandbox) -> None:
    state = sandbox.state
    root = root_contact_folder(state)["id"]
    state.graph_create(
        "contacts",
        {"displayName": "<script>alert(1)</script>", "givenName": "<b>x</b>", "emailAddresses": []},
        container=root,
    )
    with sandbox.client() as c:
        page = c.get("/_sandbox/").text
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert c.get("/_sandbox/", params={"msg": '"><img src=x>'}).text.count("<img") == 0
        lena = outlook_contact_by_name(state, "Lena Vogt")
        r = c.post(
            f"/_sandbox/console/outlook/contacts/{lena['id']}/delete",
            headers={"Origin": "https://evil.example"},
        )
        assert r.status_code == 403 and lena["id"] in state.graph["contacts"]


def test_start_over_from_the_console(sandbox) -> None:
    state = sandbox.state
    with sandbox.client() as c:
        r = c.post("/_sandbox/console/reset", data={"seed": "empty"})
        assert r.status_code == 303
        assert not state.graph["contacts"] and not state.sf["records"]["Contact"]
        assert "Nothing here." in c.get("/_sandbox/").text
        c.post("/_sandbox/console/reset", data={"seed": "demo"})
        assert len(state.sf["records"]["Contact"]) == 40


def test_large_lists_are_paged(sandbox) -> None:
    from sandbox import seed as seeding

    seeding.apply(sandbox.state, "scale:250,0,0")
    with sandbox.client() as c:
        page = c.get("/_sandbox/").text
        assert "Page 1 of 3" in page
        assert len(re.findall(r"<tr>", page)) <= 2 * 100 + 2
        last = c.get("/_sandbox/", params={"op": 3, "sp": 3}).text
        assert last.count("Page 3 of 3") == 4  # above and below each list
