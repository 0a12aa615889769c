"""Who may read, write and moderate what on the board: rules for ``accounts.authorize``, and
the same rules as SQL conditions for lists and fan-out.

Targets of the rules are ``CategoryAccess`` values (the few fields of a category the rules
need), which services load together with the object they were asked about. Public and
signed-in categories are decided without a query. For a category tied to a forum, a person's
standing in forums (those they take part in, those they moderate) is read once per request by
``standing_of`` and kept with the principal, so a list of fifty categories asks once, not
fifty times.

Lists never check row by row: ``readable_categories`` and ``moderated_categories`` are one
condition in the list's own query, and ``readers_of`` is the condition on people that mail to a
thread's followers uses. All of them, and the rules, rest on ``forum_people``: the one
definition of who takes part in which forum.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mupass_forum import db
from mupass_forum.accounts.authorization import translates_into
from mupass_forum.accounts.principal import Principal
from mupass_forum.forums.schemas import ForumRoleName
from mupass_forum.registrations.status import SEATED


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


@dataclass(frozen=True)
class PostContext:
    """A post with the thread and category its rules need (for writes)."""

    post_id: int
    thread_id: int
    author_id: int
    language: str
    source: str
    html: str
    revision: int
    deleted: bool
    hidden: bool
    thread_title: str
    category: CategoryAccess

    @property
    def ownership(self) -> PostOwnership:
        return PostOwnership(author_id=self.author_id, category=self.category)


@dataclass(frozen=True)
class ForumStanding:
    """The forums a person takes part in (seat, role or organization) and those they moderate."""

    takes_part: frozenset[int] = frozenset()
    moderates: frozenset[int] = frozenset()


NO_STANDING = ForumStanding()
_MEMO_KEY = "board.forum_standing"
_SEATED = tuple(status.value for status in SEATED)
_RUNS_FORUM = (ForumRoleName.MODERATOR.value, ForumRoleName.ORGANIZER.value)


def forum_people(key: str, key_id: int) -> tuple[str, list[Any]]:
    """Who takes part in which forum, as rows ``(forum_id, user_id, moderates)``, of one person
    (``key="user"``) or one forum (``key="forum"``): SQL with ``{}`` placeholders, and its
    arguments.

    The people taking part in a forum: those holding a seat at it (confirmed or attended — as in
    the directory, someone still waiting does not count yet), its moderators and organizers,
    and the admins of its lead and partner organizations; all but the seated moderate it.
    """
    column = {
        "user": ('r."user"', 'fr."user"', 'm."user"', 'm."user"'),
        "forum": ("r.forum", "fr.forum", "f.id", "fp.forum"),
    }[key]
    sql = (
        'SELECT r.forum AS forum_id, r."user" AS user_id, 0 AS moderates FROM registration r '
        f"WHERE r.status IN ({db.placeholders(_SEATED)}) AND {column[0]} = {{}} "
        'UNION ALL SELECT fr.forum, fr."user", 1 FROM forum_role fr '
        f"WHERE fr.role IN ({db.placeholders(_RUNS_FORUM)}) AND {column[1]} = {{}} "
        'UNION ALL SELECT f.id, m."user", 1 FROM forum f JOIN account_membership m '
        f"ON m.organization = f.lead_organization AND m.role = 'admin' WHERE {column[2]} = {{}} "
        'UNION ALL SELECT fp.forum, m."user", 1 FROM forum_partner fp JOIN account_membership m '
        f"ON m.organization = fp.organization AND m.role = 'admin' WHERE {column[3]} = {{}}"
    )
    return sql, [*_SEATED, key_id, *_RUNS_FORUM, key_id, key_id, key_id]


async def standing_of(principal: Principal) -> ForumStanding:
    """The caller's standing in forums: one query, the first time a request needs it."""
    if principal.user_id is None or principal.is_platform_admin:
        return NO_STANDING  # platform admins are let through before any forum is asked about
    known = principal.memo.get(_MEMO_KEY)
    if isinstance(known, ForumStanding):
        return known
    people, args = forum_people("user", principal.user_id)
    rows = await db.read_indexed(
        f"SELECT forum_id, max(moderates) AS moderates FROM ({people}) x GROUP BY forum_id", *args
    )
    standing = ForumStanding(
        takes_part=frozenset(int(row["forum_id"]) for row in rows),
        moderates=frozenset(int(row["forum_id"]) for row in rows if int(row["moderates"])),
    )
    principal.memo[_MEMO_KEY] = standing
    return standing


async def takes_part_in_forum(principal: Principal, forum_id: int | None) -> bool:
    """The one rule behind ``participants`` access: platform admins and the people taking part
    in the forum (``forum_people``). A category with ``participants`` access and no forum is
    open to platform admins alone: the rule never guesses in favour of access.
    """
    if principal.is_platform_admin:
        return True
    if forum_id is None or principal.user_id is None:
        return False
    return forum_id in (await standing_of(principal)).takes_part


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


async def moderates_category(principal: Principal, category: CategoryAccess) -> bool:
    """Platform admins everywhere; a forum's moderators and organizers, and the admins of its
    organizations, in its categories."""
    if principal.is_platform_admin:
        return True
    if category.forum_id is None or not principal.is_authenticated:
        return False
    return category.forum_id in (await standing_of(principal)).moderates


async def moderates_anywhere(principal: Principal, _: object = None) -> bool:
    """Platform admins and everyone who moderates some forum's categories (the queue and the
    log show each of them their share)."""
    if principal.is_platform_admin:
        return True
    return bool((await standing_of(principal)).moderates)


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


# The same rules as conditions of a list's query ------------------------------------------------

ALWAYS, NEVER = "1 = 1", "1 = 0"


def _forum_in(alias: str, forums: frozenset[int]) -> tuple[str, list[Any]]:
    if not forums:
        return NEVER, []
    ids = sorted(forums)
    return f"{alias}.forum_id IN ({db.placeholders(ids)})", list(ids)


async def readable_categories(principal: Principal, alias: str = "c") -> tuple[str, list[Any]]:
    """The categories ``principal`` may read (``reads_category``), as a condition on the
    category table named ``alias``, with its arguments."""
    if principal.is_platform_admin:
        return ALWAYS, []
    if not principal.is_authenticated:
        return f"{alias}.read_access = 'public'", []
    forums, args = _forum_in(alias, (await standing_of(principal)).takes_part)
    return (
        f"({alias}.read_access IN ('public', 'signed_in') "
        f"OR ({alias}.read_access = 'participants' AND {forums}))",
        args,
    )


async def moderated_categories(principal: Principal, alias: str = "c") -> tuple[str, list[Any]]:
    """The categories ``principal`` moderates (``moderates_category``), as a condition on the
    category table named ``alias``; a row without a category passes for platform admins only."""
    if principal.is_platform_admin:
        return ALWAYS, []
    if not principal.is_authenticated:
        return NEVER, []
    return _forum_in(alias, (await standing_of(principal)).moderates)


def readers_of(category: CategoryAccess, user_alias: str = "u") -> tuple[str, list[Any]]:
    """The accounts that may read ``category`` (``reads_category`` for each), as a condition on
    the account table named ``user_alias``: for mail to many people at once."""
    if category.read_access in ("public", "signed_in"):
        return ALWAYS, []
    admins = f"{user_alias}.is_platform_admin = {{}}"
    if category.forum_id is None:
        return admins, [True]
    people, args = forum_people("forum", category.forum_id)
    return f"({admins} OR {user_alias}.id IN (SELECT user_id FROM ({people}) x))", [True, *args]
