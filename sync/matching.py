"""Pairing records that already exist on both sides, before anything is created.

Used on the first sync, after a rebuild, and for any record that is not linked yet
(BEHAVIOUR.md, "Matching"). Rules, tried in order on what is still unpaired:

- contacts: ``email`` (case-insensitive), then ``name_company`` (first + last name +
  company). Those two are the only rules that pair (BEHAVIOUR.md). A third, ``name`` (first
  + last name where at least one side has no company), never pairs: two people can share a
  name, so such a candidate is held for the person ("needs your choice"), never guessed and
  never created twice. Name rules never match two contacts whose emails are both set and
  differ. (Crash recovery still finds Tandem's own writes by every key, ``name`` included.)
- events: ``subject_start_end`` (subject, start, end; all-day: date and length).
- tasks: ``subject_due`` (subject, due date).

Each rule builds one dict index per side, so matching is linear. A key held by exactly one
record on each side pairs them. A key held by several records on either side while the
other side has it too is *ambiguous*: all those records are held ("needs your choice") and
neither paired nor created, so no duplicate can arise and nothing is guessed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .fields import Kind
from .records import SourceItem, Value

HOLD_ONLY = {"name"}  # rules whose candidates are held for the person, never paired

RULES: dict[Kind, tuple[str, ...]] = {
    "contacts": ("email", "name_company", "name"),
    "events": ("subject_start_end",),
    "tasks": ("subject_due",),
}


def _text(value: Value) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split()).casefold()
    return text or None


def match_key(kind: Kind, rule: str, r: Mapping[str, Value]) -> Hashable | None:
    """The key of ``r`` under ``rule``, or None when the record cannot match by it."""
    if rule == "email":
        return _text(r.get("Email"))
    if rule in ("name_company", "name"):
        last = _text(r.get("LastName"))
        if last is None:
            return None
        first = _text(r.get("FirstName"))
        if rule == "name":
            return (first, last)
        company = _text(r.get("AccountName"))
        return (first, last, company) if company else None
    if rule == "subject_start_end":
        start = r.get("StartDateTime") if not r.get("IsAllDayEvent") else r.get("ActivityDate")
        end = r.get("EndDateTime") if not r.get("IsAllDayEvent") else r.get("DurationInMinutes")
        if start is None:
            return None
        return (_text(r.get("Subject")), str(start), str(end))
    if rule == "subject_due":
        return (_text(r.get("Subject")), str(r.get("ActivityDate")))
    raise ValueError(rule)


def match_keys(kind: Kind, record: Mapping[str, Value]) -> list[tuple[str, Hashable]]:
    """All (rule, key) pairs of a record; sources use them in ``find_matches``."""
    out = []
    for rule in RULES[kind]:
        key = match_key(kind, rule, record)
        if key is not None:
            out.append((rule, key))
    return out


def _compatible(kind: Kind, rule: str, a: Mapping[str, Value], b: Mapping[str, Value]) -> bool:
    if kind != "contacts" or rule == "email":
        return True
    ea, eb = _text(a.get("Email")), _text(b.get("Email"))
    if ea and eb and ea != eb:
        return False
    if rule == "name":
        ca, cb = _text(a.get("AccountName")), _text(b.get("AccountName"))
        if ca and cb and ca != cb:
            return False
    return True


@dataclass
class Ambiguous:
    rule: str
    key: Any
    outlook: list[SourceItem]
    salesforce: list[SourceItem]


@dataclass
class MatchResult:
    pairs: list[tuple[SourceItem, SourceItem, str]] = field(default_factory=list)
    ambiguous: list[Ambiguous] = field(default_factory=list)
    outlook_unmatched: list[SourceItem] = field(default_factory=list)
    salesforce_unmatched: list[SourceItem] = field(default_factory=list)

    def counts_by_rule(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for _, _, rule in self.pairs:
            counts[rule] += 1
        return dict(counts)


def match(kind: Kind, outlook: Iterable[SourceItem], salesforce: Iterable[SourceItem]) -> MatchResult:
    """Pair unlinked records of the two sides by the rules of ``kind``."""
    result = MatchResult()
    o_left: dict[str, SourceItem] = {i.id: i for i in outlook}
    s_left: dict[str, SourceItem] = {i.id: i for i in salesforce}
    for rule in RULES[kind]:
        if not o_left or not s_left:
            break
        o_index: dict[Hashable, list[SourceItem]] = defaultdict(list)
        s_index: dict[Hashable, list[SourceItem]] = defaultdict(list)
        for item in o_left.values():
            key = match_key(kind, rule, item.record)
            if key is not None:
                o_index[key].append(item)
        for item in s_left.values():
            key = match_key(kind, rule, item.record)
            if key is not None:
                s_index[key].append(item)
        for key, o_items in o_index.items():
            s_items = s_index.get(key)
            if not s_items:
                continue
            compat = [(o, s) for o in o_items for s in s_items if _compatible(kind, rule, o.record, s.record)]
            if not compat:
                continue
            if len(compat) == 1 and rule not in HOLD_ONLY:
                o, s = compat[0]
                result.pairs.append((o, s, rule))
                del o_left[o.id], s_left[s.id]
                continue
            o_held = list({o.id: o for o, _ in compat}.values())
            s_held = list({s.id: s for _, s in compat}.values())
            result.ambiguous.append(Ambiguous(rule, key, o_held, s_held))
            for o in o_held:
                del o_left[o.id]
            for s in s_held:
                del s_left[s.id]
    result.outlook_unmatched = list(o_left.values())
    result.salesforce_unmatched = list(s_left.values())
    return result
