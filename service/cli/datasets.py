"""The data commands: `dpt migrate`, `dpt synth`, `dpt import`, `dpt datasets`, `dpt rollback`."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import asyncpg

from service.cli.console import connect, database_url, run_async, say
from service.importer import ImportFailed, ImportSummary, UnusableArgument, import_dataset, publish_dataset
from service.nik.parse import NikHasher
from service.settings import Settings, load_settings
from service.store.migrate import migrate
from service.store.queries import QUERIES


def cmd_migrate(_: argparse.Namespace) -> int:
    async def run() -> None:
        conn = await connect(database_url())
        try:
            applied = await migrate(conn, say)
        finally:
            await conn.close()
        print(f"schema up to date ({len(applied)} migration(s) applied now)")

    run_async(run)
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    from service.synth import write_synthetic_dpt  # noqa: PLC0415 - only this command needs it

    try:
        summary = write_synthetic_dpt(
            Path(args.out),
            kabkota=args.kabkota,
            voters=args.voters,
            seed=args.seed,
            progress=lambda rows: say(f"synth: {rows:,} voters written"),
        )
    except ValueError as error:
        print(f"dpt synth: {error}", file=sys.stderr)
        return 2
    print(
        f"{summary.kabkota} {summary.kabkota_name}: {summary.voters:,} voters, {summary.tps:,} TPS "
        f"({summary.tps_khusus} khusus), {summary.kecamatan} kecamatan, {summary.kelurahan} kelurahan/desa"
    )
    print(f"wrote {summary.dpt_path} and {summary.tps_path}")
    return 0


def print_summary(summary: ImportSummary) -> None:
    print(f"dataset version : {summary.version} ({'published' if summary.published else 'not published'})")
    print(
        f"dpt.csv         : {summary.rows_read:,} rows read, {summary.rows_loaded:,} loaded, "
        f"{summary.rows_rejected:,} rejected"
    )
    for reason, count in summary.rejected.items():
        print(f"  rejected      : {count:>8,}  {reason}")
    print(f"tps.csv         : {summary.tps_read:,} rows read, {summary.tps_loaded:,} loaded")
    for reason, count in summary.tps_rejected.items():
        print(f"  rejected      : {count:>8,}  {reason}")
    if summary.rows_rejected or summary.tps_rejected:
        print(f"rejects file    : {summary.rejects_path}")
    rate = summary.rows_read / summary.seconds if summary.seconds else 0
    print(f"time            : {summary.seconds:.2f} s ({rate:,.0f} rows/s)")


async def run_import(settings: Settings, args: argparse.Namespace) -> ImportSummary:
    conn = await connect(settings)
    try:
        return await import_dataset(
            conn,
            voters_path=Path(args.voters),
            tps_path=Path(args.tps),
            hasher=NikHasher(settings.nik_key),
            election=args.election,
            polling_date=args.polling_date,
            version=args.version,
            rejects_path=Path(args.rejects) if args.rejects else None,
            publish=not args.no_publish,
            progress=say,
            connect=lambda: connect(settings),
        )
    finally:
        await conn.close()


def cmd_import(args: argparse.Namespace) -> int:
    """Exit 0 when published (or loaded, with --no-publish); 2 for an argument naming no usable
    file, as for any other bad argument; 1 when the files cannot be imported; 130 on Ctrl-C. A
    failed or cancelled import leaves no dataset behind, so its version can be used again."""
    settings = load_settings(required=("database_url", "nik_key"))
    try:
        summary = run_async(lambda: run_import(settings, args))
    except UnusableArgument as error:
        print(f"dpt import: {error}", file=sys.stderr)
        return 2
    except ImportFailed as error:
        print(f"dpt import: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("dpt import: dibatalkan / cancelled", file=sys.stderr)
        return 130
    print_summary(summary)
    return 0


def cmd_datasets(_: argparse.Namespace) -> int:
    async def run() -> list[asyncpg.Record]:
        conn = await connect(database_url())
        try:
            return await QUERIES["list-datasets"].rows(conn)
        finally:
            await conn.close()

    for row in run_async(run):
        print(
            f"{row['version']:<28} {row['status']:<10} {row['election']} "
            f"polling {row['polling_date']} voters {row['rows_loaded']}"
        )
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    """Publish a kept version again: by name, or the most recent retired one."""

    async def run() -> str | None:
        conn = await connect(database_url())
        try:
            rows = [row for row in await QUERIES["list-datasets"].rows(conn) if row["status"] == "retired"]
            chosen = [row for row in rows if args.version in (None, row["version"])]
            if not chosen:
                return None
            await publish_dataset(conn, chosen[-1]["id"])
            return str(chosen[-1]["version"])
        finally:
            await conn.close()

    version = run_async(run)
    if version is None:
        print("dpt rollback: tidak ada versi sebelumnya / no earlier version kept", file=sys.stderr)
        return 1
    print(f"published dataset {version}")
    return 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {text}") from None


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    commands.add_parser("migrate", help="create or upgrade the schema").set_defaults(handler=cmd_migrate)

    synth = commands.add_parser("synth", help="write a synthetic dpt.csv and tps.csv")
    synth.add_argument("--out", required=True)
    synth.add_argument("--kabkota", default="18.72")
    synth.add_argument("--voters", type=int, default=120_000)
    synth.add_argument("--seed", type=int, default=2024)
    synth.set_defaults(handler=cmd_synth)

    imp = commands.add_parser("import", help="validate, load and publish a dataset version")
    imp.add_argument("--voters", required=True, help="dpt.csv")
    imp.add_argument("--tps", required=True, help="tps.csv")
    imp.add_argument("--election", default="Pemilu")
    imp.add_argument("--polling-date", type=_date, default=None)
    imp.add_argument("--version", default=None, help="version name (default: a timestamp)")
    imp.add_argument("--rejects", default=None, help="rejects file (default: next to dpt.csv)")
    imp.add_argument("--no-publish", action="store_true", help="load but do not publish")
    imp.set_defaults(handler=cmd_import)

    commands.add_parser("datasets", help="list dataset versions").set_defaults(handler=cmd_datasets)
    rollback = commands.add_parser("rollback", help="publish the previous (or a named) kept version")
    rollback.add_argument("--version", default=None)
    rollback.set_defaults(handler=cmd_rollback)
