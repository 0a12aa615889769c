"""Reliable mail: templates rendered per recipient, an outbox written in the caller's
transaction, and a relay that delivers it at least once."""

from mupass_forum.mail.services import (
    MailOutsideTransaction,
    Recipient,
    queue_mail,
    queue_mail_to,
)
from mupass_forum.mail.templates import MailTemplate

__all__ = ["MailOutsideTransaction", "MailTemplate", "Recipient", "queue_mail", "queue_mail_to"]
