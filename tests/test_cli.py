"""The `mupass-forum` command, run as a real process."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mupass_forum import __version__
from mupass_forum.accounts.demo_data import DEMO_ACCOUNTS
from tests.conftest import TEST_DATABASE_URL, free_port, on_postgres


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("MUPASS_")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "mupass_forum", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=timeout,
        check=False,
    )


def test_help_names_every_command():
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("serve", "migrate"):
        assert command in result.stdout


def test_serve_help_documents_its_options():
    result = run_cli("serve", "--help")
    for option in ("--host", "--port", "--workers", "--reload", "--demo"):
        assert option in result.stdout


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0
    assert __version__ in result.stdout


def test_migrate_then_check_on_a_new_sqlite_file(tmp_path: Path):
    env = {"MUPASS_DATA_DIR": str(tmp_path)}

    first = run_cli("migrate", env=env)
    check = run_cli("migrate", "--check", env=env)

    assert first.returncode == 0, first.stderr
    assert (tmp_path / "mupass-forum.sqlite3").exists()
    assert check.returncode == 0, check.stderr
    assert "up to date" in check.stdout


def test_bad_configuration_is_reported_in_clear_words(tmp_path: Path):
    result = run_cli("migrate", env={"MUPASS_DATABASE_URL": "mysql://nope"})
    assert result.returncode != 0
    assert "MUPASS_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


@contextlib.contextmanager
def serving(tmp_path: Path, *args: str) -> Iterator[tuple[int, Path]]:
    """``mupass-forum serve`` on a free port and a new data folder, ready to answer; yields
    the port and the log, and stops it afterwards."""
    port = free_port()
    log_path = tmp_path / "serve.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "mupass_forum", "serve", "--port", str(port), *args],
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("MUPASS_")},
            "MUPASS_DATA_DIR": str(tmp_path),
            "MUPASS_LOG_LEVEL": "WARNING",
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=1)
                status = response.status_code
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert status == 200, log_path.read_text()
        yield port, log_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - only when shutdown hangs
            process.kill()
            pytest.fail("the server did not stop on SIGTERM")
        finally:
            log.close()
    # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status tells why.
    assert process.returncode in (0, -signal.SIGTERM)


# Refusing to start, in one line --------------------------------------------------------------


def assert_refused(result: subprocess.CompletedProcess[str], *words: str) -> None:
    """Exit status 1, one line of error naming ``words``, no traceback, nothing served."""
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), result.stderr
    for word in words:
        assert word in lines[0]
    assert "Serving" not in result.stdout


@pytest.mark.parametrize(
    ("env", "words"),
    [
        (
            {"MUPASS_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"},
            ["cannot connect to the database", "PostgreSQL at 127.0.0.1:1/none"],
        ),
        ({"MUPASS_LOCALES": "de,en,fr,es,pt"}, ["'pt'", "mupass-forum i18n init pt"]),
        ({"MUPASS_LOG_LEVEL": "LOUD"}, ["MUPASS_LOG_LEVEL"]),
        ({"MUPASS_DATA_DIR": "{tmp}/a-file"}, ["MUPASS_DATA_DIR", "is not a directory"]),
    ],
    ids=["database-down", "locale-without-catalog", "log-level", "data-dir-a-file"],
)
def test_serve_refuses_a_configuration_it_cannot_serve(tmp_path: Path, env, words):
    (tmp_path / "a-file").write_text("")
    environment = {"MUPASS_DATA_DIR": str(tmp_path / "data")}
    environment.update({name: value.format(tmp=tmp_path) for name, value in env.items()})

    result = run_cli("serve", "--port", str(free_port()), env=environment)

    assert_refused(result, *words)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every directory")
def test_serve_refuses_an_unreadable_data_dir(tmp_path: Path):
    data = tmp_path / "data"
    data.mkdir(mode=0o000)
    try:
        result = run_cli("serve", "--port", str(free_port()), env={"MUPASS_DATA_DIR": str(data)})
    finally:
        data.chmod(0o700)
    assert_refused(result, "data directory", str(data))


@pytest.mark.skipif(not on_postgres(), reason="needs a PostgreSQL server")
def test_serve_names_a_missing_postgresql_database(tmp_path: Path):
    missing = TEST_DATABASE_URL.rsplit("/", 1)[0] + "/mupass_no_such_database"
    result = run_cli(
        "serve",
        "--port",
        str(free_port()),
        env={"MUPASS_DATA_DIR": str(tmp_path), "MUPASS_DATABASE_URL": missing},
    )
    assert_refused(result, "mupass_no_such_database", "does not exist")


def test_serve_refuses_a_port_in_use(tmp_path: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--port", str(port), env={"MUPASS_DATA_DIR": str(tmp_path)})
    assert_refused(result, f"cannot listen on 127.0.0.1:{port}")
    assert not (tmp_path / "mupass-forum.sqlite3").exists()


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({}, ["--workers 2", "MUPASS_BOARD_CHANNELS=redis or postgres"]),
        (
            {
                "MUPASS_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
                "MUPASS_BOARD_CHANNELS": "postgres",
            },
            ["--workers 2 on PostgreSQL", "MUPASS_SECRET_KEY"],
        ),
    ],
    ids=["memory-channels", "postgresql-without-secret-key"],
)
def test_several_workers_need_what_they_share(tmp_path: Path, env, words):
    result = run_cli(
        "serve",
        "--workers",
        "2",
        "--port",
        str(free_port()),
        env={"MUPASS_DATA_DIR": str(tmp_path), **env},
    )
    assert_refused(result, *words)


def test_migrate_names_an_unreachable_database():
    result = run_cli("migrate", env={"MUPASS_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/x"})
    assert_refused(result, "cannot connect to the database")


def test_serve_answers_ready_within_seconds(tmp_path: Path):
    started = time.monotonic()
    with serving(tmp_path) as (port, _):
        assert time.monotonic() - started < 20
        problem = httpx.get(f"http://127.0.0.1:{port}/api/v1/nothing?lang=de", timeout=2)
        assert problem.json()["title"] == "Nicht gefunden"


def test_serve_demo_prints_the_accounts_to_sign_in_with(tmp_path: Path):
    with serving(tmp_path, "--demo") as (port, log_path):
        printed = log_path.read_text()
        for account in DEMO_ACCOUNTS:
            assert f"Demo account: {account.email}  password: {account.password}" in printed
            login = httpx.post(
                f"http://127.0.0.1:{port}/api/v1/auth/login",
                json={"email": account.email, "password": account.password},
                timeout=10,
            )
            assert login.status_code == 200, login.text
