"""Seed data for the emulator: the named seeds.

``apply(state, spec)`` with spec ``empty`` (the base world, ``sandbox.base_world``), ``demo``
or ``scale:CONTACTS,EVENTS,TASKS`` (``sandbox.seed_demo``), or ``edge`` (the demo plus the
records real orgs hold that the demo does not, ``sandbox.seed_edge``). The lookups of the base world's
fixed parts are importable from here too.
"""

from __future__ import annotations

import re

from sandbox import seed_demo, seed_edge
from sandbox.base_world import (
    base_world,
    default_calendar,
    default_todo_list,
    root_contact_folder,
    sf_user_by_alias,
)
from sandbox.state import SandboxState

__all__ = [
    "SeedError",
    "apply",
    "base_world",
    "default_calendar",
    "default_todo_list",
    "parse_spec",
    "root_contact_folder",
    "sf_user_by_alias",
]


class SeedError(ValueError):
    """An unknown seed name or a malformed ``scale:`` spec."""


def parse_spec(spec: str) -> tuple[str, tuple[int, int, int] | None]:
    spec = (spec or "demo").strip()
    if spec in ("demo", "edge", "empty"):
        return spec, None
    m = re.fullmatch(r"scale:(\d+),(\d+),(\d+)", spec)
    if not m:
        raise SeedError(f"unknown seed {spec!r}: use demo, edge, empty or scale:CONTACTS,EVENTS,TASKS")
    return "scale", (int(m.group(1)), int(m.group(2)), int(m.group(3)))


def apply(state: SandboxState, spec: str = "demo") -> None:
    """Reset ``state`` and fill it with the named seed."""
    name, counts = parse_spec(spec)
    state.reset()
    base_world(state)
    if name == "demo":
        seed_demo.populate(state)
    elif name == "edge":
        seed_edge.populate(state)
    elif counts is not None:
        seed_demo.populate_scale(state, *counts)
    state.dirty = True
