"""The translators' glossary and the check that holds the catalogs to it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mupass_forum.paths import project_dir
from mupass_forum.translations import catalog_checks, catalogs, glossary

LOCALES = ("de", "en", "fr", "es")


@pytest.fixture
def locales_copy(tmp_path: Path) -> Path:
    """The project's catalogs and glossary, to plant problems in."""
    target = tmp_path / "locales"
    shutil.copytree(project_dir("locales"), target, ignore=shutil.ignore_patterns("*.mo"))
    return target


def glossary_problems(locales_dir: Path) -> list[catalog_checks.Problem]:
    report = catalog_checks.check(catalogs.CatalogFiles(locales_dir, LOCALES, source_dir=None))
    return [problem for problem in report.problems if problem.code == "glossary"]


def edit_entry(path: Path, msgid_line: str, old: str, new: str, comment: str = "") -> None:
    """Replace ``old`` by ``new`` in the msgstr of the entry whose msgid line is given."""
    lines = path.read_text(encoding="utf-8").split("\n")
    at = lines.index(msgid_line)
    assert lines[at + 1] == f'msgstr "{old}"', lines[at + 1]
    lines[at + 1] = f'msgstr "{new}"'
    if comment:
        start = at
        while start > 0 and lines[start - 1].startswith("#"):
            start -= 1
        lines.insert(start, f"# {comment}")
    path.write_text("\n".join(lines), encoding="utf-8")


def test_the_catalogs_follow_the_glossary():
    assert glossary_problems(project_dir("locales")) == []


def test_every_language_has_a_glossary_with_the_domain_terms():
    wanted = {
        "forum", "dialogue board", "thread", "post", "registration", "sign in", "waiting list",
        "consent", "badge", "organizer", "partner institute", "proposal", "workshop", "plenary",
        "programme", "check-in", "visa invitation letter", "certificate of attendance",
        "interest", "save the date", "moderator", "translator",
    }  # fmt: skip
    locales = project_dir("locales")
    for locale in ("de", "fr", "es"):
        terms = glossary.read(glossary.path_for(locales, locale))
        assert {term.source for term in terms} == wanted
        assert all(term.target and term.note for term in terms)
    targets = {
        locale: {t.source: t.target for t in glossary.read(glossary.path_for(locales, locale))}
        for locale in ("de", "fr", "es")
    }
    # The event and the board have different words in every language.
    for words in targets.values():
        assert words["forum"].casefold() not in words["dialogue board"].casefold()


def test_a_word_the_glossary_does_not_give_is_found_and_an_exception_is_honoured(
    locales_copy: Path,
):
    german = locales_copy / "de" / "LC_MESSAGES" / "messages.po"
    # "Anmelden" is the forum registration; signing in is "Einloggen".
    edit_entry(german, 'msgid "Sign in"', "Einloggen", "Anmelden")
    # The board is not the event.
    edit_entry(german, 'msgid "Dialogue board"', "Dialogplattform", "Dialogplattform (Dialogforum)")
    found = {(p.msgid, p.text) for p in glossary_problems(locales_copy)}
    assert found == {
        ("Sign in", "the English uses “sign in”, the translation not the glossary's “einloggen”"),
        (
            "Dialogue board",
            "the English uses “dialogue board”, for which the glossary says “Dialogplattform”, "
            "not “Dialogforum”",
        ),
    }
    problem = next(p for p in glossary_problems(locales_copy) if p.msgid == "Sign in")
    assert german.read_text(encoding="utf-8").split("\n")[problem.line - 1] == 'msgid "Sign in"'

    edit_entry(
        german,
        'msgid "Sign in"',
        "Anmelden",
        "Anmelden",
        comment="glossary-ok: sign in (the wording of the partner's portal)",
    )
    assert [p.msgid for p in glossary_problems(locales_copy)] == ["Dialogue board"]


def test_inflected_forms_and_placeholders(locales_copy: Path):
    spanish = locales_copy / "es" / "LC_MESSAGES" / "messages.po"
    edit_entry(
        spanish, 'msgid "There is no such forum."', "Este foro no existe.", "Este evento no existe."
    )
    # "{forum}" is a value (the forum's title), not the word: no term in the English.
    edit_entry(
        spanish,
        'msgid "Your proposal for “{forum}”"',
        "Su propuesta para el foro «{forum}»",
        "Su propuesta para «{forum}»",
    )
    assert [(p.msgid, p.text) for p in glossary_problems(locales_copy)] == [
        (
            "There is no such forum.",
            "the English uses “forum”, the translation not the glossary's “foro”",
        )
    ]
    terms = glossary.read(glossary.path_for(locales_copy, "de"))
    registration = next(term for term in terms if term.source == "registration")
    assert registration.used_in("Registrations are closed.")
    assert registration.problem("Die Anmeldungen sind geschlossen.") is None


def test_the_check_lists_the_glossary_kind():
    assert "glossary" in catalog_checks.PROBLEM_KINDS
