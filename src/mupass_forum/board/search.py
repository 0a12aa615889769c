"""Full-text search over titles, posts and their translations, each in its own language.

A post is found through its text as written or through the current version of a translation
(done, not replaced by a newer one into the same locale), each indexed in its own language.
One hit per post, the best-ranked of its texts; the snippet comes from the text that matched.
Filters apply to the post: ``language`` is the language it was written in.

PostgreSQL: every post and translation has a ``tsvector`` built with its language's
configuration (german, english, french, spanish), so "Beschaffungen" finds "Beschaffung". A
query is parsed with each of those configurations and the results combined, so one search box
serves every language; ``language=`` narrows the originals to one. Accents are folded by
``board_search_fold`` (no extension needed), each word indexed as its stem folded and as the
stem of its folded form, so "participacion" finds "participación" and "participaciones" keeps
finding "participación" (see the migration). Ranked by ``ts_rank_cd``, snippets by
``ts_headline``: in the text as written, or else in the folded text, marks carried back onto
the text as written (folding keeps every character's place).

SQLite: FTS5 with diacritics folded ("energia" finds "energía"). English texts are stemmed
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
FILTER_JOINS = "JOIN board_thread t ON t.id = p.thread JOIN board_category c ON c.id = t.category"
JOINS = f"{FILTER_JOINS} JOIN account_user u ON u.id = p.author"
#: The translations searched: the version readers are shown (matches the partial indexes).
CURRENT_TRANSLATION = "tr.status = 'done' AND tr.replaced_at IS NULL"
#: Between the fragments of a PostgreSQL snippet, until they are carried onto the original.
FRAGMENTS = "\ue002"
HEADLINE_OPTIONS = (
    f"'StartSel={START}, StopSel={STOP}, MaxWords=35, MinWords=12, MaxFragments=2, "
    f"FragmentDelimiter={FRAGMENTS}'"
)


def unfold(marked: str, folded: str, original: str) -> str:
    """``marked`` (fragments of ``folded`` with marks) with the characters of ``original``.

    Folding maps one character to one, so a fragment's place in ``folded`` is its place in
    ``original``; a fragment not found there is kept as it is.
    """
    fragments = []
    for fragment in marked.split(FRAGMENTS):
        plain = fragment.replace(START, "").replace(STOP, "")
        at = folded.find(plain)
        if at < 0:
            fragments.append(fragment)
            continue
        written = iter(original[at : at + len(plain)])
        fragments.append(
            "".join(char if char in (START, STOP) else next(written) for char in fragment)
        )
    return " … ".join(fragments)


async def _postgres(
    text: str, filters: SearchFilters, category_ids: list[int], limit: int, offset: int
) -> list[dict[str, Any]]:
    where, args = _filters(filters, category_ids)

    def tsquery(languages: list[str]) -> str:
        # Each distinct form once: ts_rank_cd pays for every repeated one.
        forms = " || ".join("board_search_forms({}, {})" for _ in languages)
        return f"board_search_any({forms})"

    originals = [filters.language] if filters.language else list(SEARCH_CONFIGS)
    translations = list(SEARCH_CONFIGS)
    rows = await query(
        f"WITH q AS (SELECT {tsquery(originals)} AS original, "
        f"{tsquery(translations)} AS translation), "
        "hits AS ("
        "SELECT p.id AS post_id, 0 AS translation_id, "
        "ts_rank_cd(p.search_vector, q.original) AS rank "
        f"FROM q, board_post p {FILTER_JOINS} WHERE p.search_vector @@ q.original{where} "
        "UNION ALL SELECT p.id, tr.id, ts_rank_cd(tr.search_vector, q.translation) "
        f"FROM q, board_translation tr JOIN board_post p ON p.id = tr.post {FILTER_JOINS} "
        f"WHERE {CURRENT_TRANSLATION} AND tr.search_vector @@ q.translation{where}), "
        # One hit per post: its best text, the original when ranks tie.
        "best AS (SELECT DISTINCT ON (post_id) post_id, translation_id, rank FROM hits "
        "ORDER BY post_id, rank DESC, translation_id), "
        "page AS (SELECT * FROM best ORDER BY rank DESC, post_id DESC LIMIT {} OFFSET {}) "
        f"SELECT {COLUMNS}, tr.locale AS translation_locale, d.text, h.written, f.folded, "
        f"CASE WHEN f.folded IS NOT NULL THEN ts_headline(d.config, f.folded, d.query, "
        f"{HEADLINE_OPTIONS}) END AS folded_snippet "
        f"FROM page JOIN board_post p ON p.id = page.post_id {JOINS} "
        "LEFT JOIN board_translation tr ON tr.id = page.translation_id, q, "
        "LATERAL (SELECT board_search_config(coalesce(tr.locale, p.language)) AS config, "
        "CASE WHEN tr.id IS NULL THEN coalesce(p.title || E'\\n', '') || p.source "
        "ELSE tr.source END AS text, "
        "CASE WHEN tr.id IS NULL THEN q.original ELSE q.translation END AS query) d, "
        f"LATERAL (SELECT ts_headline(d.config, d.text, d.query, {HEADLINE_OPTIONS}) "
        "AS written) h, "
        # Matched only through folding: mark the folded text, then carry the marks back.
        f"LATERAL (SELECT CASE WHEN strpos(h.written, '{START}') = 0 "
        "THEN board_search_fold(d.text) END AS folded) f "
        "ORDER BY page.rank DESC, p.id DESC",
        *(value for language in originals for value in (language, text)),
        *(value for language in translations for value in (language, text)),
        *args,
        *args,
        limit,
        offset,
    )
    for row in rows:
        folded_snippet = str(row["folded_snippet"] or "")
        if START in folded_snippet:
            row["snippet"] = unfold(folded_snippet, str(row["folded"]), str(row["text"]))
        else:
            row["snippet"] = str(row["written"] or "").replace(FRAGMENTS, " … ")
    return rows


def _fts_query(words: list[str], prefix: bool) -> str:
    # Each word quoted (FTS5 operators in the input stay words); all words must occur.
    star = "*" if prefix else ""
    return " ".join(f'"{word.replace(chr(34), "")}"{star}' for word in words)


@dataclass(frozen=True)
class FtsTable:
    """An FTS5 table of the board and how it is searched."""

    name: str
    #: Stemmed (Porter): words match as stems; otherwise as word beginnings.
    english: bool
    #: Indexes the translations (rowid = translation id) rather than the posts.
    translations: bool

    def source(self) -> str:
        """The table joined to the posts it finds."""
        if self.translations:
            return (
                f"{self.name} JOIN board_translation tr ON tr.id = {self.name}.rowid "
                "JOIN board_post p ON p.id = tr.post"
            )
        return f"{self.name} JOIN board_post p ON p.id = {self.name}.rowid"


FTS_TABLES = (
    FtsTable("board_post_fts", english=False, translations=False),
    FtsTable("board_post_fts_en", english=True, translations=False),
    FtsTable("board_translation_fts", english=False, translations=True),
    FtsTable("board_translation_fts_en", english=True, translations=True),
)


async def _sqlite(
    words: list[str], filters: SearchFilters, category_ids: list[int], limit: int, offset: int
) -> list[dict[str, Any]]:
    where, args = _filters(filters, category_ids)
    # Originals are in one of two tables by their language; translations count whatever it is.
    tables = [
        (table, _fts_query(words, prefix=not table.english))
        for table in FTS_TABLES
        if table.translations
        or filters.language is None
        or (filters.language == "en") == table.english
    ]
    # Rank every match, but make snippets only for the page: a snippet reads and tokenizes
    # the whole text again, which for a common word would be most of the work. One hit per
    # post: SQLite takes the other columns of a min() group from the row with the minimum.
    ranked = await query(
        "SELECT id, min(rank) AS rank, source_table, found FROM ("
        + " UNION ALL ".join(
            f"SELECT p.id, bm25({table.name}{'' if table.translations else ', 4.0, 1.0'}) "
            f"AS rank, '{table.name}' AS source_table, {table.name}.rowid AS found "
            f"FROM {table.source()} {JOINS} WHERE {table.name} MATCH {{}}{where}"
            for table, _ in tables
        )
        + ") GROUP BY id ORDER BY rank, id DESC LIMIT {} OFFSET {}",
        *(value for _, match in tables for value in (match, *args)),
        limit,
        offset,
    )
    found: dict[int, dict[str, Any]] = {}
    for table, match in tables:
        rowids = [int(row["found"]) for row in ranked if row["source_table"] == table.name]
        if not rowids:
            continue
        locale = "tr.locale" if table.translations else "NULL"
        rows = await query(
            f"SELECT {COLUMNS}, {locale} AS translation_locale, "
            f"snippet({table.name}, -1, '{START}', '{STOP}', ' … ', 24) AS snippet "
            f"FROM {table.source()} {JOINS} "
            f"WHERE {table.name} MATCH {{}} AND {table.name}.rowid IN ({placeholders(rowids)})",
            match,
            *rowids,
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
                matched_version=(
                    schemas.SearchMatch.ORIGINAL
                    if row["translation_locale"] is None
                    else schemas.SearchMatch.TRANSLATION
                ),
                matched_language=str(row["translation_locale"] or row["language"]),
            )
            for row in rows[:limit]
        ],
        next_offset=offset + limit if more and offset + limit <= MAX_OFFSET else None,
    )
