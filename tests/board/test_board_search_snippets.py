"""PostgreSQL: snippets of short plain texts are marked from the positions of the query's words
in the text's ``search_vector``, without ``ts_headline``; they mark the words it marks."""

from __future__ import annotations

import re

import pytest

from mupass_forum.board import search
from tests.board.conftest import run_sql
from tests.conftest import on_postgres

pytestmark = pytest.mark.skipif(not on_postgres(), reason="PostgreSQL's snippets")

MARKED = re.compile(f"{search.START}(.*?){search.STOP}")

#: (language, title, text, query): accents, HTML's special characters, titles ending in stop
#: words, matches only through folding, in the title, in each of the four languages.
PLAIN = [
    (
        "de",
        "Beschaffung",
        "Die Kommune prüft Beschaffungen, Recyclingpapier & Lieferkette!",
        "Beschaffung",
    ),
    ("de", "Plan für die", "Beschaffung der Kommune: Beschaffung (neu) & fair.", "Beschaffung"),
    ("de", "Recyclingpapier im Rathaus", "Wir kaufen nur noch Recyclingpapier.", "Recyclingpapier"),
    ("de", None, "Öffentliche Ausschreibungen über 10 000 Euro", "Ausschreibung"),
    (
        "fr",
        "Appel d’offres",
        "L’appel d’offres des collectivités : marché durable.",
        "collectivite",
    ),
    ("fr", None, 'Les collectivités "vertes" achètent… des collectivités.', "collectivités"),
    (
        "es",
        "Participación ciudadana",
        "La participación en municipios «sostenibles» — contratos.",
        "participacion",
    ),
    ("es", None, "Participaciones y participación; compras públicas?", "participación"),
    ("en", "Tenders and bids", 'The council\'s tenders: fair supply; "green" tenders?', "tender"),
    ("en", None, "Supply of paper & ink (recycled) for the schools", "supplies"),
]
NOT_PLAIN = [
    "<b>Beschaffung</b> der Kommune",
    "E-Mail an die Kommune wegen Beschaffung",
    "Siehe https://example.org/beschaffung",
    "Kosten 3.5 Millionen für Beschaffung",
    "Beschaffung&amp;Vergabe",
    "wort " * 60,
]


def _expected(client, language: str, title: str | None, text: str, query: str) -> str:
    """The snippet as ``ts_headline`` marks it (in the folded text where the text as written
    has no match), and the plain snippet with what it needs from the database."""
    whole = text if title is None else f"{title}\n{text}"
    forms = " || ".join(f"board_search_forms('{code}', {{}})" for code in search.SEARCH_CONFIGS)
    (row,) = run_sql(
        client,
        f"WITH q AS (SELECT board_search_any({forms}) AS q), d AS (SELECT {{}}::text AS text, "
        "board_search_config({}) AS config) "
        f"SELECT ts_headline(d.config, d.text, q.q, {search.HEADLINE_OPTIONS}) AS written, "
        "board_search_fold(d.text) AS folded, "
        f"ts_headline(d.config, board_search_fold(d.text), q.q, {search.HEADLINE_OPTIONS}) "
        "AS folded_snippet, "
        "(CASE WHEN {}::text IS NULL THEN board_search_vector({}, {}) "
        "ELSE setweight(board_search_vector({}, {}), 'A') "
        "|| setweight(board_search_vector({}, {}), 'B') END)::text AS vector, "
        "ARRAY(SELECT DISTINCT replace(m[1], '''''', '''') "
        "FROM regexp_matches(q.q::text, '''((?:[^'']|'''')*)''', 'g') m) AS terms, "
        f"{search.PLAIN_TEXT} AS plain FROM q, d",
        *([query] * 4),
        whole,
        language,
        title,
        language,
        text,
        language,
        title or "",
        language,
        text,
    )
    if search.START in row["written"]:
        headline = row["written"].replace(search.FRAGMENTS, " … ")
    else:
        headline = search.unfold(row["folded_snippet"], row["folded"], whole)
    return row, headline


@pytest.mark.parametrize(("language", "title", "text", "query"), PLAIN)
def test_plain_snippets_mark_what_ts_headline_marks(client, language, title, text, query):
    row, headline = _expected(client, language, title, text, query)
    assert row["plain"] is True
    snippet = search.plain_snippet(title, text, row["vector"], row["terms"])
    assert MARKED.findall(snippet) == MARKED.findall(headline)
    assert MARKED.findall(snippet)
    # The whole text, where ts_headline leaves out stop words and punctuation at either end.
    unmarked = " ".join(snippet.replace(search.START, "").replace(search.STOP, "").split())
    assert unmarked == " ".join((text if title is None else f"{title}\n{text}").split())
    shown = " ".join(headline.replace(search.START, "").replace(search.STOP, "").split())
    assert shown in unmarked


@pytest.mark.parametrize("text", NOT_PLAIN)
def test_other_texts_are_left_to_ts_headline(client, text):
    row, _ = _expected(client, "de", None, text, "Beschaffung")
    assert row["plain"] is False


def test_a_long_plain_text_is_cut_around_its_first_match():
    words = [f"wort{number}" for number in range(60)]
    words[40] = "Beschaffung"
    vector = "'beschaff':41B"
    snippet = search.plain_snippet(None, " ".join(words), vector, ["beschaff"])
    assert MARKED.findall(snippet) == ["Beschaffung"]
    assert snippet.startswith("… wort") and snippet.endswith("wort59")
    assert len(snippet.split(" ")) == 36  # 35 words and the ellipsis


def test_search_shows_a_plain_text_whole_escaped(client, make_account, make_category, make_thread):
    from tests.board.conftest import BOARD

    author = make_account()
    thread = make_thread(
        author,
        make_category(),
        title="Vergabe",
        language="de",
        body='Die Kommune prüft Beschaffungen & "Recyclingpapier" (neu).',
    )
    hits = client.get(f"{BOARD}/search", params={"q": "Beschaffung"}, headers=author.headers)
    assert hits.status_code == 200, hits.text
    (hit,) = [hit for hit in hits.json()["items"] if hit["thread_id"] == thread["id"]]
    assert hit["snippet_html"] == (
        "Vergabe\nDie Kommune prüft <mark>Beschaffungen</mark> &amp; "
        "&quot;Recyclingpapier&quot; (neu)."
    )
