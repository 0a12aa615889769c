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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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
