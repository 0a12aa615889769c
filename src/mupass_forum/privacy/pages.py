"""The page a mailed link to the data held under an address opens (see ``mupass_forum.pages``):
one button downloads it, one erases it; opening the page changes nothing."""

from __future__ import annotations

import html
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Response, get, post
from litestar.params import QueryParameter
from litestar.status_codes import HTTP_200_OK

from mupass_forum import pages
from mupass_forum.i18n import N_, current_locale, format_datetime, gettext
from mupass_forum.privacy import schemas, services
from mupass_forum.privacy.links import ADDRESS_DATA_PATH, read_address_token

Token = Annotated[str, QueryParameter(description="the token of the link", max_length=600)]


def _form(path: str, token: str, button: str) -> str:
    action = f"{path}?{urlencode({'token': token, 'lang': current_locale()})}"
    return (
        f'<form method="post" action="{html.escape(action, quote=True)}">'
        f'<button type="submit">{html.escape(button)}</button></form>'
    )


def address_data_page(email: str, token: str, expires_at: Any) -> str:
    escape = html.escape
    title = gettext(N_("Your data at the dialogue forum service"))
    intro = gettext(
        N_(
            "What the service holds under {email}, such as your interest in forums: download "
            "it, or delete it for good."
        ),
        email=email,
    )
    valid_until = gettext(
        N_("This link is valid until {expires_at}."), expires_at=format_datetime(expires_at)
    )
    body = (
        f"<h1>{escape(title)}</h1>\n<p>{escape(intro)}</p>\n"
        f"{_form(ADDRESS_DATA_PATH + '/export', token, gettext(N_('Download my data')))}\n"
        f"<p></p>{_form(ADDRESS_DATA_PATH + '/erasure', token, gettext(N_('Delete my data')))}\n"
        f'<p class="note">{escape(valid_until)}</p>'
    )
    return pages.page(title, body)


def address_erased_page(receipt: schemas.AddressErasureReceipt) -> str:
    title = gettext(N_("Your data is deleted"))
    text = gettext(
        N_(
            "What the service held under your address is deleted. Where a forum is over, it "
            "still counts your interest, without your name or address."
        )
    )
    return pages.page(title, f"<h1>{html.escape(title)}</h1>\n<p>{html.escape(text)}</p>")


class AddressDataPage(Controller):
    path = ADDRESS_DATA_PATH
    tags = ["privacy"]
    include_in_schema = False

    @get("", media_type=pages.HTML_MEDIA_TYPE)
    async def show(self, token: Token) -> Response[str]:
        """The page of a mailed link: what it offers, with its two buttons."""
        grant = read_address_token(token)
        return pages.html_response(address_data_page(grant.email, token, grant.expires_at))

    @post("/export", status_code=HTTP_200_OK, media_type="application/json")
    async def download(self, token: Token) -> Response[Any]:
        """Download the data held under the link's address as a JSON file."""
        document = await services.address_export(token)
        return Response(
            document,
            media_type="application/json",
            headers={
                "Cache-Control": "no-store",
                "Content-Disposition": 'attachment; filename="mupass-forum-export.json"',
            },
        )

    @post("/erasure", status_code=HTTP_200_OK, media_type=pages.HTML_MEDIA_TYPE)
    async def erase(self, token: Token) -> Response[str]:
        """Erase the data held under the link's address."""
        return pages.html_response(address_erased_page(await services.address_erase(token)))
