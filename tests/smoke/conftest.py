"""The real server: `mupass-forum serve` started as a process, talked to over loopback only.

Each server gets a data directory of its own, mail goes to an SMTP server the tests start, and
on PostgreSQL each test module gets a database of its own (migrated by two `migrate` processes
at once, which must agree). Every wait is bounded; every process is killed in teardown; a
failing test shows the output of the servers it started.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import TEST_DATABASE_URL, _admin, _with_database, free_port, on_postgres
from tests.mail_fixtures import SmtpServer, token_in

#: The servers of the running module, so that a failing test shows what they said.
_started: list[Server] = []


def command(*args: str) -> list[str]:
    """The installed console script, as a user runs it."""
    script = Path(sys.executable).with_name("mupass-forum")
    if script.exists():
        return [str(script), *args]
    found = shutil.which("mupass-forum")
    return [found, *args] if found else [sys.executable, "-m", "mupass_forum", *args]


def clean_environment(env: dict[str, str]) -> dict[str, str]:
    """This process's environment without any MUPASS_ setting, then ``env``."""
    return {
        **{name: value for name, value in os.environ.items() if not name.startswith("MUPASS_")},
        **env,
    }


def run_command(
    *args: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(*args),
        env=clean_environment(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class Server:
    """One `mupass-forum serve` process and the file its output goes to."""

    def __init__(self, env: dict[str, str], log_path: Path, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {"MUPASS_BASE_URL": self.url, **env}
        self.log_path = log_path
        self.args = ("serve", "--port", str(self.port), *args)
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        with self.log_path.open("wb") as log:
            # A session of its own: the server's workers are stopped together with it.
            self.process = subprocess.Popen(
                command(*self.args),
                env=clean_environment(self.env),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _started.append(self)
        return self

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_ready(self, timeout: float = 30) -> Server:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited with {self.process.returncode}:\n{self.log}")
            try:
                if httpx.get(f"{self.url}/health/ready", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        pytest.fail(f"the server was not ready within {timeout} s:\n{self.log}")

    def terminate(self, timeout: float = 20) -> int:
        """SIGTERM, as process managers stop services; the exit status once it is down."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"the server did not stop within {timeout} s of SIGTERM:\n{self.log}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def worker_pids(self) -> list[int]:
        """The children of the server process: with ``--workers``, the workers."""
        assert self.process is not None
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(child) for child in children]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for server in _started:
            report.sections.append((f"output of {' '.join(server.args)}", server.log))


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.close()


@pytest.fixture(scope="module")
def server_database(database_url: str) -> Iterator[dict[str, str]]:
    """The database settings of this module's servers: SQLite in their data directory, or a
    PostgreSQL database of their own, migrated by two processes at once.

    It asks for the run's ``database_url`` first, so that a PostgreSQL that cannot be reached
    is handled as for the whole suite (skipped, or failed under ``CI=true``).
    """
    if not on_postgres():
        yield {}
        return
    name = f"mupass_smoke_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(TEST_DATABASE_URL, f'CREATE DATABASE "{name}"'))
    try:
        env = {"MUPASS_DATABASE_URL": _with_database(TEST_DATABASE_URL, name)}
        migrations = [
            subprocess.Popen(
                command("migrate"),
                env=clean_environment(env),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [process.communicate(timeout=120)[0] for process in migrations]
        assert [process.returncode for process in migrations] == [0, 0], outputs
        yield env
    finally:
        asyncio.run(_admin(TEST_DATABASE_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="module")
def server_env(
    tmp_path_factory: pytest.TempPathFactory, server_database: dict[str, str], smtp: SmtpServer
) -> dict[str, str]:
    """Settings every server of the module shares: data, database, mail, cheap hashes."""
    return {
        "MUPASS_DATA_DIR": str(tmp_path_factory.mktemp("server-data")),
        **server_database,
        "MUPASS_SMTP_HOST": "127.0.0.1",
        "MUPASS_SMTP_PORT": str(smtp.port),
        "MUPASS_MAIL_POLL_SECONDS": "1",
        "MUPASS_PASSWORD_HASH_MEMORY_KIB": "1024",
        "MUPASS_PASSWORD_HASH_TIME_COST": "1",
        "MUPASS_LOG_LEVEL": "INFO",
    }


@pytest.fixture(scope="module")
def start_server(
    tmp_path_factory: pytest.TempPathFactory, server_env: dict[str, str]
) -> Iterator[Any]:
    """``start_server(*serve_args, **env)``: a ready server; every one is killed at the end."""
    servers: list[Server] = []

    def start(*args: str, ready: bool = True, **env: str) -> Server:
        log = tmp_path_factory.mktemp("server-log") / "serve.log"
        server = Server({**server_env, **env}, log, *args)
        servers.append(server)
        server.start()
        return server.wait_ready() if ready else server

    yield start
    for server in servers:
        server.kill()
        _started.remove(server)


def sign_up(base_url: str, smtp: SmtpServer, email: str) -> str:
    """Sign up through the API, follow the link of the confirmation mail; the password."""
    password = f"pass-{uuid.uuid4().hex}"
    response = httpx.post(
        f"{base_url}/api/v1/auth/signup",
        json={
            "email": email,
            "password": password,
            "display_name": "Ama Owusu",
            "locale": "fr",
            "timezone": "Africa/Accra",
        },
        timeout=10,
    )
    assert response.status_code == 202, response.text
    token = token_in(smtp.wait_for(to=email, timeout=20)[0], f"{base_url}/account/verify")
    verified = httpx.post(f"{base_url}/api/v1/auth/verify", json={"token": token}, timeout=10)
    assert verified.status_code == 204, verified.text
    return password


def sign_in(base_url: str, email: str, password: str) -> dict[str, str]:
    response = httpx.post(
        f"{base_url}/api/v1/auth/login", json={"email": email, "password": password}, timeout=10
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}
