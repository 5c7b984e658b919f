"""Field-level merge of two records, three-way against the snapshot or two-way for a new pair.

Works on merge units (``sync.fields.merge_units``): a field, or a group of fields that only
make sense together (an event's all-day flag and times). For each unit:

three-way (a linked pair, ``base`` = snapshot)
    changed on one side only -> copied to the other side (if the unit flows that way);
    changed on both to the same value -> nothing to write, the snapshot takes the value;
    changed on both differently -> a conflict, settled by the policy (or held: "ask").
two-way (a pair just found by matching, no base)
    equal -> nothing; empty on one side -> filled from the other (an empty value never
    overwrites a filled one); both filled and different -> a conflict, as above.

One-way fields only ever move in their direction (``AccountName`` to Outlook, ``WhoEmail`` to
Salesforce); the other side's value of such a field is never read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from .fields import SPECS, Kind, Side, merge_units
from .normalise import same_value
from .records import Record, Value


@dataclass
class MergeResult:
    to_outlook: Record = field(default_factory=dict)
    to_salesforce: Record = field(default_factory=dict)
    agreed: Record = field(default_factory=dict)  # converged values for the snapshot
    conflicts: dict[str, tuple[Value, Value]] = field(default_factory=dict)  # field -> (outlook, salesforce)


def _unit_same(
    kind: Kind, unit: tuple[str, ...], a: Mapping[str, Value], b: Mapping[str, Value], region: str | None
) -> bool:
    return all(same_value(kind, f, a.get(f), b.get(f), region) for f in unit)


def _unit_empty(unit: tuple[str, ...], r: Mapping[str, Value]) -> bool:
    return all(r.get(f) in (None, False) for f in unit)


def winner(policy: str, outlook_time: dt.datetime | None, salesforce_time: dt.datetime | None) -> Side | None:
    """The side whose value wins a same-field conflict; None for "ask"."""
    if policy == "ask":
        return None
    if policy == "outlook_wins":
        return "outlook"
    if policy == "most_recent" and outlook_time and salesforce_time and outlook_time > salesforce_time:
        return "outlook"
    return "salesforce"


def merge(
    kind: Kind,
    base: Mapping[str, Value] | None,
    outlook: Mapping[str, Value],
    salesforce: Mapping[str, Value],
    *,
    policy: str = "salesforce_wins",
    outlook_time: dt.datetime | None = None,
    salesforce_time: dt.datetime | None = None,
    region: str | None = None,
) -> MergeResult:
    specs = SPECS[kind]
    result = MergeResult()
    win = winner(policy, outlook_time, salesforce_time)
    for unit in merge_units(kind):
        spec = specs[unit[0]]
        from_outlook = spec.flows_from("outlook")
        from_salesforce = spec.flows_from("salesforce")
        if base is not None:
            o_changed = from_outlook and not _unit_same(kind, unit, outlook, base, region)
            s_changed = from_salesforce and not _unit_same(kind, unit, salesforce, base, region)
        else:
            if not from_outlook or not from_salesforce:  # one-way: the owner's filled value goes over
                owner, other = (outlook, salesforce) if from_outlook else (salesforce, outlook)
                o_changed = from_outlook and not _unit_empty(unit, owner)
                s_changed = from_salesforce and not _unit_empty(unit, owner)
            elif _unit_same(kind, unit, outlook, salesforce, region):
                o_changed = s_changed = False
            else:
                o_changed = not _unit_empty(unit, outlook)
                s_changed = not _unit_empty(unit, salesforce)
        if not o_changed and not s_changed:
            continue
        if o_changed and s_changed and not _unit_same(kind, unit, outlook, salesforce, region):
            if win is None:
                for f in unit:
                    result.conflicts[f] = (outlook.get(f), salesforce.get(f))
                continue
            o_changed, s_changed = win == "outlook", win == "salesforce"
        if o_changed and s_changed:  # both changed to the same value
            for f in unit:
                result.agreed[f] = salesforce.get(f) if from_salesforce else outlook.get(f)
            continue
        source, target, into = (
            (outlook, salesforce, result.to_salesforce)
            if o_changed
            else (salesforce, outlook, result.to_outlook)
        )
        if _unit_same(kind, unit, source, target, region):
            for f in unit:
                result.agreed[f] = source.get(f)
            continue
        for f in unit:
            into[f] = source.get(f)
    return result
