"""Settings from MUPASS_* variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from mupass_forum.settings import Settings, SettingsError


def test_defaults_use_a_sqlite_file_in_the_data_dir():
    settings = Settings.from_env(environ={})
    assert settings.uses_sqlite
    assert (
        settings.resolved_database_url == f"sqlite:///{Path('var').resolve()}/mupass-forum.sqlite3"
    )
    assert settings.locales == ("de", "en", "fr", "es")
    assert settings.default_locale == "en"


def test_environment_values_are_parsed():
    settings = Settings.from_env(
        environ={
            "MUPASS_DATABASE_URL": "postgresql://app@db:5432/forum",
            "MUPASS_LOCALES": "de, en ,fr,es,pt",
            "MUPASS_DEFAULT_LOCALE": "pt",
            "MUPASS_DEMO": "yes",
            "MUPASS_DATABASE_POOL_SIZE": "8",
            "MUPASS_BASE_URL": "https://forum.example.org/",
            "MUPASS_INTEREST_LINK_DAYS": "14",
        }
    )
    assert not settings.uses_sqlite
    assert settings.locales == ("de", "en", "fr", "es", "pt")
    assert settings.default_locale == "pt"
    assert settings.demo is True
    assert settings.database_pool_size == 8
    assert settings.base_url == "https://forum.example.org"
    assert settings.interest_link_days == 14
    assert Settings().interest_link_days == 7


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("MUPASS_DEFAULT_LOCALE", "it", "MUPASS_DEFAULT_LOCALE"),
        ("MUPASS_DATABASE_URL", "mysql://x", "MUPASS_DATABASE_URL"),
        ("MUPASS_DEMO", "perhaps", "MUPASS_DEMO"),
        ("MUPASS_DATABASE_POOL_SIZE", "many", "MUPASS_DATABASE_POOL_SIZE"),
        ("MUPASS_DEFAULT_TIMEZONE", "Mars/Olympus", "MUPASS_DEFAULT_TIMEZONE"),
        ("MUPASS_INTEREST_LINK_DAYS", "0", "MUPASS_INTEREST_LINK_DAYS"),
    ],
)
def test_bad_values_are_named(name, value, message):
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(environ={name: value})


def test_settings_are_frozen():
    settings = Settings.from_env(environ={})
    with pytest.raises(AttributeError):
        settings.demo = True  # type: ignore[misc]
