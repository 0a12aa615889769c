"""Interest in a forum: expressed, confirmed with a mailed link, invited when registration opens,
told when the forum is cancelled."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from piccolo.columns.combination import WhereRaw

from mupass_forum import db, regions
from mupass_forum.accounts.rate_limits import MailThrottle
from mupass_forum.accounts.services import new_token, normalize_email, token_hash
from mupass_forum.accounts.tables import User
from mupass_forum.app_context import current
from mupass_forum.clock import now
from mupass_forum.errors import Conflict, FieldError, Gone, InvalidInput, NotFound
from mupass_forum.forums.authorization import ForumRef
from mupass_forum.forums.queries import forum_ref
from mupass_forum.forums.schemas import ForumStatus
from mupass_forum.i18n import N_, gettext
from mupass_forum.mail import queue_mail
from mupass_forum.registrations import mails, schemas
from mupass_forum.registrations.forum_facts import ForumFacts, forum_facts
from mupass_forum.registrations.tables import Interest
from mupass_forum.validation import country_problem, email_problem, locale_problem, required_problem


def _interest_link_lifetime() -> timedelta:
    """How long an interest confirmation link stays valid (``MUPASS_INTEREST_LINK_DAYS``)."""
    return timedelta(days=current().settings.interest_link_days)


async def tell_interest_of_cancellation(forum_id: int, facts: ForumFacts) -> None:
    """Mail confirmed interest of people who never registered that the forum is cancelled.

    Whoever registered hears it through their registration. The conditional update claims each
    row once, like the invitations.
    """
    rows = await (
        Interest.update({Interest.cancellation_sent_at: now()})
        .where(
            Interest.forum == forum_id,
            Interest.confirmed_at.is_not_null(),
            Interest.cancellation_sent_at.is_null(),
            Interest.anonymized_at.is_null(),
            WhereRaw(
                "email NOT IN (SELECT u.email FROM registration r "  # noqa: S608 (a table's name)
                f'JOIN {User._meta.tablename} u ON u.id = r."user" WHERE r.forum = {{}})',
                forum_id,
            ),
        )
        .returning(Interest.email, Interest.given_name, Interest.locale)
    )
    for row in rows:
        await queue_mail(
            mails.FORUM_CANCELLED_INTEREST,
            to=row["email"],
            locale=row["locale"],
            context={**facts.context(), "given_name": row["given_name"]},
        )


# Interest --------------------------------------------------------------------------------------


def _interest_problems(data: schemas.InterestCreate, email: str) -> list[FieldError]:
    found = [
        email_problem(email),
        locale_problem(data.locale),
        country_problem(data.country),
        required_problem(data.given_name, "/given_name"),
        required_problem(data.family_name, "/family_name"),
    ]
    problems = [problem for problem in found if problem is not None]
    if data.wants_to_present and not data.presentation_topic.strip():
        problems.append(
            FieldError(
                N_("Please name the topic of the example you would like to present."),
                "required",
                pointer="/presentation_topic",
            )
        )
    return problems


def _interest_open(forum: ForumRef) -> None:
    if (
        forum.status != ForumStatus.ANNOUNCED
        or now() >= forum.ends_at
        or (forum.interest_deadline is not None and now() > forum.interest_deadline)
    ):
        raise Conflict(
            "interest_closed",
            N_("This forum does not collect expressions of interest at the moment."),
        )


async def express_interest(
    slug: str, data: schemas.InterestCreate, mail_throttle: MailThrottle
) -> schemas.InterestReceipt:
    """Record interest (or update an unconfirmed one) and mail the confirmation link.

    The answer is the same for a new, a repeated and an already confirmed address, so that it
    tells nobody who is interested in what; past ``mail_throttle``'s bound for the address
    nothing is recorded or sent, and the answer is still the same.
    """
    forum = await forum_ref(slug)
    if forum.status == ForumStatus.DRAFT:
        raise NotFound("forum_not_found")
    _interest_open(forum)
    email = normalize_email(data.email)
    problems = _interest_problems(data, email)
    if problems:
        raise InvalidInput(*problems)
    receipt = schemas.InterestReceipt(
        message=gettext(
            N_("Thank you. Please confirm your interest with the link we have sent to {email}."),
            email=email,
        )
    )
    # Checked before the token changes, so that the link mailed last keeps working.
    if not await mail_throttle.allow("interest", email):
        return receipt
    country = data.country.strip().upper()
    token, hashed = new_token()
    stamp = now()
    group, level = data.stakeholder_group, data.government_level
    values: dict[str, Any] = {
        "given_name": data.given_name.strip(),
        "family_name": data.family_name.strip(),
        "organization_name": data.organization.strip(),
        "locale": data.locale,
        "country": country,
        "region": regions.region_of(country),
        "sub_region": regions.sub_region_of(country),
        "stakeholder_group": group.value if group else None,
        "government_level": level.value if level else None,
        "wants_to_present": data.wants_to_present,
        "presentation_topic": data.presentation_topic.strip(),
        "token_hash": hashed,
        "link_sent_at": stamp,
        "updated_at": stamp,
    }
    async with db.transaction():
        inserted = await (
            Interest.insert(
                Interest(
                    forum=forum.id,
                    email=email,
                    created_at=stamp,
                    **values,
                )
            )
            .on_conflict(target=(Interest.forum, Interest.email), action="DO NOTHING")
            .returning(Interest.id)
        )
        if not inserted:
            # Repeating unconfirmed interest updates it and sends a fresh link; confirmed
            # interest stays as it was.
            inserted = await (
                Interest.update(**values)
                .where(
                    Interest.forum == forum.id,
                    Interest.email == email,
                    Interest.confirmed_at.is_null(),
                )
                .returning(Interest.id)
            )
        if inserted:
            facts = await forum_facts(forum.id)
            await queue_mail(
                mails.INTEREST_CONFIRMATION,
                to=email,
                locale=data.locale,
                context={
                    **facts.context(),
                    "given_name": data.given_name.strip(),
                    "link": f"{facts.link(mails.CONFIRM_INTEREST_PATH)}?token={token}",
                },
            )
    return receipt


async def confirm_interest(slug: str, token: str) -> schemas.InterestReceipt:
    """Confirm interest with the mailed token (again: harmless); invites at once if open.

    A link is valid for ``MUPASS_INTEREST_LINK_DAYS`` after it was mailed; an expired one is
    ``Gone``, and expressing interest again mails a fresh one. A cancelled forum takes none.
    """
    forum = await forum_ref(slug)
    if forum.status == ForumStatus.CANCELLED:
        raise Conflict(
            "forum_cancelled",
            N_("This forum has been cancelled, so there is no interest to confirm any more."),
        )
    hashed = token_hash(token)
    stamp = now()
    async with db.transaction():
        confirmed = await (
            Interest.update({Interest.confirmed_at: stamp})
            .where(
                Interest.forum == forum.id,
                Interest.token_hash == hashed,
                Interest.confirmed_at.is_null(),
                Interest.link_sent_at >= stamp - _interest_link_lifetime(),
            )
            .returning(Interest.id)
        )
        if not confirmed:
            found = (
                await Interest.select(Interest.confirmed_at)
                .where(Interest.forum == forum.id, Interest.token_hash == hashed)
                .first()
            )
            if found is None:
                raise InvalidInput(
                    FieldError(
                        N_(
                            "This confirmation link is not valid. Please register your "
                            "interest again."
                        ),
                        "invalid_token",
                        pointer="/token",
                    )
                )
            if found["confirmed_at"] is None:
                raise Gone(
                    "interest_link_expired",
                    N_(
                        "This confirmation link has expired. Please register your interest "
                        "again: we will send you a new link."
                    ),
                )
        if confirmed and forum.status == ForumStatus.REGISTRATION_OPEN:
            await invite(forum.id, Interest.id == confirmed[0]["id"])
    return schemas.InterestReceipt(message=gettext(N_("Thank you, your interest is confirmed.")))


async def invite(forum_id: int, which: Any) -> int:
    """Mail the invitation to confirmed interest not yet invited; claims each one once.

    The conditional update is the claim: of two transactions (a forum opened twice, two server
    processes), only the one whose update set ``invitation_sent_at`` queues the mail.
    """
    rows = await (
        Interest.update({Interest.invitation_sent_at: now()})
        .where(
            which,
            Interest.forum == forum_id,
            Interest.confirmed_at.is_not_null(),
            Interest.invitation_sent_at.is_null(),
        )
        .returning(Interest.email, Interest.given_name, Interest.locale)
    )
    if not rows:
        return 0
    facts = await forum_facts(forum_id)
    for row in rows:
        await queue_mail(
            mails.INVITATION,
            to=row["email"],
            locale=row["locale"],
            context={
                **facts.context(),
                "given_name": row["given_name"],
                "link": facts.link(mails.REGISTRATION_PATH),
            },
        )
    return len(rows)
