"""The API answers as its OpenAPI document says: schemathesis against `mupass-forum serve`.

Every operation, with a bounded number of generated requests each, signed in as a platform
admin and anonymously: no server error, no status code, media type or body the document does
not describe. Schemathesis' check that every schema-valid request is accepted stays off: a
wrong password, an unknown token or cursor, a time zone or region code that does not exist
are valid to the schema and refused by the service, as they must be.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from tests.smoke.conftest import Server, clean_environment, command

pytestmark = pytest.mark.smoke

#: Generated requests per operation and phase; CI's time budget, not the fuzzer's appetite.
EXAMPLES = 3
#: Operations that would end the run's own sign-in or account.
SPARED = ("log_out", "erase_account", "revoke_my_session")


@pytest.fixture(scope="module")
def server(start_server) -> Server:
    return start_server(MUPASS_MAIL_RELAY="off", MUPASS_LOG_LEVEL="WARNING")


@pytest.fixture(scope="module")
def admin_token(server: Server) -> str:
    email = f"fuzz-{uuid.uuid4().hex[:10]}@example.org"
    password = f"Fuzzing passphrase {uuid.uuid4().hex[:8]}"
    made = subprocess.run(
        command("create-admin", email, "--display-name", "Fuzz"),
        input=f"{password}\n{password}\n",
        env=clean_environment(server.env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    signed_in = httpx.post(
        f"{server.url}/api/v1/auth/login", json={"email": email, "password": password}, timeout=10
    )
    assert signed_in.status_code == 200, signed_in.text
    return str(signed_in.json()["token"])


def schemathesis(server: Server, *args: str) -> subprocess.CompletedProcess[str]:
    executable = Path(sys.executable).with_name("schemathesis")
    # Its cache of findings goes to the server's data directory, not into the checkout.
    return subprocess.run(
        [
            str(executable),
            "run",
            f"{server.url}/schema/openapi.json",
            "--checks",
            "all",
            "--exclude-checks",
            "positive_data_acceptance",
            "--max-examples",
            str(EXAMPLES),
            # One worker: on Python 3.11 hypothesis describing its filters from two threads
            # at once trips CPython's AST recursion check (SystemError) now and then.
            "--workers",
            "1",
            "--seed",
            "19",
            "--no-color",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        cwd=server.env["MUPASS_DATA_DIR"],
    )


def test_the_api_answers_as_documented_to_a_platform_admin(server: Server, admin_token: str):
    spared = [arg for name in SPARED for arg in ("--exclude-operation-id", name)]
    run = schemathesis(server, "--header", f"Authorization: Bearer {admin_token}", *spared)

    assert run.returncode == 0, run.stdout[-20_000:] + run.stderr
    assert "Traceback" not in server.log and " ERROR " not in server.log, server.log[-20_000:]


def test_the_api_answers_as_documented_to_anyone(server: Server):
    run = schemathesis(server)

    assert run.returncode == 0, run.stdout[-20_000:] + run.stderr
    assert "Traceback" not in server.log and " ERROR " not in server.log, server.log[-20_000:]
