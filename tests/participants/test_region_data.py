"""The M49 table: every ISO 3166-1 country covered, placed exactly, named by CLDR."""

from __future__ import annotations

import pycountry
import pytest
from babel.core import Locale

from mupass_forum import regions
from mupass_forum.i18n import use_locale
from mupass_forum.regions import ReferenceDataError, _load

ISO_CODES = {entry.alpha_2 for entry in pycountry.countries}
#: Two-letter codes CLDR names that are not countries of ISO 3166-1: exceptional reservations,
#: groupings, pseudo-locales and "unknown".
CLDR_NON_COUNTRIES = {
    "AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ",
}  # fmt: skip
LOCALES = ("de", "en", "fr", "es")


def test_every_iso_3166_country_is_covered_and_only_kosovo_is_added():
    known = set(regions.table().countries)

    assert len(ISO_CODES) == 249
    assert known - ISO_CODES == {"XK"}
    assert ISO_CODES - known == set()


def test_cldr_knows_the_same_countries_as_iso():
    territories = Locale.parse("en").territories
    cldr_countries = {code for code in territories if len(code) == 2 and code.isalpha()}

    assert cldr_countries - CLDR_NON_COUNTRIES == ISO_CODES


def test_m49_codes_are_the_iso_numeric_codes():
    for entry in pycountry.countries:
        assert regions.country(entry.alpha_2).m49 == entry.numeric, entry.alpha_2
    assert regions.country("XK").m49 is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("BF", ("002", "202", "011")),
        ("KE", ("002", "202", "014")),
        ("CD", ("002", "202", "017")),
        ("ZA", ("002", "202", "018")),
        ("MA", ("002", "015")),
        ("DE", ("150", "155")),
        ("PL", ("150", "151")),
        ("SE", ("150", "154")),
        ("ES", ("150", "039")),
        ("GG", ("150", "154")),
        ("XK", ("150", "039")),
        ("PE", ("019", "419", "005")),
        ("MX", ("019", "419", "013")),
        ("CU", ("019", "419", "029")),
        ("US", ("019", "021")),
        ("TW", ("142", "030")),
        ("TR", ("142", "145")),
        ("NR", ("009", "057")),
        ("AU", ("009", "053")),
        ("AQ", ()),
    ],
)
def test_countries_sit_where_m49_puts_them(code, expected):
    assert regions.regions_of(code) == expected
    assert regions.region_of(code) == (expected[0] if expected else None)
    assert regions.sub_region_of(code) == (expected[1] if expected else None)


def test_the_tree_has_five_regions_and_consistent_levels():
    table = regions.table()
    top = {entry.code for entry in table.regions.values() if entry.level == "region"}
    assert top == {"002", "009", "019", "142", "150"}
    for entry in table.regions.values():
        if entry.level == "region":
            assert entry.parent is None
        else:
            parent = regions.region(entry.parent)
            assert regions.LEVELS.index(parent.level) == regions.LEVELS.index(entry.level) - 1
    for entry in table.countries.values():
        if entry.code != "AQ":
            assert entry.region and entry.sub_region, entry.code
        if entry.sub_region in {"202", "419"}:
            assert entry.intermediate_region, entry.code


def test_lookups_for_other_domains():
    assert regions.is_country("BF")
    assert not regions.is_country("bf")
    assert not regions.is_country("EU")
    assert not regions.is_country("202")
    assert regions.is_region("202")
    assert not regions.is_region("DE")
    assert regions.in_region("BF", "202")
    assert regions.in_region("BF", "002")
    assert not regions.in_region("MA", "202")
    assert regions.in_region("BR", "419")
    with pytest.raises(KeyError):
        regions.country("ZZ")


@pytest.mark.parametrize("locale", LOCALES)
def test_every_country_and_area_has_a_cldr_name(locale):
    table = regions.table()
    for code in [*table.countries, *table.regions]:
        assert regions.name(code, locale), (locale, code)


def test_names_follow_the_requested_or_the_active_locale(app):
    assert regions.name("DE", "es") == "Alemania"
    assert regions.name("202", "fr") == "Afrique subsaharienne"
    # The app installs the catalogs that the active locale needs.
    with use_locale("de"):
        assert regions.name("DE") == "Deutschland"


def test_a_contradictory_table_is_refused():
    header = "country,m49,region,sub_region,intermediate_region\n"

    with pytest.raises(ReferenceDataError, match="202"):
        _load(header + "BF,854,002,202,011\nPE,604,019,202,005\n")
    with pytest.raises(ReferenceDataError, match="twice"):
        _load(header + "BF,854,002,202,011\nBF,854,002,202,011\n")
    with pytest.raises(ReferenceDataError, match="830"):
        _load(header + "GG,831,150,154,830\n")
