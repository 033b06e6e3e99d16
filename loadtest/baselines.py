"""Bare baselines, served by granian with the same settings as the service.

- `constant_app`: decodes the same request body and returns a constant as long as a registered
  voter's answer (the ceiling for hits).
- `lookup_app`: decodes the body, hashes the NIK and makes one asyncpg primary-key lookup
  (the ceiling for misses). Reads DPT_DATABASE_URL, DPT_NIK_KEY and BENCH_DATASET_ID.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import msgspec
from litestar import Litestar, Request, Response, post

from service.schemas import NikRequest

_decode = msgspec.json.Decoder(NikRequest).decode
_encode = msgspec.json.Encoder().encode
# As long as the service's answer for a registered voter of the demo (about 970 bytes, with its
# TPS, regions and election): the same bytes cross the loopback, so the ratio compares the work.
_CONSTANT = b'{"registered":false,"voter":null,"padding":"' + b"x" * 925 + b'"}'


@post("/api/v1/nik", status_code=200)
async def constant(request: Request[Any, Any, Any]) -> Response[bytes]:
    _decode(await request.body())
    return Response(_CONSTANT, media_type="application/json")


def constant_app() -> Litestar:
    return Litestar([constant], logging_config=None)


class _Row(msgspec.Struct):
    id: int
    name: str
    kelurahan_code: str
    tps_number: int


@post("/api/v1/nik", status_code=200)
async def lookup(request: Request[Any, Any, Any]) -> Response[bytes]:
    body = _decode(await request.body())
    nik_hash = hmac.digest(request.app.state.key, body.nik.encode(), hashlib.sha256)
    async with request.app.state.pool.acquire() as conn:
        row = await conn.fetchrow(
            "select id, name, kelurahan_code, tps_number from voter where dataset_id = $1 and nik_hash = $2",
            request.app.state.dataset_id,
            nik_hash,
        )
    payload = _Row(**dict(row)) if row else None
    return Response(_encode({"registered": row is not None, "voter": payload}), media_type="application/json")


def lookup_app() -> Litestar:
    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        pool = await asyncpg.create_pool(os.environ["DPT_DATABASE_URL"], min_size=2, max_size=10)
        app.state.pool = pool
        app.state.key = os.environ["DPT_NIK_KEY"].encode()
        app.state.dataset_id = int(os.environ["BENCH_DATASET_ID"])
        try:
            yield
        finally:
            await pool.close()

    return Litestar([lookup], lifespan=[lifespan], logging_config=None)
