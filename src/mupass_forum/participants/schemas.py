"""Regions, countries, profiles and the directory as the API shows them, in the reader's language.

Input structs refuse unknown fields, so that a misspelt or privileged field fails loudly.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from mupass_forum.regions import RegionLevel


class RegionRef(msgspec.Struct, frozen=True):
    """An M49 area named in the reader's language."""

    code: str
    name: str


class Region(msgspec.Struct, frozen=True):
    """A node of the M49 tree, with the areas it contains and how many countries lie in it."""

    code: str
    name: str
    level: RegionLevel
    countries: int
    children: list[Region]


class RegionList(msgspec.Struct, frozen=True):
    items: list[Region]


class Country(msgspec.Struct, frozen=True):
    """A country with its M49 region, sub-region and intermediate region (``null`` where none)."""

    code: str
    name: str
    region: RegionRef | None
    sub_region: RegionRef | None
    intermediate_region: RegionRef | None


class CountryList(msgspec.Struct, frozen=True):
    items: list[Country]


# Profiles and the directory ------------------------------------------------------------------


class GovernmentLevel(StrEnum):
    NATIONAL = "national"
    STATE = "state"
    MUNICIPAL = "municipal"
    NOT_PUBLIC_SECTOR = "not_public_sector"


class StakeholderGroup(StrEnum):
    PUBLIC_ADMINISTRATION = "public_administration"
    POLITICS = "politics"
    BUSINESS = "business"
    CIVIL_SOCIETY = "civil_society"
    ACADEMIA = "academia"
    INTERNATIONAL_ORGANIZATION = "international_organization"
    OTHER = "other"


class DirectoryVisibility(StrEnum):
    """Who finds a profile in the directory (its owner and platform admins always do)."""

    #: Nobody else.
    HIDDEN = "hidden"
    #: People who attend a forum the owner attends too.
    FORUMS = "forums"
    #: Everyone signed in.
    SIGNED_IN = "signed_in"


class CountryRef(msgspec.Struct, frozen=True):
    """A country (ISO 3166-1 alpha-2) named in the reader's language."""

    code: str
    name: str


class Labelled(msgspec.Struct, frozen=True):
    """A value of a fixed list and its label in the reader's language."""

    value: str
    label: str


class Language(msgspec.Struct, frozen=True):
    """A language (ISO 639-1) named in the reader's language."""

    code: str
    name: str


class TopicEntry(msgspec.Struct, frozen=True):
    """A topic of the vocabulary, labelled in the reader's language."""

    key: str
    label: str


class LanguageList(msgspec.Struct, frozen=True):
    items: list[Language]


class TopicList(msgspec.Struct, frozen=True):
    items: list[TopicEntry]


class Participant(msgspec.Struct, kw_only=True):
    """A profile as others see it in the directory."""

    #: The account's id: the same participant everywhere in the API.
    user_id: int
    given_name: str
    family_name: str
    organization: str
    #: The registered organization the person linked, if any.
    organization_id: int | None
    position: str
    country: CountryRef | None
    #: Derived from the country.
    region: RegionRef | None
    sub_region: RegionRef | None
    government_level: Labelled | None
    stakeholder_group: Labelled | None
    languages: list[Language]
    topics: list[TopicEntry]
    bio: str
    #: Only when the person chose to show it.
    email: str | None


class MyProfile(Participant, kw_only=True):
    """The signed-in person's own profile, with the choices only they see."""

    visibility: Labelled
    show_email: bool
    updated_at: datetime


class ParticipantPage(msgspec.Struct):
    items: list[Participant]
    #: Every profile you can see that matches the filters, on all pages.
    total: int
    #: Pass as ``?after=`` for the next page; null on the last page.
    next_cursor: str | None


GivenName = Annotated[str, Meta(min_length=1, max_length=100)]
FamilyName = Annotated[str, Meta(min_length=1, max_length=100)]
OrganizationName = Annotated[str, Meta(max_length=200)]
Position = Annotated[str, Meta(max_length=200)]
CountryCode = Annotated[str, Meta(min_length=2, max_length=2)]
LanguageCodes = Annotated[list[Annotated[str, Meta(max_length=8)]], Meta(max_length=20)]
TopicKeys = Annotated[list[Annotated[str, Meta(max_length=64)]], Meta(max_length=20)]
Bio = Annotated[str, Meta(max_length=2000)]


class ProfileCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The whole profile (``PUT``): what is left out takes its default."""

    given_name: GivenName
    family_name: FamilyName
    organization: OrganizationName = ""
    #: A registered organization you belong to.
    organization_id: int | None = None
    position: Position = ""
    #: ISO 3166-1 alpha-2 (``DE``, ``GH``, ``CO``); region and sub-region follow from it.
    country: CountryCode | None = None
    government_level: GovernmentLevel | None = None
    stakeholder_group: StakeholderGroup | None = None
    #: ISO 639-1 codes (``de``, ``sw``, ``pt``).
    languages: LanguageCodes = msgspec.field(default_factory=list)
    #: Keys of ``GET /api/v1/topics``.
    topics: TopicKeys = msgspec.field(default_factory=list)
    bio: Bio = ""
    visibility: DirectoryVisibility = DirectoryVisibility.HIDDEN
    show_email: bool = False


class ProfileUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Some fields of the profile (``PATCH``); ``null`` clears an optional one."""

    given_name: GivenName | UnsetType = UNSET
    family_name: FamilyName | UnsetType = UNSET
    organization: OrganizationName | UnsetType = UNSET
    organization_id: int | UnsetType | None = UNSET
    position: Position | UnsetType = UNSET
    country: CountryCode | UnsetType | None = UNSET
    government_level: GovernmentLevel | UnsetType | None = UNSET
    stakeholder_group: StakeholderGroup | UnsetType | None = UNSET
    languages: LanguageCodes | UnsetType = UNSET
    topics: TopicKeys | UnsetType = UNSET
    bio: Bio | UnsetType = UNSET
    visibility: DirectoryVisibility | UnsetType = UNSET
    show_email: bool | UnsetType = UNSET
