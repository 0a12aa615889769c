"""A forum's vocabulary: labels, the lifecycle's moves, its times and list cursors."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.support import LazyProxy

from mupass_forum import pagination
from mupass_forum.errors import FieldError
from mupass_forum.forums import schemas
from mupass_forum.i18n import (
    N_,
    NC_,
    gettext,
)
from mupass_forum.validation import is_time_zone

ForumStatus = schemas.ForumStatus
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
MAX_TITLE = 300
MAX_TEXT = 20_000

# Labels ----------------------------------------------------------------------------------------

FORUM_KIND_LABELS: Mapping[schemas.ForumKind, str] = {
    schemas.ForumKind.DIALOGUE_FORUM: N_("Dialogue forum"),
    schemas.ForumKind.NETWORK_MEETING: N_("Network meeting"),
    schemas.ForumKind.STAKEHOLDER_FORUM: N_("Stakeholder forum"),
    schemas.ForumKind.WORKSHOP: N_("Workshop"),
}

STATUS_LABELS: Mapping[ForumStatus, str] = {
    ForumStatus.DRAFT: NC_("forum status", "Draft"),
    # i18n: "Save the date": the forum is announced and interest is collected.
    ForumStatus.ANNOUNCED: NC_("forum status", "Announced"),
    ForumStatus.REGISTRATION_OPEN: NC_("forum status", "Registration open"),
    ForumStatus.REGISTRATION_CLOSED: NC_("forum status", "Registration closed"),
    ForumStatus.HELD: NC_("forum status", "Held"),
    ForumStatus.ARCHIVED: NC_("forum status", "Archived"),
    ForumStatus.CANCELLED: NC_("forum status", "Cancelled"),
}

ROLE_LABELS: Mapping[schemas.ForumRoleName, str] = {
    schemas.ForumRoleName.ORGANIZER: N_("Organizer"),
    schemas.ForumRoleName.MODERATOR: N_("Moderator"),
    schemas.ForumRoleName.PHOTOGRAPHER: N_("Photographer"),
}

PROGRAMME_KIND_LABELS: Mapping[schemas.ProgrammeItemKind, str] = {
    schemas.ProgrammeItemKind.PLENARY: N_("Plenary"),
    schemas.ProgrammeItemKind.PANEL: N_("Panel"),
    # i18n: A programme item where participants work together on a topic.
    schemas.ProgrammeItemKind.WORKSHOP: N_("Workshop session"),
    schemas.ProgrammeItemKind.BREAKOUT_SESSION: N_("Break-out session"),
    schemas.ProgrammeItemKind.NETWORKING: N_("Networking"),
    schemas.ProgrammeItemKind.WARM_UP: N_("Warm-up"),
    schemas.ProgrammeItemKind.BREAK: N_("Break"),
}


def label_of(value: str, labels: Mapping[Any, str]) -> schemas.Label:
    return schemas.Label(value=value, label=gettext(labels[value]))


def status_name(status: ForumStatus) -> LazyProxy:
    """The status's label, translated when the text it is put in is rendered."""
    return LazyProxy(gettext, STATUS_LABELS[status], enable_cache=False)


# Lifecycle -------------------------------------------------------------------------------------

#: The only ways a forum's status may change.
TRANSITIONS: Mapping[ForumStatus, frozenset[ForumStatus]] = {
    ForumStatus.DRAFT: frozenset({ForumStatus.ANNOUNCED, ForumStatus.CANCELLED}),
    ForumStatus.ANNOUNCED: frozenset({ForumStatus.REGISTRATION_OPEN, ForumStatus.CANCELLED}),
    ForumStatus.REGISTRATION_OPEN: frozenset(
        {ForumStatus.REGISTRATION_CLOSED, ForumStatus.CANCELLED}
    ),
    # Reopening lets organizers fill seats that were given back.
    ForumStatus.REGISTRATION_CLOSED: frozenset(
        {ForumStatus.REGISTRATION_OPEN, ForumStatus.HELD, ForumStatus.CANCELLED}
    ),
    ForumStatus.HELD: frozenset({ForumStatus.ARCHIVED}),
    ForumStatus.CANCELLED: frozenset({ForumStatus.ARCHIVED}),
    ForumStatus.ARCHIVED: frozenset(),
}


# Times -----------------------------------------------------------------------------------------


def zone_named(name: str) -> ZoneInfo | None:
    return ZoneInfo(name) if is_time_zone(name) else None


def to_utc(value: datetime, zone: ZoneInfo, pointer: str) -> datetime | FieldError:
    """An instant from an ISO time: with an offset as given, without one local in ``zone``.

    A local time that the clocks skip (02:30 when summer time begins) does not exist and is
    refused rather than silently moved by an hour.
    """
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    local = value.replace(tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != value:
        return FieldError(
            N_("This local time does not exist in {zone}: the clocks skip it."),
            "nonexistent_local_time",
            pointer=pointer,
            params={"zone": zone.key},
        )
    return instant


def forum_day_bounds(
    starts_at: datetime, ends_at: datetime, zone: ZoneInfo
) -> tuple[datetime, datetime]:
    """From local midnight of the forum's first day to local midnight after its last day."""
    first = starts_at.astimezone(zone).date()
    last = ends_at.astimezone(zone).date()
    lower = datetime.combine(first, time(), tzinfo=zone).astimezone(UTC)
    upper = datetime.combine(last + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)
    return lower, upper


# Cursors ---------------------------------------------------------------------------------------


def encode_cursor(starts_at: datetime, forum_id: int) -> str:
    return pagination.encode_cursor([starts_at.astimezone(UTC).isoformat(), forum_id])


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    stamp, forum_id = pagination.decode_cursor(cursor, tuple[str, int])
    try:
        return datetime.fromisoformat(stamp), forum_id
    except ValueError as exc:
        raise pagination.invalid_cursor() from exc
