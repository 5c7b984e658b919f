"""Fixtures of the system tests (``make test-system``, tools/test-system.sh): a real GNOME
Keyring Secret Service per test, on the private session bus the script opened."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from system_helpers import SecretService


@pytest.fixture(autouse=True)
def _made_by_the_script() -> None:
    if os.environ.get("TANDEM_SYSTEM_TESTS") != "1":
        pytest.fail(
            "tests/system need a private D-Bus session and GNOME Keyring: run them with `make test-system`"
        )


@pytest.fixture
def secret_service(tmp_path: Path) -> Iterator[SecretService]:
    service = SecretService(tmp_path / "keyring")
    service.start()
    yield service
    service.stop()
