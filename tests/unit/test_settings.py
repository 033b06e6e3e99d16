"""Settings: read once from DPT_* variables, typed, documented, and loud about what is missing."""

from __future__ import annotations

import msgspec
import pytest

from service.settings import SETTING_DOCS, Settings, SettingsError, load_settings

REQUIRED = {"DPT_DATABASE_URL": "postgresql://x/y", "DPT_REDIS_URL": "redis://x", "DPT_NIK_KEY": "k" * 16}


def test_every_setting_is_documented() -> None:
    assert set(SETTING_DOCS) == {field.name for field in msgspec.structs.fields(Settings)}


def test_values_are_converted_from_text() -> None:
    settings = load_settings({**REQUIRED, "DPT_DB_POOL_MAX": "25", "DPT_LOCAL_CACHE_TTL_SECONDS": "0.5"})
    assert settings.db_pool_max == 25
    assert settings.local_cache_ttl_seconds == 0.5


def test_missing_required_settings_are_named() -> None:
    with pytest.raises(SettingsError, match=r"DPT_REDIS_URL, DPT_NIK_KEY"):
        load_settings({"DPT_DATABASE_URL": "postgresql://x/y"})
    assert load_settings({"DPT_DATABASE_URL": "postgresql://x/y"}, required=("database_url",)).redis_url == ""


def test_a_short_key_and_a_bad_number_are_refused() -> None:
    with pytest.raises(SettingsError, match="DPT_NIK_KEY"):
        load_settings({**REQUIRED, "DPT_NIK_KEY": "short"})
    with pytest.raises(SettingsError, match="db_pool_max"):
        load_settings({**REQUIRED, "DPT_DB_POOL_MAX": "many"})


def test_a_rate_limit_of_zero_is_refused_with_its_name() -> None:
    env = {"DPT_DATABASE_URL": "postgresql://x/y", "DPT_REDIS_URL": "redis://x", "DPT_NIK_KEY": "k" * 20}
    with pytest.raises(SettingsError, match="DPT_RATE_SMS_PER_MINUTE"):
        load_settings({**env, "DPT_RATE_SMS_PER_MINUTE": "0"})
