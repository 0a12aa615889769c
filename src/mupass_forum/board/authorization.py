"""Who may read, write and moderate what on the board, as rules for ``accounts.authorize``.

Targets are ``CategoryAccess`` values (the few fields of a category the rules need), which
services load together with the object they were asked about. Rules for public and signed-in
categories decide without a query; only a category tied to a forum asks about the caller's
roles in that forum.
"""

from __future__ import annotations

from dataclasses import dataclass

from mupass_forum.accounts.authorization import translates_into
from mupass_forum.accounts.principal import Principal
from mupass_forum.errors import NotFound
from mupass_forum.registrations.services import holds_seat


@dataclass(frozen=True)
class CategoryAccess:
    id: int
    read_access: str
    post_access: str
    forum_id: int | None


@dataclass(frozen=True)
class PostOwnership:
    """A post as the edit and delete rules see it."""

    author_id: int
    category: CategoryAccess


async def _moderates_forum(principal: Principal, forum_id: int) -> bool:
    from mupass_forum.forums.authorization import moderates_forum
    from mupass_forum.forums.services import forum_ref_by_id

    try:
        forum = await forum_ref_by_id(forum_id)
    except NotFound:
        return False
    return await moderates_forum(principal, forum)


async def takes_part_in_forum(principal: Principal, forum_id: int | None) -> bool:
    """The one rule behind ``participants`` access.

    Platform admins, the forum's organizers and moderators (and the admins of its
    organizations), and the people holding a seat at it (confirmed or attended — as in the
    directory, someone still waiting does not count yet). A category with ``participants``
    access and no forum is open to platform admins alone: the rule never guesses in favour of
    access.
    """
    if principal.is_platform_admin:
        return True
    if forum_id is None or principal.user_id is None:
        return False
    return await holds_seat(principal.user_id, forum_id) or await _moderates_forum(
        principal, forum_id
    )


async def _satisfies(principal: Principal, access: str, forum_id: int | None) -> bool:
    if access == "public":
        return True
    if access == "signed_in":
        return principal.is_authenticated
    return await takes_part_in_forum(principal, forum_id)


async def reads_category(principal: Principal, category: CategoryAccess) -> bool:
    return await _satisfies(principal, category.read_access, category.forum_id)


async def posts_in_category(principal: Principal, category: CategoryAccess) -> bool:
    """Writing needs a signed-in person who may read the category and meets its post access."""
    return (
        principal.is_authenticated
        and await reads_category(principal, category)
        and await _satisfies(principal, category.post_access, category.forum_id)
    )


async def moderates_category(principal: Principal, category: CategoryAccess | None = None) -> bool:
    """Platform admins everywhere; a forum's moderators and organizers in its categories."""
    if principal.is_platform_admin:
        return True
    if category is None or category.forum_id is None or not principal.is_authenticated:
        return False
    return await _moderates_forum(principal, category.forum_id)


def manages_categories(principal: Principal, _: object = None) -> bool:
    return principal.is_platform_admin


async def edits_post(principal: Principal, post: PostOwnership) -> bool:
    """The author (while they may still post there) and moderators."""
    if await moderates_category(principal, post.category):
        return True
    return principal.user_id == post.author_id and await posts_in_category(principal, post.category)


def translates_post(principal: Principal, target: tuple[PostOwnership, str]) -> bool:
    """Translators into the locale (and platform admins), and the post's own author."""
    post, locale = target
    return principal.user_id == post.author_id or translates_into(principal, locale)
