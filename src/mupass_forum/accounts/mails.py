"""The mails accounts send, each rendered in the recipient's language and time zone."""

from __future__ import annotations

from urllib.parse import quote

from mupass_forum.i18n import N_
from mupass_forum.mail import MailTemplate

#: The service's pages that the links of these mails open (see ``accounts.pages``).
VERIFY_PATH = "/account/verify"
RESET_PATH = "/account/reset-password"


def link(base_url: str, path: str, locale: str, token: str | None = None) -> str:
    """A page's address for a mail in ``locale``: the page opens in the mail's language."""
    query = f"token={quote(token)}&lang={locale}" if token else f"lang={locale}"
    return f"{base_url}{path}?{query}"


VERIFY_EMAIL = MailTemplate(
    name="accounts.verify_email",
    subject=N_("Please confirm your email address"),
    paragraphs=(
        N_("Hello {display_name},"),
        N_(
            "Thank you for signing up for the MUPASS dialogue forums. Please confirm that this "
            "is your email address. The link is valid until {expires_at} and works once."
        ),
    ),
    action=(N_("Confirm my address"), "link"),
    footer=N_(
        "You receive this mail because someone signed up with this address. If it was not you, "
        "ignore it: the account stays inactive without confirmation."
    ),
)

ALREADY_REGISTERED = MailTemplate(
    name="accounts.already_registered",
    subject=N_("You already have an account"),
    paragraphs=(
        N_("Hello {display_name},"),
        N_(
            "Someone, perhaps you, tried to sign up again with this email address. You already "
            "have an account, so nothing was changed."
        ),
        N_("If you have forgotten your password, you can choose a new one:"),
    ),
    action=(N_("Choose a new password"), "link"),
    footer=N_("If it was not you, you can ignore this mail."),
)

PASSWORD_RESET = MailTemplate(
    name="accounts.password_reset",
    subject=N_("Choose a new password"),
    paragraphs=(
        N_("Hello {display_name},"),
        N_(
            "We received a request to reset the password of your account. The link below is "
            "valid until {expires_at} and works once; all your sessions end when you use it."
        ),
    ),
    action=(N_("Choose a new password"), "link"),
    footer=N_("If you did not ask for this, ignore this mail: your password stays as it is."),
)

PASSWORD_CHANGED = MailTemplate(
    name="accounts.password_changed",
    subject=N_("Your password was changed"),
    paragraphs=(
        N_("Hello {display_name},"),
        N_(
            "The password of your account was changed on {changed_at}. Your other sessions "
            "have been signed out."
        ),
        N_(
            "If this was not you, choose a new password at once with the link below and tell "
            "the forum team."
        ),
    ),
    action=(N_("Choose a new password"), "link"),
)

MEMBER_ADDED = MailTemplate(
    name="accounts.member_added",
    subject=N_("You now belong to {organization}"),
    paragraphs=(
        N_("Hello {display_name},"),
        N_(
            "{added_by} has added you to {organization} on the MUPASS dialogue forums. You "
            "can see the organizations you belong to on your account page."
        ),
    ),
    footer=N_(
        "If you do not know this organization, tell the forum team: an organization's admins "
        "can remove you again."
    ),
)
