"""Full-text search over titles and posts, in each post's own language.

PostgreSQL: every post has a ``tsvector`` built with its language's configuration (german,
english, french, spanish), so "Beschaffungen" finds "Beschaffung". A query is parsed with each
of those configurations and the results combined, so one search box serves every language;
``language=`` narrows it to one. Ranked by ``ts_rank_cd``, snippets by ``ts_headline``.

SQLite: FTS5 with diacritics folded ("energia" finds "energía"). English posts are stemmed
(Porter); SQLite has no stemmer for German, French or Spanish, so there each word of the query
matches words that begin with it ("Beschaffung" finds "Beschaffungen", not the reverse).
Ranked by ``bm25`` (titles weigh more), snippets by ``snippet()``.

Snippets are built with private-use characters around the matches, the whole text is escaped,
and only then do those characters become ``<mark>``: a post's text can never become markup.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from mupass_forum import db
from mupass_forum.accounts.principal import Principal
from mupass_forum.board import schemas
from mupass_forum.board.sql import as_datetime, person, placeholders, query
from mupass_forum.errors import FieldError, InvalidInput
from mupass_forum.i18n import N_

START, STOP = "\ue000", "\ue001"
_WORD = re.compile(r"\w+", re.UNICODE)
SEARCH_CONFIGS = {"de": "german", "en": "english", "fr": "french", "es": "spanish"}
MAX_OFFSET = 500


@dataclass(frozen=True)
class SearchFilters:
    category_id: int | None = None
    forum_id: int | None = None
    language: str | None = None
    author_id: int | None = None


def snippet_html(marked: str) -> str:
    return html.escape(marked).replace(START, "<mark>").replace(STOP, "</mark>")


def _words(text: str) -> list[str]:
    return _WORD.findall(text)[:12]


def _filters(filters: SearchFilters, category_ids: list[int]) -> tuple[str, list[Any]]:
    sql = (
        f" AND t.category IN ({placeholders(category_ids)})"
        " AND p.deleted_at IS NULL AND p.hidden_at IS NULL"
    )
    args: list[Any] = list(category_ids)
    if filters.category_id is not None:
        sql += " AND t.category = {}"
        args.append(filters.category_id)
    if filters.forum_id is not None:
        sql += " AND c.forum_id = {}"
        args.append(filters.forum_id)
    if filters.language is not None:
        sql += " AND p.language = {}"
        args.append(filters.language)
    if filters.author_id is not None:
        sql += " AND p.author = {}"
        args.append(filters.author_id)
    return sql, args


COLUMNS = (
    "p.id, p.thread, p.position, p.language, p.author, u.display_name, p.created_at, "
    "t.title AS thread_title, t.category"
)
JOINS = (
    "JOIN board_thread t ON t.id = p.thread JOIN board_category c ON c.id = t.category "
    "JOIN account_user u ON u.id = p.author"
)


async def _postgres(
    text: str, filters: SearchFilters, category_ids: list[int], limit: int, offset: int
) -> list[dict[str, Any]]:
    where, args = _filters(filters, category_ids)
    languages = [filters.language] if filters.language else list(SEARCH_CONFIGS)
    tsquery = " || ".join(
        f"websearch_to_tsquery('{SEARCH_CONFIGS[language]}', {{}})" for language in languages
    )
    return await query(
        f"SELECT {COLUMNS}, ts_headline(board_search_config(p.language), "
        "coalesce(p.title || E'\\n', '') || p.source, q.query, "
        f"'StartSel={START}, StopSel={STOP}, MaxWords=35, MinWords=12, MaxFragments=2, "
        'FragmentDelimiter=" … "\') AS snippet '
        f"FROM (SELECT {tsquery} AS query) q, board_post p {JOINS} "
        f"WHERE p.search_vector @@ q.query{where} "
        "ORDER BY ts_rank_cd(p.search_vector, q.query) DESC, p.id DESC LIMIT {} OFFSET {}",
        *([text] * len(languages)),
        *args,
        limit,
        offset,
    )


def _fts_query(words: list[str], prefix: bool) -> str:
    # Each word quoted (FTS5 operators in the input stay words); all words must occur.
    star = "*" if prefix else ""
    return " ".join(f'"{word.replace(chr(34), "")}"{star}' for word in words)


async def _sqlite(
    words: list[str], filters: SearchFilters, category_ids: list[int], limit: int, offset: int
) -> list[dict[str, Any]]:
    where, args = _filters(filters, category_ids)
    tables = [
        (table, _fts_query(words, prefix=not english))
        for table, english in (("board_post_fts", False), ("board_post_fts_en", True))
        if filters.language is None or (filters.language == "en") == english
    ]
    # Rank every match, but make snippets only for the page: a snippet reads and tokenizes
    # the whole post again, which for a common word would be most of the work.
    ranked = await query(
        "SELECT id, rank, source_table FROM ("
        + " UNION ALL ".join(
            f"SELECT p.id, bm25({table}, 4.0, 1.0) AS rank, '{table}' AS source_table "
            f"FROM {table} JOIN board_post p ON p.id = {table}.rowid {JOINS} "
            f"WHERE {table} MATCH {{}}{where}"
            for table, _ in tables
        )
        + ") ORDER BY rank, id DESC LIMIT {} OFFSET {}",
        *(value for _, match in tables for value in (match, *args)),
        limit,
        offset,
    )
    found: dict[int, dict[str, Any]] = {}
    for table, match in tables:
        ids = [int(row["id"]) for row in ranked if row["source_table"] == table]
        if not ids:
            continue
        rows = await query(
            f"SELECT {COLUMNS}, snippet({table}, -1, '{START}', '{STOP}', ' … ', 24) AS snippet "
            f"FROM {table} JOIN board_post p ON p.id = {table}.rowid {JOINS} "
            f"WHERE {table} MATCH {{}} AND {table}.rowid IN ({placeholders(ids)})",
            match,
            *ids,
        )
        found.update((int(row["id"]), row) for row in rows)
    return [found[int(row["id"])] for row in ranked if int(row["id"]) in found]


async def search(
    principal: Principal,
    text: str,
    filters: SearchFilters,
    category_ids: list[int],
    limit: int,
    offset: int,
) -> schemas.SearchResult:
    """Posts and titles matching ``text`` in the categories the caller may read."""
    words = _words(text)
    if not words:
        raise InvalidInput(
            FieldError(N_("Enter at least one word to search for."), "required", parameter="q")
        )
    if offset > MAX_OFFSET:
        raise InvalidInput(
            FieldError(
                N_("Must be at most {limit}."),
                "too_large",
                parameter="offset",
                params={"limit": MAX_OFFSET},
            )
        )
    if not category_ids:
        return schemas.SearchResult(items=[], next_offset=None)
    if db.is_postgres():
        rows = await _postgres(" ".join(words), filters, category_ids, limit + 1, offset)
    else:
        rows = await _sqlite(words, filters, category_ids, limit + 1, offset)
    more = len(rows) > limit
    return schemas.SearchResult(
        items=[
            schemas.SearchHit(
                post_id=int(row["id"]),
                thread_id=int(row["thread"]),
                thread_title=str(row["thread_title"]),
                category_id=int(row["category"]),
                position=int(row["position"]),
                language=str(row["language"]),
                author=person(row["author"], row["display_name"]),
                created_at=as_datetime(row["created_at"]),
                snippet_html=snippet_html(str(row["snippet"] or "")),
            )
            for row in rows[:limit]
        ],
        next_offset=offset + limit if more and offset + limit <= MAX_OFFSET else None,
    )
