"""What the accounts API takes and gives. Input structs refuse unknown fields, so that sending
``role`` or ``is_platform_admin`` fails loudly instead of being ignored or applied."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

Email = Annotated[str, Meta(max_length=320)]
#: Lengths are checked by the service, which reports them with the other password rules.
Password = Annotated[str, Meta(max_length=1024)]
DisplayName = Annotated[str, Meta(min_length=1, max_length=120)]
Token = Annotated[str, Meta(min_length=1, max_length=200)]


class SignUp(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Password
    display_name: DisplayName
    #: One of the service's locales (de, en, fr, es).
    locale: str
    #: IANA time zone, e.g. ``America/Bogota``.
    timezone: str


class Accepted(msgspec.Struct):
    """The request was taken; what happens next arrives by mail."""

    detail: str


class EmailVerification(msgspec.Struct, forbid_unknown_fields=True):
    token: Token


class Login(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Password


class PasswordResetRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: Email


class PasswordReset(msgspec.Struct, forbid_unknown_fields=True):
    token: Token
    new_password: Password


class PasswordChange(msgspec.Struct, forbid_unknown_fields=True):
    current_password: Password
    new_password: Password


class OrganizationRole(StrEnum):
    ADMIN = "admin"
    MEMBER = "member"


class MyOrganization(msgspec.Struct):
    id: int
    name: str
    role: OrganizationRole


class Me(msgspec.Struct):
    """The signed-in person's own account."""

    id: int
    email: str
    display_name: str
    locale: str
    timezone: str
    email_verified: bool
    is_platform_admin: bool
    organizations: list[MyOrganization]
    translator_locales: list[str]
    created_at: datetime


class MeUpdate(msgspec.Struct, forbid_unknown_fields=True):
    display_name: DisplayName | UnsetType = UNSET
    locale: str | UnsetType = UNSET
    timezone: str | UnsetType = UNSET


class SignedIn(msgspec.Struct):
    """A new bearer token: send it as ``Authorization: Bearer <token>``."""

    token: str
    token_type: str
    expires_at: datetime
    account: Me


class Session(msgspec.Struct):
    """One sign-in of the account (the token itself is never shown again)."""

    id: int
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    user_agent: str
    client_address: str
    #: The session this request was made with.
    current: bool


class OrganizationKind(StrEnum):
    RESEARCH_INSTITUTE = "research_institute"
    MINISTRY = "ministry"
    MUNICIPALITY = "municipality"
    MUNICIPAL_NETWORK = "municipal_network"
    DEVELOPMENT_AGENCY = "development_agency"
    NGO = "ngo"
    BUSINESS = "business"
    INTERNATIONAL_ORGANIZATION = "international_organization"
    OTHER = "other"


class Organization(msgspec.Struct):
    """A partner institute."""

    id: int
    name: str
    kind: OrganizationKind
    #: ``kind`` in the reader's language.
    kind_label: str
    #: ISO 3166-1 alpha-2.
    country: str
    #: The country's name in the reader's language.
    country_name: str
    website: str
    created_at: datetime


OrganizationName = Annotated[str, Meta(min_length=1, max_length=200)]
CountryCode = Annotated[str, Meta(min_length=2, max_length=2)]
Website = Annotated[str, Meta(max_length=500)]


class OrganizationCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: OrganizationName
    kind: OrganizationKind
    country: CountryCode
    website: Website = ""


class OrganizationUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: OrganizationName | UnsetType = UNSET
    kind: OrganizationKind | UnsetType = UNSET
    country: CountryCode | UnsetType = UNSET
    website: Website | UnsetType = UNSET


class OrganizationPage(msgspec.Struct):
    items: list[Organization]
    #: Pass as ``?after=`` for the next page; null on the last page.
    next_cursor: int | None


class Member(msgspec.Struct):
    user_id: int
    display_name: str
    #: Shown to the organization's admins, to the member, and to co-members only where the
    #: member's profile shows it (``show_email``); null otherwise.
    email: str | None
    role: OrganizationRole
    since: datetime


class MemberCreate(msgspec.Struct, forbid_unknown_fields=True):
    #: The address of an existing account.
    email: Email
    role: OrganizationRole = OrganizationRole.MEMBER


class MemberUpdate(msgspec.Struct, forbid_unknown_fields=True):
    role: OrganizationRole


class TranslatorRole(msgspec.Struct):
    user_id: int
    display_name: str
    locale: str
    created_at: datetime


class TranslatorRoleCreate(msgspec.Struct, forbid_unknown_fields=True):
    user_id: int
    locale: str
