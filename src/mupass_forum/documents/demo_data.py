"""Demonstration documents: the letterhead of the forums dated from today, and passport details
of people who need a Schengen visa for the next forum in Bonn.

Three of them hold a seat (so the organizer can issue their visa letters) and one is on the
waiting list (she asked, but is not approved yet); all four asked for travel support, so their
letters name the costs the forum covers. Last year's forum in Accra was attended by everyone
registered, so its certificates of attendance can be issued; the next forum's seats make the
badge sheet. Nothing is issued here: the organizer does that from the desk or the API.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from mupass_forum import db
from mupass_forum.documents.tables import Letterhead, VisaDetails
from mupass_forum.forums.demo_data import living_forum_ids
from mupass_forum.forums.tables import Forum
from mupass_forum.registrations.tables import Registration

#: given and family name (as in the profile), full name as in the passport, date of birth,
#: nationality, passport number, the embassy that decides.
PASSPORTS: list[tuple[str, str, str, date, str, str, str]] = [
    (
        "Akosua",
        "Mensah",
        "Akosua Serwaa Mensah",
        date(1984, 3, 17),
        "GH",
        "G2847391",
        "German Embassy Accra",
    ),
    (
        "Moussa",
        "Ouédraogo",
        "Moussa Wendpouiré Ouédraogo",
        date(1979, 11, 2),
        "BF",
        "B0938471",
        "German Embassy Ouagadougou",
    ),
    (
        "Wanjiru",
        "Kamau",
        "Wanjiru Njeri Kamau",
        date(1990, 6, 29),
        "KE",
        "AK0583921",
        "German Embassy Nairobi",
    ),
    # On the next forum's waiting list: she asked, and has no seat yet.
    (
        "Grace",
        "Nakato",
        "Grace Nakato Ssempijja",
        date(1987, 1, 8),
        "UG",
        "B1049372",
        "German Embassy Kampala",
    ),
]

IDOS_LETTERHEAD: dict[str, Any] = {
    "institute": "German Institute of Development and Sustainability (IDOS)",
    "address": "Tulpenfeld 6\n53113 Bonn\nGermany",
    "signatory_name": "Katrin Hoffmann",
    "signatory_role": "Coordinator, MUPASS Dialogue Forums",
    "letter_locale": "en",
    "covered_costs": ["travel", "accommodation", "health_insurance"],
}


async def load_documents() -> list[str]:
    """Letterheads for last year's and the next forum, passport details at the next one;
    unless the next forum has a letterhead already."""
    forums = await living_forum_ids()
    if "open" not in forums:
        return []
    if await Letterhead.exists().where(Letterhead.forum == forums["open"]):
        return []
    forum = (
        await Forum.select(Forum.starts_at, Forum.ends_at, Forum.timezone)
        .where(Forum.id == forums["open"])
        .first()
    )
    assert forum is not None
    zone = ZoneInfo(forum["timezone"])
    arrival = forum["starts_at"].astimezone(zone).date() - timedelta(days=2)
    departure = forum["ends_at"].astimezone(zone).date() + timedelta(days=1)
    registrations = {
        (row["given_name"], row["family_name"]): int(row["id"])
        for row in await Registration.raw(
            "SELECT r.id, p.given_name, p.family_name FROM registration r "
            'JOIN participant_profile p ON p."user" = r."user" WHERE r.forum = {}',
            forums["open"],
        )
    }
    asked = [passport for passport in PASSPORTS if passport[:2] in registrations]
    async with db.transaction():
        for key in ("held", "open"):
            if key in forums:
                await Letterhead.insert(Letterhead(forum=forums[key], **IDOS_LETTERHEAD))
        for given, family, full_name, born, nationality, number, embassy in asked:
            registration = registrations[(given, family)]
            await VisaDetails.insert(
                VisaDetails(
                    registration=registration,
                    full_name=full_name,
                    date_of_birth=born,
                    nationality=nationality,
                    passport_number=number,
                    # Passports are valid well beyond the stay, as embassies require.
                    passport_valid_until=departure + timedelta(days=4 * 365 + born.day),
                    embassy=embassy,
                    entry_date=arrival,
                    exit_date=departure,
                )
            )
            await Registration.update(
                {Registration.needs_visa_letter: True, Registration.travel_support_requested: True}
            ).where(Registration.id == registration)
    return [
        "letterheads of IDOS for the forums dated from today",
        f"passport details of {len(asked)} people asking for a visa letter for the next forum",
    ]
