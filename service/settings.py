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
    "redis_cluster": "True: DPT_REDIS_URL is any node of a Redis (or Valkey) Cluster.",
    "database_replica_urls": "Comma-separated URLs of PostgreSQL read replicas for lookups and searches.",
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
    "max_in_flight": "Requests one worker works on at once; more wait in a short queue (admission control).",
    "queue_seconds": "How long a request may wait for a slot before it is shed with 503 and Retry-After.",
    "max_queued": "Requests that may wait for a slot per worker; beyond that they are shed at once.",
    "admission_target_lag_seconds": "Event-loop lag above which a worker admits fewer and sheds the rest.",
    "body_read_seconds": "Longest a request body may take to arrive (it holds no slot meanwhile); then 408.",
    "redis_breaker_seconds": "After a Redis failure, how long each worker skips Redis before trying again.",
    "stale_seconds": "How long past its lifetime a cached answer may still be served while one refresh runs.",
    "rate_limit_exempt": "CIDRs (comma-separated) that skip rate limits and anti-enumeration.",
    "trusted_proxies": "Comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed.",
    "rate_address_per_minute": "Requests per minute from one client address (sustained).",
    "rate_address_burst": "Requests one client address may make at once.",
    "rate_token_per_minute": "Requests per minute with one API token (help desks, gateways).",
    "rate_token_burst": "Requests one API token may make at once.",
    "rate_sms_per_minute": "SMS requests per minute from one phone number.",
    "rate_sms_burst": "SMS requests one phone number may send at once.",
    "misses_address_per_hour": "Anti-enumeration: distinct unregistered NIKs per hour per address.",
    "misses_address_burst": "Distinct unregistered NIKs one client address may ask about at once.",
    "misses_token_per_hour": "Distinct unregistered NIKs per hour for one API token.",
    "misses_token_burst": "Distinct unregistered NIKs one API token may ask about at once.",
    "misses_sms_per_hour": "Distinct unregistered NIKs per hour for one phone number.",
    "misses_sms_burst": "Distinct unregistered NIKs one phone number may ask about at once.",
    "misses_gateway_per_hour": "Distinct unregistered NIKs per hour via one SMS gateway (all its phones).",
    "misses_gateway_burst": "Distinct unregistered NIKs one SMS gateway token may pass on at once.",
    "rate_token_lookups_per_minute": "Look-ups of unknown (new or made-up) tokens per minute per address.",
    "rate_token_lookups_burst": "Look-ups of unknown tokens one client address may cause at once.",
    "twilio_auth_token": "Twilio auth token, to check X-Twilio-Signature; empty turns /sms/twilio off (401).",
    "twilio_webhook_url": "The public URL Twilio calls (it is signed); empty: the URL the service sees.",
    "console_idle_seconds": "A help-desk console session ends after this long without a request.",
    "console_absolute_seconds": "A help-desk console session ends this long after login, however busy.",
    "log_level": "Python logging level of the service.",
    "access_log": "Write one JSON access line per request (route, status, duration; never a path or query).",
    "tps_max_voters": "Data quality: voters one TPS may hold; more is `tps_overfull` (600: Pilkada 2024).",
    "quality_max_share": "Publishing needs --force when a finding kind passes this share of voters (or TPS).",
}


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str = ""
    redis_url: str = ""
    redis_cluster: bool = False
    database_replica_urls: str = ""
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
    max_in_flight: int = 32
    queue_seconds: float = 0.02
    max_queued: int = 16
    admission_target_lag_seconds: float = 0.005
    body_read_seconds: float = 5.0
    redis_breaker_seconds: float = 2.0
    stale_seconds: float = 30.0
    rate_limit_exempt: str = ""
    trusted_proxies: str = ""
    rate_address_per_minute: float = 60.0
    rate_address_burst: int = 30
    rate_token_per_minute: float = 1200.0
    rate_token_burst: int = 200
    rate_sms_per_minute: float = 4.0
    rate_sms_burst: int = 5
    misses_address_per_hour: float = 20.0
    misses_address_burst: int = 10
    misses_token_per_hour: float = 600.0
    misses_token_burst: int = 100
    misses_sms_per_hour: float = 10.0
    misses_sms_burst: int = 5
    misses_gateway_per_hour: float = 600.0
    misses_gateway_burst: int = 100
    rate_token_lookups_per_minute: float = 30.0
    rate_token_lookups_burst: int = 10
    twilio_auth_token: str = ""
    twilio_webhook_url: str = ""
    console_idle_seconds: int = 1800
    console_absolute_seconds: int = 36000
    log_level: str = "INFO"
    access_log: bool = True
    tps_max_voters: int = 600
    quality_max_share: float = 0.01


class SettingsError(Exception):
    """A required setting is missing or a value does not parse; the message names it."""


# What serving needs; a command that needs less (import: no Redis) names its own.
SERVING = ("database_url", "redis_url", "nik_key")
# Secrets may come from a file instead (`DPT_<FIELD>_FILE`, as compose and Docker secrets give
# them), so no secret need sit in the environment; the variable itself wins when both are set.
FROM_FILE = ("database_url", "redis_url", "nik_key", "twilio_auth_token")


def _secret_file(variable: str, path: str) -> str:
    try:
        with open(path, encoding="utf-8") as file:
            return file.read().strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{variable}_FILE: cannot read {path}: {exc}") from exc


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
        elif field.name in FROM_FILE and f"{variable}_FILE" in env:
            raw[field.name] = _secret_file(variable, env[f"{variable}_FILE"])
    raw.update({name: value for name, value in overrides.items() if value is not None})
    missing = [f"DPT_{name.upper()}" for name in required if not raw.get(name)]
    if missing:
        raise SettingsError(f"missing required setting(s): {', '.join(missing)}")
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise SettingsError(f"invalid setting: {exc}") from exc
    not_positive = [
        f"DPT_{field.upper()}"
        for field in SETTING_DOCS
        if field.startswith(("rate_", "misses_"))
        and field != "rate_limit_exempt"
        and getattr(settings, field) <= 0
    ]
    if not_positive:
        raise SettingsError(f"rate limits must be above 0: {', '.join(not_positive)}")
    if "nik_key" in required and len(settings.nik_key) < 16:
        raise SettingsError("DPT_NIK_KEY must be at least 16 characters")
    return settings
