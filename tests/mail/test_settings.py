"""Mail settings from MUPASS_* variables."""

from __future__ import annotations

import pytest

from mupass_forum.settings import Settings, SettingsError


def test_mail_settings_are_read_from_the_environment():
    settings = Settings.from_env(
        environ={
            "MUPASS_SMTP_HOST": "smtp.example.org",
            "MUPASS_SMTP_PORT": "587",
            "MUPASS_SMTP_USER": "forum",
            "MUPASS_SMTP_PASSWORD": "s3cret",
            "MUPASS_SMTP_TLS": "STARTTLS",
            "MUPASS_MAIL_FROM": "MUPASS <forum@example.org>",
            "MUPASS_MAIL_RELAY": "external",
            "MUPASS_MAIL_RETRY_BASE_SECONDS": "5",
            "MUPASS_MAIL_RETRY_CAP_SECONDS": "600",
        }
    )

    assert (settings.smtp_host, settings.smtp_port, settings.smtp_tls) == (
        "smtp.example.org",
        587,
        "starttls",
    )
    assert settings.mail_relay == "external"
    assert settings.mail_retry_cap_seconds == 600.0
    assert "s3cret" not in repr(settings)


def test_defaults_reach_the_local_mail_catcher():
    settings = Settings.from_env(environ={})
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_tls) == (
        "127.0.0.1",
        1025,
        "none",
    )
    assert settings.mail_relay == "inprocess"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MUPASS_SMTP_TLS", "ssl"),
        ("MUPASS_MAIL_RELAY", "sometimes"),
        ("MUPASS_MAIL_FROM", "nobody"),
        ("MUPASS_MAIL_RETRY_CAP_SECONDS", "1"),
        ("MUPASS_MAIL_POLL_SECONDS", "0"),
        ("MUPASS_SMTP_TIMEOUT_SECONDS", "0"),
        # A claim shorter than a conversation lets a second relay send the mail again.
        ("MUPASS_MAIL_CLAIM_TIMEOUT_SECONDS", "30"),
    ],
)
def test_unusable_mail_settings_are_named(variable, value):
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env(environ={variable: value})
