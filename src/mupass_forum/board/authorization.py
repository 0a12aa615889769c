"""Who may read, write and moderate what on the board, as rules for ``accounts.authorize``.

Targets are ``CategoryAccess`` values (the few fields of a category the rules need), so that a
rule never queries: services load the category with the object they were asked about.
"""

from __future__ import annotations

from dataclasses import dataclass

from mupass_forum.accounts.authorization import translates_into
from mupass_forum.accounts.principal import Principal


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


def takes_part_in_forum(principal: Principal, forum_id: int | None) -> bool:
    """The one rule behind ``participants`` access.

    Platform admins only, so far: forum organizers, forum moderators and people with a
    confirmed registration join this rule when forums and registrations exist. A category with
    ``participants`` access and no forum is open to platform admins alone: the rule never
    guesses in favour of access.
    """
    return principal.is_platform_admin


def _satisfies(principal: Principal, access: str, forum_id: int | None) -> bool:
    if access == "public":
        return True
    if access == "signed_in":
        return principal.is_authenticated
    return principal.is_authenticated and takes_part_in_forum(principal, forum_id)


def reads_category(principal: Principal, category: CategoryAccess) -> bool:
    return _satisfies(principal, category.read_access, category.forum_id)


def posts_in_category(principal: Principal, category: CategoryAccess) -> bool:
    """Writing needs a signed-in person who may read the category and meets its post access."""
    return (
        principal.is_authenticated
        and reads_category(principal, category)
        and _satisfies(principal, category.post_access, category.forum_id)
    )


def moderates_category(principal: Principal, category: CategoryAccess | None = None) -> bool:
    """Platform admins moderate the whole board; forum moderators join for their forum's
    categories through ``takes_part_in_forum``'s companion once forums exist."""
    return principal.is_platform_admin


def manages_categories(principal: Principal, _: object = None) -> bool:
    return principal.is_platform_admin


def edits_post(principal: Principal, post: PostOwnership) -> bool:
    """The author (while they may still post there) and moderators."""
    if moderates_category(principal, post.category):
        return True
    return principal.user_id == post.author_id and posts_in_category(principal, post.category)


def translates_post(principal: Principal, target: tuple[PostOwnership, str]) -> bool:
    """Translators into the locale (and platform admins), and the post's own author."""
    post, locale = target
    return principal.user_id == post.author_id or translates_into(principal, locale)
