"""What organizers set for a forum's desk: approval, regional balance, the form's questions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from msgspec import UnsetType

from mupass_forum import db, regions
from mupass_forum.accounts.principal import Principal
from mupass_forum.errors import FieldError, InvalidInput
from mupass_forum.forums.queries import editable_forum, visible_forum
from mupass_forum.i18n import N_, format_percent
from mupass_forum.registrations import schemas
from mupass_forum.registrations.desk import (
    Desk,
    desk_of,
    fill_free_seats,
    forum_capacity,
    lock_desk,
)
from mupass_forum.registrations.questions import stored_questions
from mupass_forum.registrations.tables import RegistrationDesk

# Organizers' settings --------------------------------------------------------------------------


def _target_problems(targets: Mapping[str, float]) -> list[FieldError]:
    problems: list[FieldError] = []
    for code in targets:
        if not regions.is_region(code) or regions.region(code).level == "intermediate_region":
            problems.append(
                FieldError(
                    N_("There is no region or sub-region with the code {code}."),
                    "unknown_region",
                    pointer=f"/target_shares/{code}",
                    params={"code": code},
                )
            )
        elif regions.region(code).parent in targets:
            problems.append(
                FieldError(
                    N_("This region lies within another region that has a target."),
                    "overlapping_regions",
                    pointer=f"/target_shares/{code}",
                )
            )
    if sum(targets.values()) > 100 + 1e-9:
        problems.append(
            FieldError(
                N_("The target shares add up to more than 100 %."),
                "shares_above_total",
                pointer="/target_shares",
            )
        )
    return problems


def _settings(desk: Desk, capacity: int | None) -> schemas.RegistrationSettings:
    return schemas.RegistrationSettings(
        requires_approval=desk.requires_approval,
        regional_balance=desk.regional_balance,
        target_shares=[
            schemas.TargetShare(
                region=code,
                name=regions.name(code),
                share=share,
                share_text=format_percent(share / 100, decimals=1 if share % 1 else 0),
            )
            for code, share in sorted(desk.target_shares.items(), key=lambda item: -item[1])
        ],
        capacity=capacity,
        seats_taken=desk.seats_taken,
        built_in_questions={
            question: question not in desk.questions.off for question in schemas.BuiltInQuestion
        },
        questions=desk.questions.schemas(),
    )


async def registration_form(principal: Principal, slug: str) -> schemas.RegistrationForm:
    """What the forum's registration form asks (everyone who may see the forum)."""
    forum = await visible_forum(principal, slug)
    questions = (await desk_of(forum.id)).questions
    return schemas.RegistrationForm(
        built_in_questions=questions.asked(), questions=questions.schemas()
    )


async def registration_settings(principal: Principal, slug: str) -> schemas.RegistrationSettings:
    forum = await editable_forum(principal, slug)
    return _settings(await desk_of(forum.id), await forum_capacity(forum.id))


async def update_registration_settings(
    principal: Principal, slug: str, data: schemas.RegistrationSettingsUpdate
) -> schemas.RegistrationSettings:
    """Change approval, regional balance, targets and the form's questions; free seats are
    filled by the new rules."""
    forum = await editable_forum(principal, slug)
    changes: dict[Any, Any] = {}
    if not isinstance(data.requires_approval, UnsetType):
        changes[RegistrationDesk.requires_approval] = data.requires_approval
    if not isinstance(data.regional_balance, UnsetType):
        changes[RegistrationDesk.regional_balance] = data.regional_balance
    if not isinstance(data.target_shares, UnsetType):
        problems = _target_problems(data.target_shares)
        if problems:
            raise InvalidInput(*problems)
        changes[RegistrationDesk.target_shares] = {
            code: float(share) for code, share in data.target_shares.items()
        }
    if not isinstance(data.questions, UnsetType):
        stored, problems = stored_questions(data.questions)
        if problems:
            raise InvalidInput(*problems)
        changes[RegistrationDesk.questions] = stored
    async with db.transaction():
        locked = await lock_desk(forum.id)
        if not isinstance(data.built_in_questions, UnsetType):
            off = set(locked.questions.off)
            for question, asked in data.built_in_questions.items():
                (off.discard if asked else off.add)(question)
            changes[RegistrationDesk.questions_off] = sorted(question.value for question in off)
        if changes:
            await RegistrationDesk.update(changes).where(RegistrationDesk.forum == forum.id)
        desk = await lock_desk(forum.id)
        await fill_free_seats(desk)
    return _settings(await desk_of(forum.id), await forum_capacity(forum.id))
