"""Demonstration interest and registrations, so that the statistics show something.

People from Europe, Sub-Saharan Africa and Latin America expressed interest in and registered
for the 2024 stakeholder network meeting (seats taken, some waiting or cancelled, targets set);
the 2019 MUPASS Dialogue Forum has attended registrations. Those who attended in 2024 had places in
its break-out sessions. The people's accounts cannot sign
in (they have no password); their profiles are visible to people attending the same forums.

The forums dated from today have people too: the demonstration participant attended last
year's and holds a seat at the next one, whose hall is full, with two people waiting; others
said they are interested in the one after."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from mupass_forum import db, regions
from mupass_forum.accounts.demo_data import demo_account_ids
from mupass_forum.accounts.services import token_hash
from mupass_forum.accounts.tables import User
from mupass_forum.forums.demo_data import living_forum_ids
from mupass_forum.forums.tables import Forum, ProgrammeItem
from mupass_forum.participants.services import search_text, sort_name
from mupass_forum.participants.tables import Profile
from mupass_forum.registrations.tables import (
    Interest,
    Registration,
    RegistrationDesk,
    RegistrationStatusChange,
    WorkshopDesk,
    WorkshopSignUp,
)
from mupass_forum.registrations.workshops import WORKSHOP_KINDS

PA = "public_administration"

#: given name, family name, organization, country, locale, stakeholder group, government level
PEOPLE: list[tuple[str, str, str, str, str, str, str | None]] = [
    ("Annika", "Müller", "Stadt Bonn", "DE", "de", PA, "municipal"),
    (
        "Jörg",
        "Schäfer",
        "Landeshauptstadt Düsseldorf",
        "DE",
        "de",
        "public_administration",
        "municipal",
    ),
    ("Claire", "Dubois", "Ville de Lyon", "FR", "fr", PA, "municipal"),
    ("Pieter", "de Vries", "Gemeente Utrecht", "NL", "en", PA, "municipal"),
    ("Marta", "Kowalska", "Fair Trade Polska", "PL", "en", "civil_society", None),
    ("Lukas", "Weber", "Umweltbundesamt", "DE", "de", PA, "national"),
    (
        "Akosua",
        "Mensah",
        "Kumasi Metropolitan Assembly",
        "GH",
        "en",
        "public_administration",
        "municipal",
    ),
    (
        "Moussa",
        "Ouédraogo",
        "Commune de Ouagadougou",
        "BF",
        "fr",
        "public_administration",
        "municipal",
    ),
    ("Aïssatou", "Diallo", "Ville de Dakar", "SN", "fr", PA, "municipal"),
    ("Wanjiru", "Kamau", "Nairobi City County", "KE", "en", PA, "state"),
    ("Thabo", "Nkosi", "eThekwini Municipality", "ZA", "en", PA, "municipal"),
    ("Grace", "Nakato", "Uganda Green Procurement Network", "UG", "en", "civil_society", None),
    (
        "Camila",
        "Ñuñoa",
        "Municipalidad de Santiago",
        "CL",
        "es",
        "public_administration",
        "municipal",
    ),
    ("Andrés", "Gómez", "Alcaldía de Medellín", "CO", "es", PA, "municipal"),
    (
        "Lucía",
        "Hernández",
        "Gobierno de la Ciudad de México",
        "MX",
        "es",
        "public_administration",
        "state",
    ),
    ("Rosa", "Quispe", "Municipalidad de Cusco", "PE", "es", PA, "municipal"),
    ("João", "Silva", "Prefeitura de São Paulo", "BR", "en", PA, "municipal"),
    ("Sofía", "Castro", "Universidad de Costa Rica", "CR", "es", "academia", None),
]

#: Statuses at the 2024 meeting, in the order the people above registered (the rest
#: expressed interest only).
NETWORK_2024 = [
    "attended", "attended", "attended", "attended", "cancelled", "attended",
    "attended", "attended", "attended", "attended", "waitlisted", "attended",
    "attended", "attended", "attended", "waitlisted",
]  # fmt: skip
#: Who attended the 2019 forum (indexes into ``PEOPLE``).
MUPASS_2019 = [0, 2, 6, 7, 8, 12, 13, 14]


def _text(de: str, en: str, fr: str, es: str) -> dict[str, Any]:
    return {"original": "en", "texts": {"de": de, "en": en, "fr": fr, "es": es}}


#: The open forum's own registration questions, as organizers would write them on the desk.
DEMO_QUESTIONS = [
    {
        "key": "first_forum",
        "kind": "yes_no",
        "required": False,
        "label": _text(
            "Ist dies Ihr erstes MUPASS-Forum?",
            "Is this your first MUPASS forum?",
            "Est-ce votre premier forum MUPASS ?",
            "¿Es este su primer foro MUPASS?",
        ),
        "options": [],
    },
    {
        "key": "site_visit",
        "kind": "choice",
        "required": False,
        "label": _text(
            "Welchen Ortstermin möchten Sie besuchen?",
            "Which site visit would you like to join?",
            "À quelle visite de terrain souhaitez-vous participer ?",
            "¿En qué visita de campo desea participar?",
        ),
        "options": [
            {
                "key": "canteen",
                "label": _text(
                    "Städtische Kantine",
                    "Municipal canteen",
                    "Cantine municipale",
                    "Comedor municipal",
                ),
            },
            {
                "key": "depot",
                "label": _text(
                    "Betriebshof mit Elektrofahrzeugen",
                    "Depot with electric vehicles",
                    "Dépôt de véhicules électriques",
                    "Depósito de vehículos eléctricos",
                ),
            },
        ],
    },
]


async def load_registrations() -> list[str]:
    """Interest and registrations for the demonstration forums, unless there are some."""
    forums = {
        row["slug"]: row
        for row in await Forum.select(Forum.id, Forum.slug, Forum.starts_at).where(
            Forum.slug.is_in(["spp-stakeholder-network-2024", "mupass-dialogue-forum-2019"])
        )
    }
    if len(forums) < 2 or await Registration.exists():
        return []
    network = forums["spp-stakeholder-network-2024"]
    mupass = forums["mupass-dialogue-forum-2019"]
    async with db.transaction():
        users = [await _person(*person) for person in PEOPLE]
        starts_at = network["starts_at"]
        assert isinstance(starts_at, datetime)
        for index in range(len(PEOPLE)):
            await Interest.insert(
                _interest(
                    network["id"],
                    index,
                    email=f"demo.{index}@example.org",
                    confirmed_at=starts_at - timedelta(days=120),
                    invited_at=starts_at - timedelta(days=90),
                )
            )
        await _registrations(network, users, NETWORK_2024)
        await _registrations(
            mupass,
            [users[index] for index in MUPASS_2019],
            ["attended"] * len(MUPASS_2019),
        )
        await RegistrationDesk.update(
            {RegistrationDesk.target_shares: {"150": 40.0, "202": 30.0, "419": 30.0}}
        ).where(RegistrationDesk.forum == network["id"])
    return [
        f"{len(PEOPLE)} people from Europe, Sub-Saharan Africa and Latin America with profiles",
        f"interest and {len(NETWORK_2024)} registrations for spp-stakeholder-network-2024",
        f"{len(MUPASS_2019)} attended registrations for mupass-dialogue-forum-2019",
    ]


async def _person(
    given: str,
    family: str,
    organization: str,
    country: str,
    locale: str,
    group: str,
    level: str | None,
) -> int:
    stamp = datetime.now(UTC)
    rows = await User.insert(
        User(
            email=_email(given, family),
            # No password: demonstration people cannot sign in.
            password_hash="!",  # noqa: S106 (no hash verifies: nobody can sign in)
            display_name=f"{given} {family}",
            locale=locale,
            created_at=stamp,
            updated_at=stamp,
        )
    ).returning(User.id)
    user_id = int(rows[0]["id"])
    await Profile.insert(
        Profile(
            user=user_id,
            given_name=given,
            family_name=family,
            organization_name=organization,
            country=country,
            region=regions.region_of(country),
            sub_region=regions.sub_region_of(country),
            stakeholder_group=group,
            government_level=level,
            visibility="forums",
            sort_name=sort_name(given, family),
            search_text=search_text(given, family, organization),
            created_at=stamp,
            updated_at=stamp,
        )
    )
    return user_id


async def _registrations(forum: dict[str, object], users: list[int], statuses: list[str]) -> None:
    """Registrations in order, with badge numbers, waiting-list tickets and the forum's desk."""
    starts_at = forum["starts_at"]
    assert isinstance(starts_at, datetime)
    forum_id = forum["id"]
    badges = tickets = seats = 0
    for offset, (user_id, status) in enumerate(zip(users, statuses, strict=False)):
        registered = starts_at - timedelta(days=60 - offset)
        waiting = status == "waitlisted"
        seated = status in ("confirmed", "attended")
        badges += not waiting
        tickets += waiting
        seats += seated
        rows = await Registration.insert(
            Registration(
                forum=forum_id,
                user=user_id,
                status=status,
                ticket=tickets if waiting else None,
                badge_number=None if waiting else badges,
                arrival_date=(starts_at - timedelta(days=1)).date(),
                departure_date=(starts_at + timedelta(days=1)).date(),
                needs_visa_letter=offset % 3 == 0,
                interpretation_languages=["en"],
                created_at=registered,
                updated_at=registered,
            )
        ).returning(Registration.id)
        first = "waitlisted" if waiting else "confirmed"
        history = [(None, first)] + ([(first, status)] if status != first else [])
        for from_status, to_status in history:
            await RegistrationStatusChange.insert(
                RegistrationStatusChange(
                    registration=rows[0]["id"],
                    from_status=from_status,
                    to_status=to_status,
                    actor=user_id,
                    created_at=registered,
                )
            )
    await RegistrationDesk.insert(
        RegistrationDesk(forum=forum_id, seats_taken=seats, last_ticket=tickets, last_badge=badges)
    )


async def load_workshop_sign_ups() -> list[str]:
    """Places in the 2024 meeting's break-out sessions for those who attended, unless taken."""
    forum = await Forum.select(Forum.id).where(Forum.slug == "spp-stakeholder-network-2024").first()
    if forum is None:
        return []
    workshops = await ProgrammeItem.select(ProgrammeItem.id).where(
        ProgrammeItem.forum == forum["id"],
        ProgrammeItem.kind.is_in(list(WORKSHOP_KINDS)),
    )
    attended = await (
        Registration.select(Registration.id)
        .where(Registration.forum == forum["id"], Registration.status == "attended")
        .order_by(Registration.id)
    )
    if (
        not workshops
        or not attended
        or await WorkshopDesk.exists().where(
            WorkshopDesk.programme_item.is_in([row["id"] for row in workshops])
        )
    ):
        return []
    item_id = workshops[0]["id"]
    async with db.transaction():
        for row in attended:
            await WorkshopSignUp.insert(
                WorkshopSignUp(programme_item=item_id, registration=row["id"])
            )
        await WorkshopDesk.insert(WorkshopDesk(programme_item=item_id, places_taken=len(attended)))
    return [f"{len(attended)} workshop sign-ups for spp-stakeholder-network-2024"]


async def load_living_registrations() -> list[str]:
    """The forums dated from today, peopled: last year's attended by the demonstration
    participant and others, the next one full with two people waiting and regional targets,
    interest in the one after. Unless the next one has registrations already."""
    forums = await living_forum_ids()
    accounts = await demo_account_ids()
    if "open" not in forums or "participant" not in accounts:
        return []
    if await Registration.exists().where(Registration.forum == forums["open"]):
        return []
    emails = [_email(given, family) for given, family, *_ in PEOPLE]
    rows = await User.select(User.id, User.email).where(User.email.is_in(emails))
    by_email = {row["email"]: int(row["id"]) for row in rows}
    people = [by_email[email] for email in emails if email in by_email]
    participant = accounts["participant"]
    seated = [participant, *people[: SEATS_OF_THE_NEXT_FORUM - 1]]
    waiting = people[SEATS_OF_THE_NEXT_FORUM - 1 : SEATS_OF_THE_NEXT_FORUM + 1]
    forum_rows = {
        row["id"]: row
        for row in await Forum.select(Forum.id, Forum.slug, Forum.starts_at).where(
            Forum.id.is_in(list(forums.values()))
        )
    }
    added = []
    async with db.transaction():
        next_forum = forum_rows[forums["open"]]
        await _registrations(
            next_forum,
            [*seated, *waiting],
            ["confirmed"] * len(seated) + ["waitlisted"] * len(waiting),
        )
        await RegistrationDesk.update(
            {
                RegistrationDesk.target_shares: {"150": 40.0, "202": 30.0, "419": 30.0},
                RegistrationDesk.questions: DEMO_QUESTIONS,
            }
        ).where(RegistrationDesk.forum == next_forum["id"])
        added.append(
            f"{len(seated)} seats taken and {len(waiting)} people waiting for "
            f"{next_forum['slug']}, with regional targets and two questions of its own"
        )
        if "held" in forums:
            held = forum_rows[forums["held"]]
            attended = [participant, *people[6:14]]
            await _registrations(held, attended, ["attended"] * len(attended))
            added.append(f"{len(attended)} attended registrations for {held['slug']}")
        if "upcoming" in forums:
            upcoming = forum_rows[forums["upcoming"]]
            for index in INTEREST_IN_THE_FORUM_AFTER:
                await Interest.insert(
                    _interest(
                        upcoming["id"],
                        index,
                        email=f"interest.{index}@example.org",
                        confirmed_at=datetime.now(UTC) - timedelta(days=index + 1),
                    )
                )
            added.append(
                f"{len(INTEREST_IN_THE_FORUM_AFTER)} expressions of interest for {upcoming['slug']}"
            )
    return added


#: The next forum's hall: the participant and the first people of ``PEOPLE`` take every seat.
SEATS_OF_THE_NEXT_FORUM = 12
#: Who has said they are interested in the forum after next (indexes into ``PEOPLE``).
INTEREST_IN_THE_FORUM_AFTER = [2, 7, 12, 13, 14, 16]


def _email(given: str, family: str) -> str:
    return f"{sort_name(given, family).replace(' ', '.')}@demo.example.org"


def _interest(
    forum_id: object,
    index: int,
    *,
    email: str,
    confirmed_at: datetime,
    invited_at: datetime | None = None,
) -> Interest:
    """The interest of ``PEOPLE[index]``, confirmed a day after the link was sent."""
    given, family, organization, country, locale, group, level = PEOPLE[index]
    return Interest(
        forum=forum_id,
        email=email,
        given_name=given,
        family_name=family,
        organization_name=organization,
        locale=locale,
        country=country,
        region=regions.region_of(country),
        sub_region=regions.sub_region_of(country),
        stakeholder_group=group,
        government_level=level,
        wants_to_present=index % 5 == 0,
        presentation_topic="Sustainable catering in public canteens" if index % 5 == 0 else "",
        token_hash=token_hash(secrets.token_urlsafe(32)),
        link_sent_at=confirmed_at - timedelta(days=1),
        confirmed_at=confirmed_at,
        invitation_sent_at=invited_at,
    )
