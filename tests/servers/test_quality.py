"""The data-quality report: every kind of problem planted in known rows of a DPT, counted exactly and
listed by line; duplicate persons with spelling variants found with measured recall and precision;
never a NIK in the report."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import random
import re
from pathlib import Path

import asyncpg

from service.importer import import_dataset
from service.nik.parse import NikHasher
from service.quality.findings import KINDS
from service.quality.report import married_by_note, write_report
from service.synth import write_synthetic_dpt
from tests.support.factories import KELURAHAN, Person, make_nik, people, voter_row, write_tps, write_voters

POLLING_DAY = dt.date(2024, 11, 27)
SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")


def _rows_of(folder: Path, kind: str) -> list[dict[str, str]]:
    with (folder / f"{kind}.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def _planted_dpt(folder: Path) -> tuple[dict[str, int], dict[str, set[int]]]:
    """A DPT with each problem planted in known lines: (exact count, lines) per finding kind."""
    folder.mkdir(parents=True, exist_ok=True)
    write_tps(folder / "tps.csv")
    with (folder / "tps.csv").open("a", encoding="utf-8", newline="") as stream:
        # Two TPS nobody votes at (tps_empty), on lines 14 and 15 of tps.csv.
        csv.writer(stream).writerows([[KELURAHAN[0], 7, "Balai Kosong", "", "", "reguler"]] * 1)
        csv.writer(stream).writerows([[KELURAHAN[1], 8, "Balai Sepi", "", "", "reguler"]])
    crowd = people(120)  # 10 per TPS, birth dates all different
    rows = [voter_row(person) for person in crowd]
    lines: dict[str, set[int]] = {kind: set() for kind in KINDS}

    def add(row: list[str], kind: str | None = None) -> int:
        rows.append(row)
        line = len(rows) + 1  # the header is line 1
        if kind:
            lines[kind].add(line)
        return line

    serial = 5000
    # The same NIK again under the same name, spelled differently (2), and under other names (3).
    for person, name in ((crowd[8], "JOKO SUPRIYADI"), (crowd[0], "BUDI SANTOSO")):
        add([*voter_row(person)[:2], name, *voter_row(person)[3:]], "nik_duplicate_same_name")
    for person in crowd[20:23]:
        add([*voter_row(person)[:2], "RAHMAT HIDAYAT", *voter_row(person)[3:]], "nik_duplicate_other_name")
    # One person under two NIKs: same birth date and kab/kota, spelling variants (2 pairs).
    for person, variant in ((crowd[18], "JOKO SUPRIJADI"), (crowd[15], "NURHAYATI")):
        serial += 1
        twin = dataclasses.replace(
            person, nik=make_nik(person.kelurahan[:8], person.birth_date, person.gender, serial),
            name=variant,
        )  # fmt: skip
        lines["suspected_duplicate_person"].add(add(voter_row(twin)))
        lines["suspected_duplicate_person"].add(crowd.index(person) + 2)
    # Under 17 on polling day (4), and one who is married (not counted: UU 7/2017 allows them).
    for index, born in enumerate(
        (dt.date(2008, 1, 5), dt.date(2009, 6, 1), dt.date(2007, 11, 28), dt.date(2010, 2, 2))
    ):
        serial += 1
        young = Person(
            make_nik("18.72.02", born, "L", serial), f"ANAK MUDA {'ABCD'[index]}", born, "L", KELURAHAN[2], 2
        )
        add(voter_row(young), "under_age")
    serial += 1
    wed = dt.date(2008, 3, 3)
    married = voter_row(
        Person(make_nik("18.72.02", wed, "P", serial), "SITI MUDA", wed, "P", KELURAHAN[2], 3)
    )
    married[12] = "sudah kawin"
    add(married)
    # Exactly 17 on polling day: eligible, not counted.
    serial += 1
    add(
        voter_row(
            Person(
                make_nik("18.72.02", dt.date(2007, 11, 27), "L", serial),
                "TEPAT UMUR",
                dt.date(2007, 11, 27),
                "L",
                KELURAHAN[2],
                3,
            )
        )
    )
    # The NIK's date disagrees with the birth-date column (5), its gender with the gender column (2).
    for offset in range(5):
        serial += 1
        born = dt.date(1970, 4, 10 + offset)
        row = voter_row(
            Person(
                make_nik("18.72.03", born, "L", serial),
                f"SALAH TANGGAL {'ABCDE'[offset]}",
                born,
                "L",
                KELURAHAN[3],
                3,
            )
        )
        row[4] = (born + dt.timedelta(days=3)).strftime("%d-%m-%Y")
        add(row, "nik_birth_date_mismatch")
    for offset in range(2):
        serial += 1
        born = dt.date(1980, 8, 1 + offset)
        row = voter_row(
            Person(
                make_nik("18.72.03", born, "P", serial),
                f"SALAH KELAMIN {'AB'[offset]}",
                born,
                "L",
                KELURAHAN[3],
                2,
            )
        )
        add(row, "nik_gender_mismatch")
    # Voters pointing at TPS 9, which tps.csv lacks (3).
    for offset in range(3):
        serial += 1
        born = dt.date(1966, 1, 1 + offset)
        add(
            voter_row(
                Person(
                    make_nik("18.72.01", born, "L", serial),
                    f"TANPA TPS {'ABC'[offset]}",
                    born,
                    "L",
                    KELURAHAN[0],
                    9,
                )
            ),
            "tps_missing",
        )
    # One TPS over the limit of 15 set below: 10 + 6 voters at KELURAHAN[1] TPS 1.
    for offset in range(6):
        serial += 1
        born = dt.date(1975, 5, 1 + offset)
        add(
            voter_row(
                Person(
                    make_nik("18.72.01", born, "P", serial),
                    f"PENUH SESAK {'ABCDEF'[offset]}",
                    born,
                    "P",
                    KELURAHAN[1],
                    1,
                )
            )
        )
    write_voters(folder / "dpt.csv", rows)
    counts = {kind: len(found) for kind, found in lines.items()}
    counts["suspected_duplicate_person"] = 2  # pairs
    counts["tps_empty"] = 2
    counts["tps_overfull"] = 1
    return counts, lines


async def test_every_planted_problem_is_counted_exactly_and_listed_by_line(
    conn: asyncpg.Connection, tmp_path: Path, hasher: NikHasher
) -> None:
    expected, lines = _planted_dpt(tmp_path / "dpt")
    report = tmp_path / "report"
    summary = await import_dataset(
        conn, voters_path=tmp_path / "dpt" / "dpt.csv", tps_path=tmp_path / "dpt" / "tps.csv", hasher=hasher,
        election="Pilkada Test 2024", polling_date=POLLING_DAY, version="q1", report_dir=report,
        tps_max_voters=15,
    )  # fmt: skip
    assert summary.quality == expected
    assert json.loads((report / "summary.json").read_text()) == expected
    by_line = ("nik_duplicate_same_name", "nik_duplicate_other_name", "under_age", "nik_birth_date_mismatch",
               "nik_gender_mismatch", "tps_missing")  # fmt: skip
    for kind in by_line:
        assert {int(row["line"]) for row in _rows_of(report, kind)} == lines[kind], kind
    pairs = {
        (int(row["line"]), int(row["other_line"])) for row in _rows_of(report, "suspected_duplicate_person")
    }
    assert {line for pair in pairs for line in pair} == lines["suspected_duplicate_person"]
    same = _rows_of(report, "nik_duplicate_same_name")
    assert {row["first_line"] for row in same} == {"10", "2"}  # crowd[8] and crowd[0]
    assert all(float(row["score"]) >= 85 for row in same)
    assert all(float(row["score"]) < 85 for row in _rows_of(report, "nik_duplicate_other_name"))
    assert {row["age_on_polling_day"] for row in _rows_of(report, "under_age")} == {"16", "15", "14"}
    assert [(row["tps_line"], row["kelurahan"], row["tps"]) for row in _rows_of(report, "tps_empty")] == [
        ("14", KELURAHAN[0], "7"),
        ("15", KELURAHAN[1], "8"),
    ]
    assert [(row["kelurahan"], row["voters"]) for row in _rows_of(report, "tps_overfull")] == [
        (KELURAHAN[1], "16")
    ]
    # Masked names and lines only: no NIK, no full name anywhere in the report.
    text = "".join(path.read_text() for path in report.iterdir())
    assert not SIXTEEN_DIGITS.search(text)
    assert "RAHMAT HIDAYAT" not in text and "R****T H*****T" in text
    # The same report again, from the stored dataset (`dpt quality`), says the same.
    again = await write_report(conn, version="q1", folder=tmp_path / "again", tps_max_voters=15)
    assert again.counts == expected
    stored = await conn.fetchval("select quality from dataset where version = 'q1'")
    assert json.loads(stored) == expected


def test_a_note_saying_married_lifts_the_age_rule_and_one_saying_not_yet_does_not() -> None:
    assert (
        married_by_note("sudah kawin") and married_by_note("Cerai mati") and married_by_note("menikah 2023")
    )
    assert not married_by_note("belum kawin") and not married_by_note("") and not married_by_note(None)
    assert not married_by_note("pindahan dari Kalianda")


# Spelling variants as DPT clerks produce them (docs: old spellings, abbreviations, titles,
# doubled or dropped letters, merged words, one typo).
_SPELLINGS = (("U", "OE"), ("J", "DJ"), ("C", "TJ"), ("Y", "J"), ("SY", "SJ"), ("NY", "NJ"), ("KH", "CH"))


def _variant(name: str, rng: random.Random) -> str:
    words = name.split()
    for _ in range(rng.choice((1, 1, 2))):
        move = rng.randrange(7)
        i = rng.randrange(len(words))
        word = words[i]
        if move == 0:
            pairs = [(new, old) for new, old in _SPELLINGS if new in word]
            if pairs:
                new, old = rng.choice(pairs)
                words[i] = word.replace(new, old, 1)
        elif move == 1 and word in ("MUHAMMAD", "MUHAMAD", "MOHAMMAD"):
            words[i] = rng.choice(("MOCH.", "M.", "MUH.", "MOH."))
        elif move == 2:
            words.insert(0, rng.choice(("H.", "HJ.", "DRS.")))
        elif move == 3 and len(word) > 4:
            j = rng.randrange(1, len(word) - 1)
            words[i] = word[:j] + word[j] + word[j:]  # a doubled letter
        elif move == 4 and len(words) > 1 and i + 1 < len(words):
            words[i : i + 2] = [words[i] + words[i + 1]]  # merged words
        elif move == 5 and len(word) > 5:
            j = rng.randrange(1, len(word) - 1)
            words[i] = word[:j] + rng.choice("AEIOU") + word[j + 1 :]  # one typo
        else:
            words.append(rng.choice(("S.PD.", "S.H.", "A.MD.")))
    return " ".join(words)


async def test_duplicate_persons_with_spelling_variants_are_found_with_recall_and_precision(
    conn: asyncpg.Connection, tmp_path: Path, hasher: NikHasher
) -> None:
    """20,000 synthetic voters (many share a birth date in one kab/kota: hard negatives) and 200
    planted second registrations of one person under a new NIK with a variant of the name."""
    written = write_synthetic_dpt(tmp_path / "synth", voters=20_000, seed=16)
    with written.dpt_path.open(encoding="utf-8", newline="") as stream:
        header, *rows = list(csv.reader(stream))
    rng = random.Random(16)
    chosen = rng.sample(range(len(rows)), 200)
    planted: set[frozenset[int]] = set()
    taken = {row[0] for row in rows}
    for index in chosen:
        twin = list(rows[index])
        serial = 9999
        while twin[0][:12] + f"{serial:04d}" in taken:
            serial -= 1
        twin[0] = twin[0][:12] + f"{serial:04d}"
        taken.add(twin[0])
        twin[2] = _variant(twin[2], rng)
        rows.append(twin)
        planted.add(frozenset((index + 2, len(rows) + 1)))
    with written.dpt_path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    report = tmp_path / "report"
    await import_dataset(
        conn, voters_path=written.dpt_path, tps_path=written.tps_path, hasher=hasher, election="Pilkada",
        polling_date=POLLING_DAY, version="dup", report_dir=report,
    )  # fmt: skip
    found = {
        frozenset((int(row["line"]), int(row["other_line"])))
        for row in _rows_of(report, "suspected_duplicate_person")
    }
    recall = len(found & planted) / len(planted)
    precision = len(found & planted) / len(found)
    print(f"duplicate persons: recall {recall:.3f}, precision {precision:.3f}, found {len(found)}")
    assert recall >= 0.95, sorted(set(map(tuple, planted - found)))[:10]
    assert precision >= 0.9
    # The blocks are matched in worker processes, many tasks of them here: one process or three,
    # the pairs and their order come out the same as the import's.
    listed = (report / "suspected_duplicate_person.csv").read_text()
    for workers in (1, 3):
        again = await write_report(
            conn, version="dup", folder=tmp_path / f"workers{workers}", tps_max_voters=600, workers=workers
        )
        assert (again.folder / "suspected_duplicate_person.csv").read_text() == listed
