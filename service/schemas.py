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
    # Added for issue 16 (all optional, so older clients and cached answers keep working):
    geo_uri: str | None = None  # `geo:lat,lon`, opens the phone's own map app
    time_zone: Literal["WIB", "WITA", "WIT"] | None = None  # polling hours are local time
    step_free: bool | None = None  # tps.csv `akses_tanpa_tangga`: reachable without steps
    ground_floor: bool | None = None  # tps.csv `lantai_dasar`
    access_note: str | None = None  # tps.csv `catatan_akses`


class Voter(Wire, frozen=True):
    id: str
    name: str
    gender: Literal["L", "P"]
    tps: Tps
    region: VoterRegion


class Hours(Wire, frozen=True):
    """From and to, local time of the TPS (`07:00`)."""

    start: str
    end: str


class DatasetInfo(Wire, frozen=True):
    version: str
    election: str
    polling_date: dt.date | None
    # The election's details (service/voters/election.py, which cites the regulation); optional, so
    # answers cached before they existed still decode.
    kind: Literal["pilkada", "pemilu"] | None = None
    polling_hours: Hours | None = None
    dpk_hours: Hours | None = None  # when a voter on no list may vote with a KTP-el (DPK)
    dptb_deadline: dt.date | None = None  # moving to vote elsewhere: moving house, study, work
    dptb_urgent_deadline: dt.date | None = None  # the sick, disaster victims, detainees, on duty
    time_zones: tuple[str, ...] | None = None  # of the dataset's TPS: WIB, WITA, WIT (a tuple: hashable)
    regulation: str | None = None


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


class DatasetQuality(Wire, frozen=True):
    """`GET /api/v1/datasets…` (admin): a version, its status and its data-quality counts."""

    version: str
    status: str
    election: str
    polling_date: dt.date | None
    voters: int | None
    findings: dict[str, int] | None  # one count per finding kind (service/quality/); None: no report


class SmsInbound(Wire, frozen=True):
    """`POST /sms/inbound`: one SMS from any gateway that can send JSON."""

    sender: str = msgspec.field(name="from")
    text: str


class SmsReply(Wire, frozen=True):
    reply: str
