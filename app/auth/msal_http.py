"""The ``http_client`` handed to MSAL: httpx with an explicit TLS context on every request.

MSAL's default ``requests.Session`` lets ``REQUESTS_CA_BUNDLE`` / ``CURL_CA_BUNDLE`` override
``Session.verify``, so a sandbox CA would be ignored (API_CONTRACTS.md 2.1). This adapter
implements MSAL's contract (``.post(url, params=, data=, headers=, **kw)`` and
``.get(url, params=, headers=, **kw)`` returning objects with ``.status_code``, ``.text``,
``.headers`` and ``.raise_for_status()``) over an ``httpx.Client`` whose ``verify`` is the
given SSL context, through Tandem's proxy (sync.network). Transport failures surface as
``httpx.TransportError``; a proxy asking for a sign-in as ``sync.network.ProxyAuthRequired``.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from typing import Any

import httpx

from sync.network import http_client


class MsalHttpClient:
    def __init__(self, verify: ssl.SSLContext, timeout: float = 30.0) -> None:
        self._client = http_client(verify, timeout=timeout, follow_redirects=False)

    @staticmethod
    def _options(kwargs: dict[str, Any]) -> dict[str, Any]:
        options: dict[str, Any] = {}
        if kwargs.get("timeout") is not None:
            options["timeout"] = kwargs["timeout"]
        if "allow_redirects" in kwargs:
            options["follow_redirects"] = bool(kwargs["allow_redirects"])
        return options

    def post(
        self,
        url: str,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, Any] | str | bytes | None = None,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,  # msal's requests-like options: timeout, allow_redirects, json
    ) -> httpx.Response:
        body: dict[str, Any] = {}
        if isinstance(data, (str, bytes)):
            body["content"] = data
        elif data is not None:
            body["data"] = data
        if kwargs.get("json") is not None:
            body["json"] = kwargs["json"]
        return self._client.post(url, params=params, headers=headers, **body, **self._options(kwargs))

    def get(
        self,
        url: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,  # msal's requests-like options: timeout, allow_redirects
    ) -> httpx.Response:
        return self._client.get(url, params=params, headers=headers, **self._options(kwargs))

    def close(self) -> None:
        self._client.close()
