"""Partner organizations and their members: listed, created, edited, joined and left."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from mupass_forum import db
from mupass_forum.accounts import mails, schemas
from mupass_forum.accounts.authorization import (
    authorize,
    belongs_to_organization,
    manages_organization,
    platform_admin,
)
from mupass_forum.accounts.principal import Principal
from mupass_forum.accounts.services import mail_account, normalize_email, recipient_where
from mupass_forum.accounts.tables import (
    Membership,
    Organization,
    User,
)
from mupass_forum.clock import now
from mupass_forum.errors import (
    Conflict,
    FieldError,
    NotFound,
)
from mupass_forum.i18n import N_, gettext
from mupass_forum.i18n.locale import babel_locale
from mupass_forum.rows import Moment, row_as, rows_as
from mupass_forum.validation import (
    country_problem,
    raise_problems,
    website_problem,
)

# Organizations -----------------------------------------------------------------------------

KIND_LABELS: Mapping[schemas.OrganizationKind, str] = {
    schemas.OrganizationKind.RESEARCH_INSTITUTE: N_("Research institute"),
    schemas.OrganizationKind.MINISTRY: N_("Ministry"),
    schemas.OrganizationKind.MUNICIPALITY: N_("Municipality"),
    schemas.OrganizationKind.MUNICIPAL_NETWORK: N_("Municipal network"),
    schemas.OrganizationKind.DEVELOPMENT_AGENCY: N_("Development agency"),
    schemas.OrganizationKind.NGO: N_("Non-governmental organization"),
    schemas.OrganizationKind.BUSINESS: N_("Business or business association"),
    schemas.OrganizationKind.INTERNATIONAL_ORGANIZATION: N_("International organization"),
    schemas.OrganizationKind.OTHER: N_("Other"),
}

_ORGANIZATION_COLUMNS = (
    Organization.id,
    Organization.name,
    Organization.kind,
    Organization.country,
    Organization.website,
    Organization.created_at,
)


class _OrganizationRow(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    kind: schemas.OrganizationKind
    country: str
    website: str
    created_at: Moment


class OrganizationRef(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str


def _organization(row: _OrganizationRow) -> schemas.Organization:
    return schemas.Organization(
        id=row.id,
        name=row.name,
        kind=row.kind,
        kind_label=gettext(KIND_LABELS[row.kind]),
        country=row.country,
        country_name=babel_locale().territories.get(row.country, row.country),
        website=row.website,
        created_at=row.created_at,
    )


async def _organization_row(organization_id: int) -> _OrganizationRow:
    row = (
        await Organization.select(*_ORGANIZATION_COLUMNS)
        .where(Organization.id == organization_id)
        .first()
    )
    if row is None:
        raise NotFound("organization_not_found")
    return row_as(row, _OrganizationRow)


def _name_taken(name: str) -> Conflict:
    return Conflict(
        "organization_name_taken",
        N_("There is an organization called {name} already."),
        name=name,
    )


async def list_organizations(after: int | None, limit: int) -> schemas.OrganizationPage:
    """Partner institutes are public; in order of creation, a page at a time."""
    query = Organization.select(*_ORGANIZATION_COLUMNS).order_by(Organization.id).limit(limit + 1)
    if after is not None:
        query = query.where(Organization.id > after)
    rows = await query
    items = [_organization(row) for row in rows_as(rows[:limit], _OrganizationRow)]
    return schemas.OrganizationPage(
        items=items, next_cursor=items[-1].id if len(rows) > limit else None
    )


async def get_organization(organization_id: int) -> schemas.Organization:
    return _organization(await _organization_row(organization_id))


async def create_organization(
    principal: Principal, data: schemas.OrganizationCreate
) -> schemas.Organization:
    await authorize(principal, platform_admin)
    name = data.name.strip()
    country = data.country.upper()
    raise_problems(
        None if name else FieldError(N_("This field is required."), "required", pointer="/name"),
        country_problem(country),
        website_problem(data.website),
    )
    stamp = now()
    async with db.transaction():
        if await Organization.exists().where(Organization.name == name):
            raise _name_taken(name)
        rows = await Organization.insert(
            Organization(
                name=name,
                kind=data.kind.value,
                country=country,
                website=data.website,
                created_at=stamp,
                updated_at=stamp,
            )
        ).returning(Organization.id)
    return await get_organization(int(rows[0]["id"]))


async def update_organization(
    principal: Principal, organization_id: int, data: schemas.OrganizationUpdate
) -> schemas.Organization:
    await authorize(principal, manages_organization, organization_id)
    await _organization_row(organization_id)
    changes: dict[Any, Any] = {}
    problems: list[FieldError | None] = []
    if not isinstance(data.name, msgspec.UnsetType):
        name = data.name.strip()
        if not name:
            problems.append(FieldError(N_("This field is required."), "required", pointer="/name"))
        changes[Organization.name] = name
    if not isinstance(data.kind, msgspec.UnsetType):
        changes[Organization.kind] = data.kind.value
    if not isinstance(data.country, msgspec.UnsetType):
        problems.append(country_problem(data.country))
        changes[Organization.country] = data.country.upper()
    if not isinstance(data.website, msgspec.UnsetType):
        problems.append(website_problem(data.website))
        changes[Organization.website] = data.website
    raise_problems(*problems)
    if changes:
        changes[Organization.updated_at] = now()
        async with db.transaction():
            new_name = changes.get(Organization.name)
            if new_name is not None and await Organization.exists().where(
                Organization.name == new_name, Organization.id != organization_id
            ):
                raise _name_taken(new_name)
            await Organization.update(changes).where(Organization.id == organization_id)
    return await get_organization(organization_id)


_MEMBER_COLUMNS = (
    Membership.user.id.as_alias("user_id"),
    Membership.user.display_name.as_alias("display_name"),
    Membership.user.email.as_alias("email"),
    Membership.role,
    Membership.created_at.as_alias("since"),
)


async def list_members(principal: Principal, organization_id: int) -> list[schemas.Member]:
    """Who belongs to an organization: visible to its members and to platform admins."""
    await authorize(principal, belongs_to_organization, organization_id)
    await _organization_row(organization_id)
    rows = await (
        Membership.select(*_MEMBER_COLUMNS)
        .where(Membership.organization == organization_id)
        .order_by(Membership.user.display_name)
    )
    if not manages_organization(principal, organization_id):
        # Co-members see an address only where its owner chose to show it in their profile.
        shown = {principal.user_id} | await _showing_email(organization_id)
        for row in rows:
            if row["user_id"] not in shown:
                row["email"] = None
    return rows_as(rows, schemas.Member)


async def _showing_email(organization_id: int) -> set[int]:
    """Members whose profile shows their address (participants own profiles; asked in SQL so
    that accounts need not import them)."""
    rows = await User.raw(
        'SELECT p."user" FROM participant_profile p JOIN account_membership m '
        'ON m."user" = p."user" WHERE p.show_email AND m.organization = {}',
        organization_id,
    )
    return {int(row["user"]) for row in rows}


async def _member(organization_id: int, user_id: int) -> schemas.Member:
    row = (
        await Membership.select(*_MEMBER_COLUMNS)
        .where(Membership.organization == organization_id, Membership.user == user_id)
        .first()
    )
    if row is None:
        raise NotFound("member_not_found")
    return row_as(row, schemas.Member)


async def add_member(
    principal: Principal, organization_id: int, data: schemas.MemberCreate
) -> None:
    """Add the account with the address to the organization and tell its owner by mail.

    Nothing is said about the address: whether it has an account, or belongs to the
    organization already, the answer is the same (an address without an account is left
    alone)."""
    await authorize(principal, manages_organization, organization_id)
    organization = await _organization_row(organization_id)
    email = normalize_email(data.email)
    async with db.transaction():
        user = await recipient_where(User.email == email)
        if user is None or await Membership.exists().where(
            Membership.organization == organization_id, Membership.user == user.id
        ):
            return
        await Membership.insert(
            Membership(
                organization=organization_id,
                user=user.id,
                role=data.role.value,
                created_at=now(),
            )
        )
        await mail_account(
            mails.MEMBER_ADDED,
            user,
            organization=organization.name,
            added_by=principal.display_name or "",
        )


async def organizations_only_administered_by(user_id: int) -> list[OrganizationRef]:
    """The organizations whose only admin is ``user_id``, by name."""
    return rows_as(
        await Membership.raw(
            "SELECT o.id, o.name FROM account_membership m "
            "JOIN account_organization o ON o.id = m.organization "
            'WHERE m."user" = {} AND m.role = {} AND NOT EXISTS (SELECT 1 FROM account_membership '
            "other WHERE other.organization = m.organization AND other.role = {} "
            'AND other."user" <> m."user") ORDER BY o.name',
            user_id,
            schemas.OrganizationRole.ADMIN.value,
            schemas.OrganizationRole.ADMIN.value,
        ),
        OrganizationRef,
    )


async def _keep_an_admin(organization_id: int, user_id: int) -> None:
    """Refuse to take the last admin away: nobody but platform admins could manage it then."""
    admins = await Membership.count().where(
        Membership.organization == organization_id,
        Membership.role == schemas.OrganizationRole.ADMIN.value,
        Membership.user != user_id,
    )
    if admins == 0:
        raise Conflict(
            "last_admin",
            N_("An organization needs at least one admin. Make someone else admin first."),
        )


async def change_member_role(
    principal: Principal, organization_id: int, user_id: int, data: schemas.MemberUpdate
) -> schemas.Member:
    await authorize(principal, manages_organization, organization_id)
    async with db.transaction():
        current = await _member(organization_id, user_id)
        if (
            current.role == schemas.OrganizationRole.ADMIN
            and data.role != schemas.OrganizationRole.ADMIN
        ):
            await _keep_an_admin(organization_id, user_id)
        await Membership.update({Membership.role: data.role.value}).where(
            Membership.organization == organization_id, Membership.user == user_id
        )
    return await _member(organization_id, user_id)


async def remove_member(principal: Principal, organization_id: int, user_id: int) -> None:
    await authorize(principal, manages_organization, organization_id)
    async with db.transaction():
        current = await _member(organization_id, user_id)
        if current.role == schemas.OrganizationRole.ADMIN:
            await _keep_an_admin(organization_id, user_id)
        await Membership.delete().where(
            Membership.organization == organization_id, Membership.user == user_id
        )
