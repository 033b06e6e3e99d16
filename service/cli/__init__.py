"""The `dpt` command: its parser and `main`; the commands live in one module per group."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

import asyncpg

from service.cli import accounts, datasets, serving
from service.settings import SettingsError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dpt", description="DPT lookup service")
    commands = parser.add_subparsers(dest="command", required=True)
    for group in (serving, datasets, accounts):
        group.add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except SettingsError as error:
        print(f"dpt: {error}", file=sys.stderr)
        return 2
    except (OSError, asyncpg.PostgresError) as error:
        print(f"dpt: database error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
