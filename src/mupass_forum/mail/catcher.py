"""A mail catcher for development: an SMTP server that keeps every mail as an ``.eml`` file.

``mupass-forum mailcatcher`` listens where the relay sends by default (127.0.0.1:1025), so mail
from a development server can be read without any real mail account. The tests' SMTP server is
built on the same pieces.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.policy
import uuid
from collections.abc import Callable
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP

SERVER_NAME = "mupass-forum-mailcatcher"


def parse_message(content: bytes) -> EmailMessage:
    message = BytesParser(policy=email.policy.default).parsebytes(content)
    assert isinstance(message, EmailMessage)
    return message


async def serve_smtp(
    handler: Any, host: str, port: int, connections: set[SMTP] | None = None
) -> asyncio.Server:
    """An aiosmtpd server for ``handler`` on ``host:port`` (0: a free port) in the running loop.

    Each connection's protocol is added to ``connections``, if given, so that they can be cut.
    """
    loop = asyncio.get_running_loop()

    def connect() -> SMTP:
        protocol = SMTP(handler, hostname=SERVER_NAME, enable_SMTPUTF8=True, loop=loop)
        if connections is not None:
            connections.add(protocol)
        return protocol

    return await loop.create_server(connect, host=host, port=port, reuse_address=True)


class MailCatcher:
    """Stores each received mail in ``directory`` and reports it with ``report``."""

    def __init__(self, directory: Path, report: Callable[[str], None]) -> None:
        self.directory = directory
        self.report = report

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or envelope.content
        received = dt.datetime.now().astimezone()
        name = f"{received:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / name).write_bytes(content)
        message = parse_message(content)
        self.report(
            f"{received:%Y-%m-%d %H:%M:%S} from {envelope.mail_from} "
            f"to {', '.join(envelope.rcpt_tos)}: {message.get('Subject', '')}  [{name}]"
        )
        return "250 Message accepted for delivery"
