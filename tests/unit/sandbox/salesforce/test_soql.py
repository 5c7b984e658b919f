"""The emulator's SOQL: grammar, binding, Salesforce's comparison rules and error codes."""

from __future__ import annotations

import string
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.salesforce import soql
from sandbox.salesforce.soql import SoqlError

NOW = datetime(2026, 9, 16, 10, 30, tzinfo=UTC)  # a Wednesday

_CHECKSUM = string.ascii_uppercase + "012345"


def sfid(prefix: str, n: int) -> str:
    """An 18-char Salesforce id with a valid checksum."""
    id15 = f"{prefix}Dm0{n:09d}"
    suffix = ""
    for chunk in range(3):
        bits = sum(1 << i for i, ch in enumerate(id15[chunk * 5 : chunk * 5 + 5]) if ch.isupper())
        suffix += _CHECKSUM[bits]
    return id15 + suffix


class TinySchema:
    FIELDS = {
        "User": {"Id": "id", "Name": "string", "Email": "email", "IsActive": "boolean"},
        "Account": {
            "Id": "id",
            "Name": "string",
            "Industry": "picklist",
            "OwnerId": "reference",
            "NumberOfEmployees": "int",
            "AnnualRevenue": "double",
        },
        "Contact": {
            "Id": "id",
            "FirstName": "string",
            "LastName": "string",
            "Email": "email",
            "AccountId": "reference",
            "OwnerId": "reference",
            "Birthdate": "date",
            "SystemModstamp": "datetime",
            "Description": "textarea",
            "HasOptedOutOfEmail": "boolean",
        },
        "AccountTeamMember": {
            "Id": "id",
            "AccountId": "reference",
            "UserId": "reference",
            "TeamMemberRole": "picklist",
        },
        "Event": {
            "Id": "id",
            "Subject": "string",
            "StartDateTime": "datetime",
            "ActivityDate": "date",
            "WhoId": "reference",
            "WhatId": "reference",
            "DurationInMinutes": "int",
        },
        "Task": {
            "Id": "id",
            "Subject": "string",
            "ActivityDate": "date",
            "Status": "picklist",
            "WhoId": "reference",
            "IsClosed": "boolean",
        },
        "CampaignMember": {"Id": "id", "ContactId": "reference", "Status": "picklist"},
    }
    RELATIONSHIPS = {
        ("Account", "Owner"): ("User", "OwnerId"),
        ("Contact", "Account"): ("Account", "AccountId"),
        ("Contact", "Owner"): ("User", "OwnerId"),
        ("AccountTeamMember", "Account"): ("Account", "AccountId"),
        ("AccountTeamMember", "User"): ("User", "UserId"),
        ("Event", "Who"): ("Contact", "WhoId"),
        ("Event", "What"): ("Account", "WhatId"),
        ("Task", "Who"): ("Contact", "WhoId"),
        ("CampaignMember", "Contact"): ("Contact", "ContactId"),
    }

    def object_names(self):
        return list(self.FIELDS)

    def fields(self, sobject):
        return dict(self.FIELDS[sobject])

    def relationship(self, sobject, name):
        return self.RELATIONSHIPS.get((sobject, name))


U1, U2 = sfid("005", 1), sfid("005", 2)
A1, A2, A3 = sfid("001", 1), sfid("001", 2), sfid("001", 3)
C1, C2, C3, C4, C5 = (sfid("003", n) for n in range(1, 6))
E1, E2, E3 = (sfid("00U", n) for n in range(1, 4))
T1, T2, T3, T4 = (sfid("00T", n) for n in range(1, 5))


def make_store() -> dict[str, list[dict]]:
    return {
        "User": [
            {"Id": U1, "Name": "Ada Admin", "Email": "ada@example.com", "IsActive": True},
            {"Id": U2, "Name": "Bob Builder", "Email": "bob@example.com", "IsActive": False},
        ],
        "Account": [
            {
                "Id": A1,
                "Name": "Acme",
                "Industry": "Tech",
                "OwnerId": U1,
                "NumberOfEmployees": 50,
                "AnnualRevenue": 1.5e6,
            },
            {
                "Id": A2,
                "Name": "Globex",
                "Industry": None,
                "OwnerId": U2,
                "NumberOfEmployees": 7,
                "AnnualRevenue": None,
            },
            {
                "Id": A3,
                "Name": "Hidden Co",
                "Industry": "Retail",
                "OwnerId": U1,
                "NumberOfEmployees": 1,
                "AnnualRevenue": 10.0,
            },
        ],
        "Contact": [
            {
                "Id": C1,
                "FirstName": "Ann",
                "LastName": "Smith",
                "Email": "ann@acme.com",
                "AccountId": A1,
                "OwnerId": U1,
                "Birthdate": "1990-05-01",
                "SystemModstamp": "2026-09-01T12:00:00.000+0000",
                "Description": 'It\'s a "quoted" line\nand a second',
                "HasOptedOutOfEmail": False,
            },
            {
                "Id": C2,
                "FirstName": None,
                "LastName": "o'brien",
                "Email": None,
                "AccountId": None,
                "OwnerId": U2,
                "Birthdate": None,
                "SystemModstamp": "2026-09-15T23:59:59.000+0000",
                "Description": None,
                "HasOptedOutOfEmail": True,
            },
            {
                "Id": C3,
                "FirstName": "bea",
                "LastName": "Jones",
                "Email": "bea@globex.com",
                "AccountId": A2,
                "OwnerId": U1,
                "Birthdate": "1985-12-24",
                "SystemModstamp": "2026-09-16T08:00:00.000+0000",
                "Description": "100% sure_thing",
                "HasOptedOutOfEmail": False,
            },
            {
                "Id": C4,
                "FirstName": "Cal",
                "LastName": "smith",
                "Email": "cal@hidden.com",
                "AccountId": A3,
                "OwnerId": U2,
                "Birthdate": "2000-01-01",
                "SystemModstamp": "2026-08-01T00:00:00.000+0000",
                "Description": "",
                "HasOptedOutOfEmail": False,
            },
            {
                "Id": C5,
                "FirstName": "Dee",
                "LastName": "Zed",
                "Email": "dee@acme.com",
                "AccountId": A1,
                "OwnerId": U1,
                "Birthdate": "1990-05-01",
                "SystemModstamp": "2026-09-16T10:29:59.000+0000",
                "Description": "100 percent",
                "HasOptedOutOfEmail": False,
            },
        ],
        "AccountTeamMember": [
            {"Id": sfid("01M", 1), "AccountId": A1, "UserId": U2, "TeamMemberRole": "Sales Rep"},
            {"Id": sfid("01M", 2), "AccountId": A3, "UserId": U2, "TeamMemberRole": "Support"},
            {"Id": sfid("01M", 3), "AccountId": A2, "UserId": U1, "TeamMemberRole": "Sales Rep"},
        ],
        "Event": [
            {
                "Id": E1,
                "Subject": "Kickoff",
                "StartDateTime": "2026-09-16T09:00:00.000+0000",
                "ActivityDate": "2026-09-16",
                "WhoId": C1,
                "WhatId": A1,
                "DurationInMinutes": 60,
            },
            {
                "Id": E2,
                "Subject": "Review",
                "StartDateTime": "2026-09-17T00:30:00.000+0000",
                "ActivityDate": "2026-09-17",
                "WhoId": None,
                "WhatId": None,
                "DurationInMinutes": 30,
            },
            {
                "Id": E3,
                "Subject": "Old",
                "StartDateTime": "2026-09-05T22:00:00.000+0000",
                "ActivityDate": "2026-09-05",
                "WhoId": C3,
                "WhatId": None,
                "DurationInMinutes": None,
            },
        ],
        "Task": [
            {
                "Id": T1,
                "Subject": "Call",
                "ActivityDate": "2026-09-15",
                "Status": "Completed",
                "WhoId": C1,
                "IsClosed": True,
            },
            {
                "Id": T2,
                "Subject": "Email",
                "ActivityDate": "2026-09-16",
                "Status": "Not Started",
                "WhoId": C2,
                "IsClosed": False,
            },
            {
                "Id": T3,
                "Subject": "Send quote",
                "ActivityDate": "2026-09-17",
                "Status": "Not Started",
                "WhoId": None,
                "IsClosed": False,
            },
            {
                "Id": T4,
                "Subject": "Someday",
                "ActivityDate": None,
                "Status": "Deferred",
                "WhoId": C3,
                "IsClosed": False,
            },
        ],
        "CampaignMember": [
            {"Id": sfid("00v", 1), "ContactId": C1, "Status": "Sent"},
            {"Id": sfid("00v", 2), "ContactId": C5, "Status": "Responded"},
        ],
    }


class Org:
    """The caller's view of a store: ``hidden`` ids are invisible, as with sharing rules."""

    def __init__(self, hidden: frozenset[str] = frozenset()) -> None:
        self.store = make_store()
        self.hidden = hidden
        self.schema = TinySchema()

    def rows(self, sobject):
        return [dict(r) for r in self.store[sobject] if r["Id"] not in self.hidden]

    def get(self, sobject, record_id):
        return next((dict(r) for r in self.rows(sobject) if r["Id"] == record_id), None)

    def query(self, text: str, **kw):
        return soql.execute(
            soql.parse(text), schema=self.schema, rows=self.rows, get=self.get, now=kw.pop("now", NOW), **kw
        )

    def ids(self, text: str, **kw) -> list[str]:
        return [r["Id"] for r in self.query(text, **kw)]


@pytest.fixture
def org() -> Org:
    return Org()


def error_of(fn, *args, **kw) -> SoqlError:
    with pytest.raises(SoqlError) as info:
        fn(*args, **kw)
    return info.value


# --------------------------------------------------------------------------------------------
# SELECT, output shape, names
# --------------------------------------------------------------------------------------------


def test_output_is_rest_shaped_in_select_order_with_canonical_names(org):
    records = org.query(f"select lastname, ID, email from CONTACT where id = '{C1}'")
    assert records == [
        {
            "attributes": {"type": "Contact", "url": f"/services/data/v67.0/sobjects/Contact/{C1}"},
            "LastName": "Smith",
            "Id": C1,
            "Email": "ann@acme.com",
        }
    ]
    assert list(records[0]) == ["attributes", "LastName", "Id", "Email"]
    assert records.total_size == 1


def test_api_version_goes_into_urls(org):
    [rec] = org.query(f"SELECT Account.Name FROM Contact WHERE Id = '{C1}'", api_version="62.0")
    assert rec["attributes"]["url"] == f"/services/data/v62.0/sobjects/Contact/{C1}"
    assert rec["Account"]["attributes"]["url"] == f"/services/data/v62.0/sobjects/Account/{A1}"


def test_without_order_by_rows_keep_their_input_order(org):
    assert org.ids("SELECT Id FROM Contact") == [C1, C2, C3, C4, C5]


def test_keywords_are_case_insensitive_and_whitespace_free_form(org):
    text = "sElEcT Id\n\tFrOm Contact\r\n wHeRe LastName = 'Zed' oRdEr By Id AsC nUlLs LaSt LiMiT 1 oFfSeT 0"
    assert org.ids(text) == [C5]


def test_validate_returns_the_bound_query_with_canonical_names():
    bound = soql.validate(soql.parse("SELECT account.NAME, lastname FROM contact"), TinySchema())
    assert bound.sobject == "Contact"
    assert [f.parts for f in bound.fields] == [("Account", "Name"), ("LastName",)]
    assert soql.bind(bound, TinySchema()) is bound
    assert soql.parse("SELECT Id FROM contact").sobject == "contact"


def test_object_name_and_alias_may_prefix_fields(org):
    assert org.ids("SELECT Contact.Id FROM Contact WHERE Contact.LastName = 'Zed'") == [C5]
    [rec] = org.query(f"SELECT c.LastName, c.Account.Name FROM Contact c WHERE c.Id = '{C1}'")
    assert rec["LastName"] == "Smith" and rec["Account"]["Name"] == "Acme"


def test_count_returns_total_size_and_no_records(org):
    result = org.query("SELECT COUNT() FROM Contact WHERE AccountId != null")
    assert result == [] and result.total_size == 4
    assert soql.parse("select count() from Contact").is_count
    assert org.query("SELECT count() FROM Contact LIMIT 2").total_size == 2


# --------------------------------------------------------------------------------------------
# Parent relationships
# --------------------------------------------------------------------------------------------


def test_parent_fields_nest_like_the_rest_api(org):
    records = org.query(
        "SELECT Id, Account.Name, account.industry, Owner.Email FROM Contact "
        f"WHERE Id IN ('{C1}', '{C2}') ORDER BY Id"
    )
    assert records[0] == {
        "attributes": {"type": "Contact", "url": f"/services/data/v67.0/sobjects/Contact/{C1}"},
        "Id": C1,
        "Account": {
            "attributes": {"type": "Account", "url": f"/services/data/v67.0/sobjects/Account/{A1}"},
            "Name": "Acme",
            "Industry": "Tech",
        },
        "Owner": {
            "attributes": {"type": "User", "url": f"/services/data/v67.0/sobjects/User/{U1}"},
            "Email": "ada@example.com",
        },
    }
    assert records[1]["Account"] is None
    assert records[1]["Owner"]["Email"] == "bob@example.com"


def test_two_level_parent_path(org):
    [rec] = org.query(f"SELECT Account.Owner.Name, Account.Name FROM Contact WHERE Id = '{C3}'")
    assert rec["Account"] == {
        "attributes": {"type": "Account", "url": f"/services/data/v67.0/sobjects/Account/{A2}"},
        "Owner": {
            "attributes": {"type": "User", "url": f"/services/data/v67.0/sobjects/User/{U2}"},
            "Name": "Bob Builder",
        },
        "Name": "Globex",
    }


def test_polymorphic_who_follows_the_schema_target(org):
    records = org.query("SELECT Subject, Who.Email, What.Name FROM Event ORDER BY Subject")
    assert [
        (r["Subject"], r["Who"] and r["Who"]["Email"], r["What"] and r["What"]["Name"]) for r in records
    ] == [("Kickoff", "ann@acme.com", "Acme"), ("Old", "bea@globex.com", None), ("Review", None, None)]


def test_parent_the_caller_cannot_see_is_null():
    org = Org(hidden=frozenset({A3}))
    [rec] = org.query(f"SELECT Account.Name FROM Contact WHERE Id = '{C4}'")
    assert rec["Account"] is None
    assert org.ids(f"SELECT Id FROM Contact WHERE Account.Name = null AND Id = '{C4}'") == [C4]


def test_filter_and_order_on_parent_fields(org):
    assert org.ids("SELECT Id FROM Contact WHERE Account.Name = 'acme'") == [C1, C5]
    assert org.ids("SELECT Id FROM Contact WHERE Account.Owner.Name LIKE 'bob%'") == [C3]
    assert org.ids("SELECT Id FROM Contact ORDER BY Account.Name DESC, LastName") == [C4, C3, C1, C5, C2]


# --------------------------------------------------------------------------------------------
# WHERE: operators, values, logic
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "where, expected",
    [
        ("LastName = 'smith'", [C1, C4]),
        ("LastName != 'Smith'", [C2, C3, C5]),
        ("LastName <> 'SMITH'", [C2, C3, C5]),
        ("LastName < 'k'", [C3]),
        ("LastName > 'S'", [C1, C4, C5]),
        ("LastName <= 'jones'", [C3]),
        ("LastName >= 'smith'", [C1, C4, C5]),
        ("LastName IN ('zed', 'JONES', 'nobody')", [C3, C5]),
        ("LastName NOT IN ('zed', 'jones')", [C1, C2, C4]),
        ("LastName LIKE 'sm%'", [C1, C4]),
        ("LastName LIKE '_ed'", [C5]),
        ("LastName LIKE '%E%'", [C2, C3, C5]),
        ("LastName LIKE 'Smith'", [C1, C4]),
        ("Description LIKE '100\\% %'", [C3]),
        ("Description LIKE '%sure\\_t%'", [C3]),
        ("Description LIKE '100_%'", [C3, C5]),
        ("Description LIKE '%second'", [C1]),
    ],
)
def test_comparison_operators_on_text(org, where, expected):
    assert org.ids(f"SELECT Id FROM Contact WHERE {where}") == expected


@pytest.mark.parametrize(
    "where, expected",
    [
        ("NumberOfEmployees = 7", [A2]),
        ("NumberOfEmployees > 5", [A1, A2]),
        ("NumberOfEmployees >= 7.0", [A1, A2]),
        ("NumberOfEmployees < +7", [A3]),
        ("NumberOfEmployees <= -1", []),
        ("NumberOfEmployees IN (1, 50)", [A1, A3]),
        ("AnnualRevenue > 100.5", [A1]),
        ("AnnualRevenue < 1e3", None),
        ("AnnualRevenue = null", [A2]),
        ("AnnualRevenue != null", [A1, A3]),
        ("AnnualRevenue < 100", [A3]),
        ("Industry = null", [A2]),
    ],
)
def test_numbers_and_null(org, where, expected):
    if expected is None:
        assert error_of(org.query, f"SELECT Id FROM Account WHERE {where}").error_code == "MALFORMED_QUERY"
        return
    assert org.ids(f"SELECT Id FROM Account WHERE {where}") == expected


def test_booleans(org):
    assert org.ids("SELECT Id FROM Contact WHERE HasOptedOutOfEmail = TRUE") == [C2]
    assert org.ids("SELECT Id FROM Contact WHERE HasOptedOutOfEmail != true") == [C1, C3, C4, C5]
    assert org.ids("SELECT Id FROM Contact WHERE HasOptedOutOfEmail = false") == [C1, C3, C4, C5]


def test_null_is_a_value_not_unknown(org):
    # != and NOT IN keep null rows; range operators and LIKE never match null.
    assert org.ids("SELECT Id FROM Contact WHERE FirstName != 'Ann'") == [C2, C3, C4, C5]
    assert org.ids("SELECT Id FROM Contact WHERE FirstName NOT IN ('Ann', 'bea')") == [C2, C4, C5]
    assert org.ids("SELECT Id FROM Contact WHERE FirstName < 'z'") == [C1, C3, C4, C5]
    assert org.ids("SELECT Id FROM Contact WHERE NOT FirstName LIKE 'a%'") == [C2, C3, C4, C5]
    assert org.ids("SELECT Id FROM Contact WHERE FirstName IN ('Ann', null)") == [C1, C2]
    assert org.ids("SELECT Id FROM Contact WHERE FirstName = null") == [C2]


def test_empty_string_means_null(org):
    assert org.ids("SELECT Id FROM Contact WHERE Email = ''") == [C2]
    assert org.ids("SELECT Id FROM Contact WHERE Description = null") == [C2, C4]  # stored '' too
    assert org.ids("SELECT Id FROM Contact WHERE AccountId != ''") == [C1, C3, C4, C5]


def test_and_or_not_and_parentheses(org):
    q = "SELECT Id FROM Contact WHERE "
    assert org.ids(q + "LastName = 'smith' AND FirstName = 'cal'") == [C4]
    assert org.ids(q + "LastName = 'zed' OR FirstName = 'ann' OR Email = null") == [C1, C2, C5]
    assert org.ids(q + f"(LastName = 'smith' OR LastName = 'zed') AND AccountId = '{A1}'") == [C1, C5]
    assert org.ids(q + "LastName = 'smith' AND (FirstName = 'cal' OR FirstName = 'ann')") == [C1, C4]
    assert org.ids(q + "NOT LastName = 'smith'") == [C2, C3, C5]
    assert org.ids(q + "NOT (LastName = 'smith' OR LastName = 'zed')") == [C2, C3]
    assert org.ids(q + "((((LastName = 'zed'))))") == [C5]


def test_mixing_and_with_or_needs_parentheses(org):
    err = error_of(
        soql.parse, "SELECT Id FROM Contact WHERE LastName = 'a' AND FirstName = 'b' OR Email = null"
    )
    assert err.error_code == "MALFORMED_QUERY"
    assert err.detail == "unexpected token: 'OR'"


def test_string_escapes(org):
    assert org.ids("SELECT Id FROM Contact WHERE LastName = 'O\\'Brien'") == [C2]
    assert org.ids(
        "SELECT Id FROM Contact WHERE Description = 'It\\'s a \\\"quoted\\\" line\\nand a second'"
    ) == [C1]
    assert org.ids("SELECT Id FROM Contact WHERE LastName = '\\u005Aed'") == [C5]
    lit = soql.parse("SELECT Id FROM Contact WHERE LastName = 'a\\\\b\\tc'").where.value
    assert lit.value == "a\\b\tc"
    err = error_of(soql.parse, "SELECT Id FROM Contact WHERE LastName = 'bad\\q'")
    assert err.error_code == "MALFORMED_QUERY" and "Illegal character sequence '\\q'" in err.detail


def test_double_quotes_and_bind_variables_are_malformed():
    assert error_of(soql.parse, 'SELECT Id FROM Contact WHERE LastName = "x"').error_code == "MALFORMED_QUERY"
    err = error_of(soql.parse, "SELECT Id FROM Contact WHERE LastName = :name")
    assert err.detail == "Bind variables only allowed in Apex Code"


def test_ids_match_in_15_and_18_character_form(org):
    assert org.ids(f"SELECT Id FROM Contact WHERE Id = '{C3[:15]}'") == [C3]
    assert org.ids(f"SELECT Id FROM Contact WHERE AccountId IN ('{A1[:15]}', '{A2}')") == [C1, C3, C5]
    # 15-char ids are case-sensitive
    assert org.ids(f"SELECT Id FROM Contact WHERE Id = '{C3[:15].lower()}'") == []


def test_malformed_id_literal_is_an_invalid_filter(org):
    err = error_of(org.query, "SELECT Id FROM Contact WHERE AccountId = 'abc'")
    assert (err.error_code, err.detail) == ("INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: abc")
    bad_checksum = C1[:15] + "ZZZ"
    assert (
        error_of(org.query, f"SELECT Id FROM Contact WHERE Id = '{bad_checksum}'").error_code
        == "INVALID_QUERY_FILTER_OPERATOR"
    )
    err = error_of(org.query, "SELECT Id FROM Contact WHERE Id LIKE '003%'")
    assert (err.error_code, err.detail) == ("INVALID_QUERY_FILTER_OPERATOR", "invalid operator on id field")


# --------------------------------------------------------------------------------------------
# Dates and datetimes
# --------------------------------------------------------------------------------------------


def test_date_fields_compare_as_dates(org):
    assert org.ids("SELECT Id FROM Contact WHERE Birthdate = 1990-05-01") == [C1, C5]
    assert org.ids("SELECT Id FROM Contact WHERE Birthdate > 1989-12-31") == [C1, C4, C5]
    assert org.ids("SELECT Id FROM Contact WHERE Birthdate <= 1985-12-24") == [C3]
    assert org.ids("SELECT Id FROM Contact WHERE Birthdate IN (2000-01-01, 1985-12-24)") == [C3, C4]


@pytest.mark.parametrize(
    "literal",
    [
        "2026-09-16T08:00:00Z",
        "2026-09-16T08:00:00.000Z",
        "2026-09-16T08:00:00.000+0000",
        "2026-09-16T10:00:00+02:00",
        "2026-09-16T10:00:00.000+0200",
        "2026-09-16T01:00:00-07:00",
        "2026-09-15T20:30:00-11:30",
    ],
)
def test_datetime_literals_are_instants_whatever_the_offset(org, literal):
    assert org.ids(f"SELECT Id FROM Contact WHERE SystemModstamp = {literal}") == [C3]
    assert org.ids(f"SELECT Id FROM Contact WHERE SystemModstamp > {literal}") == [C5]
    assert org.ids(f"SELECT Id FROM Contact WHERE SystemModstamp < {literal}") == [C1, C2, C4]


def test_stored_datetimes_in_other_offsets_compare_as_instants():
    org = Org()
    org.store["Contact"][0]["SystemModstamp"] = "2026-09-16T10:00:00.000+0200"  # = 08:00Z
    assert org.ids("SELECT Id FROM Contact WHERE SystemModstamp = 2026-09-16T08:00:00Z") == [C1, C3]


@pytest.mark.parametrize(
    "where, label, quoting",
    [
        ("Birthdate = 2026-09-01T00:00:00Z", "date", "should not"),
        ("Birthdate > '2026-09-01'", "date", "should not"),
        ("SystemModstamp > 2026-09-01", "dateTime", "should not"),
        ("SystemModstamp > '2026-09-01T00:00:00Z'", "dateTime", "should not"),
        ("HasOptedOutOfEmail = 'true'", "boolean", "should not"),
        ("HasOptedOutOfEmail = 1", "boolean", "should not"),
        ("LastName = 5", "string", "should"),
        ("LastName = TODAY", "string", "should"),
        ("AccountId = 5", "id", "should"),
    ],
)
def test_literal_of_the_wrong_type_is_an_invalid_field(org, where, label, quoting):
    err = error_of(org.query, f"SELECT Id FROM Contact WHERE {where}")
    assert err.error_code == "INVALID_FIELD"
    field = where.split()[0]
    assert err.detail == (
        f"value of filter criterion for field '{field}' must be of type {label} "
        f"and {quoting} be enclosed in quotes"
    )


def test_number_literal_for_int_field_must_not_be_quoted(org):
    err = error_of(org.query, "SELECT Id FROM Account WHERE NumberOfEmployees = '5'")
    assert err.detail == (
        "value of filter criterion for field 'NumberOfEmployees' must be of type integer "
        "and should not be enclosed in quotes"
    )


def test_impossible_dates_are_malformed():
    assert (
        error_of(soql.parse, "SELECT Id FROM Contact WHERE Birthdate = 2026-02-30").error_code
        == "MALFORMED_QUERY"
    )
    assert (
        error_of(soql.parse, "SELECT Id FROM Contact WHERE SystemModstamp = 2026-09-01T25:00:00Z").error_code
        == "MALFORMED_QUERY"
    )


def test_today_yesterday_tomorrow_on_date_fields(org):
    q = "SELECT Subject FROM Task WHERE ActivityDate "
    subjects = lambda where: [r["Subject"] for r in org.query(q + where)]  # noqa: E731
    assert subjects("= TODAY") == ["Email"]
    assert subjects("= yesterday") == ["Call"]
    assert subjects("= Tomorrow") == ["Send quote"]
    assert subjects("> TODAY") == ["Send quote"]
    assert subjects(">= TODAY") == ["Email", "Send quote"]
    assert subjects("< TODAY") == ["Call"]
    assert subjects("<= TODAY") == ["Call", "Email"]
    assert subjects("!= TODAY") == ["Call", "Send quote", "Someday"]


def test_relative_literals_on_datetime_fields_use_utc_days(org):
    q = "SELECT Id FROM Contact WHERE SystemModstamp "
    assert org.ids(q + "= TODAY") == [C3, C5]
    assert org.ids(q + "= YESTERDAY") == [C2]
    assert org.ids(q + "< TODAY") == [C1, C2, C4]
    assert org.ids(q + "> YESTERDAY") == [C3, C5]
    assert org.ids(q + "= TOMORROW") == []


def test_last_and_next_n_days(org):
    # LAST_N_DAYS:n is today and the n days before; NEXT_N_DAYS:n starts tomorrow.
    q = "SELECT Id FROM Contact WHERE SystemModstamp = "
    assert org.ids(q + "LAST_N_DAYS:1") == [C2, C3, C5]
    assert org.ids(q + "LAST_N_DAYS:15") == [C1, C2, C3, C5]
    assert org.ids(q + "LAST_N_DAYS:0") == [C3, C5]
    assert org.ids("SELECT Id FROM Contact WHERE SystemModstamp < LAST_N_DAYS:15") == [C4]
    assert [
        r["Subject"] for r in org.query("SELECT Subject FROM Task WHERE ActivityDate = NEXT_N_DAYS:1")
    ] == ["Send quote"]
    assert [
        r["Subject"] for r in org.query("SELECT Subject FROM Event WHERE ActivityDate = next_n_days:30")
    ] == ["Review"]
    assert org.ids("SELECT Id FROM Event WHERE StartDateTime > NEXT_N_DAYS:0") == [E2]


def test_relative_dates_follow_the_injected_now(org):
    later = datetime(2026, 9, 17, 0, 0, tzinfo=UTC)
    assert [
        r["Subject"] for r in org.query("SELECT Subject FROM Task WHERE ActivityDate = TODAY", now=later)
    ] == ["Send quote"]
    naive = datetime(2026, 9, 15, 12, 0)
    assert [
        r["Subject"] for r in org.query("SELECT Subject FROM Task WHERE ActivityDate = TODAY", now=naive)
    ] == ["Call"]


def test_calendar_unit_literals(org):
    q = "SELECT Id FROM Contact WHERE SystemModstamp = "
    assert org.ids(q + "THIS_MONTH") == [C1, C2, C3, C5]
    assert org.ids(q + "LAST_MONTH") == [C4]
    assert org.ids(q + "THIS_WEEK") == [C2, C3, C5]  # Sunday 13 Sep .. Saturday 19 Sep
    assert org.ids(q + "LAST_WEEK") == []
    assert org.ids(q + "THIS_QUARTER") == [C1, C2, C3, C4, C5]
    assert org.ids(q + "N_DAYS_AGO:15") == [C1]
    assert org.ids(q + "LAST_N_MONTHS:1") == [C4]
    assert org.ids(q + "THIS_YEAR") == [C1, C2, C3, C4, C5]
    assert org.ids(q + "NEXT_YEAR") == []
    assert org.ids("SELECT Id FROM Contact WHERE Birthdate < LAST_N_YEARS:30") == [C1, C3, C5]  # before 1996


def test_huge_relative_counts_clamp_instead_of_overflowing(org):
    assert org.ids("SELECT Id FROM Contact WHERE SystemModstamp = LAST_N_DAYS:99999999999") == [
        C1,
        C2,
        C3,
        C4,
        C5,
    ]
    assert org.ids("SELECT Id FROM Contact WHERE Birthdate = NEXT_N_YEARS:9999999") == []
    assert org.ids("SELECT Id FROM Contact WHERE Birthdate > N_MONTHS_AGO:999999") == [C1, C3, C4, C5]


def test_unknown_date_literals_are_malformed():
    err = error_of(soql.parse, "SELECT Id FROM Contact WHERE Birthdate = THIS_FISCAL_YEAR")
    assert err.detail == "unexpected token: 'THIS_FISCAL_YEAR'"
    assert (
        error_of(soql.parse, "SELECT Id FROM Contact WHERE Birthdate = LAST_N_FOOS:3").error_code
        == "MALFORMED_QUERY"
    )


# --------------------------------------------------------------------------------------------
# Semi-joins and anti-joins
# --------------------------------------------------------------------------------------------


def test_semi_join(org):
    text = f"SELECT Id FROM Contact WHERE AccountId IN (SELECT AccountId FROM AccountTeamMember WHERE UserId = '{U2}')"
    assert org.ids(text) == [C1, C4, C5]
    assert org.ids(
        "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE LastName = 'smith')"
    ) == [A1, A3]


def test_anti_join_keeps_null_references(org):
    text = (
        "SELECT Id FROM Contact WHERE AccountId NOT IN "
        f"(SELECT AccountId FROM AccountTeamMember WHERE UserId = '{U2}')"
    )
    assert org.ids(text) == [C2, C3]


def test_semi_join_with_other_filters_and_id_on_the_left(org):
    text = (
        "SELECT Id FROM Contact WHERE Id IN (SELECT ContactId FROM CampaignMember) "
        "AND LastName != 'Smith' AND Id NOT IN (SELECT WhoId FROM Task WHERE IsClosed = true)"
    )
    assert org.ids(text) == [C5]


def test_semi_join_sees_only_visible_rows():
    org = Org(hidden=frozenset({sfid("01M", 2)}))
    text = f"SELECT Id FROM Contact WHERE AccountId IN (SELECT AccountId FROM AccountTeamMember WHERE UserId = '{U2}')"
    assert org.ids(text) == [C1, C5]


@pytest.mark.parametrize(
    "where, code, fragment",
    [
        (
            "LastName = 'x' OR AccountId IN (SELECT AccountId FROM AccountTeamMember)",
            "MALFORMED_QUERY",
            "not allowed with the 'OR' operator",
        ),
        (
            "NOT AccountId IN (SELECT AccountId FROM AccountTeamMember)",
            "MALFORMED_QUERY",
            "only allowed at the top level",
        ),
        (
            "AccountId IN (SELECT AccountId FROM AccountTeamMember WHERE AccountId IN (SELECT Id FROM Account))",
            "MALFORMED_QUERY",
            "Nesting of semi join sub-selects is not supported",
        ),
        (
            "AccountId IN (SELECT UserId FROM AccountTeamMember)",
            "INVALID_FIELD",
            "should point to the same object type",
        ),
        (
            "LastName IN (SELECT AccountId FROM AccountTeamMember)",
            "INVALID_FIELD",
            "should point to the same object type",
        ),
        ("AccountId IN (SELECT TeamMemberRole FROM AccountTeamMember)", "INVALID_FIELD", "same object type"),
        ("AccountId IN (SELECT AccountId FROM Nope)", "INVALID_TYPE", "sObject type 'Nope' is not supported"),
        ("AccountId IN (SELECT Nope FROM AccountTeamMember)", "INVALID_FIELD", "No such column 'Nope'"),
    ],
)
def test_semi_join_rules(org, where, code, fragment):
    err = error_of(org.query, f"SELECT Id FROM Contact WHERE {where}")
    assert err.error_code == code and fragment in err.detail


def test_semi_join_sub_select_takes_one_field_and_no_order_by():
    assert (
        error_of(
            soql.parse, "SELECT Id FROM Contact WHERE AccountId IN (SELECT Id, Name FROM Account)"
        ).error_code
        == "MALFORMED_QUERY"
    )
    assert (
        error_of(
            soql.parse, "SELECT Id FROM Contact WHERE AccountId IN (SELECT Id FROM Account LIMIT 1)"
        ).error_code
        == "MALFORMED_QUERY"
    )


# --------------------------------------------------------------------------------------------
# ORDER BY, LIMIT, OFFSET
# --------------------------------------------------------------------------------------------


def test_order_by_text_is_case_insensitive_and_stable(org):
    assert org.ids("SELECT Id FROM Contact ORDER BY LastName") == [C3, C2, C1, C4, C5]
    assert org.ids("SELECT Id FROM Contact ORDER BY LastName DESC") == [C5, C1, C4, C2, C3]


def test_order_by_null_placement_defaults_and_overrides(org):
    assert org.ids("SELECT Id FROM Contact ORDER BY FirstName") == [C2, C1, C3, C4, C5]
    assert org.ids("SELECT Id FROM Contact ORDER BY FirstName DESC") == [C5, C4, C3, C1, C2]
    assert org.ids("SELECT Id FROM Contact ORDER BY FirstName ASC NULLS LAST") == [C1, C3, C4, C5, C2]
    assert org.ids("SELECT Id FROM Contact ORDER BY FirstName DESC NULLS FIRST") == [C2, C5, C4, C3, C1]


def test_order_by_several_keys_and_types(org):
    assert org.ids("SELECT Id FROM Contact ORDER BY Birthdate DESC, LastName DESC") == [C4, C5, C1, C3, C2]
    assert org.ids("SELECT Id FROM Contact ORDER BY SystemModstamp DESC") == [C5, C3, C2, C1, C4]
    assert org.ids("SELECT Id FROM Account ORDER BY NumberOfEmployees") == [A3, A2, A1]
    assert org.ids("SELECT Id FROM Contact ORDER BY HasOptedOutOfEmail DESC, Id DESC") == [C2, C5, C4, C3, C1]


def test_datetime_order_uses_instants_not_text():
    org = Org()
    org.store["Contact"][0]["SystemModstamp"] = "2026-09-16T09:00:00.000+0200"  # 07:00Z, before C3's 08:00Z
    assert org.ids("SELECT Id FROM Contact WHERE SystemModstamp = TODAY ORDER BY SystemModstamp") == [
        C1,
        C3,
        C5,
    ]


def test_limit_and_offset(org):
    assert org.ids("SELECT Id FROM Contact ORDER BY LastName LIMIT 2") == [C3, C2]
    assert org.ids("SELECT Id FROM Contact ORDER BY LastName LIMIT 2 OFFSET 2") == [C1, C4]
    assert org.ids("SELECT Id FROM Contact ORDER BY LastName OFFSET 4") == [C5]
    assert org.ids("SELECT Id FROM Contact LIMIT 0") == []
    assert org.ids("SELECT Id FROM Contact OFFSET 10") == []


def test_offset_over_2000_is_out_of_range(org):
    err = error_of(org.query, "SELECT Id FROM Contact LIMIT 10 OFFSET 2001")
    assert (err.error_code, err.message) == (
        "NUMBER_OUTSIDE_VALID_RANGE",
        "Maximum SOQL offset allowed is 2000",
    )
    assert org.ids("SELECT Id FROM Contact OFFSET 2000") == []


def test_offset_must_follow_limit():
    assert error_of(soql.parse, "SELECT Id FROM Contact OFFSET 1 LIMIT 2").error_code == "MALFORMED_QUERY"
    assert error_of(soql.parse, "SELECT Id FROM Contact LIMIT 2.5").error_code == "MALFORMED_QUERY"


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


def test_syntax_errors_name_the_token_and_point_at_it():
    err = error_of(soql.parse, "SELECT Id FORM Contact")
    assert err.error_code == "MALFORMED_QUERY"
    assert err.detail == "unexpected token: 'FORM'"
    assert (
        err.message
        == "\nSELECT Id FORM Contact\n          ^\nERROR at Row:1:Column:11\nunexpected token: 'FORM'"
    )


def test_syntax_error_rows_and_columns_on_multi_line_queries():
    err = error_of(soql.parse, "SELECT Id,\n  Name\nFROM Contact\nWHERE Name = = 'x'")
    assert err.message.endswith("ERROR at Row:4:Column:14\nunexpected token: '='")
    assert "\nWHERE Name = = 'x'\n             ^\n" in err.message


@pytest.mark.parametrize(
    "text",
    [
        "",
        "SELECT",
        "SELECT Id",
        "SELECT Id FROM",
        "SELECT FROM Contact",
        "SELECT Id, FROM Contact",
        "SELECT Id FROM Contact WHERE",
        "SELECT Id FROM Contact WHERE Name",
        "SELECT Id FROM Contact WHERE Name =",
        "SELECT Id FROM Contact WHERE (Name = 'x'",
        "SELECT Id FROM Contact WHERE Name = 'x')",
        "SELECT Id FROM Contact ORDER Name",
        "SELECT Id FROM Contact LIMIT",
        "SELECT Id FROM Contact LIMIT x",
        "SELECT Id FROM Contact WHERE Name = 'unterminated",
        "SELECT Id FROM Contact;",
        "DELETE FROM Contact",
        "SELECT Id FROM Contact WHERE Name IN ()",
        "SELECT Id FROM Contact WHERE Name LIKE",
        "SELECT COUNT(Id) FROM Contact",
        "SELECT Id, (SELECT Id FROM Contacts) FROM Account",
        "SELECT Id FROM Contact GROUP BY Id",
        "SELECT * FROM Contact",
        "SELECT Id FROM Contact WHERE Name == 'x'",
        "SELECT Id FROM Contact WHERE Name = 'x' AND",
        "SELECT Id FROM Contact WHERE NOT",
        "SELECT COUNT(), Id FROM Contact",
        "SELECT Id FROM Contact WHERE Name = 'x' FOR UPDATE",
        "SELECT Id.  FROM Contact",
        "SELECT Id FROM Contact.Account",
    ],
)
def test_malformed_queries(text):
    assert error_of(soql.parse, text).error_code == "MALFORMED_QUERY"


def test_unknown_field_is_invalid_field_with_salesforce_wording(org):
    err = error_of(org.query, "SELECT Id, Foo FROM Contact")
    assert err.error_code == "INVALID_FIELD"
    assert err.detail == (
        "No such column 'Foo' on entity 'Contact'. If you are attempting to use a custom field, "
        "be sure to append the '__c' after the custom field name. Please reference your WSDL or "
        "the describe call for the appropriate names."
    )
    assert err.message.startswith("\nSELECT Id, Foo FROM Contact\n           ^\nERROR at Row:1:Column:12\n")


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("SELECT Id FROM Contact WHERE Foo = 'x'", "No such column 'Foo' on entity 'Contact'"),
        ("SELECT Id FROM Contact ORDER BY Foo", "No such column 'Foo' on entity 'Contact'"),
        ("SELECT Account.Foo FROM Contact", "No such column 'Foo' on entity 'Account'"),
        ("SELECT Account FROM Contact", "No such column 'Account' on entity 'Contact'"),
        ("SELECT Acccount.Name FROM Contact", "Didn't understand relationship 'Acccount' in field path"),
        ("SELECT Who.Account.Owner.Foo FROM Event", "No such column 'Foo' on entity 'User'"),
        ("SELECT Who.Nope.Name FROM Event", "Didn't understand relationship 'Nope'"),
    ],
)
def test_invalid_fields_and_relationships(org, text, fragment):
    err = error_of(org.query, text)
    assert err.error_code == "INVALID_FIELD" and fragment in err.detail


def test_unknown_object_is_invalid_type(org):
    err = error_of(org.query, "SELECT Id FROM Foo")
    assert err.error_code == "INVALID_TYPE"
    assert err.detail == (
        "sObject type 'Foo' is not supported. If you are attempting to use a custom object, be "
        "sure to append the '__c' after the entity name. Please reference your WSDL or the "
        "describe call for the appropriate names."
    )
    assert "ERROR at Row:1:Column:16" in err.message


def test_duplicate_fields_are_refused(org):
    err = error_of(org.query, "SELECT Id, LastName, lastname FROM Contact")
    assert err.error_code == "MALFORMED_QUERY" and err.detail == "duplicate field selected: LastName"


def test_like_on_non_text_fields(org):
    assert (
        error_of(org.query, "SELECT Id FROM Contact WHERE HasOptedOutOfEmail LIKE true").error_code
        == "INVALID_QUERY_FILTER_OPERATOR"
    )
    assert (
        error_of(org.query, "SELECT Id FROM Contact WHERE Birthdate LIKE '2026%'").error_code
        == "INVALID_FIELD"
    )


def test_overlong_query_is_malformed():
    err = error_of(soql.parse, "SELECT Id FROM Contact WHERE LastName = '" + "x" * 100_000 + "'")
    assert err.error_code == "MALFORMED_QUERY" and "100,000" in err.message


@pytest.mark.parametrize("depth", [50, 300, 3000])
def test_deep_nesting_is_an_answer_or_an_error_not_a_crash(depth):
    parens = "SELECT Id FROM Contact WHERE " + "(" * depth + "LastName = 'zed'" + ")" * depth
    assert Org().ids(parens) == [C5]
    nots = "SELECT Id FROM Contact WHERE " + "NOT " * depth + "LastName = 'zed'"
    try:
        ids = Org().ids(nots)
    except SoqlError as err:
        assert err.error_code == "MALFORMED_QUERY"
    else:
        assert ids == ([C5] if depth % 2 == 0 else [C1, C2, C3, C4])


def test_soql_error_is_an_exception_with_code_and_message():
    err = SoqlError("MALFORMED_QUERY", "boom")
    assert isinstance(err, Exception) and err.error_code == "MALFORMED_QUERY" and err.message == "boom"
    assert err.detail == "boom"


# --------------------------------------------------------------------------------------------
# Fuzz: no input escapes as anything but SoqlError
# --------------------------------------------------------------------------------------------


def _survives(text: str) -> None:
    org = Org()
    try:
        soql.parse(text)
    except SoqlError as err:
        assert err.error_code and isinstance(err.message, str)
        return
    try:
        org.query(text)
    except SoqlError as err:
        assert err.error_code and isinstance(err.message, str)


_TOKENS = [
    "SELECT",
    "select",
    "FROM",
    "WHERE",
    "AND",
    "OR",
    "NOT",
    "IN",
    "LIKE",
    "null",
    "TRUE",
    "false",
    "ORDER BY",
    "ASC",
    "DESC",
    "NULLS FIRST",
    "NULLS LAST",
    "LIMIT",
    "OFFSET",
    "COUNT()",
    "(",
    ")",
    ",",
    ".",
    "=",
    "!=",
    "<>",
    "<",
    ">",
    "<=",
    ">=",
    "Id",
    "LastName",
    "Account.Name",
    "Account.Owner.Name",
    "Who.Email",
    "AccountId",
    "Contact",
    "Account",
    "Event",
    "AccountTeamMember",
    "Foo",
    "'x'",
    "'a%'",
    "'\\''",
    "'\\q'",
    "''",
    "5",
    "-1.5",
    "1e9",
    "2026-09-01",
    "2026-09-01T00:00:00Z",
    "2026-02-30",
    "TODAY",
    "LAST_N_DAYS:3",
    "NEXT_N_DAYS:99999999",
    "N_YEARS_AGO:2",
    ":bind",
    '"',
    "\\",
    "'",
    "*",
    ";",
    "\n",
    "\t",
    "é",
    "\x00",
    f"'{A1}'",
    f"'{C1[:15]}'",
    "'abc'",
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=120))
def test_fuzz_arbitrary_text(text):
    _survives(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_TOKENS), max_size=25))
def test_fuzz_token_soup(tokens):
    _survives(" ".join(tokens))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(_TOKENS), max_size=8),
    st.sampled_from(
        [
            "SELECT Id FROM Contact WHERE ",
            "SELECT Id, Account.Name FROM Contact WHERE LastName ",
            "SELECT COUNT() FROM Event WHERE StartDateTime ",
            "SELECT Id FROM Task WHERE ActivityDate ",
            "SELECT Id FROM Contact WHERE AccountId IN (SELECT AccountId FROM AccountTeamMember WHERE ",
        ]
    ),
)
def test_fuzz_mutated_valid_prefixes(tokens, prefix):
    _survives(prefix + " ".join(tokens))


_FIELDS = [
    "Id",
    "LastName",
    "FirstName",
    "Email",
    "AccountId",
    "Birthdate",
    "SystemModstamp",
    "HasOptedOutOfEmail",
    "Description",
    "Account.Name",
    "Account.NumberOfEmployees",
    "Account.Owner.Name",
    "Owner.IsActive",
    "Nope",
]
_VALUES = [
    "null",
    "true",
    "FALSE",
    "'x'",
    "''",
    "'sm%'",
    "'%E%'",
    "5",
    "-2.5",
    "2026-09-16",
    "1990-05-01",
    "2026-09-16T08:00:00Z",
    "2026-09-16T10:00:00+02:00",
    "TODAY",
    "LAST_N_DAYS:3",
    "NEXT_N_WEEKS:2",
    "THIS_MONTH",
    f"'{A1}'",
    f"'{C1[:15]}'",
    "'bad'",
]
_leaf = st.one_of(
    st.builds(
        "{} {} {}".format,
        st.sampled_from(_FIELDS),
        st.sampled_from(["=", "!=", "<", ">", "<=", ">=", "LIKE"]),
        st.sampled_from(_VALUES),
    ),
    st.builds(
        lambda f, n, vs: f"{f} {n}IN ({', '.join(vs)})",
        st.sampled_from(_FIELDS),
        st.sampled_from(["", "NOT "]),
        st.lists(st.sampled_from(_VALUES), min_size=1, max_size=3),
    ),
)
_conditions = st.recursive(
    _leaf,
    lambda c: st.one_of(
        st.builds("({} AND {})".format, c, c),
        st.builds("({} OR {})".format, c, c),
        st.builds("NOT ({})".format, c),
    ),
    max_leaves=5,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(_FIELDS), min_size=1, max_size=4),
    _conditions,
    st.lists(
        st.tuples(st.sampled_from(_FIELDS), st.sampled_from(["", " DESC", " ASC NULLS LAST"])), max_size=2
    ),
    st.sampled_from(["", " LIMIT 3", " LIMIT 2 OFFSET 1", " OFFSET 9"]),
)
def test_fuzz_well_formed_queries_of_every_type_mix(fields, condition, order, tail):
    text = f"SELECT {', '.join(fields)} FROM Contact WHERE {condition}"
    if order:
        text += " ORDER BY " + ", ".join(name + direction for name, direction in order)
    _survives(text + tail)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_conditions)
def test_a_condition_and_its_negation_partition_the_rows(condition):
    """SOQL has no unknown: every row matches exactly one of ``c`` and ``NOT (c)``."""
    org = Org()
    try:
        yes = org.ids(f"SELECT Id FROM Contact WHERE {condition}")
    except SoqlError:
        return
    no = org.ids(f"SELECT Id FROM Contact WHERE NOT ({condition})")
    assert sorted(yes + no) == [C1, C2, C3, C4, C5]
    assert org.query(f"SELECT COUNT() FROM Contact WHERE {condition}").total_size == len(yes)
