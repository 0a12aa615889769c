"""A forum's registrations for its organizers: the lists, the waiting list, one registration and
its history."""

from __future__ import annotations

import msgspec

from mupass_forum.accounts.principal import Principal
from mupass_forum.errors import NotFound
from mupass_forum.forums.authorization import ForumRef
from mupass_forum.forums.queries import editable_forum
from mupass_forum.participants.visibility import Condition
from mupass_forum.registrations import schemas
from mupass_forum.registrations.queries import (
    RegistrationFilter,
    filter_conditions,
    registration_of,
    registration_page,
    registration_rows,
    registration_view,
)
from mupass_forum.registrations.status import Status, status_label
from mupass_forum.registrations.tables import Registration, RegistrationStatusChange
from mupass_forum.rows import Moment, rows_as


async def registration(
    principal: Principal, slug: str, registration_id: int
) -> schemas.Registration:
    """One registration of the forum (organizers)."""
    forum = await editable_forum(principal, slug)
    if not await Registration.exists().where(
        Registration.id == registration_id, Registration.forum == forum.id
    ):
        raise NotFound("registration_not_found")
    return await registration_view(forum, registration_id)


class _ChangeRow(msgspec.Struct, frozen=True, kw_only=True):
    from_status: str | None
    to_status: str
    #: Null when the service made the change (and its name with it).
    actor: int | None
    actor_name: str | None
    reason: str
    created_at: Moment


async def history(
    principal: Principal, slug: str, registration_id: int
) -> list[schemas.StatusChange]:
    """Every status of a registration, oldest first (organizers)."""
    forum = await editable_forum(principal, slug)
    if not await Registration.exists().where(
        Registration.id == registration_id, Registration.forum == forum.id
    ):
        raise NotFound("registration_not_found")
    rows = (
        await RegistrationStatusChange.select(
            RegistrationStatusChange.from_status,
            RegistrationStatusChange.to_status,
            RegistrationStatusChange.actor,
            RegistrationStatusChange.actor.display_name.as_alias("actor_name"),
            RegistrationStatusChange.reason,
            RegistrationStatusChange.created_at,
        )
        .where(RegistrationStatusChange.registration == registration_id)
        .order_by(RegistrationStatusChange.id)
    )
    return [
        schemas.StatusChange(
            from_status=status_label(row.from_status) if row.from_status else None,
            to_status=status_label(row.to_status),
            actor_id=row.actor,
            actor_name=row.actor_name,
            reason=row.reason,
            at=row.created_at,
        )
        for row in rows_as(rows, _ChangeRow)
    ]


async def list_registrations(
    principal: Principal,
    slug: str,
    given: RegistrationFilter,
    cursor: str | None,
    limit: int,
) -> schemas.RegistrationPage:
    """A forum's registrations in the order they came in, a page at a time (organizers)."""
    forum = await editable_forum(principal, slug)
    where = [Condition("r.forum = {}", (forum.id,)), *filter_conditions(given)]
    return await registration_page(forum, where, "id", cursor, limit)


async def waiting_list(
    principal: Principal, slug: str, cursor: str | None, limit: int
) -> schemas.RegistrationPage:
    """The waiting list in its order, position 1 first (organizers)."""
    forum = await editable_forum(principal, slug)
    where = [
        Condition("r.forum = {}", (forum.id,)),
        Condition("r.status = {}", (Status.WAITLISTED.value,)),
    ]
    return await registration_page(forum, where, "ticket", cursor, limit)


async def all_registrations(
    principal: Principal, slug: str, given: RegistrationFilter
) -> tuple[ForumRef, list[schemas.Registration]]:
    """Every registration matching ``given``, for exports (organizers); one query."""
    forum = await editable_forum(principal, slug)
    where = [Condition("r.forum = {}", (forum.id,)), *filter_conditions(given)]
    rows = await registration_rows(where, "r.id", None)
    return forum, [registration_of(forum.slug, row) for row in rows]
