"""The change log of translated content: every text a translator wrote, and the one it replaced."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from mupass_forum.accounts.tables import User


class TextChange(Table, tablename="translation_change"):
    """One translation written into a text of some content, with the text it replaced."""

    id = Serial(primary_key=True)
    #: One of ``ContentKind`` names: ``forum``, ``programme_item``, ...
    kind = Varchar(length=32)
    #: The id of the forum, programme item, ... within its kind.
    entity_id = Integer()
    #: The translatable field: ``title``, ``summary``, ``description``, ``name``.
    field = Varchar(length=32)
    locale = Varchar(length=8)
    #: Null when the locale had no text yet.
    text_before = Text(null=True, default=None)
    text_after = Text()
    #: Null once the translator's account is erased: the text stays, the name goes.
    changed_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True, index=True)
    changed_at = Timestamptz(default=TimestamptzNow())
