"""translate-toolkit's pofilter finds nothing in the catalogs but the listed exceptions."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from tests.translations import pofilter

README = pofilter.PROJECT / "README.md"


@pytest.mark.parametrize("locale", pofilter.LOCALES)
def test_pofilter_finds_nothing_but_the_listed_exceptions(locale):
    findings = pofilter.unexpected(locale)
    assert findings == [], "\n".join(
        f"[{f.filter}] {f.message}: {f.msgid!r} -> {f.msgstr!r}" for f in findings
    )


def test_every_exception_is_still_found_and_has_a_reason():
    exceptions = pofilter.read_exceptions()
    found = {
        finding.key
        for locale in pofilter.LOCALES
        for finding in pofilter.run_pofilter(locale, pofilter.catalog_path(locale))
    }
    assert sorted(set(exceptions) - found) == [], "exceptions pofilter no longer reports"
    assert all(reason.strip() for reason in exceptions.values())
    assert {locale for locale, *_ in exceptions} <= set(pofilter.LOCALES)


def test_the_readme_lists_the_exceptions_and_the_filters_that_are_off():
    readme = README.read_text(encoding="utf-8")
    with pofilter.EXCEPTIONS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    groups = Counter((row["lang"], row["filter"], row["reason"]) for row in rows)
    for (locale, name, reason), count in groups.items():
        assert f"| {locale} | `{name}` | {count} | {reason} |" in readme
    for locale in pofilter.LOCALES:
        for name in pofilter.filters_off(locale):
            assert f"`{name}`" in readme


def plant(catalog: Path, msgid: str, msgstr: str) -> None:
    with catalog.open("rb") as handle:
        messages = read_po(handle)
    messages[msgid].string = msgstr
    with catalog.open("wb") as handle:
        write_po(handle, messages, width=76)


def test_a_planted_mistake_is_found(tmp_path):
    catalog = tmp_path / "messages.po"
    shutil.copyfile(pofilter.catalog_path("de"), catalog)
    assert pofilter.unexpected("de", catalog) == []
    between = "Must be between {minimum} and {maximum}."
    plant(catalog, between, "Muss zwischen {minimum} und  {maximum}")
    plant(catalog, "Must be at least {limit}.", "Muss mindestens {limt} sein.")
    is_open = "Registration for “{forum}” is open"
    plant(catalog, is_open, 'Die Anmeldung zum Forum "{forum}" ist offen')
    found = {(f.msgid, f.filter) for f in pofilter.unexpected("de", catalog)}
    assert (between, "doublespacing") in found
    assert (between, "endpunc") in found
    assert ("Must be at least {limit}.", "pythonbraceformat") in found
    assert (is_open, "doublequoting") in found


def test_french_punctuation_without_its_no_break_space_is_found(tmp_path):
    catalog = tmp_path / "messages.po"
    shutil.copyfile(pofilter.catalog_path("fr"), catalog)
    plant(catalog, "Forgot your password?", "Mot de passe oublié?")
    found = {(f.msgid, f.filter) for f in pofilter.unexpected("fr", catalog)}
    assert ("Forgot your password?", "endpunc") in found
