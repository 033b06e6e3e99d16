"""`dpt import`: bad rows are reported and good ones load; publishing is atomic and reversible."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.importer import (
    ImportFailed,
    UnusableArgument,
    columns,
    import_dataset,
    publish_dataset,
    reading,
    rejects,
)
from service.importer.columns import TPS_COLUMNS, VOTER_COLUMNS
from service.importer.parsing import parse_chunk
from service.importer.rejects import RowRejected
from service.importer.validation import ParseContext, VoterValidator
from service.nik.parse import NikHasher
from service.store.queries import QUERIES
from tests.support.factories import (
    KELURAHAN,
    NAMES,
    DatasetFiles,
    Person,
    make_nik,
    people,
    voter_row,
    write_small_dataset,
    write_tps,
    write_voters,
)
from tests.support.serving import TEST_NIK_KEY, eventually


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
    assert {int(r["line"]): r["reason"] for r in rejects} == expected_rows
    assert all(r["file"] == "dpt.csv" for r in rejects)
    columns = {r["reason"]: r["column"] for r in rejects}
    assert columns["nik_length"] == columns["nik_duplicate"] == "nik"
    assert columns["birth_date_invalid"] == "tanggal_lahir" and columns["tps_unknown"] == "tps"
    assert columns["encoding_invalid"] == "alamat" and columns["wrong_column_count"] == ""
    # The rejects file names lines, columns and reasons, never a NIK.
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


async def test_words_are_counted_as_written_beside_their_folded_form(
    conn: asyncpg.Connection, tmp_path: Path, hasher: NikHasher
) -> None:
    """The search tells a slip from another person's name by the spellings voters carry: each
    voter's words as written (titles dropped, abbreviations expanded) are counted once."""
    names = ["H. MOCH. PRASETYO", "AGUS PRASETYO, S.PD.", "AGUS PRASETIO", "SITI ZAENAB ZAENAB", "M. RIDWAN"]
    rows = []
    for person, name in zip(people(len(names)), names, strict=True):
        rows.append(voter_row(replace(person, name=name)))
    folder = tmp_path / "spellings"
    folder.mkdir()
    write_tps(folder / "tps.csv")
    write_voters(folder / "dpt.csv", rows)
    summary = await import_dataset(
        conn, voters_path=folder / "dpt.csv", tps_path=folder / "tps.csv", hasher=hasher
    )
    assert summary.rows_loaded == len(names)
    stored = dict(
        await conn.fetch(
            "select spelling, voters from name_spelling_count where dataset_id = $1", summary.dataset_id
        )
    )
    assert stored == {
        "muhammad": 2, "prasetyo": 2, "agus": 2, "prasetio": 1, "siti": 1, "zaenab": 1, "ridwan": 1,
    }  # fmt: skip
    folded = dict(
        await conn.fetch(
            "select token, voters from name_token_count where dataset_id = $1", summary.dataset_id
        )
    )
    assert folded["prasetio"] == 1 and folded["yenap"] == 1 and "zaenab" not in folded


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


async def test_a_batch_of_nik_lookups_reads_the_voters_once_after_an_import(
    conn: asyncpg.Connection, tmp_path: Path, hasher: NikHasher
) -> None:
    # Without statistics for the TPS and region tables, the planner took a dataset's TPS for two
    # rows and answered a batch of NIKs by reading the voters of each TPS's kelurahan in turn.
    # (The lookup's function runs this query; planned here for the batch's own values.)
    files = write_small_dataset(tmp_path / "dataset", count=6000)
    summary = await import_dataset(conn, voters_path=files.voters, tps_path=files.tps, hasher=hasher)
    hashes = [hasher(person.nik) for person in files.people[::90]]
    plan = json.loads(
        await conn.fetchval(
            "explain (analyze, format json) "
            "select * from voter_answer where dataset_id = $1 and nik_hash = any($2)",
            summary.dataset_id,
            hashes,
        )
    )

    def nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
        yield node
        for child in node.get("Plans", []):
            yield from nodes(child)

    voter_scans = [
        node for node in nodes(plan[0]["Plan"]) if node.get("Relation Name", "").startswith("voter_")
    ]
    assert voter_scans
    assert [node["Actual Loops"] for node in voter_scans] == [1] * len(voter_scans)


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
    """CRLF line ends, quoted commas, backslashes and tabs in text, a BOM; a quoted line break is
    refused (a record is one physical line), and so is a field too long for any column."""
    crowd = people(5)
    rows = [voter_row(person) for person in crowd]
    rows[0][6] = "JL. MERDEKA\\NO. 1\tBLOK C"  # backslash and tab inside the address
    rows[1][2] = "SITI AMINAH, S.PD."  # a comma: the field is quoted
    rows[2][6] = "DUSUN II\nRT 001"  # a line break inside a quoted field: two broken lines
    rows[3][4] = "01-01-1850"  # not a plausible voter's birth date
    rows[4][6] = '"' + "A" * 200_000  # quoted and over any line's length
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
    assert summary.rejected == {
        "csv_invalid": 1,
        "wrong_column_count": 1,
        "birth_date_invalid": 1,
        "line_too_long": 1,
    }
    assert summary.rows_read == 6 and summary.rows_loaded == 2
    assert [(int(r["line"]), r["reason"]) for r in read_rejects(summary.rejects_path)] == [
        (4, "csv_invalid"),
        (5, "wrong_column_count"),
        (6, "birth_date_invalid"),
        (7, "line_too_long"),
    ]
    stored = dict(await conn.fetch("select nik_hash, address from voter"))
    assert stored[hasher(crowd[0].nik)] == "JL. MERDEKA\\NO. 1\tBLOK C"
    assert hasher(crowd[2].nik) not in stored  # never glued into "DUSUN IIRT 001"
    name = await conn.fetchval("select name from voter where nik_hash = $1", hasher(crowd[1].nik))
    assert name == "SITI AMINAH, S.PD."


def many_people(count: int) -> list[Person]:
    """`count` voters with distinct valid NIKs (the factory's serials stop at 9,999)."""
    result = []
    for index in range(count):
        kelurahan = KELURAHAN[index % len(KELURAHAN)]
        gender = "P" if index % 2 else "L"
        born = dt.date(1950, 1, 1) + dt.timedelta(days=index % 18_000)
        nik = make_nik(kelurahan[:8], born, gender, 1 + index // 18_000)
        result.append(Person(nik, NAMES[index % len(NAMES)], born, gender, kelurahan, 1 + index % 3))
    return result


def csv_line(fields: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(fields)
    return buffer.getvalue()


def write_lines(path: Path, lines: list[str], header: tuple[str, ...] = VOTER_COLUMNS) -> None:
    """A file of exactly these physical lines (after the header), written as they are."""
    path.write_bytes("\n".join([",".join(header), *lines, ""]).encode())


async def test_an_unclosed_quote_rejects_only_its_own_line_and_the_voters_after_it_load(
    conn: asyncpg.Connection, tmp_path: Path, hasher: NikHasher
) -> None:
    """csv.reader used to swallow the lines after an unclosed quote until the next quote."""
    crowd = many_people(20_000)
    lines = [csv_line(voter_row(person)) for person in crowd]
    broken = voter_row(crowd[500])  # file line 502
    lines[500] = ",".join(broken[:6]) + ',"JL. KENANGA NO. 1,' + ",".join(broken[7:])
    quoted = voter_row(crowd[509])
    quoted[2] = "SITI AMINAH, S.PD."  # the next quote in the file, eight lines further on
    lines[509] = csv_line(quoted)
    folder = tmp_path / "unclosed"
    folder.mkdir()
    write_tps(folder / "tps.csv")
    write_lines(folder / "dpt.csv", lines)
    assert (folder / "dpt.csv").stat().st_size > 3 * reading.CHUNK_BYTES  # parsed in parallel

    summary = await import_dataset(
        conn, voters_path=folder / "dpt.csv", tps_path=folder / "tps.csv", hasher=hasher, workers=2
    )
    assert summary.rows_read == 20_000
    assert summary.rejected == {"csv_invalid": 1}
    assert summary.rows_loaded == 19_999
    rejects = read_rejects(summary.rejects_path)
    assert [(r["line"], r["column"], r["reason"]) for r in rejects] == [("502", "", "csv_invalid")]
    following = [hasher(person.nik) for person in crowd[501:510]]
    assert await conn.fetchval("select count(*) from voter where nik_hash = any($1)", following) == 9
    assert (
        await conn.fetchval("select source_row from voter where nik_hash = $1", hasher(crowd[509].nik)) == 511
    )


async def test_a_line_break_inside_a_quoted_name_is_refused_not_glued(
    conn: asyncpg.Connection, tmp_path: Path, hasher: NikHasher
) -> None:
    crowd = people(4)
    rows = [voter_row(person) for person in crowd]
    rows[1][2] = "BUDI\nSANTOSO"
    rows[2][12] = "PINDAH\r\nDOMISILI"  # keterangan, the last column, with a CRLF inside
    folder = tmp_path / "broken-name"
    folder.mkdir()
    write_tps(folder / "tps.csv")
    write_voters(folder / "dpt.csv", rows)  # csv.writer quotes the fields that hold line breaks
    summary = await import_dataset(
        conn, voters_path=folder / "dpt.csv", tps_path=folder / "tps.csv", hasher=hasher
    )
    assert summary.rows_read == 6  # two physical lines for each of the two broken records
    assert summary.rows_loaded == 2
    assert [(int(r["line"]), r["reason"]) for r in read_rejects(summary.rejects_path)] == [
        (3, "csv_invalid"),
        (4, "wrong_column_count"),
        (5, "csv_invalid"),
        (6, "wrong_column_count"),
    ]
    assert await conn.fetchval("select count(*) from voter where name = 'BUDISANTOSO'") == 0
    assert await conn.fetchval("select count(*) from voter where nik_hash = $1", hasher(crowd[1].nik)) == 0


@given(
    st.lists(st.lists(st.text(alphabet='ab ,"\\\tX', max_size=6), min_size=1, max_size=5), max_size=8),
    st.sampled_from(["\n", "\r\n"]),
)
def test_records_of_one_line_each_are_read_as_the_csv_module_reads_them(
    rows: list[list[str]], ending: str
) -> None:
    """Lines without quotes take a shortcut; it must give what csv.reader gives."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=ending).writerows(rows)
    lines = buffer.getvalue().split("\n")[:-1]
    assert [reading.split_record(line) for line in lines] == rows


@given(st.text(alphabet='ab ,"\r\\', max_size=12))
def test_a_record_never_spans_physical_lines(line: str) -> None:
    """Each line is one record or refused (None); no field ever holds a line break."""
    fields = reading.split_record(line)
    text = line.removesuffix("\r")
    try:
        strictly = next(csv.reader([text], strict=True), [])
    except csv.Error:  # among others, a quote that does not close on the line
        strictly = None
    if strictly is not None and "\r" not in text:
        assert fields == strictly
    if fields is not None:
        assert not any("\r" in field or "\n" in field for field in fields)
        assert fields == next(csv.reader([text]), [])
    # The importer's per-line reader (with its shortcut inlined) agrees with split_record.
    pick = reading.picker(reading.Layout(("a",), (0,), 1, True), False, "\r" in text)
    try:
        assert pick(line) == (fields or [])[:1]
    except RowRejected as rejected:
        assert rejected.reason == ("csv_invalid" if fields is None else "blank_line")


def test_chunks_cut_at_any_line_end_and_keep_line_numbers() -> None:
    data = b'a,b\n"x\ny",z\nc,d\n'
    chunks = list(reading.chunks(io.BytesIO(data * 200_000), first_line=2))
    assert b"".join(chunk for chunk, _ in chunks) == data * 200_000
    assert len(chunks) > 1
    assert all(chunk.endswith(b"\n") for chunk, _ in chunks)
    assert [line for _, line in chunks][1] == 2 + chunks[0][0].count(b"\n")


def test_an_endless_line_is_cut_short_and_reading_resumes_after_it() -> None:
    """A line with no end in sight is not gathered whole (memory, quadratic copying)."""
    data = b"a,b\n" + b"x" * (5 * reading.CHUNK_BYTES) + b"\nc,d\n"
    chunks = list(reading.chunks(io.BytesIO(data), first_line=2))
    text = b"".join(chunk for chunk, _ in chunks)
    assert len(text) < 2 * reading.CHUNK_BYTES
    assert text.split(b"\n")[0] == b"a,b" and text.split(b"\n")[2:] == [b"c,d", b""]
    assert chunks[-1][1] + chunks[-1][0].count(b"\n") == 5


def _context() -> ParseContext:
    today = dt.date(2024, 6, 1)
    return ParseContext(
        "1",
        TEST_NIK_KEY,
        frozenset(KELURAHAN),
        frozenset(code[:8].replace(".", "") for code in KELURAHAN),
        frozenset((code, number) for code in KELURAHAN for number in (1, 2, 3)),
        today,
        today.isoformat(),
        tuple(range(len(VOTER_COLUMNS))),
    )


_PIECES = [
    *(csv_line(voter_row(person)).encode() for person in people(6)),
    b'"', b",", b"\r", b"\n", b"\r\n", b"\0", b"\xff", b"\xc3", b"X", b'""', b"",
]  # fmt: skip


@given(st.lists(st.sampled_from(_PIECES), max_size=40), st.integers(min_value=1, max_value=300))
def test_parallel_chunks_read_every_line_as_one_serial_read_does(pieces: list[bytes], size: int) -> None:
    """Wherever the file is cut into chunks, every line is read and judged the same."""
    data = b"".join(pieces)
    validator = VoterValidator(_context())
    serial = parse_chunk(data, 2, validator)
    parts = [parse_chunk(chunk, line, validator) for chunk, line in reading.chunks(io.BytesIO(data), 2, size)]
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    assert serial.read == sum(part.read for part in parts) == lines
    assert serial.loaded == sum(part.loaded for part in parts)
    assert serial.rejects == [reject for part in parts for reject in part.rejects]
    assert serial.read == serial.loaded + len(serial.rejects)


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
    # "idx": the family-check and notice indexes of the partitioned table (migration 0007),
    # which PostgreSQL names itself when the partition is attached.
    assert suffixes == {"nik", "born", "kel", "keys", "idx"}
    assert len(indexes) == 6
    assert len(opened) == 1 and opened[0].is_closed()


HOSTILE = (
    "=cmd|' /C calc'!A0",
    "+SUM(1+1)",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    '=HYPERLINK("http://x")',
)


async def test_rejects_name_file_line_column_and_reason_never_the_cells_text(
    conn: asyncpg.Connection, tmp_path: Path, hasher: NikHasher
) -> None:
    """Hostile and personal cell text reaches neither the rejects file nor the summary."""
    crowd = people(8)
    rows = [voter_row(person) for person in crowd]
    rows[0][4] = crowd[0].nik  # a NIK in the birth-date column
    rows[1][5] = HOSTILE[0]  # jenis_kelamin
    rows[2][9] = HOSTILE[1]  # kode_kelurahan
    rows[3][10] = HOSTILE[2]  # tps
    rows[4][1] = HOSTILE[3]  # nkk
    rows[5][0] = HOSTILE[4]  # nik
    folder = tmp_path / "hostile"
    folder.mkdir()
    write_tps(folder / "tps.csv")
    with (folder / "tps.csv").open("a", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["18.72.01.1001", "7", "Balai", "-5.1", "105.3", HOSTILE[5]])
        writer.writerow(["18.72.01.1001", "8", "Balai", HOSTILE[2], "105.3", "reguler"])
        writer.writerow([HOSTILE[0], "9", "Balai", "-5.1", "105.3", "reguler"])
        writer.writerow(["18.72.01.1001", "1", "Balai lagi", "-5.1", "105.3", "reguler"])
    write_voters(folder / "=dpt.csv", rows)
    summary = await import_dataset(
        conn, voters_path=folder / "=dpt.csv", tps_path=folder / "tps.csv", hasher=hasher
    )
    assert summary.rows_loaded == 2
    header, *lines = list(csv.reader(io.StringIO(Path(summary.rejects_path).read_text(encoding="utf-8"))))
    assert header == ["file", "line", "column", "reason", "detail"]
    found = {(file, int(line), column, reason, detail) for file, line, column, reason, detail in lines}
    assert found == {
        ("tps.csv", 14, "jenis", "tps_kind_invalid", ""),
        ("tps.csv", 15, "lat", "coordinate_invalid", ""),
        ("tps.csv", 16, "kode_kelurahan", "kelurahan_unknown", ""),
        ("tps.csv", 17, "tps", "tps_duplicate", "first at line 2"),
        ("'=dpt.csv", 2, "tanggal_lahir", "birth_date_invalid", ""),
        ("'=dpt.csv", 3, "jenis_kelamin", "gender_invalid", ""),
        ("'=dpt.csv", 4, "kode_kelurahan", "kelurahan_unknown", ""),
        ("'=dpt.csv", 5, "tps", "tps_invalid", ""),
        ("'=dpt.csv", 6, "nkk", "nkk_invalid", ""),
        ("'=dpt.csv", 7, "nik", "nik_not_digits", ""),
    }
    text = Path(summary.rejects_path).read_text(encoding="utf-8")
    assert crowd[0].nik not in text
    assert not any(hostile.strip() in text for hostile in HOSTILE)


def test_text_written_to_a_csv_a_person_opens_is_neutralised() -> None:
    for risky in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx"):
        assert rejects.spreadsheet_safe(risky) == "'" + risky
    for plain in ("dpt.csv", "nik_length", "", "12", "first at line 2"):
        assert rejects.spreadsheet_safe(plain) == plain


async def test_every_text_column_has_a_maximum_length(
    conn: asyncpg.Connection, tmp_path: Path, hasher: NikHasher
) -> None:
    limits = {
        "nama": 200,
        "tempat_lahir": 100,
        "alamat": 300,
        "rt": 10,
        "rw": 10,
        "disabilitas": 100,
        "keterangan": 500,
    }
    assert limits == columns.VOTER_MAX_LENGTHS
    assert columns.TPS_MAX_LENGTHS == {"alamat": 300, "catatan_akses": 200}
    crowd = people(2 * len(limits))
    rows = []
    for (column, limit), at_limit, over in zip(limits.items(), crowd[::2], crowd[1::2], strict=True):
        index = VOTER_COLUMNS.index(column)
        for person, length in ((at_limit, limit), (over, limit + 1)):
            row = voter_row(person)
            row[index] = "A" * length
            rows.append(row)
    folder = tmp_path / "long"
    folder.mkdir()
    write_voters(folder / "dpt.csv", rows)
    write_tps(folder / "tps.csv")
    with (folder / "tps.csv").open("a", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerow(["18.72.01.1001", "9", "J" * 301, "-5.1", "105.3", "reguler"])
    summary = await import_dataset(
        conn, voters_path=folder / "dpt.csv", tps_path=folder / "tps.csv", hasher=hasher
    )
    assert summary.rows_loaded == len(limits)
    found = [
        (int(r["line"]), r["column"], r["reason"], r["detail"]) for r in read_rejects(summary.rejects_path)
    ]
    assert found == [
        (14, "alamat", "field_too_long", "at most 300 characters"),
        *(
            (3 + 2 * number, column, "name_too_long" if column == "nama" else "field_too_long",
             f"at most {limit} characters")
            for number, (column, limit) in enumerate(limits.items())
        ),
    ]  # fmt: skip
    assert summary.tps_rejected == {"field_too_long": 1}


def _tps_line(number: int, address: str = "Balai Warga") -> str:
    return csv_line(["18.72.01.1001", str(number), address, "-5.1", "105.3", "reguler"])


async def test_bad_tps_lines_are_rejected_with_a_reason_and_the_rest_load(
    conn: asyncpg.Connection, tmp_path: Path, hasher: NikHasher
) -> None:
    """Latin-1 bytes, a NUL, a short line, a quoted line break: each line rejected, none fatal."""
    files = write_small_dataset(tmp_path / "tps-bad")
    good = files.tps.read_bytes()
    assert good.endswith(b"\n")
    extra = [
        _tps_line(4, "Balai Desa Pe\xf1a").encode("utf-8").replace(b"\xc3\xb1", b"\xf1"),  # Latin-1
        _tps_line(5, "Balai\0Warga").encode(),
        b"18.72.01.1001,6,Balai",
        b'18.72.01.1001,7,"Balai',  # the quote does not close on the line
        b'Warga",-5.1,105.3,reguler',
        b"",
        _tps_line(8).encode(),
    ]
    files.tps.write_bytes(good + b"\n".join(extra) + b"\n")
    summary = await import_dataset(conn, voters_path=files.voters, tps_path=files.tps, hasher=hasher)
    assert summary.tps_read == 12 + len(extra)
    assert summary.tps_loaded == 13
    tps_rejects = [(int(r["line"]), r["column"], r["reason"]) for r in read_rejects(summary.rejects_path)]
    assert tps_rejects == [
        (14, "alamat", "encoding_invalid"),
        (15, "alamat", "encoding_invalid"),
        (16, "", "wrong_column_count"),
        (17, "", "csv_invalid"),
        (18, "", "wrong_column_count"),
        (19, "", "blank_line"),
    ]
    assert summary.rows_loaded == len(files.people)
    assert await conn.fetchval("select count(*) from tps where number = 8") == 1


async def assert_nothing_left(conn: asyncpg.Connection) -> None:
    assert await conn.fetchval("select count(*) from dataset") == 0
    assert await conn.fetchval("select count(*) from tps") == 0
    assert await conn.fetchval("select count(*) from pg_tables where tablename like 'voter\\_%'") == 0


async def test_unusable_arguments_fail_before_a_dataset_row_exists(
    conn: asyncpg.Connection, tmp_path: Path, hasher: NikHasher
) -> None:
    files = write_small_dataset(tmp_path / "args")
    (tmp_path / "a-folder").mkdir()
    cases = {
        "rejects is a folder": {"rejects_path": tmp_path / "a-folder"},
        "rejects in a missing folder": {"rejects_path": tmp_path / "nowhere" / "rejects.csv"},
        "rejects over the voter file": {"rejects_path": files.voters},
        "rejects over the tps file": {"rejects_path": tmp_path / "args" / ".." / "args" / "tps.csv"},
        "voters is a folder": {"voters_path": tmp_path / "a-folder"},
        "tps missing": {"tps_path": tmp_path / "missing.csv"},
    }
    for case, override in cases.items():
        with pytest.raises(UnusableArgument, match=" / ") as raised:
            await import_dataset(
                conn,
                voters_path=override.get("voters_path", files.voters),
                tps_path=override.get("tps_path", files.tps),
                rejects_path=override.get("rejects_path"),
                hasher=hasher,
                version="v",
            )
        assert isinstance(raised.value, ImportFailed), case
        await assert_nothing_left(conn)
    assert files.voters.read_bytes().startswith(b"nik,")  # not overwritten by a rejects file
    summary = await import_dataset(
        conn, voters_path=files.voters, tps_path=files.tps, hasher=hasher, version="v"
    )
    assert summary.rows_loaded == len(files.people)


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", ",".join(TPS_COLUMNS).encode() + b"\n"])
async def test_a_tps_file_without_tps_fails_cleanly_and_the_version_stays_free(
    conn: asyncpg.Connection, tmp_path: Path, hasher: NikHasher, content: bytes
) -> None:
    files = write_small_dataset(tmp_path / "empty-tps")
    good = files.tps.read_bytes()
    files.tps.write_bytes(content)
    with pytest.raises(ImportFailed, match=r"tps\.csv"):
        await import_dataset(conn, voters_path=files.voters, tps_path=files.tps, hasher=hasher, version="v")
    await assert_nothing_left(conn)
    files.tps.write_bytes(good)
    await import_dataset(conn, voters_path=files.voters, tps_path=files.tps, hasher=hasher, version="v")


class Stop(Exception):
    pass


@pytest.mark.parametrize(
    ("when", "raised"),
    [
        ("tps.csv:", KeyboardInterrupt),  # Ctrl-C as soon as the TPS are in
        ("indexing", Stop),  # any error once the voters are copied
        ("published", KeyboardInterrupt),  # too late: the version is already published
    ],
)
async def test_a_failed_import_cleans_up_after_itself(
    conn: asyncpg.Connection, tmp_path: Path, hasher: NikHasher, when: str, raised: type[BaseException]
) -> None:
    files = write_small_dataset(tmp_path / "fails")

    def progress(line: str) -> None:
        if when in line:
            raise raised

    with pytest.raises(raised):
        await import_dataset(
            conn, voters_path=files.voters, tps_path=files.tps, hasher=hasher, version="v", progress=progress
        )
    if when == "published":
        assert await conn.fetchval("select status from dataset where version = 'v'") == "published"
        return
    await assert_nothing_left(conn)
    summary = await import_dataset(
        conn, voters_path=files.voters, tps_path=files.tps, hasher=hasher, version="v"
    )
    assert summary.rows_loaded == len(files.people)


async def test_an_import_cancelled_during_its_copy_cleans_up(
    conn: asyncpg.Connection, database_url: str, tmp_path: Path, hasher: NikHasher
) -> None:
    folder = tmp_path / "cancel"
    folder.mkdir()
    write_tps(folder / "tps.csv")
    write_lines(folder / "dpt.csv", [csv_line(voter_row(person)) for person in many_people(60_000)])
    task = asyncio.create_task(
        import_dataset(
            conn, voters_path=folder / "dpt.csv", tps_path=folder / "tps.csv", hasher=hasher, version="v"
        )
    )
    watcher = await asyncpg.connect(database_url)
    try:
        copying = (
            "select count(*) from pg_stat_activity"
            " where query ilike 'copy %' and datname = current_database()"
        )
        for _ in range(2000):
            if await watcher.fetchval(copying) or task.done():
                break
            await asyncio.sleep(0.005)
        assert not task.done(), "the import ended before its COPY was seen"
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    finally:
        await watcher.close()
    await assert_nothing_left(conn)
    summary = await import_dataset(
        conn, voters_path=folder / "dpt.csv", tps_path=folder / "tps.csv", hasher=hasher, version="v"
    )
    assert summary.rows_loaded == 60_000


async def test_a_dataset_left_by_a_killed_import_is_reclaimed_but_a_live_one_is_not(
    conn: asyncpg.Connection, database_url: str, tmp_path: Path, hasher: NikHasher
) -> None:
    """A process killed outright (SIGKILL, power loss) runs no cleanup: the next import does it."""
    files = write_small_dataset(tmp_path / "orphans")
    killed = await asyncpg.connect(database_url)
    orphan = await QUERIES["create-dataset"].value(killed, version="v", election="x", polling_date=None)
    await QUERIES["create-voter-partition"].value(killed, dataset_id=orphan)
    await killed.close()  # its lock goes with its session
    live = await asyncpg.connect(database_url)
    try:
        running = await QUERIES["create-dataset"].value(live, version="live", election="x", polling_date=None)
        summary = await import_dataset(
            conn, voters_path=files.voters, tps_path=files.tps, hasher=hasher, version="v"
        )
        assert summary.rows_loaded == len(files.people)
        statuses = {row["version"]: row["status"] for row in await conn.fetch("select * from dataset")}
        assert statuses == {"v": "published", "live": "loading"}
        assert summary.dataset_id != orphan
        assert (
            await conn.fetchval("select count(*) from pg_tables where tablename = $1", f"voter_{orphan}") == 0
        )
        with pytest.raises(ImportFailed, match="live"):
            await import_dataset(
                conn, voters_path=files.voters, tps_path=files.tps, hasher=hasher, version="live"
            )
    finally:
        await live.close()
    assert await conn.fetchval("select count(*) from dataset where id = $1", running) == 1
