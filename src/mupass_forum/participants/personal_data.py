"""The participants' share of a person's data: the profile, its languages and topics."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mupass_forum.i18n import N_
from mupass_forum.participants.tables import Profile, ProfileLanguage, ProfileTopic
from mupass_forum.privacy.registry import (
    STAGE_PARTICIPANTS,
    ErasureRequest,
    PersonalData,
    Subject,
)


async def export(subject: Subject) -> Mapping[str, Any]:
    profile = (
        await Profile.select(
            Profile.id,
            Profile.given_name,
            Profile.family_name,
            Profile.organization_name,
            Profile.organization.name.as_alias("linked_organization"),
            Profile.position,
            Profile.country,
            Profile.region,
            Profile.sub_region,
            Profile.government_level,
            Profile.stakeholder_group,
            Profile.bio,
            Profile.visibility,
            Profile.show_email,
            Profile.created_at,
            Profile.updated_at,
        )
        .where(Profile.user == subject.user_id)
        .first()
    )
    if profile is None:
        return {"profile": None, "languages": [], "topics": []}
    profile_id = profile.pop("id")
    languages = await ProfileLanguage.select(ProfileLanguage.code).where(
        ProfileLanguage.profile == profile_id
    )
    topics = await ProfileTopic.select(ProfileTopic.topic).where(ProfileTopic.profile == profile_id)
    return {
        "profile": profile,
        "languages": [row["code"] for row in languages],
        "topics": [row["topic"] for row in topics],
    }


async def erase(request: ErasureRequest) -> None:
    # Languages and topics go with the profile (foreign keys cascade).
    await Profile.delete().where(Profile.user == request.subject.user_id)


PERSONAL_DATA = PersonalData(
    section="profile",
    # i18n: Part of the personal data export (README).
    description=N_(
        "Your profile in the participants' directory, with the languages you speak and the "
        "topics you work on."
    ),
    tables={Profile: "profile", ProfileLanguage: "languages", ProfileTopic: "topics"},
    export=export,
    erase=erase,
    stage=STAGE_PARTICIPANTS,
)
