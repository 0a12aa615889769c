"""Who may do what with a forum: rules for this package and for the domains built on forums.

Every rule takes the caller and a ``ForumRef`` (from ``services.forum_ref(slug)`` or
``services.forum_ref_by_id(id)``) and is checked with ``accounts.authorization.authorize``:

- ``edits_forum`` / ``organizes_forum``: platform admins, admins of the lead or a partner
  organization, and the forum's organizers; they edit the forum, its programme and its roles;
- ``sees_forum``: everyone for a forum that is not a draft, else those who edit it;
- ``moderates_forum``: the forum's moderators and those who edit it;
- ``is_forum_photographer``: the forum's photographers only (compose with ``any_of``);
- ``creates_forum_for``: platform admins and the admins of the lead organization (an id).

Forum roles are not part of the ``Principal`` (they are per forum, and most requests do not
need them); a rule that needs one asks the database once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mupass_forum.accounts.principal import Principal
from mupass_forum.forums.schemas import ForumRoleName, ForumStatus
from mupass_forum.forums.tables import ForumRole


@dataclass(frozen=True, slots=True)
class ForumRef:
    """What rules and other domains need to know about a forum, without its texts."""

    id: int
    slug: str
    status: ForumStatus
    lead_organization_id: int
    partner_organization_ids: frozenset[int]
    timezone: str
    starts_at: datetime
    ends_at: datetime
    capacity: int | None
    interest_deadline: datetime | None
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None

    @property
    def organization_ids(self) -> frozenset[int]:
        """The lead and the partner organizations."""
        return self.partner_organization_ids | {self.lead_organization_id}


async def forum_roles_of(principal: Principal, forum: ForumRef) -> frozenset[ForumRoleName]:
    """The roles the caller holds for ``forum`` (none for anonymous callers)."""
    if principal.user_id is None:
        return frozenset()
    rows = await ForumRole.select(ForumRole.role).where(
        ForumRole.forum == forum.id, ForumRole.user == principal.user_id
    )
    return frozenset(ForumRoleName(row["role"]) for row in rows)


def administers_through_organization(principal: Principal, forum: ForumRef) -> bool:
    """Platform admins and admins of the lead or a partner organization (no query)."""
    return principal.is_platform_admin or any(
        principal.is_organization_admin(organization_id)
        for organization_id in forum.organization_ids
    )


async def edits_forum(principal: Principal, forum: ForumRef) -> bool:
    """Platform admins, admins of the lead or a partner organization, the forum's organizers."""
    if administers_through_organization(principal, forum):
        return True
    return ForumRoleName.ORGANIZER in await forum_roles_of(principal, forum)


#: The same people as ``edits_forum``, for readability where a domain asks "who runs it?".
organizes_forum = edits_forum


async def sees_forum(principal: Principal, forum: ForumRef) -> bool:
    """Everyone once it is announced; while it is a draft, only those who edit it."""
    return forum.status != ForumStatus.DRAFT or await edits_forum(principal, forum)


async def moderates_forum(principal: Principal, forum: ForumRef) -> bool:
    """The forum's moderators and those who edit it."""
    if administers_through_organization(principal, forum):
        return True
    roles = await forum_roles_of(principal, forum)
    return bool(roles & {ForumRoleName.MODERATOR, ForumRoleName.ORGANIZER})


async def is_forum_photographer(principal: Principal, forum: ForumRef) -> bool:
    """Holders of the photographer role for this forum, nobody else."""
    return ForumRoleName.PHOTOGRAPHER in await forum_roles_of(principal, forum)


def creates_forum_for(principal: Principal, organization_id: int) -> bool:
    """Platform admins, and admins of the organization that is to lead the forum."""
    return principal.is_platform_admin or principal.is_organization_admin(organization_id)


def creates_series(principal: Principal, _: object = None) -> bool:
    """Platform admins and admins of any organization."""
    return principal.is_platform_admin or any(
        role == "admin" for role in principal.organization_roles.values()
    )
