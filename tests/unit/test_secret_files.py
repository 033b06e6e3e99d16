"""Secrets from files: `DPT_<NAME>_FILE` names a file holding the value (compose and Docker
secrets give them so), and the plain variable wins when both are set."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.settings import SettingsError, load_settings

BASE = {"DPT_DATABASE_URL": "postgresql://db/dpt", "DPT_REDIS_URL": "redis://cache/0"}


def test_secrets_are_read_from_their_files(tmp_path: Path) -> None:
    (tmp_path / "nik_key").write_text("a-nik-key-from-a-file-0123456789\n")  # a trailing newline
    (tmp_path / "twilio").write_text("twilio-token")
    (tmp_path / "database_url").write_text("postgresql://dpt:secret@postgres/dpt")
    env = {
        "DPT_REDIS_URL": "redis://cache/0",
        "DPT_NIK_KEY_FILE": str(tmp_path / "nik_key"),
        "DPT_TWILIO_AUTH_TOKEN_FILE": str(tmp_path / "twilio"),
        "DPT_DATABASE_URL_FILE": str(tmp_path / "database_url"),
    }
    settings = load_settings(env)
    assert settings.nik_key == "a-nik-key-from-a-file-0123456789"
    assert settings.twilio_auth_token == "twilio-token"
    assert settings.database_url == "postgresql://dpt:secret@postgres/dpt"


def test_the_variable_wins_over_its_file(tmp_path: Path) -> None:
    (tmp_path / "nik_key").write_text("the-key-in-the-file-0123456789")
    env = {
        **BASE,
        "DPT_NIK_KEY": "the-key-in-the-variable-0123",
        "DPT_NIK_KEY_FILE": str(tmp_path / "nik_key"),
    }
    assert load_settings(env).nik_key == "the-key-in-the-variable-0123"


def test_an_unreadable_file_names_the_variable(tmp_path: Path) -> None:
    env = {**BASE, "DPT_NIK_KEY_FILE": str(tmp_path / "missing")}
    with pytest.raises(SettingsError, match="DPT_NIK_KEY_FILE") as raised:
        load_settings(env)
    assert "missing" in str(raised.value)


def test_an_empty_file_is_a_missing_secret(tmp_path: Path) -> None:
    (tmp_path / "nik_key").write_text("\n")
    with pytest.raises(SettingsError, match="DPT_NIK_KEY"):
        load_settings({**BASE, "DPT_NIK_KEY_FILE": str(tmp_path / "nik_key")})


def test_only_secrets_are_read_from_files(tmp_path: Path) -> None:
    (tmp_path / "level").write_text("DEBUG")
    env = {**BASE, "DPT_NIK_KEY": "k" * 32, "DPT_LOG_LEVEL_FILE": str(tmp_path / "level")}
    assert load_settings(env).log_level == "INFO"
