"""Regions and countries, the vocabularies of profiles, your profile and the directory."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, patch, put
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, Parameter, QueryParameter

from mupass_forum.accounts.authorization import requires_signed_in
from mupass_forum.accounts.principal import Principal
from mupass_forum.pagination import page_size
from mupass_forum.participants import services
from mupass_forum.participants.schemas import (
    CountryList,
    GovernmentLevel,
    LanguageList,
    MyProfile,
    Participant,
    ParticipantPage,
    ProfileCreate,
    ProfileUpdate,
    RegionList,
    StakeholderGroup,
    TopicList,
)

# The lists change only with a release; a day keeps them fresh enough after an upgrade.
REFERENCE_CACHE = CacheControlHeader(public=True, max_age=86_400)


class RegionController(Controller):
    tags = ["regions"]

    @get(
        "/regions",
        operation_id="list_regions",
        summary="Regions",
        cache_control=REFERENCE_CACHE,
    )
    async def list_regions(self) -> RegionList:
        """The UN M49 regions, sub-regions and intermediate regions, named in your language."""
        return RegionList(items=services.region_tree())

    @get(
        "/countries",
        operation_id="list_countries",
        summary="Countries",
        cache_control=REFERENCE_CACHE,
    )
    async def list_countries(
        self,
        region: Annotated[
            str | None,
            Parameter(
                description="Only countries in this M49 area, at any level (e.g. 202, 011, 150)."
            ),
        ] = None,
        q: Annotated[
            str | None,
            Parameter(
                description="Only countries whose name or a word of it starts with this text "
                "(accents and case ignored), or whose code it is.",
                max_length=100,
            ),
        ] = None,
    ) -> CountryList:
        """Every country with its M49 regions, named and sorted for readers of your language."""
        return CountryList(items=services.country_list(region=region, query=q))


class VocabularyController(Controller):
    tags = ["participants"]

    @get("/topics", operation_id="list_topics", summary="Topics", cache_control=REFERENCE_CACHE)
    async def list_topics(self) -> TopicList:
        """The expertise topics profiles and board threads use, labelled in your language."""
        return TopicList(items=services.topic_list())

    @get(
        "/languages",
        operation_id="list_languages",
        summary="Languages",
        cache_control=REFERENCE_CACHE,
    )
    async def list_languages(self) -> LanguageList:
        """Every ISO 639-1 language, named and sorted for readers of your language."""
        return LanguageList(items=services.language_list())


class MyProfileController(Controller):
    path = "/me/profile"
    tags = ["participants"]
    guards = [requires_signed_in]

    @get("", operation_id="get_my_profile", summary="My profile")
    async def get_my_profile(self, principal: NamedDependency[Principal]) -> MyProfile:
        """Your profile as you wrote it, with who may see it."""
        return await services.my_profile(principal)

    @put("", operation_id="replace_my_profile", summary="Write my profile")
    async def replace_my_profile(
        self, data: JSONBody[ProfileCreate], principal: NamedDependency[Principal]
    ) -> MyProfile:
        """Create or replace your whole profile; it stays hidden unless you choose otherwise."""
        return await services.replace_my_profile(principal, data)

    @patch("", operation_id="update_my_profile", summary="Change my profile")
    async def update_my_profile(
        self, data: JSONBody[ProfileUpdate], principal: NamedDependency[Principal]
    ) -> MyProfile:
        """Change some fields of your profile; the others keep their values."""
        return await services.update_my_profile(principal, data)

    @delete("", operation_id="delete_my_profile", summary="Remove my profile")
    async def delete_my_profile(self, principal: NamedDependency[Principal]) -> None:
        """Remove your profile from the directory; your account stays."""
        await services.delete_my_profile(principal)


class ParticipantController(Controller):
    path = "/participants"
    tags = ["participants"]
    guards = [requires_signed_in]

    @get("", operation_id="list_participants", summary="Participant directory")
    async def list_participants(
        self,
        principal: NamedDependency[Principal],
        q: Annotated[
            str | None,
            QueryParameter(
                description="Words that start words of the name or organization "
                "(accents and case ignored).",
                max_length=100,
            ),
        ] = None,
        region: Annotated[
            str | None, QueryParameter(description="An M49 region, e.g. 002 Africa, 150 Europe.")
        ] = None,
        sub_region: Annotated[
            str | None,
            QueryParameter(description="An M49 sub-region, e.g. 202 Sub-Saharan Africa."),
        ] = None,
        country: Annotated[
            str | None, QueryParameter(description="ISO 3166-1 alpha-2 code, e.g. GH.")
        ] = None,
        stakeholder_group: FromQuery[StakeholderGroup | None] = None,
        government_level: FromQuery[GovernmentLevel | None] = None,
        topic: Annotated[str | None, QueryParameter(description="A key of /topics.")] = None,
        language: Annotated[
            str | None, QueryParameter(description="An ISO 639-1 code, e.g. fr.")
        ] = None,
        forum: Annotated[
            int | None,
            QueryParameter(
                description="People attending this forum (for its attendees and platform admins).",
                ge=1,
            ),
        ] = None,
        cursor: Annotated[
            str | None, QueryParameter(description="next_cursor of the page before", max_length=500)
        ] = None,
        limit: Annotated[int, page_size(services.MAX_PAGE_SIZE)] = services.PAGE_SIZE,
    ) -> ParticipantPage:
        """The participants you may see, by family name; all filters combine."""
        return await services.directory(
            principal,
            services.DirectoryFilter(
                query=q,
                region=region,
                sub_region=sub_region,
                country=country,
                stakeholder_group=stakeholder_group,
                government_level=government_level,
                topic=topic,
                language=language,
                forum=forum,
            ),
            after=cursor,
            limit=limit,
        )

    @get("/{user_id:int}", operation_id="get_participant", summary="A participant")
    async def get_participant(
        self, user_id: FromPath[int], principal: NamedDependency[Principal]
    ) -> Participant:
        """One participant's profile, if it is visible to you."""
        return await services.participant(principal, user_id)
