"""The outbox's share of a person's data: the mails sent to them.

The export lists them by subject, template and date (the bodies and extra headers, such as the
unsubscribe link, repeat what the other sections hold). Erasure removes every mail to the
person, queued or sent, and in mails to others replaces the person's address and names by
"former participant" in the mail's own language, in the extra headers too.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from piccolo.columns.combination import Or, Where
from piccolo.custom_types import Combinable

from mupass_forum.i18n import N_, gettext, use_locale
from mupass_forum.mail import headers as mail_headers
from mupass_forum.mail.tables import MailStatus, OutboxMail
from mupass_forum.privacy.registry import (
    FORMER_PARTICIPANT,
    STAGE_MAIL,
    ErasureRequest,
    PersonalData,
    Subject,
)

#: The columns of a mail that may name people.
_TEXT_COLUMNS = (
    OutboxMail.recipient,
    OutboxMail.subject,
    OutboxMail.text,
    OutboxMail.html,
    OutboxMail.last_error,
    OutboxMail.refused_recipients,
)
#: Columns holding a JSON object of texts, changed value by value so that it stays valid.
_JSON_COLUMNS = (OutboxMail.headers,)


def _to_subject(subject: Subject) -> Or | Where:
    return (OutboxMail.user_id == subject.user_id) | OutboxMail.recipient.like(f"%{subject.email}%")


async def export(subject: Subject) -> Mapping[str, Any]:
    mails = (
        await OutboxMail.select(
            OutboxMail.recipient,
            OutboxMail.subject,
            OutboxMail.template,
            OutboxMail.locale,
            OutboxMail.status,
            OutboxMail.created_at,
            OutboxMail.sent_at,
        )
        .where(_to_subject(subject))
        .order_by(OutboxMail.id)
    )
    return {"mails": mails}


def _terms(subject: Subject) -> list[str]:
    """What names the person in a mail, the longest first so that no part is left over."""
    plain = [subject.email, *subject.names]
    escaped = [html.escape(term) for term in plain]
    return sorted({term for term in plain + escaped if term}, key=len, reverse=True)


def _replaced(value: str, terms: list[str], label: str) -> str:
    for term in terms:
        value = value.replace(term, label)
    return value


async def erase(request: ErasureRequest) -> None:
    await OutboxMail.delete().where(_to_subject(request.subject))
    terms = _terms(request.subject)
    mentioning: Combinable | None = None
    for term in terms:
        for column in (*_TEXT_COLUMNS, *_JSON_COLUMNS):
            condition = column.like(f"%{term}%")
            mentioning = condition if mentioning is None else mentioning | condition
    if mentioning is None:
        return
    columns = [OutboxMail.id, OutboxMail.locale, *_TEXT_COLUMNS, *_JSON_COLUMNS]
    for mail in await OutboxMail.select(*columns).where(mentioning):
        with use_locale(mail["locale"]):
            label = gettext(FORMER_PARTICIPANT)
        changes: dict[Any, Any] = {}
        for column in _TEXT_COLUMNS:
            value = _replaced(mail[column._meta.name], terms, label)
            if value != mail[column._meta.name]:
                changes[column] = value
        for column in _JSON_COLUMNS:
            stored = mail_headers.from_json(mail[column._meta.name])
            anonymous = {name: _replaced(value, terms, label) for name, value in stored.items()}
            if anonymous != stored:
                changes[column] = mail_headers.to_json(anonymous)
        if changes:
            await OutboxMail.update(changes).where(OutboxMail.id == mail["id"])


# Retention -------------------------------------------------------------------------------------

#: Mails the relay is done with; queued and sending ones are still to be delivered.
DONE = (MailStatus.sent.value, MailStatus.parked.value)


def _done_mentioning(fragment: str) -> Combinable:
    return OutboxMail.status.is_in(list(DONE)) & OutboxMail.text.like(f"%{fragment}%")


async def count_done_mentioning(fragment: str) -> int:
    """Sent or parked mails whose text holds ``fragment`` (a forum's address, say)."""
    return int(await OutboxMail.count().where(_done_mentioning(fragment)))


async def remove_done_mentioning(fragment: str) -> int:
    """Remove sent or parked mails whose text holds ``fragment``; returns how many."""
    removed = await OutboxMail.delete().where(_done_mentioning(fragment)).returning(OutboxMail.id)
    return len(removed)


PERSONAL_DATA = PersonalData(
    section="mail",
    # i18n: Part of the personal data export (README).
    description=N_("The mails we sent you: subject, kind of mail, language and date."),
    tables={OutboxMail: "mails"},
    export=export,
    erase=erase,
    stage=STAGE_MAIL,
)
