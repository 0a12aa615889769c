"""Messages from a forum's organizers to its people: written once per language, sent once.

A message is a draft until it is sent. Sending is one transaction that claims the message's
``sent_at`` (so a second send, a retried request or a double click, finds it taken and sends
nothing) and writes one ``MessageDelivery`` per address (unique per message and address) with
its mail, queued in the outbox in the person's language: the message's text in that language,
else in the fallback language the organizer named.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from mupass_forum import db, regions
from mupass_forum.accounts.principal import Principal
from mupass_forum.clock import now
from mupass_forum.consent.links import withdrawal_link
from mupass_forum.errors import FieldError, InvalidInput
from mupass_forum.forums.authorization import ForumRef
from mupass_forum.forums.queries import organized_forum
from mupass_forum.i18n import N_, NP_, supported_locales
from mupass_forum.i18n.formatting import language_name
from mupass_forum.mail import queue_mail
from mupass_forum.outreach import mails, schemas
from mupass_forum.outreach.tables import MessageDelivery, ParticipantMessage
from mupass_forum.registrations.forum_facts import forum_facts
from mupass_forum.rows import Moment, forum_row, row_as, rows_as
from mupass_forum.validation import locale_problem

#: The longest subject and text accepted.
SUBJECT_LENGTH = 200
BODY_LENGTH = 20_000

Audience = schemas.Audience

#: Registration statuses each audience stands for (confirmed includes the checked-in).
_STATUSES: Mapping[Audience, tuple[str, ...]] = {
    Audience.CONFIRMED: ("confirmed", "attended"),
    Audience.WAITLISTED: ("waitlisted",),
    Audience.PENDING_APPROVAL: ("pending_approval",),
}

_NEEDS: Mapping[schemas.Need, str] = {
    schemas.Need.VISA_LETTER: "r.needs_visa_letter = {}",
    schemas.Need.TRAVEL_SUPPORT: "r.travel_support_requested = {}",
    schemas.Need.ACCESSIBILITY: "(r.accessibility_needs <> '') = {}",
    schemas.Need.DIETARY: "(r.dietary_needs <> '') = {}",
}


# Recipients ------------------------------------------------------------------------------------


class Recipient(msgspec.Struct, frozen=True, kw_only=True):
    email: str
    name: str
    locale: str
    #: Null for people who only registered interest, as is ``user_id``.
    timezone: str | None = None
    user_id: int | None = None


async def recipients_of(forum_id: int, chosen: schemas.Recipients) -> list[Recipient]:
    """Everyone ``chosen`` names, once per address (a registration before interest)."""
    found: dict[str, Recipient] = {}
    statuses = [status for audience in chosen.audiences for status in _STATUSES.get(audience, ())]
    if statuses:
        marks = ", ".join("{}" for _ in statuses)
        sql = (
            "SELECT u.id AS user_id, u.email, u.display_name AS name, u.locale, u.timezone "  # noqa: S608 (placeholders only)
            'FROM registration r JOIN account_user u ON u.id = r."user" '
            'LEFT JOIN participant_profile p ON p."user" = r."user" '
            f"WHERE r.forum = {{}} AND r.anonymized_at IS NULL AND r.status IN ({marks}) "
        )
        args: list[object] = [forum_id, *statuses]
        if chosen.region:
            sql += "AND (p.region = {} OR p.sub_region = {}) "
            args += [chosen.region, chosen.region]
        if chosen.need is not None:
            sql += f"AND {_NEEDS[chosen.need]} "
            args.append(True)
        rows = await ParticipantMessage.raw(sql + "ORDER BY r.id", *args)
        for person in rows_as(rows, Recipient):
            found.setdefault(person.email.lower(), person)
    if Audience.INTERESTED in chosen.audiences and chosen.need is None:
        sql = (
            "SELECT i.email, i.given_name AS name, i.locale FROM registration_interest i "
            "WHERE i.forum = {} AND i.confirmed_at IS NOT NULL AND i.anonymized_at IS NULL "
        )
        args = [forum_id]
        if chosen.region:
            sql += "AND (i.region = {} OR i.sub_region = {}) "
            args += [chosen.region, chosen.region]
        rows = await ParticipantMessage.raw(sql + "ORDER BY i.id", *args)
        for person in rows_as(rows, Recipient):
            found.setdefault(person.email.lower(), person)
    return list(found.values())


# Messages --------------------------------------------------------------------------------------


def _texts(
    values: Mapping[str, str], pointer: str, length: int
) -> tuple[dict[str, str], list[FieldError]]:
    problems: list[FieldError] = []
    texts: dict[str, str] = {}
    for locale, text in values.items():
        if locale not in supported_locales():
            problems.append(
                FieldError(
                    N_("Use one of: {supported}."),
                    "unsupported_locale",
                    pointer=f"{pointer}/{locale}",
                    params={"supported": ", ".join(supported_locales())},
                )
            )
        elif len(text) > length:
            problems.append(
                FieldError(
                    NP_("At most {n} character, please.", "At most {n} characters, please."),
                    "too_long",
                    pointer=f"{pointer}/{locale}",
                    params={"n": length},
                )
            )
        elif text.strip():
            texts[locale] = text.strip()
    return texts, problems


def _checked(data: schemas.MessageCreate) -> tuple[dict[str, str], dict[str, str]]:
    subjects, problems = _texts(data.subject, "/subject", SUBJECT_LENGTH)
    bodies, more = _texts(data.body, "/body", BODY_LENGTH)
    problems += more
    if problem := locale_problem(data.fallback_locale, "/fallback_locale"):
        problems.append(problem)
    elif not (data.fallback_locale in subjects and data.fallback_locale in bodies):
        problems.append(
            FieldError(
                N_("Write the subject and the text in the fallback language."),
                "fallback_missing",
                pointer="/fallback_locale",
            )
        )
    if set(subjects) != set(bodies):
        problems.append(
            FieldError(
                N_("Each language needs both a subject and a text."),
                "incomplete_language",
                pointer="/body",
            )
        )
    if not data.recipients.audiences:
        problems.append(
            FieldError(N_("Choose whom to write to."), "no_recipients", pointer="/audiences")
        )
    region = data.recipients.region
    if region and not regions.is_region(region):
        problems.append(
            FieldError(
                N_("There is no region with the code {code}."),
                "unknown_region",
                pointer="/region",
                params={"code": region},
            )
        )
    if problems:
        raise InvalidInput(*problems)
    return subjects, bodies


class _MessageRow(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    #: JSON, as are ``body`` and ``recipients``.
    subject: str
    body: str
    fallback_locale: str
    recipients: str
    author_name: str | None
    created_at: Moment
    sent_at: Moment | None
    recipient_count: int


def _message(slug: str, row: _MessageRow) -> schemas.Message:
    return schemas.Message(
        id=row.id,
        forum=slug,
        subject=msgspec.json.decode(row.subject, type=dict[str, str]),
        body=msgspec.json.decode(row.body, type=dict[str, str]),
        fallback_locale=row.fallback_locale,
        recipients=msgspec.json.decode(row.recipients, type=schemas.Recipients),
        author_name=row.author_name,
        created_at=row.created_at,
        sent_at=row.sent_at,
        recipient_count=row.recipient_count,
    )


_COLUMNS = (
    ParticipantMessage.id,
    ParticipantMessage.subject,
    ParticipantMessage.body,
    ParticipantMessage.fallback_locale,
    ParticipantMessage.recipients,
    ParticipantMessage.author.display_name.as_alias("author_name"),
    ParticipantMessage.created_at,
    ParticipantMessage.sent_at,
    ParticipantMessage.recipient_count,
)


async def _row(forum: ForumRef, message_id: int) -> _MessageRow:
    row = await forum_row(ParticipantMessage, _COLUMNS, forum.id, message_id, "message_not_found")
    return row_as(row, _MessageRow)


async def create_message(
    principal: Principal, slug: str, data: schemas.MessageCreate
) -> schemas.Message:
    """Write a message (not sent yet) to the people ``data.recipients`` names (organizers)."""
    forum = await organized_forum(principal, slug)
    subjects, bodies = _checked(data)
    rows = await ParticipantMessage.insert(
        ParticipantMessage(
            forum=forum.id,
            author=principal.user_id,
            subject=subjects,
            body=bodies,
            fallback_locale=data.fallback_locale,
            recipients=msgspec.to_builtins(data.recipients),
            created_at=now(),
        )
    ).returning(ParticipantMessage.id)
    return _message(slug, await _row(forum, rows[0]["id"]))


def _written_in(message: schemas.Message, locale: str) -> str:
    return locale if locale in message.subject else message.fallback_locale


async def preview(principal: Principal, slug: str, message_id: int) -> schemas.MessagePreview:
    """What each language's readers get, and how many people read each (organizers)."""
    forum = await organized_forum(principal, slug)
    message = _message(slug, await _row(forum, message_id))
    people = await recipients_of(forum.id, message.recipients)
    by_locale: dict[str, int] = {}
    for person in people:
        by_locale[person.locale] = by_locale.get(person.locale, 0) + 1
    languages = []
    for locale in supported_locales():
        written_in = _written_in(message, locale)
        languages.append(
            schemas.LanguagePreview(
                locale=locale,
                language_name=language_name(locale),
                written_in=written_in,
                is_fallback=written_in != locale,
                subject=message.subject[written_in],
                text=message.body[written_in],
                recipients=by_locale.get(locale, 0),
            )
        )
    return schemas.MessagePreview(message=message, languages=languages, recipient_total=len(people))


def _paragraphs(text: str) -> list[str]:
    blocks = [" ".join(block.split()) for block in text.replace("\r\n", "\n").split("\n\n")]
    return [block for block in blocks if block]


async def send_message(principal: Principal, slug: str, message_id: int) -> schemas.Message:
    """Send a message to each recipient in their language, once; sending again sends nothing."""
    forum = await organized_forum(principal, slug)
    message = _message(slug, await _row(forum, message_id))
    async with db.transaction():
        claimed = await (
            ParticipantMessage.update({ParticipantMessage.sent_at: now()})
            .where(ParticipantMessage.id == message_id, ParticipantMessage.sent_at.is_null())
            .returning(ParticipantMessage.id)
        )
        if claimed:
            count = await _deliver(forum, message)
            await ParticipantMessage.update({ParticipantMessage.recipient_count: count}).where(
                ParticipantMessage.id == message_id
            )
    return _message(slug, await _row(forum, message_id))


async def _deliver(forum: ForumRef, message: schemas.Message) -> int:
    facts = await forum_facts(forum.id)
    sent = 0
    for person in await recipients_of(forum.id, message.recipients):
        written_in = _written_in(message, person.locale)
        inserted = await (
            MessageDelivery.insert(
                MessageDelivery(
                    message=message.id,
                    key=f"{message.id}:{person.email.lower()}",
                    user=person.user_id,
                    email=person.email,
                    name=person.name,
                    locale=person.locale,
                    created_at=now(),
                )
            )
            .on_conflict(target=MessageDelivery.key, action="DO NOTHING")
            .returning(MessageDelivery.id)
        )
        if not inserted:
            continue
        paragraphs = _paragraphs(message.body[written_in])
        context: dict[str, Any] = {
            **facts.context(),
            "name": person.name,
            "subject": message.subject[written_in],
            "link": facts.link(mails.FORUM_PATH),
            **{f"p{index}": text for index, text in enumerate(paragraphs)},
        }
        if person.user_id is not None:
            context["consent_link"] = withdrawal_link(person.user_id, forum.id)
        outbox_id = await queue_mail(
            mails.message_template(len(paragraphs), registered=person.user_id is not None),
            to=person.email,
            locale=person.locale,
            timezone=person.timezone,
            user_id=person.user_id,
            context=context,
        )
        await MessageDelivery.update({MessageDelivery.outbox_id: outbox_id}).where(
            MessageDelivery.id == inserted[0]["id"]
        )
        sent += 1
    return sent


async def list_messages(principal: Principal, slug: str) -> list[schemas.Message]:
    """The forum's messages, newest first: drafts and what was sent, to how many (organizers)."""
    forum = await organized_forum(principal, slug)
    rows = (
        await ParticipantMessage.select(*_COLUMNS)
        .where(ParticipantMessage.forum == forum.id)
        .order_by(ParticipantMessage.id, ascending=False)
    )
    return [_message(slug, row) for row in rows_as(rows, _MessageRow)]


async def deliveries(principal: Principal, slug: str, message_id: int) -> list[schemas.Delivery]:
    """Who got a message, at which address and in which language, and how its mail fared."""
    forum = await organized_forum(principal, slug)
    await _row(forum, message_id)
    rows = await MessageDelivery.raw(
        "SELECT d.email, d.name, d.locale, d.created_at, COALESCE(o.status, 'queued') AS status "
        "FROM outreach_delivery d LEFT JOIN mail_outbox o ON o.id = d.outbox_id "
        "WHERE d.message = {} ORDER BY d.id",
        message_id,
    )
    return [
        schemas.Delivery(
            email=row.email,
            name=row.name,
            locale=row.locale,
            mail_status=row.status,
            created_at=row.created_at,
        )
        for row in rows_as(rows, _DeliveryRow)
    ]


class _DeliveryRow(msgspec.Struct, frozen=True, kw_only=True):
    email: str
    name: str
    locale: str
    created_at: Moment
    status: str


def message_form(form: schemas.MessageForm) -> schemas.MessageCreate:
    """The desk's flat form as the API's message."""
    subjects = {locale: getattr(form, f"subject_{locale}", "") for locale in supported_locales()}
    bodies = {locale: getattr(form, f"body_{locale}", "") for locale in supported_locales()}
    return schemas.MessageCreate(
        subject=subjects,
        body=bodies,
        fallback_locale=form.fallback_locale,
        recipients=schemas.Recipients(
            audiences=list(form.audiences), region=form.region or None, need=form.need
        ),
    )
