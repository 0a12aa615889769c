"""What the other domains ask before they write about a person at a forum: whether retention
shredded the forum's personal details already. Nothing personal is written after that, or it
would be kept for ever."""

from __future__ import annotations

from mupass_forum.errors import Gone
from mupass_forum.i18n import N_
from mupass_forum.privacy.tables import ForumRetention


async def shredded(forum_id: int) -> bool:
    return bool(
        await ForumRetention.exists().where(
            ForumRetention.forum == forum_id, ForumRetention.shredded_at.is_not_null()
        )
    )


async def refuse_if_shredded(forum_id: int) -> None:
    """``Gone`` for a forum whose personal details retention shredded."""
    if await shredded(forum_id):
        raise Gone(
            "forum_shredded",
            N_(
                "This forum is over and its personal details were deleted when its retention "
                "period ended: nothing more can be recorded for it."
            ),
        )
