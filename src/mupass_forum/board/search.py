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

A search ranks the newest matches it may show, at most ``RANKED_MATCHES``, and counts up to
that many: a word in a quarter of the board costs what a rare one does. PostgreSQL walks the
newest posts backwards for a common word and asks the GIN index for a rare one (it sees which
is which because the query is a constant of the statement); SQLite's FTS5 hands out matches
newest first and stops at the window. Only the page's hits get snippets.

Snippets are built with private-use characters around the matches, the whole text is escaped,
and only then do those characters become ``<mark>``: a post's text can never become markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mupass_forum import db
from mupass_forum.accounts.principal import Principal
from mupass_forum.board import schemas
from mupass_forum.board.sql import person, placeholders, query
from mupass_forum.clock import as_utc
from mupass_forum.errors import FieldError, InvalidInput
from mupass_forum.i18n import N_

START, STOP = "\ue000", "\ue001"
_WORD = re.compile(r"\w+", re.UNICODE)
SEARCH_CONFIGS = {"de": "german", "en": "english", "fr": "french", "es": "spanish"}
#: A search ranks the newest matches up to this many (and counts up to it), whatever the word:
#: ranking every post of a common word would cost a quarter of the board per request.
RANKED_MATCHES = 200


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


def _tsquery_literal(tsquery: str | None) -> str:
    """A ``tsquery`` as an SQL constant: the planner then sees how common its words are."""
    if tsquery is None:
        return "NULL::tsquery"
    return "'" + tsquery.replace("'", "''") + "'::tsquery"


async def _parsed(text: str, language: str | None) -> tuple[str, str]:
    """The originals' and the translations' ``tsquery`` of ``text``, as SQL constants."""

    def tsquery(languages: list[str]) -> str:
        # Each distinct form once: ts_rank_cd pays for every repeated one.
        forms = " || ".join("board_search_forms({}, {})" for _ in languages)
        return f"board_search_any({forms})::text"

    originals = [language] if language else list(SEARCH_CONFIGS)
    translations = list(SEARCH_CONFIGS)
    (row,) = await query(
        f"SELECT {tsquery(originals)} AS original, {tsquery(translations)} AS translation",
        *(value for code in originals for value in (code, text)),
        *(value for code in translations for value in (code, text)),
    )
    return _tsquery_literal(row["original"]), _tsquery_literal(row["translation"])


async def _postgres(
    text: str, filters: SearchFilters, category_ids: list[int], limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    where, args = _filters(filters, category_ids)
    original, translation = await _parsed(text, filters.language)
    # The queries are constants in the text (words only: see _words), not parameters: with a
    # constant the planner reads a common word's share from the statistics and walks the
    # newest posts backwards, stopping at the window; a rare word is looked up in the GIN
    # index. Either way at most RANKED_MATCHES + 1 texts are ranked.
    rows = await query(
        f"WITH hits AS ("
        "(SELECT p.id AS post_id, 0 AS translation_id, "
        f"ts_rank_cd(p.search_vector, {original}) AS rank "
        f"FROM board_post p {FILTER_JOINS} WHERE p.search_vector @@ {original}{where} "
        "ORDER BY p.id DESC LIMIT {}) "
        f"UNION ALL (SELECT p.id, tr.id, ts_rank_cd(tr.search_vector, {translation}) "
        f"FROM board_translation tr JOIN board_post p ON p.id = tr.post {FILTER_JOINS} "
        f"WHERE {CURRENT_TRANSLATION} AND tr.search_vector @@ {translation}{where} "
        "ORDER BY tr.id DESC LIMIT {})), "
        # One hit per post: its best text, the original when ranks tie.
        "best AS (SELECT DISTINCT ON (post_id) post_id, translation_id, rank FROM hits "
        "ORDER BY post_id DESC, rank DESC, translation_id), "
        "ranked AS (SELECT * FROM best ORDER BY post_id DESC LIMIT {}), "
        "page AS (SELECT * FROM ranked ORDER BY rank DESC, post_id DESC LIMIT {} OFFSET {}) "
        f"SELECT {COLUMNS}, tr.locale AS translation_locale, d.text, h.written, f.folded, "
        f"CASE WHEN f.folded IS NOT NULL THEN ts_headline(d.config, f.folded, d.query, "
        f"{HEADLINE_OPTIONS}) END AS folded_snippet, (SELECT count(*) FROM best) AS found "
        f"FROM page JOIN board_post p ON p.id = page.post_id {JOINS} "
        "LEFT JOIN board_translation tr ON tr.id = page.translation_id, "
        "LATERAL (SELECT board_search_config(coalesce(tr.locale, p.language)) AS config, "
        "CASE WHEN tr.id IS NULL THEN coalesce(p.title || E'\\n', '') || p.source "
        "ELSE tr.source END AS text, "
        f"CASE WHEN tr.id IS NULL THEN {original} ELSE {translation} END AS query) d, "
        f"LATERAL (SELECT ts_headline(d.config, d.text, d.query, {HEADLINE_OPTIONS}) "
        "AS written) h, "
        # Matched only through folding: mark the folded text, then carry the marks back.
        f"LATERAL (SELECT CASE WHEN strpos(h.written, '{START}') = 0 "
        "THEN board_search_fold(d.text) END AS folded) f "
        "ORDER BY page.rank DESC, p.id DESC",
        *args,
        RANKED_MATCHES + 1,
        *args,
        RANKED_MATCHES + 1,
        RANKED_MATCHES,
        limit,
        offset,
    )
    for row in rows:
        folded_snippet = str(row["folded_snippet"] or "")
        if START in folded_snippet:
            row["snippet"] = unfold(folded_snippet, str(row["folded"]), str(row["text"]))
        else:
            row["snippet"] = str(row["written"] or "").replace(FRAGMENTS, " … ")
    return rows, int(rows[0]["found"]) if rows else offset


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


def _candidates_sql(table: FtsTable, where: str) -> str:
    """The newest readable posts ``table`` finds, each with its rank: a bounded scan.

    FTS5 hands out matches newest first (by rowid) and stops at the ``LIMIT``, so a word in
    a quarter of the board costs what a rare one does. ``CROSS JOIN`` keeps the full-text
    table outermost (SQLite would otherwise start from the threads of the categories).
    """
    weights = "" if table.translations else ", 4.0, 1.0"
    source = (
        f"{table.name} CROSS JOIN board_translation tr ON tr.id = {table.name}.rowid "
        "CROSS JOIN board_post p ON p.id = tr.post"
        if table.translations
        else f"{table.name} CROSS JOIN board_post p ON p.id = {table.name}.rowid"
    )
    return (
        # "+p.id": an expression, so sqlite3 skips Piccolo's converter on each of the rows.
        f"SELECT +p.id AS id, bm25({table.name}{weights}) AS rank, {table.name}.rowid AS found "
        f"FROM {source} CROSS JOIN board_thread t ON t.id = p.thread "
        f"CROSS JOIN board_category c ON c.id = t.category "
        f"WHERE {table.name} MATCH {{}}{where} ORDER BY {table.name}.rowid DESC LIMIT {{}}"
    )


async def _fills_window(table: FtsTable, match: str) -> bool:
    """Whether the words as typed are in more texts of ``table`` than the window ranks (the
    index alone: a few microseconds)."""
    (row,) = await db.read_indexed(
        f"SELECT count(*) AS n FROM (SELECT 1 FROM {table.name} WHERE {table.name} MATCH {{}} "
        "ORDER BY rowid DESC LIMIT {})",
        match,
        RANKED_MATCHES + 1,
    )
    return int(row["n"]) > RANKED_MATCHES


async def _sqlite(
    words: list[str], filters: SearchFilters, category_ids: list[int], limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    where, args = _filters(filters, category_ids)
    # Originals are in one of two tables by their language; translations count whatever it is.
    tables = [
        table
        for table in FTS_TABLES
        if table.translations
        or filters.language is None
        or (filters.language == "en") == table.english
    ]
    # Per post its best-ranked text: (rank, table, rowid in it). One hit per post.
    best: dict[int, tuple[float, FtsTable, int]] = {}
    matches: dict[str, str] = {}
    for table in tables:
        match = _fts_query(words, prefix=False)
        rows: Sequence[Mapping[str, Any]]
        if not table.english and not await _fills_window(table, match):
            # Unstemmed languages: a word also finds the words it begins, when the words
            # themselves leave room in the window. FTS5 merges the index entries of every
            # such word first: the one cost that grows with the board (a few milliseconds for
            # the beginning of a word in a quarter of 200,000 posts), still less than a hop to
            # a reader thread and back costs every search under load.
            match = _fts_query(words, prefix=True)
        rows = await db.read_indexed(
            _candidates_sql(table, where), match, *args, RANKED_MATCHES + 1
        )
        matches[table.name] = match
        for row in rows:
            post_id, rank = int(row["id"]), float(row["rank"])
            if post_id not in best or rank < best[post_id][0]:
                best[post_id] = (rank, table, int(row["found"]))
    # The window: the newest matching posts, at most RANKED_MATCHES, ranked among themselves.
    window = sorted(best, reverse=True)[:RANKED_MATCHES]
    ranked = sorted(window, key=lambda post_id: (best[post_id][0], -post_id))
    page = ranked[offset : offset + limit]
    found: dict[int, dict[str, Any]] = {}
    for table in tables:
        rowids = [best[post_id][2] for post_id in page if best[post_id][1] is table]
        if not rowids:
            continue
        locale = "tr.locale" if table.translations else "NULL"
        snippets = await db.read_indexed(
            f"SELECT {COLUMNS}, {locale} AS translation_locale, "
            f"snippet({table.name}, -1, '{START}', '{STOP}', ' … ', 24) AS snippet "
            f"FROM {table.source()} {JOINS} "
            f"WHERE {table.name} MATCH {{}} AND {table.name}.rowid IN ({placeholders(rowids)})",
            matches[table.name],
            *rowids,
        )
        found.update((int(row["id"]), dict(row)) for row in snippets)
    return [found[post_id] for post_id in page if post_id in found], len(best)


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
    if offset >= RANKED_MATCHES:
        raise InvalidInput(
            FieldError(
                N_("Must be at most {limit}."),
                "too_large",
                parameter="offset",
                params={"limit": RANKED_MATCHES - 1},
            )
        )
    if not category_ids:
        return schemas.SearchResult(items=[], next_offset=None, total=0, total_is_capped=False)
    if db.is_postgres():
        rows, found = await _postgres(" ".join(words), filters, category_ids, limit, offset)
    else:
        rows, found = await _sqlite(words, filters, category_ids, limit, offset)
    total = min(found, RANKED_MATCHES)
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
                created_at=as_utc(row["created_at"]),
                snippet_html=snippet_html(str(row["snippet"] or "")),
                matched_version=(
                    schemas.SearchMatch.ORIGINAL
                    if row["translation_locale"] is None
                    else schemas.SearchMatch.TRANSLATION
                ),
                matched_language=str(row["translation_locale"] or row["language"]),
            )
            for row in rows
        ],
        next_offset=offset + limit if offset + limit < total else None,
        total=total,
        total_is_capped=found > RANKED_MATCHES,
    )
