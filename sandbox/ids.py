"""Identifiers shaped like the real services' ones."""

from __future__ import annotations

import base64
import secrets
import string

_SF_CHECKSUM_ALPHABET = string.ascii_uppercase + "012345"
_SF_BODY_ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase

# Salesforce key prefixes (API_CONTRACTS.md section 8).
SF_PREFIXES = {
    "Account": "001",
    "Contact": "003",
    "User": "005",
    "Organization": "00D",
    "Lead": "00Q",
    "Task": "00T",
    "Event": "00U",
    "Campaign": "701",
    "CampaignMember": "00v",
    "AccountTeamMember": "01M",
    "TaskStatus": "01J",
}


def sf_checksum(id15: str) -> str:
    """The three-character suffix that turns a 15-char Salesforce id into an 18-char one."""
    suffix = ""
    for chunk in range(3):
        bits = 0
        for pos, ch in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            if "A" <= ch <= "Z":
                bits |= 1 << pos
        suffix += _SF_CHECKSUM_ALPHABET[bits]
    return suffix


def sf_id(prefix: str, number: int) -> str:
    """A deterministic 18-char Salesforce id: prefix + pod + a base-62 counter + checksum."""
    body = ""
    n = number
    for _ in range(9):
        body = _SF_BODY_ALPHABET[n % 62] + body
        n //= 62
    id15 = (prefix + "Dm0" + body)[:15]
    return id15 + sf_checksum(id15)


def sf_id_valid(value: str) -> bool:
    """True when ``value`` is a well-formed 15- or 18-char id (checksum checked for 18)."""
    if len(value) not in (15, 18) or not value.isalnum():
        return False
    if len(value) == 18:
        return sf_checksum(value[:15]) == value[15:]
    return True


def sf_id_to_18(value: str) -> str:
    return value if len(value) == 18 else value + sf_checksum(value)


def graph_id(prefix: bytes = b"AAMkADsandbox") -> str:
    """An opaque Outlook-style id (URL-safe base64, like Exchange's immutable ids)."""
    raw = prefix + b"\x00" + secrets.token_bytes(30)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=") + "="


def change_key() -> str:
    return base64.b64encode(secrets.token_bytes(18)).decode()


def opaque_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)
