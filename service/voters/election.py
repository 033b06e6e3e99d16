"""The election a dataset is for: polling and DPK hours, DPTb deadlines, time zones, voting age.

This is the one place these rules live, each with the regulation it follows (REGULATIONS), so they
can be checked against the text. The defaults are those of the Pilkada serentak of 27 November
2024; `dpt import --election-kind pemilu` takes those of the Pemilu, and an election file
(`--election-file`, TOML) may set any of them for another election.

- Polling hours: 07.00 to 13.00 local time of the TPS, for both kinds.
- DPK (daftar pemilih khusus): an eligible resident on no list may vote with a KTP-el at a TPS of
  the RT/RW of the address on the KTP-el, in the last hour (12.00 to 13.00), while ballots last.
- DPTb (pindah memilih): Pemilu: by H-30 for moving house, study or work, and by H-7 for the
  sick, disaster victims, detainees and people on duty. Pilkada 2024: by H-7, for those four
  reasons only (moving house is no reason to vote elsewhere in a regional election).
- Time zones by province: WIT for Maluku and Papua, WITA for Bali, Nusa Tenggara, Kalimantan
  Selatan, Timur and Utara and all of Sulawesi, WIB elsewhere.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Final, Literal

import msgspec

from service.schemas import DatasetInfo, Hours

ElectionKind = Literal["pilkada", "pemilu"]
MIN_AGE: Final = 17  # years on polling day (UU 7/2017 Pasal 198; UU 10/2016 Pasal 1), or married

# Cited in every answer's `dataset.regulation`; the rules they set are in the docstring above.
# Pilkada 2024: PKPU 7/2024 (voter lists, pindah memilih) and PKPU 17/2024 (polling: hours, DPK).
# Pemilu 2024: UU 7/2017 Pasal 210 and PKPU 7/2022 as amended by PKPU 7/2023 (voter lists,
# pindah memilih), PKPU 25/2023 (polling: hours, DPK).
REGULATIONS: Final[dict[ElectionKind, str]] = {
    "pilkada": "PKPU 7/2024 (daftar pemilih); PKPU 17/2024 (pemungutan suara)",
    "pemilu": (
        "UU 7/2017 Pasal 210; PKPU 7/2022 jo. PKPU 7/2023 (daftar pemilih); PKPU 25/2023 (pemungutan suara)"
    ),
}
POLLING_HOURS: Final = Hours(start="07:00", end="13:00")
DPK_HOURS: Final = Hours(start="12:00", end="13:00")
# Days before polling day by which a move to vote elsewhere must be registered (None: not allowed).
DPTB_DAYS: Final[dict[ElectionKind, int | None]] = {"pilkada": None, "pemilu": 30}
DPTB_URGENT_DAYS: Final = 7

_WIT: Final = frozenset({"81", "82", "91", "92", "93", "94", "95", "96"})
_WITA: Final = frozenset({"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"})


def time_zone(region_code: str) -> Literal["WIB", "WITA", "WIT"]:
    """The time zone of any region (`18`, `18.72`, `18.72.01.1001`), by its province."""
    province = region_code[:2]
    if province in _WIT:
        return "WIT"
    if province in _WITA:
        return "WITA"
    return "WIB"


class ElectionFile(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An election file (`--election-file`, TOML): every key optional, dates as YYYY-MM-DD."""

    kind: ElectionKind | None = None
    polling_start: str | None = None
    polling_end: str | None = None
    dpk_start: str | None = None
    dptb_deadline: dt.date | None = None
    dptb_urgent_deadline: dt.date | None = None


class ElectionError(ValueError):
    """An election file or option that cannot be used; the message is bilingual."""


def read_election_file(path: Path) -> ElectionFile:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return msgspec.convert(raw, ElectionFile)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, msgspec.ValidationError) as error:
        raise ElectionError(
            f"berkas pemilihan tidak bisa dipakai / unusable election file {path}: {error}"
        ) from None


def _clock(text: str, key: str) -> str:
    try:
        return dt.time.fromisoformat(text).strftime("%H:%M")
    except ValueError:
        raise ElectionError(f"{key}: bukan jam HH:MM / not an HH:MM time: {text}") from None


def election_details(
    kind: ElectionKind, polling_date: dt.date | None, time_zones: list[str], file: ElectionFile | None = None
) -> dict[str, object]:
    """The details stored with a dataset (its `details` column): the kind's rules, the file's
    overrides, deadlines counted back from polling day."""
    chosen = file or ElectionFile()
    kind = chosen.kind or kind
    start = _clock(chosen.polling_start, "polling_start") if chosen.polling_start else POLLING_HOURS.start
    end = _clock(chosen.polling_end, "polling_end") if chosen.polling_end else POLLING_HOURS.end
    dpk_start = _clock(chosen.dpk_start, "dpk_start") if chosen.dpk_start else DPK_HOURS.start
    if not start < dpk_start < end:
        raise ElectionError(f"jam tidak runtut / hours out of order: {start}, {dpk_start}, {end}")
    days = DPTB_DAYS[kind]
    moving = chosen.dptb_deadline or (
        polling_date - dt.timedelta(days=days) if polling_date and days is not None else None
    )
    urgent = chosen.dptb_urgent_deadline or (
        polling_date - dt.timedelta(days=DPTB_URGENT_DAYS) if polling_date else None
    )
    return {
        "kind": kind,
        "polling_hours": {"start": start, "end": end},
        "dpk_hours": {"start": dpk_start, "end": end},
        "dptb_deadline": moving.isoformat() if moving else None,
        "dptb_urgent_deadline": urgent.isoformat() if urgent else None,
        "time_zones": sorted(set(time_zones)),
        "regulation": REGULATIONS[kind],
    }


def dataset_info(version: str, election: str, polling_date: dt.date | None, details: object) -> DatasetInfo:
    """The `dataset` of every answer; a dataset imported before details existed gets the
    defaults of its polling day (Pilkada 2024 rules)."""
    if isinstance(details, str):  # jsonb arrives as its text
        details = msgspec.json.decode(details)
    stored = details if isinstance(details, dict) else election_details("pilkada", polling_date, [])
    return msgspec.convert(
        {"version": version, "election": election, "polling_date": polling_date, **stored},
        DatasetInfo,
        strict=False,
    )
