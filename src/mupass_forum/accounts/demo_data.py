"""Demonstration accounts that sign in: a participant, an organizer, a moderator and a
translator, each in another language, with fixed passwords that the README lists and
``serve --demo`` prints.

Only this loader sets these passwords, and it runs only into a database without demonstration
accounts, which ``load_demo_data`` fills only when it has no forums: a real installation never
has them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from mupass_forum import db, regions
from mupass_forum.accounts.rate_limits import MemoryCounters
from mupass_forum.accounts.services import AccountService
from mupass_forum.accounts.tables import TranslatorRole, User
from mupass_forum.forums.demo_data import living_forum_ids
from mupass_forum.forums.tables import ForumRole
from mupass_forum.participants.services import search_text, sort_name
from mupass_forum.participants.tables import Profile, ProfileLanguage, ProfileTopic
from mupass_forum.settings import Settings


@dataclass(frozen=True, slots=True)
class DemoAccount:
    key: str
    email: str
    password: str
    display_name: str
    locale: str
    timezone: str
    #: What the account shows, for the README and ``serve --demo``.
    role: str
    #: Forum roles on the forums dated from today (``organizer``, ``moderator``).
    forum_role: str | None = None
    #: Languages the account translates board posts and forum texts into.
    translates_into: tuple[str, ...] = ()


DEMO_ACCOUNTS = (
    DemoAccount(
        "participant",
        "participant@demo.example.org",
        "quinoa tender bus 2030",
        "Valentina Rojas",
        "es",
        "America/Bogota",
        "participant: registered for the next forum, a profile in the directory",
    ),
    DemoAccount(
        "organizer",
        "organizer@demo.example.org",
        "green tender river Accra",
        "Katrin Hoffmann",
        "de",
        "Europe/Berlin",
        "organizer of the MUPASS Dialogue Forums: registrations, waiting list, statistics",
        forum_role="organizer",
    ),
    DemoAccount(
        "moderator",
        "moderator@demo.example.org",
        "moderate violet harbour bench",
        "Fatou Ndiaye",
        "fr",
        "Africa/Dakar",
        "moderator of the MUPASS Dialogue Forums and their board categories",
        forum_role="moderator",
    ),
    DemoAccount(
        "translator",
        "translator@demo.example.org",
        "translate copper meadow ferry",
        "Daniel Mensah",
        "en",
        "Africa/Accra",
        "translator into French and Spanish",
        translates_into=("fr", "es"),
    ),
)


async def demo_account_ids() -> dict[str, int]:
    """The demonstration accounts that exist, by ``DemoAccount.key``."""
    rows = await User.select(User.id, User.email).where(
        User.email.is_in([account.email for account in DEMO_ACCOUNTS])
    )
    by_email = {row["email"]: int(row["id"]) for row in rows}
    return {
        account.key: by_email[account.email]
        for account in DEMO_ACCOUNTS
        if account.email in by_email
    }


async def load_accounts(settings: Settings | None = None) -> list[str]:
    """The demonstration accounts with their roles and the participant's profile, unless the
    forums dated from today are missing or the accounts exist."""
    forums = await living_forum_ids()
    if not forums or await demo_account_ids():
        return []
    service = AccountService(settings or Settings.from_env(), MemoryCounters())
    added = []
    async with db.transaction():
        for account in DEMO_ACCOUNTS:
            user_id = await service.create_account(
                email=account.email,
                password=account.password,
                display_name=account.display_name,
                locale=account.locale,
                timezone=account.timezone,
                verified=True,
            )
            if account.forum_role:
                await ForumRole.insert(
                    *(
                        ForumRole(forum=forum_id, user=user_id, role=account.forum_role)
                        for forum_id in forums.values()
                    )
                )
            if account.translates_into:
                await TranslatorRole.insert(
                    *(
                        TranslatorRole(user=user_id, locale=locale)
                        for locale in account.translates_into
                    )
                )
            if account.key == "participant":
                await _participant_profile(user_id)
            added.append(f"account {account.email} (password {account.password}): {account.role}")
    return added


async def _participant_profile(user_id: int) -> None:
    stamp = datetime.now(UTC)
    given, family = "Valentina", "Rojas"
    organization = "Alcaldía Mayor de Bogotá"
    rows = await Profile.insert(
        Profile(
            user=user_id,
            given_name=given,
            family_name=family,
            organization_name=organization,
            position="Jefa de compras sostenibles",
            country="CO",
            region=regions.region_of("CO"),
            sub_region=regions.sub_region_of("CO"),
            stakeholder_group="public_administration",
            government_level="municipal",
            bio="Compras públicas sostenibles para la alimentación escolar de Bogotá.",
            visibility="signed_in",
            sort_name=sort_name(given, family),
            search_text=search_text(given, family, organization),
            created_at=stamp,
            updated_at=stamp,
        )
    ).returning(Profile.id)
    profile_id = rows[0]["id"]
    await ProfileLanguage.insert(
        *(ProfileLanguage(profile=profile_id, code=code) for code in ("es", "en", "pt"))
    )
    await ProfileTopic.insert(
        *(
            ProfileTopic(profile=profile_id, topic=key)
            for key in ("green_procurement", "social_procurement")
        )
    )
