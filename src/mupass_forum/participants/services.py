"""Regions and countries, the vocabularies of profiles, profiles and the directory.

Reference data (regions, countries, languages) changes only with a release, so each locale's
lists are built once per process (names from CLDR, order from ICU's collation for that
language) and then only filtered.

The directory is ordered by ``sort_name`` (family and given name folded to lower-case ASCII by
``search_form``) in byte order, then the user id, and paged by that key. Collating in SQL with
each reader's ICU rules would need ICU inside both databases; the folded order puts "Müller"
with "Muller" and "Ōkubo" with "Okubo" as a German, French or Spanish reader expects, and lets a
page be one indexed range read whatever its position.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import msgspec
from babel.core import Locale

from mupass_forum import db, pagination, regions
from mupass_forum.accounts.authorization import as_signed_in, authorize, signed_in
from mupass_forum.accounts.principal import Principal
from mupass_forum.accounts.tables import Organization
from mupass_forum.errors import FieldError, InvalidInput, NotFound
from mupass_forum.i18n import N_, current_locale, gettext
from mupass_forum.i18n.collation import collated, search_form, word_prefix
from mupass_forum.participants import topics, visibility
from mupass_forum.participants.schemas import (
    Country,
    CountryRef,
    DirectoryVisibility,
    GovernmentLevel,
    Labelled,
    Language,
    MyProfile,
    Participant,
    ParticipantPage,
    ProfileCreate,
    ProfileUpdate,
    Region,
    RegionRef,
    StakeholderGroup,
    TopicEntry,
)
from mupass_forum.participants.tables import Profile, ProfileLanguage, ProfileTopic
from mupass_forum.participants.visibility import Condition
from mupass_forum.rows import Moment, row_as, rows_as
from mupass_forum.validation import unknown_country


def region_tree() -> list[Region]:
    """The five M49 regions with their sub-regions and intermediate regions, in name order."""
    return list(_region_tree(current_locale()))


def country_list(region: str | None = None, query: str | None = None) -> list[Country]:
    """Every country in name order, optionally only those in M49 area ``region`` (any level)
    and those whose name or one of its words starts with ``query`` (accents and case ignored).
    """
    if region is not None and not regions.is_region(region):
        raise InvalidInput(
            FieldError(
                N_("There is no region with the code {code}."),
                "unknown_region",
                parameter="region",
                params={"code": region},
            )
        )
    pattern = word_prefix(query) if query else None
    code = query.strip().upper() if query else None
    return [
        listed.country
        for listed in _country_listing(current_locale())
        if (region is None or region in listed.regions)
        and (pattern is None or listed.country.code == code or pattern.search(listed.folded_name))
    ]


@dataclass(frozen=True, slots=True)
class _ListedCountry:
    country: Country
    regions: tuple[str, ...]
    folded_name: str


@functools.cache
def _country_listing(locale: str) -> tuple[_ListedCountry, ...]:
    def ref(code: str | None) -> RegionRef | None:
        return RegionRef(code, regions.name(code, locale)) if code else None

    listing = [
        _ListedCountry(
            Country(
                code=entry.code,
                name=regions.name(entry.code, locale),
                region=ref(entry.region),
                sub_region=ref(entry.sub_region),
                intermediate_region=ref(entry.intermediate_region),
            ),
            entry.regions,
            search_form(regions.name(entry.code, locale)),
        )
        for entry in regions.table().countries.values()
    ]
    return tuple(collated(listing, lambda listed: listed.country.name, locale))


@functools.cache
def _region_tree(locale: str) -> tuple[Region, ...]:
    table = regions.table()
    counts = Counter(code for entry in table.countries.values() for code in entry.regions)

    def children_of(parent: str | None) -> list[Region]:
        nodes = [
            Region(
                code=entry.code,
                name=regions.name(entry.code, locale),
                level=entry.level,
                countries=counts[entry.code],
                children=children_of(entry.code),
            )
            for entry in table.regions.values()
            if entry.parent == parent
        ]
        return collated(nodes, lambda node: node.name, locale)

    return tuple(children_of(None))


def _unknown_region(code: str, parameter: str) -> InvalidInput:
    return InvalidInput(
        FieldError(
            N_("There is no region with the code {code}."),
            "unknown_region",
            parameter=parameter,
            params={"code": code},
        )
    )


# Vocabularies of profiles --------------------------------------------------------------------

GOVERNMENT_LEVEL_LABELS: Mapping[GovernmentLevel, str] = {
    # i18n: The level of government someone works at.
    GovernmentLevel.NATIONAL: N_("National or federal"),
    GovernmentLevel.STATE: N_("State or provincial"),
    GovernmentLevel.MUNICIPAL: N_("Municipal or local"),
    GovernmentLevel.NOT_PUBLIC_SECTOR: N_("Not in the public sector"),
}

STAKEHOLDER_GROUP_LABELS: Mapping[StakeholderGroup, str] = {
    # i18n: The group of stakeholders someone belongs to.
    StakeholderGroup.PUBLIC_ADMINISTRATION: N_("Public administration"),
    StakeholderGroup.POLITICS: N_("Politics"),
    StakeholderGroup.BUSINESS: N_("Business and associations"),
    StakeholderGroup.CIVIL_SOCIETY: N_("Civil society and NGOs"),
    StakeholderGroup.ACADEMIA: N_("Academia and research"),
    StakeholderGroup.INTERNATIONAL_ORGANIZATION: N_("International organization"),
    StakeholderGroup.OTHER: N_("Other"),
}

VISIBILITY_LABELS: Mapping[DirectoryVisibility, str] = {
    # i18n: Who finds a person's profile in the participant directory.
    DirectoryVisibility.HIDDEN: N_("Hidden from other participants"),
    DirectoryVisibility.FORUMS: N_("Visible to people who attend the same forums"),
    DirectoryVisibility.SIGNED_IN: N_("Visible to all signed-in users"),
}


def government_level_label(value: str) -> Labelled:
    level = GovernmentLevel(value)
    return Labelled(level.value, gettext(GOVERNMENT_LEVEL_LABELS[level]))


def stakeholder_group_label(value: str) -> Labelled:
    group = StakeholderGroup(value)
    return Labelled(group.value, gettext(STAKEHOLDER_GROUP_LABELS[group]))


def visibility_label(value: str) -> Labelled:
    chosen = DirectoryVisibility(value)
    return Labelled(chosen.value, gettext(VISIBILITY_LABELS[chosen]))


@functools.cache
def language_codes() -> frozenset[str]:
    """The ISO 639-1 codes: CLDR's two-letter language codes, which are exactly those."""
    return frozenset(
        code
        for code in Locale.parse("en").languages
        if isinstance(code, str) and len(code) == 2 and code.isalpha()
    )


def language_list() -> list[Language]:
    """Every ISO 639-1 language, named and sorted for readers of the active locale."""
    return list(_language_listing(current_locale()))


@functools.cache
def _language_listing(locale: str) -> tuple[Language, ...]:
    names = Locale.parse(locale).languages
    listing = [Language(code, str(names.get(code, code))) for code in language_codes()]
    return tuple(collated(listing, lambda language: language.name, locale))


@functools.cache
def _language_rank(locale: str) -> Mapping[str, tuple[int, Language]]:
    return {language.code: (i, language) for i, language in enumerate(_language_listing(locale))}


def topic_list() -> list[TopicEntry]:
    """The topic vocabulary, labelled and sorted for readers of the active locale."""
    return [TopicEntry(key, label) for key, label in topics.topic_list()]


# Profiles ------------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    """The words of ``text`` without accents and case: "Jean-Pierre Éla" -> jean, pierre, ela."""
    return [word for word in re.split(r"[\W_]+", search_form(text)) if word]


def sort_name(given_name: str, family_name: str) -> str:
    # The space ends the family name before any letter could, so "Muller" precedes "Mullerova".
    return " ".join([*_words(family_name), *_words(given_name)])[: Profile.sort_name.length]


def search_text(*texts: str) -> str:
    """Each word preceded by a space, so that ``LIKE '% word%'`` finds the start of a word."""
    return "".join(f" {word}" for text in texts for word in _words(text))


def _unknown_language(
    code: str, *, pointer: str | None = None, parameter: str | None = None
) -> FieldError:
    return FieldError(
        N_("{language} is not an ISO 639-1 language code (such as de, fr or sw)."),
        "unknown_language",
        pointer=pointer,
        parameter=parameter,
        params={"language": code},
    )


def _unknown_topic(
    key: str, *, pointer: str | None = None, parameter: str | None = None
) -> FieldError:
    return FieldError(
        N_("{key} is not a topic of the list."),
        "unknown_topic",
        pointer=pointer,
        parameter=parameter,
        params={"key": key},
    )


def _unique(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(values))


@dataclass(frozen=True, slots=True)
class _ProfileRow:
    """A profile checked and ready to store, with everything derived from it."""

    values: dict[Any, Any]
    languages: list[str]
    topics: list[str]


async def _checked(
    principal: Principal, data: ProfileCreate, stored_organization: int | None
) -> _ProfileRow:
    problems: list[FieldError] = []
    given_name, family_name = data.given_name.strip(), data.family_name.strip()
    for name, pointer in ((given_name, "/given_name"), (family_name, "/family_name")):
        if not name:
            problems.append(FieldError(N_("This field is required."), "required", pointer=pointer))
    country = data.country.strip().upper() if data.country is not None else None
    if country is not None and not regions.is_country(country):
        problems.append(unknown_country(pointer="/country"))
    languages = _unique([code.strip().lower() for code in data.languages])
    problems += [
        _unknown_language(code, pointer=f"/languages/{i}")
        for i, code in enumerate(languages)
        if code not in language_codes()
    ]
    chosen_topics = _unique([key.strip() for key in data.topics])
    problems += [
        _unknown_topic(key, pointer=f"/topics/{i}")
        for i, key in enumerate(chosen_topics)
        if not topics.is_topic(key)
    ]
    organization_name = data.organization.strip()
    organization_id = data.organization_id
    # A link says "this person works there": only members may make it. A link made earlier
    # stays when the person edits other fields, even if they have left since.
    if (
        organization_id is not None
        and organization_id != stored_organization
        and not principal.is_organization_member(organization_id)
    ):
        problems.append(
            FieldError(
                N_("You can only link an organization you are a member of."),
                "not_a_member",
                pointer="/organization_id",
            )
        )
    if problems:
        raise InvalidInput(*problems)
    if organization_id is not None and not organization_name:
        linked = (
            await Organization.select(Organization.name)
            .where(Organization.id == organization_id)
            .first()
        )
        organization_name = linked["name"] if linked else ""
    return _ProfileRow(
        values={
            Profile.given_name: given_name,
            Profile.family_name: family_name,
            Profile.organization_name: organization_name,
            Profile.organization: organization_id,
            Profile.position: data.position.strip(),
            Profile.country: country,
            Profile.region: regions.region_of(country) if country else None,
            Profile.sub_region: regions.sub_region_of(country) if country else None,
            Profile.government_level: data.government_level,
            Profile.stakeholder_group: data.stakeholder_group,
            Profile.bio: data.bio.strip(),
            Profile.visibility: data.visibility.value,
            Profile.show_email: data.show_email,
            Profile.sort_name: sort_name(given_name, family_name),
            Profile.search_text: search_text(given_name, family_name, organization_name),
        },
        languages=languages,
        topics=chosen_topics,
    )


async def _stored(user_id: int) -> tuple[int, ProfileCreate] | None:
    """The caller's profile as ``PUT`` would write it, and its id; None when there is none."""
    row = (
        await Profile.select(
            Profile.id,
            Profile.given_name,
            Profile.family_name,
            Profile.organization_name.as_alias("organization"),
            Profile.organization.as_alias("organization_id"),
            Profile.position,
            Profile.country,
            Profile.government_level,
            Profile.stakeholder_group,
            Profile.bio,
            Profile.visibility,
            Profile.show_email,
        )
        .where(Profile.user == user_id)
        .first()
    )
    if row is None:
        return None
    profile_id = int(row.pop("id"))
    linked = await ProfileLanguage.raw(
        "SELECT 'language' AS kind, code AS value FROM participant_profile_language "
        "WHERE profile = {} UNION ALL "
        "SELECT 'topic' AS kind, topic AS value FROM participant_profile_topic WHERE profile = {}",
        profile_id,
        profile_id,
    )
    row["languages"] = [item["value"] for item in linked if item["kind"] == "language"]
    row["topics"] = [item["value"] for item in linked if item["kind"] == "topic"]
    return profile_id, row_as(row, ProfileCreate)


async def _write(principal: Principal, checked: _ProfileRow) -> None:
    """Store the caller's profile (inside the caller's transaction): profile rows only.

    Profiles never touch registrations or consent: what someone attends and what they agreed
    to stays as it was, whatever they change here.
    """
    user_id = principal.user_id
    stamp = datetime.now(UTC)
    updated = (
        await Profile.update({**checked.values, Profile.updated_at: stamp})
        .where(Profile.user == user_id)
        .returning(Profile.id)
    )
    if updated:
        profile_id = int(updated[0]["id"])
    else:
        created = await Profile.insert(
            Profile(
                **{column._meta.name: value for column, value in checked.values.items()},
                user=user_id,
                created_at=stamp,
                updated_at=stamp,
            )
        ).returning(Profile.id)
        profile_id = int(created[0]["id"])
    await ProfileLanguage.delete().where(ProfileLanguage.profile == profile_id)
    await ProfileTopic.delete().where(ProfileTopic.profile == profile_id)
    if checked.languages:
        await ProfileLanguage.insert(
            *[ProfileLanguage(profile=profile_id, code=code) for code in checked.languages]
        )
    if checked.topics:
        await ProfileTopic.insert(
            *[ProfileTopic(profile=profile_id, topic=key) for key in checked.topics]
        )


async def my_profile(principal: Principal) -> MyProfile:
    """The caller's own profile, everything included."""
    await authorize(principal, signed_in)
    rows = await _profiles(Condition('p."user" = {}', (principal.user_id,)), limit=1)
    if not rows:
        raise NotFound("profile_not_found", N_("You have not filled in your profile yet."))
    return _my_profile(rows[0], _Labels.for_reader())


async def replace_my_profile(principal: Principal, data: ProfileCreate) -> MyProfile:
    """Create or replace the caller's profile as a whole."""
    await authorize(principal, signed_in)
    principal = as_signed_in(principal)
    async with db.transaction():
        stored = await _stored(principal.user_id)
        checked = await _checked(principal, data, stored[1].organization_id if stored else None)
        await _write(principal, checked)
    return await my_profile(principal)


async def update_my_profile(principal: Principal, data: ProfileUpdate) -> MyProfile:
    """Change some fields of the caller's profile; the others keep their values."""
    await authorize(principal, signed_in)
    principal = as_signed_in(principal)
    changes = {
        field: value
        for field in ProfileUpdate.__struct_fields__
        if (value := getattr(data, field)) is not msgspec.UNSET
    }
    async with db.transaction():
        stored = await _stored(principal.user_id)
        if stored is None:
            raise NotFound(
                "profile_not_found",
                N_("You have not filled in your profile yet. Send the whole profile first."),
            )
        current = stored[1]
        checked = await _checked(
            principal, msgspec.structs.replace(current, **changes), current.organization_id
        )
        await _write(principal, checked)
    return await my_profile(principal)


async def delete_my_profile(principal: Principal) -> None:
    """Remove the caller's profile (their account stays)."""
    await authorize(principal, signed_in)
    deleted = await Profile.delete().where(Profile.user == principal.user_id).returning(Profile.id)
    if not deleted:
        raise NotFound("profile_not_found", N_("You have not filled in your profile yet."))


# The directory -------------------------------------------------------------------------------

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
MAX_SEARCH_WORDS = 8


@dataclass(frozen=True, slots=True)
class DirectoryFilter:
    """What the directory is narrowed to; every field optional, all of them combined."""

    query: str | None = None
    region: str | None = None
    sub_region: str | None = None
    country: str | None = None
    stakeholder_group: StakeholderGroup | None = None
    government_level: GovernmentLevel | None = None
    topic: str | None = None
    language: str | None = None
    forum: int | None = None


async def _filter_conditions(principal: Principal, given: DirectoryFilter) -> list[Condition]:
    """``given`` as SQL conditions on the profile ``p``; raises for values that mean nothing."""
    problems: list[FieldError] = []
    conditions: list[Condition] = []
    if given.query is not None:
        words = _words(given.query)[:MAX_SEARCH_WORDS]
        # Every word must start a word of the names or the organization.
        conditions += [Condition("p.search_text LIKE {}", (f"% {word}%",)) for word in words]
    for value, parameter, level, column in (
        (given.region, "region", "region", "region"),
        (given.sub_region, "sub_region", "sub_region", "sub_region"),
    ):
        if value is None:
            continue
        if not regions.is_region(value) or regions.region(value).level != level:
            problems += _unknown_region(value, parameter).errors
        conditions.append(Condition(f"p.{column} = {{}}", (value,)))
    if given.country is not None:
        country = given.country.strip().upper()
        if not regions.is_country(country):
            problems.append(unknown_country(parameter="country"))
        conditions.append(Condition("p.country = {}", (country,)))
    if given.stakeholder_group is not None:
        conditions.append(Condition("p.stakeholder_group = {}", (given.stakeholder_group.value,)))
    if given.government_level is not None:
        conditions.append(Condition("p.government_level = {}", (given.government_level.value,)))
    if given.topic is not None:
        if not topics.is_topic(given.topic):
            problems.append(_unknown_topic(given.topic, parameter="topic"))
        conditions.append(
            Condition(
                "EXISTS (SELECT 1 FROM participant_profile_topic t "
                "WHERE t.profile = p.id AND t.topic = {})",
                (given.topic,),
            )
        )
    if given.language is not None:
        code = given.language.strip().lower()
        if code not in language_codes():
            problems.append(_unknown_language(given.language, parameter="language"))
        conditions.append(
            Condition(
                "EXISTS (SELECT 1 FROM participant_profile_language l "
                "WHERE l.profile = p.id AND l.code = {})",
                (code,),
            )
        )
    if problems:
        raise InvalidInput(*problems)
    if given.forum is not None:
        conditions.append(await visibility.attending(principal, given.forum))
    return conditions


def _cursor(sort_key: str, user_id: int) -> str:
    return pagination.encode_cursor([sort_key, user_id])


def _after(cursor: str) -> Condition:
    sort_key, user_id = pagination.decode_cursor(cursor, tuple[str, int])
    order = _ordered("p.sort_name")
    return Condition(
        f'{order} > {{}} OR ({order} = {{}} AND p."user" > {{}})', (sort_key, sort_key, user_id)
    )


def _ordered(column: str) -> str:
    # Byte order on PostgreSQL as on SQLite, matching the index the migration made.
    return f'{column} COLLATE "C"' if db.is_postgres() else column


def _aggregated(column: str) -> str:
    return f"string_agg({column}, ',')" if db.is_postgres() else f"group_concat({column}, ',')"


class _DirectoryRow(msgspec.Struct, frozen=True, kw_only=True):
    user_id: int
    given_name: str
    family_name: str
    organization_name: str
    organization_id: int | None
    position: str
    country: str | None
    region: str | None
    sub_region: str | None
    government_level: str | None
    stakeholder_group: str | None
    bio: str
    visibility: str
    show_email: bool
    sort_name: str
    updated_at: Moment
    #: Null unless the profile shows it.
    email: str | None
    #: Comma-joined codes and keys; null when there are none.
    languages: str | None
    topics: str | None


async def _profiles(where: Condition, *, limit: int) -> list[_DirectoryRow]:
    """Profiles with their languages and topics, in directory order: one query."""
    # Only this module's constants are written into the text; every value is a parameter.
    sql = (
        'SELECT p."user" AS user_id, p.given_name, p.family_name, p.organization_name, '  # noqa: S608
        "p.organization AS organization_id, p.position, p.country, p.region, p.sub_region, "
        "p.government_level, p.stakeholder_group, p.bio, p.visibility, p.show_email, "
        "p.sort_name, p.updated_at, CASE WHEN p.show_email THEN u.email END AS email, "
        f"(SELECT {_aggregated('l.code')} FROM participant_profile_language l "
        "WHERE l.profile = p.id) AS languages, "
        f"(SELECT {_aggregated('t.topic')} FROM participant_profile_topic t "
        "WHERE t.profile = p.id) AS topics "
        'FROM participant_profile p JOIN account_user u ON u.id = p."user" '
        f"WHERE {where.sql} "
        f'ORDER BY {_ordered("p.sort_name")}, p."user" LIMIT {{}}'
    )
    return rows_as(await Profile.raw(sql, *where.args, limit), _DirectoryRow)


async def _count(where: Condition) -> int:
    rows = await Profile.raw(
        f"SELECT COUNT(*) AS n FROM participant_profile p WHERE {where.sql}",  # noqa: S608
        *where.args,
    )
    return int(rows[0]["n"])


async def directory(
    principal: Principal,
    given: DirectoryFilter,
    *,
    after: str | None = None,
    limit: int = PAGE_SIZE,
) -> ParticipantPage:
    """A page of the profiles the caller may see that match ``given``, in name order.

    Visibility and filters are one ``WHERE``, for the page and for the total alike, so neither
    can count a profile the caller may not see. Two queries per page, whatever its size.
    """
    await authorize(principal, signed_in)
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    where = visibility.all_of(
        [await visibility.visible_to(principal), *await _filter_conditions(principal, given)]
    )
    page_where = visibility.all_of([where, _after(after)]) if after is not None else where
    rows = await _profiles(page_where, limit=limit + 1)
    total = await _count(where)
    labels = _Labels.for_reader()
    items = [_participant(row, labels) for row in rows[:limit]]
    last = rows[limit - 1] if len(rows) > limit else None
    return ParticipantPage(
        items=items,
        total=total,
        next_cursor=_cursor(last.sort_name, last.user_id) if last else None,
    )


async def participant(principal: Principal, user_id: int) -> Participant:
    """One profile, if the caller may see it; else as if it did not exist."""
    await authorize(principal, signed_in)
    where = visibility.all_of(
        [await visibility.visible_to(principal), Condition('p."user" = {}', (user_id,))]
    )
    rows = await _profiles(where, limit=1)
    if not rows:
        raise NotFound("participant_not_found")
    return _participant(rows[0], _Labels.for_reader())


Entry = TypeVar("Entry", Language, TopicEntry)


@dataclass(frozen=True, slots=True)
class _Labels:
    """What naming a page's rows needs, looked up once per request."""

    locale: str
    languages: Mapping[str, tuple[int, Language]]
    topics: Mapping[str, tuple[int, TopicEntry]]

    @classmethod
    def for_reader(cls) -> _Labels:
        locale = current_locale()
        return cls(
            locale,
            _language_rank(locale),
            {entry.key: (i, entry) for i, entry in enumerate(topic_list())},
        )

    def region(self, code: str | None) -> RegionRef | None:
        return RegionRef(code, regions.name(code, self.locale)) if code else None

    def country(self, code: str | None) -> CountryRef | None:
        return CountryRef(code, regions.name(code, self.locale)) if code else None


def _listed(joined: str | None, names: Mapping[str, tuple[int, Entry]]) -> list[Entry]:
    """The known entries of a comma-joined column, in the order of ``names``."""
    found = sorted(names[key] for key in (joined or "").split(",") if key in names)
    return [entry for _, entry in found]


def _participant_fields(row: _DirectoryRow, labels: _Labels) -> dict[str, Any]:
    return {
        "user_id": row.user_id,
        "given_name": row.given_name,
        "family_name": row.family_name,
        "organization": row.organization_name,
        "organization_id": row.organization_id,
        "position": row.position,
        "country": labels.country(row.country),
        "region": labels.region(row.region),
        "sub_region": labels.region(row.sub_region),
        "government_level": government_level_label(row.government_level)
        if row.government_level
        else None,
        "stakeholder_group": stakeholder_group_label(row.stakeholder_group)
        if row.stakeholder_group
        else None,
        "languages": _listed(row.languages, labels.languages),
        "topics": _listed(row.topics, labels.topics),
        "bio": row.bio,
        "email": row.email,
    }


def _participant(row: _DirectoryRow, labels: _Labels) -> Participant:
    return Participant(**_participant_fields(row, labels))


def _my_profile(row: _DirectoryRow, labels: _Labels) -> MyProfile:
    return MyProfile(
        **_participant_fields(row, labels),
        visibility=visibility_label(row.visibility),
        show_email=row.show_email,
        updated_at=row.updated_at,
    )
