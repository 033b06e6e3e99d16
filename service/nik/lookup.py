"""The NIK question: is this NIK on the published DPT, and at which TPS?

Knows which dataset version is published (polled from the store), keys the cache by version and
keyed NIK hash, and builds the public answer. No HTTP here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict

import asyncpg
import msgspec
import redis.asyncio as aioredis

from service.cache.breaker import RedisBreaker
from service.cache.tiered import LocalCache, TieredCache
from service.errors import NoDataset
from service.names.masking import mask_name
from service.nik.parse import Nik, NikHasher
from service.protection.ratelimit import Client, RateLimiter
from service.schemas import DatasetInfo, NikAnswer, RegionRef, Tps, Voter, VoterRegion
from service.settings import Settings
from service.store import STORE_ERRORS, store_unavailable
from service.store.queries import QUERIES

log = logging.getLogger(__name__)

_encode = msgspec.json.Encoder().encode
_NOT_REGISTERED = b'{"registered":false'


class PublishedDataset(msgspec.Struct, frozen=True):
    id: int
    info: DatasetInfo


def map_url(lat: float | None, lon: float | None) -> str | None:
    if lat is None or lon is None:
        return None
    return f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}#map=18/{lat:.6f}/{lon:.6f}"


def voter_from_record(record: asyncpg.Record, *, masked: bool) -> Voter:
    return Voter(
        id=format(record["id"], "016x"),
        name=mask_name(record["name"]) if masked else record["name"],
        gender=record["gender"],
        tps=Tps(
            number=record["tps_number"],
            label=f"TPS {record['tps_number']:03d}",
            address=record["tps_address"],
            lat=record["lat"],
            lon=record["lon"],
            kind=record["tps_kind"],
            map_url=map_url(record["lat"], record["lon"]),
        ),
        region=VoterRegion(
            provinsi=RegionRef(code=record["provinsi_code"], name=record["provinsi_name"]),
            kabkota=RegionRef(code=record["kabkota_code"], name=record["kabkota_name"]),
            kecamatan=RegionRef(code=record["kecamatan_code"], name=record["kecamatan_name"]),
            kelurahan=RegionRef(code=record["kelurahan_code"], name=record["kelurahan_name"]),
        ),
    )


class NikLookup:
    """Answers public NIK lookups through the two-tier cache; one instance per worker."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        redis: aioredis.Redis | None,
        settings: Settings,
        breaker: RedisBreaker | None = None,
    ):
        self.pool = pool
        self.settings = settings
        self.hasher = NikHasher(settings.nik_key)
        self.dataset: PublishedDataset | None = None
        self.store_ok = False
        self.cache: TieredCache[tuple[PublishedDataset, bytes]] = TieredCache(
            LocalCache(settings.local_cache_size, settings.local_cache_ttl_seconds, settings.stale_seconds),
            redis,
            self._load,
            self._redis_ttl,
            stale_seconds=settings.stale_seconds,
            breaker=breaker or RedisBreaker(settings.redis_breaker_seconds),
        )
        self._not_registered: dict[int, bytes] = {}

    # -- published dataset -------------------------------------------------------------
    async def refresh_dataset(self) -> PublishedDataset | None:
        """Ask the store which version is published; a change empties the local cache."""
        try:
            async with self.pool.acquire(timeout=self.settings.db_timeout_seconds) as conn:
                record = await QUERIES["published-dataset"].row(
                    conn, timeout=self.settings.db_timeout_seconds
                )
        except STORE_ERRORS as error:
            if self.store_ok:
                log.warning("store unavailable: %s", type(error).__name__)
            self.store_ok = False
            return self.dataset
        self.store_ok = True
        if record is None:
            self.dataset = None
            return None
        if self.dataset is None or self.dataset.id != record["id"]:
            info = DatasetInfo(
                version=record["version"], election=record["election"], polling_date=record["polling_date"]
            )
            self.dataset = PublishedDataset(record["id"], info)
            self.cache.local.clear()
            self._not_registered = {
                record["id"]: _encode(NikAnswer(registered=False, voter=None, dataset=info))
            }
            log.info("answering from dataset %s", info.version)
        return self.dataset

    async def watch_dataset(self) -> None:
        """Poll forever (a lifespan task); publishing reaches every worker within one interval."""
        while True:
            await self.refresh_dataset()
            await asyncio.sleep(self.settings.dataset_poll_seconds)

    # -- lookups -----------------------------------------------------------------------
    def published(self) -> PublishedDataset:
        """The dataset answers come from; 503 no_dataset before the first publish."""
        if self.dataset is None:
            raise NoDataset(
                "Data pemilih belum tersedia. Silakan coba lagi nanti.",
                "No voter list has been published yet. Please try again later.",
            )
        return self.dataset

    async def answer(self, nik: Nik) -> bytes:
        """The encoded public answer (NikAnswer JSON) for a valid NIK."""
        dataset = self.published()
        nik_hash = self.hasher(nik.digits)
        # "v2": values carry their stale time (service/cache.py); older workers wrote bare JSON.
        key = f"dpt:v2:{dataset.id}:nik:{nik_hash.hex()}"
        try:
            return await self.cache.get(key, (dataset, nik_hash))
        except STORE_ERRORS as error:
            raise store_unavailable() from error

    async def answer_for(self, nik: Nik, caller: Client | None, limiter: RateLimiter) -> bytes:
        """The answer, as every channel gives it: a NIK that is not registered is charged to
        the caller's anti-enumeration budget (`caller` None: an exempt client)."""
        answer = await self.answer(nik)
        if caller is not None and not self.is_registered(answer):
            limiter.missed(caller, self.hasher(nik.digits))
        return answer

    async def _load(self, batch: list[tuple[PublishedDataset, bytes]]) -> list[bytes]:
        by_dataset: dict[PublishedDataset, list[bytes]] = defaultdict(list)
        for dataset, nik_hash in batch:
            by_dataset[dataset].append(nik_hash)
        found: dict[tuple[int, bytes], bytes] = {}
        timeout = self.settings.db_timeout_seconds
        async with self.pool.acquire(timeout=timeout) as conn:
            for dataset, hashes in by_dataset.items():
                query = QUERIES["voters-by-nik-hashes"]
                for record in await query.rows(
                    conn, dataset_id=dataset.id, nik_hashes=hashes, timeout=timeout
                ):
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

    @staticmethod
    def is_registered(answer: bytes) -> bool:
        return not answer.startswith(_NOT_REGISTERED)

    def _redis_ttl(self, value: bytes) -> int:
        if not self.is_registered(value):
            return self.settings.negative_cache_ttl_seconds
        return self.settings.redis_cache_ttl_seconds

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.cache.drain()
