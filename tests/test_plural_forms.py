"""Plural-Forms headers are judged by meaning, against CLDR rules the tests spell out.

The rules below are CLDR's for whole numbers, old (before "many") and new (CLDR 42 on), so the
verdicts hold whichever Babel is installed; the last tests use the installed CLDR itself.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from babel.plural import PluralRule
from click.testing import CliRunner

from mupass_forum.cli import main
from mupass_forum.paths import checkout_dir
from mupass_forum.translations import plural_forms
from mupass_forum.translations.plural_forms import PluralHeader, judge

EXACT_MILLIONS = "i != 0 and i % 1000000 = 0 and v = 0"
RULES = {
    "de": PluralRule({"one": "i = 1 and v = 0"}),
    "fr-old": PluralRule({"one": "i = 0,1"}),
    "fr": PluralRule({"one": "i = 0,1", "many": EXACT_MILLIONS}),
    "es-old": PluralRule({"one": "n = 1"}),
    "es": PluralRule({"one": "n = 1", "many": EXACT_MILLIONS}),
    "pt": PluralRule({"one": "i = 0..1", "many": EXACT_MILLIONS}),
    "pt_PT": PluralRule({"one": "i = 1 and v = 0", "many": EXACT_MILLIONS}),
    "ja": PluralRule({}),
    "ru": PluralRule(
        {
            "one": "v = 0 and i % 10 = 1 and i % 100 != 11",
            "few": "v = 0 and i % 10 = 2..4 and i % 100 != 12..14",
            "many": "v = 0 and i % 10 = 0 or v = 0 and i % 10 = 5..9 or v = 0 and i % 100 = 11..14",
        }
    ),
}
GNU_TWO = "nplurals=2; plural=(n != 1);"
GNU_FRENCH = "nplurals=2; plural=(n > 1);"
CLDR_FRENCH = "nplurals=3; plural=(n == 0 || n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;"
CLDR_SPANISH = "nplurals=3; plural=(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2);"
GNU_RUSSIAN = plural_forms.HEADERS["ru"]

RIGHT = [
    ("fr", GNU_FRENCH),
    ("fr-old", GNU_FRENCH),
    ("fr", CLDR_FRENCH),
    ("es", GNU_TWO),
    ("es-old", GNU_TWO),
    ("es", CLDR_SPANISH),
    ("pt", GNU_FRENCH),
    ("pt_PT", GNU_TWO),
    ("de", GNU_TWO),
    ("ja", "nplurals=1; plural=0;"),
    ("ru", GNU_RUSSIAN),
]
WRONG = [
    # French says "0 réponse": 0 and 1 are one category.
    ("fr", GNU_TWO, "'one' numbers fall into forms [0, 1]"),
    ("pt", GNU_TWO, "'one' numbers fall into forms [0, 1]"),
    # Three forms declared, the third never chosen.
    ("es", "nplurals=3; plural=(n != 1);", "form 2 is never used"),
    ("es-old", CLDR_SPANISH, "'other' numbers fall into forms [1, 2]"),
    ("de", "nplurals=1; plural=0;", "'one' and 'other' numbers share form 0"),
    ("de", GNU_FRENCH, "'other' numbers fall into forms [0, 1]"),
    ("ja", GNU_TWO, "'other' numbers fall into forms [0, 1]"),
    ("de", "nplurals=2; plural=n;", "gives form 2 for n=2, outside 0 to 1"),
    ("de", "nplurals=2; plural=(n != 1;", "does not parse"),
    ("de", "nplurals=two; plural=(n != 1);", "does not parse"),
    ("de", "plural=(n != 1);", "it has no nplurals="),
    ("ru", "nplurals=3; plural=(n != 1 ? 1 : 0);", "form 2 is never used"),
]


@pytest.mark.parametrize(("rules", "header"), RIGHT)
def test_headers_that_fit_the_language_pass(rules: str, header: str):
    assert judge(rules.removesuffix("-old"), header, RULES[rules]) == []


@pytest.mark.parametrize(("rules", "header", "problem"), WRONG)
def test_headers_that_do_not_fit_name_what_is_wrong(rules: str, header: str, problem: str):
    problems = judge(rules.removesuffix("-old"), header, RULES[rules])

    assert any(problem in text for text in problems), problems


def test_a_header_parses_into_its_forms():
    header = PluralHeader.parse(GNU_FRENCH)

    assert header.num_plurals == 2
    assert [header.form_of(n) for n in (0, 1, 2, 1_000_000)] == [0, 0, 1, 1]
    assert header.value == GNU_FRENCH


@pytest.mark.parametrize("locale", ["de", "en", "fr", "es", "pt", "ja", "ru", "pl", "ar"])
def test_the_kept_headers_fit_the_installed_cldr(locale: str):
    assert judge(locale, plural_forms.header_for(locale)) == []


def test_the_kept_headers_are_gnu_gettexts_two_forms_for_the_service_languages():
    assert plural_forms.header_for("fr") == GNU_FRENCH
    assert plural_forms.header_for("es") == GNU_TWO
    assert plural_forms.header_for("de_AT") == GNU_TWO


def copy_of_checkout(root: Path) -> Path:
    project = checkout_dir()
    assert project is not None
    shutil.copy(project / "babel.cfg", root / "babel.cfg")
    shutil.copytree(project / "src", root / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(project / "locales", root / "locales", ignore=shutil.ignore_patterns("*.mo"))
    return root


def i18n(root: Path, *args: str) -> str:
    result = CliRunner().invoke(
        main,
        ["i18n", "--source-dir", str(root), *args],
        env={"MUPASS_LOCALES_DIR": str(root / "locales"), "MUPASS_LOCALES": "de,en,fr,es"},
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_update_on_the_committed_checkout_changes_no_file(tmp_path: Path):
    root = copy_of_checkout(tmp_path)
    before = {path: path.read_bytes() for path in (root / "locales").rglob("*.po*")}

    output = i18n(root, "update")

    changed = [str(p.relative_to(root)) for p, data in before.items() if p.read_bytes() != data]
    assert changed == [], f"run `mupass-forum i18n update` and commit the result\n{output}"


def test_init_writes_the_kept_header(tmp_path: Path):
    root = copy_of_checkout(tmp_path)

    i18n(root, "init", "pt")

    catalog = (root / "locales" / "pt" / "LC_MESSAGES" / "messages.po").read_text("utf-8")
    assert f'"Plural-Forms: {GNU_FRENCH}\\n"' in catalog
    assert "Generated-By" not in catalog
