"""The translations' share of a person's data: the translations they wrote.

A translation is part of the content it was written into (a forum's title stays translated
after its translator leaves), so on erasure the change log keeps the texts and loses the name:
``changed_by`` becomes null, and nothing links the change to the person any more.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mupass_forum.i18n import N_
from mupass_forum.privacy.registry import STAGE_FORUMS, ErasureRequest, PersonalData, Subject
from mupass_forum.translations.services import CHANGE_COLUMNS
from mupass_forum.translations.tables import TextChange


async def export(subject: Subject) -> Mapping[str, Any]:
    changes = (
        await TextChange.select(*CHANGE_COLUMNS)
        .where(TextChange.changed_by == subject.user_id)
        .order_by(TextChange.id)
    )
    return {"translations": changes}


async def erase(request: ErasureRequest) -> None:
    await TextChange.update({TextChange.changed_by: None}).where(
        TextChange.changed_by == request.subject.user_id
    )


PERSONAL_DATA = PersonalData(
    section="translations",
    # i18n: Part of the personal data export (README).
    description=N_(
        "The translations you wrote into forum content, with the texts they replaced. On "
        "erasure the translations stay in the content and your name is removed from them."
    ),
    tables={TextChange: "translations"},
    export=export,
    erase=erase,
    stage=STAGE_FORUMS,
)
