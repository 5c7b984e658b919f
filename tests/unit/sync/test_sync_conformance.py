"""The source conformance suite, run against the memory source (the Graph and Salesforce
sources run the same ``CHECKS`` against the sandbox)."""

from __future__ import annotations

import asyncio

import pytest

from sync.fields import KINDS, SIDES
from sync.memory_source import MemorySource
from sync.records import ItemResult
from sync.testing.conformance import (
    CHECKS,
    check_stale_version_is_refused,
    check_update_changes_only_given_fields,
)


async def make_memory(side, kind):
    return MemorySource(side, kind)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_memory_source_conforms(check, side, kind):
    asyncio.run(check(make_memory, side, kind))


class IgnoresVersions(MemorySource):
    """A broken source: it overwrites whatever the version says."""

    async def update_many(self, updates):
        results = []
        for u in updates:
            current = self._data[u.id]
            self.edit(u.id, **u.fields)
            results.append(ItemResult.success(u.id, self._data[u.id].version))
            del current
        return results


class ForgetsOtherFields(MemorySource):
    """A broken source: an update replaces the whole record."""

    async def update_many(self, updates):
        results = []
        for u in updates:
            self._store(u.id, {**{k: None for k in self._data[u.id].record}, **u.fields})
            results.append(ItemResult.success(u.id, self._data[u.id].version))
        return results


def test_the_suite_catches_a_source_that_ignores_versions():
    async def make(side, kind):
        return IgnoresVersions(side, kind)

    with pytest.raises(AssertionError, match="old version must fail"):
        asyncio.run(check_stale_version_is_refused(make, "outlook", "contacts"))


def test_the_suite_catches_a_source_that_overwrites_unsent_fields():
    async def make(side, kind):
        return ForgetsOtherFields(side, kind)

    with pytest.raises(AssertionError, match="fields not sent by an update"):
        asyncio.run(check_update_changes_only_given_fields(make, "salesforce", "contacts"))
