"""Countries and the UN M49 regions they belong to: the reference other domains validate against.

The table is the package's ``data/m49.csv`` (its header names the source and every deliberate
difference from ISO 3166-1 and M49), read once per process. Codes are upper-case ISO 3166-1
alpha-2 for countries ("DE") and three-digit M49 codes for regions ("202"). Names are never kept
here: they come localized from CLDR through Babel.

Other domains use ``is_country`` to validate a country code, ``country`` for its entry,
``region_of``/``sub_region_of``/``regions_of`` to derive its regions, and ``in_region`` to test
membership at any level (e.g. ``in_region("BF", "202")`` for Sub-Saharan Africa).
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Literal

from babel.core import Locale

from mupass_forum.i18n.locale import current_locale

RegionLevel = Literal["region", "sub_region", "intermediate_region"]
#: The levels of the M49 tree, broadest first.
LEVELS: tuple[RegionLevel, ...] = ("region", "sub_region", "intermediate_region")


@dataclass(frozen=True, slots=True)
class RegionEntry:
    """An M49 area: a region (150 Europe), sub-region (202) or intermediate region (011)."""

    code: str
    level: RegionLevel
    #: The area this one is part of; ``None`` for the five regions.
    parent: str | None


@dataclass(frozen=True, slots=True)
class CountryEntry:
    """A country or area and its place in M49; the region codes are ``None`` where M49 has none."""

    code: str
    #: The M49 (= ISO 3166-1 numeric) code; ``None`` for codes M49 does not list (XK).
    m49: str | None
    region: str | None
    sub_region: str | None
    intermediate_region: str | None

    @property
    def regions(self) -> tuple[str, ...]:
        """Every area containing the country, broadest first: ``("002", "202", "011")``."""
        return tuple(
            code for code in (self.region, self.sub_region, self.intermediate_region) if code
        )


@dataclass(frozen=True, slots=True)
class M49Table:
    countries: Mapping[str, CountryEntry]
    regions: Mapping[str, RegionEntry]


class ReferenceDataError(ValueError):
    """The shipped table contradicts itself (an area with two parents, an unnamed area...)."""


def _load(text: str) -> M49Table:
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    countries: dict[str, CountryEntry] = {}
    regions: dict[str, RegionEntry] = {}
    for row in csv.DictReader(io.StringIO("\n".join(lines))):
        codes = [row[level] or None for level in LEVELS]
        entry = CountryEntry(row["country"], row["m49"] or None, *codes)
        if entry.code in countries:
            raise ReferenceDataError(f"country {entry.code} is listed twice")
        countries[entry.code] = entry
        parent: str | None = None
        for level, code in zip(LEVELS, codes, strict=True):
            if code is None:
                continue
            region = RegionEntry(code, level, parent)
            if regions.setdefault(code, region) != region:
                raise ReferenceDataError(f"area {code} is placed differently for {entry.code}")
            parent = code
    english = Locale.parse("en").territories
    unnamed = sorted(code for code in [*countries, *regions] if code not in english)
    if unnamed:
        raise ReferenceDataError(f"CLDR has no names for {', '.join(unnamed)}")
    return M49Table(countries, regions)


@functools.cache
def table() -> M49Table:
    """The whole table, read from the package data on first use."""
    data = resources.files("mupass_forum").joinpath("data", "m49.csv")
    return _load(data.read_text(encoding="utf-8"))


def is_country(code: str) -> bool:
    """Whether ``code`` is a country this service knows (upper-case ISO 3166-1 alpha-2, or XK)."""
    return code in table().countries


def country(code: str) -> CountryEntry:
    """The entry of country ``code``; ``KeyError`` when ``is_country(code)`` is false."""
    return table().countries[code]


def is_region(code: str) -> bool:
    """Whether ``code`` is an M49 area of any level ("150", "202", "011")."""
    return code in table().regions


def region(code: str) -> RegionEntry:
    """The M49 area ``code``; ``KeyError`` when ``is_region(code)`` is false."""
    return table().regions[code]


def region_of(code: str) -> str | None:
    """The M49 region of country ``code`` ("002" Africa for BF); ``None`` for Antarctica."""
    return country(code).region


def sub_region_of(code: str) -> str | None:
    """The M49 sub-region of country ``code`` ("202" Sub-Saharan Africa for BF)."""
    return country(code).sub_region


def regions_of(code: str) -> tuple[str, ...]:
    """Every M49 area containing country ``code``, broadest first."""
    return country(code).regions


def in_region(country_code: str, region_code: str) -> bool:
    """Whether the country lies in the M49 area ``region_code``, at whatever level."""
    return region_code in country(country_code).regions


def name(code: str, locale: str | None = None) -> str:
    """The CLDR name of a country or M49 area in ``locale`` (default: the active locale)."""
    return str(_territory_names(locale or current_locale())[code])


@functools.cache
def _territory_names(locale: str) -> Mapping[str, str]:
    return Locale.parse(locale).territories
