"""The consent API's pages for browsers: the withdrawal link's (see ``mupass_forum.pages``)."""

from __future__ import annotations

import html

from mupass_forum import pages
from mupass_forum.consent import schemas
from mupass_forum.forums.schemas import Label
from mupass_forum.i18n import N_, format_datetime, gettext

#: The colour markers of consent decisions.
MARKER_STYLE = """
.marker { display: inline-block; padding: .1rem .6rem; border-radius: .8rem; font-weight: bold; }
.green { background: #d1fae5; } .yellow { background: #fef3c7; } .red { background: #fee2e2; }
"""


def page(title: str, body: str) -> str:
    """``mupass_forum.pages.page`` with the consent markers' colours."""
    return pages.page(title, body, style=MARKER_STYLE)


def marker_badge(marker: Label) -> str:
    return (
        f'<span class="marker {html.escape(marker.value, quote=True)}">'
        f"{html.escape(marker.label)}</span>"
    )


def current_choice(marker: Label) -> str:
    lead = gettext(N_("Your current choice:"))
    return f"<p>{html.escape(lead)} {marker_badge(marker)}</p>"


def withdrawal_preview_page(preview: schemas.WithdrawalPreview, token: str) -> str:
    escape = html.escape
    title = gettext(N_("Withdraw consent to photos and videos"))
    valid_until = gettext(
        N_("This link is valid until {expires_at}."),
        expires_at=format_datetime(preview.expires_at),
    )
    button = gettext(N_("Withdraw my consent"))
    body = (
        f"<h1>{escape(title)}</h1>\n"
        f"<p><strong>{escape(preview.forum_title.text)}</strong></p>\n"
        f"{current_choice(preview.marker)}\n"
        f"<p>{escape(preview.action)}</p>\n"
        f"{pages.confirm_form(token, button) if preview.can_withdraw else ''}\n"
        f'<p class="note">{escape(valid_until)}</p>'
    )
    return page(title, body)


def withdrawal_done_page(done: schemas.WithdrawalDone) -> str:
    escape = html.escape
    title = gettext(N_("Consent withdrawn") if done.withdrawn else N_("Nothing to withdraw"))
    body = (
        f"<h1>{escape(title)}</h1>\n"
        f"<p><strong>{escape(done.forum_title.text)}</strong></p>\n"
        f"<p>{escape(done.message)}</p>\n"
        f"{current_choice(done.marker)}"
    )
    return page(title, body)
