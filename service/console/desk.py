"""The looks an officer takes at the desk, each checked against the officer's scope and audited
before it is answered: a NIK, a household (KK), a batch of NIKs, one voter's notice, a TPS's list.
No HTTP here; the console's routes call it."""

from __future__ import annotations

import hashlib

import asyncpg
import msgspec

from service.access.audit import Audit
from service.access.guards import require_scope
from service.access.tokens import Principal
from service.console.batch import BatchLine, BatchRow
from service.errors import Forbidden, InvalidInput
from service.importer.validation import kk_hasher
from service.nik.parse import NikHasher, normalise_nik, parse_nik
from service.search.engine import region_pattern
from service.store import Store
from service.voters.answers import map_url
from service.voters.published import Published

_BATCH_QUERY_SIZE = 1000


class DeskVoter(msgspec.Struct, frozen=True):
    """A voter as the console shows them: full name, home address, TPS with its map, region."""

    id: str
    name: str
    gender: str
    address: str
    tps_number: int
    tps_label: str
    tps_address: str
    tps_kind: str
    lat: float | None
    lon: float | None
    map_url: str | None
    kelurahan_code: str
    kelurahan: str
    kecamatan: str
    kabkota: str

    @classmethod
    def of(cls, record: asyncpg.Record) -> DeskVoter:
        parts = [record["address"] or ""]
        if record["rt"] or record["rw"]:
            parts.append(f"RT {record['rt'] or '-'}/RW {record['rw'] or '-'}")
        return cls(
            id=format(record["id"], "016x"),
            name=record["name"],
            gender=record["gender"],
            address=", ".join(part for part in parts if part),
            tps_number=record["tps_number"],
            tps_label=f"TPS {record['tps_number']:03d}",
            tps_address=record["tps_address"],
            tps_kind=record["tps_kind"],
            lat=record["lat"],
            lon=record["lon"],
            map_url=map_url(record["lat"], record["lon"]),
            kelurahan_code=record["kelurahan_code"],
            kelurahan=record["kelurahan_name"],
            kecamatan=record["kecamatan_name"],
            kabkota=record["kabkota_name"],
        )


class NikCheck(msgspec.Struct, frozen=True):
    registered: bool
    voter: DeskVoter | None = None
    elsewhere: bool = False  # registered, but outside the officer's scope: nothing more is shown


class TpsList(msgspec.Struct, frozen=True):
    kelurahan_code: str
    kelurahan: str
    number: int
    address: str
    voters: list[dict[str, str]]


def kk_invalid() -> InvalidInput:
    return InvalidInput(
        "Nomor KK harus 16 angka, seperti tertulis di Kartu Keluarga.",
        "A KK number has 16 digits, as printed on the Kartu Keluarga.",
        code="kk_invalid",
        field="kk",
    )


def parse_kk(typed: str) -> str:
    digits = normalise_nik(typed)
    if len(digits) != 16 or not digits.isdigit() or not digits.isascii():
        raise kk_invalid()
    return digits


def not_found() -> Forbidden:
    """What an officer sees of a voter outside their scope, or of no voter at all: the same
    answer, so guessing ids tells nothing."""
    error = Forbidden("Data pemilih tidak ditemukan.", "No such voter.", code="voter_not_found")
    error.status = 404
    return error


class Desk:
    """One per worker."""

    def __init__(self, store: Store, published: Published, audit: Audit, *, secret: str):
        self.store = store
        self.published = published
        self.audit = audit
        self.hasher = NikHasher(secret)
        self.kk_hasher = kk_hasher(secret)

    def _pattern(self, officer: Principal) -> str:
        return region_pattern(officer.scope) if officer.scope else "%"

    async def nik(self, officer: Principal, typed: str) -> NikCheck:
        nik = parse_nik(typed)  # 422 with its code; a malformed NIK is no look
        dataset = self.published.current()
        rows = await self.store.rows(
            "desk-voters-by-nik-hashes", dataset_id=dataset.id, nik_hashes=[self.hasher(nik.digits)]
        )
        if not rows:
            await self._audit(officer, "nik", "/helpdesk/nik", region=None, subject=nik.digits, results=0)
            return NikCheck(registered=False)
        voter = DeskVoter.of(rows[0])
        if not officer.covers(voter.kelurahan_code):
            await self._audit(
                officer,
                "nik",
                "/helpdesk/nik",
                region=None,
                subject=nik.digits,
                results=0,
                outcome="region_out_of_scope",
            )
            return NikCheck(registered=True, elsewhere=True)
        await self._audit(
            officer, "nik", "/helpdesk/nik", region=voter.kelurahan_code, subject=nik.digits, results=1
        )
        return NikCheck(registered=True, voter=voter)

    async def family(self, officer: Principal, typed: str) -> list[DeskVoter]:
        """Every registered member of the household inside the officer's scope."""
        kk = parse_kk(typed)
        dataset = self.published.current()
        rows = await self.store.rows(
            "desk-voters-by-kk-hash",
            dataset_id=dataset.id,
            kk_hash=self.kk_hasher(kk),
            region_pattern=self._pattern(officer),
        )
        members = [DeskVoter.of(row) for row in rows]
        await self._audit(
            officer, "family", "/helpdesk/family", region=officer.scope, subject=kk, results=len(members)
        )
        return members

    async def batch(self, officer: Principal, lines: list[BatchLine]) -> list[BatchRow]:
        """Each line's answer: registered (with TPS and kelurahan) or not, registered outside the
        scope (nothing more), or why it is malformed."""
        dataset = self.published.current()
        hashes = {line.digits: self.hasher(line.digits) for line in lines if line.digits}
        found: dict[bytes, DeskVoter] = {}
        unique = list(dict.fromkeys(hashes.values()))
        for start in range(0, len(unique), _BATCH_QUERY_SIZE):
            chunk = unique[start : start + _BATCH_QUERY_SIZE]
            for row in await self.store.rows(
                "desk-voters-by-nik-hashes", dataset_id=dataset.id, nik_hashes=chunk
            ):
                found[row["nik_hash"]] = DeskVoter.of(row)
        rows = [
            _batch_row(line, found.get(hashes[line.digits]) if line.digits else None, officer)
            for line in lines
        ]
        registered = sum(1 for row in rows if row.status == "registered")
        subject = hashlib.sha256(b"".join(sorted(hashes.values()))).hexdigest()
        await self._audit(
            officer, "batch", "/helpdesk/batch", region=officer.scope, subject=subject, results=registered
        )
        return rows

    async def notice(self, officer: Principal, voter_id: str, route: str) -> DeskVoter:
        """One voter by the id a console answer showed; 404 for an unknown id and for a voter
        outside the scope alike (the latter audited as refused)."""
        try:
            number = int(voter_id, 16)
        except ValueError:
            raise not_found() from None
        if not 0 <= number < 2**63:
            raise not_found()
        dataset = self.published.current()
        record = await self.store.row("desk-voter-by-id", dataset_id=dataset.id, voter_id=number)
        if record is None:
            await self._audit(
                officer, "notice", route, region=None, subject=voter_id, results=0, outcome="voter_not_found"
            )
            raise not_found()
        voter = DeskVoter.of(record)
        if not officer.covers(voter.kelurahan_code):
            await self._audit(
                officer,
                "notice",
                route,
                region=None,
                subject=voter_id,
                results=0,
                outcome="region_out_of_scope",
            )
            raise not_found()
        await self._audit(officer, "notice", route, region=voter.kelurahan_code, subject=voter_id, results=1)
        return voter

    async def tps_list(self, officer: Principal, kelurahan_code: str, number: int) -> TpsList:
        """The notice board's list of one TPS in the officer's scope, NIKs masked as KPU does."""
        subject = f"{kelurahan_code}:{number}"
        try:
            require_scope(officer, kelurahan_code)
        except Forbidden as refused:
            await self._audit(
                officer,
                "tps_list",
                "/helpdesk/tps",
                region=kelurahan_code,
                subject=subject,
                results=0,
                outcome=refused.code,
            )
            raise
        dataset = self.published.current()
        tps = await self.store.row(
            "desk-tps", dataset_id=dataset.id, kelurahan_code=kelurahan_code, tps_number=number
        )
        if tps is None:
            await self._audit(
                officer,
                "tps_list",
                "/helpdesk/tps",
                region=kelurahan_code,
                subject=subject,
                results=0,
                outcome="tps_not_found",
            )
            raise InvalidInput(
                "TPS itu tidak ada di kelurahan ini.", "There is no such TPS in this kelurahan.",
                code="tps_not_found", field="tps",
            )  # fmt: skip
        voters = await self.store.rows(
            "desk-voters-of-tps", dataset_id=dataset.id, kelurahan_code=kelurahan_code, tps_number=number
        )
        await self._audit(
            officer, "tps_list", "/helpdesk/tps", region=kelurahan_code, subject=subject, results=len(voters)
        )
        return TpsList(
            kelurahan_code, tps["kelurahan_name"], number, tps["address"],
            [_listed(row) for row in voters],
        )  # fmt: skip

    async def _audit(
        self,
        officer: Principal,
        kind: str,
        route: str,
        *,
        region: str | None,
        subject: str,
        results: int,
        outcome: str = "allowed",
    ) -> None:
        await self.audit.record(
            officer, action=kind, route=route, region=region, query=subject, results=results, outcome=outcome
        )


def _listed(row: asyncpg.Record) -> dict[str, str]:
    return {
        "name": row["name"],
        "gender": row["gender"],
        "nik": row["nik_masked"] or "****************",
        "rt_rw": f"{row['rt'] or '-'}/{row['rw'] or '-'}",
    }


def _batch_row(line: BatchLine, voter: DeskVoter | None, officer: Principal) -> BatchRow:
    if line.problem is not None:
        return BatchRow(line, "malformed", reason=line.problem)
    if voter is None:
        return BatchRow(line, "not_registered")
    if not officer.covers(voter.kelurahan_code):
        return BatchRow(line, "registered_elsewhere")
    return BatchRow(line, "registered", tps=voter.tps_label, kelurahan=voter.kelurahan)
