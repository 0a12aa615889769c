"""The registrations' share of a person's data: registrations, their history, workshop places
and interest (found by the account's address: interest is expressed without an account).

Erasure keeps the figures of forums that are over: their registrations stay, counted by the
profile's country and groups copied onto them, with every detail that says something about the
person removed. Registrations for forums still to come are cancelled through the registration
rules (a held seat goes to the next person waiting, who is told by mail) and then removed.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from piccolo.columns.combination import WhereRaw

from mupass_forum.accounts.services import token_hash
from mupass_forum.forums.queries import forum_ref_by_id, stored_json
from mupass_forum.forums.schemas import ForumStatus
from mupass_forum.forums.tables import Forum
from mupass_forum.i18n import N_
from mupass_forum.participants.tables import Profile
from mupass_forum.privacy.registry import (
    STAGE_REGISTRATIONS,
    ErasureRequest,
    NoPersonalData,
    PersonalData,
    Subject,
)
from mupass_forum.registrations.decisions import cancel_registration
from mupass_forum.registrations.questions import FormQuestions, answer_text
from mupass_forum.registrations.schemas import Question, RegistrationStatus
from mupass_forum.registrations.tables import (
    Interest,
    Registration,
    RegistrationDesk,
    RegistrationStatusChange,
    WorkshopDesk,
    WorkshopSignUp,
)

#: A forum in one of these states is over: its registrations are history and statistics.
OVER = (ForumStatus.HELD.value, ForumStatus.ARCHIVED.value, ForumStatus.CANCELLED.value)

#: The profile's fields a registration is counted by in the forum's statistics.
STATISTICS_FIELDS = ("country", "region", "sub_region", "stakeholder_group", "government_level")

#: What retention and erasure write over a registration's personal details.
SHREDDED_DETAILS: Mapping[Any, Any] = {
    Registration.arrival_date: None,
    Registration.departure_date: None,
    Registration.dietary_needs: "",
    Registration.accessibility_needs: "",
    Registration.needs_visa_letter: False,
    Registration.travel_support_requested: False,
    Registration.interpretation_languages: "[]",
    Registration.answers: "{}",
}


def anonymous_interest(interest_id: int, at: datetime) -> dict[Any, Any]:
    """What an interest record keeps once it names nobody: when, and what statistics count."""
    return {
        # Unique per forum like any address, and no one's.
        Interest.email: f"interest-{interest_id}@erased.invalid",
        Interest.given_name: "",
        Interest.family_name: "",
        Interest.organization_name: "",
        Interest.presentation_topic: "",
        # A hash of nothing anyone holds: the mailed link stops working.
        Interest.token_hash: token_hash(secrets.token_urlsafe(32)),
        Interest.anonymized_at: at,
        Interest.updated_at: at,
    }


def is_over(forum: Mapping[str, Any], at: datetime) -> bool:
    return forum["status"] in OVER or forum["ends_at"] <= at


async def export(subject: Subject) -> Mapping[str, Any]:
    registrations = await Registration.select(
        Registration.id,
        Registration.forum.as_alias("forum_id"),
        Registration.forum.slug.as_alias("forum"),
        Registration.status,
        Registration.badge_number,
        # The place in the waiting list (the forum's tickets order it).
        Registration.ticket,
        Registration.arrival_date,
        Registration.departure_date,
        Registration.dietary_needs,
        Registration.accessibility_needs,
        Registration.needs_visa_letter,
        Registration.travel_support_requested,
        Registration.interpretation_languages,
        # Answers to the forum's own questions, by the questions' keys.
        Registration.answers,
        Registration.created_at,
        Registration.updated_at,
    ).where(Registration.user == subject.user_id)
    questions = await _questions_of({row["forum_id"] for row in registrations})
    for row in registrations:
        row["interpretation_languages"] = stored_json(row["interpretation_languages"])
        row["answers"] = _readable_answers(
            questions.get(row.pop("forum_id"), []), stored_json(row["answers"]) or {}
        )
    history = await RegistrationStatusChange.select(
        RegistrationStatusChange.registration.as_alias("registration_id"),
        RegistrationStatusChange.from_status,
        RegistrationStatusChange.to_status,
        RegistrationStatusChange.reason,
        RegistrationStatusChange.created_at,
    ).where(RegistrationStatusChange.registration.user == subject.user_id)
    sign_ups = await WorkshopSignUp.select(
        WorkshopSignUp.registration._.forum._.slug.as_alias("forum"),
        WorkshopSignUp.programme_item.id.as_alias("programme_item_id"),
        WorkshopSignUp.programme_item.title.as_alias("workshop"),
        WorkshopSignUp.programme_item.starts_at.as_alias("starts_at"),
        WorkshopSignUp.created_at,
    ).where(WorkshopSignUp.registration.user == subject.user_id)
    for row in sign_ups:
        row["workshop"] = stored_json(row["workshop"])
    interest = await Interest.select(
        Interest.forum.slug.as_alias("forum"),
        Interest.email,
        Interest.given_name,
        Interest.family_name,
        Interest.organization_name,
        Interest.locale,
        Interest.country,
        Interest.stakeholder_group,
        Interest.government_level,
        Interest.wants_to_present,
        Interest.presentation_topic,
        Interest.created_at,
        Interest.confirmed_at,
        Interest.invitation_sent_at,
    ).where(Interest.email == subject.email)
    return {
        "registrations": registrations,
        "status_history": history,
        "workshop_sign_ups": sign_ups,
        "interest": interest,
    }


async def _questions_of(forum_ids: set[int]) -> dict[int, list[Question]]:
    """The forums' own registration questions, in the reader's language."""
    if not forum_ids:
        return {}
    rows = await RegistrationDesk.select(RegistrationDesk.forum, RegistrationDesk.questions).where(
        RegistrationDesk.forum.is_in(sorted(forum_ids))
    )
    return {row["forum"]: FormQuestions.stored("[]", row["questions"]).schemas() for row in rows}


def _readable_answers(
    questions: list[Question], answers: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Each answer with its question's wording and as the person reads it (a question the
    organizers removed since: by its key)."""
    by_key = {question.key: question for question in questions}
    readable = []
    for key, value in answers.items():
        question = by_key.get(key)
        readable.append(
            {
                "key": key,
                "question": question.label.text if question else key,
                "answer": answer_text(question, value) if question else value,
                "value": value,
            }
        )
    return readable


async def _forums(forum_ids: set[int]) -> dict[int, dict[str, Any]]:
    if not forum_ids:
        return {}
    rows = await Forum.select(Forum.id, Forum.status, Forum.ends_at).where(
        Forum.id.is_in(list(forum_ids))
    )
    return {row["id"]: row for row in rows}


async def erase(request: ErasureRequest) -> None:
    user_id, at = request.subject.user_id, request.at
    registrations = await Registration.select(
        Registration.id, Registration.forum, Registration.status
    ).where(Registration.user == user_id)
    interests = await Interest.select(Interest.id, Interest.forum).where(
        Interest.email == request.subject.email
    )
    forums = await _forums(
        {row["forum"] for row in registrations} | {row["forum"] for row in interests}
    )
    profile = (
        await Profile.select(*(getattr(Profile, name) for name in STATISTICS_FIELDS))
        .where(Profile.user == user_id)
        .first()
    )
    snapshot = {
        getattr(Registration, name): (profile or {}).get(name) for name in STATISTICS_FIELDS
    }
    for row in registrations:
        if is_over(forums[row["forum"]], at):
            await Registration.update(
                {
                    **SHREDDED_DETAILS,
                    **snapshot,
                    Registration.anonymized_at: at,
                    Registration.updated_at: at,
                }
            ).where(Registration.id == row["id"])
            await RegistrationStatusChange.update({RegistrationStatusChange.reason: ""}).where(
                RegistrationStatusChange.registration == row["id"]
            )
            continue
        if row["status"] not in (RegistrationStatus.DECLINED, RegistrationStatus.CANCELLED):
            await cancel_registration(
                await forum_ref_by_id(row["forum"]), row["id"], request.actor_id
            )
        # The history and workshop places go with it (foreign keys cascade).
        await Registration.delete().where(Registration.id == row["id"])
    for row in interests:
        if is_over(forums[row["forum"]], at):
            await Interest.update(anonymous_interest(row["id"], at)).where(Interest.id == row["id"])
        else:
            await Interest.delete().where(Interest.id == row["id"])


PERSONAL_DATA = PersonalData(
    section="registrations",
    # i18n: Part of the personal data export (README).
    description=N_(
        "Your registrations for forums with what you told us (arrival, departure, dietary and "
        "accessibility needs, visa letter, travel support, interpretation, your answers to "
        "the forum's own questions), every change of their status, your workshop places and the "
        "interest you expressed with your address."
    ),
    tables={
        Registration: "registrations",
        RegistrationStatusChange: "status_history",
        WorkshopSignUp: "workshop_sign_ups",
        Interest: "interest",
    },
    export=export,
    erase=erase,
    stage=STAGE_REGISTRATIONS,
)

NO_PERSONAL_DATA = NoPersonalData(
    (RegistrationDesk, WorkshopDesk),
    "seat and place counters and a forum's registration rules",
)


# Retention -------------------------------------------------------------------------------------


def _unshredded(forum_id: int) -> Any:
    """Registrations of the forum that hold personal details: never shredded, changed since, or
    with a status reason written since."""
    return Registration.forum == forum_id, WhereRaw(
        "(details_shredded_at IS NULL OR updated_at > details_shredded_at OR EXISTS ("
        "SELECT 1 FROM registration_status_change c WHERE c.registration = registration.id "
        "AND c.reason <> ''))"
    )


async def shreddable(forum_id: int) -> tuple[int, int]:
    """Registrations with personal details and interest records naming someone, of a forum
    (those written after an earlier shredding too)."""
    registrations = await Registration.count().where(*_unshredded(forum_id))
    interest = await Interest.count().where(
        Interest.forum == forum_id, Interest.anonymized_at.is_null()
    )
    return int(registrations), int(interest)


async def shred_forum(forum_id: int, at: datetime) -> tuple[int, int]:
    """Remove a forum's registration details and interest names (inside the caller's
    transaction); status, badge, country and groups stay, so every figure stays as it was.
    Returns how many registrations and interest records were shredded."""
    shredded = (
        await Registration.update(
            {**SHREDDED_DETAILS, Registration.details_shredded_at: at, Registration.updated_at: at}
        )
        .where(*_unshredded(forum_id))
        .returning(Registration.id)
    )
    if shredded:
        # Reasons are free text about a person ("no visa granted"); the statuses stay.
        await RegistrationStatusChange.update({RegistrationStatusChange.reason: ""}).where(
            RegistrationStatusChange.registration.is_in([row["id"] for row in shredded])
        )
    interests = await Interest.select(Interest.id).where(
        Interest.forum == forum_id, Interest.anonymized_at.is_null()
    )
    for row in interests:
        await Interest.update(anonymous_interest(row["id"], at)).where(Interest.id == row["id"])
    return len(shredded), len(interests)
