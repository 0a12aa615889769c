"""Who sees which profile: one rule, written once as the SQL condition every directory read uses.

- The owner sees their own profile, whatever its visibility.
- Platform admins see every profile, to administer the directory.
- Everyone signed in sees the profiles marked ``signed_in``.
- Profiles marked ``forums`` are seen by people who attend a forum their owner attends too.
- Anonymous callers see nothing. Organization admins see no more than other participants: the
  directory belongs to the participants, not to the institutes they work for.

Attending a forum is known to registrations, which are built on top of forums and so come after
this package. The rule therefore asks an ``Attendance`` for it, and until registrations install
theirs with ``use_attendance`` nobody attends anything: ``forums`` profiles are seen by their
owners and platform admins only, and the directory's ``forum`` filter finds nobody.

Extension point, for registrations: implement ``Attendance`` (two methods: the forums a person
attends, and a SQL condition on the profile owner's id ``p."user"`` meaning "attends one of
these forums") and call ``use_attendance(...)`` where the app is wired (``create_app``). Nothing
else in this package needs to change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from mupass_forum.accounts.principal import Principal
from mupass_forum.app_context import Hook, Hooks, current
from mupass_forum.participants.schemas import DirectoryVisibility

#: The profile owner's account id, as conditions refer to it: every directory query names the
#: profile table ``p``.
OWNER = 'p."user"'


@dataclass(frozen=True, slots=True)
class Condition:
    """A SQL boolean expression with ``{}`` placeholders for ``args`` (Piccolo's raw syntax)."""

    sql: str
    args: tuple[object, ...] = ()


TRUE = Condition("1 = 1")
FALSE = Condition("1 = 0")


def _joined(conditions: Iterable[Condition], operator: str, empty: Condition) -> Condition:
    chosen = list(conditions)
    if not chosen:
        return empty
    return Condition(
        f" {operator} ".join(f"({c.sql})" for c in chosen),
        tuple(arg for c in chosen for arg in c.args),
    )


def all_of(conditions: Iterable[Condition]) -> Condition:
    return _joined(conditions, "AND", TRUE)


def any_of(conditions: Iterable[Condition]) -> Condition:
    return _joined(conditions, "OR", FALSE)


class Attendance(Protocol):
    """Who attends which forum, as registrations know it."""

    async def forums_of(self, user_id: int) -> frozenset[int]:
        """The ids of the forums ``user_id`` attends (confirmed registrations)."""
        ...

    def attendees_of(self, forum_ids: frozenset[int]) -> Condition:
        """True for profiles whose owner (``OWNER``) attends one of ``forum_ids`` (never empty),
        e.g. ``p."user" IN (SELECT "user" FROM registration WHERE forum IN ({}, {}) AND ...)``.
        """
        ...


class NoAttendance:
    """Before registrations exist: nobody attends any forum."""

    async def forums_of(self, user_id: int) -> frozenset[int]:
        return frozenset()

    def attendees_of(self, forum_ids: frozenset[int]) -> Condition:
        return FALSE


#: Where registrations plug in their ``Attendance`` (``use_attendance``).
ATTENDANCE: Hook[Attendance] = Hook("attendance")
_NOBODY_ATTENDS = NoAttendance()


def use_attendance(hooks: Hooks, attendance: Attendance) -> Callable[[], None]:
    """Make ``attendance`` the source of who attends which forum in the app of ``hooks``
    (registrations call this); returns the function that takes it back."""
    return hooks.plug(ATTENDANCE, attendance)


def attendance() -> Attendance:
    return current().hooks.last(ATTENDANCE, _NOBODY_ATTENDS)


def _marked(visibility: DirectoryVisibility) -> Condition:
    # A constant of our own, never input: written into the SQL so the planner sees it.
    return Condition(f"p.visibility = '{visibility.value}'")


async def visible_to(viewer: Principal) -> Condition:
    """The profiles ``viewer`` may see, as a condition on the profile ``p``."""
    if viewer.is_platform_admin:
        return TRUE
    if viewer.user_id is None:
        return FALSE
    seen = [Condition(f"{OWNER} = {{}}", (viewer.user_id,)), _marked(DirectoryVisibility.SIGNED_IN)]
    source = attendance()
    forums = await source.forums_of(viewer.user_id)
    if forums:
        seen.append(all_of([_marked(DirectoryVisibility.FORUMS), source.attendees_of(forums)]))
    return any_of(seen)


async def attending(viewer: Principal, forum_id: int) -> Condition:
    """Profiles whose owner attends ``forum_id``, for the directory's ``forum`` filter.

    Only platform admins and the forum's own attendees may ask who attends it; for anyone else
    the filter finds nobody, so it cannot tell them who goes where. It narrows ``visible_to``,
    never widens it.
    """
    if viewer.user_id is None:
        return FALSE
    source = attendance()
    if not viewer.is_platform_admin and forum_id not in await source.forums_of(viewer.user_id):
        return FALSE
    return source.attendees_of(frozenset({forum_id}))
