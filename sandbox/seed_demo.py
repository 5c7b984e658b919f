"""The demo world and the scale world, built on top of ``base_world.base_world``.

``populate(state)`` fills a small, believable B2B world for Morgan Reyes, an account executive
at Northwind in Berlin; ``populate_scale(state, C, E, T)`` makes C contacts, E events and T
tasks on each side, half of them present on both sides.

Both are deterministic: no randomness, and every date is relative to an anchor day taken from
the sandbox clock (``state.now()`` rounded down to the UTC day), so the world is always
"around today". Only opaque Outlook ids, change keys and timestamps differ between two seeds.
Salesforce ids come from the org's counter and are the same every time.

The demo world, in numbers (tests/integration/sandbox/test_seed.py checks them):

==================  ==========================================================================
Salesforce          8 Accounts (6 Morgan's, 2 the colleague Sam's; Morgan is on the account
                    team of Sam's two), 40 Contacts (27 Morgan's on accounts, 4 Morgan's
                    private = no AccountId, 8 Sam's on his accounts, 1 Sam's private),
                    1 Campaign "Berlin Fintech Summit 2026" with 6 members, 13 Events
                    (12 Morgan's: timed, one all-day, one private, two with WhoId; 1 Sam's),
                    11 Tasks (10 Morgan's, 4 of them closed; 1 Sam's)
Outlook             25 contacts in the default Contacts folder (10 share an email with a
                    Salesforce contact, 2 more have no email and match by name + company,
                    13 exist only in Outlook), a "Partners" folder with 1 contact,
                    16 calendar items (2 series masters: a weekly meeting with no end and a
                    fortnightly one with an end date; an all-day event; a private event),
                    10 To Do tasks
Both sides          3 events with the same subject, start and end; 3 tasks with the same
                    subject and due date
==================  ==========================================================================

Outlook items are stored the way ``sandbox.graph.routes`` documents: instants in UTC as
``{"dateTime": "YYYY-MM-DDTHH:MM:SS.0000000", "timeZone": "UTC"}``, series masters with
``"type": "seriesMaster"`` and a ``recurrence`` (occurrences are computed when read), singles
with ``"type": "singleInstance"``. The shape builders ``outlook_contact``, ``outlook_event``
and ``outlook_task`` are shared with the console page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sandbox import ids
from sandbox.base_world import ME, default_calendar, default_todo_list, root_contact_folder, sf_user_by_alias
from sandbox.clock import graph_instant, graph_wallclock, sf_datetime
from sandbox.state import SandboxState

BERLIN = ZoneInfo("Europe/Berlin")
WINDOWS_ZONE = "W. Europe Standard Time"  # the Windows name Outlook records for Berlin
# All-day events run midnight to midnight in the user's zone, as Outlook stores them (Graph
# shows them in that zone whatever ``Prefer: outlook.timezone`` asks for).
ALL_DAY_ZONE = WINDOWS_ZONE
ME_NAME = f"{ME['FirstName']} {ME['LastName']}"
# Outlook's GlobalObjectId header, 4 zero date bytes (set per occurrence), then a unique part.
ICAL_PREFIX = "040000008200E00074C5B7101A82E00800000000"


def anchor_day(state: SandboxState) -> date:
    """The day the demo world is built around: today in UTC, by the sandbox clock."""
    return state.now().astimezone(UTC).date()


def workday(anchor: date, days: int) -> date:
    """``anchor + days``, moved off the weekend to the next Monday (meetings, due dates)."""
    day = anchor + timedelta(days=days)
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def summit_days(anchor: date) -> tuple[date, date]:
    """The two days of the Berlin Fintech Summit: Tuesday and Wednesday, about 3.5 weeks out."""
    first = anchor + timedelta(days=21)
    first += timedelta(days=(1 - first.weekday()) % 7)
    return first, first + timedelta(days=1)


def at(day: date, hhmm: str, zone: ZoneInfo = BERLIN) -> datetime:
    """A wall-clock time on ``day`` in ``zone`` (Berlin by default), as an aware UTC datetime."""
    hh, mm = (int(p) for p in hhmm.split(":"))
    return datetime.combine(day, time(hh, mm), tzinfo=zone).astimezone(UTC)


def dtz(moment: datetime, zone: str = "UTC") -> dict:
    """Graph ``dateTimeTimeZone`` for an instant stored in UTC."""
    if zone == "UTC":
        moment = moment.astimezone(UTC)
    return {"dateTime": graph_wallclock(moment.replace(tzinfo=None)), "timeZone": zone}


def day_dtz(day: date, zone: str = "UTC") -> dict:
    """Graph ``dateTimeTimeZone`` for midnight at the start of ``day``: To Do due dates (UTC,
    as To Do stores them) and, with ``zone=ALL_DAY_ZONE``, the bounds of all-day events."""
    return {"dateTime": f"{day.isoformat()}T00:00:00.0000000", "timeZone": zone}


# --------------------------------------------------------------------------- shapes
def _address(
    street: str | None = None,
    city: str | None = None,
    state: str | None = None,
    postal_code: str | None = None,
    country: str | None = None,
) -> dict:
    if not any((street, city, state, postal_code, country)):
        return {}
    return {
        "street": street,
        "city": city,
        "state": state,
        "postalCode": postal_code,
        "countryOrRegion": country,
    }


def outlook_contact(
    *,
    given: str | None = None,
    surname: str | None = None,
    middle: str | None = None,
    title: str | None = None,
    generation: str | None = None,
    emails: list[str] | None = None,
    business_phones: list[str] | None = None,
    home_phones: list[str] | None = None,
    mobile: str | None = None,
    company: str | None = None,
    department: str | None = None,
    job_title: str | None = None,
    assistant: str | None = None,
    street: str | None = None,
    city: str | None = None,
    region: str | None = None,
    postal_code: str | None = None,
    country: str | None = None,
    birthday: str | None = None,
    notes: str | None = None,
    categories: list[str] | None = None,
    folder_id: str | None = None,
) -> dict:
    """A Graph ``contact`` with every property a GET returns (Graph v1.0 names only)."""
    display = " ".join(p for p in (given, middle, surname) if p) or (company or "")
    file_as = ", ".join(p for p in (surname, given) if p) or display
    initials = "".join(f"{p[0]}." for p in (given, middle, surname) if p) or None
    return {
        "parentFolderId": folder_id,
        "categories": list(categories or []),
        "birthday": f"{birthday}T00:00:00Z" if birthday else None,
        "fileAs": file_as,
        "displayName": display,
        "givenName": given,
        "initials": initials,
        "middleName": middle,
        "nickName": None,
        "surname": surname,
        "title": title,
        "yomiGivenName": None,
        "yomiSurname": None,
        "yomiCompanyName": None,
        "generation": generation,
        "imAddresses": [],
        "jobTitle": job_title,
        "companyName": company,
        "department": department,
        "officeLocation": None,
        "profession": None,
        "businessHomePage": None,
        "assistantName": assistant,
        "manager": None,
        "homePhones": list(home_phones or []),
        "mobilePhone": mobile,
        "businessPhones": list(business_phones or []),
        "spouseName": None,
        "personalNotes": notes or "",
        "children": [],
        "emailAddresses": [{"name": display or address, "address": address} for address in (emails or [])],
        "homeAddress": {},
        "businessAddress": _address(street, city, region, postal_code, country),
        "otherAddress": {},
    }


def outlook_event(
    *,
    subject: str,
    start: datetime | dict,
    end: datetime | dict,
    body: str = "",
    location: str = "",
    all_day: bool = False,
    sensitivity: str = "normal",
    show_as: str = "busy",
    attendees: list[tuple[str, str]] | None = None,
    recurrence: dict | None = None,
    online: bool = False,
    reminder_minutes: int = 15,
    item_id: str | None = None,
) -> dict:
    """A Graph ``event`` organised by Morgan: a single, or a series master with ``recurrence``.

    ``start``/``end`` are UTC instants, or ready ``dateTimeTimeZone`` dicts (all-day events).
    """
    item_id = item_id or ids.graph_id()
    start_tz = start if isinstance(start, dict) else dtz(start)
    end_tz = end if isinstance(end, dict) else dtz(end)
    text = body or ""
    return {
        "id": item_id,
        "categories": [],
        "originalStartTimeZone": WINDOWS_ZONE,
        "originalEndTimeZone": WINDOWS_ZONE,
        "iCalUId": ICAL_PREFIX + ids.change_key().encode().hex()[:40].upper(),
        "reminderMinutesBeforeStart": reminder_minutes,
        "isReminderOn": not all_day,
        "hasAttachments": False,
        "subject": subject,
        "bodyPreview": text[:255],
        "importance": "normal",
        "sensitivity": sensitivity,
        "isAllDay": all_day,
        "isCancelled": False,
        "isOrganizer": True,
        "responseRequested": True,
        "seriesMasterId": None,
        "showAs": show_as,
        "type": "seriesMaster" if recurrence else "singleInstance",
        "allowNewTimeProposals": True,
        "hideAttendees": False,
        "isDraft": False,
        "isOnlineMeeting": online,
        "onlineMeetingProvider": "teamsForBusiness" if online else "unknown",
        "onlineMeetingUrl": None,
        "onlineMeeting": None,
        "transactionId": None,
        "responseStatus": {"response": "organizer", "time": "0001-01-01T00:00:00Z"},
        "body": {"contentType": "text", "content": text},
        "start": start_tz,
        "end": end_tz,
        "location": (
            {
                "displayName": location,
                "locationType": "default",
                "uniqueIdType": "private",
                "uniqueId": location,
            }
            if location
            else {"displayName": "", "locationType": "default", "uniqueIdType": "unknown"}
        ),
        "locations": (
            [
                {
                    "displayName": location,
                    "locationType": "default",
                    "uniqueIdType": "private",
                    "uniqueId": location,
                }
            ]
            if location
            else []
        ),
        "recurrence": recurrence,
        "attendees": [
            {
                "type": "required",
                "status": {"response": "none", "time": "0001-01-01T00:00:00Z"},
                "emailAddress": {"name": name, "address": address},
            }
            for name, address in (attendees or [])
        ],
        "organizer": {"emailAddress": {"name": ME_NAME, "address": ME["Email"]}},
    }


def weekly(first_day: date, days: list[str], *, interval: int = 1, end_day: date | None = None) -> dict:
    """A Graph ``patternedRecurrence``: every ``interval`` weeks on ``days``."""
    return {
        "pattern": {
            "type": "weekly",
            "interval": interval,
            "month": 0,
            "dayOfMonth": 0,
            "daysOfWeek": list(days),
            "firstDayOfWeek": "sunday",
            "index": "first",
        },
        "range": {
            "type": "endDate" if end_day else "noEnd",
            "startDate": first_day.isoformat(),
            "endDate": end_day.isoformat() if end_day else "0001-01-01",
            "recurrenceTimeZone": WINDOWS_ZONE,
            "numberOfOccurrences": 0,
        },
    }


def _completed(when: date | datetime) -> dict:
    """To Do's completedDateTime: the moment of completion (a bare day: late afternoon)."""
    if not isinstance(when, datetime):
        when = at(when, "17:00")
    return dtz(when)


def outlook_task(
    *,
    title: str,
    status: str = "notStarted",
    importance: str = "normal",
    due: date | None = None,
    body: str = "",
    reminder: datetime | None = None,
    completed: date | datetime | None = None,
    categories: list[str] | None = None,
    modified: datetime | None = None,
) -> dict:
    """A Microsoft To Do ``todoTask`` (no changeKey; only an etag)."""
    task = {
        "importance": importance,
        "isReminderOn": reminder is not None,
        "status": status,
        "title": title,
        "categories": list(categories or []),
        "hasAttachments": False,
        "body": {"content": body or "", "contentType": "text"},
        "bodyLastModifiedDateTime": graph_instant(modified) if modified else None,
        "dueDateTime": day_dtz(due) if due else None,
        "reminderDateTime": dtz(reminder) if reminder else None,
        "completedDateTime": _completed(completed) if (completed and status == "completed") else None,
    }
    return {k: v for k, v in task.items() if v is not None}  # To Do leaves unset ones out


# ---------------------------------------------------------------------- demo data
@dataclass(frozen=True)
class _Account:
    key: str
    name: str
    industry: str
    city: str
    country: str
    phone: str
    domain: str
    street: str
    postal_code: str
    owner: str = "mreyes"


ACCOUNTS = [
    _Account(
        "havel",
        "Havelstrom Energie GmbH",
        "Energy",
        "Potsdam",
        "Germany",
        "+49 331 5550 100",
        "havelstrom.example",
        "Am Kanal 12",
        "14467",
    ),
    _Account(
        "nord",
        "Nordlicht Payments GmbH",
        "Finance",
        "Berlin",
        "Germany",
        "+49 30 5550 2200",
        "nordlicht-pay.example",
        "Friedrichstraße 68",
        "10117",
    ),
    _Account(
        "spree",
        "Spreewerk Robotics GmbH",
        "Manufacturing",
        "Berlin",
        "Germany",
        "+49 30 5550 3400",
        "spreewerk.example",
        "Wiebestraße 42",
        "10553",
    ),
    _Account(
        "lind",
        "Lindqvist Freight AB",
        "Transportation",
        "Malmö",
        "Sweden",
        "+46 40 555 0170",
        "lindqvist-freight.example",
        "Hamngatan 9",
        "211 22",
    ),
    _Account(
        "tier",
        "Tiergarten Analytics GmbH",
        "Technology",
        "Berlin",
        "Germany",
        "+49 30 5550 7700",
        "tiergarten-analytics.example",
        "Lützowufer 3",
        "10785",
    ),
    _Account(
        "elb",
        "Elbufer Versicherung AG",
        "Insurance",
        "Hamburg",
        "Germany",
        "+49 40 5550 9100",
        "elbufer.example",
        "Große Elbstraße 145",
        "22767",
    ),
    _Account(
        "kast",
        "Kastanie Health SE",
        "Healthcare",
        "Munich",
        "Germany",
        "+49 89 5550 4800",
        "kastanie-health.example",
        "Sendlinger Straße 20",
        "80331",
        owner="sokafor",
    ),
    _Account(
        "bv",
        "Brückner & Voss Ledger Systems",
        "Banking",
        "Frankfurt am Main",
        "Germany",
        "+49 69 5550 6300",
        "brueckner-voss.example",
        "Mainzer Landstraße 50",
        "60325",
        owner="sokafor",
    ),
]

# (key, first, last, salutation, title, department, account key or None, owner alias,
#  extension or None, mobile or None)
CONTACTS = [
    (
        "jbecker",
        "Jonas",
        "Becker",
        "Mr.",
        "Head of Procurement",
        "Procurement",
        "havel",
        "mreyes",
        "114",
        "+49 151 5550 1114",
    ),
    (
        "mkrause",
        "Miriam",
        "Krause",
        "Ms.",
        "Chief Financial Officer",
        "Finance",
        "havel",
        "mreyes",
        "101",
        None,
    ),
    ("pschulz", "Paul", "Schulz", "Mr.", "IT Director", "IT", "havel", "mreyes", "130", "+49 160 5550 2130"),
    ("eyilmaz", "Elif", "Yılmaz", "Ms.", "Energy Trading Analyst", "Trading", "havel", "mreyes", "152", None),
    ("hbraun", "Heike", "Braun", "Dr.", "Head of Legal", "Legal", "havel", "mreyes", "107", None),
    (
        "lvogt",
        "Lena",
        "Vogt",
        "Ms.",
        "VP Partnerships",
        "Business Development",
        "nord",
        "mreyes",
        "201",
        "+49 171 5550 2201",
    ),
    ("praman", "Priya", "Raman", "Ms.", "Head of Risk", "Risk", "nord", "mreyes", "214", "+49 152 5550 2214"),
    (
        "dmeier",
        "David",
        "Meier",
        "Mr.",
        "Chief Technology Officer",
        "Engineering",
        "nord",
        "mreyes",
        "205",
        None,
    ),
    ("sfischer", "Sara", "Fischer", "Ms.", "Procurement Lead", "Procurement", "nord", "mreyes", "233", None),
    (
        "aokonkwo",
        "Adaeze",
        "Okonkwo",
        "Ms.",
        "Compliance Officer",
        "Compliance",
        "nord",
        "mreyes",
        "240",
        None,
    ),
    (
        "mweber",
        "Max",
        "Weber",
        "Mr.",
        "Product Owner, Card Issuing",
        "Product",
        "nord",
        "mreyes",
        "251",
        "+49 176 5550 2251",
    ),
    (
        "ademir",
        "Aylin",
        "Demir",
        "Ms.",
        "Chief Technology Officer",
        "Engineering",
        "spree",
        "mreyes",
        "301",
        "+49 157 5550 3301",
    ),
    ("bkrueger", "Bernd", "Krüger", "Mr.", "Plant Manager", "Operations", "spree", "mreyes", "318", None),
    ("rlang", "Rebecca", "Lang", "Ms.", "Purchasing Manager", "Purchasing", "spree", "mreyes", "322", None),
    (
        "tnguyen",
        "Thanh",
        "Nguyen",
        "Mr.",
        "Automation Engineer",
        "Engineering",
        "spree",
        "mreyes",
        "345",
        None,
    ),
    ("jwolff", "Julia", "Wolff", "Ms.", "Head of Finance", "Finance", "spree", "mreyes", "310", None),
    (
        "mkowalski",
        "Mateusz",
        "Kowalski",
        "Mr.",
        "Logistics Director",
        "Operations",
        "lind",
        "mreyes",
        "12",
        "+46 70 555 0112",
    ),
    ("sberg", "Sofia", "Berg", "Ms.", "Chief Operating Officer", "Management", "lind", "mreyes", "10", None),
    ("elarsson", "Erik", "Larsson", "Mr.", "IT Manager", "IT", "lind", "mreyes", "31", None),
    ("aholm", "Astrid", "Holm", "Ms.", "Procurement Specialist", "Procurement", "lind", "mreyes", "44", None),
    (
        "thartmann",
        "Tobias",
        "Hartmann",
        "Mr.",
        "Head of Data Platform",
        "Engineering",
        "tier",
        "mreyes",
        "702",
        "+49 162 5550 7702",
    ),
    (
        "icarvalho",
        "Ines",
        "Carvalho",
        "Ms.",
        "Marketing Director",
        "Marketing",
        "tier",
        "mreyes",
        "715",
        None,
    ),
    (
        "kschmidt",
        "Kai",
        "Schmidt",
        "Mr.",
        "Chief Executive Officer",
        "Management",
        "tier",
        "mreyes",
        "700",
        None,
    ),
    ("lbauer", "Laura", "Bauer", "Ms.", "Security Architect", "IT Security", "tier", "mreyes", "731", None),
    (
        "holsen",
        "Henrik",
        "Olsen",
        "Mr.",
        "Head of Claims Operations",
        "Claims",
        "elb",
        "mreyes",
        "920",
        "+49 172 5550 9920",
    ),
    (
        "cricht",
        "Charlotte",
        "Richter",
        "Dr.",
        "Chief Information Officer",
        "IT",
        "elb",
        "mreyes",
        "901",
        None,
    ),
    (
        "fzimmer",
        "Florian",
        "Zimmermann",
        "Mr.",
        "Vendor Manager",
        "Procurement",
        "elb",
        "mreyes",
        "944",
        None,
    ),
    # Morgan's private contacts: no account.
    (
        "cengel",
        "Clara",
        "Engel",
        "Ms.",
        "Independent Fintech Consultant",
        None,
        None,
        "mreyes",
        None,
        "+49 179 5550 0042",
    ),
    ("fbaumann", "Felix", "Baumann", "Mr.", "Recruiter", None, None, "mreyes", None, "+49 173 5550 0077"),
    ("hwojcik", "Hanna", "Wójcik", "Ms.", "Angel Investor", None, None, "mreyes", None, None),
    (
        "rcosta",
        "Rafael",
        "Costa",
        "Mr.",
        "Event Photographer",
        None,
        None,
        "mreyes",
        None,
        "+49 176 5550 0089",
    ),
    # The colleague Sam's contacts, on his accounts (Morgan is on those account teams).
    (
        "nhaddad",
        "Nadia",
        "Haddad",
        "Dr.",
        "Chief Medical Officer",
        "Medical",
        "kast",
        "sokafor",
        "801",
        "+49 171 5550 4801",
    ),
    (
        "mhuber",
        "Markus",
        "Huber",
        "Mr.",
        "Chief Financial Officer",
        "Finance",
        "kast",
        "sokafor",
        "805",
        None,
    ),
    (
        "yschneider",
        "Yvonne",
        "Schneider",
        "Ms.",
        "Head of Digital Health",
        "Product",
        "kast",
        "sokafor",
        "820",
        None,
    ),
    (
        "oalvarez",
        "Omar",
        "Álvarez",
        "Mr.",
        "IT Procurement Manager",
        "Procurement",
        "kast",
        "sokafor",
        "833",
        None,
    ),
    ("gvoss", "Gregor", "Voss", "Mr.", "Managing Partner", "Management", "bv", "sokafor", "600", None),
    (
        "abrueckner",
        "Anja",
        "Brückner",
        "Ms.",
        "Head of Operations",
        "Operations",
        "bv",
        "sokafor",
        "610",
        None,
    ),
    ("wtan", "Wei", "Tan", "Mr.", "Lead Developer", "Engineering", "bv", "sokafor", "640", None),
    ("skoenig", "Stefanie", "König", "Ms.", "Compliance Manager", "Compliance", "bv", "sokafor", "655", None),
    # Sam's private contact.
    ("glund", "Greta", "Lund", "Ms.", "Former Colleague", None, None, "sokafor", None, "+49 170 5550 0031"),
]

# Outlook copies of Salesforce contacts, matched by email: key -> differences in Outlook.
OUTLOOK_SAME: dict[str, dict[str, Any]] = {
    "lvogt": {"mobile": "+49 171 5550 9876"},  # a new mobile number, so far only in Outlook
    "jbecker": {"job_title": "Procurement Manager"},  # promoted: new title only in Salesforce
    "ademir": {"department": None},  # department never filled in Outlook
    "thartmann": {},
    "praman": {"email": "Priya.Raman@nordlicht-pay.example"},  # same address, other case
    "mkowalski": {"notes": "Prefers calls before 10:00. Met at the Malmö logistics fair."},
    "sberg": {},
    "holsen": {"mobile": "+49 172 5550 1234", "categories": ["Customer"]},
    "cengel": {"company": "Engel Advisory"},
    "nhaddad": {"categories": ["Summit"]},
}
# Outlook copies with no email: matched by first + last name + company.
OUTLOOK_NO_EMAIL = ("bkrueger", "icarvalho")

# People only in Outlook (they would become private contacts in Salesforce).
OUTLOOK_ONLY: list[dict[str, Any]] = [
    dict(
        given="Yuki",
        surname="Tanaka",
        company="Morgenrot Solar GmbH",
        job_title="Head of Sales",
        emails=["yuki.tanaka@morgenrot-solar.example"],
        business_phones=["+49 30 5551 1201"],
        city="Berlin",
        country="Germany",
    ),
    dict(
        given="Lukas",
        surname="Brandt",
        company="Kranich Mobility GmbH",
        job_title="Fleet Manager",
        emails=["l.brandt@kranich-mobility.example"],
        mobile="+49 151 5551 3300",
        city="Leipzig",
        country="Germany",
    ),
    dict(
        given="Amara",
        surname="Diallo",
        company="Sandpiper Capital",
        job_title="Associate",
        emails=["amara.diallo@sandpiper-capital.example"],
        city="London",
        country="United Kingdom",
    ),
    dict(
        given="Jan",
        surname="Kowalczyk",
        company="Weichsel Data Sp. z o.o.",
        job_title="Sales Engineer",
        emails=["jan.kowalczyk@weichsel-data.example"],
        business_phones=["+48 22 555 0190"],
        city="Warsaw",
        country="Poland",
    ),
    dict(
        given="Marta",
        surname="Silva",
        company="Atlântico Pay",
        job_title="Partner Manager",
        emails=["marta.silva@atlantico-pay.example"],
        city="Lisbon",
        country="Portugal",
    ),
    dict(
        given="Noah",
        surname="Fischer",
        company="Spreewerk Robotics GmbH",
        job_title="Working Student",
        department="Engineering",
        emails=["noah.fischer@spreewerk.example"],
        notes="New at Spreewerk; not in Salesforce yet.",
    ),
    dict(
        given="Emma",
        surname="Hoffmann",
        company="Tiergarten Analytics GmbH",
        job_title="Account Manager",
        emails=["emma.hoffmann@tiergarten-analytics.example"],
        business_phones=["+49 30 5550 7740"],
    ),
    dict(
        given="Leon",
        surname="Schäfer",
        emails=["leon.schaefer@mailbox.example"],
        home_phones=["+49 30 5552 8811"],
        notes="Neighbour; football on Thursdays.",
    ),
    dict(
        given="Mia",
        surname="Neumann",
        company="Northwind",
        job_title="Sales Operations",
        department="Sales Operations",
        emails=["mia.neumann@northwind-demo.example"],
        business_phones=["+49 30 901820 14"],
    ),
    dict(
        given="Ben",
        surname="Schwarz",
        company="Northwind",
        job_title="Solutions Engineer",
        department="Presales",
        emails=["ben.schwarz@northwind-demo.example"],
        mobile="+49 160 5552 4400",
    ),
    dict(
        given="Olivia",
        surname="Wagner",
        company="Event Hall Spreeufer",
        job_title="Event Coordinator",
        emails=["booking@spreeufer-events.example"],
        business_phones=["+49 30 5553 0000"],
        city="Berlin",
        country="Germany",
    ),
    dict(
        given="Sven",
        surname="Jansen",
        title="Dr.",
        company="Havelstrom Energie GmbH",
        job_title="Head of Innovation",
        emails=["sven.jansen@havelstrom.example", "sven.jansen@gmail-demo.example"],
        notes="Introduced by Jonas Becker.",
    ),
    dict(
        given="Katrin",
        surname="Seidel",
        title="Dr.",
        company="Praxis Dr. Seidel",
        job_title="Dentist",
        business_phones=["+49 30 5554 2020"],
        street="Kastanienallee 5",
        city="Berlin",
        postal_code="10435",
        country="Germany",
    ),
]

PARTNER: dict[str, Any] = dict(
    given="Oskar",
    surname="Lindgren",
    company="Fjordline Consulting AS",
    job_title="Partner",
    emails=["oskar.lindgren@fjordline.example"],
    business_phones=["+47 22 55 50 10"],
    city="Oslo",
    country="Norway",
    notes="Implementation partner for Nordic customers.",
)

CAMPAIGN_MEMBERS = [
    ("lvogt", "Responded"),
    ("praman", "Sent"),
    ("thartmann", "Sent"),
    ("icarvalho", "Planned"),
    ("nhaddad", "Responded"),
    ("mkowalski", "Sent"),
]


def _email(key: str, first: str, last: str, account: _Account | None) -> str:
    def plain(text: str) -> str:
        table = str.maketrans(
            {
                "ä": "ae",
                "ö": "oe",
                "ü": "ue",
                "ß": "ss",
                "ı": "i",
                "ó": "o",
                "á": "a",
                "Á": "A",
                "Ä": "Ae",
                "Ö": "Oe",
                "Ü": "Ue",
            }
        )
        return text.translate(table).lower().replace(" ", "")

    domain = account.domain if account else "mailbox.example"
    return f"{plain(first)}.{plain(last)}@{domain}"


def _phone(account: _Account | None, extension: str | None) -> str | None:
    if not account or not extension:
        return None
    base = account.phone.rsplit(" ", 1)[0]
    return f"{base} {extension}"


def populate(state: SandboxState) -> None:
    """Fill the base world with the demo data (see the module docstring)."""
    d0 = anchor_day(state)
    users = {alias: sf_user_by_alias(state, alias)["Id"] for alias in ("mreyes", "sokafor")}
    me, sam = users["mreyes"], users["sokafor"]

    # --- Salesforce: accounts, account team, contacts, campaign
    accounts: dict[str, dict] = {}
    for account in ACCOUNTS:
        accounts[account.key] = state.sf_create(
            "Account",
            {
                "Name": account.name,
                "Industry": account.industry,
                "BillingCity": account.city,
                "BillingCountry": account.country,
                "Phone": account.phone,
                "Website": f"https://www.{account.domain}",
                "OwnerId": users[account.owner],
            },
            user_id=users[account.owner],
        )
    for key in ("kast", "bv"):
        state.sf_create(
            "AccountTeamMember",
            {
                "AccountId": accounts[key]["Id"],
                "UserId": me,
                "TeamMemberRole": "Account Manager",
                "AccountAccessLevel": "Edit",
                "ContactAccessLevel": "Edit",
            },
            user_id=sam,
        )
    by_key = {a.key: a for a in ACCOUNTS}
    sf_contacts: dict[str, dict] = {}
    people: dict[str, dict] = {}
    for n, (key, first, last, sal, title, dept, acc_key, owner, ext, mobile) in enumerate(CONTACTS):
        acc = by_key.get(acc_key) if acc_key else None
        person = {
            "FirstName": first,
            "LastName": last,
            "Salutation": sal,
            "Title": title,
            "Department": dept,
            "Email": _email(key, first, last, acc),
            "Phone": _phone(acc, ext),
            "MobilePhone": mobile,
            "MailingStreet": acc.street if acc else None,
            "MailingCity": acc.city if acc else "Berlin",
            "MailingPostalCode": acc.postal_code if acc else None,
            "MailingCountry": acc.country if acc else "Germany",
            "AccountId": accounts[acc_key]["Id"] if acc_key else None,
            "OwnerId": users[owner],
            "Birthdate": (
                date(1975 + n % 20, 1 + n % 12, 1 + (n * 7) % 28).isoformat() if n % 5 == 0 else None
            ),
            "Description": ("Private contact: not related to an account yet." if not acc_key else None),
        }
        # One contact reports to another, and one has an assistant, like real org data.
        if key == "sfischer":
            person["ReportsToId"] = sf_contacts["dmeier"]["Id"]
        if key == "kschmidt":
            person["AssistantName"] = "Petra Lorenz"
        people[key] = dict(person, company=acc.name if acc else None, account=acc)
        sf_contacts[key] = state.sf_create("Contact", person, user_id=users[owner])

    summit = summit_days(d0)
    campaign = state.sf_create(
        "Campaign",
        {
            "Name": "Berlin Fintech Summit 2026",
            "Status": "In Progress",
            "IsActive": True,
            "StartDate": summit[0].isoformat(),
            "EndDate": summit[1].isoformat(),
        },
        user_id=me,
    )
    for key, status in CAMPAIGN_MEMBERS:
        state.sf_create(
            "CampaignMember",
            {
                "CampaignId": campaign["Id"],
                "ContactId": sf_contacts[key]["Id"],
                "Status": status,
                "HasResponded": status == "Responded",
            },
            user_id=me,
        )

    # --- Outlook: contacts
    root = root_contact_folder(state)["id"]
    for key, diff in OUTLOOK_SAME.items():
        p = people[key]
        acc = p["account"]
        item = outlook_contact(
            given=p["FirstName"],
            surname=p["LastName"],
            title=p["Salutation"] if key in ("nhaddad",) else None,
            emails=[diff.get("email", p["Email"])],
            business_phones=[p["Phone"]] if p["Phone"] else [],
            mobile=diff.get("mobile", p["MobilePhone"]),
            company=diff.get("company", p["company"]),
            department=diff.get("department", p["Department"]),
            job_title=diff.get("job_title", p["Title"]),
            street=acc.street if acc else None,
            city=p["MailingCity"] if acc else None,
            postal_code=acc.postal_code if acc else None,
            country=acc.country if acc else None,
            notes=diff.get("notes"),
            categories=diff.get("categories"),
            folder_id=root,
        )
        state.graph_create("contacts", item, container=root)
    for key in OUTLOOK_NO_EMAIL:
        p = people[key]
        item = outlook_contact(
            given=p["FirstName"],
            surname=p["LastName"],
            company=p["company"],
            job_title=p["Title"],
            business_phones=[p["Phone"]],
            folder_id=root,
        )
        state.graph_create("contacts", item, container=root)
    for spec in OUTLOOK_ONLY:
        state.graph_create("contacts", outlook_contact(folder_id=root, **spec), container=root)
    partners = state.graph_create("contactFolders", {"displayName": "Partners", "parentFolderId": root})
    for key in ("createdDateTime", "lastModifiedDateTime", "changeKey"):
        partners.pop(key, None)  # a Graph contactFolder has none of these
    state.graph_create(
        "contacts", outlook_contact(folder_id=partners["id"], **PARTNER), container=partners["id"]
    )

    _demo_events(state, d0, me, sam, accounts, sf_contacts, people)
    _demo_tasks(state, d0, me, sam, accounts, sf_contacts)


def _demo_events(
    state: SandboxState, d0: date, me: str, sam: str, accounts: dict, sf_contacts: dict, people: dict
) -> None:
    cal = default_calendar(state)["id"]

    def day(n: int) -> date:
        return workday(d0, n)

    def attendee(key: str) -> tuple[str, str]:
        return (f"{people[key]['FirstName']} {people[key]['LastName']}", people[key]["Email"])

    def sf_event(
        subject: str,
        start: datetime,
        end: datetime,
        *,
        owner: str = me,
        who: str | None = None,
        what: str | None = None,
        location: str | None = None,
        description: str | None = None,
        private: bool = False,
        show_as: str = "Busy",
    ) -> None:
        state.sf_create(
            "Event",
            {
                "Subject": subject,
                "StartDateTime": sf_datetime(start),
                "EndDateTime": sf_datetime(end),
                "IsAllDayEvent": False,
                "Location": location,
                "Description": description,
                "IsPrivate": private,
                "ShowAs": show_as,
                "WhoId": sf_contacts[who]["Id"] if who else None,
                "WhatId": accounts[what]["Id"] if what else None,
                "OwnerId": owner,
            },
            user_id=owner,
        )

    def ol_event(subject: str, start: datetime, end: datetime, **kw: Any) -> None:
        state.graph_create(
            "events", outlook_event(subject=subject, start=start, end=end, **kw), container=cal
        )

    # Three meetings on both sides: same subject, start and end.
    both = [
        (
            "Quarterly business review — Nordlicht Payments",
            at(day(-14), "10:00"),
            at(day(-14), "11:30"),
            "Nordlicht Payments, Friedrichstraße 68, Berlin",
            "Review of Q2 volumes, roadmap for instant payouts, renewal timeline.",
            "lvogt",
            "nord",
        ),
        (
            "Contract negotiation — Havelstrom Energie",
            at(day(2), "10:00"),
            at(day(2), "12:00"),
            "Havelstrom Energie, Am Kanal 12, Potsdam",
            "Redlines on liability cap and SLA credits. Bring the pricing sheet.",
            "jbecker",
            "havel",
        ),
        (
            "Demo: Tiergarten Analytics data platform",
            at(day(5), "15:00"),
            at(day(5), "16:00"),
            "Microsoft Teams meeting",
            "Live demo of the connector for their data platform.",
            "thartmann",
            "tier",
        ),
    ]
    for subject, start, end, location, body, who, what in both:
        ol_event(
            subject,
            start,
            end,
            location=location,
            body=body,
            attendees=[attendee(who)],
            online="Teams" in location,
        )
        sf_event(
            subject,
            start,
            end,
            who=who if who != "jbecker" else None,
            what=what,
            location=location,
            description=body,
        )

    # Outlook only.
    ol_event(
        "Discovery call: Spreewerk Robotics",
        at(day(-9), "14:00"),
        at(day(-9), "14:45"),
        location="Microsoft Teams meeting",
        online=True,
        attendees=[attendee("ademir")],
        body="First call with the CTO about warehouse automation reporting.",
    )
    ol_event(
        "Lunch with Clara Engel",
        at(day(-6), "12:30"),
        at(day(-6), "13:30"),
        location="Café Lindenblatt, Oranienburger Straße 20",
    )
    ol_event(
        "Pipeline call with Sam",
        at(day(1), "16:00"),
        at(day(1), "16:30"),
        location="Microsoft Teams meeting",
        online=True,
        attendees=[("Sam Okafor", "sam.okafor@northwind-demo.example")],
    )
    ol_event(
        "Dentist",
        at(day(3), "08:00"),
        at(day(3), "09:00"),
        sensitivity="private",
        location="Praxis Dr. Seidel, Kastanienallee 5",
        reminder_minutes=60,
    )
    ol_event(
        "Flight BER → CPH (Lindqvist Freight visit)",
        at(day(8), "07:10"),
        at(day(8), "08:20"),
        location="Berlin Brandenburg Airport",
        show_as="oof",
    )
    ol_event(
        "Onsite visit: Lindqvist Freight, Malmö",
        at(day(8), "11:00"),
        at(day(8), "16:00"),
        location="Lindqvist Freight AB, Hamngatan 9, Malmö",
        attendees=[attendee("mkowalski"), attendee("sberg")],
    )
    ol_event(
        "Renewal check-in: Elbufer Versicherung",
        at(day(16), "11:00"),
        at(day(16), "11:30"),
        location="Microsoft Teams meeting",
        online=True,
        attendees=[attendee("holsen")],
    )
    ol_event(
        "Prep: summit booth logistics",
        at(day(19), "09:00"),
        at(day(19), "10:00"),
        attendees=[("Olivia Wagner", "booking@spreeufer-events.example")],
    )
    ol_event(
        "Follow-up: Kastanie Health pilot",
        at(day(22), "13:00"),
        at(day(22), "14:00"),
        attendees=[attendee("nhaddad"), ("Sam Okafor", "sam.okafor@northwind-demo.example")],
    )
    ol_event(
        "Workshop: Spreewerk integration scoping",
        at(day(35), "09:30"),
        at(day(35), "12:30"),
        location="Spreewerk Robotics, Wiebestraße 42, Berlin",
        attendees=[attendee("ademir"), attendee("tnguyen")],
    )
    # An all-day event over two days: midnight to midnight.
    state.graph_create(
        "events",
        outlook_event(
            subject="Berlin Fintech Summit 2026",
            start=day_dtz(summit_days(d0)[0], ALL_DAY_ZONE),
            end=day_dtz(summit_days(d0)[1] + timedelta(days=1), ALL_DAY_ZONE),
            all_day=True,
            show_as="oof",
            location="Station Berlin, Luckenwalder Straße 4-6",
            body="Booth B12. Campaign: Berlin Fintech Summit 2026.",
            reminder_minutes=1080,
        ),
        container=cal,
    )
    # A weekly series with no end (Mondays), starting about three weeks ago.
    first_monday = d0 - timedelta(days=21)
    first_monday += timedelta(days=-first_monday.weekday() % 7)
    state.graph_create(
        "events",
        outlook_event(
            subject="Weekly pipeline review",
            start=at(first_monday, "09:00"),
            end=at(first_monday, "09:30"),
            location="Microsoft Teams meeting",
            online=True,
            body="Standing team meeting: new opportunities, stuck deals, forecast.",
            attendees=[
                ("Sam Okafor", "sam.okafor@northwind-demo.example"),
                ("Mia Neumann", "mia.neumann@northwind-demo.example"),
            ],
            recurrence=weekly(first_monday, ["monday"]),
        ),
        container=cal,
    )
    # A fortnightly series with an end date (Thursdays), ending six weeks from now.
    first_thursday = d0 - timedelta(days=17 + (d0 - timedelta(days=17)).weekday() - 3)
    state.graph_create(
        "events",
        outlook_event(
            subject="1:1 with Sam (account handover)",
            start=at(first_thursday, "15:00"),
            end=at(first_thursday, "15:30"),
            location="Microsoft Teams meeting",
            online=True,
            attendees=[("Sam Okafor", "sam.okafor@northwind-demo.example")],
            recurrence=weekly(first_thursday, ["thursday"], interval=2, end_day=day(42)),
        ),
        container=cal,
    )

    # Salesforce only.
    sf_event(
        "Call: Elbufer renewal pricing",
        at(day(-18), "11:00"),
        at(day(-18), "11:30"),
        what="elb",
        who="holsen",
    )
    sf_event(
        "Intro meeting: Spreewerk Robotics CTO",
        at(day(-11), "10:00"),
        at(day(-11), "11:00"),
        what="spree",
        location="Spreewerk Robotics, Berlin",
    )
    sf_event("Lindqvist Freight: logistics review", at(day(-4), "14:00"), at(day(-4), "15:00"), what="lind")
    sf_event(
        "Account planning: Nordlicht Payments",
        at(day(4), "09:00"),
        at(day(4), "10:00"),
        what="nord",
        description="Whitespace analysis and next-year targets.",
    )
    sf_event("Executive sponsor call: Havelstrom", at(day(13), "17:00"), at(day(13), "17:30"), what="havel")
    sf_event("Doctor's appointment", at(day(15), "08:00"), at(day(15), "09:00"), private=True)
    sf_event(
        "Negotiation follow-up: Tiergarten Analytics", at(day(27), "10:00"), at(day(27), "11:00"), what="tier"
    )
    sf_event(
        "Q3 forecast review",
        at(day(40), "14:00"),
        at(day(40), "15:00"),
        location="Northwind office, Room Spree",
    )
    state.sf_create(
        "Event",
        {
            "Subject": "Team offsite (Potsdam)",
            "IsAllDayEvent": True,
            "ActivityDate": day(12).isoformat(),
            "DurationInMinutes": 1440,
            "Location": "Villa am Heiligen See, Potsdam",
            "ShowAs": "OutOfOffice",
            "OwnerId": me,
        },
        user_id=me,
    )
    # The colleague's own meeting: not in Morgan's range.
    sf_event(
        "Kastanie Health pilot kickoff",
        at(day(6), "10:00"),
        at(day(6), "11:30"),
        owner=sam,
        what="kast",
        who="nhaddad",
    )


def _demo_tasks(state: SandboxState, d0: date, me: str, sam: str, accounts: dict, sf_contacts: dict) -> None:
    lst = default_todo_list(state)["id"]

    def day(n: int) -> date:
        return workday(d0, n)

    def sf_task(
        subject: str,
        status: str,
        priority: str,
        due: date | None,
        *,
        owner: str = me,
        who: str | None = None,
        what: str | None = None,
        description: str | None = None,
        reminder: datetime | None = None,
    ) -> None:
        state.sf_create(
            "Task",
            {
                "Subject": subject,
                "Status": status,
                "Priority": priority,
                "ActivityDate": due.isoformat() if due else None,
                "Description": description,
                "WhoId": sf_contacts[who]["Id"] if who else None,
                "WhatId": accounts[what]["Id"] if what else None,
                "OwnerId": owner,
                "IsReminderSet": reminder is not None,
                "ReminderDateTime": sf_datetime(reminder) if reminder else None,
                "TaskSubtype": "Call" if subject.startswith("Call") else "Task",
            },
            user_id=owner,
        )

    def ol_task(title: str, status: str, importance: str, due: date | None, **kw: Any) -> None:
        state.graph_create(
            "todoTasks",
            outlook_task(
                title=title, status=status, importance=importance, due=due, modified=state.now(), **kw
            ),
            container=lst,
        )

    # Three tasks on both sides: same subject and due date.
    sf_task(
        "Send proposal to Nordlicht Payments",
        "Not Started",
        "High",
        day(3),
        what="nord",
        who="lvogt",
        reminder=at(day(3), "08:00"),
    )
    ol_task("Send proposal to Nordlicht Payments", "notStarted", "high", day(3), reminder=at(day(3), "08:00"))
    sf_task(
        "Follow up on Havelstrom contract redlines",
        "In Progress",
        "High",
        day(1),
        what="havel",
        description="Legal wants the liability cap at 1x annual fees.",
    )
    ol_task(
        "Follow up on Havelstrom contract redlines",
        "inProgress",
        "high",
        day(1),
        body="Legal wants the liability cap at 1x annual fees.",
    )
    sf_task("Prepare summit booth materials", "Not Started", "Normal", day(20))
    ol_task(
        "Prepare summit booth materials",
        "notStarted",
        "normal",
        day(20),
        body="Roll-up banner, 200 flyers, demo laptop, QR code to the signup page.",
    )

    # Salesforce only (four closed).
    sf_task("Call back Aylin Demir about pricing", "Completed", "Normal", day(-5), who="ademir", what="spree")
    sf_task("Update opportunity notes for Lindqvist Freight", "Completed", "Low", day(-12), what="lind")
    sf_task("Book travel to Malmö", "Completed", "Normal", day(-2))
    sf_task(
        "Log QBR outcomes for Nordlicht Payments",
        "Completed",
        "High",
        day(-13),
        what="nord",
        description="Renewal likely; expansion to card issuing in Q4.",
    )
    sf_task(
        "Send NDA to Tiergarten Analytics",
        "Waiting on someone else",
        "Normal",
        day(6),
        what="tier",
        who="thartmann",
    )
    sf_task("Review Elbufer renewal terms", "Deferred", "Low", day(30), what="elb")
    sf_task("Quarterly CRM data cleanup", "Not Started", "Low", None)
    # The colleague's task: not Morgan's.
    sf_task(
        "Kastanie Health: send pilot contract",
        "Not Started",
        "High",
        day(5),
        owner=sam,
        what="kast",
        who="nhaddad",
    )

    # Outlook only.
    ol_task("Renew passport", "notStarted", "normal", day(45))
    ol_task("Expense report for the Malmö trip", "notStarted", "normal", day(11))
    ol_task(
        "Read Tiergarten security questionnaire",
        "inProgress",
        "normal",
        day(4),
        body="87 questions; ask Ben Schwarz for help with section C (encryption).",
    )
    ol_task("Order new business cards", "completed", "low", day(-8), completed=day(-9))
    ol_task("Draft talking points for the Nordlicht QBR", "completed", "high", day(-15), completed=day(-15))
    ol_task("Ask Sam about the Kastanie pilot scope", "waitingOnOthers", "normal", day(2))
    ol_task("Try the new CPQ tool", "deferred", "low", None)


# --------------------------------------------------------------------------- scale
FIRST_NAMES = (
    "Anna",
    "Ben",
    "Carla",
    "Deniz",
    "Emil",
    "Frieda",
    "Goran",
    "Hana",
    "Ivo",
    "Jana",
    "Karim",
    "Lotte",
    "Milan",
    "Nora",
    "Oskar",
    "Paula",
    "Quentin",
    "Rosa",
    "Timo",
    "Ula",
    "Vito",
    "Wanda",
    "Xaver",
    "Yara",
    "Zeno",
)
SCALE_TITLES = ("Buyer", "Engineer", "Director", "Analyst", "Manager", "Consultant")


def _add_outlook_item(state: SandboxState, collection: str, item: dict, container: str) -> dict:
    """``state.graph_create`` for a freshly built item that nobody else holds.

    The primitive deep-copies its argument, which is two thirds of the time of a 10,000
    contact seed. Here the primitive stamps a tiny item (id, timestamps, change key, etag,
    container, change sequence) and the new, unshared properties are then moved in as they
    are: the same stored result without the copy.
    """
    stub = {"id": item.pop("id")} if "id" in item else {}
    with state.lock:
        stored = state.graph_create(collection, stub, container=container)
        for key, value in item.items():
            stored.setdefault(key, value)
    return stored


def populate_scale(state: SandboxState, contacts: int, events: int, tasks: int) -> None:
    """``contacts``, ``events`` and ``tasks`` records on each side; the first half of each
    kind (rounded down) exists on both sides: same email, same subject + start + end, same
    subject + due date. Everything is owned by Morgan and inside the default sync ranges."""
    d0 = anchor_day(state)
    me = sf_user_by_alias(state, "mreyes")["Id"]
    root = root_contact_folder(state)["id"]
    cal = default_calendar(state)["id"]
    lst = default_todo_list(state)["id"]

    n_accounts = max(1, min(200, contacts // 50)) if contacts else 0
    accounts = [
        state.sf_create(
            "Account",
            {
                "Name": f"Scale Customer {a:03d} GmbH",
                "Industry": "Technology",
                "BillingCity": "Berlin",
                "BillingCountry": "Germany",
                "OwnerId": me,
            },
            user_id=me,
        )
        for a in range(n_accounts)
    ]

    def person(i: int) -> tuple[str, str, str, str, int]:
        first = FIRST_NAMES[i % len(FIRST_NAMES)]
        last = f"Sample{i:06d}"
        a = i % n_accounts
        return (
            first,
            last,
            f"{first.lower()}.{last.lower()}@customer{a:03d}.example",
            SCALE_TITLES[i % len(SCALE_TITLES)],
            a,
        )

    shared = contacts // 2
    for i in range(contacts):
        first, last, email, title, a = person(i)
        state.sf_create(
            "Contact",
            {
                "FirstName": first,
                "LastName": last,
                "Email": email,
                "Title": title,
                "Phone": f"+49 30 {5550000 + i}",
                "MailingCity": "Berlin",
                "MailingCountry": "Germany",
                "AccountId": accounts[a]["Id"],
                "OwnerId": me,
            },
            user_id=me,
        )
    for i in list(range(shared)) + list(range(contacts, 2 * contacts - shared)):
        first, last, email, title, a = person(i)
        _add_outlook_item(
            state,
            "contacts",
            outlook_contact(
                given=first,
                surname=last,
                emails=[email],
                job_title=title,
                business_phones=[f"+49 30 {5550000 + i}"],
                company=accounts[a]["Name"],
                city="Berlin",
                country="Germany",
                folder_id=root,
            ),
            root,
        )

    def slot(i: int) -> tuple[datetime, datetime]:
        day = d0 + timedelta(days=-28 + (i * 3) % 390)
        start = at(day, f"{8 + i % 9:02d}:{(i % 4) * 15:02d}")
        return start, start + timedelta(minutes=30 + 30 * (i % 3))

    shared = events // 2
    for i in range(events):
        start, end = slot(i)
        subject = f"Scale meeting {i:05d}" if i < shared else f"Salesforce meeting {i:05d}"
        state.sf_create(
            "Event",
            {
                "Subject": subject,
                "StartDateTime": sf_datetime(start),
                "EndDateTime": sf_datetime(end),
                "IsAllDayEvent": False,
                "OwnerId": me,
            },
            user_id=me,
        )
        subject = f"Scale meeting {i:05d}" if i < shared else f"Outlook meeting {i:05d}"
        _add_outlook_item(state, "events", outlook_event(subject=subject, start=start, end=end), cal)

    shared = tasks // 2
    for i in range(tasks):
        due = d0 + timedelta(days=-20 + i % 140)
        done = i % 10 == 9 and due < d0
        subject = f"Scale task {i:05d}" if i < shared else f"Salesforce task {i:05d}"
        state.sf_create(
            "Task",
            {
                "Subject": subject,
                "ActivityDate": due.isoformat(),
                "Status": "Completed" if done else "Not Started",
                "Priority": ("High", "Normal", "Low")[i % 3],
                "OwnerId": me,
            },
            user_id=me,
        )
        subject = f"Scale task {i:05d}" if i < shared else f"Outlook task {i:05d}"
        _add_outlook_item(
            state,
            "todoTasks",
            outlook_task(
                title=subject,
                due=due,
                status="completed" if done else "notStarted",
                importance=("high", "normal", "low")[i % 3],
                completed=due if done else None,
                modified=state.now(),
            ),
            lst,
        )
