"""`dpt import`: bad rows are reported and good ones load; publishing is atomic and reversible."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
from pathlib import Path

import asyncpg
import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.importer import ImportFailed, import_dataset, publish_dataset, reading
from service.importer.columns import VOTER_COLUMNS
from service.nik.parse import NikHasher
from tests.support.factories import (
    DatasetFiles,
    people,
    voter_row,
    write_small_dataset,
    write_tps,
    write_voters,
)
from tests.support.serving import eventually


def read_rejects(path: str) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


@pytest.mark.parametrize("lanes", [False, True], ids=["one-connection", "two-index-lanes"])
async def test_bad_rows_are_rejected_with_row_and_reason_and_good_rows_load(
    conn: asyncpg.Connection, database_url: str, tmp_path: Path, hasher: NikHasher, lanes: bool
) -> None:
    """With two index lanes the repeated NIK is found while the GIN index is being built."""
    good = people(50)
    rows = [voter_row(person) for person in good]
    bad = {
        # row number in the file (header is row 1) -> reason
        "nik_length": [*voter_row(good[0])[:0], "18720154075300", *voter_row(good[0])[1:]],
        "nik_pattern": ["2222222222222222", *voter_row(good[1])[1:]],
        "nik_region": ["9999015407530001", *voter_row(good[1])[1:]],
        "nik_birth_date": ["1872013202900001", *voter_row(good[1])[1:]],
        "nik_serial": ["1872015407530000", *voter_row(good[1])[1:]],
        "name_missing": [*voter_row(people(1, serial_base=901)[0])[:2], "  ", *voter_row(good[1])[3:]],
        "birth_date_invalid": [
            *voter_row(people(1, serial_base=902)[0])[:4],
            "31-02-1990",
            *voter_row(good[1])[5:],
        ],
        "gender_invalid": [*voter_row(people(1, serial_base=903)[0])[:5], "X", *voter_row(good[1])[6:]],
        "kelurahan_unknown": [*voter_row(people(1, serial_base=904)[0])[:9], "18.72.09.9999", "1", "", ""],
        "tps_unknown": [*voter_row(people(1, serial_base=905)[0])[:9], "18.72.01.1001", "77", "", ""],
        "tps_invalid": [*voter_row(people(1, serial_base=906)[0])[:9], "18.72.01.1001", "satu", "", ""],
        "nik_duplicate": voter_row(good[7]),
        "wrong_column_count": ["1872015407530001", "x"],
        "encoding_invalid": [
            *voter_row(people(1, serial_base=907)[0])[:6],
            "JL. \0 NUL",  # PostgreSQL text cannot hold it
            *voter_row(good[1])[7:],
        ],
    }
    expected_rows: dict[int, str] = {}
    for row in bad.values():
        rows.insert(10, row)
    # Work out each bad row's final position (inserted at index 10, so they are in reverse order).
    for offset, reason in enumerate(reversed(list(bad))):
        expected_rows[2 + 10 + offset] = reason
    folder = tmp_path / "mixed"
    folder.mkdir()
    write_tps(folder / "tps.csv")
    write_voters(folder / "dpt.csv", rows)

    summary = await import_dataset(
        conn,
        voters_path=folder / "dpt.csv",
        tps_path=folder / "tps.csv",
        hasher=hasher,
        version="mixed",
        connect=(lambda: asyncpg.connect(database_url)) if lanes else None,
    )
    assert summary.rows_read == len(rows)
    assert summary.rows_loaded == len(good)
    assert summary.rejected == dict.fromkeys(bad, 1)
    rejects = read_rejects(summary.rejects_path)
    assert {int(r["row"]): r["reason"] for r in rejects} == expected_rows
    assert all(r["file"] == "dpt.csv" for r in rejects)
    # The rejects file names rows and reasons, never a NIK.
    text = Path(summary.rejects_path).read_text()
    assert not any(person.nik in text for person in good)
    assert await conn.fetchval("select count(*) from voter") == len(good)
    assert await conn.fetchval("select count(*) from voter where nik_hash = $1", hasher(good[7].nik)) == 1


async def test_rows_accept_iso_dates_and_undotted_kelurahan_codes(
    conn: asyncpg.Connection, tmp_path: Path, hasher: NikHasher
) -> None:
    person = people(1)[0]
    row = voter_row(person)
    row[4] = person.birth_date.isoformat()
    row[9] = person.kelurahan.replace(".", "")
    folder = tmp_path / "variants"
    folder.mkdir()
    write_tps(folder / "tps.csv")
    write_voters(folder / "dpt.csv", [row])
    summary = await import_dataset(
        conn, voters_path=folder / "dpt.csv", tps_path=folder / "tps.csv", hasher=hasher
    )
    assert summary.rows_loaded == 1 and summary.rejected == {}
    stored = await conn.fetchrow("select birth_date, kelurahan_code from voter")
    assert stored["birth_date"] == person.birth_date
    assert stored["kelurahan_code"] == person.kelurahan


async def test_bad_tps_rows_are_reported_too(
    conn: asyncpg.Connection, tmp_path: Path, hasher: NikHasher
) -> None:
    files = write_small_dataset(tmp_path / "tps")
    with files.tps.open("a", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["18.72.01.1001", "1", "again", "-5.1", "105.3", "reguler"])
        writer.writerow(["18.72.01.1001", "9", "Somewhere", "-95", "105.3", "reguler"])
        writer.writerow(["18.72.01.1001", "8", "Somewhere", "-5.1", "105.3", "mobile"])
    summary = await import_dataset(conn, voters_path=files.voters, tps_path=files.tps, hasher=hasher)
    assert summary.tps_rejected == {"tps_duplicate": 1, "coordinate_invalid": 1, "tps_kind_invalid": 1}
    assert summary.rows_loaded == len(files.people)


async def test_missing_column_or_file_fails_clearly_and_publishes_nothing(
    conn: asyncpg.Connection, tmp_path: Path, hasher: NikHasher
) -> None:
    files = write_small_dataset(tmp_path / "cols")
    lines = files.voters.read_text().splitlines()
    files.voters.write_text("\n".join([lines[0].replace("nama,", "name,"), *lines[1:]]) + "\n")
    with pytest.raises(ImportFailed, match="nama"):
        await import_dataset(conn, voters_path=files.voters, tps_path=files.tps, hasher=hasher)
    with pytest.raises(ImportFailed, match="not found"):
        await import_dataset(conn, voters_path=tmp_path / "nope.csv", tps_path=files.tps, hasher=hasher)
    assert await conn.fetchval("select count(*) from published_dataset") == 0
    assert await conn.fetchval("select count(*) from dataset") == 0


async def test_a_file_with_only_bad_rows_publishes_nothing(
    conn: asyncpg.Connection, tmp_path: Path, hasher: NikHasher
) -> None:
    folder = tmp_path / "allbad"
    folder.mkdir()
    write_tps(folder / "tps.csv")
    write_voters(folder / "dpt.csv", [["123", *voter_row(people(1)[0])[1:]]])
    with pytest.raises(ImportFailed, match="no valid voter rows"):
        await import_dataset(conn, voters_path=folder / "dpt.csv", tps_path=folder / "tps.csv", hasher=hasher)
    assert await conn.fetchval("select count(*) from dataset") == 0
    assert await conn.fetchval("select count(*) from pg_tables where tablename like 'voter_%'") == 0


async def test_publish_keeps_one_previous_version_for_rollback(
    conn: asyncpg.Connection, tmp_path: Path, hasher: NikHasher
) -> None:
    ids = []
    for number in range(3):
        files = write_small_dataset(tmp_path / f"v{number}", count=10 + number)
        summary = await import_dataset(
            conn, voters_path=files.voters, tps_path=files.tps, hasher=hasher, version=f"v{number}"
        )
        ids.append(summary.dataset_id)
    statuses = dict(await conn.fetch("select version, status from dataset"))
    assert statuses == {"v1": "retired", "v2": "published"}
    assert await conn.fetchval("select count(*) from voter") == 11 + 12
    await publish_dataset(conn, ids[1])
    assert await conn.fetchval("select dataset_id from published_dataset") == ids[1]
    statuses = dict(await conn.fetch("select version, status from dataset"))
    assert statuses == {"v1": "published", "v2": "retired"}


async def test_lookups_during_a_reimport_never_fail_or_mix_versions(
    database_url: str, tmp_path: Path, hasher: NikHasher
) -> None:
    """Readers hammer the published version while a second import loads and publishes."""
    first = write_small_dataset(tmp_path / "first", count=400, name_suffix=" SATU")
    second = write_small_dataset(tmp_path / "second", count=400, name_suffix=" DUA")
    pool = await asyncpg.create_pool(database_url, min_size=4, max_size=6)
    try:
        async with pool.acquire() as conn:
            await import_dataset(
                conn, voters_path=first.voters, tps_path=first.tps, hasher=hasher, version="one"
            )
        seen: set[tuple[str, str]] = set()
        stop = asyncio.Event()
        hashes = [hasher(person.nik) for person in first.people]

        readings_of_two = [0]

        async def reader() -> None:
            index = 0
            saw_two = False
            while not stop.is_set():
                async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
                    version, dataset_id = await conn.fetchrow(
                        "select d.version, d.id from published_dataset p"
                        " join dataset d on d.id = p.dataset_id"
                    )
                    name = await conn.fetchval(
                        "select name from voter where dataset_id = $1 and nik_hash = $2",
                        dataset_id,
                        hashes[index % len(hashes)],
                    )
                assert name is not None, "a published version answered without the voter"
                seen.add((version, name.rsplit(" ", 1)[-1]))
                if version == "two" and not saw_two:
                    saw_two = True
                    readings_of_two[0] += 1
                index += 1

        readers = [asyncio.create_task(reader()) for _ in range(3)]
        async with pool.acquire() as conn:
            await import_dataset(
                conn, voters_path=second.voters, tps_path=second.tps, hasher=hasher, version="two"
            )
        # Readers keep going until every one of them has read the new version at least once.
        await eventually(lambda: readings_of_two[0] >= len(readers), "every reader saw version two")
        stop.set()
        await asyncio.gather(*readers)
    finally:
        await pool.close()
    assert seen == {("one", "SATU"), ("two", "DUA")}


async def test_import_reports_progress(conn: asyncpg.Connection, tmp_path: Path, hasher: NikHasher) -> None:
    files: DatasetFiles = write_small_dataset(tmp_path / "progress", count=30)
    lines: list[str] = []
    await import_dataset(
        conn,
        voters_path=files.voters,
        tps_path=files.tps,
        hasher=hasher,
        progress=lines.append,
        polling_date=dt.date(2029, 4, 17),
        election="Pemilu 2029",
    )
    assert any("tps.csv" in line for line in lines)
    assert any("published dataset" in line for line in lines)
    assert await conn.fetchval("select polling_date from dataset") == dt.date(2029, 4, 17)


async def test_awkward_but_valid_text_survives_copy_and_odd_rows_are_refused(
    conn: asyncpg.Connection, tmp_path: Path, hasher: NikHasher
) -> None:
    """CRLF line ends, quoted commas and line breaks, backslashes and tabs in text, a BOM."""
    crowd = people(5)
    rows = [voter_row(person) for person in crowd]
    rows[0][6] = "JL. MERDEKA\\NO. 1\tBLOK C"  # backslash and tab inside the address
    rows[1][2] = "SITI AMINAH, S.PD."  # a comma: the field is quoted
    rows[2][6] = "DUSUN II\nRT 001"  # a line break inside a quoted field
    rows[3][4] = "01-01-1850"  # not a plausible voter's birth date
    rows[4][6] = '"' + "A" * 200_000  # quoted and over the csv module's field size limit
    folder = tmp_path / "awkward"
    folder.mkdir()
    write_tps(folder / "tps.csv")
    text = ",".join(VOTER_COLUMNS) + "\r\n"
    for row in rows:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow(row)
        text += buffer.getvalue()
    (folder / "dpt.csv").write_bytes(b"\xef\xbb\xbf" + text.encode())

    summary = await import_dataset(
        conn, voters_path=folder / "dpt.csv", tps_path=folder / "tps.csv", hasher=hasher
    )
    assert summary.rejected == {"birth_date_invalid": 1, "csv_invalid": 1}
    # Line 6 is row 4, after a row of two lines.
    assert [int(r["row"]) for r in read_rejects(summary.rejects_path)] == [6, 7]
    stored = dict(await conn.fetch("select nik_hash, address from voter"))
    assert stored[hasher(crowd[0].nik)] == "JL. MERDEKA\\NO. 1\tBLOK C"
    assert stored[hasher(crowd[2].nik)] == "DUSUN IIRT 001"  # the break inside the field is dropped
    name = await conn.fetchval("select name from voter where nik_hash = $1", hasher(crowd[1].nik))
    assert name == "SITI AMINAH, S.PD."


@given(
    st.lists(st.lists(st.text(alphabet='ab ,"\n\\\tX', max_size=6), min_size=1, max_size=5), max_size=8),
    st.sampled_from(["\n", "\r\n"]),
)
def test_records_are_read_as_the_csv_module_reads_them(rows: list[list[str]], ending: str) -> None:
    """Lines without quotes take a shortcut; it must give what csv.reader gives."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=ending).writerows(rows)
    lines = buffer.getvalue().split("\n")
    expected = list(csv.reader(lines))
    got = [fields for _, fields in reading.records(lines)]
    assert got == expected


def test_chunks_end_only_between_records() -> None:
    data = b'a,b\n"x\ny",z\nc,d\n'
    assert reading._record_boundary(data[:8]) == 4  # the newline inside quotes is not a boundary
    assert reading._record_boundary(data) == len(data)
    chunks = list(reading.chunks(io.BytesIO(data * 200_000), first_line=2))
    assert b"".join(chunk for chunk, _ in chunks) == data * 200_000
    assert len(chunks) > 1
    assert all(chunk.count(b'"') % 2 == 0 for chunk, _ in chunks)
    assert [line for _, line in chunks][1] == 2 + chunks[0][0].count(b"\n")


async def test_the_gin_index_is_built_alongside_on_a_second_connection(
    conn: asyncpg.Connection, database_url: str, small_dataset: DatasetFiles, hasher: NikHasher
) -> None:
    opened: list[asyncpg.Connection] = []

    async def connect() -> asyncpg.Connection:
        opened.append(await asyncpg.connect(database_url))
        return opened[-1]

    summary = await import_dataset(
        conn, voters_path=small_dataset.voters, tps_path=small_dataset.tps, hasher=hasher, connect=connect
    )
    indexes = {
        row["indexname"]
        for row in await conn.fetch(
            "select indexname from pg_indexes where tablename = $1", f"voter_{summary.dataset_id}"
        )
    }
    suffixes = {name.rsplit("_", 1)[-1] for name in indexes}
    assert suffixes == {"nik", "born", "kel", "keys"}
    assert len(opened) == 1 and opened[0].is_closed()
