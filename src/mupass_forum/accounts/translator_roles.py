"""Translator roles: who may translate into which language, granted and revoked."""

from __future__ import annotations

import msgspec
from babel.support import LazyProxy

from mupass_forum import db
from mupass_forum.accounts import schemas
from mupass_forum.accounts.authorization import (
    authorize,
    platform_admin,
)
from mupass_forum.accounts.principal import Principal
from mupass_forum.accounts.tables import (
    TranslatorRole,
    User,
)
from mupass_forum.clock import now
from mupass_forum.errors import (
    Conflict,
    NotFound,
)
from mupass_forum.i18n import N_, language_name
from mupass_forum.validation import (
    locale_problem,
    raise_problems,
)

# Translator roles --------------------------------------------------------------------------


async def list_translator_roles(
    principal: Principal, locale: str | None
) -> list[schemas.TranslatorRole]:
    await authorize(principal, platform_admin)
    query = TranslatorRole.select(
        TranslatorRole.user.id.as_alias("user_id"),
        TranslatorRole.user.display_name.as_alias("display_name"),
        TranslatorRole.locale,
        TranslatorRole.created_at,
    ).order_by(TranslatorRole.locale, TranslatorRole.user.display_name)
    if locale is not None:
        query = query.where(TranslatorRole.locale == locale)
    return [msgspec.convert(row, schemas.TranslatorRole) for row in await query]


async def grant_translator_role(
    principal: Principal, data: schemas.TranslatorRoleCreate
) -> schemas.TranslatorRole:
    await authorize(principal, platform_admin)
    raise_problems(locale_problem(data.locale))
    async with db.transaction():
        user = await User.select(User.display_name).where(User.id == data.user_id).first()
        if user is None:
            raise NotFound("account_not_found")
        if await TranslatorRole.exists().where(
            TranslatorRole.user == data.user_id, TranslatorRole.locale == data.locale
        ):
            raise Conflict(
                "already_translator",
                N_("This person translates into {language} already."),
                # Named when the problem is rendered, in the reader's language.
                language=LazyProxy(language_name, data.locale, enable_cache=False),
            )
        stamp = now()
        await TranslatorRole.insert(
            TranslatorRole(
                user=data.user_id,
                locale=data.locale,
                granted_by=principal.user_id,
                created_at=stamp,
            )
        )
    return schemas.TranslatorRole(
        user_id=data.user_id,
        display_name=user["display_name"],
        locale=data.locale,
        created_at=stamp,
    )


async def revoke_translator_role(principal: Principal, user_id: int, locale: str) -> None:
    await authorize(principal, platform_admin)
    deleted = (
        await TranslatorRole.delete()
        .where(TranslatorRole.user == user_id, TranslatorRole.locale == locale)
        .returning(TranslatorRole.id)
    )
    if not deleted:
        raise NotFound("translator_role_not_found")
