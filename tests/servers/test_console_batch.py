"""The batch check: pasted or uploaded CSVs of NIKs with a header or none, other columns kept,
malformed lines reported and never fatal; hostile files (formula cells, a BOM, CRLF, binary, too
many lines, 10 MB) refused whole with a clear 4xx, or answered spreadsheet-safe."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.support.console import add_operator, log_in, submit, write_dataset_with_kk
from tests.support.factories import DatasetFiles, absent_niks

Client = AsyncTestClient  # type: ignore[type-arg]


@pytest.fixture
def small_dataset(tmp_path: Path) -> DatasetFiles:
    return write_dataset_with_kk(tmp_path / "kk")


@pytest.fixture
async def officer(client: Client, conn: asyncpg.Connection) -> Client:
    await add_operator(conn, "pusat", "18.72.01")
    assert (await log_in(client, "pusat")).status_code == 303
    return client


def hostile_file(small_dataset: DatasetFiles) -> bytes:
    """A BOM, CRLF line ends, a `;` spreadsheet export with a header, formula cells, a blank
    line, a malformed NIK, a NIK outside the officer's scope and one not on the DPT."""
    people = small_dataset.people
    lines = [
        "No;Nama;NIK;Catatan",
        f'1;=HYPERLINK("http://evil");{people[0].nik};+SUM(A1)',
        f"2;{people[1].name};{people[1].nik};@cmd",
        "",
        "3;X;18720;-1",
        f"4;Y;{people[2].nik};",
        f"5;Z;{absent_niks(1)[0]};ok",
        '6;"unclosed;1872010101800001;',
    ]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


async def test_an_uploaded_hostile_csv_is_answered_line_by_line_and_spreadsheet_safe(
    officer: Client, conn: asyncpg.Connection, small_dataset: DatasetFiles
) -> None:
    data = hostile_file(small_dataset)
    page = await submit(
        officer, "/helpdesk/batch", {"lines": ""}, files={"file": ("daftar.csv", data, "text/csv")}
    )
    assert page.status_code == 200
    assert "2 terdaftar, 1 tidak terdaftar, 1 di luar wilayah, 3 baris tidak sah" in page.text
    download = await submit(
        officer, "/helpdesk/batch.csv", {"lines": ""}, files={"file": ("d.csv", data, "text/csv")}
    )
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(download.text)))
    assert rows[0] == [
        "No",
        "Nama",
        "NIK",
        "Catatan",
        "baris",
        "status",
        "keterangan_status",
        "tps",
        "kelurahan",
        "alasan",
    ]
    by_line = {row[4]: row for row in rows[1:]}
    assert by_line["2"][1] == '\'=HYPERLINK("http://evil")' and by_line["2"][3] == "'+SUM(A1)"
    assert by_line["2"][5] == "registered" and by_line["2"][7] == f"TPS {small_dataset.people[0].tps:03d}"
    assert by_line["3"][3] == "'@cmd" and by_line["3"][5] == "registered"
    assert (by_line["4"][5], by_line["4"][9]) == ("malformed", "blank_line")
    assert (by_line["5"][5], by_line["5"][9]) == ("malformed", "nik_length") and by_line["5"][3] == "'-1"
    assert by_line["6"][5] == "registered_elsewhere" and by_line["6"][7] == ""  # nothing more shown
    assert by_line["7"][5] == "not_registered"
    assert (by_line["8"][5], by_line["8"][9]) == ("malformed", "csv_invalid")
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    audits = await conn.fetch("select action, route, results from audit_log order by id")
    assert [tuple(row) for row in audits] == [("batch", "/helpdesk/batch", 2)] * 2


async def test_pasted_niks_without_a_header(officer: Client, small_dataset: DatasetFiles) -> None:
    text = "\n".join(person.nik for person in small_dataset.people[:8])
    page = await submit(officer, "/helpdesk/batch", {"lines": text}, files={"file": ("", b"", "text/csv")})
    assert page.status_code == 200
    assert "4 terdaftar, 0 tidak terdaftar, 4 di luar wilayah, 0 baris tidak sah" in page.text


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, 415, "batch_not_csv"),
        (b"PK\x03\x04 an xlsx", 415, "batch_not_csv"),
        ("NIK\n1872010101800001\n".encode("utf-16"), 415, "batch_not_csv"),
        (b"\xff\xfe\xfa not utf-8", 415, "batch_not_csv"),
        (("1872010101800001\n" * 5001).encode(), 413, "batch_too_many_lines"),
        (b"1" * (1 << 20) + b"1", 413, "batch_too_large"),
        (b"\n\n", 422, "batch_empty"),
    ],
)
async def test_unusable_files_are_refused_whole_before_any_look(
    officer: Client, conn: asyncpg.Connection, content: bytes, status: int, code: str
) -> None:
    page = await submit(
        officer, "/helpdesk/batch", {"lines": ""}, files={"file": ("x.csv", content, "text/csv")}
    )
    assert page.status_code == status and code in page.text
    assert await conn.fetchval("select count(*) from audit_log") == 0


async def test_a_10_mb_upload_gets_413_and_nothing_is_done(officer: Client, conn: asyncpg.Connection) -> None:
    content = b"1872010101800001,x\n" * (10 * (1 << 20) // 19)
    page = await submit(
        officer, "/helpdesk/batch", {"lines": ""}, files={"file": ("big.csv", content, "text/csv")}
    )
    assert page.status_code == 413 and page.headers["content-type"].startswith("text/html")
    assert await conn.fetchval("select count(*) from audit_log") == 0


async def test_five_thousand_lines_are_checked(officer: Client, small_dataset: DatasetFiles) -> None:
    niks = [person.nik for person in small_dataset.people] * 42
    content = ("nik\n" + "\n".join(niks[:5000]) + "\n").encode()
    page = await submit(
        officer, "/helpdesk/batch", {"lines": ""}, files={"file": ("x.csv", content, "text/csv")}
    )
    assert page.status_code == 200 and page.text.count('<tr class="status-') == 5000
