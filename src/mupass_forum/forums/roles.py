"""Forum roles: listed, granted and revoked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from babel.support import LazyProxy

from mupass_forum import db
from mupass_forum.accounts.principal import Principal
from mupass_forum.accounts.tables import User
from mupass_forum.clock import now
from mupass_forum.errors import Conflict, FieldError, InvalidInput, NotFound
from mupass_forum.forums import schemas
from mupass_forum.forums.queries import editable_forum
from mupass_forum.forums.tables import ForumRole
from mupass_forum.forums.terms import ROLE_LABELS, label_of
from mupass_forum.i18n import (
    N_,
    gettext,
)

# Roles -----------------------------------------------------------------------------------------


def _grant(row: Mapping[str, Any]) -> schemas.ForumRoleGrant:
    return schemas.ForumRoleGrant(
        user_id=row["user_id"],
        display_name=row["display_name"],
        role=label_of(row["role"], ROLE_LABELS),
        granted_by=row["granted_by"],
        granted_at=row["granted_at"],
    )


_GRANT_COLUMNS = (
    ForumRole.user.id.as_alias("user_id"),
    ForumRole.user.display_name.as_alias("display_name"),
    ForumRole.role,
    ForumRole.granted_by,
    ForumRole.granted_at,
)


async def list_roles(principal: Principal, slug: str) -> list[schemas.ForumRoleGrant]:
    forum = await editable_forum(principal, slug)
    rows = (
        await ForumRole.select(*_GRANT_COLUMNS)
        .where(ForumRole.forum == forum.id)
        .order_by(ForumRole.role)
        .order_by(ForumRole.user.display_name)
    )
    return [_grant(row) for row in rows]


async def grant_role(
    principal: Principal, slug: str, data: schemas.ForumRoleCreate
) -> schemas.ForumRoleGrant:
    forum = await editable_forum(principal, slug)
    async with db.transaction():
        if not await User.exists().where(User.id == data.user_id):
            raise InvalidInput(
                FieldError(
                    N_("There is no account with this id."), "unknown_account", pointer="/user_id"
                )
            )
        if await ForumRole.exists().where(
            ForumRole.forum == forum.id,
            ForumRole.user == data.user_id,
            ForumRole.role == data.role.value,
        ):
            raise Conflict(
                "role_held",
                N_("This person is {role} of this forum already."),
                role=LazyProxy(gettext, ROLE_LABELS[data.role], enable_cache=False),
            )
        await ForumRole.insert(
            ForumRole(
                forum=forum.id,
                user=data.user_id,
                role=data.role.value,
                granted_by=principal.user_id,
                granted_at=now(),
            )
        )
    row = (
        await ForumRole.select(*_GRANT_COLUMNS)
        .where(
            ForumRole.forum == forum.id,
            ForumRole.user == data.user_id,
            ForumRole.role == data.role.value,
        )
        .first()
    )
    assert row is not None
    return _grant(row)


async def revoke_role(
    principal: Principal, slug: str, user_id: int, role: schemas.ForumRoleName
) -> None:
    forum = await editable_forum(principal, slug)
    deleted = (
        await ForumRole.delete()
        .where(ForumRole.forum == forum.id, ForumRole.user == user_id, ForumRole.role == role.value)
        .returning(ForumRole.id)
    )
    if not deleted:
        raise NotFound("forum_role_not_found")
