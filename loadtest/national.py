"""National size on one primary: 10 million synthetic voters across 25 kab/kota, imported once.

    .venv/bin/python loadtest/national.py prepare [--voters 10000000] [--kabkota-count 25]
    .venv/bin/python loadtest/national.py import            # /usr/bin/time -v dpt import
    .venv/bin/python loadtest/national.py measure [--samples 2000]
    .venv/bin/python loadtest/national.py servers            # pgbench and redis-benchmark
    .venv/bin/python loadtest/national.py drop

`prepare` runs `dpt synth` for each kab/kota (one in every ~20 of Indonesia's 514, so the NIKs
carry many province prefixes) and joins the files into one `dpt.csv` and `tps.csv` under
data/bench/national/. `import` runs `dpt import` into database `dpt_national` under
`/usr/bin/time -v` (rows per second, peak memory) and then prints the table and index sizes per
voter. `measure` times, inside one process and in the same run, cache-miss NIK lookups (the
service's batched query, one NIK per call, each NIK asked once) and public name searches
(name + birth date + kab/kota) against the 10M database and against a 120k one (Kota Metro, the
demo size), so the two are compared on the same machine at the same moment. `servers` measures
what the capacity model (docs/capacity.md) needs from the servers themselves, each beside a bare
baseline in the same run: PostgreSQL answering the service's lookup query (pgbench, 2 clients,
against the 10M database) beside `select 1`, and a private Redis answering the rate limiter's
script (EVALSHA) and a 16-key MGET beside GET (redis-benchmark). `drop` removes both databases.
Figures go to loadtest/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loadtest.harness import BENCH_DIR, bench_servers, free_port, fresh_database
from service.embedded import with_database
from service.nik.parse import NikHasher
from service.protection.ratelimit import _ADMIT
from service.store.queries import QUERIES

NATIONAL = BENCH_DIR / "national"
SMALL = BENCH_DIR / "national-120k"
NIK_KEY = "bench-key-" + "n" * 32
DATABASES = {"10M": "dpt_national", "120k": "dpt_national_small"}
# The published dataset, else the newest one (measured while its import is still finishing).
LATEST_DATASET = "select coalesce((select dataset_id from published_dataset), (select max(id) from dataset))"


def kabkota_codes(count: int) -> list[str]:
    """`count` kab/kota spread over the country: every n-th of the 514, in code order."""
    from lokal import wilayah  # only `prepare` needs it

    codes = [
        kabkota.code for provinsi in wilayah.list_wilayah() for kabkota in wilayah.list_wilayah(provinsi.code)
    ]
    step = max(1, len(codes) // count)
    return codes[::step][:count]


def prepare(voters: int, count: int) -> None:
    NATIONAL.mkdir(parents=True, exist_ok=True)
    per_kabkota = voters // count
    dpt = Path(sys.executable).with_name("dpt")
    parts = []
    started = time.perf_counter()
    for index, code in enumerate(kabkota_codes(count)):
        folder = NATIONAL / "parts" / code
        if not (folder / "dpt.csv").exists():
            subprocess.run(
                [str(dpt), "synth", "--out", str(folder), "--kabkota", code,
                 "--voters", str(per_kabkota), "--seed", str(2024 + index)],
                check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        parts.append(folder)
        print(f"synth {code}: {per_kabkota:,} voters", file=sys.stderr)
    for name in ("dpt.csv", "tps.csv"):
        with (NATIONAL / name).open("wb") as joined:
            for number, folder in enumerate(parts):
                with (folder / name).open("rb") as part:
                    header = part.readline()
                    if number == 0:
                        joined.write(header)
                    while chunk := part.read(1 << 20):
                        joined.write(chunk)
    print(
        f"prepared {per_kabkota * count:,} voters in {time.perf_counter() - started:.0f} s", file=sys.stderr
    )
    if not (SMALL / "dpt.csv").exists():
        subprocess.run([str(dpt), "synth", "--out", str(SMALL)], check=True, stdout=subprocess.DEVNULL)


async def _migrated(admin_url: str, name: str) -> str:
    return await fresh_database(admin_url, name)


def run_import(admin_url: str, size: str, folder: Path) -> dict[str, float]:
    url = asyncio.run(_migrated(admin_url, DATABASES[size]))
    command = [
        "/usr/bin/time", "-v", str(Path(sys.executable).with_name("dpt")), "import",
        "--voters", str(folder / "dpt.csv"), "--tps", str(folder / "tps.csv"), "--election", "National",
        # Synth sizes TPS for its own kab/kota; 400,000 voters leave a few percent of them past
        # 600 voters (tps_overfull), which would hold the dataset back. The report still lists them.
        "--force",
    ]  # fmt: skip
    env = {**os.environ, "DPT_DATABASE_URL": url, "DPT_NIK_KEY": NIK_KEY}
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"dpt import failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    peak_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1))  # type: ignore[union-attr]
    loaded = int(re.search(r"([\d,]+) loaded,", done.stdout).group(1).replace(",", ""))  # type: ignore[union-attr]
    inside = float(re.search(r"^time\s*:\s*([0-9.]+) s", done.stdout, re.MULTILINE).group(1))  # type: ignore[union-attr]
    print(done.stdout, file=sys.stderr)
    sizes = asyncio.run(_sizes(url))
    result = {"voters": loaded, "wall_s": wall, "rows_per_s": loaded / wall, "import_s": inside,
              "import_rows_per_s": loaded / inside, "peak_rss_mib": peak_kib / 1024}  # fmt: skip
    result |= {key: value / loaded for key, value in sizes.items()}
    return result


async def _sizes(url: str) -> dict[str, float]:
    """Bytes of the published voter partition: heap (with TOAST) and each index."""
    conn = await asyncpg.connect(url)
    try:
        table = await conn.fetchval(
            "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid"
            " join pg_class p on p.oid = i.inhparent where p.relname = 'voter'"
            " and c.relname like '%_' || (" + LATEST_DATASET + ")::text"
        )
        sizes = {
            "table_bytes_per_voter": float(await conn.fetchval("select pg_table_size($1::regclass)", table))
        }
        for row in await conn.fetch(
            "select indexrelid::regclass::text as name, pg_relation_size(indexrelid) as bytes"
            " from pg_index where indrelid = $1::regclass",
            table,
        ):
            sizes[f"index {row['name']} bytes_per_voter"] = float(row["bytes"])
        sizes["total_bytes_per_voter"] = float(
            await conn.fetchval("select pg_total_relation_size($1::regclass)", table)
        )
        return sizes
    finally:
        await conn.close()


def _sample(folder: Path, count: int) -> list[dict[str, str]]:
    """`count` voters spread over the whole file (reservoir sample, fixed seed)."""
    rng = random.Random(17)
    chosen: list[dict[str, str]] = []
    with (folder / "dpt.csv").open(encoding="utf-8", newline="") as stream:
        for number, row in enumerate(csv.DictReader(stream)):
            if number < count:
                chosen.append(row)
            elif (slot := rng.randrange(number + 1)) < count:
                chosen[slot] = row
    rng.shuffle(chosen)
    return chosen


async def _latencies(url: str, people: list[dict[str, str]]) -> dict[str, float]:
    hasher = NikHasher(NIK_KEY)
    conn = await asyncpg.connect(url, server_settings={"jit": "off"})
    try:
        dataset_id = await conn.fetchval(LATEST_DATASET)
        voters, search = QUERIES["voters-by-nik-hashes"], QUERIES["search-by-birth-date"]
        nik_ms, search_ms = [], []
        for person in people:
            nik_hash = hasher(person["nik"])
            started = time.perf_counter()
            found = await voters.rows(conn, dataset_id=dataset_id, nik_hashes=[nik_hash])
            nik_ms.append((time.perf_counter() - started) * 1000)
            assert len(found) == 1, "a sampled NIK was not found"
        for person in people[: len(people) // 4]:
            born = dt.datetime.strptime(person["tanggal_lahir"], "%d-%m-%Y").date()
            kabkota = person["kode_kelurahan"][:5]
            started = time.perf_counter()
            await search.rows(conn, dataset_id=dataset_id, birth_date=born, region_pattern=kabkota + ".%")
            search_ms.append((time.perf_counter() - started) * 1000)
    finally:
        await conn.close()
    return {
        "nik_p50_ms": statistics.median(nik_ms),
        "nik_p99_ms": statistics.quantiles(nik_ms, n=100)[98],
        "search_p50_ms": statistics.median(search_ms),
        "search_p99_ms": statistics.quantiles(search_ms, n=100)[98],
    }


def measure(admin_url: str, samples: int) -> dict[str, dict[str, float]]:
    people = {"10M": _sample(NATIONAL, samples), "120k": _sample(SMALL, samples)}
    results: dict[str, dict[str, float]] = {"10M": {}, "120k": {}}
    # Interleaved rounds, so a noisy moment of the shared machine lands on both sizes alike.
    rounds: dict[str, list[dict[str, float]]] = {"10M": [], "120k": []}
    for _ in range(3):
        for size in ("120k", "10M"):
            url = with_database(admin_url, DATABASES[size])
            rounds[size].append(asyncio.run(_latencies(url, people[size])))
    for size, runs in rounds.items():
        for key in runs[0]:
            results[size][key] = statistics.median(run[key] for run in runs)
    results["ratio_10M_over_120k"] = {
        key: results["10M"][key] / results["120k"][key] for key in results["10M"]
    }
    return results


async def _bench_hashes(url: str, count: int) -> None:
    """A table of `count` NIK hashes of the published dataset, for pgbench to pick from."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("drop table if exists bench_hash")
        await conn.execute(
            "create table bench_hash as select row_number() over () as n, nik_hash from"
            " (select nik_hash from voter where dataset_id = (" + LATEST_DATASET + ")"
            " order by random() limit $1) sample",
            count,
        )
        await conn.execute("alter table bench_hash add primary key (n)")
    finally:
        await conn.close()


def _pgbench(url: str, script: str, seconds: int) -> float:
    folder = NATIONAL / "pgbench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "script.sql"
    path.write_text(script)
    done = subprocess.run(
        [_pg_tool("pgbench"), "-n", "-M", "prepared", "-c", "2", "-j", "2", "-T", str(seconds),
         "-f", str(path), "-d", url],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return float(re.search(r"tps = ([0-9.]+)", done.stdout).group(1))  # type: ignore[union-attr]


def _pg_tool(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not found:
        sys.exit(f"{name} is needed: apt-get install postgresql-client")
    return str(found[-1])


def servers(admin_url: str, seconds: int) -> dict[str, float]:
    url = with_database(admin_url, DATABASES["10M"])
    asyncio.run(_bench_hashes(url, 100_000))
    lookup_sql = (
        QUERIES["voters-by-nik-hashes"]
        .sql.replace("$1", f"({LATEST_DATASET})")
        .replace("any($2::bytea[])", "(select nik_hash from bench_hash where n = :n)")
    )
    results = {}
    for round_number in range(2):
        bare = _pgbench(url, "select 1;\n", seconds)
        lookup = _pgbench(url, "\\set n random(1, 100000)\n" + lookup_sql + ";\n", seconds)
        results[f"pg round {round_number + 1}: select 1 per s"] = bare
        results[f"pg round {round_number + 1}: lookup per s"] = lookup
        results[f"pg round {round_number + 1}: lookup / select 1"] = lookup / bare
    results |= _redis_bench()
    return results


def _redis_bench() -> dict[str, float]:
    """A private redis-server (the shared one is not disturbed), its throughput per command."""
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.5)
        cli = ["redis-cli", "-p", str(port)]
        sha = subprocess.run([*cli, "script", "load", _ADMIT], capture_output=True, text=True, check=True)
        bench = [
            "redis-benchmark",
            "-p",
            str(port),
            "-c",
            "50",
            "-n",
            "300000",
            "-r",
            "1000000",
            "-q",
            "--csv",
        ]
        keys = [f"k:__rand_int__:{number}" for number in range(16)]
        commands = {
            "GET": ["get", "k:__rand_int__"],
            "MGET 16 keys": ["mget", *keys],
            "EVALSHA rate-limit script": ["evalsha", sha.stdout.strip(), "2", "rl:{__rand_int__}:req",
                                          "rl:{__rand_int__}:enum", "1000", "30", "180000", "10"],
        }  # fmt: skip
        results = {}
        for name, command in commands.items():
            done = subprocess.run([*bench, *command], capture_output=True, text=True, check=True)
            results[f"redis {name} per s"] = float(
                done.stdout.strip().splitlines()[-1].split(",")[1].strip('"')
            )
        results["redis EVALSHA / GET"] = (
            results["redis EVALSHA rate-limit script per s"] / results["redis GET per s"]
        )
        return results
    finally:
        server.terminate()
        server.wait(timeout=10)


async def _drop(admin_url: str) -> None:
    admin = await asyncpg.connect(admin_url)
    try:
        for name in DATABASES.values():
            await admin.execute(f'drop database if exists "{name}" with (force)')
    finally:
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("phase", choices=("prepare", "import", "measure", "servers", "drop"))
    parser.add_argument("--voters", type=int, default=10_000_000)
    parser.add_argument("--kabkota-count", type=int, default=25)
    parser.add_argument("--samples", type=int, default=2000)
    args = parser.parse_args()
    if args.phase == "prepare":
        prepare(args.voters, args.kabkota_count)
        return
    with bench_servers() as (admin_url, _redis_url):
        if args.phase == "import":
            report = {
                "120k": run_import(admin_url, "120k", SMALL),
                "10M": run_import(admin_url, "10M", NATIONAL),
            }
            print(json.dumps(report, indent=2))
        elif args.phase == "measure":
            print(json.dumps(measure(admin_url, args.samples), indent=2))
        elif args.phase == "servers":
            print(json.dumps(servers(admin_url, 10), indent=2))
        else:
            asyncio.run(_drop(admin_url))


if __name__ == "__main__":
    main()
