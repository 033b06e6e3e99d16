"""Versions and their quality counts as the admin API shows them."""

from __future__ import annotations

import json

import asyncpg

from service.errors import DomainError
from service.schemas import DatasetQuality
from service.store import Store


class DatasetNotFound(DomainError):
    status = 404
    code = "dataset_not_found"


def _quality(record: asyncpg.Record) -> DatasetQuality:
    return DatasetQuality(
        version=record["version"],
        status=record["status"],
        election=record["election"],
        polling_date=record["polling_date"],
        voters=record["rows_loaded"],
        findings=json.loads(record["quality"]) if record["quality"] else None,
    )


async def dataset_versions(store: Store) -> list[DatasetQuality]:
    return [_quality(record) for record in await store.rows("list-datasets")]


async def dataset_quality(store: Store, version: str) -> DatasetQuality:
    record = await store.row("dataset-quality", version=version)
    if record is None:
        raise DatasetNotFound(
            f"Versi data {version} tidak ada.", f"There is no dataset version {version}.", field="version"
        )
    return _quality(record)
