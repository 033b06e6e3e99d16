"""What every `dpt` command shares: messages on standard error, running a coroutine, and a
database connection from the settings."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg

from service.settings import Settings, load_settings

T = TypeVar("T")


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def run_async(coroutine_factory: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        return await coroutine_factory()

    return asyncio.run(main())


async def connect(settings_or_url: Settings | str) -> asyncpg.Connection:
    url = settings_or_url if isinstance(settings_or_url, str) else settings_or_url.database_url
    return await asyncpg.connect(url)


def database_url() -> str:
    return load_settings(required=("database_url",)).database_url
