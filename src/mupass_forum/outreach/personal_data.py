"""Outreach's share of a person's data: organizers' messages they received or wrote, reminders
sent to them, and their choice of organizer mails.

Erasure removes the person's deliveries (by account or address), reminders and choices; messages
they wrote stay for the forum, without their name as author.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from piccolo.custom_types import Combinable

from mupass_forum.i18n import N_
from mupass_forum.outreach.tables import (
    ForumReminder,
    MessageDelivery,
    OrganizerMailChoice,
    ParticipantMessage,
)
from mupass_forum.privacy.registry import STAGE_FORUMS, ErasureRequest, PersonalData, Subject


def _deliveries_of(subject: Subject) -> Combinable:
    return (MessageDelivery.user == subject.user_id) | (MessageDelivery.email == subject.email)


async def export(subject: Subject) -> Mapping[str, Any]:
    received = (
        await MessageDelivery.select(
            MessageDelivery.message.forum.slug.as_alias("forum"),  # type: ignore[union-attr]
            MessageDelivery.email,
            MessageDelivery.locale,
            MessageDelivery.created_at,
        )
        .where(_deliveries_of(subject))
        .order_by(MessageDelivery.id)
    )
    reminders = (
        await ForumReminder.select(
            ForumReminder.forum.slug.as_alias("forum"), ForumReminder.created_at
        )
        .where(ForumReminder.user == subject.user_id)
        .order_by(ForumReminder.id)
    )
    written = (
        await ParticipantMessage.select(
            ParticipantMessage.forum.slug.as_alias("forum"),
            ParticipantMessage.subject,
            ParticipantMessage.created_at,
            ParticipantMessage.sent_at,
        )
        .where(ParticipantMessage.author == subject.user_id)
        .order_by(ParticipantMessage.id)
    )
    choices = (
        await OrganizerMailChoice.select(
            OrganizerMailChoice.pending_registration,
            OrganizerMailChoice.proposal_received,
            OrganizerMailChoice.post_flagged,
        )
        .where(OrganizerMailChoice.user == subject.user_id)
        .first()
    )
    return {
        "messages_received": received,
        "reminders": reminders,
        "messages_written": written,
        "organizer_mail_choices": choices,
    }


async def erase(request: ErasureRequest) -> None:
    subject = request.subject
    await MessageDelivery.delete().where(_deliveries_of(subject))
    await ForumReminder.delete().where(ForumReminder.user == subject.user_id)
    await OrganizerMailChoice.delete().where(OrganizerMailChoice.user == subject.user_id)
    await ParticipantMessage.update({ParticipantMessage.author: None}).where(
        ParticipantMessage.author == subject.user_id
    )


PERSONAL_DATA = PersonalData(
    section="outreach",
    description=N_(
        "Messages from forum organizers sent to you, reminders before forums, messages you "
        "wrote as an organizer, and which organizer mails you chose to receive."
    ),
    tables={
        MessageDelivery: "messages_received",
        ForumReminder: "reminders",
        ParticipantMessage: "messages_written",
        OrganizerMailChoice: "organizer_mail_choices",
    },
    export=export,
    erase=erase,
    stage=STAGE_FORUMS,
)
