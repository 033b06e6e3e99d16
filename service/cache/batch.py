"""Per-tick batching: calls made in one event-loop tick share one round trip to Redis.

The cache's lookups (one MGET) and the rate limiter's checks (one pipeline) both gather what
arrives in a tick and resolve it together in a background task; that task, and any other work
they leave running after the caller has its answer, is kept here so it can be drained.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Generic, TypeVar

Item = TypeVar("Item")


class TickBatcher(Generic[Item]):
    """Collects items added during one event-loop tick and hands them to `resolve` together."""

    __slots__ = ("_background", "_items", "_resolve")

    def __init__(self, resolve: Callable[[list[Item]], Awaitable[None]]):
        self._resolve = resolve
        self._items: list[Item] = []
        self._background: set[asyncio.Future[Any]] = set()

    def add(self, item: Item) -> None:
        if not self._items:
            asyncio.get_running_loop().call_soon(self._flush)
        self._items.append(item)

    def spawn(self, coroutine: Coroutine[Any, Any, Any] | Awaitable[Any]) -> None:
        """Run `coroutine` in the background, kept until it ends (and awaited by `drain`)."""
        task = asyncio.ensure_future(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _flush(self) -> None:
        items, self._items = self._items, []
        self.spawn(self._resolve(items))

    async def drain(self) -> None:
        """Wait for everything still running in the background (shutdown, tests)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)
