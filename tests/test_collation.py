"""Collation and search folding: ICU's rules for each language, not code-point order."""

from __future__ import annotations

import pytest

from mupass_forum.i18n import use_locale
from mupass_forum.i18n.collation import collated, search_form, sort_key, word_prefix


def test_spanish_sorts_enye_as_a_letter_of_its_own():
    words = ["Ñandú", "Oso", "Nube", "Nzz"]

    assert collated(words, str, "es") == ["Nube", "Nzz", "Ñandú", "Oso"]
    assert collated(words, str, "en") == ["Ñandú", "Nube", "Nzz", "Oso"]


@pytest.mark.parametrize("locale", ["de", "en", "fr", "es"])
def test_accents_and_case_come_after_the_base_letters(locale):
    words = ["Zaire", "Été", "ete", "Ete", "Etat"]

    assert collated(words, str, locale) == ["Etat", "ete", "Ete", "Été", "Zaire"]


def test_sort_keys_follow_the_active_locale(app):

    with use_locale("es"):
        assert sort_key("Ñu") > sort_key("Nz")
    with use_locale("de"):
        assert sort_key("Ñu") < sort_key("Nz")


def test_search_form_drops_accents_and_case():
    assert search_form("Émirats arabes unis") == "emirats arabes unis"
    assert search_form("Österreich") == "osterreich"
    assert search_form("Curaçao") == "curacao"
    assert search_form("Straße") == "strasse"


def test_word_prefix_matches_the_start_of_any_word():
    pattern = word_prefix("ivo")

    assert pattern is not None
    assert pattern.search(search_form("Côte d’Ivoire"))
    assert not pattern.search(search_form("Bolivia"))
    assert word_prefix("   ") is None
