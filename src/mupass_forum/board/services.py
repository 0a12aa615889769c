"""The board's one service: its rooms (categories, threads, posts, translations, moderation of
posts) over one app's settings, handed to the controllers and pages as ``board_service``.

The rules and their authorization live in the rooms, the SQL and its rows in ``board.queries``.
"""

from __future__ import annotations

from mupass_forum.board.categories import Categories
from mupass_forum.board.moderation import Moderation
from mupass_forum.board.posts import Posts
from mupass_forum.board.threads import Threads
from mupass_forum.board.translations import Translations
from mupass_forum.settings import Settings


class BoardService(Categories, Threads, Posts, Translations, Moderation):
    """The board's rules for one app's settings (limits, links in mail)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
