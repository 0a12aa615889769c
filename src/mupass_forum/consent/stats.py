"""Who a forum's consent counts (the people holding a seat), the shares of their decisions, and
who may see the photo list."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass

from mupass_forum.accounts.authorization import any_of, authorize
from mupass_forum.accounts.principal import Principal
from mupass_forum.app_context import Hook, Hooks, current
from mupass_forum.consent import schemas
from mupass_forum.consent.ledger import Latest, latest_decisions, marker_of, pair_states
from mupass_forum.consent.notices import notice_state
from mupass_forum.consent.queries import people_rows
from mupass_forum.consent.schemas import Marker, PairState
from mupass_forum.consent.vocabulary import ALL_PAIRS, MEDIUM_LABELS, PURPOSE_LABELS
from mupass_forum.forums.authorization import ForumRef, edits_forum, is_forum_photographer
from mupass_forum.forums.queries import editable_forum, visible_forum
from mupass_forum.forums.terms import label_of
from mupass_forum.i18n import N_, format_percent

# Who is counted ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Person:
    user_id: int
    badge_number: int | None
    given_name: str
    family_name: str
    organization: str
    #: The account was erased: the person still counts in statistics, but is named nowhere.
    erased: bool = False


async def people(forum_id: int) -> list[Person]:
    """Who the photo list and the statistics count for the forum."""
    rows = await people_rows(forum_id)
    return [
        Person(
            user_id=row.user_id,
            badge_number=row.badge_number,
            # Without a profile, the account's name stands for the whole name.
            given_name=row.given_name or "",
            family_name=row.family_name or row.display_name,
            organization=row.organization,
            erased=row.erased,
        )
        for row in rows
    ]


# Statistics ------------------------------------------------------------------------------------


def _share(count: int, total: int) -> schemas.Share:
    share = count / total if total else 0.0
    return schemas.Share(count=count, share=round(share, 4), percent=format_percent(share))


def statistics_of(
    people: Iterable[int], latest: Latest, material_version: int
) -> tuple[int, dict[str, schemas.Share], list[schemas.PairStatistics]]:
    """People counted, markers and per-pair shares for ``people`` (undecided when absent)."""
    states_by_person = [pair_states(latest.get(person, {}), material_version) for person in people]
    total = len(states_by_person)
    markers = Counter(marker_of(states) for states in states_by_person)
    pairs = []
    for medium, purpose in ALL_PAIRS:
        counts = Counter(states[medium, purpose] for states in states_by_person)
        granted, refused = counts[PairState.GRANTED], counts[PairState.REFUSED]
        pairs.append(
            schemas.PairStatistics(
                medium=label_of(medium, MEDIUM_LABELS),
                purpose=label_of(purpose, PURPOSE_LABELS),
                granted=_share(granted, total),
                refused=_share(refused, total),
                undecided=_share(total - granted - refused, total),
            )
        )
    return total, {marker.value: _share(markers[marker], total) for marker in Marker}, pairs


POPULATION_LABELS: Mapping[str, str] = {
    # i18n: Who the statistics count: people with a confirmed seat or checked in.
    "registered": N_("Registered participants (confirmed or attended)"),
}


async def consent_statistics(principal: Principal, slug: str) -> schemas.ConsentStatistics:
    """Shares granted, refused and undecided per pair, and the markers (organizers only)."""
    forum = await editable_forum(principal, slug)
    notices = await notice_state(forum.id)
    latest = await latest_decisions(forum.id)
    counted = [person.user_id for person in await people(forum.id)]
    total, markers, pairs = statistics_of(counted, latest, notices.material_version)
    return schemas.ConsentStatistics(
        forum_slug=forum.slug,
        population=label_of("registered", POPULATION_LABELS),
        people=total,
        markers=markers,
        pairs=pairs,
    )


# Who may see the photo list and statistics -----------------------------------------------------

#: The photo list: the forum's photographers and those who organize it, nobody else.
sees_photo_list = any_of(edits_forum, is_forum_photographer)


PhotoListCheck = Callable[[ForumRef], Awaitable[None]]
#: What is asked before a forum's photo list is made (``on_photo_list``).
PHOTO_LIST_CHECKS: Hook[PhotoListCheck] = Hook("photo list checks")


def on_photo_list(hooks: Hooks, check: PhotoListCheck) -> Callable[[], None]:
    """Ask ``check`` before a forum's photo list is made in the app of ``hooks``; it raises a
    domain error to refuse.

    Retention refuses the list of a forum whose personal details were shredded. Adding the same
    check twice keeps one; the returned function removes it.
    """
    return hooks.plug(PHOTO_LIST_CHECKS, check)


async def photo_list_forum(principal: Principal, slug: str) -> ForumRef:
    """The forum if the caller may see its photo list (drafts are a 404 to others)."""
    forum = await visible_forum(principal, slug)
    await authorize(principal, sees_photo_list, forum)
    for check in current().hooks.plugged(PHOTO_LIST_CHECKS):
        await check(forum)
    return forum
