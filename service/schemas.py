"""Wire and cache types: every request, answer and cached payload is a msgspec Struct."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec


class Wire(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """Base of every wire type: unknown fields are an error, not silently dropped."""


class NikRequest(Wire, frozen=True):
    nik: str


class RegionRef(Wire, frozen=True):
    code: str
    name: str


class VoterRegion(Wire, frozen=True):
    provinsi: RegionRef
    kabkota: RegionRef
    kecamatan: RegionRef
    kelurahan: RegionRef


class Tps(Wire, frozen=True):
    number: int
    label: str
    address: str
    lat: float | None
    lon: float | None
    kind: Literal["reguler", "khusus"]
    map_url: str | None


class Voter(Wire, frozen=True):
    id: str
    name: str
    gender: Literal["L", "P"]
    tps: Tps
    region: VoterRegion


class DatasetInfo(Wire, frozen=True):
    version: str
    election: str
    polling_date: dt.date | None


class NikAnswer(Wire, frozen=True):
    registered: bool
    voter: Voter | None
    dataset: DatasetInfo


class ErrorDetail(Wire, frozen=True, omit_defaults=True):
    code: str
    message: str
    message_en: str
    field: str | None = None


class ErrorBody(Wire, frozen=True):
    error: ErrorDetail


class Health(Wire, frozen=True):
    status: str
    dataset: str | None = None
    checks: dict[str, str] = msgspec.field(default_factory=dict)


class SearchRequest(Wire, frozen=True):
    name: str
    region: str
    birth_date: str | None = None


class SearchResult(Voter, frozen=True, omit_defaults=True):
    """A VOTER and whether the service would tell a person "this is you"; `score` (0..100) only
    for help desks: a public score would let a stranger refine a guessed name."""

    confident: bool
    score: float | None = None


class SearchAnswer(Wire, frozen=True):
    results: list[SearchResult]


class SmsInbound(Wire, frozen=True):
    """`POST /sms/inbound`: one SMS from any gateway that can send JSON."""

    sender: str = msgspec.field(name="from")
    text: str


class SmsReply(Wire, frozen=True):
    reply: str
