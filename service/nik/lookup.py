"""The NIK question: is this NIK on the published DPT, and at which TPS?

Keys the cache by dataset version and keyed NIK hash, and builds the public answer as encoded
JSON (the cache holds bytes, and the API sends them as they are). No HTTP here.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from typing import NamedTuple

import msgspec

from service.cache.breaker import RedisBreaker
from service.cache.client import RedisClient
from service.cache.local import LocalCache
from service.cache.tiered import TieredCache
from service.nik.parse import Nik, NikHasher
from service.schemas import NikAnswer
from service.settings import Settings
from service.store import Store
from service.store.queries import QUERIES
from service.voters.answers import voter_from_record
from service.voters.published import Published, PublishedDataset

_encode = msgspec.json.Encoder().encode
_NOT_REGISTERED = b'{"registered":false'


class Answer(NamedTuple):
    """One NIK's answer: the encoded NikAnswer, and what the gate needs to settle its cost."""

    body: bytes
    nik_hash: bytes
    registered: bool


class NikLookup:
    """Answers NIK lookups through the two-tier cache; one instance per worker."""

    def __init__(
        self,
        store: Store,
        redis: RedisClient | None,
        settings: Settings,
        published: Published,
        breaker: RedisBreaker,
    ):
        self.store = store
        self.settings = settings
        self.published = published
        self.hasher = NikHasher(settings.nik_key)
        self.cache: TieredCache[tuple[PublishedDataset, bytes]] = TieredCache(
            LocalCache(settings.local_cache_size, settings.local_cache_ttl_seconds, settings.stale_seconds),
            redis,
            self._load,
            self._redis_ttl,
            stale_seconds=settings.stale_seconds,
            breaker=breaker,
        )
        self._not_registered: dict[int, bytes] = {}
        published.on_change(self._new_dataset)

    def _new_dataset(self, dataset: PublishedDataset) -> None:
        self.cache.local.clear()
        self._not_registered = {
            dataset.id: _encode(NikAnswer(registered=False, voter=None, dataset=dataset.info))
        }

    async def answer(self, nik: Nik) -> Answer:
        """The public answer for a valid NIK (503 before the first publish or without a store)."""
        dataset = self.published.current()
        nik_hash = self.hasher(nik.digits)
        # "v2": values carry their stale time (service/cache/tiered.py); older workers wrote bare JSON.
        key = f"dpt:v2:{dataset.id}:nik:{nik_hash.hex()}"
        body = await self.cache.get(key, (dataset, nik_hash))
        return Answer(body, nik_hash, not body.startswith(_NOT_REGISTERED))

    async def _load(self, batch: list[tuple[PublishedDataset, bytes]]) -> list[bytes]:
        by_dataset: dict[PublishedDataset, list[bytes]] = defaultdict(list)
        for dataset, nik_hash in batch:
            by_dataset[dataset].append(nik_hash)
        found: dict[tuple[int, bytes], bytes] = {}
        voters = QUERIES["voters-by-nik-hashes"]
        async with self.store.connection() as conn:
            for dataset, hashes in by_dataset.items():
                for record in await voters.rows(conn, dataset_id=dataset.id, nik_hashes=hashes):
                    answer = NikAnswer(
                        registered=True, voter=voter_from_record(record, masked=True), dataset=dataset.info
                    )
                    found[dataset.id, record["nik_hash"]] = _encode(answer)
        return [found.get((dataset.id, nik_hash)) or self._negative(dataset) for dataset, nik_hash in batch]

    def _negative(self, dataset: PublishedDataset) -> bytes:
        answer = self._not_registered.get(dataset.id)
        if answer is None:
            answer = _encode(NikAnswer(registered=False, voter=None, dataset=dataset.info))
            self._not_registered[dataset.id] = answer
        return answer

    def _redis_ttl(self, value: bytes) -> int:
        if value.startswith(_NOT_REGISTERED):
            return self.settings.negative_cache_ttl_seconds
        return self.settings.redis_cache_ttl_seconds

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.cache.drain()
