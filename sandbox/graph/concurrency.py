"""Outlook's limit of concurrent requests per app per mailbox, sub-requests of ``$batch`` included.

Graph lets one app have 4 requests running against one mailbox at a time (Outlook service
limits); the requests inside a ``$batch`` envelope are counted one by one, and Graph runs them
in parallel unless ``dependsOn`` orders them. A request (or sub-request) that arrives while
the mailbox already has ``graph_concurrency`` running is answered ``429`` with
``ApplicationThrottled`` / "Application is over its MailboxConcurrency limit." and a
``Retry-After``; inside a batch, that is the sub-response's status and header.

The envelope itself takes no slot; each sub-request holds one while it runs. The counts live
on the state: ``graph_in_flight`` (now), ``graph_peak_demand`` (the most requests that wanted
to run at once, refused ones included: what a client asked for) and ``graph_refused``;
``GET /_sandbox/requests`` shows them as ``graph_concurrency``.
"""

from __future__ import annotations

from sandbox.errors import graph_error_body
from sandbox.graph.core import Reply
from sandbox.state import SandboxState

RETRY_AFTER_S = "1"
MESSAGE = "Application is over its MailboxConcurrency limit."


def mailbox_of(state: SandboxState, path: str) -> str:
    """The mailbox a path addresses: ``me`` (also ``users/{the user's id or UPN}``) or the
    ``users/{id}`` segment."""
    parts = [p for p in path.split("/") if p]
    if parts and parts[0] == "v1.0":
        parts = parts[1:]
    if len(parts) >= 2 and parts[0].lower() == "users":
        user = state.graph.get("user") or {}
        who = parts[1].lower()
        if who not in (str(user.get("id", "")).lower(), str(user.get("userPrincipalName", "")).lower()):
            return who
    return "me"


def take(state: SandboxState, mailbox: str) -> bool:
    """Start one request against ``mailbox``; False (and counted) when it is over the limit."""
    with state.lock:
        running = state.graph_in_flight.get(mailbox, 0)
        state.graph_peak_demand[mailbox] = max(state.graph_peak_demand.get(mailbox, 0), running + 1)
        if running >= int(state.config["graph_concurrency"]):
            state.graph_refused[mailbox] = state.graph_refused.get(mailbox, 0) + 1
            return False
        state.graph_in_flight[mailbox] = running + 1
        return True


def release(state: SandboxState, mailbox: str) -> None:
    with state.lock:
        state.graph_in_flight[mailbox] = max(0, state.graph_in_flight.get(mailbox, 0) - 1)


def refusal() -> Reply:
    return Reply(429, graph_error_body("ApplicationThrottled", MESSAGE), {"Retry-After": RETRY_AFTER_S})


def report(state: SandboxState) -> dict:
    """What ``GET /_sandbox/requests`` shows about mailbox concurrency."""
    with state.lock:
        return {
            "limit": int(state.config["graph_concurrency"]),
            "in_flight": dict(state.graph_in_flight),
            "peak_demand": dict(state.graph_peak_demand),
            "refused": dict(state.graph_refused),
        }


def reset(state: SandboxState) -> None:
    with state.lock:
        state.graph_peak_demand.clear()
        state.graph_refused.clear()
