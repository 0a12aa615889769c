"""Small HTML pages the API serves to browsers that follow a link from a mail.

A signed link (withdrawing consent, stopping board mail) opens a page that says what will
happen, with one button; only the button's POST acts, so that link scanners and mail programs
fetching the link change nothing. Every value is escaped where it is put into the markup; the
texts come from the catalogs in the reader's language. The pages load nothing from elsewhere
and run no script, and their ``Content-Security-Policy`` says so.
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response

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


def page(title: str, body: str, *, style: str = "") -> str:
    """A whole document around ``body`` (already escaped markup) in the reader's language."""
    escape = html.escape
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(current_locale())}">\n<head>\n'
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        f"<title>{escape(title)}</title>\n<style>{_STYLE}{style}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def confirm_form(token: str, button: str) -> str:
    """A form that POSTs the link's token back to the page's own address, in its language."""
    action = "?" + urlencode({"token": token, "lang": current_locale()})
    return (
        f'<form method="post" action="{html.escape(action, quote=True)}">'
        f'<button type="submit">{html.escape(button)}</button></form>'
    )


def html_response(document: str, status_code: int = 200) -> Response[str]:
    return Response(
        document,
        status_code=status_code,
        media_type=HTML_MEDIA_TYPE,
        headers={"Content-Security-Policy": PAGE_POLICY, "Cache-Control": "no-store"},
    )
