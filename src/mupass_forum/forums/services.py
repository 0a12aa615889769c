"""Forums written: creation, edits and status moves, and the listeners that hear them.

Other domains find a forum with ``forum_ref(slug)`` (or ``forum_ref_by_id``) in ``forums.queries``
and check the rules of ``forums.authorization`` against it; neither loads texts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from msgspec import UnsetType

from mupass_forum import db
from mupass_forum.accounts.authorization import authorize
from mupass_forum.accounts.principal import Principal
from mupass_forum.app_context import Hook, Hooks, current
from mupass_forum.clock import now
from mupass_forum.errors import Conflict, NotFound
from mupass_forum.forums import schemas
from mupass_forum.forums.authorization import (
    ForumRef,
    creates_forum_for,
)
from mupass_forum.forums.checks import RESERVED_FORUM_SLUGS, check_forum, slug_taken
from mupass_forum.forums.queries import editable_forum, get_forum
from mupass_forum.forums.tables import Forum, ForumPartner, ProgrammeItem
from mupass_forum.forums.terms import TRANSITIONS, ForumStatus, forum_day_bounds, status_name
from mupass_forum.i18n import (
    N_,
)

# Listeners -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ForumChange:
    """A change to a forum, told to listeners inside the transaction that makes it."""

    #: The forum as it was before the change.
    before: ForumRef
    #: The columns that change and their new values (``status`` as a ``ForumStatus``).
    changes: Mapping[str, Any]
    #: Who makes the change (None: the service itself).
    actor: int | None = None


ForumListener = Callable[[ForumChange], Awaitable[None]]
#: Where the domains built on forums listen (``on_forum_change``).
FORUM_CHANGED: Hook[ForumListener] = Hook("forum changed")


def on_forum_change(hooks: Hooks, listener: ForumListener) -> Callable[[], None]:
    """Call ``listener`` for every status change and edit of a forum of the app of ``hooks``;
    returns its removal.

    Listeners run inside the change's transaction, so what they write commits or rolls back
    with it, and an exception they raise undoes the change. Domains built on forums use this to
    react (registrations send invitations when registration opens) without forums knowing
    them. Adding the same listener twice keeps one.
    """
    return hooks.plug(FORUM_CHANGED, listener)


async def _tell_listeners(before: ForumRef, changes: Mapping[str, Any], actor: int | None) -> None:
    for listener in current().hooks.plugged(FORUM_CHANGED):
        await listener(ForumChange(before=before, changes=changes, actor=actor))


async def create_forum(principal: Principal, data: schemas.ForumCreate) -> schemas.Forum:
    """A new forum, as a draft; its lead organization's admins and platform admins create it."""
    await authorize(principal, creates_forum_for, data.lead_organization_id)
    values, partners = await check_forum(data, None)
    stamp = now()
    async with db.transaction():
        if data.slug in RESERVED_FORUM_SLUGS or await Forum.exists().where(Forum.slug == data.slug):
            raise slug_taken(data.slug)
        try:
            rows = await Forum.insert(
                Forum(
                    slug=data.slug,
                    status=ForumStatus.DRAFT.value,
                    created_by=principal.user_id,
                    created_at=stamp,
                    updated_at=stamp,
                    **values,
                )
            ).returning(Forum.id)
        except db.INTEGRITY_ERRORS as exc:
            if not db.is_unique_violation(exc, "forum", "slug"):
                raise
            raise slug_taken(data.slug) from exc
        await _replace_partners(int(rows[0]["id"]), partners or [])
    return await get_forum(principal, data.slug)


async def _replace_partners(forum_id: int, partner_ids: Sequence[int]) -> None:
    await ForumPartner.delete().where(ForumPartner.forum == forum_id)
    if partner_ids:
        await ForumPartner.insert(
            *(ForumPartner(forum=forum_id, organization=partner) for partner in partner_ids)
        )


async def update_forum(principal: Principal, slug: str, data: schemas.ForumUpdate) -> schemas.Forum:
    """Change a forum; moving it to another lead organization needs the current lead's admin."""
    forum = await editable_forum(principal, slug)
    if not isinstance(data.lead_organization_id, UnsetType):
        await authorize(principal, creates_forum_for, forum.lead_organization_id)
        await authorize(principal, creates_forum_for, data.lead_organization_id)
    current = await Forum.select().where(Forum.id == forum.id).first()
    if current is None:
        raise NotFound("forum_not_found")
    values, partners = await check_forum(data, current)
    async with db.transaction():
        if "starts_at" in values or "ends_at" in values or "timezone" in values:
            await _keep_programme_inside(
                forum.id,
                values.get("starts_at", current["starts_at"]),
                values.get("ends_at", current["ends_at"]),
                ZoneInfo(str(values.get("timezone", current["timezone"]))),
            )
        if values:
            values["updated_at"] = now()
            await Forum.update(
                {getattr(Forum, name): value for name, value in values.items()}
            ).where(Forum.id == forum.id)
            await _tell_listeners(forum, values, principal.user_id)
        if partners is not None:
            await _replace_partners(forum.id, partners)
    return await get_forum(principal, slug)


async def _keep_programme_inside(
    forum_id: int, starts_at: Any, ends_at: Any, zone: ZoneInfo
) -> None:
    lower, upper = forum_day_bounds(starts_at, ends_at, zone)
    outside = await ProgrammeItem.count().where(
        ProgrammeItem.forum == forum_id,
        (ProgrammeItem.starts_at < lower) | (ProgrammeItem.ends_at > upper),
    )
    if outside:
        raise Conflict(
            "programme_outside_dates",
            N_("The programme has items outside the new dates. Move or delete them first."),
        )


async def change_status(principal: Principal, slug: str, target: ForumStatus) -> schemas.Forum:
    """Move a forum along its lifecycle; anything but an allowed transition is a conflict."""
    forum = await editable_forum(principal, slug)
    allowed = TRANSITIONS[forum.status]
    if target not in allowed:
        raise Conflict(
            "transition_not_allowed",
            N_("A forum with the status “{current}” cannot change to “{target}”."),
            extra={"allowed": sorted(status.value for status in allowed)},
            current=status_name(forum.status),
            target=status_name(target),
        )
    if target == ForumStatus.HELD and forum.starts_at > now():
        raise Conflict(
            "forum_not_started",
            N_("A forum can only be marked as held once it has begun."),
        )
    async with db.transaction():
        updated = (
            await Forum.update({Forum.status: target.value, Forum.updated_at: now()})
            .where(Forum.id == forum.id, Forum.status == forum.status.value)
            .returning(Forum.id)
        )
        if not updated:
            raise Conflict(
                "status_changed",
                N_("The forum's status was changed at the same time. Please reload it."),
            )
        await _tell_listeners(forum, {"status": target}, principal.user_id)
    return await get_forum(principal, slug)
