"""Load named SQL from `sql/queries/*.sql` (aiosql's `-- name:` convention) and bind parameters.

Parameters are written `:name` in the files and become asyncpg's `$n` once, at load time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"

_NAME = re.compile(r"^--\s*name:\s*([a-z0-9_-]+)\s*$", re.MULTILINE)
_PARAM = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)")


class Query(NamedTuple):
    name: str
    sql: str
    params: tuple[str, ...]

    def __call__(self, **values: Any) -> tuple[Any, ...]:
        """`(sql, *arguments)` for asyncpg: `await conn.fetch(*QUERIES["name"](param=value))`.

        Arguments are bound by name; a missing or unknown name is a bug, so it raises.
        """
        if set(values) != set(self.params):
            raise TypeError(f"query {self.name} takes {sorted(self.params)}, got {sorted(values)}")
        return (self.sql, *(values[name] for name in self.params))


def _compile(name: str, body: str) -> Query:
    params: list[str] = []

    def positional(match: re.Match[str]) -> str:
        if match.group(1) not in params:
            params.append(match.group(1))
        return f"${params.index(match.group(1)) + 1}"

    lines = [line for line in body.strip().splitlines() if not line.lstrip().startswith("--")]
    return Query(name, _PARAM.sub(positional, "\n".join(lines)), tuple(params))


def _parse(text: str) -> Iterator[Query]:
    parts = _NAME.split(text)
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        yield _compile(name, body)


def load_queries(directory: Path = SQL_DIR / "queries") -> dict[str, Query]:
    queries: dict[str, Query] = {}
    for path in sorted(directory.glob("*.sql")):
        for query in _parse(path.read_text(encoding="utf-8")):
            if query.name in queries:
                raise ValueError(f"query {query.name} is defined twice (second in {path.name})")
            queries[query.name] = query
    return queries


QUERIES = load_queries()
