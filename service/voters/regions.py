"""Regions: whether a code is a Kemendagri region, and the kab/kota, kecamatan and kelurahan a
published dataset covers (the resident page's lists), cached per dataset."""

from __future__ import annotations

from typing import Any

import msgspec

from service.errors import InvalidInput
from service.store import Store
from service.voters.published import PublishedDataset

_KNOWN_CODES_CACHED = 100_000


class Kecamatan(msgspec.Struct, frozen=True):
    code: str
    name: str
    kelurahan: list[dict[str, str]]


class RegionLists(msgspec.Struct, frozen=True):
    """The name-search form's lists: kab/kota, then the chosen one's kecamatan and kelurahan."""

    kabkotas: list[dict[str, str]]
    kabkota: str | None
    kecamatans: list[Kecamatan]


class Regions:
    """One per worker."""

    def __init__(self, store: Store):
        self.store = store
        self._known: dict[str, bool] = {}
        self._lists: dict[tuple[int, str], Any] = {}

    async def check(self, code: str) -> None:
        """422 region_unknown unless the code is a Kemendagri kab/kota, kecamatan or kelurahan."""
        known = self._known.get(code)
        if known is None:
            known = await self.store.row("region-by-code", code=code) is not None
            if len(self._known) < _KNOWN_CODES_CACHED:
                self._known[code] = known
        if not known:
            raise InvalidInput(
                f"Wilayah {code} tidak dikenal.",
                f"Region {code} is not a known Kemendagri region.",
                code="region_unknown",
                field="region",
            )

    async def lists(self, dataset: PublishedDataset | None, kabkota: str | None) -> RegionLists:
        """Only a kab/kota that is in the dataset is ever looked up, so a made-up one costs nothing."""
        if dataset is None:
            return RegionLists([], None, [])
        if (dataset.id, "") not in self._lists:
            self._lists.clear()  # a new dataset: the old lists go
            rows = await self.store.rows("dataset-kabkota", dataset_id=dataset.id)
            self._lists[dataset.id, ""] = [dict(row) for row in rows]
        kabkotas: list[dict[str, str]] = self._lists[dataset.id, ""]
        codes = [k["code"] for k in kabkotas]
        chosen = kabkota if kabkota in codes else (codes[0] if len(codes) == 1 else None)
        if chosen and (dataset.id, chosen) not in self._lists:
            self._lists[dataset.id, chosen] = await self._kecamatans(dataset.id, chosen)
        return RegionLists(kabkotas, chosen, self._lists[dataset.id, chosen] if chosen else [])

    async def _kecamatans(self, dataset_id: int, kabkota: str) -> list[Kecamatan]:
        groups: dict[str, Kecamatan] = {}
        for row in await self.store.rows("dataset-kelurahan-in", dataset_id=dataset_id, kabkota=kabkota):
            code = row["kecamatan_code"]
            group = groups.setdefault(code, Kecamatan(code, row["kecamatan_name"], []))
            group.kelurahan.append({"code": row["code"], "name": row["name"]})
        return list(groups.values())
