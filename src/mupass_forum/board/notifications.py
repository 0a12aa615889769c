"""Mail about the board, in each recipient's language: replies in followed threads, mentions,
finished translations; sent at once, gathered into a daily digest, or not at all, as each
person chooses. Every mail carries a link that stops board mail without signing in, in its
footer and in ``List-Unsubscribe`` with one-click unsubscribe (RFC 8058) for mail programs.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

import msgspec

from mupass_forum import db, pages
from mupass_forum.accounts.principal import Principal
from mupass_forum.board import schemas
from mupass_forum.board.authorization import CategoryAccess, readers_of
from mupass_forum.board.rendering import plain_text
from mupass_forum.board.sql import query
from mupass_forum.clock import now
from mupass_forum.db import placeholders
from mupass_forum.i18n import N_, gettext, language_name, use_locale
from mupass_forum.mail import MailTemplate, Recipient, queue_mail_to
from mupass_forum.rows import rows_as
from mupass_forum.settings import Settings
from mupass_forum.signed_links import LinkKind, Signer

EXCERPT_LENGTH = 280

_FOOTER = N_(
    "You receive this mail because of your board notification settings. To receive no more "
    "mail from the board, open: {unsubscribe_url}"
)


def _board_mail(name: str, subject: str, *paragraphs: str, action: tuple[str, str]) -> MailTemplate:
    """A mail from the board: greeted by name, ``paragraphs``, the button, and the footer with
    the link that stops board mail."""
    return MailTemplate(
        name=name,
        subject=subject,
        paragraphs=(N_("Hello {name},"), *paragraphs),
        action=action,
        footer=_FOOTER,
    )


REPLY = _board_mail(
    "board.reply",
    # i18n: {author} is a person's name, {thread} a thread's title.
    N_("{author} replied in “{thread}”"),
    N_("{author} replied in the thread “{thread}”, which you follow:"),
    "{excerpt}",
    action=(N_("Read the reply"), "url"),
)

MENTION = _board_mail(
    "board.mention",
    N_("{author} mentioned you in “{thread}”"),
    N_("{author} mentioned you in the thread “{thread}”:"),
    "{excerpt}",
    action=(N_("Read the post"), "url"),
)

TRANSLATION_DONE = _board_mail(
    "board.translation_done",
    # i18n: {language} is the name of a language, such as "French".
    N_("A post in “{thread}” is now available in {language}"),
    N_(
        "The translation into {language} that you asked for is ready: a post in the thread "
        "“{thread}” can now be read in your language."
    ),
    action=(N_("Read the translation"), "url"),
)

DIGEST = _board_mail(
    "board.digest",
    N_("Your daily summary from the dialogue board"),
    N_("This happened on the dialogue board since your last summary:"),
    "{items}",
    action=(N_("Open the board"), "url"),
)

DIGEST_LINES = {
    "reply": N_("{author} replied in “{thread}”"),
    "mention": N_("{author} mentioned you in “{thread}”"),
    "translation": N_("A translation is ready in “{thread}”"),
}


def post_url(settings: Settings, thread_id: int, post_id: int) -> str:
    """The thread's page around the post, scrolled to it (mail adds the reader's ``lang``)."""
    return f"{settings.base_url}/board/threads/{thread_id}?around={post_id}#post-{post_id}"


def board_url(settings: Settings) -> str:
    """The board's first page: the categories the reader may read."""
    return f"{settings.base_url}/board"


UNSUBSCRIBE = LinkKind(
    "board unsubscribe",
    "/api/v1/board/unsubscribe",
    invalid=(
        "invalid_unsubscribe_link",
        N_("This unsubscribe link is not valid. Please use the link from the mail."),
    ),
)


def _unsubscribe_signer(settings: Settings) -> Signer:
    return Signer.for_purpose(settings, UNSUBSCRIBE.purpose)


def unsubscribe_token(settings: Settings, user_id: int) -> str:
    """A token that stops board mail for ``user_id``; it never expires (the link in an old
    mail must still work) and proves nothing else."""
    return _unsubscribe_signer(settings).sign(str(user_id))


def unsubscribe_url(settings: Settings, user_id: int) -> str:
    return UNSUBSCRIBE.address(settings.base_url, unsubscribe_token(settings, user_id))


def list_headers(link: str) -> dict[str, str]:
    """Header fields that let mail programs offer their own unsubscribe button, which stops
    board mail with one POST to ``link`` (RFC 2369, RFC 8058)."""
    return {
        "List-Unsubscribe": f"<{link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def user_of_token(settings: Settings, token: str) -> int:
    (user_id,), _ = UNSUBSCRIBE.read(_unsubscribe_signer(settings), token, 1)
    if not user_id.isdigit():
        raise UNSUBSCRIBE.refused()
    return int(user_id)


def excerpt(text: str) -> str:
    """The start of a post for a mail, as the text it shows: no Markdown signs, mentions as
    the names they show."""
    flat = plain_text(text)
    return flat if len(flat) <= EXCERPT_LENGTH else flat[: EXCERPT_LENGTH - 1].rstrip() + "…"


class _Recipient(Recipient, frozen=True, kw_only=True):
    mode: schemas.NotificationMode


async def _recipients(
    user_ids: Iterable[int], category: CategoryAccess | None = None
) -> list[_Recipient]:
    """The accounts among ``user_ids`` that can receive mail (and may read ``category``)."""
    ids = sorted(set(user_ids))
    if not ids:
        return []
    readers, args = ("1 = 1", []) if category is None else readers_of(category)
    rows = await query(
        "SELECT u.id, u.email, u.display_name, u.locale, u.timezone, "
        "coalesce(s.mode, 'immediately') AS mode FROM account_user u "
        'LEFT JOIN board_notification_setting s ON s."user" = u.id '
        f"WHERE u.id IN ({placeholders(ids)}) AND u.email_verified_at IS NOT NULL "
        f"AND {readers}",
        *ids,
        *args,
    )
    return rows_as(rows, _Recipient)


async def _deliver(
    settings: Settings,
    recipient: _Recipient,
    template: MailTemplate,
    kind: str,
    thread_id: int,
    post_id: int,
    context: dict[str, str],
) -> None:
    if recipient.mode == schemas.NotificationMode.NEVER:
        return
    if recipient.mode == schemas.NotificationMode.DAILY:
        await query(
            'INSERT INTO board_digest_item ("user", kind, thread_id, post_id, created_at) '
            "VALUES ({}, {}, {}, {}, {})",
            recipient.id,
            kind,
            thread_id,
            post_id,
            now(),
        )
        return
    link = unsubscribe_url(settings, recipient.id)
    await queue_mail_to(
        template,
        recipient,
        context={
            **context,
            "name": recipient.display_name,
            "url": post_url(settings, thread_id, post_id),
            "unsubscribe_url": link,
        },
        headers=list_headers(link),
    )


async def post_written(
    settings: Settings,
    *,
    post_id: int,
    thread_id: int,
    thread_title: str,
    author: Principal,
    category: CategoryAccess,
    excerpt: str,
    mentions: Sequence[int],
    is_reply: bool,
) -> None:
    """Tell the people mentioned, and the thread's followers about a reply; one mail each."""
    followers: list[int] = []
    if is_reply:
        rows = await query(
            'SELECT "user" FROM board_follow WHERE thread = {} AND "user" <> {}',
            thread_id,
            author.user_id,
        )
        followers = [int(row["user"]) for row in rows]
    mentioned = [user_id for user_id in mentions if user_id != author.user_id]
    recipients = await _recipients([*followers, *mentioned], category)
    context = {
        "author": author.display_name or "",
        "thread": thread_title,
        "excerpt": _excerpt(excerpt),
    }
    for recipient in recipients:
        if recipient.id in mentioned:
            await _deliver(settings, recipient, MENTION, "mention", thread_id, post_id, context)
        else:
            await _deliver(settings, recipient, REPLY, "reply", thread_id, post_id, context)


_excerpt = excerpt


async def translation_done(
    settings: Settings,
    *,
    translation_id: int,
    post_id: int,
    thread_id: int,
    thread_title: str,
    locale: str,
    translator_id: int | None,
    category: CategoryAccess,
) -> None:
    """Tell those who asked for the translation, and may still read the post, that it is there."""
    rows = await query(
        'SELECT "user" FROM board_translation_watcher WHERE translation = {}', translation_id
    )
    watchers = [int(row["user"]) for row in rows if int(row["user"]) != translator_id]
    for recipient in await _recipients(watchers, category):
        with use_locale(recipient.locale):
            language = language_name(locale)
        await _deliver(
            settings,
            recipient,
            TRANSLATION_DONE,
            "translation",
            thread_id,
            post_id,
            {"thread": thread_title, "language": language},
        )


class _DigestItem(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    recipient: int
    kind: str
    title: str
    author: str


async def send_digests(settings: Settings) -> int:
    """Send each person with waiting items one summary mail; returns the number of mails."""
    sent = 0
    async with db.transaction():
        items = rows_as(
            await query(
                'SELECT d.id, d."user" AS recipient, d.kind, d.thread_id, d.post_id, t.title, '
                "u.display_name AS author FROM board_digest_item d "
                "JOIN board_thread t ON t.id = d.thread_id "
                "JOIN board_post p ON p.id = d.post_id JOIN account_user u ON u.id = p.author "
                'WHERE d.sent_at IS NULL ORDER BY d."user", d.id'
            ),
            _DigestItem,
        )
        by_user: dict[int, list[_DigestItem]] = {}
        for item in items:
            by_user.setdefault(item.recipient, []).append(item)
        for recipient in await _recipients(by_user):
            mine = by_user[recipient.id]
            if recipient.mode == schemas.NotificationMode.DAILY:
                with use_locale(recipient.locale):
                    lines = "\n".join(
                        "• "
                        + gettext(DIGEST_LINES[item.kind], author=item.author, thread=item.title)
                        for item in mine
                    )
                link = unsubscribe_url(settings, recipient.id)
                await queue_mail_to(
                    DIGEST,
                    recipient,
                    context={
                        "name": recipient.display_name,
                        "items": lines,
                        "url": board_url(settings),
                        "unsubscribe_url": link,
                    },
                    headers=list_headers(link),
                )
                sent += 1
        ids = [item.id for item in items]
        if ids:
            await query(
                f"UPDATE board_digest_item SET sent_at = {{}} WHERE id IN ({placeholders(ids)})",
                now(),
                *ids,
            )
    return sent


async def get_mode(user_id: int) -> schemas.NotificationMode:
    rows = await query('SELECT mode FROM board_notification_setting WHERE "user" = {}', user_id)
    return (
        schemas.NotificationMode(str(rows[0]["mode"]))
        if rows
        else schemas.NotificationMode.IMMEDIATELY
    )


async def set_mode(user_id: int, mode: schemas.NotificationMode) -> None:
    await query(
        'INSERT INTO board_notification_setting ("user", mode) VALUES ({}, {}) '
        'ON CONFLICT ("user") DO UPDATE SET mode = excluded.mode',
        user_id,
        mode.value,
    )


async def unsubscribe_preview(settings: Settings, token: str) -> schemas.UnsubscribePreview:
    """What the stop link will do, for the person the token names; changes nothing."""
    mode = await get_mode(user_of_token(settings, token))
    detail = (
        N_("You receive no mail from the dialogue board.")
        if mode == schemas.NotificationMode.NEVER
        else N_(
            "Confirm to receive no more mail from the dialogue board. You can turn it on again "
            "in your settings."
        )
    )
    return schemas.UnsubscribePreview(mode=mode, detail=gettext(detail))


def unsubscribe_preview_page(preview: schemas.UnsubscribePreview, token: str) -> str:
    title = gettext(N_("Mail from the dialogue board"))
    body = f"<h1>{html.escape(title)}</h1>\n<p>{html.escape(preview.detail)}</p>"
    if preview.mode != schemas.NotificationMode.NEVER:
        body += "\n" + pages.confirm_form(token, gettext(N_("Stop board mail")))
    return pages.page(title, body)


def unsubscribed_page(done: schemas.Unsubscribed) -> str:
    title = gettext(N_("Mail from the dialogue board"))
    return pages.page(title, f"<h1>{html.escape(title)}</h1>\n<p>{html.escape(done.detail)}</p>")


async def unsubscribe(settings: Settings, token: str) -> None:
    """Stop board mail for the person the token names."""
    user_id = user_of_token(settings, token)
    rows = await query("SELECT id FROM account_user WHERE id = {}", user_id)
    if rows:
        await set_mode(user_id, schemas.NotificationMode.NEVER)
