"""The service's settings: one typed object read once from `DPT_*` environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import msgspec

# Each field's documentation, shown by `dpt settings` and copied into the README's table.
SETTING_DOCS: dict[str, str] = {
    "database_url": "PostgreSQL URL (asyncpg form). Required outside `dpt demo`.",
    "redis_url": "Redis URL for the shared cache. Required outside `dpt demo`.",
    "nik_key": "Secret for the keyed hash (HMAC-SHA256) of NIKs; at least 16 characters. Required.",
    "db_pool_min": "Minimum PostgreSQL connections per worker.",
    "db_pool_max": "Maximum PostgreSQL connections per worker.",
    "db_timeout_seconds": "How long one lookup query may take before it is abandoned.",
    "redis_timeout_seconds": "Socket timeout of a Redis call; the cache is skipped when Redis is slower.",
    "local_cache_size": "Entries in the in-process cache of each worker.",
    "local_cache_ttl_seconds": "Lifetime of an entry in the in-process cache.",
    "redis_cache_ttl_seconds": "Lifetime of an answer in Redis.",
    "negative_cache_ttl_seconds": "Lifetime in Redis of a 'not registered' answer.",
    "dataset_poll_seconds": "How often each worker checks which dataset version is published.",
    "max_body_bytes": "Largest request body a lookup accepts; larger ones get 422 body_too_large.",
    "rate_limit_exempt": "Comma-separated CIDRs that will skip rate limiting (not enforced yet).",
    "log_level": "Python logging level of the service.",
}


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str = ""
    redis_url: str = ""
    nik_key: str = ""
    db_pool_min: int = 2
    db_pool_max: int = 10
    db_timeout_seconds: float = 2.0
    redis_timeout_seconds: float = 0.25
    local_cache_size: int = 100_000
    local_cache_ttl_seconds: float = 5.0
    redis_cache_ttl_seconds: int = 3600
    negative_cache_ttl_seconds: int = 300
    dataset_poll_seconds: float = 1.0
    max_body_bytes: int = 8192
    rate_limit_exempt: str = ""
    log_level: str = "INFO"


class SettingsError(Exception):
    """A required setting is missing or a value does not parse; the message names it."""


# What serving needs; a command that needs less (import: no Redis) names its own.
SERVING = ("database_url", "redis_url", "nik_key")


def load_settings(
    environ: Mapping[str, str] | None = None, *, required: tuple[str, ...] = SERVING, **overrides: Any
) -> Settings:
    """Read every `DPT_<FIELD>` variable once; `overrides` win (used by `dpt demo` and tests)."""
    env = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    for field in msgspec.structs.fields(Settings):
        variable = f"DPT_{field.name.upper()}"
        if variable in env:
            raw[field.name] = env[variable]
    raw.update({name: value for name, value in overrides.items() if value is not None})
    missing = [f"DPT_{name.upper()}" for name in required if not raw.get(name)]
    if missing:
        raise SettingsError(f"missing required setting(s): {', '.join(missing)}")
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise SettingsError(f"invalid setting: {exc}") from exc
    if "nik_key" in required and len(settings.nik_key) < 16:
        raise SettingsError("DPT_NIK_KEY must be at least 16 characters")
    return settings
