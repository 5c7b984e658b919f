"""The emulator's own Graph model (``sandbox.graph.model``, used to validate request bodies)
agrees with the independent v1.0 subset taken from Microsoft's CSDL, and the shared checker
catches what it should."""

from __future__ import annotations

from graph_schema_check import check

from sandbox.graph.model import COMPLEX, ENTITIES, ENUMS


def _flat(schema: dict, kind: str, name: str) -> dict[str, str]:
    table = schema["entityTypes" if kind == "entity" else "complexTypes"]
    t = table[name]
    out: dict[str, str] = {}
    if t.get("baseType"):
        out.update(_flat(schema, kind, t["baseType"].split(".", 1)[1]))
    out.update({p: v["type"] for p, v in t["properties"].items()})
    return out


def test_entities_match_the_subset(graph_schema) -> None:
    for name, props in ENTITIES.items():
        assert props == _flat(graph_schema, "entity", name), name


def test_complex_types_match_the_subset(graph_schema) -> None:
    for name, props in COMPLEX.items():
        assert props == _flat(graph_schema, "complex", name), name


def test_enums_match_the_subset(graph_schema) -> None:
    for name, members in ENUMS.items():
        if name in graph_schema["enumTypes"]:
            assert list(members) == graph_schema["enumTypes"][name], name


def test_checker_reports_problems(graph_schema) -> None:
    assert (
        check(
            graph_schema,
            "contact",
            {"@odata.etag": "x", "givenName": "A", "emailAddresses": [{"address": "a@b.c"}]},
        )
        == []
    )
    problems = check(
        graph_schema,
        "event",
        {
            "subjekt": "typo",
            "showAs": "sleeping",
            "isAllDay": "no",
            "start": {"dateTime": "2026-01-01T10:00:00", "timeZone": "UTC"},
            "attendees": [{"emailAddress": {"adress": "x"}}],
        },
    )
    assert len(problems) == 5, problems
    assert check(graph_schema, "todoTask", {"id": "1", "@removed": {"reason": "deleted"}}) == []
