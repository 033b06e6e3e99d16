"""Each worker's own cache: a bounded dict with a time-to-live, whose expired entries are served
a little longer while they are refreshed."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import NamedTuple


class Cached(NamedTuple):
    value: bytes
    fresh: bool


class LocalCache:
    """A bounded dict with a time-to-live; expired entries are kept `stale` seconds longer (served
    while they are refreshed). When full, the oldest insertion is evicted."""

    __slots__ = ("_clock", "_entries", "_max_entries", "_stale", "_ttl")

    def __init__(
        self, max_entries: int, ttl: float, stale: float = 0.0, clock: Callable[[], float] = time.monotonic
    ):
        self._entries: dict[str, tuple[float, bytes]] = {}
        self._max_entries = max_entries
        self._ttl = ttl
        self._stale = stale
        self._clock = clock

    def lookup(self, key: str) -> Cached | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        fresh_until, value = entry
        now = self._clock()
        if fresh_until >= now:
            return Cached(value, fresh=True)
        if fresh_until + self._stale >= now:
            return Cached(value, fresh=False)
        del self._entries[key]
        return None

    def get(self, key: str) -> bytes | None:
        """The fresh value of `key`, or None."""
        found = self.lookup(key)
        return found.value if found is not None and found.fresh else None

    def put(self, key: str, value: bytes) -> None:
        if key not in self._entries and len(self._entries) >= self._max_entries:
            del self._entries[next(iter(self._entries))]
        self._entries[key] = (self._clock() + self._ttl, value)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
