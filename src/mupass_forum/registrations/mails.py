"""The mails of the registration funnel, each written in the recipient's language.

Every template names ``{forum}`` (the forum's title in the recipient's language, or its
original one) and ``{dates}``; links point to the service's pages (``registrations.pages``) under
``MUPASS_BASE_URL``. Every mail to a registered person ends with ``WITHDRAWAL_NOTE``: their
consent to photos and videos is withdrawn with one click on its link (``{consent_link}``).
"""

from __future__ import annotations

from collections.abc import Mapping

from mupass_forum.consent.mails import WITHDRAWAL_NOTE
from mupass_forum.i18n import N_
from mupass_forum.mail import MailTemplate
from mupass_forum.registrations.schemas import RegistrationStatus

#: Pages of the service: the interest confirmation (its button confirms) and
#: the forum's registration page.
CONFIRM_INTEREST_PATH = "/forums/{slug}/interest/confirm"
REGISTRATION_PATH = "/forums/{slug}/registration"

_SIGNATURE = N_("You receive this mail because of your registration for “{forum}”.")

INTEREST_CONFIRMATION = MailTemplate(
    name="registrations.interest_confirmation",
    subject=N_("Please confirm your interest in “{forum}”"),
    paragraphs=(
        N_("Hello {given_name},"),
        N_(
            "Thank you for your interest in “{forum}” ({dates}). Please confirm that this is "
            "your email address: only then does your interest count, and we can invite you "
            "when registration opens."
        ),
    ),
    action=(N_("Confirm my interest"), "link"),
    footer=N_(
        "You receive this mail because someone registered interest in a forum with this "
        "address. If it was not you, ignore it: nothing happens without confirmation."
    ),
)

INVITATION = MailTemplate(
    name="registrations.invitation",
    subject=N_("Registration for “{forum}” is open"),
    paragraphs=(
        N_("Hello {given_name},"),
        N_(
            "You told us that you are interested in “{forum}” ({dates}). Registration is now "
            "open. Seats are limited, so please register soon."
        ),
    ),
    action=(N_("Register now"), "link"),
    footer=N_("You receive this mail because you confirmed your interest in this forum."),
)

_VIEW_REGISTRATION = (N_("View my registration"), "link")

_CANCEL_IF_NOT_COMING = N_(
    "If you cannot come after all, please cancel, so that your seat goes to the next "
    "person on the waiting list."
)


def _to_registered(
    name: str, subject: str, *paragraphs: str, action: tuple[str, str] | None = None
) -> MailTemplate:
    """A mail to a registered person: greeted by name, ``paragraphs``, then the link that
    withdraws their photo consent and why they receive it."""
    return MailTemplate(
        name=name,
        subject=subject,
        paragraphs=(N_("Hello {display_name},"), *paragraphs, WITHDRAWAL_NOTE),
        action=action,
        footer=_SIGNATURE,
    )


REGISTRATION_CONFIRMED = _to_registered(
    "registrations.confirmed",
    N_("Your seat at “{forum}” is confirmed"),
    N_(
        "Your registration for “{forum}” ({dates}) is confirmed. Your badge number is "
        "{badge_number}."
    ),
    _CANCEL_IF_NOT_COMING,
    action=_VIEW_REGISTRATION,
)

REGISTRATION_PROMOTED = _to_registered(
    "registrations.promoted",
    N_("A seat at “{forum}” is yours"),
    N_(
        "A seat at “{forum}” ({dates}) has become free and it is yours: your registration "
        "moved from the waiting list to confirmed. Your badge number is {badge_number}."
    ),
    _CANCEL_IF_NOT_COMING,
    action=_VIEW_REGISTRATION,
)

REGISTRATION_WAITLISTED = _to_registered(
    "registrations.waitlisted",
    N_("You are on the waiting list for “{forum}”"),
    N_(
        "All seats at “{forum}” ({dates}) are taken at the moment, so you are on the "
        "waiting list, in place {position}. When a seat becomes free, it goes to the next "
        "person on the list and we write to you at once."
    ),
    action=_VIEW_REGISTRATION,
)

REGISTRATION_PENDING = _to_registered(
    "registrations.pending",
    N_("We have received your registration for “{forum}”"),
    N_(
        "Thank you for registering for “{forum}” ({dates}). The organizers review every "
        "registration for this forum; we will write to you as soon as they have decided."
    ),
    action=_VIEW_REGISTRATION,
)

REGISTRATION_DECLINED = _to_registered(
    "registrations.declined",
    N_("Your registration for “{forum}”"),
    N_("We are sorry: the organizers of “{forum}” ({dates}) could not accept your registration."),
    N_("The organizers’ reason: {reason}"),
)

REGISTRATION_CANCELLED = _to_registered(
    "registrations.cancelled",
    N_("Your registration for “{forum}” is cancelled"),
    N_("Your registration for “{forum}” ({dates}) is cancelled."),
    N_("Reason given: {reason}"),
)

REGISTRATION_ATTENDED = _to_registered(
    "registrations.attended",
    N_("Welcome to “{forum}”"),
    N_("Welcome to “{forum}”: you are checked in with badge number {badge_number}."),
)

FORUM_CANCELLED = _to_registered(
    "registrations.forum_cancelled",
    N_("{forum} is cancelled"),
    N_(
        "We are sorry to tell you that “{forum}” ({dates}) is cancelled. Your registration "
        "is cancelled with it, together with any workshop places you held; there is nothing "
        "you need to do."
    ),
)

#: The same news for people who confirmed interest in the forum but did not register.
FORUM_CANCELLED_INTEREST = MailTemplate(
    name="registrations.forum_cancelled_interest",
    subject=N_("{forum} is cancelled"),
    paragraphs=(
        N_("Hello {given_name},"),
        N_(
            "We are sorry to tell you that “{forum}” ({dates}), in which you told us you are "
            "interested, is cancelled. There is nothing you need to do."
        ),
    ),
    footer=N_("You receive this mail because you confirmed your interest in this forum."),
)

#: The mail for a registration that reached a status. A promotion from the waiting list has
#: a mail of its own; ``status_mail`` chooses.
_BY_STATUS: Mapping[RegistrationStatus, MailTemplate] = {
    RegistrationStatus.CONFIRMED: REGISTRATION_CONFIRMED,
    RegistrationStatus.WAITLISTED: REGISTRATION_WAITLISTED,
    RegistrationStatus.PENDING_APPROVAL: REGISTRATION_PENDING,
    RegistrationStatus.DECLINED: REGISTRATION_DECLINED,
    RegistrationStatus.CANCELLED: REGISTRATION_CANCELLED,
    RegistrationStatus.ATTENDED: REGISTRATION_ATTENDED,
}


def status_mail(
    to_status: RegistrationStatus, from_status: RegistrationStatus | None
) -> MailTemplate:
    if to_status == RegistrationStatus.CONFIRMED and from_status == RegistrationStatus.WAITLISTED:
        return REGISTRATION_PROMOTED
    return _BY_STATUS[to_status]
