"""The control API under ``/_sandbox/`` for tests and the demo (JSON in, JSON out).

=====================================  ==================================================
``POST /_sandbox/reset``               ``{"seed": "demo"|"edge"|"empty"|"scale:C,E,T"}``: new world
``POST /_sandbox/faults``              ``{"latency_ms", "fault_rate", "seed", "kinds",
                                       "targets"}``; kinds from ``429``, ``503``, ``drop``
                                       (connection dropped before the request is handled)
                                       and ``drop_after`` (handled, then the reply is lost);
                                       ``targets``: faults for chosen requests (``target``)
``POST /_sandbox/config``              change ``access_token_lifetime_s``, ``auto_approve``,
                                       ``query_batch_size``, ``graph_concurrency``,
                                       ``sf_org_features`` ("no-suffix,..."),
                                       ``sf_hidden_fields`` ("Contact.Title,..."),
                                       ``entra_block_device_code``, ``entra_redirect_uris``, ...
``POST /_sandbox/tokens/expire``       ``{"service": "microsoft"|"salesforce"|null}``
``POST /_sandbox/tokens/revoke``       revoke every refresh token (of one service)
``GET  /_sandbox/device``              pending device codes (both services)
``POST /_sandbox/device/approve``      ``{"user_code"|"all": true, "user": optional}``
``POST /_sandbox/device/decline``      ``{"user_code"}``
``GET  /_sandbox/requests``            request counts per service and endpoint
``POST /_sandbox/requests/reset``      zero the counts
``POST /_sandbox/delta/expire``        forget every Graph delta token (next replay: 410)
``POST /_sandbox/clock``               ``{"advance_s": N}``: move the services' clock on
``POST /_sandbox/limits``              ``{"api_limit", "api_usage"}`` of Salesforce
``GET  /_sandbox/records/graph/{c}``   raw stored Outlook items of a collection
``GET  /_sandbox/records/salesforce/{sobject}``  raw stored Salesforce rows
=====================================  ==================================================

The console page for people (``GET /_sandbox/``) lives in ``sandbox.console``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox import seed as seeding
from sandbox.graph import concurrency as graph_concurrency
from sandbox.org_features import parse_features, parse_hidden_fields
from sandbox.state import GRAPH_COLLECTIONS, SF_OBJECTS, SandboxState, public

CONFIG_KEYS: dict[str, Callable[[Any], Any]] = {
    "access_token_lifetime_s": float,
    "auto_approve": bool,
    "query_batch_size": int,
    "graph_page_default": int,
    "graph_page_max": int,
    "graph_delta_page_max": int,
    "graph_concurrency": int,
    "graph_calendar_delta_per_calendar": bool,
    "device_interval_s": int,
    "entra_redirect_uris": lambda urls: [str(u) for u in urls] if isinstance(urls, list) else [str(urls)],
    "entra_block_device_code": bool,
    "sf_org_features": parse_features,
    "sf_hidden_fields": parse_hidden_fields,
    "sf_replication_id_limit": int,
    "sf_callback_urls": lambda urls: [str(u) for u in urls] if isinstance(urls, list) else [str(urls)],
}
FAULT_KINDS = ("429", "503", "drop", "drop_after")
# Targeted faults add the gateway's 504, before the work (``504``) or after it (``504_after``).
TARGET_KINDS = (*FAULT_KINDS, "504", "504_after")
TARGET_SERVICES = ("graph", "salesforce", "entra", "salesforce_auth")  # sign-in ones included


def target(spec: Any) -> dict:
    """One targeted fault: ``{"service": "graph"|"salesforce"|"entra"|"salesforce_auth", "method": "POST", "path": how
    the path ends, "kind", "times": 1, "in_batch": false, "retry_after": true}``. ``in_batch``
    aims at Graph ``$batch`` sub-requests (their own URL); ``retry_after`` (429/503) says
    whether the refusal names a Retry-After (Salesforce's 503 does not)."""
    if not isinstance(spec, dict):
        raise ControlError("each target is an object")
    kind = str(spec.get("kind", ""))
    if kind not in TARGET_KINDS:
        raise ControlError(f"unknown target kind {kind!r}; use {list(TARGET_KINDS)}")
    service = str(spec.get("service", ""))
    if service not in TARGET_SERVICES:
        raise ControlError(f"a target's service is one of {list(TARGET_SERVICES)}")
    in_batch = bool(spec.get("in_batch", False))
    if in_batch and (service != "graph" or kind in ("drop", "drop_after")):
        raise ControlError("in_batch targets are Graph sub-requests, with 429, 503, 504 or 504_after")
    return {
        "service": service,
        "method": str(spec.get("method", "POST")).upper(),
        "path": str(spec.get("path", "")),
        "kind": kind,
        "times": int(spec.get("times", 1)),
        "in_batch": in_batch,
        "retry_after": bool(spec.get("retry_after", True)),
        "hit": 0,
    }


class ControlError(Exception):
    pass


async def _body(request: Request) -> dict:
    raw = await request.body()
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ControlError(f"body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ControlError("body must be a JSON object")
    return data


def _bad(message: str) -> Response:
    return JSONResponse({"error": message}, status_code=400)


def routes(state: SandboxState) -> list[Route]:
    def endpoint(fn: Any, methods: list[str]) -> Any:
        async def handler(request: Request) -> Response:
            try:
                data = await _body(request) if request.method == "POST" else {}
                result = fn(request, data)
            except (ControlError, ValueError, TypeError, KeyError) as exc:
                return _bad(str(exc))
            return JSONResponse(result if result is not None else {"ok": True})

        handler.__name__ = fn.__name__
        return handler

    def reset(request: Request, data: dict) -> dict:
        spec = data.get("seed", "demo")
        seeding.apply(state, spec)
        return {"ok": True, "seed": spec}

    def faults(request: Request, data: dict) -> dict:
        kinds = data.get("kinds")
        if kinds is not None:
            unknown = [k for k in kinds if k not in FAULT_KINDS]
            if unknown:
                raise ControlError(f"unknown fault kinds {unknown}; use {list(FAULT_KINDS)}")
        rate = data.get("fault_rate")
        if rate is not None and not 0 <= float(rate) <= 1:
            raise ControlError("fault_rate must be between 0 and 1")
        targets = data.get("targets")
        if targets is not None and not isinstance(targets, list):
            raise ControlError("targets is a list")
        state.set_faults(
            latency_ms=data.get("latency_ms"),
            fault_rate=rate,
            seed=data.get("seed"),
            kinds=kinds,
            targets=[target(t) for t in targets] if targets is not None else None,
        )
        return json.loads(json.dumps(state.faults))

    def config(request: Request, data: dict) -> dict:
        for key, value in data.items():
            if key not in CONFIG_KEYS:
                raise ControlError(f"unknown config key {key!r}; known: {sorted(CONFIG_KEYS)}")
            state.config[key] = CONFIG_KEYS[key](value)
        return dict(state.config)

    def tokens_expire(request: Request, data: dict) -> dict:
        with state.lock:
            return {"expired": state.tokens.expire_access(data.get("service"))}

    def tokens_revoke(request: Request, data: dict) -> dict:
        with state.lock:
            return {"revoked": state.tokens.revoke_all_refresh(data.get("service"))}

    def device_list(request: Request, data: dict) -> dict:
        now = state.now().timestamp()
        pending = [
            {
                "service": d["service"],
                "user_code": d["user_code"],
                "client_id": d.get("client_id"),
                "expires_in": int(d["expires"] - now),
            }
            for d in state.tokens.device_codes.values()
            if not d.get("approved_user") and not d.get("declined") and d["expires"] > now
        ]
        return {"pending": pending}

    def _default_user(service: str, who: str | None) -> str:
        if service == "microsoft":
            return state.graph["user"]["id"]
        if not who:
            return state.sf["me"]
        for user in state.sf["records"]["User"].values():
            if who in (user["Id"], user.get("Alias"), user.get("Username")):
                return user["Id"]
        raise ControlError(f"no Salesforce user {who!r}")

    def device_approve(request: Request, data: dict) -> dict:
        approved = []
        with state.lock:
            for record in state.tokens.device_codes.values():
                if data.get("all") or record["user_code"] == data.get("user_code"):
                    if data.get("service") and record["service"] != data["service"]:
                        continue
                    record["approved_user"] = _default_user(record["service"], data.get("user"))
                    approved.append(record["user_code"])
        if not approved:
            raise ControlError("no pending device code matches")
        state.dirty = True
        return {"approved": approved}

    def device_decline(request: Request, data: dict) -> dict:
        with state.lock:
            for record in state.tokens.device_codes.values():
                if record["user_code"] == data.get("user_code"):
                    record["declined"] = True
                    return {"declined": [record["user_code"]]}
        raise ControlError("no pending device code matches")

    def requests_get(request: Request, data: dict) -> dict:
        services: dict[str, dict] = {}
        with state.lock:
            for (service, endpoint_name), count in state.requests.items():
                entry = services.setdefault(service, {"total": 0, "endpoints": {}})
                entry["total"] += count
                entry["endpoints"][endpoint_name] = count
        return {
            "total": sum(s["total"] for s in services.values()),
            "services": services,
            "graph_concurrency": graph_concurrency.report(state),
        }

    def requests_reset(request: Request, data: dict) -> dict:
        with state.lock:
            state.requests.clear()
        graph_concurrency.reset(state)
        return {"ok": True}

    def delta_expire(request: Request, data: dict) -> dict:
        with state.lock:
            n = len(state.graph["deltaTokens"])
            state.graph["deltaTokens"].clear()
            state.dirty = True
        return {"expired": n}

    def clock(request: Request, data: dict) -> dict:
        state.clock.advance(float(data.get("advance_s", 0)))
        return {"now": state.now().isoformat()}

    def limits(request: Request, data: dict) -> dict:
        with state.lock:
            for key in ("api_limit", "api_usage"):
                if key in data:
                    state.sf[key] = int(data[key])
        return {"api_limit": state.sf["api_limit"], "api_usage": state.sf["api_usage"]}

    def records_graph(request: Request, data: dict) -> dict:
        collection = request.path_params["collection"]
        if collection not in GRAPH_COLLECTIONS:
            raise ControlError(f"unknown collection; use one of {list(GRAPH_COLLECTIONS)}")
        with state.lock:
            return {
                "value": [
                    dict(public(i), _container=i.get("_container")) for i in state.graph[collection].values()
                ]
            }

    def records_salesforce(request: Request, data: dict) -> dict:
        sobject = request.path_params["sobject"]
        if sobject not in SF_OBJECTS:
            raise ControlError(f"unknown sObject; use one of {list(SF_OBJECTS)}")
        with state.lock:
            return {
                "records": [public(r) for r in state.sf["records"][sobject].values()],
                "deleted": [public(r) for r in state.sf["deleted"][sobject].values()],
            }

    post, get = ["POST"], ["GET"]
    table = [
        ("/_sandbox/reset", reset, post),
        ("/_sandbox/faults", faults, post),
        ("/_sandbox/config", config, post),
        ("/_sandbox/tokens/expire", tokens_expire, post),
        ("/_sandbox/tokens/revoke", tokens_revoke, post),
        ("/_sandbox/device", device_list, get),
        ("/_sandbox/device/approve", device_approve, post),
        ("/_sandbox/device/decline", device_decline, post),
        ("/_sandbox/requests", requests_get, get),
        ("/_sandbox/requests/reset", requests_reset, post),
        ("/_sandbox/delta/expire", delta_expire, post),
        ("/_sandbox/clock", clock, post),
        ("/_sandbox/limits", limits, post),
        ("/_sandbox/records/graph/{collection}", records_graph, get),
        ("/_sandbox/records/salesforce/{sobject}", records_salesforce, get),
    ]
    return [Route(path, endpoint(fn, methods), methods=methods) for path, fn, methods in table]
