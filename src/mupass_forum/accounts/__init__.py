"""Accounts, sign-in sessions, partner institutes and roles, and the authorization layer.

Other domains use ``Principal`` (a handler declares ``principal: NamedDependency[Principal]``),
the guards, and ``authorize`` with their own rules; see ``mupass_forum.accounts.authorization``.
"""

from mupass_forum.accounts.authorization import (
    Rule,
    allowed,
    any_of,
    as_signed_in,
    authorize,
    belongs_to_organization,
    guard,
    manages_organization,
    path_param,
    platform_admin,
    principal_of,
    requires_organization_admin,
    requires_organization_member,
    requires_platform_admin,
    requires_signed_in,
    signed_in,
    translates_into,
)
from mupass_forum.accounts.principal import ANONYMOUS, Principal, SignedIn

__all__ = [
    "ANONYMOUS",
    "Principal",
    "Rule",
    "SignedIn",
    "allowed",
    "any_of",
    "as_signed_in",
    "authorize",
    "belongs_to_organization",
    "guard",
    "manages_organization",
    "path_param",
    "platform_admin",
    "principal_of",
    "requires_organization_admin",
    "requires_organization_member",
    "requires_platform_admin",
    "requires_signed_in",
    "signed_in",
    "translates_into",
]
