"""The accounts' share of a person's data: the account, sessions, links, memberships, roles.

Erasure keeps the ``User`` row as a pseudonymous tombstone (consent proof and anonymized
registrations point to its id): every field that says who the person was is replaced, no
password opens it and ``erased_at`` is set. Everything else of the account is removed.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from mupass_forum.accounts.tables import (
    OWN_ACCOUNT_COLUMNS,
    Membership,
    OneTimeToken,
    Organization,
    Session,
    TranslatorRole,
    User,
)
from mupass_forum.i18n import N_
from mupass_forum.privacy.registry import (
    STAGE_ACCOUNTS,
    ErasureRequest,
    NoPersonalData,
    PersonalData,
    Subject,
)

#: The domain the addresses of erased accounts live under: ``.invalid`` never receives mail.
ERASED_DOMAIN = "erased.invalid"


def erased_email(user_id: int) -> str:
    """The tombstone's address: unique, and no one's."""
    return f"account-{user_id}@{ERASED_DOMAIN}"


async def export(subject: Subject) -> Mapping[str, Any]:
    account = (
        await User.select(*OWN_ACCOUNT_COLUMNS, User.updated_at)
        .where(User.id == subject.user_id)
        .first()
    )
    sessions = await Session.select(
        Session.created_at,
        Session.last_used_at,
        Session.expires_at,
        Session.revoked_at,
        Session.user_agent,
        Session.client_address,
    ).where(Session.user == subject.user_id)
    links = await OneTimeToken.select(
        OneTimeToken.purpose,
        OneTimeToken.email,
        OneTimeToken.created_at,
        OneTimeToken.expires_at,
        OneTimeToken.used_at,
    ).where(OneTimeToken.user == subject.user_id)
    memberships = await Membership.select(
        Membership.organization.id.as_alias("organization_id"),
        Membership.organization.name.as_alias("organization"),
        Membership.role,
        Membership.created_at,
    ).where(Membership.user == subject.user_id)
    roles = await TranslatorRole.select(TranslatorRole.locale, TranslatorRole.created_at).where(
        TranslatorRole.user == subject.user_id
    )
    return {
        "account": account,
        "sessions": sessions,
        "mailed_links": links,
        "organizations": memberships,
        "translator_roles": roles,
    }


async def erase(request: ErasureRequest) -> None:
    user_id = request.subject.user_id
    await Session.delete().where(Session.user == user_id)
    await OneTimeToken.delete().where(OneTimeToken.user == user_id)
    await Membership.delete().where(Membership.user == user_id)
    await TranslatorRole.delete().where(TranslatorRole.user == user_id)
    await User.update(
        {
            User.email: erased_email(user_id),
            # Not a PHC string: no password ever verifies against it.
            User.password_hash: f"!erased:{secrets.token_hex(16)}",
            User.display_name: "",
            User.locale: User.locale.default,
            User.timezone: User.timezone.default,
            User.email_verified_at: None,
            User.is_platform_admin: False,
            User.updated_at: request.at,
            User.erased_at: request.at,
        }
    ).where(User.id == user_id)


PERSONAL_DATA = PersonalData(
    section="account",
    # i18n: Part of the personal data export (README).
    description=N_(
        "Your account (address, name, language, time zone), your sign-ins with the device and "
        "address they came from, the links we mailed you, the partner institutes you belong "
        "to and the languages you translate into."
    ),
    tables={
        User: "account",
        Session: "sessions",
        OneTimeToken: "mailed_links",
        Membership: "organizations",
        TranslatorRole: "translator_roles",
    },
    export=export,
    erase=erase,
    stage=STAGE_ACCOUNTS,
)

NO_PERSONAL_DATA = NoPersonalData(
    (Organization,), "partner institutes: names and addresses of organizations, not of people"
)
