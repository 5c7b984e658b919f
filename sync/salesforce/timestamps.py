"""Date-times Tandem sends to Salesforce, in the forms its documentation gives.

SOQL (``soql_datetime``)
    A dateTime literal in a WHERE clause is ``YYYY-MM-DDThh:mm:ssZ`` (or ``+hh:mm`` /
    ``-hh:mm``), unquoted; the SOQL page documents no fractional seconds, and values come back
    as ``2026-12-04T10:00:00.000+0000``, a form the page does not list either. So every
    date-time Tandem puts into SOQL goes through ``soql_datetime``: UTC, whole seconds, ``Z``.
    The change query of the cursor (``SystemModstamp >= m``) therefore starts at the whole
    second of the newest stamp seen and skips the (id, stamp) pairs already seen in that second
    (``sync.salesforce.source``): two saves in the same second are both read, none twice.

getDeleted (``replication_datetime``)
    ``start`` / ``end`` of ``/sobjects/T/deleted/`` are ISO 8601 with an offset, as the REST
    page's example (``2013-05-05T00:00:00+00:00``); Salesforce ignores the seconds, so Tandem
    sends whole minutes and no seconds it would lose.
"""

from __future__ import annotations

import datetime as dt

UTC = dt.UTC


def whole_second(when: dt.datetime) -> dt.datetime:
    """``when`` in UTC, without its fraction of a second."""
    return when.astimezone(UTC).replace(microsecond=0)


def soql_datetime(when: dt.datetime) -> str:
    """A SOQL dateTime literal: ``2026-12-04T10:00:00Z`` (UTC, the whole second of ``when``)."""
    return whole_second(when).strftime("%Y-%m-%dT%H:%M:%SZ")


def replication_minute(when: dt.datetime) -> dt.datetime:
    """The minute getDeleted reads ``when`` as (it ignores the seconds)."""
    return when.astimezone(UTC).replace(second=0, microsecond=0)


def replication_datetime(when: dt.datetime) -> str:
    """A getDeleted ``start`` / ``end``: ``2026-12-04T10:00:00+00:00`` (the minute of ``when``)."""
    return replication_minute(when).strftime("%Y-%m-%dT%H:%M:%S+00:00")
