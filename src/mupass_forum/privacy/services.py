"""The rights of access, portability and erasure: every domain's share, put together.

The export asks every registered ``PersonalData`` for the person's rows and writes them as one
JSON document (or a ZIP with a README in the reader's language). Erasure runs every domain's
eraser in one transaction, in the order of their stages, and logs it without personal data.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timedelta
from typing import Any

import msgspec

from mupass_forum import db
from mupass_forum.accounts.authorization import as_signed_in, authorize, platform_admin, signed_in
from mupass_forum.accounts.organizations import organizations_only_administered_by
from mupass_forum.accounts.principal import Principal
from mupass_forum.accounts.services import normalize_email
from mupass_forum.accounts.tables import User
from mupass_forum.clock import now
from mupass_forum.errors import Conflict, NotFound
from mupass_forum.i18n import N_, current_locale, format_datetime_with_zone, gettext
from mupass_forum.mail import queue_mail
from mupass_forum.mail.tables import OutboxMail
from mupass_forum.participants.tables import Profile
from mupass_forum.privacy import schemas
from mupass_forum.privacy.links import address_link, read_address_token
from mupass_forum.privacy.mails import ADDRESS_DATA_LINK
from mupass_forum.privacy.registry import ErasureRequest, Subject, holders
from mupass_forum.privacy.tables import Erasure
from mupass_forum.registrations.tables import Interest
from mupass_forum.rows import Moment, row_as, rows_as
from mupass_forum.settings import Settings
from mupass_forum.validation import email_problem, locale_problem, raise_problems

#: Bumped when the export's layout changes in a way programs reading it must know about.
EXPORT_FORMAT_VERSION = 1


class _Account(msgspec.Struct, frozen=True, kw_only=True):
    email: str
    display_name: str


async def subject_of(user_id: int) -> Subject:
    """The person behind an account that was not erased; ``NotFound`` otherwise."""
    found = (
        await User.select(User.email, User.display_name)
        .where(User.id == user_id, User.erased_at.is_null())
        .first()
    )
    if found is None:
        raise NotFound("account_not_found")
    user = row_as(found, _Account)
    profile = (
        await Profile.select(Profile.given_name, Profile.family_name)
        .where(Profile.user == user_id)
        .first()
    )
    names = {user.display_name.strip()}
    if profile:
        names.add(f"{profile['given_name']} {profile['family_name']}".strip())
    return Subject(
        user_id=user_id,
        email=user.email,
        names=tuple(sorted((name for name in names if name), key=len, reverse=True)),
    )


# Export ----------------------------------------------------------------------------------------


async def export_document(user_id: int) -> dict[str, Any]:
    """Everything the service holds about the person, one section per domain, as JSON values
    (instants in ISO 8601)."""
    subject = await subject_of(user_id)
    sections = {holder.section: dict(await holder.export(subject)) for holder in holders()}
    document = {
        "format": "mupass-forum personal data export",
        "format_version": EXPORT_FORMAT_VERSION,
        "generated_at": now(),
        "account_id": user_id,
        "sections": sections,
    }
    return dict(msgspec.to_builtins(document))


async def my_export(principal: Principal) -> dict[str, Any]:
    await authorize(principal, signed_in)
    principal = as_signed_in(principal)
    return await export_document(principal.user_id)


# i18n: Title of the README in the personal data export (ZIP).
README_TITLE = N_("Your personal data at the dialogue forum service")
README_INTRO = N_(
    "This archive holds everything the service keeps about you, as of {date}. The file "
    "export.json holds the data itself in JSON, a format any program can read; dates and times "
    "are in ISO 8601 and UTC. It has one part per area of the service:"
)
README_RIGHTS = N_(
    "You can download this export again at any time, and you can delete your account in your "
    "account settings. Posts you wrote on the dialogue board then remain, shown as written by "
    "a former participant, unless you ask for them to be removed as well."
)


# i18n: One part of the data export in its README: the part's file name, a colon as your
# language writes it (French: with a no-break space before it), what the part holds.
README_ITEM = N_("{label}: {text}")


def readme(document: dict[str, Any]) -> str:
    """The README of the export in the active language: what each part holds."""
    generated = datetime.fromisoformat(document["generated_at"])
    lines = [
        gettext(README_TITLE),
        "",
        gettext(README_INTRO, date=format_datetime_with_zone(generated)),
        "",
    ]
    for holder in holders():
        item = gettext(README_ITEM, label=holder.section, text=gettext(holder.description))
        lines += [f"- {item}", ""]
    lines.append(gettext(README_RIGHTS))
    return "\n".join(lines) + "\n"


def export_zip(document: dict[str, Any]) -> bytes:
    """``export.json`` and ``README.txt`` (in the active language) in one ZIP file."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export.json", msgspec.json.format(msgspec.json.encode(document)))
        archive.writestr("README.txt", readme(document).encode("utf-8"))
    return buffer.getvalue()


# Erasure ---------------------------------------------------------------------------------------


async def erase(
    user_id: int,
    *,
    remove_posts: bool,
    requested_by: int | None,
    channel: schemas.ErasureChannel,
) -> schemas.ErasureReceipt:
    """Erase the person's data in one transaction: nothing is half-erased if a step fails."""
    at = now()
    async with db.transaction():
        subject = await subject_of(user_id)
        orphaned = await organizations_only_administered_by(user_id)
        if orphaned and channel == schemas.ErasureChannel.SELF_SERVICE:
            raise Conflict(
                "last_organization_admin",
                N_(
                    "You are the only admin of {organizations}. Make someone else admin there "
                    "first, or ask the platform's administrators to erase your account."
                ),
                organizations=", ".join(row.name for row in orphaned),
            )
        request = ErasureRequest(
            subject=subject, remove_posts=remove_posts, actor_id=requested_by, at=at
        )
        for holder in holders():
            await holder.erase(request)
        await Erasure.insert(
            Erasure(
                subject_id=user_id,
                # Someone erasing themselves is their own requester, which names nobody.
                requested_by_id=requested_by,
                channel=channel.value,
                posts_removed=remove_posts,
                erased_at=at,
            )
        )
    # Erasure removes board texts (posts, mentions of the person): the search indexes too.
    await db.scrub(search_indexes=True)
    return schemas.ErasureReceipt(
        account_id=user_id,
        erased_at=at,
        posts_removed=remove_posts,
        organizations_without_admin=[
            schemas.OrganizationLeft(id=row.id, name=row.name) for row in orphaned
        ],
    )


async def erase_me(principal: Principal, data: schemas.MyErasure) -> schemas.ErasureReceipt:
    """The caller's own erasure; the password was confirmed by the accounts service."""
    await authorize(principal, signed_in)
    principal = as_signed_in(principal)
    return await erase(
        principal.user_id,
        remove_posts=data.remove_posts,
        requested_by=principal.user_id,
        channel=schemas.ErasureChannel.SELF_SERVICE,
    )


async def erase_on_request(
    principal: Principal, user_id: int, data: schemas.ErasureCreate
) -> schemas.ErasureReceipt:
    """A platform admin erases an account on the person's request."""
    await authorize(principal, platform_admin)
    return await erase(
        user_id,
        remove_posts=data.remove_posts,
        requested_by=principal.user_id,
        channel=schemas.ErasureChannel.ADMIN,
    )


async def erase_by_email(email: str, *, remove_posts: bool) -> schemas.ErasureReceipt:
    """The command line's erasure, by the account's address."""
    user = (
        await User.select(User.id)
        .where(User.email == email.strip().lower(), User.erased_at.is_null())
        .first()
    )
    if user is None:
        raise NotFound("account_not_found")
    return await erase(
        int(user["id"]),
        remove_posts=remove_posts,
        requested_by=None,
        channel=schemas.ErasureChannel.COMMAND_LINE,
    )


async def erasures(principal: Principal, limit: int) -> list[schemas.ErasureReceipt]:
    """The erasure log, newest first (platform admins): pseudonymous ids and dates only."""
    await authorize(principal, platform_admin)
    rows = (
        await Erasure.select(Erasure.subject_id, Erasure.erased_at, Erasure.posts_removed)
        .order_by(Erasure.id, ascending=False)
        .limit(limit)
    )
    return [
        schemas.ErasureReceipt(
            account_id=row.subject_id, erased_at=row.erased_at, posts_removed=row.posts_removed
        )
        for row in rows_as(rows, _ErasureRow)
    ]


class _ErasureRow(msgspec.Struct, frozen=True, kw_only=True):
    subject_id: int
    erased_at: Moment
    posts_removed: bool


# Data held under an address, for people without an account -----------------------------------

#: The areas that keep records by address rather than by account (interest, mails).
ADDRESS_SECTIONS = ("registrations", "mail")
#: At most one link mail per address in this time, so that nobody is flooded with them.
ADDRESS_LINK_INTERVAL = timedelta(minutes=10)

ADDRESS_ACCESS_ACCEPTED = N_(
    "If we hold anything under this address, a link to it is on its way there. Please look in "
    "your mailbox."
)


def _address_subject(email: str, names: tuple[str, ...] = ()) -> Subject:
    # No account: an id no row has, so that only records kept by address are found.
    return Subject(user_id=-1, email=email, names=names)


async def _holds_anything(email: str) -> bool:
    return bool(
        await Interest.exists().where(Interest.email == email)
        or await OutboxMail.exists().where(
            OutboxMail.recipient == email, OutboxMail.template != ADDRESS_DATA_LINK.name
        )
    )


async def request_address_access(
    settings: Settings, data: schemas.AddressAccessRequest
) -> schemas.AddressAccessAccepted:
    """Mail a link to the data held under an address; the answer says nothing about it."""
    email = normalize_email(data.email)
    raise_problems(email_problem(email))
    locale = data.locale or current_locale()
    raise_problems(locale_problem(locale, "/locale"))
    async with db.transaction():
        recent = await OutboxMail.exists().where(
            OutboxMail.recipient == email,
            OutboxMail.template == ADDRESS_DATA_LINK.name,
            OutboxMail.created_at > now() - ADDRESS_LINK_INTERVAL,
        )
        if not recent and await _holds_anything(email):
            await queue_mail(
                ADDRESS_DATA_LINK,
                to=email,
                locale=locale,
                context={
                    "link": address_link(email, locale),
                    "n": settings.address_link_hours,
                },
            )
    return schemas.AddressAccessAccepted(message=gettext(ADDRESS_ACCESS_ACCEPTED))


async def address_export(token: str) -> dict[str, Any]:
    """What the service holds under the link's address, as the account export lays it out."""
    email = read_address_token(token).email
    subject = _address_subject(email)
    sections = {
        holder.section: dict(await holder.export(subject))
        for holder in holders()
        if holder.section in ADDRESS_SECTIONS
    }
    document = {
        "format": "mupass-forum personal data export",
        "format_version": EXPORT_FORMAT_VERSION,
        "generated_at": now(),
        "email": email,
        "sections": sections,
    }
    return dict(msgspec.to_builtins(document))


async def address_erase(token: str) -> schemas.AddressErasureReceipt:
    """Erase what is held under the link's address, in one transaction, as erasure of an
    account does for these areas (interest in forums that are over stays, anonymized)."""
    email = read_address_token(token).email
    at = now()
    async with db.transaction():
        interest = await Interest.select(Interest.given_name, Interest.family_name).where(
            Interest.email == email, Interest.anonymized_at.is_null()
        )
        names = {f"{row['given_name']} {row['family_name']}".strip() for row in interest}
        mails = await OutboxMail.count().where(OutboxMail.recipient == email)
        request = ErasureRequest(
            subject=_address_subject(
                email, tuple(sorted((n for n in names if n), key=len, reverse=True))
            ),
            remove_posts=False,
            actor_id=None,
            at=at,
        )
        for holder in holders():
            if holder.section in ADDRESS_SECTIONS:
                await holder.erase(request)
    await db.scrub()
    return schemas.AddressErasureReceipt(erased_at=at, interest=len(interest), mails=int(mails))
