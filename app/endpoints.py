"""The addresses Tandem signs in to, and the trust anchors for them.

Production uses the real Microsoft and Salesforce hosts and the operating system's trust
store (``truststore``, sync/network.py). A sandbox (``--sandbox-url``) points every endpoint at
the emulator and trusts its CA on top of the system's, given as a file (``--sandbox-ca`` /
``TANDEM_SANDBOX_CA``, the ``ca_file`` that ``sandbox serve`` prints). The CA is never fetched
from the sandbox itself: a CA fetched over an unauthenticated channel would defeat TLS. TLS
verification is never turned off. ``proxy`` is the ``network.proxy`` setting (None: the
system's proxy); the TLS context carries it to every client.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from app.paths import ProfilePaths, profile_paths
from sync.network import CertificateFileError, NetworkContext

MICROSOFT_AUTHORITY = "https://login.microsoftonline.com/common"
GRAPH_URL = "https://graph.microsoft.com/v1.0"
SALESFORCE_LOGIN_HOSTS = {
    "production": "https://login.salesforce.com",
    "test": "https://test.salesforce.com",
}
# Any client id works with the sandbox; these make its records readable.
SANDBOX_OUTLOOK_CLIENT_ID = "00000000-0000-0000-0000-00007a4d3e11"
SANDBOX_SALESFORCE_CLIENT_ID = "tandem-sandbox-connected-app"


class EndpointError(ValueError):
    """A configured address is unusable (not https, no host, CA file missing)."""


def salesforce_login_url(host: str | None) -> str:
    """``production`` / ``test`` / a My Domain host or URL -> an https base URL."""
    host = (host or "production").strip()
    if host in SALESFORCE_LOGIN_HOSTS:
        return SALESFORCE_LOGIN_HOSTS[host]
    url = host if "://" in host else f"https://{host}"
    return require_https(url, "Salesforce login host").rstrip("/")


def require_https(url: str, what: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise EndpointError(f"{what} must be an https address, not {url!r}")
    return url


@dataclass(frozen=True)
class Endpoints:
    authority: str = MICROSOFT_AUTHORITY
    graph_url: str = GRAPH_URL
    salesforce_login_url: str = SALESFORCE_LOGIN_HOSTS["production"]
    ca_file: str | None = None
    sandbox: bool = False
    proxy: str | None = None
    _ctx: list = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def production(cls, salesforce_host: str | None = None, authority: str | None = None) -> Endpoints:
        return cls(
            authority=require_https(authority or MICROSOFT_AUTHORITY, "Authority"),
            salesforce_login_url=salesforce_login_url(salesforce_host),
        )

    @classmethod
    def for_sandbox(cls, base_url: str, ca_file: str | Path | None) -> Endpoints:
        base = require_https(base_url.rstrip("/"), "The sandbox URL")
        if not ca_file:
            raise EndpointError(
                "the sandbox's CA file is needed: pass --sandbox-ca FILE or set "
                "TANDEM_SANDBOX_CA (the ca_file that `sandbox serve` prints)"
            )
        if not Path(ca_file).is_file():
            raise EndpointError(f"the sandbox CA file {str(ca_file)!r} does not exist")
        endpoints = cls(
            authority=f"{base}/common",
            graph_url=f"{base}/v1.0",
            salesforce_login_url=base,
            ca_file=str(ca_file),
            sandbox=True,
        )
        try:
            endpoints.ssl_context()  # built (and kept) now: a file without a certificate is said here
        except CertificateFileError:
            raise EndpointError(
                f"the sandbox CA file {str(ca_file)!r} holds no certificate: point it at the "
                "ca_file that `sandbox serve` prints"
            ) from None
        return endpoints

    @classmethod
    def from_sandbox_info(cls, info: dict) -> Endpoints:
        """From the JSON that ``sandbox serve`` prints (or ``SandboxServer.info``)."""
        return cls(
            authority=info["authority"],
            graph_url=info["graph_url"],
            salesforce_login_url=info["salesforce_login_url"].rstrip("/"),
            ca_file=info["ca_file"],
            sandbox=True,
        )

    def with_proxy(self, proxy: str | None) -> Endpoints:
        """The same endpoints through ``proxy`` (None: the system's proxy)."""
        return self if proxy == self.proxy else replace(self, proxy=proxy, _ctx=[])

    def ssl_context(self) -> ssl.SSLContext:
        """The TLS context (and proxy) of every connection: the operating system's trust
        store, plus the sandbox's CA when there is one."""
        if not self._ctx:
            self._ctx.append(NetworkContext(proxy=self.proxy, extra_ca=self.ca_file))
        return self._ctx[0]


@dataclass(frozen=True)
class ProfileOptions:
    """How a profile reaches its services: ``sandbox_url`` / ``sandbox_ca`` (default
    ``TANDEM_SANDBOX_URL`` / ``TANDEM_SANDBOX_CA``) and ``client_options`` for both HTTP
    clients (tests shorten the back-off). The command line fills it from its options."""

    sandbox_url: str | None = None
    sandbox_ca: str | None = None
    client_options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def resolved_sandbox_url(self) -> str | None:
        return self.sandbox_url or os.environ.get("TANDEM_SANDBOX_URL") or None

    def paths(self, profile: str | os.PathLike[str] | None) -> ProfilePaths:
        """The profile's folders, created (a sandbox without ``profile`` gets its own)."""
        return profile_paths(profile or None, sandbox=bool(self.resolved_sandbox_url)).ensure()

    def endpoints(self) -> Endpoints:
        """Production, or the sandbox's; raises EndpointError for unusable sandbox options."""
        url = self.resolved_sandbox_url
        if not url:
            return Endpoints.production()
        return Endpoints.for_sandbox(url, self.sandbox_ca or os.environ.get("TANDEM_SANDBOX_CA"))
