"""Graph's query options on list requests: which are allowed, ``$top``/``$skip`` paging with
``@odata.nextLink``, ``$select``, and the ``$filter``/``$orderby`` subset the emulator supports.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from sandbox.graph.core import GraphRequest, Reply, bad_request
from sandbox.state import SandboxState

# ------------------------------------------------------------ query options
KNOWN_OPTIONS = {
    "select",
    "top",
    "skip",
    "filter",
    "orderby",
    "count",
    "expand",
    "search",
    "skiptoken",
    "deltatoken",
    "format",
}


def check_options(
    req: GraphRequest, allowed: Iterable[str] = ("select", "top", "skip", "filter", "orderby", "count")
) -> None:
    allowed = set(allowed)
    for key, _ in req.query:
        if not key.startswith("$"):
            continue
        name = key[1:].lower()
        if name not in KNOWN_OPTIONS:
            raise bad_request(
                f"Query option '{key[1:]}' is not allowed. To include a query "
                f"parameter with a name starting with '$', escape the name."
            )
        if name not in allowed:
            raise bad_request(
                f"The query option '${name}' is not supported on this resource "
                f"(or not by the Tandem sandbox).",
                "ErrorInvalidUrlQuery",
            )


def int_option(req: GraphRequest, name: str) -> int | None:
    raw = req.option(name)
    if raw is None:
        return None
    if not re.fullmatch(r"\d+", raw.strip()):
        raise bad_request(
            f"Invalid value '{raw}' for ${name} query option found. The ${name} "
            f"query option requires a non-negative integer value."
        )
    return int(raw)


def page_size(state: SandboxState, req: GraphRequest, *, delta: bool = False) -> int:
    """The page size from ``$top`` and ``Prefer: odata.maxpagesize`` (recorded as applied)."""
    cfg = state.config
    top = int_option(req, "top")
    cap = int(cfg["graph_delta_page_max"] if delta else cfg["graph_page_max"])
    if top is not None and top > int(cfg["graph_page_max"]) and not delta:
        raise bad_request(
            f"The value of $top query parameter must be less than or equal to {cfg['graph_page_max']}.",
            "ErrorInvalidUrlQuery",
        )
    size = top if top is not None else int(cfg["graph_page_default"])
    raw = req.prefer.get("odata.maxpagesize")
    if raw is not None and re.fullmatch(r"\d+", raw) and int(raw) > 0:
        wanted = int(raw)
        applied = min(wanted, cap)
        req.apply(f"odata.maxpagesize={applied}")
        size = applied if top is None else min(size, applied)
    return max(1, min(size, cap))


def paged(
    state: SandboxState, req: GraphRequest, items: list, context: str, render: Callable[[dict], dict]
) -> Reply:
    """A plain (non-delta) collection page with ``$skip`` paging and ``@odata.nextLink``."""
    size = page_size(state, req)
    skip = int_option(req, "skip") or 0
    chunk = items[skip : skip + size]
    body: dict[str, Any] = {"@odata.context": context}
    if (req.option("count") or "").lower() == "true":
        body["@odata.count"] = len(items)
    body["value"] = [render(i) for i in chunk]
    if skip + size < len(items):
        query = [(k, v) for k, v in req.query if k.lstrip("$").lower() != "skip"]
        query.append(("$skip", str(skip + size)))
        body["@odata.nextLink"] = req.url(query)
    return Reply(200, body)


def parse_select(req: GraphRequest, props: Iterable[str], type_name: str) -> list[str] | None:
    raw = req.option("select")
    if raw is None:
        return None
    known = {p.lower(): p for p in props}
    out = []
    for name in (p.strip() for p in raw.split(",")):
        if not name:
            continue
        if name.lower() not in known:
            raise bad_request(
                f"Could not find a property named '{name}' on type '{type_name}'.", "RequestBroker--ParseUri"
            )
        out.append(known[name.lower()])
    return out


def select_props(body: dict, select: list[str] | None) -> dict:
    if select is None:
        return body
    out = {k: v for k, v in body.items() if k.startswith("@")}
    out["id"] = body.get("id")
    for name in select:
        out[name] = body.get(name)
    return out


# ---------------------------------------------------------- $filter/$orderby
_ANY_EMAIL = re.compile(
    r"\s*emailAddresses/any\(\s*(\w+)\s*:\s*\1/address\s+eq\s+'((?:[^']|'')*)'\s*\)\s*", re.IGNORECASE
)
_SIMPLE = re.compile(r"\s*(\w+)\s+(eq|ne)\s+('(?:[^']|'')*'|true|false|null)\s*", re.IGNORECASE)


def _has_address(address: str) -> Callable[[dict], bool]:
    """A test: one of the item's email addresses is ``address`` (already lowercased)."""

    def test(item: dict) -> bool:
        return any(
            isinstance(e, dict) and str(e.get("address") or "").lower() == address
            for e in item.get("emailAddresses") or []
        )

    return test


def filter_items(
    req: GraphRequest, items: list[dict], props: Iterable[str], emails: bool = False
) -> list[dict]:
    """``$filter``: ``emailAddresses/any(a:a/address eq 'x')`` (contacts) and
    ``prop eq|ne literal`` terms joined by ``and``. Anything else is a 400."""
    raw = req.option("filter")
    if raw is None:
        return items
    known = {p.lower(): p for p in props}
    tests: list[Callable[[dict], bool]] = []
    for term in re.split(r"\s+and\s+", raw.strip(), flags=re.IGNORECASE):
        m = _ANY_EMAIL.fullmatch(term) if emails else None
        if m:
            address = m.group(2).replace("''", "'").lower()
            tests.append(_has_address(address))
            continue
        m = _SIMPLE.fullmatch(term)
        if m and m.group(1).lower() in known:
            prop, op, lit = known[m.group(1).lower()], m.group(2).lower(), m.group(3)
            value: Any
            if lit.startswith("'"):
                value = lit[1:-1].replace("''", "'")
            else:
                value = {"true": True, "false": False, "null": None}[lit.lower()]

            def test(i: dict, prop: str = prop, op: str = op, value: Any = value) -> bool:
                have = i.get(prop)
                if isinstance(have, str) and isinstance(value, str):
                    same = have.lower() == value.lower()
                else:
                    same = have == value
                return same if op == "eq" else not same

            tests.append(test)
            continue
        raise bad_request(
            "The query filter contains one or more invalid nodes.", "ErrorInvalidUrlQueryFilter"
        )
    return [i for i in items if all(t(i) for t in tests)]


def order_items(
    req: GraphRequest,
    items: list[dict],
    props: Iterable[str],
    key_of: Callable[[dict, str], Any] | None = None,
) -> list[dict]:
    raw = req.option("orderby")
    if raw is None:
        return items
    known = {p.lower(): p for p in props}
    known.update(
        {
            "start/datetime": "start/dateTime",
            "end/datetime": "end/dateTime",
            "duedatetime/datetime": "dueDateTime/dateTime",
        }
    )
    keys = []
    for part in raw.split(","):
        bits = part.strip().split()
        if (
            not bits
            or bits[0].lower() not in known
            or len(bits) > 2
            or (len(bits) == 2 and bits[1].lower() not in ("asc", "desc"))
        ):
            raise bad_request(
                f"The $orderby expression '{part.strip()}' is not supported.", "ErrorInvalidUrlQuery"
            )
        keys.append((known[bits[0].lower()], len(bits) == 2 and bits[1].lower() == "desc"))
    out = list(items)
    for prop, desc in reversed(keys):

        def sort_key(i: dict, prop: str = prop) -> tuple:
            if key_of is not None:
                v = key_of(i, prop)
            elif "/" in prop:
                head, tail = prop.split("/", 1)
                v = (i.get(head) or {}).get(tail)
            else:
                v = i.get(prop)
            if isinstance(v, str):
                v = v.lower()
            return (v is None, v if v is not None else 0)

        out.sort(key=sort_key, reverse=desc)
    return out
