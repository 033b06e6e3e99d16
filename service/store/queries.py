"""Named SQL from `sql/queries/*.sql`, in aiosql's convention, bound by name and run by what it
returns.

A query is declared `-- name: voter-by-id^`: the suffix says what it returns (`^` one row or
none, `$` one value, `!` nothing; no suffix: rows), and only the matching method runs it, so a
caller cannot pick `fetch` where `fetchrow` was meant. Parameters are written `:name` in the files
and become asyncpg's `$n` once, at load time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import asyncpg

# `sql/` at the top of a checkout; an installed wheel carries the same files in `service/sql/`.
_CHECKOUT_SQL = Path(__file__).resolve().parents[2] / "sql"
SQL_DIR = (
    _CHECKOUT_SQL if (_CHECKOUT_SQL / "queries").is_dir() else Path(__file__).resolve().parents[1] / "sql"
)

_NAME = re.compile(r"^--\s*name:\s*([a-z0-9_-]+)([\^$!]?)\s*$", re.MULTILINE)
_PARAM = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)")


class Returns(Enum):
    ROWS = ""
    ROW = "^"
    VALUE = "$"
    NOTHING = "!"


class Connection(Protocol):
    """What a query runs on: an asyncpg connection, or one borrowed from a pool."""

    async def fetch(self, query: str, *args: Any, timeout: float | None = None) -> list[Any]: ...
    async def fetchrow(self, query: str, *args: Any, timeout: float | None = None) -> Any: ...
    async def fetchval(self, query: str, *args: Any, timeout: float | None = None) -> Any: ...
    async def execute(self, query: str, *args: Any, timeout: float | None = None) -> str: ...


class Query(NamedTuple):
    name: str
    returns: Returns
    sql: str
    params: tuple[str, ...]

    def arguments(self, values: dict[str, Any]) -> tuple[Any, ...]:
        """The values in `$n` order. Arguments are bound by name; a missing or unknown one is a
        bug, so it raises."""
        if set(values) != set(self.params):
            raise TypeError(f"query {self.name} takes {sorted(self.params)}, got {sorted(values)}")
        return tuple(values[name] for name in self.params)

    def _expect(self, returns: Returns) -> None:
        if self.returns is not returns:
            raise TypeError(f"query {self.name}{self.returns.value} is not declared {returns.name.lower()}")

    async def rows(
        self, conn: Connection, *, timeout: float | None = None, **values: Any
    ) -> list[asyncpg.Record]:
        self._expect(Returns.ROWS)
        return await conn.fetch(self.sql, *self.arguments(values), timeout=timeout)

    async def row(
        self, conn: Connection, *, timeout: float | None = None, **values: Any
    ) -> asyncpg.Record | None:
        self._expect(Returns.ROW)
        record: asyncpg.Record | None = await conn.fetchrow(
            self.sql, *self.arguments(values), timeout=timeout
        )
        return record

    async def value(self, conn: Connection, *, timeout: float | None = None, **values: Any) -> Any:
        self._expect(Returns.VALUE)
        return await conn.fetchval(self.sql, *self.arguments(values), timeout=timeout)

    async def run(self, conn: Connection, *, timeout: float | None = None, **values: Any) -> str:
        self._expect(Returns.NOTHING)
        return await conn.execute(self.sql, *self.arguments(values), timeout=timeout)


def _compile(name: str, suffix: str, body: str) -> Query:
    params: list[str] = []

    def positional(match: re.Match[str]) -> str:
        if match.group(1) not in params:
            params.append(match.group(1))
        return f"${params.index(match.group(1)) + 1}"

    lines = [line for line in body.strip().splitlines() if not line.lstrip().startswith("--")]
    return Query(name, Returns(suffix), _PARAM.sub(positional, "\n".join(lines)), tuple(params))


def _parse(text: str) -> Iterator[Query]:
    parts = _NAME.split(text)
    for name, suffix, body in zip(parts[1::3], parts[2::3], parts[3::3], strict=True):
        yield _compile(name, suffix, body)


def load_queries(directory: Path = SQL_DIR / "queries") -> dict[str, Query]:
    """Every named query, by its name without the suffix."""
    queries: dict[str, Query] = {}
    for path in sorted(directory.glob("*.sql")):
        for query in _parse(path.read_text(encoding="utf-8")):
            if query.name in queries:
                raise ValueError(f"query {query.name} is defined twice (second in {path.name})")
            queries[query.name] = query
    return queries


QUERIES = load_queries()
