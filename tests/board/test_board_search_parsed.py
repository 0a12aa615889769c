"""PostgreSQL: a search's text is parsed into its ``tsquery`` once; the next search for the
same text hands the parsed query in and answers exactly as the first did."""

from __future__ import annotations

import pytest

from mupass_forum.board import search as board_search
from tests.board.conftest import BOARD
from tests.board.test_board_search_terms import board
from tests.conftest import on_postgres

pytestmark = pytest.mark.skipif(not on_postgres(), reason="PostgreSQL's parsed queries")

__all__ = ["board"]  # the fixture, shared with the word lists' tests

TEXTS = (
    "Mehrwegbecher",  # one word: through the word lists
    "réutilisable",  # folded
    "deposit systems",  # several words: the general search
    '"deposit systems"',  # a phrase
    "cups -canteen",  # a word left out
    "und the",  # stop words only: nothing to parse
)


def search(client, q: str, headers: dict, **params) -> dict:
    response = client.get(f"{BOARD}/search", params={"q": q, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("language", [None, "en"])
def test_a_search_answers_the_same_with_its_text_parsed_before(client, board, language) -> None:
    params = {} if language is None else {"language": language}
    for headers in ({}, board["admin"].headers):
        for text in TEXTS:
            board_search._parsed_queries.clear()
            parsed_here = search(client, text, headers, **params)
            kept = dict(board_search._parsed_queries)
            handed_in = search(client, text, headers, **params)
            assert handed_in == parsed_here, text
            if parsed_here["items"] or (language is None and " " not in text):
                # Kept from the rows found, or from the word lists' answer, which is never
                # empty; a search with nothing found parses again next time.
                assert kept, f"{text}: the parsed query was not kept"
            assert board_search._parsed_queries == kept, text  # and nothing parsed again
    assert search(client, "deposit systems", {}, **params)["items"]  # something compared


def test_a_kept_query_is_the_one_the_database_parses(client, board) -> None:
    board_search._parsed_queries.clear()
    search(client, "réutilisable", {})
    ((_, language, text), parsed), *_ = board_search._parsed_queries.items()
    assert (language, text) == (None, "réutilisable")
    assert "'reutilis'" in parsed.translation  # stemmed, folded, in every language
