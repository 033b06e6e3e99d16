"""The data commands: `dpt migrate`, `dpt synth`, `dpt import`, `dpt quality`, and managing versions:
`dpt datasets`, `dpt publish`, `dpt rollback`, `dpt drop`."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import asyncpg

from service.cli.console import connect, database_url, run_async, say
from service.importer import ImportFailed, ImportSummary, UnusableArgument, import_dataset, publish_dataset
from service.importer.publishing import PublishRefused, drop_version, publish_version, reclaim_orphans
from service.nik.parse import NikHasher
from service.quality.findings import KINDS
from service.quality.report import write_report
from service.settings import Settings, load_settings
from service.store.migrate import migrate
from service.store.queries import QUERIES
from service.voters.election import ElectionError, ElectionFile, read_election_file


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
    print_quality(summary.quality, summary.report_dir)
    if summary.held_back:
        print(
            f"NOT PUBLISHED   : quality findings above the limits ({', '.join(summary.held_back)});"
            f" check the report, then: dpt publish {summary.version} --force"
        )


def print_quality(counts: dict[str, int], folder: str) -> None:
    print(f"quality report  : {folder}")
    for kind in KINDS:
        print(f"  {kind:<26}: {counts.get(kind, 0):>8,}")


async def run_import(settings: Settings, args: argparse.Namespace) -> ImportSummary:
    election_file: ElectionFile | None = None
    if args.election_file:
        try:
            election_file = read_election_file(Path(args.election_file))
        except ElectionError as error:
            raise UnusableArgument(f"--election-file: {error}") from None
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
            election_kind=args.election_kind,
            election_file=election_file,
            report_dir=Path(args.report) if args.report else None,
            tps_max_voters=settings.tps_max_voters,
            max_finding_share=None if args.force else settings.quality_max_share,
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
    except (ImportFailed, ElectionError) as error:
        print(f"dpt import: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("dpt import: dibatalkan / cancelled", file=sys.stderr)
        return 130
    print_summary(summary)
    return 1 if summary.held_back else 0


def cmd_quality(args: argparse.Namespace) -> int:
    """Write a version's report into --out and print its counts; 1 when there is no such version."""
    settings = load_settings(required=("database_url",))

    async def run() -> dict[str, int] | None:
        conn = await connect(settings)
        try:
            report = await write_report(
                conn, version=args.version, folder=Path(args.out), tps_max_voters=settings.tps_max_voters
            )
        except LookupError:
            return None
        finally:
            await conn.close()
        print(f"dataset version : {report.version}")
        return report.counts

    counts = run_async(run)
    if counts is None:
        print("dpt quality: versi tidak ada / no such dataset version", file=sys.stderr)
        return 1
    print_quality(counts, args.out)
    return 0


def _quality_total(raw: str | None) -> str:
    if raw is None:
        return "no report"
    counts: dict[str, int] = json.loads(raw)
    shown = [f"{kind}={count:,}" for kind, count in counts.items() if count]
    return ", ".join(shown) or "no findings"


def cmd_datasets(_: argparse.Namespace) -> int:
    """Every version: status, election, counts and quality counts; abandoned loads removed first."""

    async def run() -> list[asyncpg.Record]:
        conn = await connect(database_url())
        try:
            await reclaim_orphans(conn, say)
            return await QUERIES["list-datasets"].rows(conn)
        finally:
            await conn.close()

    for row in run_async(run):
        print(
            f"{row['version']:<28} {row['status']:<10} {row['election']} "
            f"polling {row['polling_date']} voters {row['rows_loaded']} rejected {row['rows_rejected']} "
            f"quality: {_quality_total(row['quality'])}"
        )
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    """0 when published; 1 when refused (unknown, not loaded, or findings over the limits)."""
    settings = load_settings(required=("database_url",))

    async def run() -> str:
        conn = await connect(settings)
        try:
            await reclaim_orphans(conn, say)
            done = await publish_version(
                conn, args.version, force=args.force, max_share=settings.quality_max_share
            )
        finally:
            await conn.close()
        forced = f" (forced past: {', '.join(done.forced)})" if done.forced else ""
        return f"published dataset {done.version}{forced}"

    try:
        print(run_async(run))
    except PublishRefused as error:
        print(f"dpt publish: {error}", file=sys.stderr)
        return 1
    return 0


def cmd_drop(args: argparse.Namespace) -> int:
    """0 when dropped; 1 for the published version, one being imported, or an unknown one."""

    async def run() -> None:
        conn = await connect(database_url())
        try:
            await reclaim_orphans(conn, say)
            await drop_version(conn, args.version)
        finally:
            await conn.close()

    try:
        run_async(run)
    except PublishRefused as error:
        print(f"dpt drop: {error}", file=sys.stderr)
        return 1
    print(f"dropped dataset {args.version}")
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
    imp.add_argument(
        "--election-kind", choices=("pilkada", "pemilu"), default=None,
        help="whose rules (default: pemilu when the name says Pemilu, else pilkada)",
    )  # fmt: skip
    imp.add_argument(
        "--election-file", default=None, help="TOML: hours, DPTb deadlines (service/voters/election.py)"
    )
    imp.add_argument(
        "--report", default=None, help="quality report folder (default: <dpt>.quality beside dpt.csv)"
    )
    imp.add_argument(
        "--force", action="store_true", help="publish even with quality findings above the limits"
    )
    imp.set_defaults(handler=cmd_import)

    quality = commands.add_parser("quality", help="write the data-quality report of a dataset version")
    quality.add_argument("--version", default=None, help="default: the published version, else the newest")
    quality.add_argument("--out", required=True)
    quality.set_defaults(handler=cmd_quality)

    commands.add_parser("datasets", help="list dataset versions").set_defaults(handler=cmd_datasets)
    publish = commands.add_parser("publish", help="publish a loaded or kept version")
    publish.add_argument("version")
    publish.add_argument("--force", action="store_true", help="even with quality findings above the limits")
    publish.set_defaults(handler=cmd_publish)
    drop = commands.add_parser("drop", help="remove a version that is not the published one")
    drop.add_argument("version")
    drop.set_defaults(handler=cmd_drop)
    rollback = commands.add_parser("rollback", help="publish the previous (or a named) kept version")
    rollback.add_argument("--version", default=None)
    rollback.set_defaults(handler=cmd_rollback)
