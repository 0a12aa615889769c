"""Regions and countries as the API shows them, named in the reader's language."""

from __future__ import annotations

import msgspec

from mupass_forum.participants.regions import RegionLevel


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
