"""The accounts API: signing up and in, the caller's account, organizations, translator roles."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from mupass_forum.accounts import organizations, schemas, translator_roles
from mupass_forum.accounts.authorization import (
    requires_organization_admin,
    requires_organization_member,
    requires_platform_admin,
    requires_signed_in,
)
from mupass_forum.accounts.principal import Principal
from mupass_forum.accounts.services import AccountService
from mupass_forum.i18n import N_, gettext, prefer_locale
from mupass_forum.pagination import page_size


def client_address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else ""


def _accepted(message: str, background: BackgroundTask | None = None) -> Response[schemas.Accepted]:
    return Response(
        schemas.Accepted(detail=gettext(message)),
        status_code=HTTP_202_ACCEPTED,
        background=background,
    )


class AuthController(Controller):
    path = "/auth"
    tags = ["accounts"]

    @post("/signup", operation_id="sign_up", summary="Sign up", status_code=HTTP_202_ACCEPTED)
    async def sign_up(
        self, data: JSONBody[schemas.SignUp], account_service: NamedDependency[AccountService]
    ) -> Response[schemas.Accepted]:
        """Create an account; a link to confirm the address is sent by mail."""
        account_service.check_sign_up(data)
        # Answered before the address is looked up, as a reset is: a known address costs a
        # reminder instead of an account, and the time of the answer would tell them apart.
        return _accepted(
            N_(
                "Thank you. If the address can be used, you will receive a mail with a link "
                "to confirm it."
            ),
            background=BackgroundTask(account_service.sign_up, data),
        )

    @post(
        "/verify",
        operation_id="verify_email",
        summary="Confirm an email address",
        status_code=HTTP_204_NO_CONTENT,
    )
    async def verify(
        self,
        data: JSONBody[schemas.EmailVerification],
        account_service: NamedDependency[AccountService],
    ) -> None:
        """Confirm the address with the token from the mail; each token works once."""
        await account_service.verify_email(data.token)

    @post("/login", operation_id="log_in", summary="Sign in", status_code=HTTP_200_OK)
    async def log_in(
        self,
        data: JSONBody[schemas.Login],
        request: Request[Any, Any, Any],
        account_service: NamedDependency[AccountService],
    ) -> Response[schemas.SignedIn]:
        """Check email and password and return a new bearer token."""
        signed_in = await account_service.log_in(
            data,
            client_address=client_address(request),
            user_agent=request.headers.get("user-agent", ""),
        )
        prefer_locale(signed_in.account.locale, signed_in.account.timezone)
        return Response(signed_in, headers={"Cache-Control": "no-store"})

    @post(
        "/logout",
        operation_id="log_out",
        summary="Sign out",
        guards=[requires_signed_in],
        status_code=HTTP_204_NO_CONTENT,
    )
    async def log_out(
        self,
        principal: NamedDependency[Principal],
        account_service: NamedDependency[AccountService],
    ) -> None:
        """Revoke the token this request was made with."""
        await account_service.log_out(principal)

    @post(
        "/password-reset",
        operation_id="request_password_reset",
        summary="Forgot my password",
        status_code=HTTP_202_ACCEPTED,
    )
    async def request_password_reset(
        self,
        data: JSONBody[schemas.PasswordResetRequest],
        account_service: NamedDependency[AccountService],
    ) -> Response[schemas.Accepted]:
        """Send a link to choose a new password, if the address has an account."""
        # The answer goes out before the address is looked up: a known address costs a token
        # and a mail, and a faster answer would tell that the address is unknown.
        return _accepted(
            N_(
                "Thank you. If there is an account with this address, you will receive a mail "
                "with a link to choose a new password."
            ),
            background=BackgroundTask(account_service.request_password_reset, data),
        )

    @post(
        "/password-reset/confirm",
        operation_id="confirm_password_reset",
        summary="Set a new password",
        status_code=HTTP_204_NO_CONTENT,
    )
    async def confirm_password_reset(
        self,
        data: JSONBody[schemas.PasswordReset],
        account_service: NamedDependency[AccountService],
    ) -> None:
        """Set a new password with the token from the reset mail; all sessions end."""
        await account_service.reset_password(data)


class MeController(Controller):
    path = "/me"
    tags = ["accounts"]
    guards = [requires_signed_in]

    @get("", operation_id="get_me", summary="My account")
    async def get_me(
        self,
        principal: NamedDependency[Principal],
        account_service: NamedDependency[AccountService],
    ) -> schemas.Me:
        """The signed-in person's account, organizations and roles."""
        return await account_service.my_account(principal)

    @patch("", operation_id="update_me", summary="Change my account")
    async def update_me(
        self,
        data: JSONBody[schemas.MeUpdate],
        principal: NamedDependency[Principal],
        account_service: NamedDependency[AccountService],
    ) -> schemas.Me:
        """Change display name, language or time zone; the answer is in the new language."""
        me = await account_service.update_my_account(principal, data)
        prefer_locale(me.locale, me.timezone)
        return me

    @post(
        "/password",
        operation_id="change_password",
        summary="Change my password",
        status_code=HTTP_204_NO_CONTENT,
    )
    async def change_password(
        self,
        data: JSONBody[schemas.PasswordChange],
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        account_service: NamedDependency[AccountService],
    ) -> None:
        """Set a new password; every other session of the account is signed out."""
        await account_service.change_password(
            principal, data, client_address=client_address(request)
        )

    @get("/sessions", operation_id="list_my_sessions", summary="My sessions")
    async def list_sessions(
        self,
        principal: NamedDependency[Principal],
        account_service: NamedDependency[AccountService],
    ) -> list[schemas.Session]:
        """The sessions of my account that are still valid, newest first."""
        return await account_service.sessions(principal)

    @delete(
        "/sessions/{session_id:int}", operation_id="revoke_my_session", summary="Sign a session out"
    )
    async def revoke_session(
        self,
        session_id: FromPath[int],
        principal: NamedDependency[Principal],
        account_service: NamedDependency[AccountService],
    ) -> None:
        """Revoke one of my sessions, for example on a lost device."""
        await account_service.revoke_session(principal, session_id)


class OrganizationController(Controller):
    path = "/organizations"
    tags = ["organizations"]

    @get("", operation_id="list_organizations", summary="Partner institutes")
    async def list_organizations(
        self,
        after: Annotated[
            int | None, QueryParameter(description="next_cursor of the page before")
        ] = None,
        limit: Annotated[int, page_size(100)] = 50,
    ) -> schemas.OrganizationPage:
        """All partner institutes, in the order they were added."""
        return await organizations.list_organizations(after, limit)

    @post(
        "",
        operation_id="create_organization",
        summary="Add a partner institute",
        guards=[requires_platform_admin],
    )
    async def create_organization(
        self, data: JSONBody[schemas.OrganizationCreate], principal: NamedDependency[Principal]
    ) -> schemas.Organization:
        """Add a partner institute (platform admins)."""
        return await organizations.create_organization(principal, data)

    @get("/{organization_id:int}", operation_id="get_organization", summary="A partner institute")
    async def get_organization(self, organization_id: FromPath[int]) -> schemas.Organization:
        """One partner institute."""
        return await organizations.get_organization(organization_id)

    @patch(
        "/{organization_id:int}",
        operation_id="update_organization",
        summary="Change a partner institute",
        guards=[requires_organization_admin],
    )
    async def update_organization(
        self,
        organization_id: FromPath[int],
        data: JSONBody[schemas.OrganizationUpdate],
        principal: NamedDependency[Principal],
    ) -> schemas.Organization:
        """Change a partner institute (its admins and platform admins)."""
        return await organizations.update_organization(principal, organization_id, data)

    @get(
        "/{organization_id:int}/members",
        operation_id="list_organization_members",
        summary="Members of a partner institute",
        guards=[requires_organization_member],
    )
    async def list_members(
        self, organization_id: FromPath[int], principal: NamedDependency[Principal]
    ) -> list[schemas.Member]:
        """Who belongs to the institute (visible to its members and platform admins)."""
        return await organizations.list_members(principal, organization_id)

    @post(
        "/{organization_id:int}/members",
        operation_id="add_organization_member",
        summary="Add a member",
        guards=[requires_organization_admin],
        status_code=HTTP_202_ACCEPTED,
    )
    async def add_member(
        self,
        organization_id: FromPath[int],
        data: JSONBody[schemas.MemberCreate],
        principal: NamedDependency[Principal],
    ) -> Response[schemas.Accepted]:
        """Add the account with an address to the institute as member or admin; its owner is
        told by mail. The answer is the same whether the address has an account or not."""
        await organizations.add_member(principal, organization_id, data)
        return _accepted(
            N_(
                "If there is an account with this address, the person now belongs to the "
                "organization and has been told by mail. If not, please ask them to sign up "
                "first."
            )
        )

    @patch(
        "/{organization_id:int}/members/{user_id:int}",
        operation_id="change_member_role",
        summary="Change a member's role",
        guards=[requires_organization_admin],
    )
    async def change_member_role(
        self,
        organization_id: FromPath[int],
        user_id: FromPath[int],
        data: JSONBody[schemas.MemberUpdate],
        principal: NamedDependency[Principal],
    ) -> schemas.Member:
        """Make a member admin or admin member; the last admin stays."""
        return await organizations.change_member_role(principal, organization_id, user_id, data)

    @delete(
        "/{organization_id:int}/members/{user_id:int}",
        operation_id="remove_member",
        summary="Remove a member",
        guards=[requires_organization_admin],
    )
    async def remove_member(
        self,
        organization_id: FromPath[int],
        user_id: FromPath[int],
        principal: NamedDependency[Principal],
    ) -> None:
        """Remove someone from the institute; the last admin stays."""
        await organizations.remove_member(principal, organization_id, user_id)


class TranslatorRoleController(Controller):
    path = "/translator-roles"
    tags = ["accounts"]
    guards = [requires_platform_admin]

    @get("", operation_id="list_translator_roles", summary="Translators")
    async def list_roles(
        self, principal: NamedDependency[Principal], locale: FromQuery[str | None] = None
    ) -> list[schemas.TranslatorRole]:
        """Who translates into which language (platform admins)."""
        return await translator_roles.list_translator_roles(principal, locale)

    @post("", operation_id="grant_translator_role", summary="Make someone a translator")
    async def grant(
        self, data: JSONBody[schemas.TranslatorRoleCreate], principal: NamedDependency[Principal]
    ) -> schemas.TranslatorRole:
        """Entitle an account to translate into one language (platform admins)."""
        return await translator_roles.grant_translator_role(principal, data)

    @delete(
        "/{user_id:int}/{locale:str}",
        operation_id="revoke_translator_role",
        summary="End a translator role",
    )
    async def revoke(
        self, user_id: FromPath[int], locale: FromPath[str], principal: NamedDependency[Principal]
    ) -> None:
        """Take back the right to translate into one language (platform admins)."""
        await translator_roles.revoke_translator_role(principal, user_id, locale)
