"""One frozen ``Settings``, built from ``MUPASS_*`` environment variables.

Nothing here is read at import time: ``Settings.from_env()`` is called by the entry points
(CLI, ASGI module, tests) and the result is handed to ``create_app``.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import os
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PREFIX = "MUPASS_"
SMTP_TLS_MODES = ("none", "starttls", "tls")
MAIL_RELAY_MODES = ("inprocess", "external", "off")
BOARD_CHANNELS = ("memory", "redis", "postgres")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(ValueError):
    """A setting has a value the service cannot work with."""


def _flag(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise SettingsError(f"expected a yes/no value, got {value!r}")


def _words(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


#: The periods of the stores retention cleans besides forums' personal details.
STORE_PERIODS = (
    "ended_session_days",
    "used_link_days",
    "sent_mail_days",
    "unverified_account_days",
    "board_event_days",
)


@dataclass(frozen=True, slots=True)
class Settings:
    #: Where the embedded database and other local files live.
    data_dir: Path = Path("var")
    #: ``sqlite:///absolute/path.sqlite3`` or ``postgresql://user@host:5432/db``; empty means
    #: a SQLite file in ``data_dir``.
    database_url: str = ""
    #: Connections kept open: SQLite readers, or the PostgreSQL pool's maximum.
    database_pool_size: int = 4
    #: How long a SQLite writer waits for another process's lock, in milliseconds.
    sqlite_busy_timeout_ms: int = 5000
    #: Signs links; when unset, ``signing_key`` uses the one kept in ``data_dir`` (SQLite) or
    #: one made for this process (PostgreSQL).
    secret_key: str = field(default="", repr=False)
    #: The locales the service speaks; adding one means a catalog plus this setting.
    locales: tuple[str, ...] = ("de", "en", "fr", "es")
    #: The locale used when nothing in the request asks for another.
    default_locale: str = "en"
    #: Where content (forum texts, categories, notices, board posts) goes when it lacks the
    #: reader's language, in order, before its original language (empty: straight to the
    #: original). A language content cannot be written in (not in ``locales``) never matches.
    content_fallback: tuple[str, ...] = ("en",)
    #: The time zone used for dates when the reader has not chosen one.
    default_timezone: str = "Europe/Berlin"
    #: Where the gettext catalogs are read from; empty means the project's ``locales/``.
    locales_dir: str = ""
    #: The public address of the service, used in links sent by mail.
    base_url: str = "http://127.0.0.1:8000"
    #: Load demonstration data into an empty database when serving.
    demo: bool = False
    #: Log level of the service's own loggers.
    log_level: str = "INFO"
    #: One JSON line per request on stderr, written by a thread of its own.
    access_log: bool = False
    #: Show the OpenAPI documentation under ``/schema``.
    openapi: bool = True
    #: The SMTP server mail is relayed to; the defaults reach ``mupass-forum mailcatcher``.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    #: ``none``, ``starttls`` (upgrade a plain connection) or ``tls`` (implicit TLS).
    smtp_tls: str = "none"
    #: Give up on an SMTP conversation after this many seconds (counts as a temporary failure).
    smtp_timeout_seconds: float = 30.0
    #: The ``From`` of every mail; its domain also names the mails' Message-IDs.
    mail_from: str = "mupass-forum <forum@localhost>"
    #: ``inprocess`` (a task of each server process), ``external`` (``mupass-forum mail-relay``
    #: runs as one separate process) or ``off`` (mail waits in the outbox).
    mail_relay: str = "inprocess"
    #: How often the relay looks for due mail when nothing wakes it.
    mail_poll_seconds: float = 10.0
    #: Retry delays after temporary failures: base * 2^(attempt - 1), at most the cap, jittered.
    mail_retry_base_seconds: float = 30.0
    mail_retry_cap_seconds: float = 3600.0
    #: A mail left ``sending`` this long (its relay crashed) is claimed again.
    mail_claim_timeout_seconds: float = 600.0
    #: A mail that still fails temporarily this long after it was queued is parked.
    mail_give_up_hours: float = 120.0
    #: Redis for state shared by several server processes (rate limits); empty keeps it in
    #: the process.
    redis_url: str = ""
    #: Prefix of every Redis key, so that several deployments can share one Redis.
    redis_key_prefix: str = "mupass:"
    #: Origins allowed to call the API from a browser (CORS); none by default.
    cors_origins: tuple[str, ...] = ()
    #: Addresses or networks of reverse proxies whose ``X-Forwarded-For`` and
    #: ``X-Forwarded-Proto`` are believed; none by default, so that no client can choose the
    #: address that per-address limits count.
    trusted_proxies: tuple[str, ...] = ()
    #: Argon2id cost of password hashes; stored hashes are upgraded at the next sign-in.
    #: OWASP's argon2id minimum (19 MiB, two passes, one lane); see the README.
    password_hash_memory_kib: int = 19456
    password_hash_time_cost: int = 2
    #: Password hashes computed at once per process; the rest wait their turn.
    password_hash_concurrency: int = 1
    #: HTTP requests a server process works on at once; the rest wait their turn in arrival
    #: order (``admission.py``). Health checks and WebSocket connections are not counted.
    requests_at_once: int = 32
    #: Open the database connections, read the languages' CLDR data and evaluate the API's
    #: types before the process says it is ready, not while its first requests wait
    #: (``warm_up.py``).
    warm_up: bool = True
    #: How long a sign-in token stays valid, in hours.
    session_lifetime_hours: int = 24 * 30
    #: Failed sign-ins allowed per account and per client address within the window.
    login_failures_per_account: int = 5
    login_failures_per_address: int = 20
    login_failure_window_seconds: int = 900
    #: How long a signed consent withdrawal link in a mail stays valid, in days.
    consent_link_days: int = 365
    #: How long the link that confirms interest in a forum ("save the date") stays valid, in days.
    interest_link_days: int = 7
    #: Interest forms one client address may send per hour (each may mail a stranger).
    interest_per_client_per_hour: int = 20
    #: Days after a forum ends that its personal details (registration needs, interest, the
    #: photo list) are kept; a forum may set its own period.
    retention_days: int = 365
    #: Days after a forum ends that its consent events are kept as proof, at least the
    #: forum's retention period.
    consent_proof_days: int = 3 * 365
    #: The longest retention period a forum may set for itself, in days.
    retention_max_days: int = 10 * 365
    #: Days that signed-out and expired sign-in sessions (with their address and browser) are
    #: kept, for the account's session list.
    ended_session_days: int = 30
    #: Days that used and expired mailed links (with the address they went to) are kept.
    used_link_days: int = 7
    #: Days that sent and parked mails (their bodies name people and forums) are kept.
    sent_mail_days: int = 90
    #: Days after which an account whose address was never confirmed is removed.
    unverified_account_days: int = 30
    #: Hours that a mailed link to the data held under an address (for people without an
    #: account) stays valid.
    address_link_hours: int = 24
    #: Days that the board's live events (copies of posts, for reconnecting clients) are kept.
    board_event_days: int = 30
    #: Days before a forum begins that its participants are reminded (venue, times, programme).
    reminder_days: int = 7
    #: Days after a forum ends that the passport details for visa letters are kept: shorter
    #: than ``retention_days``, as they are the most sensitive details the service holds.
    visa_details_days: int = 30
    #: Where the fonts of documents (letters, badges, certificates) are: DejaVu Sans, from
    #: Debian's ``fonts-dejavu-core``.
    document_fonts_dir: str = "/usr/share/fonts/truetype/dejavu"
    #: How the board's live stream reaches every server process: ``memory`` (one process),
    #: ``redis`` (``redis_url``) or ``postgres`` (LISTEN/NOTIFY on the database).
    board_channels: str = "memory"
    #: Open flags that hide a post until a moderator decides; 0 never hides automatically.
    board_auto_hide_flags: int = 3
    #: Posts per hour per person, and for accounts younger than ``board_new_account_days``.
    board_posts_per_hour: int = 30
    board_new_account_posts_per_hour: int = 5
    board_new_account_days: int = 7

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read every ``MUPASS_*`` variable; explicit ``overrides`` win."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        readers: dict[str, Any] = {
            "data_dir": Path,
            "database_url": str,
            "database_pool_size": int,
            "sqlite_busy_timeout_ms": int,
            "secret_key": str,
            "locales": _words,
            "default_locale": str,
            "content_fallback": _words,
            "default_timezone": str,
            "locales_dir": str,
            "base_url": lambda v: v.rstrip("/"),
            "demo": _flag,
            "log_level": lambda v: v.upper(),
            "access_log": _flag,
            "openapi": _flag,
            "smtp_host": str,
            "smtp_port": int,
            "smtp_user": str,
            "smtp_password": str,
            "smtp_tls": lambda v: v.strip().lower(),
            "smtp_timeout_seconds": float,
            "mail_from": str,
            "mail_relay": lambda v: v.strip().lower(),
            "mail_poll_seconds": float,
            "mail_retry_base_seconds": float,
            "mail_retry_cap_seconds": float,
            "mail_claim_timeout_seconds": float,
            "mail_give_up_hours": float,
            "redis_url": str,
            "redis_key_prefix": str,
            "cors_origins": _words,
            "trusted_proxies": _words,
            "password_hash_memory_kib": int,
            "password_hash_time_cost": int,
            "password_hash_concurrency": int,
            "requests_at_once": int,
            "warm_up": _flag,
            "session_lifetime_hours": int,
            "login_failures_per_account": int,
            "login_failures_per_address": int,
            "login_failure_window_seconds": int,
            "consent_link_days": int,
            "interest_link_days": int,
            "interest_per_client_per_hour": int,
            "retention_days": int,
            "consent_proof_days": int,
            "retention_max_days": int,
            "ended_session_days": int,
            "used_link_days": int,
            "sent_mail_days": int,
            "unverified_account_days": int,
            "board_event_days": int,
            "address_link_hours": int,
            "reminder_days": int,
            "visa_details_days": int,
            "document_fonts_dir": str,
            "board_channels": lambda v: v.strip().lower(),
            "board_auto_hide_flags": int,
            "board_posts_per_hour": int,
            "board_new_account_posts_per_hour": int,
            "board_new_account_days": int,
        }
        for name, read in readers.items():
            raw = env.get(PREFIX + name.upper())
            if raw is None:
                continue
            try:
                values[name] = read(raw)
            except ValueError as exc:
                raise SettingsError(f"{PREFIX}{name.upper()}: {exc}") from exc
        values.update(overrides)
        settings = cls(**values)
        settings.validate()
        return settings

    def replace(self, **changes: Any) -> Settings:
        changed = replace(self, **changes)
        changed.validate()
        return changed

    def validate(self) -> None:
        if not self.locales:
            raise SettingsError(f"{PREFIX}LOCALES names no locale")
        if self.default_locale not in self.locales:
            raise SettingsError(
                f"{PREFIX}DEFAULT_LOCALE {self.default_locale!r} is not one of "
                f"{PREFIX}LOCALES ({', '.join(self.locales)})"
            )
        try:
            ZoneInfo(self.default_timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SettingsError(
                f"{PREFIX}DEFAULT_TIMEZONE {self.default_timezone!r} is no IANA time zone"
            ) from exc
        if self.log_level not in LOG_LEVELS:
            raise SettingsError(
                f"{PREFIX}LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {self.log_level!r}"
            )
        if self.database_pool_size < 1:
            raise SettingsError(f"{PREFIX}DATABASE_POOL_SIZE must be at least 1")
        if self.password_hash_memory_kib < 64 or self.password_hash_time_cost < 1:
            raise SettingsError(
                f"{PREFIX}PASSWORD_HASH_MEMORY_KIB must be at least 64 and "
                f"{PREFIX}PASSWORD_HASH_TIME_COST at least 1"
            )
        if self.password_hash_concurrency < 1:
            raise SettingsError(f"{PREFIX}PASSWORD_HASH_CONCURRENCY must be at least 1")
        if self.requests_at_once < 1:
            raise SettingsError(f"{PREFIX}REQUESTS_AT_ONCE must be at least 1")
        url = self.database_url
        if url and not url.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise SettingsError(
                f"{PREFIX}DATABASE_URL must start with sqlite:/// or postgresql://, got {url!r}"
            )

        if self.smtp_tls not in SMTP_TLS_MODES:
            raise SettingsError(
                f"{PREFIX}SMTP_TLS must be one of {', '.join(SMTP_TLS_MODES)}, "
                f"got {self.smtp_tls!r}"
            )
        if self.mail_relay not in MAIL_RELAY_MODES:
            raise SettingsError(
                f"{PREFIX}MAIL_RELAY must be one of {', '.join(MAIL_RELAY_MODES)}, "
                f"got {self.mail_relay!r}"
            )
        if "@" not in self.mail_from:
            raise SettingsError(
                f"{PREFIX}MAIL_FROM must contain an address, got {self.mail_from!r}"
            )
        if min(self.mail_poll_seconds, self.mail_retry_base_seconds) <= 0:
            raise SettingsError(
                f"{PREFIX}MAIL_POLL_SECONDS and {PREFIX}MAIL_RETRY_BASE_SECONDS must be positive"
            )
        if self.smtp_timeout_seconds <= 0:
            raise SettingsError(f"{PREFIX}SMTP_TIMEOUT_SECONDS must be positive")
        if self.mail_claim_timeout_seconds <= self.smtp_timeout_seconds:
            # A relay holds a mail for one conversation at most; a shorter claim would let
            # another relay send it again while the first is still talking to the server.
            raise SettingsError(
                f"{PREFIX}MAIL_CLAIM_TIMEOUT_SECONDS must be longer than "
                f"{PREFIX}SMTP_TIMEOUT_SECONDS"
            )
        if self.mail_retry_cap_seconds < self.mail_retry_base_seconds:
            raise SettingsError(
                f"{PREFIX}MAIL_RETRY_CAP_SECONDS must not be below {PREFIX}MAIL_RETRY_BASE_SECONDS"
            )
        if self.consent_link_days < 1:
            raise SettingsError(f"{PREFIX}CONSENT_LINK_DAYS must be at least 1")
        if self.interest_link_days < 1:
            raise SettingsError(f"{PREFIX}INTEREST_LINK_DAYS must be at least 1")
        for proxy in self.trusted_proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError as exc:
                raise SettingsError(
                    f"{PREFIX}TRUSTED_PROXIES: {proxy!r} is not an IP address or network"
                ) from exc
        if self.interest_per_client_per_hour < 1:
            raise SettingsError(f"{PREFIX}INTEREST_PER_CLIENT_PER_HOUR must be at least 1")
        if self.reminder_days < 1:
            raise SettingsError(f"{PREFIX}REMINDER_DAYS must be at least 1")
        if self.retention_days < 1 or self.consent_proof_days < 1:
            raise SettingsError(
                f"{PREFIX}RETENTION_DAYS and {PREFIX}CONSENT_PROOF_DAYS must be at least 1"
            )
        if self.retention_max_days < self.retention_days:
            raise SettingsError(
                f"{PREFIX}RETENTION_MAX_DAYS must not be below {PREFIX}RETENTION_DAYS"
            )
        for name in (*STORE_PERIODS, "address_link_hours"):
            if getattr(self, name) < 1:
                raise SettingsError(f"{PREFIX}{name.upper()} must be at least 1")

        if not 0 <= self.visa_details_days <= self.retention_days:
            raise SettingsError(
                f"{PREFIX}VISA_DETAILS_DAYS must be between 0 and {PREFIX}RETENTION_DAYS"
            )

        if self.board_channels not in BOARD_CHANNELS:
            raise SettingsError(
                f"{PREFIX}BOARD_CHANNELS must be one of {', '.join(BOARD_CHANNELS)}, "
                f"got {self.board_channels!r}"
            )
        if self.board_channels == "redis" and not self.redis_url:
            raise SettingsError(f"{PREFIX}BOARD_CHANNELS=redis needs {PREFIX}REDIS_URL")
        if self.board_channels == "postgres" and self.uses_sqlite:
            raise SettingsError(f"{PREFIX}BOARD_CHANNELS=postgres needs a PostgreSQL database")

    @property
    def signing_key(self) -> str:
        """The key that signs links: ``MUPASS_SECRET_KEY``; else, on the embedded database, the
        one kept in the data directory (made on first use, so links survive restarts and work
        in every worker); else, on PostgreSQL, one made for this process."""
        if self.secret_key:
            return self.secret_key
        if self.uses_sqlite:
            return stored_secret_key(self.data_dir.resolve())
        return _process_secret_key()

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'mupass-forum.sqlite3').resolve()}"

    @property
    def uses_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite:///")


#: The file in the data directory that keeps the embedded default's secret key.
SECRET_KEY_FILE = "secret_key"  # noqa: S105 (a file name)


@functools.cache
def stored_secret_key(data_dir: Path) -> str:
    """The secret key kept in ``data_dir``, made (readable by its owner only) if there is none.

    Processes that start at the same moment agree: each writes a candidate to a file of its
    own, and only the first ``link`` to the final name succeeds; every one then reads that.
    """
    path = data_dir / SECRET_KEY_FILE
    if data_dir.exists() and not data_dir.is_dir():
        raise SettingsError(f"{PREFIX}DATA_DIR {data_dir} is not a directory")
    try:
        if not path.exists():
            data_dir.mkdir(parents=True, exist_ok=True)
            descriptor, candidate = tempfile.mkstemp(dir=data_dir, prefix=f".{SECRET_KEY_FILE}.")
            try:
                with os.fdopen(descriptor, "w") as file:
                    file.write(secrets.token_urlsafe(48) + "\n")
                    file.flush()
                    os.fsync(file.fileno())
                with contextlib.suppress(FileExistsError):
                    os.link(candidate, path)
            finally:
                os.unlink(candidate)
        key = path.read_text().strip()
    except OSError as exc:
        raise SettingsError(
            f"cannot keep the secret key in the data directory {data_dir} "
            f"({exc.strerror or exc}); check {PREFIX}DATA_DIR or set {PREFIX}SECRET_KEY"
        ) from exc
    if not key:
        raise SettingsError(f"{path} is empty; remove it (links signed before break) or set it")
    return key


@functools.cache
def _process_secret_key() -> str:
    return secrets.token_urlsafe(48)
