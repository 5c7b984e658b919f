"""The org's Task Status picklist, served as the TaskStatus object.

A standard org has five statuses (``schema.TASK_STATUSES``; "Completed" the only closed one,
"Not Started" the default). Rows live in ``state.sf["records"]["TaskStatus"]``; an org whose
rows were never written (the seeds before this object existed, a saved state) gets the
standard five on first use. ``Task.IsClosed`` is derived from the row of the task's Status.
"""

from __future__ import annotations

from typing import Any

from sandbox.salesforce.schema import CLOSED_TASK_STATUSES, TASK_STATUSES


def rows(state: Any) -> list[dict]:
    """Every status row, by SortOrder (the standard five written first if there are none)."""
    with state.lock:
        stored = state.sf["records"].setdefault("TaskStatus", {})
        state.sf["deleted"].setdefault("TaskStatus", {})
        if not stored:
            for n, label in enumerate(TASK_STATUSES, 1):
                add(state, label, closed=label in CLOSED_TASK_STATUSES, default=n == 1, order=n)
        return sorted(stored.values(), key=lambda r: (r.get("SortOrder") or 0, r["Id"]))


def add(state: Any, label: str, *, closed: bool, default: bool = False, order: int | None = None) -> dict:
    """Add a status value (an administrator's edit of the picklist)."""
    with state.lock:
        stored = state.sf["records"].setdefault("TaskStatus", {})
        state.sf["deleted"].setdefault("TaskStatus", {})
        if default:
            for row in stored.values():
                row["IsDefault"] = False
        if order is None:
            order = max((r.get("SortOrder") or 0 for r in stored.values()), default=0) + 1
        return state.sf_create(
            "TaskStatus",
            {
                "ApiName": label,
                "MasterLabel": label,
                "IsClosed": closed,
                "IsDefault": default,
                "SortOrder": order,
            },
        )


def closed_labels(state: Any) -> set[str]:
    """The statuses that close a task (the standard ones when the org has no rows)."""
    stored = getattr(state, "sf", {}).get("records", {}).get("TaskStatus") or {}
    if not stored:
        return set(CLOSED_TASK_STATUSES)
    return {r["ApiName"] for r in stored.values() if r.get("IsClosed")}
