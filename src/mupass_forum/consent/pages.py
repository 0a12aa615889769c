"""Small HTML pages the consent API serves to browsers: the withdrawal link's pages.

Every value is escaped where it is put into the markup; the texts come from the catalogs in
the reader's language. The pages load nothing from elsewhere and run no script, and their
``Content-Security-Policy`` says so.
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response

from mupass_forum.consent import schemas
from mupass_forum.forums.schemas import Label
from mupass_forum.i18n import N_, format_datetime, gettext
from mupass_forum.i18n.locale import current_locale

HTML_MEDIA_TYPE = "text/html; charset=utf-8"
#: Inline styles only, forms posting back here only, no framing.
PAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)

_STYLE = """
body { font-family: Helvetica, Arial, sans-serif; color: #1f2937; margin: 2rem auto;
       max-width: 40rem; padding: 0 1rem; line-height: 1.5; }
h1 { font-size: 1.4rem; }
.marker { display: inline-block; padding: .1rem .6rem; border-radius: .8rem; font-weight: bold; }
.green { background: #d1fae5; } .yellow { background: #fef3c7; } .red { background: #fee2e2; }
button { font-size: 1rem; padding: .6rem 1.2rem; border-radius: .4rem; border: 0;
         background: #0f5e9c; color: #fff; cursor: pointer; }
.note { color: #6b7280; font-size: .9rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #d1d5db;
         vertical-align: top; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  .no-print { display: none; }
  tr { break-inside: avoid; }
  thead { display: table-header-group; }
}
"""


def wants_html(request: Request[Any, Any, Any]) -> bool:
    """Whether the client prefers a page to JSON (a browser following a link does)."""
    return request.accept.best_match(["application/json", "text/html"]) == "text/html"


def page(title: str, body: str) -> str:
    """A whole document around ``body`` (already escaped markup) in the reader's language."""
    escape = html.escape
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(current_locale())}">\n<head>\n'
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def html_response(document: str, status_code: int = 200) -> Response[str]:
    return Response(
        document,
        status_code=status_code,
        media_type=HTML_MEDIA_TYPE,
        headers={"Content-Security-Policy": PAGE_POLICY, "Cache-Control": "no-store"},
    )


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
    action = "?" + urlencode({"token": token, "lang": current_locale()})
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
        f'<form method="post" action="{escape(action, quote=True)}">'
        f'<button type="submit">{escape(button)}</button></form>\n'
        f'<p class="note">{escape(valid_until)}</p>'
    )
    return page(title, body)


def withdrawal_done_page(done: schemas.WithdrawalDone) -> str:
    escape = html.escape
    title = gettext(N_("Consent withdrawn"))
    body = (
        f"<h1>{escape(title)}</h1>\n"
        f"<p><strong>{escape(done.forum_title.text)}</strong></p>\n"
        f"<p>{escape(done.message)}</p>\n"
        f"{current_choice(done.marker)}"
    )
    return page(title, body)
