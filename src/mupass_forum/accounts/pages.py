"""The account's pages: signing up and in, the links of the account mails, password, sessions
and settings; over the same ``AccountService`` the API uses (see ``mupass_forum.pages``)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from mupass_forum import pages
from mupass_forum.accounts import schemas
from mupass_forum.accounts.authentication import session_cookie
from mupass_forum.accounts.authorization import requires_signed_in
from mupass_forum.accounts.controllers import client_address
from mupass_forum.accounts.passwords import MIN_LENGTH
from mupass_forum.accounts.principal import Principal
from mupass_forum.accounts.services import AccountService
from mupass_forum.errors import DomainError, Gone, InvalidInput
from mupass_forum.i18n import N_, current_locale, gettext, prefer_locale
from mupass_forum.request_context import language_cookie
from mupass_forum.settings import Settings

SIGN_UP_PATH = "/account/sign-up"
FORGOT_PATH = "/account/forgot-password"
SESSIONS_PATH = "/account/sessions"
SETTINGS_PATH = "/account/settings"


def _form(template: str, errors: pages.FormErrors = pages.NO_ERRORS, **context: Any) -> Template:
    """A form's page, new or again with what was wrong (400) and what the person typed."""
    return Template(
        f"account/{template}.html",
        context={"errors": errors, "password_min_length": MIN_LENGTH, **context},
        status_code=400 if errors else 200,
    )


def _link_failed(error: DomainError, again: tuple[str, str]) -> Template:
    """A link from a mail that is used, unknown or expired: say so, and where to get a new one."""
    title = gettext(N_("This link cannot be used"))
    detail = pages.FormErrors.of(error).summary
    return pages.message_page(title, detail, links=[again], status_code=error.status)


class AccountPages(Controller):
    path = "/account"

    @get("", guards=[requires_signed_in])
    async def overview(
        self,
        principal: NamedDependency[Principal],
        account_service: NamedDependency[AccountService],
    ) -> Template:
        """The signed-in person's account and where to change it."""
        me = await account_service.my_account(principal)
        return Template("account/overview.html", context={"me": me})

    # Signing up and confirming the address ---------------------------------------------------

    @get("/sign-up")
    async def sign_up_form(self, settings: NamedDependency[Settings]) -> Template:
        """The sign-up form."""
        return _form(
            "sign_up",
            form={"locale": current_locale(), "timezone": settings.default_timezone},
        )

    @post("/sign-up")
    async def sign_up(
        self, request: Request[Any, Any, Any], account_service: NamedDependency[AccountService]
    ) -> Template:
        """Create the account; the confirmation link goes out by mail."""
        form = dict(await request.form())
        try:
            await account_service.sign_up(await pages.form_data(request, schemas.SignUp))
        except InvalidInput as error:
            return _form("sign_up", pages.FormErrors.of(error), form=form)
        return pages.message_page(
            gettext(N_("Please check your mail")),
            gettext(
                N_(
                    "Thank you. If the address can be used, you will receive a mail with a "
                    "link to confirm it."
                )
            ),
        )

    @get("/verify")
    async def verify_form(self, token: FromQuery[str] = "") -> Template:
        """The page the confirmation mail links to: one button, since mail scanners follow
        links; the button's POST confirms."""
        return Template("account/verify.html", context={"token": token})

    @post("/verify")
    async def verify(
        self, request: Request[Any, Any, Any], account_service: NamedDependency[AccountService]
    ) -> Template:
        """Confirm the address with the mail's token."""
        try:
            data = await pages.form_data(request, schemas.EmailVerification)
            await account_service.verify_email(data.token)
        except (InvalidInput, Gone) as error:
            return _link_failed(error, (SIGN_UP_PATH, gettext(N_("Sign up again for a new link"))))
        return pages.message_page(
            gettext(N_("Your address is confirmed")),
            gettext(N_("Thank you. You can sign in now.")),
            links=[(pages.SIGN_IN_PATH, gettext(N_("Sign in")))],
        )

    # Signing in and out ------------------------------------------------------------------

    @get("/sign-in")
    async def sign_in_form(
        self, next: FromQuery[str] = "", signed_out: FromQuery[bool] = False
    ) -> Template:
        """The sign-in form; ``next`` is where it leads afterwards."""
        return _form(
            "sign_in", form={"email": ""}, next=pages.local_path(next), signed_out=signed_out
        )

    @post("/sign-in")
    async def sign_in(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        account_service: NamedDependency[AccountService],
    ) -> Response[Any]:
        """Check the password, open a session for this browser and go on to ``next``."""
        form = await request.form()
        next_page = pages.local_path(form.get("next"))
        try:
            signed_in = await account_service.log_in(
                await pages.form_data(request, schemas.Login),
                client_address=client_address(request),
                user_agent=request.headers.get("user-agent", ""),
            )
        except DomainError as error:
            # Wrong password, unconfirmed address, too many tries: the form again, saying so.
            page = _form(
                "sign_in",
                pages.FormErrors.of(error),
                form={"email": form.get("email", "")},
                next=next_page,
                signed_out=False,
            )
            page.status_code = error.status
            page.headers.update(error.headers)
            return page
        prefer_locale(signed_in.account.locale, signed_in.account.timezone)
        response = pages.redirect(next_page)
        response.set_cookie(session_cookie(settings, signed_in.token))
        return response

    @post("/sign-out")
    async def sign_out(
        self,
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
        account_service: NamedDependency[AccountService],
    ) -> Response[Any]:
        """End this browser's session (its token stops working everywhere)."""
        if principal.is_authenticated:
            await account_service.log_out(principal)
        response = pages.redirect(f"{pages.SIGN_IN_PATH}?signed_out=true")
        response.set_cookie(session_cookie(settings, None))
        return response

    # Forgotten passwords -----------------------------------------------------------------

    @get("/forgot-password")
    async def forgot_password_form(self) -> Template:
        """Ask for a link to choose a new password."""
        return _form("forgot_password", form={"email": ""})

    @post("/forgot-password")
    async def forgot_password(
        self, request: Request[Any, Any, Any], account_service: NamedDependency[AccountService]
    ) -> Template:
        """Send the link, if the address has an account (the answer is the same if not)."""
        form = dict(await request.form())
        try:
            data = await pages.form_data(request, schemas.PasswordResetRequest)
        except InvalidInput as error:
            return _form("forgot_password", pages.FormErrors.of(error), form=form)
        page = pages.message_page(
            gettext(N_("Please check your mail")),
            gettext(
                N_(
                    "Thank you. If there is an account with this address, you will receive a "
                    "mail with a link to choose a new password."
                )
            ),
        )
        # As in the API: answered before the address is looked up.
        page.background = BackgroundTask(account_service.request_password_reset, data)
        return page

    @get("/reset-password")
    async def reset_password_form(self, token: FromQuery[str] = "") -> Response[Any]:
        """The page the reset mail links to; without a token, the way to ask for one."""
        if not token:
            return pages.redirect(FORGOT_PATH)
        return _form("reset_password", token=token)

    @post("/reset-password")
    async def reset_password(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        account_service: NamedDependency[AccountService],
    ) -> Template:
        """Set the new password; every session of the account ends, this browser's too."""
        form = await request.form()
        try:
            await account_service.reset_password(
                await pages.form_data(request, schemas.PasswordReset)
            )
        except Gone as error:
            return _link_failed(error, (FORGOT_PATH, gettext(N_("Ask for a new link"))))
        except InvalidInput as error:
            errors = pages.FormErrors.of(error)
            if "token" in errors.fields:
                return _link_failed(error, (FORGOT_PATH, gettext(N_("Ask for a new link"))))
            return _form("reset_password", errors, token=form.get("token", ""))
        page = pages.message_page(
            gettext(N_("Your new password is set")),
            gettext(N_("All sessions of your account have ended. Please sign in again.")),
            links=[(pages.SIGN_IN_PATH, gettext(N_("Sign in")))],
        )
        page.cookies.append(session_cookie(settings, None))
        return page

    # The signed-in person's account ------------------------------------------------------

    @get("/password", guards=[requires_signed_in])
    async def password_form(self) -> Template:
        """Change the password."""
        return _form("password", done=False)

    @post("/password", guards=[requires_signed_in])
    async def change_password(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        account_service: NamedDependency[AccountService],
    ) -> Template:
        """Set a new password; the other sessions of the account end."""
        try:
            await account_service.change_password(
                principal,
                await pages.form_data(request, schemas.PasswordChange),
                client_address=client_address(request),
            )
        except InvalidInput as error:
            return _form("password", pages.FormErrors.of(error), done=False)
        return _form("password", done=True)

    @get("/sessions", guards=[requires_signed_in])
    async def sessions(
        self,
        principal: NamedDependency[Principal],
        account_service: NamedDependency[AccountService],
    ) -> Template:
        """Where the account is signed in."""
        found = await account_service.sessions(principal)
        return Template("account/sessions.html", context={"sessions": found})

    @post("/sessions/{session_id:int}/sign-out", guards=[requires_signed_in])
    async def revoke_session(
        self,
        session_id: FromPath[int],
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
        account_service: NamedDependency[AccountService],
    ) -> Response[Any]:
        """Sign one session out, for example on a lost phone."""
        await account_service.revoke_session(principal, session_id)
        if session_id != principal.session_id:
            return pages.redirect(SESSIONS_PATH)
        response = pages.redirect(f"{pages.SIGN_IN_PATH}?signed_out=true")
        response.set_cookie(session_cookie(settings, None))
        return response

    @post("/sessions/sign-out-others", guards=[requires_signed_in])
    async def revoke_other_sessions(
        self,
        principal: NamedDependency[Principal],
        account_service: NamedDependency[AccountService],
    ) -> Response[Any]:
        """Sign out everywhere but here."""
        await account_service.revoke_other_sessions(principal)
        return pages.redirect(SESSIONS_PATH)

    @get("/settings", guards=[requires_signed_in])
    async def settings_form(
        self,
        principal: NamedDependency[Principal],
        account_service: NamedDependency[AccountService],
        saved: FromQuery[bool] = False,
    ) -> Template:
        """Name, language and time zone."""
        me = await account_service.my_account(principal)
        form = {"display_name": me.display_name, "locale": me.locale, "timezone": me.timezone}
        return _form("settings", form=form, saved=saved)

    @post("/settings", guards=[requires_signed_in])
    async def save_settings(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        account_service: NamedDependency[AccountService],
    ) -> Response[Any]:
        """Store name, language and time zone; pages and mails follow them from now on."""
        form = dict(await request.form())
        try:
            me = await account_service.update_my_account(
                principal, await pages.form_data(request, schemas.MeUpdate)
            )
        except InvalidInput as error:
            return _form("settings", pages.FormErrors.of(error), form=form, saved=False)
        response = pages.redirect(f"{SETTINGS_PATH}?saved=true")
        # The language chosen on pages would otherwise outweigh the one just stored.
        response.headers["Set-Cookie"] = language_cookie(me.locale, request.scope)
        return response
