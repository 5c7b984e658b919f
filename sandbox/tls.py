"""The emulator's TLS: a local CA made with trustme, kept in the state directory.

The CA (certificate and key) is written once and reused, so a client that trusts
``ca.pem`` keeps trusting the sandbox across restarts. The server certificate covers
127.0.0.1, ::1 and localhost and is issued fresh at each start.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import trustme

CA_CERT = "sandbox-ca.pem"
CA_KEY = "sandbox-ca.key"
SERVER_CERT = "sandbox-server.pem"
SERVER_KEY = "sandbox-server.key"


@dataclass(frozen=True)
class TlsFiles:
    ca_file: Path
    cert_file: Path
    key_file: Path


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def ensure_tls(directory: Path, host: str = "127.0.0.1") -> TlsFiles:
    """Load or create the CA in ``directory``; issue a server certificate for loopback."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    ca_cert, ca_key = directory / CA_CERT, directory / CA_KEY
    if ca_cert.exists() and ca_key.exists():
        ca = trustme.CA.from_pem(ca_cert.read_bytes(), ca_key.read_bytes())
    else:
        ca = trustme.CA(
            organization_name="Tandem sandbox", organization_unit_name="Local test CA - not for real use"
        )
        _write_private(ca_key, ca.private_key_pem.bytes())
        ca_cert.write_bytes(ca.cert_pem.bytes())
    names = ["127.0.0.1", "::1", "localhost"]
    if host not in names and host not in ("0.0.0.0", "::"):
        names.append(host)
    server = ca.issue_cert(*names)
    cert_file, key_file = directory / SERVER_CERT, directory / SERVER_KEY
    cert_file.write_bytes(b"".join(blob.bytes() for blob in server.cert_chain_pems))
    _write_private(key_file, server.private_key_pem.bytes())
    return TlsFiles(ca_cert, cert_file, key_file)
