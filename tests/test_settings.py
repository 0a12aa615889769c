"""Settings from MUPASS_* variables."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from mupass_forum.settings import Settings, SettingsError, stored_secret_key


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
    assert Settings().trusted_proxies == ()
    assert Settings().content_fallback == ("en",)
    assert Settings.from_env(environ={"MUPASS_CONTENT_FALLBACK": "fr, en"}).content_fallback == (
        "fr",
        "en",
    )
    assert Settings.from_env(environ={"MUPASS_CONTENT_FALLBACK": ""}).content_fallback == ()
    assert Settings.from_env(
        environ={"MUPASS_TRUSTED_PROXIES": "10.0.0.0/8, ::1"}
    ).trusted_proxies == ("10.0.0.0/8", "::1")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("MUPASS_DEFAULT_LOCALE", "it", "MUPASS_DEFAULT_LOCALE"),
        ("MUPASS_DATABASE_URL", "mysql://x", "MUPASS_DATABASE_URL"),
        ("MUPASS_DEMO", "perhaps", "MUPASS_DEMO"),
        ("MUPASS_DATABASE_POOL_SIZE", "many", "MUPASS_DATABASE_POOL_SIZE"),
        ("MUPASS_DEFAULT_TIMEZONE", "Mars/Olympus", "MUPASS_DEFAULT_TIMEZONE"),
        ("MUPASS_INTEREST_LINK_DAYS", "0", "MUPASS_INTEREST_LINK_DAYS"),
        ("MUPASS_LOG_LEVEL", "loud", "MUPASS_LOG_LEVEL"),
        ("MUPASS_TRUSTED_PROXIES", "10.0.0.1, proxy.local", "MUPASS_TRUSTED_PROXIES"),
        ("MUPASS_INTEREST_PER_CLIENT_PER_HOUR", "0", "MUPASS_INTEREST_PER_CLIENT_PER_HOUR"),
    ],
)
def test_bad_values_are_named(name, value, message):
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(environ={name: value})


def test_settings_are_frozen():
    settings = Settings.from_env(environ={})
    with pytest.raises(AttributeError):
        settings.demo = True  # type: ignore[misc]


# The secret key ------------------------------------------------------------------------------


def test_the_embedded_default_keeps_its_secret_key_in_the_data_dir(tmp_path: Path):
    first = Settings.from_env(environ={"MUPASS_DATA_DIR": str(tmp_path)}).signing_key
    key_file = tmp_path / "secret_key"

    assert len(first) >= 32
    assert key_file.read_text().strip() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert [path.name for path in tmp_path.iterdir()] == ["secret_key"]
    # Another process (or the same one after a restart) reads the same key.
    stored_secret_key.cache_clear()
    assert Settings.from_env(environ={"MUPASS_DATA_DIR": str(tmp_path)}).signing_key == first


def test_mupass_secret_key_wins_and_leaves_the_data_dir_alone(tmp_path: Path):
    settings = Settings.from_env(
        environ={"MUPASS_DATA_DIR": str(tmp_path), "MUPASS_SECRET_KEY": "configured-key"}
    )
    assert settings.signing_key == "configured-key"
    assert not (tmp_path / "secret_key").exists()


def test_postgresql_without_a_secret_key_keeps_one_per_process(tmp_path: Path):
    settings = Settings.from_env(
        environ={"MUPASS_DATA_DIR": str(tmp_path), "MUPASS_DATABASE_URL": "postgresql://db/x"}
    )
    assert settings.signing_key == settings.replace(base_url="https://x.org").signing_key
    assert not (tmp_path / "secret_key").exists()


def test_processes_starting_together_agree_on_the_secret_key(tmp_path: Path):
    program = (
        "import sys\n"
        "from mupass_forum.settings import Settings\n"
        "print(Settings.from_env(environ={'MUPASS_DATA_DIR': sys.argv[1]}).signing_key)\n"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", program, str(tmp_path / "new")],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    keys = {process.communicate(timeout=30)[0].strip() for process in processes}

    assert len(keys) == 1
    assert keys == {(tmp_path / "new" / "secret_key").read_text().strip()}
    assert [path.name for path in (tmp_path / "new").iterdir()] == ["secret_key"]


def test_a_data_dir_that_is_a_file_is_named(tmp_path: Path):
    (tmp_path / "file").write_text("")
    settings = Settings.from_env(environ={"MUPASS_DATA_DIR": str(tmp_path / "file")})
    with pytest.raises(SettingsError, match=r"MUPASS_DATA_DIR .* is not a directory"):
        settings.signing_key  # noqa: B018
