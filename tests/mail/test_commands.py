"""The mail commands, run as real processes."""

from __future__ import annotations

import os
import signal
import smtplib
import subprocess
import sys
import time
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

from mupass_forum.mail.catcher import parse_message
from tests.mail.outbox_routes import address
from tests.test_cli import free_port, run_cli


def start(args: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("MUPASS_")}
    with log_path.open("w") as log:  # the child keeps its own copy of the file
        return subprocess.Popen(
            [sys.executable, "-m", "mupass_forum", *args],
            env={**environment, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def wait_until(check: Callable[[], bool], log_path: Path, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, log_path.read_text()
        time.sleep(0.05)


def stop(process: subprocess.Popen[bytes], log_path: Path) -> str:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:  # pragma: no cover - only when shutdown hangs
        process.kill()
        raise AssertionError(f"no clean stop on SIGTERM:\n{log_path.read_text()}") from None
    output = log_path.read_text()
    assert process.returncode == 0, output
    return output


def test_the_mailcatcher_keeps_each_mail_as_an_eml_file(tmp_path: Path):
    port, folder, log_path = free_port(), tmp_path / "caught", tmp_path / "catcher.log"
    process = start(["mailcatcher", "--port", str(port), "--dir", str(folder)], {}, log_path)
    try:
        wait_until(lambda: "Catching mail" in log_path.read_text(), log_path)
        mail = EmailMessage()
        mail["From"] = "forum@example.org"
        mail["To"] = "ada@example.org"
        mail["Subject"] = "Réunion à Ouagadougou"
        mail.set_content("Bonjour")
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            client.send_message(mail)
        wait_until(lambda: "ada@example.org" in log_path.read_text(), log_path)
    finally:
        output = stop(process, log_path)

    [saved] = list(folder.glob("*.eml"))
    assert parse_message(saved.read_bytes())["Subject"] == "Réunion à Ouagadougou"
    [line] = [line for line in output.splitlines() if "ada@example.org" in line]
    assert "from forum@example.org" in line
    assert "Réunion à Ouagadougou" in line


def test_a_test_mail_goes_out_through_the_external_relay(tmp_path: Path, smtp_server):
    to = address()
    env = {
        "MUPASS_DATA_DIR": str(tmp_path),
        "MUPASS_SMTP_PORT": str(smtp_server.port),
        "MUPASS_MAIL_RELAY": "external",
        "MUPASS_MAIL_POLL_SECONDS": "0.2",
    }
    assert run_cli("migrate", env=env).returncode == 0
    queued = run_cli("mail-test", to, "--locale", "de", env=env)
    assert queued.returncode == 0, queued.stderr
    waiting = run_cli("mail-outbox", env=env)
    assert "queued   attempts 0" in waiting.stdout
    assert to in waiting.stdout

    log_path = tmp_path / "relay.log"
    relay = start(["mail-relay"], env, log_path)
    try:
        [message] = smtp_server.wait_for(to=to, timeout=20)
    finally:
        stop(relay, log_path)

    assert message["Subject"].startswith("Testnachricht von ")
    sent = run_cli("mail-outbox", "--status", "sent", env=env)
    assert to in sent.stdout
    assert "mail.test" in sent.stdout
    assert "The outbox has no such mail." in run_cli("mail-outbox", "--parked", env=env).stdout


def test_requeueing_a_mail_that_is_not_parked_fails(tmp_path: Path):
    env = {"MUPASS_DATA_DIR": str(tmp_path)}
    assert run_cli("migrate", env=env).returncode == 0

    result = run_cli("mail-outbox", "--requeue", "12345", env=env)

    assert result.returncode == 1
    assert "no parked mail has the id 12345" in result.stderr
