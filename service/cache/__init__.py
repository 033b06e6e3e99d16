"""Shared state in Redis and in each worker: the two-tier answer cache, per-tick batching of
Redis calls, and the breaker that skips a failing Redis."""
