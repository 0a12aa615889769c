"""The region tree and the country list in the reader's language.

The data changes only with a release, so each locale's tree and list are built once per process
(names from CLDR, order from ICU's collation for that language) and then only filtered.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass

from mupass_forum.errors import FieldError, InvalidInput
from mupass_forum.i18n import N_, current_locale
from mupass_forum.i18n.collation import collated, search_form, word_prefix
from mupass_forum.participants import regions
from mupass_forum.participants.schemas import Country, Region, RegionRef


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
