"""Which dataset version answers: polled from the store by every worker, so a publish reaches
all of them within one interval, and no answer mixes versions."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import msgspec

from service.errors import NoDataset, Unavailable
from service.schemas import DatasetInfo
from service.store import Store
from service.voters.election import dataset_info

log = logging.getLogger(__name__)


class PublishedDataset(msgspec.Struct, frozen=True):
    id: int
    info: DatasetInfo


class Published:
    """The dataset this worker answers from, and whether the store answered the last poll."""

    def __init__(self, store: Store, poll_seconds: float):
        self.store = store
        self.poll_seconds = poll_seconds
        self.dataset: PublishedDataset | None = None
        self.store_ok = False
        self._on_change: list[Callable[[PublishedDataset], None]] = []

    def on_change(self, callback: Callable[[PublishedDataset], None]) -> None:
        """Call `callback` with the new dataset whenever another version is published."""
        self._on_change.append(callback)

    def current(self) -> PublishedDataset:
        """The dataset answers come from; 503 no_dataset before the first publish."""
        if self.dataset is None:
            raise NoDataset(
                "Data pemilih belum tersedia. Silakan coba lagi nanti.",
                "No voter list has been published yet. Please try again later.",
            )
        return self.dataset

    async def refresh(self) -> PublishedDataset | None:
        """Ask the store which version is published."""
        try:
            record = await self.store.row("published-dataset")
        except Unavailable as error:
            if self.store_ok:
                log.warning("store unavailable: %s", type(error.__cause__).__name__)
            self.store_ok = False
            return self.dataset
        self.store_ok = True
        if record is None:
            self.dataset = None
            return None
        if self.dataset is None or self.dataset.id != record["id"]:
            info = dataset_info(
                record["version"], record["election"], record["polling_date"], record["details"]
            )
            self.dataset = PublishedDataset(record["id"], info)
            for callback in self._on_change:
                callback(self.dataset)
            log.info("answering from dataset %s", info.version)
        return self.dataset

    async def watch(self) -> None:
        """Poll forever (a lifespan task)."""
        while True:
            await self.refresh()
            await asyncio.sleep(self.poll_seconds)
