"""Pages of my data: downloading the export, deleting my account; and the page a mailed link
opens for people without an account (the data held under their address)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter
from litestar.response import Redirect, Template

from mupass_forum import pages
from mupass_forum.accounts.authentication import session_cookie
from mupass_forum.accounts.authorization import requires_signed_in
from mupass_forum.accounts.controllers import client_address
from mupass_forum.accounts.principal import Principal
from mupass_forum.accounts.services import AccountService
from mupass_forum.downloads import content_disposition, file_name
from mupass_forum.errors import Conflict, InvalidInput
from mupass_forum.i18n import N_, gettext
from mupass_forum.privacy import schemas, services
from mupass_forum.privacy.controllers import export_response
from mupass_forum.privacy.links import ADDRESS_DATA_PATH, read_address_token
from mupass_forum.settings import Settings

DELETED_PATH = "/me/data/deleted"


def _data_page(errors: pages.FormErrors = pages.NO_ERRORS, status_code: int = 200) -> Template:
    return Template("privacy/data.html", context={"errors": errors}, status_code=status_code)


@get("/me/data", guards=[requires_signed_in], sync_to_thread=False)
def data_page() -> Template:
    """My data: download it, or delete my account."""
    return _data_page()


@get("/me/data/export", guards=[requires_signed_in])
async def export_download(
    principal: NamedDependency[Principal],
    format: FromQuery[schemas.ExportFormat] = schemas.ExportFormat.ZIP,
) -> Response[Any]:
    """Everything the service holds about me, as the API's export (JSON or ZIP)."""
    return await export_response(principal, format)


@post("/me/data/delete", guards=[requires_signed_in])
async def delete_account(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    account_service: NamedDependency[AccountService],
    settings: NamedDependency[Settings],
) -> Template | Redirect:
    """Erase my account (my password confirms it) and sign me out."""
    form = await request.form()
    try:
        erasure = pages.form_struct(
            {"password": form.get("password", ""), "remove_posts": bool(form.get("remove_posts"))},
            schemas.MyErasure,
        )
        await account_service.confirm_password(
            principal, erasure.password, client_address=client_address(request), pointer="/password"
        )
        await services.erase_me(principal, erasure)
    except (InvalidInput, Conflict) as error:
        # A wrong password, or the only admin of an institute: said on the form again.
        return _data_page(pages.FormErrors.of(error), status_code=error.status)
    done = pages.redirect(DELETED_PATH)
    done.set_cookie(session_cookie(settings, None))
    return done


@get(DELETED_PATH, sync_to_thread=False)
def account_deleted() -> Template:
    """Where deleting one's account ends."""
    return pages.message_page(
        gettext(N_("Your account is deleted")),
        gettext(
            N_(
                "Your account and your personal data are erased, and you are signed out. "
                "Thank you for taking part."
            )
        ),
        links=[("/", gettext(N_("To the start page")))],
    )


# Data held under an address, for people without an account ---------------------------------

Token = Annotated[str, QueryParameter(description="the token of the link", max_length=600)]


@get(ADDRESS_DATA_PATH, sync_to_thread=False)
def address_data(token: Token) -> Template:
    """The page of a mailed link: what it offers, with its two buttons; opening it changes
    nothing."""
    grant = read_address_token(token)
    return Template(
        "privacy/address_data.html",
        context={"email": grant.email, "token": token, "expires_at": grant.expires_at},
    )


# i18n: A file name (lower case, words joined by hyphens, no spaces).
EXPORT_FILE = N_("mupass-forum-export")


@post(f"{ADDRESS_DATA_PATH}/export", status_code=200)
async def address_data_export(token: Token) -> Response[Any]:
    """Download the data held under the link's address as a JSON file."""
    document = await services.address_export(token)
    return Response(
        document,
        media_type="application/json",
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": content_disposition(file_name(EXPORT_FILE, "json")),
        },
    )


@post(f"{ADDRESS_DATA_PATH}/erasure", status_code=200)
async def address_data_erasure(token: Token) -> Template:
    """Erase the data held under the link's address."""
    await services.address_erase(token)
    return pages.message_page(
        gettext(N_("Your data is deleted")),
        gettext(
            N_(
                "What the service held under your address is deleted. Where a forum is over, "
                "it still counts your interest, without your name or address."
            )
        ),
    )


PAGES = [
    data_page,
    export_download,
    delete_account,
    account_deleted,
    address_data,
    address_data_export,
    address_data_erasure,
]
