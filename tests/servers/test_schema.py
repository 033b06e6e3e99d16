"""The contract checked by a machine: schemathesis runs every operation of the running service's
`/schema/openapi.json` with every check (no 5xx, statuses, content types, headers, response
schemas, schema-invalid data refused, schema-valid data answered, Allow on 405), once as the
public and once as a help desk, with a fixed seed so a failure can be replayed."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from service.importer import ImportSummary
from service.settings import Settings
from tests.support.factories import make_token
from tests.support.serving import dpt_serve

CONFIG = Path(__file__).resolve().parents[1] / "support" / "schemathesis.toml"
SEED = 2024
EXAMPLES = 300  # per operation and phase: about 1,700 requests a run


def schemathesis(url: str, *headers: str) -> subprocess.CompletedProcess[str]:
    command = [
        str(Path(sys.executable).with_name("st")),
        "--config-file", str(CONFIG),
        "run", f"{url}/schema/openapi.json",
        "--checks", "all",
        "--seed", str(SEED),
        "--max-examples", str(EXAMPLES),
        "--generation-database", "none",
        "--no-color",
        *(argument for header in headers for argument in ("-H", header)),
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.parametrize("caller", ["public", "helpdesk"])
async def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_schema(
    settings: Settings, published: ImportSummary, conn: asyncpg.Connection, caller: str
) -> None:
    headers = []
    if caller == "helpdesk":
        headers.append(f"Authorization: Bearer {await make_token(conn, 'helpdesk', '18.72', name='fuzz')}")
    # Thousands of distinct made-up NIKs and names from one address: limits would answer most of
    # them 429, and the point is what the handlers answer.
    with dpt_serve(settings, DPT_RATE_LIMIT_EXEMPT="127.0.0.1/32") as (url, _):
        run = await asyncio.to_thread(schemathesis, url, *headers)
    report = run.stdout + run.stderr
    assert run.returncode == 0, report[-6000:]
    assert "generated" in report and "passed" in report
    assert "failed" not in report.rsplit("Test cases:", 1)[-1].splitlines()[1]
