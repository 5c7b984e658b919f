"""Normalisation, content hash, field declarations and matching."""

from __future__ import annotations

import datetime as dt

import pytest
from sync_helpers import contact, item

from sync.fields import FIELDS, fields_from, fields_to, merge_units, spec
from sync.matching import match
from sync.normalise import check_for_salesforce, clean_record, compare_form, content_hash
from sync.records import decode_record, encode_record, label

UTC = dt.UTC


def test_clean_trims_text_and_turns_empty_into_none():
    r = clean_record(
        "contacts",
        {
            "FirstName": "  Ada ",
            "LastName": "Lovelace",
            "Title": "   ",
            "Description": "line one\r\nline two",
            "Unknown": "dropped",
        },
    )
    assert r["FirstName"] == "Ada" and r["Title"] is None and r["Description"] == "line one\nline two"
    assert "Unknown" not in r and set(r) == {f.name for f in FIELDS["contacts"]}


def test_clean_makes_instants_utc_to_the_second_and_refuses_naive_ones():
    paris = dt.timezone(dt.timedelta(hours=2))
    r = clean_record(
        "events",
        {
            "Subject": "QBR",
            "StartDateTime": dt.datetime(2026, 6, 1, 11, 0, 0, 123456, paris),
            "EndDateTime": dt.datetime(2026, 6, 1, 12, 0, tzinfo=paris),
        },
    )
    assert r["StartDateTime"] == dt.datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        clean_record("events", {"StartDateTime": dt.datetime(2026, 6, 1, 11, 0)})


def test_all_day_events_keep_dates_not_instants():
    start = dt.datetime(2026, 6, 1, 0, 0, tzinfo=UTC)
    r = clean_record(
        "events",
        {
            "Subject": "Offsite",
            "IsAllDayEvent": True,
            "StartDateTime": start,
            "EndDateTime": start + dt.timedelta(days=2),
        },
    )
    assert (r["ActivityDate"], r["DurationInMinutes"]) == (dt.date(2026, 6, 1), 2880)
    assert r["StartDateTime"] is None and r["EndDateTime"] is None
    timed = clean_record(
        "events",
        {
            "Subject": "Call",
            "StartDateTime": start,
            "EndDateTime": start,
            "ActivityDate": dt.date(2026, 6, 1),
            "DurationInMinutes": 60,
        },
    )
    assert timed["ActivityDate"] is None and timed["DurationInMinutes"] is None


def test_hash_ignores_case_of_emails_and_format_of_phones_but_not_real_changes():
    a = contact(Email="Ada@Example.COM", Phone="+1 (732) 555-0102")
    b = contact(Email="ada@example.com", Phone="+17325550102")
    assert content_hash("contacts", a) == content_hash("contacts", b)
    assert content_hash("contacts", a) != content_hash("contacts", contact(Phone="+1 732 555 0103"))
    assert content_hash("contacts", contact(Title="CEO")) != content_hash("contacts", contact(Title="ceo"))
    # national numbers need the region to parse; unparseable ones still compare by their digits
    assert compare_form("contacts", contact(Phone="020 7946 0000"), "GB")["Phone"] == "+442079460000"
    assert compare_form("contacts", contact(Phone="ext. 12-34"))["Phone"] == "1234"


def test_hash_covers_only_the_given_fields():
    a, b = contact(AccountName="Acme"), contact(AccountName="Globex")
    assert content_hash("contacts", a, fields_from("contacts", "outlook")) == content_hash(
        "contacts", b, fields_from("contacts", "outlook")
    )


def test_record_json_round_trip():
    r = clean_record(
        "tasks",
        {
            "Subject": "Call",
            "Status": "Completed",
            "ActivityDate": dt.date(2026, 1, 2),
            "IsReminderSet": True,
            "ReminderDateTime": dt.datetime(2026, 1, 2, 8, tzinfo=UTC),
        },
    )
    assert decode_record("tasks", encode_record(r)) == r


def test_field_declaration_directions():
    assert "AccountName" in fields_to("contacts", "outlook") and "AccountName" not in fields_to(
        "contacts", "salesforce"
    )
    assert "WhoEmail" in fields_to("events", "salesforce") and "WhoEmail" not in fields_to(
        "events", "outlook"
    )
    assert spec("contacts", "LastName").required and spec("contacts", "LastName").max_length == 80
    assert (
        "IsAllDayEvent",
        "StartDateTime",
        "EndDateTime",
        "ActivityDate",
        "DurationInMinutes",
    ) in merge_units("events")


def test_salesforce_checks_name_the_field():
    record = contact(MailingPostalCode="1" * 21)
    _, errors, _ = check_for_salesforce(
        "contacts", record, ["MailingPostalCode"], truncate=False, creating=False
    )
    assert [(e.code, e.field) for e in errors] == [("too_long", "MailingPostalCode")]
    start = dt.datetime(2026, 6, 1, tzinfo=UTC)
    event = clean_record(
        "events", {"Subject": "Trip", "StartDateTime": start, "EndDateTime": start + dt.timedelta(days=15)}
    )
    _, errors, _ = check_for_salesforce("events", event, ["EndDateTime"], truncate=True, creating=False)
    assert errors[0].code == "too_long_event"


def test_labels_for_people():
    assert label("contacts", contact()) == "Ada Lovelace <ada@example.com>"
    assert label("tasks", {"Subject": "Call", "ActivityDate": dt.date(2026, 1, 2)}) == "Call (due 2026-01-02)"


# -- matching -------------------------------------------------------------------------------------


def test_matching_rules_in_order():
    o = [
        item("O1", contact()),
        item("O2", contact(Email=None, FirstName="Alan", LastName="Turing", AccountName="GCHQ")),
        item("O3", contact(Email=None, FirstName="Grace", LastName="Hopper", AccountName="Navy")),
    ]
    s = [
        item("S1", contact(Email="ADA@EXAMPLE.COM")),
        item(
            "S2", contact(Email="alan@gchq.example", FirstName="alan", LastName="turing", AccountName="gchq")
        ),
        item("S3", contact(Email=None, FirstName="Grace", LastName="Hopper")),
    ]
    result = match("contacts", o, s)
    assert sorted((a.id, b.id, rule) for a, b, rule in result.pairs) == [
        ("O1", "S1", "email"),
        ("O2", "S2", "name_company"),
    ]
    assert result.counts_by_rule() == {"email": 1, "name_company": 1}
    # A first and last name alone is no documented rule: two people can share a name. The
    # candidate pair is held for the person, neither paired nor created.
    [held] = result.ambiguous
    assert (held.rule, [o.id for o in held.outlook], [s.id for s in held.salesforce]) == (
        "name",
        ["O3"],
        ["S3"],
    )
    assert result.outlook_unmatched == result.salesforce_unmatched == []


def test_name_only_never_pairs_two_different_emails():
    result = match(
        "contacts", [item("O1", contact(Email="a@x.com", Title=None))], [item("S1", contact(Email="b@y.com"))]
    )
    assert result.pairs == [] and len(result.outlook_unmatched) == len(result.salesforce_unmatched) == 1


def test_ambiguous_matches_are_held_not_guessed():
    result = match(
        "contacts", [item("O1", contact()), item("O2", contact(Title="Dr"))], [item("S1", contact())]
    )
    assert result.pairs == [] and result.outlook_unmatched == [] and result.salesforce_unmatched == []
    (group,) = result.ambiguous
    assert {i.id for i in group.outlook} == {"O1", "O2"} and [i.id for i in group.salesforce] == ["S1"]


def test_events_match_by_subject_start_end_and_tasks_by_subject_due():
    start = dt.datetime(2026, 6, 1, 9, tzinfo=UTC)
    ev = clean_record(
        "events", {"Subject": "QBR", "StartDateTime": start, "EndDateTime": start + dt.timedelta(hours=1)}
    )
    later = clean_record("events", {**ev, "EndDateTime": start + dt.timedelta(hours=2)})
    result = match("events", [item("O1", ev), item("O2", later)], [item("S1", {**ev, "Subject": "qbr "})])
    assert [(a.id, b.id) for a, b, _ in result.pairs] == [("O1", "S1")]
    task = clean_record(
        "tasks", {"Subject": "Call", "Status": "Not Started", "ActivityDate": dt.date(2026, 6, 1)}
    )
    assert len(match("tasks", [item("O1", task)], [item("S1", task)]).pairs) == 1
