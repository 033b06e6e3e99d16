"""GCRA buckets: a limit as a rate and a burst, and the same algorithm kept in one process for
when Redis is unavailable."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import NamedTuple


class Limit(NamedTuple):
    per_minute: float  # sustained rate
    burst: int  # how many may come at once

    @property
    def interval_ms(self) -> float:
        return 60_000.0 / self.per_minute


# A bucket that never refuses, for a kind of client limited on one count only.
UNLIMITED = Limit(1e12, 10**12)


class Limits(NamedTuple):
    """The limits of one kind of client: requests, and distinct unregistered NIKs."""

    requests: Limit
    misses: Limit


class LocalBuckets:
    """The same GCRA in one process, bounded in size: the fallback when Redis is unavailable."""

    def __init__(self, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic):
        self._tat: dict[str, float] = {}
        self._seen: dict[str, dict[str, float]] = {}
        self._max_keys = max_keys
        self._clock = clock

    def admit(self, request_key: str, request: Limit, enum_key: str, enum: Limit) -> float:
        now = self._clock() * 1000
        enum_wait = self._wait(enum_key, enum, now)
        if enum_wait > 0:
            return enum_wait
        wait = self._wait(request_key, request, now)
        if wait == 0:
            self._set(request_key, max(self._tat.get(request_key, now), now) + request.interval_ms)
        return wait

    def miss(self, enum_key: str, enum: Limit, fingerprint: str, remember_ms: float) -> float:
        """The same rule as the `_MISS` script: milliseconds to wait, 0 to answer."""
        now = self._clock() * 1000
        if enum_key not in self._seen and len(self._seen) >= self._max_keys:
            self._seen.clear()
        seen = self._seen.setdefault(enum_key, {})
        if seen.get(fingerprint, 0) > now:
            return 0.0
        tat = max(self._tat.get(enum_key, now), now) + enum.interval_ms
        self._set(enum_key, tat)
        allow_at = tat - enum.interval_ms * enum.burst
        if allow_at > now:
            return allow_at - now
        seen[fingerprint] = now + remember_ms
        return 0.0

    def _wait(self, key: str, limit: Limit, now: float) -> float:
        tat = max(self._tat.get(key, now), now)
        allow_at = tat + limit.interval_ms - limit.interval_ms * limit.burst
        return max(allow_at - now, 0.0)

    def _set(self, key: str, tat: float) -> None:
        if key not in self._tat and len(self._tat) >= self._max_keys:
            del self._tat[next(iter(self._tat))]
        self._tat[key] = tat
