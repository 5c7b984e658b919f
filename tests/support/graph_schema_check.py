"""Checks Graph payloads against the independent v1.0 schema subset
(``tests/data/graph_v1_schema_subset.json``, taken from Microsoft's CSDL), plus helpers the
Graph tests share: a bearer token for the sandbox's mailbox user and an httpx client with it.

``check(schema, "contact", payload)`` returns a list of problems (empty when the payload
fits): every property name of the entity and of nested complex types must exist in the
subset, enum values must be members, and primitive values must have the right JSON kind.
``@odata.*`` annotations and ``@removed`` are allowed anywhere an item is.
Graph wall-clock ``dateTimeTimeZone.dateTime`` values must have 7 fractional digits and no
offset; ``Edm.DateTimeOffset`` values must end in ``Z``.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

WALL = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}")
INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z")


def _props(schema: dict, kind: str, name: str) -> dict[str, dict]:
    table = schema["entityTypes" if kind == "entity" else "complexTypes"]
    t = table[name]
    props: dict[str, dict] = {}
    if t.get("baseType"):
        props.update(_props(schema, kind, t["baseType"].split(".", 1)[1]))
    props.update(t["properties"])
    return props


def _check_value(schema: dict, type_ref: str, value: Any, where: str) -> list[str]:
    if type_ref.startswith("Collection("):
        inner = type_ref[len("Collection(") : -1]
        if not isinstance(value, list):
            return [f"{where} should be a list ({type_ref}), got {value!r}"]
        out: list[str] = []
        for i, v in enumerate(value):
            out += _check_value(schema, inner, v, f"{where}[{i}]")
        return out
    if value is None:
        return []
    if type_ref.startswith("Edm."):
        ok = {
            "Edm.String": isinstance(value, str),
            "Edm.Boolean": isinstance(value, bool),
            "Edm.Int32": isinstance(value, int) and not isinstance(value, bool),
            "Edm.Double": isinstance(value, (int, float)) and not isinstance(value, bool),
            "Edm.DateTimeOffset": isinstance(value, str) and INSTANT.fullmatch(value) is not None,
            "Edm.Date": isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None,
        }.get(type_ref, True)
        return [] if ok else [f"{where}={value!r} is not a valid {type_ref}"]
    name = type_ref.split(".", 1)[1]
    if name in schema["enumTypes"]:
        allowed = schema["enumTypes"][name]
        return [] if value in allowed else [f"{where}={value!r} is not one of graph.{name} {allowed}"]
    if name in schema["complexTypes"]:
        if not isinstance(value, dict):
            return [f"{where} should be an object of graph.{name}, got {value!r}"]
        out = _check_object(schema, _props(schema, "complex", name), value, where, name)
        if (
            name == "dateTimeTimeZone"
            and value.get("dateTime") is not None
            and not WALL.fullmatch(value["dateTime"])
        ):
            out.append(f"{where}.dateTime={value['dateTime']!r} is not 'YYYY-MM-DDTHH:MM:SS.fffffff'")
        return out
    return []  # a type the subset does not describe (e.g. graph.calendarColor)


def _check_object(schema: dict, props: dict, payload: dict, where: str, type_name: str) -> list[str]:
    out: list[str] = []
    for key, value in payload.items():
        if key.startswith("@odata.") or key == "@removed":
            continue
        if key not in props:
            out.append(f"{where}.{key} is not a property of graph.{type_name}")
            continue
        out += _check_value(schema, props[key]["type"], value, f"{where}.{key}")
    return out


def check(schema: dict, entity: str, payload: dict) -> list[str]:
    """Problems of one entity payload (``entity`` e.g. ``contact``, ``event``, ``todoTask``)."""
    if "@removed" in payload:
        extra = set(payload) - {"@removed", "id", "@odata.type"}
        return [f"removed item has extra keys {extra}"] if extra else []
    return _check_object(schema, _props(schema, "entity", entity), payload, entity, entity)


def assert_valid(schema: dict, entity: str, payload: dict) -> None:
    problems = check(schema, entity, payload)
    assert not problems, "\n".join(problems)


def assert_page(schema: dict, entity: str, body: dict) -> list[dict]:
    """A collection page: ``@odata.context``, ``value`` of valid items; returns ``value``."""
    assert "@odata.context" in body, body
    assert set(body) <= {"@odata.context", "@odata.nextLink", "@odata.deltaLink", "@odata.count", "value"}, (
        body.keys()
    )
    for item in body["value"]:
        assert_valid(schema, entity, item)
    return body["value"]


# ----------------------------------------------------------------- clients
def bearer(sandbox) -> str:
    """A valid Graph access token for the mailbox user, issued straight from the token store."""
    user = sandbox.state.graph["user"]["id"]
    token, _ = sandbox.state.tokens.issue(
        "microsoft",
        user,
        "graph-tests",
        "Contacts.ReadWrite Calendars.ReadWrite Tasks.ReadWrite User.Read",
        3600,
    )
    return token


def graph_client(sandbox, **headers: str) -> httpx.Client:
    """An httpx client at ``{base}/v1.0/`` that sends a valid bearer token."""
    return httpx.Client(
        base_url=sandbox.base_url + "/v1.0/",
        verify=sandbox.ssl_context(),
        timeout=30,
        headers={"Authorization": f"Bearer {bearer(sandbox)}", **headers},
    )


def follow(client: httpx.Client, url: str, **kw: Any) -> tuple[list[dict], list[dict]]:
    """Follow ``@odata.nextLink`` from ``url``; returns (items, pages)."""
    items: list[dict] = []
    pages: list[dict] = []
    while url:
        r = client.get(url, **kw)
        kw.pop("params", None)  # httpx would replace the link's own query with them
        assert r.status_code == 200, r.text
        body = r.json()
        pages.append(body)
        items += body["value"]
        url = body.get("@odata.nextLink")
    return items, pages
