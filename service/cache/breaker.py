"""A breaker for Redis, shared by the cache and the rate limiter of one worker."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from redis.exceptions import RedisClusterException, RedisError

log = logging.getLogger(__name__)
# What a Redis call may raise when Redis is down, slow or unreachable. The cluster client raises
# RedisClusterException (not a RedisError) when no node answers or a slot has no master.
REDIS_ERRORS = (RedisError, RedisClusterException, OSError, TimeoutError)


class RedisBreaker:
    """Skips Redis for `seconds` after a failure, so a dead or slow Redis costs one timeout, not
    one per request; then Redis is tried again. Shared by the cache and the rate limiter."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic):
        self.seconds = seconds
        self.failures = 0
        self._open_until = 0.0
        self._clock = clock

    @property
    def closed(self) -> bool:
        """True when Redis may be used."""
        return self._clock() >= self._open_until

    def failed(self, error: BaseException) -> None:
        self.failures += 1
        if self.closed:
            log.warning("redis unavailable (%s); skipping it for %.1f s", type(error).__name__, self.seconds)
        self._open_until = self._clock() + self.seconds
