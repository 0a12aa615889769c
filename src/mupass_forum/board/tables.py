"""The board's tables.

Threads carry denormalized counters (``post_count``, ``last_post_id``, ``last_activity_at``)
updated in the transaction that adds a post, so that lists never count or sort posts. Posts are
numbered per thread (``position``, 1, 2, ...) without gaps: a removed post stays as a tombstone,
so every page of a thread is one range read on ``(thread, position)``.
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from mupass_forum.accounts.tables import User
from mupass_forum.forums.tables import Forum, ForumSeries


class Category(Table, tablename="board_category"):
    id = Serial(primary_key=True)
    slug = Varchar(length=80, unique=True)
    #: ``TranslatableText`` (``mupass_forum.i18n.text``).
    name = JSON()
    #: ``TranslatableText``, or null.
    description = JSON(null=True, default=None)
    #: Categories are listed by ascending position, then id.
    position = Integer(default=0)
    #: ``public``, ``signed_in`` or ``participants`` (of the forum the category belongs to).
    read_access = Varchar(length=16, default="public")
    post_access = Varchar(length=16, default="signed_in")
    #: The forum this category belongs to (one per break-out workshop, for instance); its
    #: participants are those of ``participants`` access.
    forum = ForeignKey(
        Forum, on_delete=OnDelete.set_null, null=True, default=None, db_column_name="forum_id"
    )
    #: A series of forums whose exchange the category carries on between editions.
    series = ForeignKey(
        ForumSeries,
        on_delete=OnDelete.set_null,
        null=True,
        default=None,
        db_column_name="series_id",
    )
    created_at = Timestamptz(default=TimestamptzNow())


class Thread(Table, tablename="board_thread"):
    id = Serial(primary_key=True)
    category = ForeignKey(Category, on_delete=OnDelete.restrict)
    author = ForeignKey(User, on_delete=OnDelete.restrict)
    title = Varchar(length=200)
    #: The language the thread was opened in (its first post's).
    language = Varchar(length=8)
    #: Topic vocabulary keys, JSON list.
    tags = JSON(default="[]")
    pinned = Boolean(default=False)
    locked = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    #: When the last post was written.
    last_activity_at = Timestamptz(default=TimestamptzNow())
    #: The id of the newest post: increasing with activity, it orders threads without ties.
    last_post_id = Integer(default=0)
    #: Posts in the thread, the opening one included (``position`` of the newest post).
    post_count = Integer(default=0)


class Post(Table, tablename="board_post"):
    id = Serial(primary_key=True)
    thread = ForeignKey(Thread, on_delete=OnDelete.cascade)
    #: 1 for the opening post, then 2, 3, ... without gaps.
    position = Integer()
    author = ForeignKey(User, on_delete=OnDelete.restrict)
    #: The language the author wrote in; translations never replace it.
    language = Varchar(length=8)
    #: The thread's title on the opening post, so that search finds titles; null otherwise.
    title = Varchar(length=200, null=True, default=None)
    #: Markdown as written.
    source = Text()
    #: ``source`` rendered and sanitized when it was written.
    html = Text()
    #: The post this one answers (and possibly quotes).
    reply_to: ForeignKey[Post] = ForeignKey(
        "self", on_delete=OnDelete.set_null, null=True, default=None
    )
    created_at = Timestamptz(default=TimestamptzNow())
    edited_at = Timestamptz(null=True, default=None)
    #: Edits so far; translations remember the revision they were made from.
    revision = Integer(default=0)
    deleted_at = Timestamptz(null=True, default=None)
    hidden_at = Timestamptz(null=True, default=None)
    #: Open flags; at the configured threshold the post is hidden until a moderator decides.
    open_flags = Integer(default=0)


class PostRevision(Table, tablename="board_post_revision"):
    """A post as it was before an edit."""

    id = Serial(primary_key=True)
    post = ForeignKey(Post, on_delete=OnDelete.cascade)
    revision = Integer()
    source = Text()
    html = Text()
    edited_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True)
    #: When this text was replaced.
    replaced_at = Timestamptz(default=TimestamptzNow())


class Translation(Table, tablename="board_translation"):
    """A translation of a post: first a request (``requested``), then a version (``done``).

    The translators' queue (``/translations/tasks``) and the board read the same rows.
    """

    id = Serial(primary_key=True)
    post = ForeignKey(Post, on_delete=OnDelete.cascade)
    locale = Varchar(length=8)
    #: ``requested`` or ``done``.
    status = Varchar(length=16, default="requested")
    #: ``human`` (a translator) or ``author`` (the post's author); null while requested.
    kind = Varchar(length=16, null=True, default=None)
    translator = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)
    requested_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)
    source = Text(null=True, default=None)
    html = Text(null=True, default=None)
    #: The post's ``revision`` this translation was made from.
    post_revision = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    completed_at = Timestamptz(null=True, default=None)
    #: When a newer version into the same locale took this one's place; only the current
    #: version (done, not replaced) is searched.
    replaced_at = Timestamptz(null=True, default=None)


class TranslationWatcher(Table, tablename="board_translation_watcher"):
    """Someone who asked for a translation and is told when it is done."""

    id = Serial(primary_key=True)
    translation = ForeignKey(Translation, on_delete=OnDelete.cascade)
    user = ForeignKey(User, on_delete=OnDelete.cascade)


class Reaction(Table, tablename="board_reaction"):
    id = Serial(primary_key=True)
    post = ForeignKey(Post, on_delete=OnDelete.cascade)
    user = ForeignKey(User, on_delete=OnDelete.cascade)
    #: One of ``ReactionKind``.
    kind = Varchar(length=16)
    created_at = Timestamptz(default=TimestamptzNow())


class Follow(Table, tablename="board_follow"):
    id = Serial(primary_key=True)
    thread = ForeignKey(Thread, on_delete=OnDelete.cascade)
    user = ForeignKey(User, on_delete=OnDelete.cascade)
    created_at = Timestamptz(default=TimestamptzNow())


class Event(Table, tablename="board_event"):
    """What the live stream sends; ids increase in commit order (see ``live.py``)."""

    id = Serial(primary_key=True)
    category_id = Integer()
    thread_id = Integer()
    post_id = Integer(null=True, default=None)
    #: ``post_created``, ``post_edited``, ``post_removed``, ``reaction``, ``translation``, ...
    kind = Varchar(length=32)
    #: The event's JSON, as sent.
    payload = Text()
    created_at = Timestamptz(default=TimestamptzNow())


class Flag(Table, tablename="board_flag"):
    id = Serial(primary_key=True)
    post = ForeignKey(Post, on_delete=OnDelete.cascade)
    user = ForeignKey(User, on_delete=OnDelete.cascade)
    #: One of ``FlagReason``.
    reason = Varchar(length=16)
    note = Varchar(length=500, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    #: Set when a moderator decided on the post.
    resolved_at = Timestamptz(null=True, default=None)
    resolved_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)


class ModerationAction(Table, tablename="board_moderation_action"):
    """The audit log: every moderator action and every automatic hide."""

    id = Serial(primary_key=True)
    #: Null for actions the board took itself (hiding after enough flags).
    moderator = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)
    action = Varchar(length=32)
    thread_id = Integer(null=True, default=None)
    post_id = Integer(null=True, default=None)
    #: JSON: what changed (old and new values, reasons).
    detail = Text(default="{}")
    created_at = Timestamptz(default=TimestamptzNow())


class NotificationSetting(Table, tablename="board_notification_setting"):
    """How someone wants to hear about the board; no row means ``immediately``."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, unique=True)
    #: ``immediately``, ``daily`` or ``never``.
    mode = Varchar(length=16, default="immediately")


class DigestItem(Table, tablename="board_digest_item"):
    """A notification waiting for the recipient's daily digest."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade)
    #: ``reply``, ``mention`` or ``translation``.
    kind = Varchar(length=16)
    thread_id = Integer()
    post_id = Integer()
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)
