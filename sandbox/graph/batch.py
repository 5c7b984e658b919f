"""JSON batching: ``POST /v1.0/$batch`` (``concepts/json-batching.md``).

The envelope is checked first (a malformed one is a 400 for the whole batch): at most 20
requests, each with ``id`` (unique, case-insensitive), ``method`` and a relative ``url``;
``headers`` with ``Content-Type`` whenever there is a ``body``; ``dependsOn`` naming other
requests of the batch. Each sub-request then runs through the same handlers as a direct call
(not over the network). Sub-requests without ``dependsOn`` run concurrently, as Graph runs
them; one with ``dependsOn`` starts when those it names have finished, and gets ``424 Failed
Dependency`` when one of them failed. Each running sub-request holds one of the mailbox's
concurrent-request slots (``sandbox.graph.concurrency``): those over the limit get their own
``429`` with ``Retry-After``. The envelope reply is ``200 {"responses": [...]}``.
With fault injection on, each sub-request may get its own ``429``/``503`` with
``Retry-After``, as Graph throttles batched requests one by one.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, unquote

from sandbox.errors import GraphError, graph_error_body
from sandbox.graph import concurrency
from sandbox.graph.core import GraphRequest, Reply, bad_request
from sandbox.responses import GRAPH_CONTENT_TYPE
from sandbox.state import SandboxState

MAX_REQUESTS = 20
METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")

# dispatch(sub_request) -> Reply: route matching and execution, supplied by sandbox.graph.routes.
Dispatch = Callable[[GraphRequest], Reply]


def _invalid(message: str = "Invalid batch payload format.") -> GraphError:
    return bad_request(message)


def _check_envelope(data: Any) -> list[dict]:
    if not isinstance(data, dict) or not isinstance(data.get("requests"), list):
        raise _invalid()
    requests = data["requests"]
    if not requests:
        raise _invalid("Invalid batch payload format. The batch contains no requests.")
    if len(requests) > MAX_REQUESTS:
        raise _invalid(f"Number of requests in the batch exceeded the limit of {MAX_REQUESTS}.")
    seen: set[str] = set()
    for sub in requests:
        if not isinstance(sub, dict):
            raise _invalid()
        rid, method, url = sub.get("id"), sub.get("method"), sub.get("url")
        if not isinstance(rid, str) or not rid:
            raise _invalid("Invalid batch payload format. Every request needs an id.")
        if rid.lower() in seen:
            raise _invalid(
                f"Batch request contains duplicate id '{rid}'. Each id must be unique within the batch."
            )
        seen.add(rid.lower())
        if not isinstance(method, str) or method.upper() not in METHODS:
            raise _invalid(f"Invalid batch payload format. Request id : {rid} has an invalid method.")
        if not isinstance(url, str) or not url:
            raise _invalid(f"Invalid batch payload format. Request id : {rid} has no url.")
        headers = sub.get("headers")
        if headers is not None and not isinstance(headers, dict):
            raise _invalid()
        if sub.get("body") is not None and not any(k.lower() == "content-type" for k in (headers or {})):
            raise _invalid(f"Write request id : {rid} does not contain Content-Type header or body.")
        depends = sub.get("dependsOn")
        if depends is not None and (
            not isinstance(depends, list) or not all(isinstance(d, str) for d in depends)
        ):
            raise _invalid()
    ids = {r["id"].lower() for r in requests}
    for sub in requests:
        for dep in sub.get("dependsOn") or []:
            if dep.lower() not in ids or dep.lower() == sub["id"].lower():
                raise _invalid(
                    f"Request id : {sub['id']} depends on '{dep}', which is not a request of this batch."
                )
    return requests


def _order(requests: list[dict]) -> list[dict]:
    """Requests in an order where each comes after what it depends on (cycles: 400)."""
    by_id = {r["id"].lower(): r for r in requests}
    done: set[str] = set()
    visiting: set[str] = set()
    out: list[dict] = []

    def visit(rid: str) -> None:
        if rid in done:
            return
        if rid in visiting:
            raise _invalid("Invalid batch payload format. The dependsOn chain has a cycle.")
        visiting.add(rid)
        for dep in by_id[rid].get("dependsOn") or []:
            visit(dep.lower())
        visiting.discard(rid)
        done.add(rid)
        out.append(by_id[rid])

    for r in requests:
        visit(r["id"].lower())
    return out


def _sub_request(outer: GraphRequest, sub: dict) -> GraphRequest | Reply:
    url: str = sub["url"]
    if "://" in url:
        return Reply(
            400, graph_error_body("BadRequest", "Only relative URLs are supported in a batch request.")
        )
    path, _, query = url.partition("?")
    path = "/" + unquote(path).lstrip("/")
    headers = {str(k).lower(): str(v) for k, v in (sub.get("headers") or {}).items()}
    body = sub.get("body")
    if body is None:
        raw = b""
    elif isinstance(body, (dict, list)):
        raw = json.dumps(body).encode()
    else:
        raw = str(body).encode()
    # The envelope's authorization and client-request-id stand for every sub-request.
    for name in ("authorization", "client-request-id"):
        if name in outer.headers and name not in headers:
            headers[name] = outer.headers[name]
    return GraphRequest(
        method=sub["method"].upper(),
        path=path,
        params={},
        query=parse_qsl(query, keep_blank_values=True),
        headers=headers,
        body=raw,
        base=outer.base,
        user=outer.user,
    )


def _response(rid: str, reply: Reply) -> dict:
    headers = {"Cache-Control": "no-cache", "OData-Version": "4.0"}
    headers.update(reply.headers)
    out: dict[str, Any] = {"id": rid, "status": reply.status}
    if reply.body is not None and reply.status != 204:
        headers["Content-Type"] = GRAPH_CONTENT_TYPE
        out["headers"] = headers
        out["body"] = reply.body
    else:
        out["headers"] = headers
    return out


def _throttled(state: SandboxState) -> Reply | None:
    """Each sub-request is throttled on its own: the fault injection's 429s and 503s apply
    per item inside a batch too (drawn from the same seeded source as the server's)."""
    faults = state.faults
    kinds = [k for k in faults.get("kinds") or [] if k in ("429", "503")]
    rate = faults.get("fault_rate") or 0.0
    if not rate or not kinds:
        return None
    with state.lock:
        if state.rng.random() >= rate:
            return None
        kind = state.rng.choice(kinds)
    if kind == "429":
        return Reply(
            429,
            graph_error_body("ApplicationThrottled", "Application is over its MailboxConcurrency limit."),
            {"Retry-After": "1"},
        )
    return Reply(
        503,
        graph_error_body("serviceNotAvailable", "The service is temporarily unavailable. Try again later."),
        {"Retry-After": "1"},
    )


def _targeted(state: SandboxState, sub: dict, made: GraphRequest, dispatch: Dispatch) -> Reply | None:
    """A targeted fault on this sub-request (``POST /_sandbox/faults`` ``targets`` with
    ``in_batch``): refused before the work (429, 503, 504), or done and then answered 504."""
    target = state.take_fault("graph", str(sub.get("method") or ""), made.path, in_batch=True)
    if target is None:
        return None
    kind = target["kind"]
    headers = {"Retry-After": "1"} if kind in ("429", "503") and target["retry_after"] else {}
    if kind == "504_after":
        dispatch(made)  # carried out; its reply is lost behind the gateway's 504
    if kind == "429":
        return Reply(429, graph_error_body("ApplicationThrottled", "Application is over its limit."), headers)
    if kind == "503":
        return Reply(503, graph_error_body("serviceNotAvailable", "The service is unavailable."), headers)
    return Reply(504, graph_error_body("gatewayTimeout", "The request timed out."), headers)


async def handle(state: SandboxState, req: GraphRequest, dispatch: Dispatch) -> Reply:
    """Run the envelope's sub-requests as Graph does: those without ``dependsOn`` all at once
    (each takes a slot of the mailbox's limit as it starts: the excess gets its own 429),
    the others as soon as what they depend on has finished."""
    try:
        data = json.loads(req.body or b"")
    except (ValueError, UnicodeDecodeError):
        raise _invalid(
            "Unable to read JSON request payload. Please ensure Content-Type header "
            "is set and payload is of valid JSON format."
        ) from None
    requests = _order(_check_envelope(data))
    latency = float(state.faults.get("latency_ms") or 0) / 1000
    done: dict[str, asyncio.Future[int]] = {
        sub["id"].lower(): asyncio.get_running_loop().create_future() for sub in requests
    }
    replies: dict[str, Reply] = {}

    async def run(sub: dict) -> None:
        rid = sub["id"]
        deps = [d.lower() for d in sub.get("dependsOn") or []]
        for dep in deps:
            await asyncio.shield(done[dep])
        failed = [d for d in sub.get("dependsOn") or [] if done[d.lower()].result() >= 400]
        if failed:
            reply = Reply(
                424,
                graph_error_body(
                    "FailedDependency", f"The request depends on request '{failed[0]}', which failed."
                ),
            )
        else:
            made = _sub_request(req, sub)
            if isinstance(made, Reply):
                reply = made
            elif not concurrency.take(state, mailbox := concurrency.mailbox_of(state, made.path)):
                reply = concurrency.refusal()
            else:
                try:
                    # The sub-request's service time; even without latency it runs alongside
                    # the envelope's others (every one takes its slot before any finishes).
                    await asyncio.sleep(latency)
                    reply = _targeted(state, sub, made, dispatch) or _throttled(state) or dispatch(made)
                finally:
                    concurrency.release(state, mailbox)
        replies[rid.lower()] = reply
        done[rid.lower()].set_result(reply.status)

    # Tasks start in envelope order, each taking its slot before its first pause.
    await asyncio.gather(*(run(sub) for sub in requests))
    return Reply(200, {"responses": [_response(sub["id"], replies[sub["id"].lower()]) for sub in requests]})
