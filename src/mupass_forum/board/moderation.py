"""Flags, the moderators' queue, hiding posts, locking, pinning and moving threads, and the
audit log that records every moderator action (and every automatic hide)."""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET

from mupass_forum import db
from mupass_forum.accounts.authorization import authorize
from mupass_forum.accounts.principal import Principal
from mupass_forum.board import events, schemas
from mupass_forum.board.authorization import (
    moderated_categories,
    moderates_anywhere,
    moderates_category,
    reads_category,
)
from mupass_forum.board.queries import ThreadRow, post_context
from mupass_forum.board.sql import ACCESS_COLUMNS, AccessRow, person, query
from mupass_forum.clock import as_utc, now
from mupass_forum.db import placeholders
from mupass_forum.errors import Conflict, Forbidden, NotFound
from mupass_forum.i18n import N_
from mupass_forum.outreach import organizers
from mupass_forum.rows import Moment, row_as, rows_as
from mupass_forum.settings import Settings


async def audit(
    moderator: Principal | None,
    action: str,
    *,
    thread_id: int | None = None,
    post_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    await query(
        "INSERT INTO board_moderation_action (moderator, action, thread_id, post_id, detail, "
        "created_at) VALUES ({}, {}, {}, {}, {}, {})",
        moderator.user_id if moderator is not None else None,
        action,
        thread_id,
        post_id,
        msgspec.json.encode(detail or {}).decode(),
        now(),
    )


async def moderate_thread(principal: Principal, row: ThreadRow, data: schemas.ThreadUpdate) -> None:
    """Pin, lock or move a thread (the caller is a moderator); inside the caller's transaction."""
    thread_id = row.t_id
    changes = (("pinned", "pin", row.t_pinned), ("locked", "lock", row.t_locked))
    for field, action, current in changes:
        value = getattr(data, field)
        if value is UNSET or bool(value) == current:
            continue
        await query(
            f"UPDATE board_thread SET {field} = {{}} WHERE id = {{}}", bool(value), thread_id
        )
        await audit(
            principal,
            action if value else f"un{action}",
            thread_id=thread_id,
            detail={field: value},
        )
    if data.category_id is not UNSET and int(data.category_id) != row.t_category:
        target = await query(
            f"SELECT {ACCESS_COLUMNS} FROM board_category c WHERE c.id = {{}}",
            data.category_id,
        )
        if not target:
            raise NotFound("category_not_found", N_("There is no such category."))
        if not await moderates_category(principal, row_as(target[0], AccessRow).access):
            raise Forbidden("moderators_only", N_("Only moderators can pin, lock or move threads."))
        await query(
            "UPDATE board_thread SET category = {} WHERE id = {}", data.category_id, thread_id
        )
        await audit(
            principal,
            "move",
            thread_id=thread_id,
            detail={"from": row.t_category, "to": int(data.category_id)},
        )


async def _reads_and_signed_in(principal: Principal, category: Any) -> bool:
    return principal.is_authenticated and await reads_category(principal, category)


async def _hide(category_id: int, thread_id: int, post_id: int, reason: str) -> None:
    await query("UPDATE board_post SET hidden_at = {} WHERE id = {}", now(), post_id)
    await events.redact(post_id)
    await events.record(
        "post_removed",
        category_id=category_id,
        thread_id=thread_id,
        post_id=post_id,
        data={"reason": reason},
    )


class Moderation:
    """Flags and hiding: the board's moderation of single posts."""

    settings: Settings

    async def flag_post(self, principal: Principal, post_id: int, data: schemas.FlagCreate) -> None:
        """Flag a post for moderators; enough open flags hide it until a moderator decides."""
        async with db.transaction():
            post = await post_context(post_id, for_update=True)
            await authorize(principal, _reads_and_signed_in, post.category, hide=True)
            if principal.user_id == post.author_id:
                raise Conflict("own_post", N_("You cannot flag your own post."))
            try:
                await query(
                    'INSERT INTO board_flag (post, "user", reason, note, created_at) '
                    "VALUES ({}, {}, {}, {}, {})",
                    post_id,
                    principal.user_id,
                    data.reason.value,
                    data.note,
                    now(),
                )
            except db.INTEGRITY_ERRORS as exc:
                if not db.is_unique_violation(exc, "board_flag", "post", "user"):
                    raise
                raise Conflict(
                    "already_flagged", N_("You have flagged this post already.")
                ) from exc
            counted = await query(
                "UPDATE board_post SET open_flags = open_flags + 1 WHERE id = {} "
                "RETURNING open_flags",
                post_id,
            )
            await organizers.post_flagged(
                post.category.id, post.thread_id, post_id, post.thread_title, principal.user_id
            )
            threshold = self.settings.board_auto_hide_flags
            if not post.hidden and threshold > 0 and int(counted[0]["open_flags"]) >= threshold:
                await _hide(post.category.id, post.thread_id, post_id, "flags")
                await audit(
                    None,
                    "auto_hide",
                    thread_id=post.thread_id,
                    post_id=post_id,
                    detail={"open_flags": int(counted[0]["open_flags"])},
                )

    async def set_hidden(
        self, principal: Principal, post_id: int, hidden: bool, reason: str
    ) -> None:
        """Hide or show a post again; either way its open flags are settled."""
        async with db.transaction():
            post = await post_context(post_id, for_update=True)
            await authorize(principal, reads_category, post.category, hide=True)
            await authorize(principal, moderates_category, post.category)
            if hidden and not post.hidden:
                await _hide(post.category.id, post.thread_id, post_id, "moderator")
            elif not hidden and post.hidden:
                await query("UPDATE board_post SET hidden_at = NULL WHERE id = {}", post_id)
                if not post.deleted:
                    await events.record_post("post_created", post.category, post.thread_id, post_id)
            await query(
                "UPDATE board_flag SET resolved_at = {}, resolved_by = {} "
                "WHERE post = {} AND resolved_at IS NULL",
                now(),
                principal.user_id,
                post_id,
            )
            await query("UPDATE board_post SET open_flags = 0 WHERE id = {}", post_id)
            await audit(
                principal,
                "hide" if hidden else "unhide",
                thread_id=post.thread_id,
                post_id=post_id,
                detail={"reason": reason},
            )


async def _moderated_scope(principal: Principal, refusal: str) -> tuple[str, list[Any]]:
    """The condition on ``c`` that keeps the categories the caller moderates, with its
    arguments; someone who moderates nowhere is refused with ``refusal``."""
    if not await moderates_anywhere(principal):
        raise Forbidden("moderators_only", refusal)
    return await moderated_categories(principal)


class _FlaggedRow(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    thread: int
    html: str
    hidden_at: Moment | None
    author: int
    #: Null once the account is erased.
    display_name: str | None
    title: str


class _FlagRow(msgspec.Struct, frozen=True, kw_only=True):
    post: int
    reason: schemas.FlagReason
    note: str
    created_at: Moment
    flagger: int
    display_name: str | None


async def queue(principal: Principal, limit: int) -> list[schemas.FlaggedPost]:
    """Posts with open flags, the oldest flag first, for moderators of their categories (an
    empty list when nothing waits for them)."""
    moderated, args = await _moderated_scope(
        principal, N_("Only moderators can see the moderation queue.")
    )
    found = await query(
        "SELECT p.id, p.thread, p.html, p.hidden_at, p.author, u.display_name, t.title, "
        "min(f.id) AS first_flag FROM board_flag f "
        "JOIN board_post p ON p.id = f.post JOIN account_user u ON u.id = p.author "
        "JOIN board_thread t ON t.id = p.thread JOIN board_category c ON c.id = t.category "
        f"WHERE f.resolved_at IS NULL AND {moderated} "
        "GROUP BY p.id, p.thread, p.html, p.hidden_at, p.author, u.display_name, t.title "
        "ORDER BY first_flag LIMIT {}",
        *args,
        limit,
    )
    if not found:
        return []
    rows = rows_as(found, _FlaggedRow)
    ids = [row.id for row in rows]
    flags = await query(
        'SELECT f.post, f.reason, f.note, f.created_at, f."user" AS flagger, u.display_name '
        'FROM board_flag f JOIN account_user u ON u.id = f."user" '
        f"WHERE f.resolved_at IS NULL AND f.post IN ({placeholders(ids)}) ORDER BY f.id",
        *ids,
    )
    by_post: dict[int, list[schemas.FlagSummary]] = {}
    for flag in rows_as(flags, _FlagRow):
        by_post.setdefault(flag.post, []).append(
            schemas.FlagSummary(
                reason=flag.reason,
                note=flag.note,
                flagged_by=person(flag.flagger, flag.display_name),
                created_at=as_utc(flag.created_at),
            )
        )
    return [
        schemas.FlaggedPost(
            post_id=row.id,
            thread_id=row.thread,
            thread_title=row.title,
            author=person(row.author, row.display_name),
            html=row.html,
            hidden=row.hidden_at is not None,
            flags=by_post.get(row.id, []),
        )
        for row in rows
    ]


class _ActionRow(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    #: Null for an automatic action, and the name once the account is erased.
    moderator: int | None
    display_name: str | None
    action: str
    thread_id: int | None
    post_id: int | None
    #: The detail as stored: a JSON object as text.
    detail: str
    created_at: Moment


async def log(principal: Principal, before: int | None, limit: int) -> schemas.ModerationLogPage:
    """The audit log, newest first: all of it for platform admins, for a forum's moderators the
    actions on threads that are now in its categories."""
    moderated, args = await _moderated_scope(
        principal, N_("Only moderators can see the moderation log.")
    )
    found = await query(
        "SELECT a.id, a.moderator, u.display_name, a.action, a.thread_id, a.post_id, a.detail, "
        "a.created_at FROM board_moderation_action a "
        "LEFT JOIN account_user u ON u.id = a.moderator "
        "LEFT JOIN board_thread t ON t.id = a.thread_id "
        "LEFT JOIN board_category c ON c.id = t.category "
        f"WHERE a.id < {{}} AND {moderated} ORDER BY a.id DESC LIMIT {{}}",
        before or 2**31 - 1,
        *args,
        limit + 1,
    )
    more = len(found) > limit
    rows = rows_as(found[:limit], _ActionRow)
    return schemas.ModerationLogPage(
        items=[
            schemas.ModerationEntry(
                id=row.id,
                moderator=(
                    person(row.moderator, row.display_name) if row.moderator is not None else None
                ),
                action=row.action,
                thread_id=row.thread_id,
                post_id=row.post_id,
                detail=msgspec.json.decode(row.detail, type=dict[str, object]),
                created_at=as_utc(row.created_at),
            )
            for row in rows
        ],
        next_cursor=rows[-1].id if more and rows else None,
    )
