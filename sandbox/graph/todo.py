"""Microsoft To Do: task lists and tasks (``/me/todo/lists[/{id}/tasks]``) with delta.

Tasks have an ``@odata.etag`` but no ``changeKey``; a task's list is its ``_container``.
Setting ``status`` to ``completed`` stamps ``completedDateTime`` (and reopening clears it),
as To Do does.
"""

from __future__ import annotations

from typing import Any

from sandbox.clock import graph_instant
from sandbox.errors import GraphError
from sandbox.graph import delta as graph_delta
from sandbox.graph.core import (
    GraphRequest,
    Reply,
    body_type_preference,
    check_id,
    check_if_match,
    convert_body,
    dtz_in,
    fmt_wall,
    item_reply,
    not_found,
    ordered,
    output_zone,
    parse_wall,
    public_copy,
    require_tz,
    user_context,
    with_context,
)
from sandbox.graph.model import ENTITIES, validate
from sandbox.graph.query_options import (
    check_options,
    filter_items,
    order_items,
    paged,
    parse_select,
    select_props,
)
from sandbox.graph.recurrence import normalise
from sandbox.state import SandboxState

TASK_PROPS = list(ENTITIES["todoTask"])
LIST_PROPS = list(ENTITIES["todoTaskList"])
TASK_TYPE = "microsoft.graph.todoTask"
DTZ_PROPS = ("dueDateTime", "startDateTime", "reminderDateTime", "completedDateTime")


# -------------------------------------------------------------------- lists
def get_list(state: SandboxState, list_id: str) -> dict:
    check_id(list_id)
    lst = state.graph["todoLists"].get(list_id)
    if lst is None:
        raise not_found()
    return lst


def render_list(lst: dict, select: list[str] | None = None) -> dict:
    body = {
        "@odata.etag": lst.get("@odata.etag"),
        "id": lst["id"],
        "displayName": lst.get("displayName"),
        "isOwner": lst.get("isOwner", True),
        "isShared": lst.get("isShared", False),
        "wellknownListName": lst.get("wellknownListName", "none"),
    }
    return select_props(body, select)


def list_lists(state: SandboxState, req: GraphRequest) -> Reply:
    check_options(req)
    select = parse_select(req, LIST_PROPS, "microsoft.graph.todoTaskList")
    items = filter_items(req, list(state.graph["todoLists"].values()), LIST_PROPS)
    items = order_items(req, items, LIST_PROPS)
    return paged(state, req, items, user_context(req, "todo/lists"), lambda lst: render_list(lst, select))


def create_list(state: SandboxState, req: GraphRequest) -> Reply:
    data = validate("todoTaskList", req.json())
    name = data.get("displayName")
    if not isinstance(name, str) or not name.strip():
        raise GraphError(400, "invalidRequest", "The displayName of a list must not be empty.")
    lst = state.graph_create(
        "todoLists", {"displayName": name, "isOwner": True, "isShared": False, "wellknownListName": "none"}
    )
    body = with_context(user_context(req, "todo/lists/$entity"), render_list(lst))
    return item_reply(req, body, 201, req.url(path=f"/me/todo/lists/{lst['id']}"))


def list_item(state: SandboxState, req: GraphRequest) -> Reply:
    lst = get_list(state, req.params["list_id"])
    ctx = user_context(req, "todo/lists/$entity")
    if req.method == "GET":
        check_options(req, ("select",))
        select = parse_select(req, LIST_PROPS, "microsoft.graph.todoTaskList")
        return item_reply(req, with_context(ctx, render_list(lst, select)))
    check_if_match(req, lst)
    if req.method == "PATCH":
        data = validate("todoTaskList", req.json())
        return item_reply(
            req, with_context(ctx, render_list(state.graph_update("todoLists", lst["id"], data)))
        )
    if req.method != "DELETE":  # pragma: no cover - the routes allow GET, PATCH, DELETE
        raise GraphError(405, "BadRequest", "Unsupported HTTP method for this resource.")
    if lst.get("wellknownListName") in ("defaultList", "flaggedEmails"):
        raise GraphError(400, "invalidRequest", "A well-known list can't be deleted.")
    for task in state.graph_items("todoTasks", lst["id"]):
        state.graph_delete("todoTasks", task["id"])
    state.graph_delete("todoLists", lst["id"])
    return Reply(204)


def lists_delta(state: SandboxState, req: GraphRequest) -> Reply:
    fresh = not (req.option("deltatoken") or req.option("skiptoken"))
    select = parse_select(req, LIST_PROPS, "microsoft.graph.todoTaskList") if fresh else None
    return graph_delta.seq_delta(
        state,
        req,
        collection="todoLists",
        container=None,
        select=select,
        odata_type="#microsoft.graph.todoTaskList",
        render=render_list,
        options=("select", "top", "skiptoken", "deltatoken"),
    )


# -------------------------------------------------------------------- tasks
class TaskView:
    def __init__(self, req: GraphRequest, select: list[str] | None = None) -> None:
        self.zone = output_zone(req)
        self.body_type = body_type_preference(req)
        self.select = select

    def __call__(self, task: dict) -> dict:
        body = public_copy(task)
        for key in DTZ_PROPS:
            if isinstance(body.get(key), dict):
                body[key] = dtz_in(body[key], self.zone)
        if "body" in body:
            body["body"] = convert_body(body["body"], self.body_type)
        return select_props(ordered(body), self.select)


def _get_task(state: SandboxState, req: GraphRequest) -> tuple[dict, dict]:
    lst = get_list(state, req.params["list_id"])
    task_id = req.params["task_id"]
    check_id(task_id)
    task = state.graph["todoTasks"].get(task_id)
    if task is None or task.get("_container") != lst["id"]:
        raise not_found()
    return lst, task


def _prepare(state: SandboxState, data: dict, existing: dict | None) -> dict:
    for key in DTZ_PROPS:
        value = data.get(key)
        if value is None:
            continue
        if not value.get("dateTime") or not value.get("timeZone"):
            raise GraphError(
                400, "invalidRequest", f"The {key} property requires both dateTime and timeZone."
            )
        zone = require_tz(value["timeZone"])
        try:
            data[key] = {
                "dateTime": fmt_wall(parse_wall(value["dateTime"], zone)),
                "timeZone": value["timeZone"],
            }
        except ValueError:
            raise GraphError(
                400,
                "invalidRequest",
                f"The value '{value['dateTime']}' of {key}.dateTime is not a valid date and time.",
            ) from None
    if data.get("recurrence"):
        due = data.get("dueDateTime") or (existing or {}).get("dueDateTime")
        if not due:
            raise GraphError(400, "invalidRequest", "A recurring task needs a dueDateTime.")
        data["recurrence"] = normalise(
            data["recurrence"], parse_wall(due["dateTime"]).date(), due["timeZone"]
        )
    now = state.now()
    if "body" in data:
        data["body"] = {
            "content": (data["body"] or {}).get("content") or "",
            "contentType": (data["body"] or {}).get("contentType") or "text",
        }
        data["bodyLastModifiedDateTime"] = _instant7(now)
    status = data.get("status")
    was = (existing or {}).get("status")
    if status == "completed" and was != "completed" and "completedDateTime" not in data:
        day = now.strftime("%Y-%m-%d")
        data["completedDateTime"] = {"dateTime": f"{day}T00:00:00.0000000", "timeZone": "UTC"}
    elif status is not None and status != "completed" and was == "completed":
        data["completedDateTime"] = None
    return data


def _instant7(moment: Any) -> str:
    return graph_instant(moment).replace("Z", ".0000000Z")


def list_tasks(state: SandboxState, req: GraphRequest) -> Reply:
    lst = get_list(state, req.params["list_id"])
    check_options(req)
    select = parse_select(req, TASK_PROPS, TASK_TYPE)
    items = filter_items(req, state.graph_items("todoTasks", lst["id"]), TASK_PROPS)
    items = order_items(req, items, TASK_PROPS)
    return paged(
        state, req, items, user_context(req, f"todo/lists('{lst['id']}')/tasks"), TaskView(req, select)
    )


def create_task(state: SandboxState, req: GraphRequest) -> Reply:
    lst = get_list(state, req.params["list_id"])
    data = _prepare(state, validate("todoTask", req.json()), None)
    task = {
        "importance": "normal",
        "isReminderOn": False,
        "status": "notStarted",
        "title": "",
        "categories": [],
        "hasAttachments": False,
        "body": {"content": "", "contentType": "text"},
        "bodyLastModifiedDateTime": _instant7(state.now()),
    }
    task.update({k: v for k, v in data.items() if v is not None})
    stored = state.graph_create("todoTasks", task, container=lst["id"])
    body = with_context(user_context(req, f"todo/lists('{lst['id']}')/tasks/$entity"), TaskView(req)(stored))
    return item_reply(req, body, 201, req.url(path=f"/me/todo/lists/{lst['id']}/tasks/{stored['id']}"))


def task_item(state: SandboxState, req: GraphRequest) -> Reply:
    lst, task = _get_task(state, req)
    ctx = user_context(req, f"todo/lists('{lst['id']}')/tasks/$entity")
    if req.method == "GET":
        check_options(req, ("select",))
        select = parse_select(req, TASK_PROPS, TASK_TYPE)
        return item_reply(req, with_context(ctx, TaskView(req, select)(task)))
    check_if_match(req, task)
    if req.method == "DELETE":
        state.graph_delete("todoTasks", task["id"])
        return Reply(204)
    data = _prepare(state, validate("todoTask", req.json()), task)
    updated = state.graph_update("todoTasks", task["id"], data)
    for key in [k for k, v in data.items() if v is None and k in DTZ_PROPS]:
        updated.pop(key, None)  # To Do leaves unset date properties out
    return item_reply(req, with_context(ctx, TaskView(req)(updated)))


def tasks_delta(state: SandboxState, req: GraphRequest) -> Reply:
    lst = get_list(state, req.params["list_id"])
    fresh = not (req.option("deltatoken") or req.option("skiptoken"))
    select = parse_select(req, TASK_PROPS, TASK_TYPE) if fresh else None
    view = TaskView(req)
    return graph_delta.seq_delta(
        state,
        req,
        collection="todoTasks",
        container=lst["id"],
        select=select,
        odata_type="#microsoft.graph.todoTask",
        render=lambda t, sel: select_props(view(t), sel),
        options=("select", "top", "skiptoken", "deltatoken"),
    )


_L = "/me/todo/lists/{list_id}"
ROUTES = [
    (["GET"], "/me/todo/lists/delta", lists_delta),
    (["GET"], "/me/todo/lists", list_lists),
    (["POST"], "/me/todo/lists", create_list),
    (["GET", "PATCH", "DELETE"], _L, list_item),
    (["GET"], _L + "/tasks/delta", tasks_delta),
    (["GET"], _L + "/tasks", list_tasks),
    (["POST"], _L + "/tasks", create_task),
    (["GET", "PATCH", "DELETE"], _L + "/tasks/{task_id}", task_item),
]
