"""Latency of name search on a 1,000,000-voter kab/kota, per mode, beside a bare query.

    .venv/bin/python loadtest/bench_search.py [--voters 1000000] [--queries 400] [--kabkota 18.71]
        [--reuse]

Imports a synthetic Kota Metro of `--voters` voters, then times searches one at a time through
the service's own search path (`NameSearch.search` + `results`: retrieval, scoring, the answer
with TPS and region names) for three modes: public (name + birth date, kab/kota), help desk in
one kelurahan, help desk across the kab/kota. Half the queries carry one typo. The bare
baseline is one indexed SQL query per search (public: everyone born that day in the kab/kota;
kelurahan: everyone in the kelurahan) with no scoring. `--reuse` keeps the database of an earlier
run of the same size and kab/kota (one `dpt_bench_search_<kabkota>_<voters>` each) instead of
importing afresh.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loadtest.harness import BENCH_DIR, bench_servers, imported_database
from service.embedded import with_database
from service.schemas import DatasetInfo
from service.search.engine import NameSearch
from service.store import Store
from service.synth import write_synthetic_dpt
from service.voters.published import PublishedDataset

DATABASE = "dpt_bench_search"
# The bare baselines: one indexed query each, no scoring (the benchmark's own SQL, not the service's).
BARE_PUBLIC = (
    "select id, name from voter where dataset_id = $1 and birth_date = $2 and kelurahan_code like $3"
)
BARE_KELURAHAN = "select id, name from voter where dataset_id = $1 and kelurahan_code = $2"


def typo(name: str, rng: random.Random) -> str:
    words = name.split()
    index = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[index]
    if len(word) >= 4:
        at = rng.randrange(1, len(word) - 1)
        word = word[:at] + rng.choice("AEIOU") + word[at + 1 :]
    words[index] = word
    return " ".join(words)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def reused_database(admin_url: str, name: str, voters: int) -> tuple[str, int] | None:
    """The URL and published dataset of an earlier run's database `name`, if it holds `voters`."""
    admin = await asyncpg.connect(admin_url)
    try:
        exists = await admin.fetchval("select 1 from pg_database where datname = $1", name)
    finally:
        await admin.close()
    if not exists:
        return None
    url = with_database(admin_url, name)
    conn = await asyncpg.connect(url)
    try:
        dataset_id: int | None = await conn.fetchval(
            "select d.id from published_dataset p join dataset d on d.id = p.dataset_id"
            " where d.rows_loaded = $1",
            voters,
        )
    finally:
        await conn.close()
    return (url, dataset_id) if dataset_id is not None else None


async def run(voters: int, queries: int, kabkota: str, *, reuse: bool) -> None:
    folder = BENCH_DIR / (f"synth-{voters}" if kabkota == "18.72" else f"synth-{kabkota}-{voters}")
    if not (folder / "dpt.csv").exists():
        write_synthetic_dpt(folder, kabkota=kabkota, voters=voters)
    with (folder / "dpt.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    rng = random.Random(5)
    sample = rng.sample(rows, queries)
    with bench_servers() as (admin_url, _redis):
        database = f"{DATABASE}_{kabkota.replace('.', '')}_{voters}" if reuse else DATABASE
        kept = await reused_database(admin_url, database, voters) if reuse else None
        if kept is None:
            url, summary = await imported_database(admin_url, database, folder, "b" * 32, "Bench")
            kept = url, summary.dataset_id
        url, dataset_id = kept
        dataset = PublishedDataset(dataset_id, DatasetInfo(version="bench", election="", polling_date=None))
        pool = await asyncpg.create_pool(url, min_size=2, max_size=4, server_settings={"jit": "off"})
        search = NameSearch(Store(pool, timeout=30.0))
        timings: dict[str, list[float]] = {"public": [], "kelurahan": [], "kab/kota": [], "bare public": [],
                                           "bare kelurahan": []}  # fmt: skip
        found = {"public": 0, "kelurahan": 0, "kab/kota": 0}
        for index, row in enumerate(sample):
            name = typo(row["nama"], rng) if index % 2 else row["nama"]
            born = dt.datetime.strptime(row["tanggal_lahir"], "%d-%m-%Y").date()
            # mode -> (region, birth date, limit, masked)
            modes: dict[str, tuple[str, dt.date | None, int, bool]] = {
                "public": (kabkota, born, 5, True),
                "kelurahan": (row["kode_kelurahan"], None, 20, False),
                "kab/kota": (kabkota, None, 20, False),
            }
            for mode, (region, birth_date, limit, masked) in modes.items():
                started = time.perf_counter()
                hits = await search.search(
                    dataset.id, name=name, region=region, birth_date=birth_date, limit=limit, masked=masked
                )
                await search.results(dataset, hits, masked=masked)
                timings[mode].append((time.perf_counter() - started) * 1000)
                found[mode] += bool(hits) and hits[0].kelurahan_code == row["kode_kelurahan"]
            started = time.perf_counter()
            await pool.fetch(BARE_PUBLIC, dataset.id, born, kabkota + ".%")
            timings["bare public"].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            await pool.fetch(BARE_KELURAHAN, dataset.id, row["kode_kelurahan"])
            timings["bare kelurahan"].append((time.perf_counter() - started) * 1000)
        await pool.close()
    kelurahan = len({row["kode_kelurahan"] for row in rows})
    print(
        f"\nname search on {voters:,} voters in kab/kota {kabkota} ({kelurahan} kelurahan/desa), "
        f"{queries} queries per mode (half with a typo)\n"
    )
    print("| mode | p50 ms | p95 ms | p99 ms | max ms | target p95 |")
    print("|---|---:|---:|---:|---:|---:|")
    targets = {"public": "20", "kelurahan": "30", "kab/kota": "100"}
    for mode, values in timings.items():
        print(
            f"| {mode} | {statistics.median(values):.1f} | {percentile(values, 0.95):.1f} | "
            f"{percentile(values, 0.99):.1f} | {max(values):.1f} | {targets.get(mode, '-')} |"
        )
    print(
        "\nbest hit in the right kelurahan: " + ", ".join(f"{m} {n / queries:.2f}" for m, n in found.items())
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--voters", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--kabkota", default="18.72", help="18.71 (Bandar Lampung) has 126 kelurahan")
    parser.add_argument("--reuse", action="store_true", help="keep an earlier run's database of this size")
    args = parser.parse_args()
    asyncio.run(run(args.voters, args.queries, args.kabkota, reuse=args.reuse))


if __name__ == "__main__":
    main()
