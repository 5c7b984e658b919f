"""Keeping the event loop responsive during long stretches of pure work (ARCHITECTURE.md,
Concurrency: nothing blocks the loop for more than a few milliseconds).

The GUI runs the sync on the Qt loop (qasync): while a loop of thousands of items runs without
an ``await``, the window cannot paint or answer a click. A ``Pacer`` lets such a loop hand
control back to the event loop once a time slice is used up, and costs nothing otherwise:

    pace = Pacer()
    for row in rows:
        out.append(convert(row))
        await pace()            # yields (asyncio.sleep(0)) when SLICE_S has passed since the last yield

    items = await pace.map(convert, rows)   # the same, as a list comprehension

Never ``await pace()`` inside a store transaction: another task of the loop could then write
into it. Yielding changes no result, only when other tasks of the loop get to run.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

SLICE_S = 0.02  # at most this long without giving the loop a turn (plus one item's work)


class Pacer:
    """Yields to the event loop once ``slice_s`` seconds passed since the last yield."""

    def __init__(self, slice_s: float | None = None) -> None:
        self.slice_s = SLICE_S if slice_s is None else slice_s
        self._since = time.perf_counter()
        self.yields = 0  # how often it handed control back

    def due(self) -> bool:
        return time.perf_counter() - self._since >= self.slice_s

    async def __call__(self) -> None:
        if self.due():
            await self.yield_now()

    async def yield_now(self) -> None:
        await asyncio.sleep(0)
        self.yields += 1
        self._since = time.perf_counter()

    async def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        out: list[R] = []
        for item in items:
            out.append(fn(item))
            if time.perf_counter() - self._since >= self.slice_s:
                await self.yield_now()
        return out


async def paced_map(fn: Callable[[T], R], items: Iterable[T], slice_s: float | None = None) -> list[R]:
    """``[fn(i) for i in items]``, handing the loop a turn every ``slice_s``."""
    return await Pacer(slice_s).map(fn, items)


__all__ = ["Pacer", "SLICE_S", "paced_map"]
