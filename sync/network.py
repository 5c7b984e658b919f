"""How every HTTP client of Tandem connects: the TLS trust and the proxy, decided in one place.

Trust
    The operating system's certificate store, through ``truststore``: Windows' and macOS's own
    certificate verifiers, and on Linux OpenSSL's default verify paths (the distribution's
    bundle, or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``). A TLS-inspecting corporate proxy whose
    root certificate the IT department installed on the machine is then trusted as it is in
    the user's browser. An extra CA (the sandbox's) is loaded on top of the store; TLS
    verification is never turned off.

Proxy
    The address of the ``network.proxy`` setting when there is one, else the system's:
    ``HTTPS_PROXY`` / ``ALL_PROXY`` from the environment or, where the environment names
    none, the operating system's setting (``urllib.request.getproxies`` reads the Windows
    registry and macOS's SystemConfiguration). Hosts in ``NO_PROXY`` go direct either way. A
    system proxy that is not http(s) (SOCKS) is not used: httpx would need an extra package.
    Tandem only speaks https, so every proxied request is a CONNECT tunnel.

    A proxy that wants a sign-in answers the CONNECT with 407; that becomes
    :class:`ProxyAuthRequired` (plain words, the proxy's host but never its password) instead
    of a connection error that would be retried. A certificate the store does not trust (a
    TLS-inspecting proxy whose root is not installed) is :class:`UntrustedCertificate`, also
    said at once: retrying cannot mend either.

:class:`NetworkContext` is the TLS context every client takes as ``verify``; it carries the
configured proxy, so whoever holds the trust also holds the proxy. :func:`http_client` and
:func:`async_http_client` build every httpx client from it.
"""

from __future__ import annotations

import ipaddress
import logging
import ssl
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import httpx
import truststore

from .errors import SourceError

log = logging.getLogger(__name__)
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)  # httpx's own


class NetworkSetupError(SourceError):
    """The network between Tandem and a service refused in a way retrying cannot mend."""


class ProxyAuthRequired(NetworkSetupError):
    """The proxy answered the CONNECT with 407: it wants a user and password."""

    title = "The proxy asks for a sign-in"


class UntrustedCertificate(NetworkSetupError):
    """The certificate presented for a host is not trusted by the operating system's store."""

    title = "The connection is not trusted"


class CertificateFileError(NetworkSetupError):
    """The extra CA file to trust (the sandbox's) is missing, unreadable or holds no certificate."""

    title = "The certificate file cannot be used"


class NetworkContext(truststore.SSLContext):
    """The operating system's trust store (plus ``extra_ca``), and ``proxy``: the proxy
    address the settings name, or None for the system's."""

    def __new__(cls, *, proxy: str | None = None, extra_ca: str | None = None) -> NetworkContext:
        return super().__new__(cls, ssl.PROTOCOL_TLS_CLIENT)

    def __init__(self, *, proxy: str | None = None, extra_ca: str | None = None) -> None:
        super().__init__(ssl.PROTOCOL_TLS_CLIENT)
        self.proxy = proxy or None
        if extra_ca:
            try:
                self.load_verify_locations(cafile=extra_ca)
            except (ssl.SSLError, OSError, UnicodeDecodeError) as exc:
                raise CertificateFileError(
                    message=f"The file {extra_ca} cannot be read or holds no certificate (PEM) "
                    "of the authority Tandem is to trust. Point TANDEM_SANDBOX_CA (or "
                    "--sandbox-ca) at the ca_file that `sandbox serve` prints.",
                    path=extra_ca,
                ) from exc


def proxy_host(proxy: str) -> str:
    """``host:port`` of a proxy address: what may be said about it (no user, no password)."""
    parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    host = parts.hostname or proxy
    return f"{host}:{parts.port}" if parts.port else host


def _plain(proxy: str | None, request: httpx.Request, exc: httpx.TransportError) -> Exception | None:
    """The words for a transport error retrying cannot mend, or None to let it go on."""
    if proxy and isinstance(exc, httpx.ProxyError) and str(exc).startswith("407"):
        host = proxy_host(proxy)
        if urlsplit(proxy).password is not None:
            message = (
                f"The proxy at {host} did not accept the user and password in the proxy address. "
                "Check them in the proxy setting, or ask your administrator."
            )
        else:
            message = (
                f"The proxy at {host} asks for a sign-in, which Tandem cannot give on its own: "
                "put the user and password in the proxy address (http://user:pass@host:port) in "
                "the proxy setting, or ask your administrator."
            )
        return ProxyAuthRequired(message=message, proxy=host, error="proxy_auth_required")
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, ssl.SSLCertVerificationError):
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, ssl.SSLCertVerificationError):
        host = request.url.host
        return UntrustedCertificate(
            message=f"Tandem does not trust the certificate presented for {host} "
            f"({cause.verify_message or 'certificate verify failed'}). Where your organisation "
            "inspects encrypted traffic, its root certificate must be installed in this "
            "computer's certificate store: ask your administrator.",
            host=host,
            error="certificate_verify_failed",
        )
    return None


def _proxy(address: str, verify: ssl.SSLContext) -> httpx.Proxy:
    """An https proxy's own certificate is checked against the same store."""
    tls = verify if urlsplit(address).scheme == "https" else None
    return httpx.Proxy(address, ssl_context=tls)


class _Transport(httpx.HTTPTransport):
    def __init__(self, *, proxy: str | None, verify: ssl.SSLContext, **options: Any) -> None:
        super().__init__(proxy=_proxy(proxy, verify) if proxy else None, verify=verify, **options)
        self._proxy = proxy

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return super().handle_request(request)
        except httpx.TransportError as exc:
            if (plain := _plain(self._proxy, request, exc)) is None:
                raise
            raise plain from exc


class _AsyncTransport(httpx.AsyncHTTPTransport):
    def __init__(self, *, proxy: str | None, verify: ssl.SSLContext, **options: Any) -> None:
        super().__init__(proxy=_proxy(proxy, verify) if proxy else None, verify=verify, **options)
        self._proxy = proxy

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except httpx.TransportError as exc:
            if (plain := _plain(self._proxy, request, exc)) is None:
                raise
            raise plain from exc


def system_proxy() -> tuple[str | None, list[str]]:
    """(the proxy for https, the URL patterns that go direct) from the environment or the OS."""
    found = urllib.request.getproxies()
    proxy = found.get("https") or found.get("all") or None
    if proxy and "://" not in proxy:
        proxy = f"http://{proxy}"
    if proxy and urlsplit(proxy).scheme not in ("http", "https"):
        log.warning("the system's proxy %s is not an http proxy; Tandem connects directly", proxy_host(proxy))
        proxy = None
    direct: list[str] = []
    for host in (h.strip() for h in found.get("no", "").split(",")):
        if host == "*":
            return None, []
        if not host:
            continue
        # As curl and httpx read NO_PROXY: ".corp.com" is its subdomains, "corp.com" also itself.
        if "://" in host:
            direct.append(host)
        elif host.lower() == "localhost" or _is_ip(host):
            direct.append(f"all://[{host}]" if ":" in host else f"all://{host}")
        else:
            direct.append(f"all://*{host}")
    return proxy, direct


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _options(verify: ssl.SSLContext, options: dict[str, Any], asynchronous: bool) -> dict[str, Any]:
    if not isinstance(verify, ssl.SSLContext):  # never a bool: verification stays on
        raise TypeError("verify must be an ssl.SSLContext")
    limits = options.pop("limits", DEFAULT_LIMITS)
    transport: type[Any] = _AsyncTransport if asynchronous else _Transport
    proxy, bypass = system_proxy()
    if isinstance(verify, NetworkContext) and verify.proxy:
        proxy = verify.proxy
    direct = transport(proxy=None, verify=verify, limits=limits)
    routes: dict[str, Any] = {"transport": direct, "trust_env": False}
    if proxy:
        routes["mounts"] = {
            "all://": transport(proxy=proxy, verify=verify, limits=limits),
            **{pattern: None for pattern in bypass},  # None: the direct transport
        }
    return {**options, **routes}


def http_client(verify: ssl.SSLContext, **options: Any) -> httpx.Client:
    """An ``httpx.Client`` that trusts ``verify`` and goes through Tandem's proxy."""
    return httpx.Client(**_options(verify, options, asynchronous=False))


def async_http_client(verify: ssl.SSLContext, **options: Any) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` that trusts ``verify`` and goes through Tandem's proxy."""
    return httpx.AsyncClient(**_options(verify, options, asynchronous=True))
