"""Names of downloaded files: the reader's language in UTF-8, a safe ASCII twin for old clients."""

from __future__ import annotations

import pytest

from mupass_forum.downloads import ascii_name, content_disposition


@pytest.mark.parametrize(
    ("name", "plain"),
    [
        ("forum-2030-inscripciones.csv", "forum-2030-inscripciones.csv"),
        ("liste-à-évaluer.csv", "liste-a-evaluer.csv"),
        ("forum-estadísticas.svg", "forum-estadisticas.svg"),
        ('evil"; filename=x.csv', "evil-filename-x.csv"),
        ("../../etc/passwd", "etc-passwd"),
        ("Übersicht Straße.pdf", "Ubersicht-Strasse.pdf"),
        ("陈.pdf", "chen.pdf"),
        ("\u200b", "download"),
    ],
)
def test_the_ascii_twin_keeps_what_it_can_and_nothing_unsafe(name, plain):
    assert ascii_name(name) == plain


def test_a_plain_name_needs_no_utf8_twin():
    assert content_disposition("a-b.csv") == 'attachment; filename="a-b.csv"'
    assert content_disposition("a-b.svg", download=False) == 'inline; filename="a-b.svg"'


def test_a_name_beyond_ascii_is_given_twice():
    assert content_disposition("fotoliste-müll.csv") == (
        "attachment; filename=\"fotoliste-mull.csv\"; filename*=UTF-8''fotoliste-m%C3%BCll.csv"
    )
