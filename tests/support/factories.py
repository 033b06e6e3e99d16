"""Small, hand-checkable DPT files for tests, written in the contract's CSV format."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from service.access.tokens import token_hash
from service.importer import TPS_COLUMNS, VOTER_COLUMNS

KELURAHAN = ("18.72.01.1001", "18.72.01.1002", "18.72.02.1001", "18.72.03.1001")
NAMES = (
    "BUDI SANTOSO",
    "SITI AMINAH",
    "SUPARMI",
    "I WAYAN SUDARMA",
    "MUHAMMAD RIDWAN",
    "NUR HAYATI",
    "HOTMAN SIREGAR",
    "LIEM SWIE KING",
    "DJOKO SOEPRIYADI",
    "DEWI LESTARI",
)


@dataclass
class Person:
    nik: str
    name: str
    birth_date: dt.date
    gender: str
    kelurahan: str
    tps: int


@dataclass
class DatasetFiles:
    voters: Path
    tps: Path
    people: list[Person] = field(default_factory=list)


def make_nik(kecamatan: str, birth_date: dt.date, gender: str, serial: int) -> str:
    day = birth_date.day + (40 if gender == "P" else 0)
    return (
        f"{kecamatan.replace('.', '')}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"
    )


def people(count: int, *, serial_base: int = 1, name_suffix: str = "") -> list[Person]:
    result = []
    for index in range(count):
        kelurahan = KELURAHAN[index % len(KELURAHAN)]
        gender = "P" if index % 2 else "L"
        born = dt.date(1950, 1, 1) + dt.timedelta(days=(index * 97) % 18_000)
        result.append(
            Person(
                nik=make_nik(kelurahan[:8], born, gender, serial_base + index),
                name=(NAMES[index % len(NAMES)] + name_suffix).strip(),
                birth_date=born,
                gender=gender,
                kelurahan=kelurahan,
                tps=1 + index % 3,
            )
        )
    return result


def voter_row(person: Person) -> list[str]:
    return [
        person.nik,
        "",
        person.name,
        "METRO",
        person.birth_date.strftime("%d-%m-%Y"),
        person.gender,
        "JL. MERDEKA NO. 1",
        "001",
        "002",
        person.kelurahan,
        str(person.tps),
        "",
        "",
    ]


def write_tps(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(TPS_COLUMNS)
        for kelurahan in KELURAHAN:
            for number in (1, 2, 3):
                kind = "khusus" if (kelurahan, number) == (KELURAHAN[2], 3) else "reguler"
                writer.writerow(
                    [
                        kelurahan,
                        number,
                        f"Balai Warga {number}, Kelurahan {kelurahan}",
                        f"{-5.11 - number / 1000:.6f}",
                        f"{105.30 + number / 1000:.6f}",
                        kind,
                    ]
                )


def write_voters(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(VOTER_COLUMNS)
        writer.writerows(rows)


def write_small_dataset(folder: Path, count: int = 120, *, name_suffix: str = "") -> DatasetFiles:
    folder.mkdir(parents=True, exist_ok=True)
    files = DatasetFiles(folder / "dpt.csv", folder / "tps.csv", people(count, name_suffix=name_suffix))
    write_tps(files.tps)
    write_voters(files.voters, [voter_row(person) for person in files.people])
    return files


async def make_token(conn: asyncpg.Connection, role: str, scope: str | None, name: str = "test") -> str:
    token = f"dpt_{role}_{name}_0123456789abcdef"
    await conn.execute(
        "insert into api_token (name, role, scope, token_hash) values ($1, $2, $3, $4)",
        name, role, scope, token_hash(token),
    )  # fmt: skip
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def absent_niks(count: int) -> list[str]:
    """Well-formed NIKs that are not on the test DPT (serials far above the factory's)."""
    return [make_nik("18.72.04", dt.date(1985, 3, 9), "P", 9000 + index) for index in range(count)]
