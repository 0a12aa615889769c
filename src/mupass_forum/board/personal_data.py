"""The board's share of a person's data: posts and edits, translations, reactions, follows,
flags, notification choices.

On erasure the person's reactions, follows, flags, requests and mail choices go. Their posts
stay in the conversation as written by a former participant (the account remains only as a
nameless tombstone), unless they asked for their posts to be removed too: then every post of
theirs becomes an empty tombstone and its earlier versions go. Either way the live stream's
stored events about their posts and translations lose their text and names. Translations and
moderation they did for others stay, without their name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mupass_forum.board.sql import placeholders, query
from mupass_forum.board.tables import (
    Category,
    DigestItem,
    Event,
    Flag,
    Follow,
    ModerationAction,
    NotificationSetting,
    Post,
    PostRevision,
    Reaction,
    Thread,
    Translation,
    TranslationWatcher,
)
from mupass_forum.i18n import N_
from mupass_forum.privacy.registry import (
    STAGE_BOARD,
    ErasureRequest,
    NoPersonalData,
    PersonalData,
    Subject,
)

REDACTED = '{"redacted": true}'


async def export(subject: Subject) -> Mapping[str, Any]:
    user_id = subject.user_id
    return {
        "threads": await query(
            "SELECT id, category, title, language, tags, created_at FROM board_thread "
            "WHERE author = {} ORDER BY id",
            user_id,
        ),
        "posts": await query(
            "SELECT id, thread, position, language, source, created_at, edited_at, deleted_at, "
            "hidden_at FROM board_post WHERE author = {} ORDER BY id",
            user_id,
        ),
        "earlier_versions": await query(
            "SELECT r.post, r.revision, r.source, r.replaced_at FROM board_post_revision r "
            "JOIN board_post p ON p.id = r.post WHERE p.author = {} ORDER BY r.id",
            user_id,
        ),
        "translations": await query(
            "SELECT id, post, locale, status, kind, source, created_at, completed_at "
            "FROM board_translation WHERE translator = {} OR requested_by = {} ORDER BY id",
            user_id,
            user_id,
        ),
        "reactions": await query(
            'SELECT post, kind, created_at FROM board_reaction WHERE "user" = {} ORDER BY id',
            user_id,
        ),
        "follows": await query(
            'SELECT thread, created_at FROM board_follow WHERE "user" = {} ORDER BY id', user_id
        ),
        "flags": await query(
            'SELECT post, reason, note, created_at FROM board_flag WHERE "user" = {} ORDER BY id',
            user_id,
        ),
        "moderation": await query(
            "SELECT action, thread_id, post_id, created_at FROM board_moderation_action "
            "WHERE moderator = {} ORDER BY id",
            user_id,
        ),
        "notifications": await query(
            'SELECT mode FROM board_notification_setting WHERE "user" = {}', user_id
        ),
        "waiting_for_digest": await query(
            'SELECT kind, thread_id, post_id, created_at FROM board_digest_item WHERE "user" = {} '
            "ORDER BY id",
            user_id,
        ),
    }


async def erase(request: ErasureRequest) -> None:
    user_id = request.subject.user_id
    for table in ("board_reaction", "board_follow", "board_flag", "board_translation_watcher"):
        await query(f'DELETE FROM {table} WHERE "user" = {{}}', user_id)
    await query('DELETE FROM board_notification_setting WHERE "user" = {}', user_id)
    await query('DELETE FROM board_digest_item WHERE "user" = {}', user_id)
    await query("UPDATE board_translation SET requested_by = NULL WHERE requested_by = {}", user_id)
    await query("UPDATE board_post_revision SET edited_by = NULL WHERE edited_by = {}", user_id)
    await query("UPDATE board_flag SET resolved_by = NULL WHERE resolved_by = {}", user_id)
    await query("UPDATE board_moderation_action SET moderator = NULL WHERE moderator = {}", user_id)
    translated = await query(
        "SELECT DISTINCT post FROM board_translation WHERE translator = {}", user_id
    )
    await query("UPDATE board_translation SET translator = NULL WHERE translator = {}", user_id)
    own = [
        int(row["id"])
        for row in await query("SELECT id FROM board_post WHERE author = {}", user_id)
    ]
    if request.remove_posts and own:
        await query(f"DELETE FROM board_post_revision WHERE post IN ({placeholders(own)})", *own)
        await query(
            "UPDATE board_post SET source = '', html = '', deleted_at = coalesce(deleted_at, {}) "
            f"WHERE id IN ({placeholders(own)})",
            request.at,
            *own,
        )
        # A translation says what the post said: it goes with it (and out of the search).
        await query(
            "UPDATE board_translation SET source = '', html = '' "
            f"WHERE source IS NOT NULL AND post IN ({placeholders(own)})",
            *own,
        )
    touched = sorted({*own, *(int(row["post"]) for row in translated)})
    if touched:
        await query(
            f"UPDATE board_event SET payload = {{}} WHERE post_id IN ({placeholders(touched)})",
            REDACTED,
            *touched,
        )


PERSONAL_DATA = PersonalData(
    section="board",
    # i18n: Part of the personal data export (README).
    description=N_(
        "What you wrote on the dialogue board (threads, posts and their earlier versions), "
        "translations you made or asked for, your reactions, the threads you follow, posts you "
        "flagged, moderation you did and how you chose to hear about the board."
    ),
    tables={
        Thread: "threads",
        Post: "posts",
        PostRevision: "earlier_versions",
        Translation: "translations",
        TranslationWatcher: "translations",
        Reaction: "reactions",
        Follow: "follows",
        Flag: "flags",
        ModerationAction: "moderation",
        NotificationSetting: "notifications",
        DigestItem: "waiting_for_digest",
        Event: "posts",
    },
    export=export,
    erase=erase,
    stage=STAGE_BOARD,
)

NO_PERSONAL_DATA = NoPersonalData(
    (Category,), "board categories are named and described by the platform, not by a person"
)
