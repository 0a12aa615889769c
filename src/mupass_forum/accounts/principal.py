"""Who is calling: the ``Principal`` every request carries, anonymous or signed in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

OrganizationRole = Literal["admin", "member"]


@dataclass(frozen=True)
class Principal:
    """The caller of a request and the roles they hold, resolved once per request."""

    user_id: int | None = None
    email: str | None = None
    display_name: str | None = None
    locale: str | None = None
    timezone: str | None = None
    is_platform_admin: bool = False
    #: Organization id -> ``"admin"`` or ``"member"``.
    organization_roles: Mapping[int, str] = field(default_factory=lambda: MappingProxyType({}))
    #: Locales this person may translate into.
    translator_locales: frozenset[str] = frozenset()
    #: The sign-in session the request came with (for sign-out and the session list).
    session_id: int | None = None
    #: What rules learn about the caller from the database and read again within the request
    #: (the board keeps the forums they take part in here), filled on first use. A principal
    #: is made for one request or one live connection; ``ANONYMOUS`` is never filled.
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def is_organization_admin(self, organization_id: int) -> bool:
        return self.organization_roles.get(organization_id) == "admin"

    def is_organization_member(self, organization_id: int) -> bool:
        """Member or admin of the organization."""
        return organization_id in self.organization_roles

    def is_translator_for(self, locale: str) -> bool:
        return locale in self.translator_locales


@dataclass(frozen=True)
class SignedIn(Principal):
    """A caller who has signed in: rules that act for a person take this (``as_signed_in``)."""

    user_id: int


ANONYMOUS = Principal()
