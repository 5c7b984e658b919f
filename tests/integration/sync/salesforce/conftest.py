"""The ``world`` fixture of the Salesforce source tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sf_world import _World


@pytest.fixture
def world(sandbox: Any) -> Iterator[_World]:
    yield _World(sandbox)
    # the sandbox fixture seeds before it resets the clock: never leave a moved clock behind
    sandbox.state.clock.offset = dt.timedelta(0)
