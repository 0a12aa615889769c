"""Reliable mail: templates rendered per recipient, an outbox written in the caller's
transaction, and a relay that delivers it at least once."""

from mupass_forum.mail.services import MailOutsideTransaction, queue_mail
from mupass_forum.mail.templates import MailTemplate

__all__ = ["MailOutsideTransaction", "MailTemplate", "queue_mail"]
