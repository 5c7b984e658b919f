"""Corporate networks: Tandem through a real forward proxy (proxy.py) to the sandbox, a proxy
that asks for a sign-in, and certificates trusted from the operating system's store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from forward_proxy import forward_proxy

ROOT = Path(__file__).resolve().parents[3]
PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")

pytestmark = pytest.mark.seed("demo")


@pytest.fixture(autouse=True)
def _no_system_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine's own proxy variables are not the test's."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def sandbox_host(box) -> str:
    return urlsplit(box.base_url).netloc


def first_sync(cli) -> dict:
    assert cli.run("settings", "set", "contacts.range", "all", "--json")[0] == 0
    code, result, err = cli.run("sync", "--kind", "contacts", "--yes", "--json")
    assert code == 0, err
    return result


@pytest.mark.doc("https://learn.microsoft.com/en-us/azure/developer/python/sdk/azure-sdk-configure-proxy")
def test_a_sync_through_the_proxy_setting_tunnels_every_request(cli, tmp_path: Path) -> None:
    with forward_proxy(tmp_path / "proxy") as proxy:
        assert cli.run("settings", "set", "network.proxy", proxy.url, "--json")[0] == 0
        result = first_sync(cli)
        seen = proxy.wait_for_connects()
    assert result["kinds"]["contacts"]["counts"]["matched"] >= 10
    # Graph, Salesforce and both token services are one host in the sandbox: every
    # connection Tandem opened to it was a CONNECT through the proxy.
    assert seen and set(seen) == {sandbox_host(cli.sandbox)}, seen


@pytest.mark.only_on("linux")
@pytest.mark.doc("https://learn.microsoft.com/en-us/entra/global-secure-access/faq-transport-layer-security")
def test_an_https_proxy_whose_ca_is_in_the_os_store(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The proxy speaks TLS itself with a certificate from a corporate CA that only the
    operating system's store holds (on Linux: ``SSL_CERT_FILE``, read at each handshake)."""
    import trustme

    corporate = trustme.CA()
    issued = corporate.issue_cert("127.0.0.1")
    ca, cert, key = tmp_path / "corp-ca.pem", tmp_path / "proxy.pem", tmp_path / "proxy.key"
    corporate.cert_pem.write_to_path(str(ca))
    issued.cert_chain_pems[0].write_to_path(str(cert))
    issued.private_key_pem.write_to_path(str(key))
    with forward_proxy(tmp_path / "proxy", tls=(str(cert), str(key))) as proxy:
        assert proxy.url.startswith("https://")
        assert cli.run("settings", "set", "network.proxy", proxy.url, "--json")[0] == 0
        # Not yet in the store: said at once, in words that name the remedy.
        code, doc, err = cli.run("sync", "--kind", "contacts", "--yes", "--json")
        assert code != 0 and "The connection is not trusted" in err, err
        assert "root certificate must be installed in this computer's certificate store" in err

        monkeypatch.setenv("SSL_CERT_FILE", str(ca))
        first_sync(cli)
        assert set(proxy.wait_for_connects()) == {sandbox_host(cli.sandbox)}


@pytest.mark.doc("https://learn.microsoft.com/en-us/azure/developer/python/sdk/azure-sdk-configure-proxy")
def test_the_environment_proxy_is_used_and_no_proxy_goes_direct(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first_sync(cli)  # direct: afterwards a preview has nothing to do (exit 0)
    with forward_proxy(tmp_path / "proxy") as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "example.invalid")
        code, _doc, err = cli.run("sync", "--kind", "contacts", "--preview", "--json")
        assert code == 0, err
        assert set(proxy.wait_for_connects()) == {sandbox_host(cli.sandbox)}

    # A proxy that refuses every connection, and the sandbox's host exempt: only a direct
    # connection can make the preview work.
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:1")
    monkeypatch.setenv("NO_PROXY", f"example.invalid, {urlsplit(cli.sandbox.base_url).hostname}")
    code, _doc, err = cli.run("sync", "--kind", "contacts", "--preview", "--json")
    assert code == 0, err


@pytest.mark.doc("https://learn.microsoft.com/en-us/azure/developer/python/sdk/azure-sdk-configure-proxy")
def test_a_proxy_asking_for_a_sign_in_is_said_plainly(cli, tmp_path: Path) -> None:
    with forward_proxy(tmp_path / "proxy", basic_auth="alice:s3cret-pw") as proxy:
        port = urlsplit(proxy.url).port
        assert cli.run("settings", "set", "network.proxy", proxy.url, "--json")[0] == 0
        code, doc, err = cli.run("sync", "--kind", "contacts", "--yes", "--json")
        assert code != 0
        words = json.dumps(doc) + err
        assert f"The proxy at 127.0.0.1:{port} asks for a sign-in" in words, words
        assert "http://user:pass@host:port" in words and "administrator" in words
        assert "cannot reach" not in words.lower()  # no retried "network down"
        # The sign-ins take the same road: MSAL's HTTP client and Salesforce's OAuth client.
        for login in (("login", "outlook", "--json"), ("login", "salesforce", "--device", "--json")):
            code, doc, _err = cli.run(*login)
            assert code != 0 and doc["error"]["error"] == "ProxyAuthRequired", doc
            assert f"The proxy at 127.0.0.1:{port} asks for a sign-in" in doc["error"]["message"]

        wrong = f"http://alice:wrong-pw@127.0.0.1:{port}"
        assert cli.run("settings", "set", "network.proxy", wrong, "--json")[0] == 0
        code, doc, err = cli.run("sync", "--kind", "contacts", "--yes", "--json")
        words = json.dumps(doc) + err
        assert code != 0 and "did not accept the user and password" in words, words
        assert "wrong-pw" not in words  # the password is never said

        right = f"http://alice:s3cret-pw@127.0.0.1:{port}"
        assert cli.run("settings", "set", "network.proxy", right, "--json")[0] == 0
        first_sync(cli)
        assert sandbox_host(cli.sandbox) in proxy.wait_for_connects()


def test_the_sign_in_check_names_the_proxy_that_wants_a_sign_in(cli, tmp_path: Path) -> None:
    with forward_proxy(tmp_path / "proxy", basic_auth="alice:pw") as proxy:
        assert cli.run("settings", "set", "network.proxy", proxy.url, "--json")[0] == 0
        _code, doc, err = cli.run("login", "--check", "--json")
    words = json.dumps(doc)
    assert "asks for a sign-in" in words, (words, err)


# -- the operating system's certificate store ------------------------------------------------

_CONNECT_AS_REAL_ACCOUNTS = """
import sys
from app.endpoints import Endpoints
from sync.network import http_client

endpoints = Endpoints.production()  # real accounts: no sandbox CA, no Tandem setting
assert endpoints.ca_file is None
with http_client(endpoints.ssl_context(), timeout=30) as http:
    try:
        reply = http.get(sys.argv[1] + "/.well-known/openid-configuration")
    except Exception as exc:
        print(type(exc).__name__, exc)
        sys.exit(1)
print(reply.status_code)
"""


@pytest.mark.only_on("linux")
@pytest.mark.doc("https://learn.microsoft.com/en-us/entra/global-secure-access/faq-transport-layer-security")
def test_a_ca_in_the_os_store_is_trusted_without_any_setting(sandbox, tmp_path: Path) -> None:
    """On Linux the operating system's trust store is what OpenSSL's default verify paths
    name: the distribution's bundle, or the file and folder that ``SSL_CERT_FILE`` and
    ``SSL_CERT_DIR`` point at (truststore reads it that way; on Windows and macOS it asks
    the system's own verifier). Pointing them at a bundle holding the sandbox's CA stands for
    an administrator installing a corporate root on the machine: a production Endpoints,
    with no sandbox CA, then connects. With an empty store the same connection is refused,
    so it is the store, not Tandem, that grants the trust."""
    empty = tmp_path / "no-certs"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if k.upper() not in PROXY_VARIABLES}

    def connect(cert_file: str | None) -> subprocess.CompletedProcess:
        store = {"SSL_CERT_DIR": str(empty)} | ({"SSL_CERT_FILE": cert_file} if cert_file else {})
        if not cert_file:
            store["SSL_CERT_FILE"] = str(tmp_path / "none.pem")
        return subprocess.run(
            [sys.executable, "-c", _CONNECT_AS_REAL_ACCOUNTS, sandbox.base_url],
            cwd=ROOT,
            env=env | store,
            capture_output=True,
            text=True,
            timeout=60,
        )

    trusted = connect(sandbox.ca_file)
    assert trusted.returncode == 0 and trusted.stdout.strip() == "200", trusted.stdout + trusted.stderr
    refused = connect(None)
    assert refused.returncode == 1 and "UntrustedCertificate" in refused.stdout, refused.stdout
    assert "does not trust the certificate presented for 127.0.0.1" in refused.stdout
