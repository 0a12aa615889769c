"""The board's share of a person's data: posts and edits, translations, reactions, follows,
flags, notification choices.

On erasure the person's reactions, follows, flags, requests and mail choices go, and so do the
earlier versions of their posts. Their posts stay in the conversation as written by a former
participant (the account remains only as a nameless tombstone), unless they asked for their
posts to be removed too: then every post of theirs becomes an empty tombstone, its text goes
everywhere (``remove_post_texts``, as when a post is deleted) and their threads lose their
titles. Mentions of the person in others' posts name the tombstone. Either way the live
stream's stored events about their posts and translations lose their text and names.
Translations and moderation they did for others stay, without their name.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from mupass_forum.board.rendering import render
from mupass_forum.board.sql import query
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
from mupass_forum.db import placeholders
from mupass_forum.forums.queries import stored_json
from mupass_forum.i18n import N_, gettext, use_locale
from mupass_forum.mail.tables import OutboxMail
from mupass_forum.privacy.registry import (
    FORMER_PARTICIPANT,
    REMOVED_TEXT,
    STAGE_BOARD,
    ErasureRequest,
    NoPersonalData,
    PersonalData,
    Subject,
)

REDACTED = '{"redacted": true}'
#: How the translators' change log names board posts (``translations.content.BOARD_POST``;
#: imported from there it would be a circle).
BOARD_POST = "board_post"


async def export(subject: Subject) -> Mapping[str, Any]:
    user_id = subject.user_id
    return {
        "threads": [
            {**row, "tags": stored_json(row["tags"])}
            for row in await query(
                "SELECT id, category, title, language, tags, created_at FROM board_thread "
                "WHERE author = {} ORDER BY id",
                user_id,
            )
        ],
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
        # The texts the person wrote; of translations they asked for, not the translator's text.
        "translations": [
            {
                **{key: value for key, value in row.items() if key != "translator"},
                "translated_by_me": row["translator"] == user_id,
                "source": row["source"] if row["translator"] == user_id else None,
            }
            for row in await query(
                "SELECT id, post, locale, status, kind, translator, source, created_at, "
                "completed_at FROM board_translation WHERE translator = {} OR requested_by = {} "
                "ORDER BY id",
                user_id,
                user_id,
            )
        ],
        "translation_watches": await query(
            "SELECT t.post, t.locale, t.status FROM board_translation_watcher w "
            'JOIN board_translation t ON t.id = w.translation WHERE w."user" = {} ORDER BY w.id',
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
        await remove_post_texts(own, request.at)
        await _remove_thread_titles(user_id)
    elif own:
        # Earlier versions are the person's drafts, not part of the conversation.
        await query(f"DELETE FROM board_post_revision WHERE post IN ({placeholders(own)})", *own)
    touched_by_mentions = await _rewrite_mentions(user_id)
    touched = sorted({*own, *(int(row["post"]) for row in translated), *touched_by_mentions})
    if touched:
        await query(
            f"UPDATE board_event SET payload = {{}} WHERE post_id IN ({placeholders(touched)})",
            REDACTED,
            *touched,
        )


#: The paragraph of a reply or mention mail that quotes the post (after the greeting and the
#: sentence saying who wrote).
_QUOTE_PARAGRAPH = 2
_QUOTING_TEMPLATES = ("board.reply", "board.mention")
_HTML_PARAGRAPH = re.compile(r'(<p style="margin:0 0 16px 0;">)(.*?)(</p>)', re.DOTALL)


def _without_quote(mail: Mapping[str, Any], label: str) -> dict[Any, Any]:
    blocks = mail["text"].split("\n\n")
    if len(blocks) > _QUOTE_PARAGRAPH:
        blocks[_QUOTE_PARAGRAPH] = label
    found = list(_HTML_PARAGRAPH.finditer(mail["html"]))
    page = mail["html"]
    if len(found) > _QUOTE_PARAGRAPH:
        quote = found[_QUOTE_PARAGRAPH]
        page = page[: quote.start(2)] + html.escape(label) + page[quote.end(2) :]
    return {OutboxMail.text: "\n\n".join(blocks), OutboxMail.html: page}


async def _remove_quotes(post_ids: Sequence[int]) -> None:
    """Mails that quote the posts (replies, mentions) keep the news and lose the quote."""
    for post_id in post_ids:
        link = re.compile(rf"[?&]around={post_id}(?!\d)")
        mails = await OutboxMail.select(
            OutboxMail.id, OutboxMail.locale, OutboxMail.text, OutboxMail.html
        ).where(
            OutboxMail.template.is_in(list(_QUOTING_TEMPLATES)),
            OutboxMail.text.like(f"%around={post_id}%"),
        )
        for mail in mails:
            if not link.search(mail["text"]):
                continue
            with use_locale(mail["locale"]):
                label = gettext(REMOVED_TEXT)
            await OutboxMail.update(_without_quote(mail, label)).where(OutboxMail.id == mail["id"])


async def remove_post_texts(post_ids: Sequence[int], at: datetime) -> None:
    """Remove what posts said, everywhere: their text and HTML, earlier versions, translations
    and the translators' change log of them, the stored live events and the quotes in mails. The
    posts stay as tombstones (the thread keeps its numbering); the search indexes follow the
    texts."""
    if not post_ids:
        return
    ids = list(post_ids)
    marks = placeholders(ids)
    await query(f"DELETE FROM board_post_revision WHERE post IN ({marks})", *ids)
    await query(
        "UPDATE board_post SET source = '', html = '', deleted_at = coalesce(deleted_at, {}) "
        f"WHERE id IN ({marks})",
        at,
        *ids,
    )
    # A translation says what the post said: it goes with it (and out of the search).
    await query(
        "UPDATE board_translation SET source = '', html = '' "
        f"WHERE source IS NOT NULL AND post IN ({marks})",
        *ids,
    )
    await query(
        "UPDATE translation_change SET text_before = NULL, text_after = '' "
        f"WHERE kind = {{}} AND entity_id IN ({marks})",
        BOARD_POST,
        *ids,
    )
    await query(f"UPDATE board_event SET payload = {{}} WHERE post_id IN ({marks})", REDACTED, *ids)
    await _remove_quotes(ids)


async def _remove_thread_titles(user_id: int) -> None:
    """The titles of the person's threads go with their posts, in mails about them too."""
    threads = await query("SELECT id, title FROM board_thread WHERE author = {}", user_id)
    if not threads:
        return
    ids = [int(row["id"]) for row in threads]
    await query(f"UPDATE board_thread SET title = '' WHERE id IN ({placeholders(ids)})", *ids)
    # The opening post carries the title for search.
    await query(
        f"UPDATE board_post SET title = '' WHERE title IS NOT NULL AND thread IN "
        f"({placeholders(ids)})",
        *ids,
    )
    await query(
        f"UPDATE board_event SET payload = {{}} WHERE thread_id IN ({placeholders(ids)}) "
        "AND post_id IS NULL",
        REDACTED,
        *ids,
    )
    for thread in threads:
        title = str(thread["title"])
        if not title:
            continue
        link = re.compile(rf"/threads/{thread['id']}(?!\d)")
        mails = await OutboxMail.select(
            OutboxMail.id, OutboxMail.locale, OutboxMail.subject, OutboxMail.text, OutboxMail.html
        ).where(
            OutboxMail.template.like("board.%"),
            OutboxMail.text.like(f"%/threads/{thread['id']}%"),
        )
        for mail in mails:
            if not link.search(mail["text"]):
                continue
            with use_locale(mail["locale"]):
                label = gettext(REMOVED_TEXT)
            changes: dict[Any, Any] = {
                OutboxMail.subject: mail["subject"].replace(title, label),
                OutboxMail.text: mail["text"].replace(title, label),
                OutboxMail.html: mail["html"].replace(html.escape(title), html.escape(label)),
            }
            await OutboxMail.update(changes).where(OutboxMail.id == mail["id"])


def _without_mention(text: str, user_id: int, name: str) -> str:
    return re.sub(rf"\[@[^\]]*\]\(mention:{user_id}\)", f"[@{name}](mention:{user_id})", text)


#: Where a mention may stand, with the language of the text it stands in.
_MENTIONING = (
    ("board_post", "SELECT t.id, t.id AS post, t.language, t.source FROM board_post t"),
    (
        "board_post_revision",
        "SELECT t.id, t.post, p.language, t.source FROM board_post_revision t "
        "JOIN board_post p ON p.id = t.post",
    ),
    (
        "board_translation",
        "SELECT t.id, t.post, t.locale AS language, t.source FROM board_translation t",
    ),
)


async def _rewrite_mentions(user_id: int) -> set[int]:
    """Mentions of the person in others' posts, their earlier versions and translations name
    the tombstone ("former participant", in the text's language) instead. Returns the posts."""
    posts: set[int] = set()
    for table, select in _MENTIONING:
        for row in await query(f"{select} WHERE t.source LIKE {{}}", f"%(mention:{user_id})%"):
            source = _without_mention(row["source"], user_id, _former(row["language"]))
            await query(
                f"UPDATE {table} SET source = {{}}, html = {{}} WHERE id = {{}}",
                source,
                render(source).html,
                row["id"],
            )
            posts.add(int(row["post"]))
    return posts


def _former(locale: str) -> str:
    with use_locale(locale):
        return str(gettext(FORMER_PARTICIPANT))


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
        TranslationWatcher: "translation_watches",
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
