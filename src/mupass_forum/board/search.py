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
finding "participación" (see the migration); a text once parsed is handed in parsed by the
next search for it (``ParsedQuery``). Ranked by ``ts_rank_cd``. A short plain text's
snippet is the text whole with its words marked at the positions the query's lexemes have in
its ``search_vector`` (``plain_snippet``: no parsing again); other snippets are made by
``ts_headline``: in the text as written, or else in the folded text, marks carried back onto
the text as written (folding keeps every character's place).

SQLite: FTS5 with diacritics folded ("energia" finds "energía"). English texts are stemmed
(Porter); SQLite has no stemmer for German, French or Spanish, so there each word of the query
matches words that begin with it ("Beschaffung" finds "Beschaffungen", not the reverse): the
longer words are looked up in the table's vocabulary and asked for as alternatives. Ranked
like bm25 (titles weigh more) without its document frequency (see ``_score``); snippets are
cut from the texts ``highlight()`` marked while ranking.

A search ranks the newest matches it may show, at most ``RANKED_MATCHES``, and counts up to
that many: a word in a quarter of the board costs what a rare one does. ``next_before`` goes
on to the next window, older than the last (keyset). Each search is one statement: the
window of every table, the permission filter, the ranking and the page with its snippets.
On PostgreSQL a one-word search (without ``language=``) reads the newest texts holding each of
the word's forms from ``board_search_term`` (a lexeme, a post, newest first; kept in step by
triggers, see its migration): an index-only scan of a bounded length whatever the word, then
only the posts it keeps are read and checked (``_postgres_terms_sql``). Where that cannot
decide (a form's list ran out before the window was full, e.g. most of its posts are not
readable) and for other searches, the statement walks the newest posts backwards for a
common word and asks the GIN index for a rare one (it decides, see ``_newest``), which
fetches every match of a rare word from the table. SQLite's FTS5 hands out matches newest
first and stops at the window; the originals' two tables (English and the others) are one
window, merged newest first, so only the texts in it are marked (``_candidates_sql``).

Snippets are built with private-use characters around the matches, the whole text is escaped,
and only then do those characters become ``<mark>``: a post's text can never become markup.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from mupass_forum import db
from mupass_forum.accounts.principal import Principal
from mupass_forum.board import schemas
from mupass_forum.board.authorization import readable_categories
from mupass_forum.board.sql import person
from mupass_forum.clock import as_utc
from mupass_forum.errors import FieldError, InvalidInput
from mupass_forum.i18n import N_

START, STOP = "\ue000", "\ue001"
_WORD = re.compile(r"\w+", re.UNICODE)
SEARCH_CONFIGS = {"de": "german", "en": "english", "fr": "french", "es": "spanish"}
#: A search ranks the newest matches up to this many (and counts up to it), whatever the word:
#: ranking every post of a common word would cost a quarter of the board per request. Each
#: ranked text costs its marking (SQLite) or heap row (PostgreSQL), so this is what a search
#: costs: 50 is two and a half pages of 20, a word in fewer posts is ranked whole, and
#: ``next_before`` ranks the next 50, older ones.
RANKED_MATCHES = 50


@dataclass(frozen=True)
class SearchFilters:
    category_id: int | None = None
    forum_id: int | None = None
    language: str | None = None
    author_id: int | None = None
    #: Only posts older than this one: the next window (``next_before`` of a capped search).
    before: int | None = None


def snippet_html(marked: str) -> str:
    return html.escape(marked).replace(START, "<mark>").replace(STOP, "</mark>")


def _words(text: str) -> list[str]:
    return _WORD.findall(text)[:12]


#: The condition of ``SearchFilters.before``.
BEFORE = "p.id < {}"


async def _filters(principal: Principal, filters: SearchFilters) -> tuple[str, list[Any]]:
    """What the reader may read and asked for, as a condition on ``p``, ``t`` and ``c``."""
    readable, args = await readable_categories(principal)
    sql = f" AND {readable} AND p.deleted_at IS NULL AND p.hidden_at IS NULL"
    args = list(args)
    for value, condition in (
        (filters.category_id, "t.category = {}"),
        (filters.forum_id, "c.forum_id = {}"),
        (filters.language, "p.language = {}"),
        (filters.author_id, "p.author = {}"),
        (filters.before, BEFORE),
    ):
        if value is not None:
            sql += f" AND {condition}"
            args.append(value)
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


# PostgreSQL ------------------------------------------------------------------------------------

#: How many of the newest posts (or translations) a search walks through, checking each,
#: before it asks the index: a word in one text of 20 or more fills the window in the first
#: walk. A word the first walk found at least ``WALK_ON`` times (one text in 330 or more) is
#: walked on (at one in 330, about 17,000 texts); a rarer one is asked of the index, which
#: then fetches its few thousand matches at most from the table, at a million posts.
WALKED, WALKED_ON, WALK_ON = 1_000, 20_000, 3


def _tsquery(languages: list[str]) -> str:
    """The ``tsquery`` of ``typed.text`` in ``languages``: each distinct form once
    (``ts_rank_cd`` pays for every repeated one)."""
    forms = " || ".join(f"board_search_forms('{code}', typed.text)" for code in languages)
    return f"board_search_any({forms})"


def _newest(kind: str, where: str, window: int) -> str:
    """The newest ``window + 1`` readable texts of ``kind`` (``original`` or ``translation``)
    that match, as ``{kind}_found``, whatever the word.

    The query is a parameter, so the statement is planned once per connection rather than on
    every search (planning it took longer than running it); the planner then cannot tell a
    common word from a rare one, so the statement does: it walks the newest ``WALKED`` texts
    first, checking each (a common word fills the window there, after a few hundred), walks
    on where that found a few, and only then asks the GIN index for every match, sorts them
    newest first and looks up threads and categories for those it keeps.
    ``ts_match_vq`` is ``@@`` spelled so that no index serves it; ``id + 0`` orders without
    the primary key, so that the planner does not walk the whole table instead.
    """
    if kind == "original":
        table, name, current = "p", "board_post", ""
        source = "board_post p"
        columns = "p.id AS post, 0 AS id, p.search_vector"
        # The index's matches with what the filters read of a post.
        matched = "p.id, p.thread, p.search_vector, p.deleted_at, p.hidden_at, p.language, p.author"
        joined = f"board_post p {FILTER_JOINS}"
    else:
        table, name, current = "tr", "board_translation", f" AND {CURRENT_TRANSLATION}"
        source = "board_translation tr JOIN board_post p ON p.id = tr.post"
        columns = "tr.post, tr.id, tr.search_vector"
        matched = "tr.id, tr.post, tr.search_vector"
        joined = f"board_translation tr JOIN board_post p ON p.id = tr.post {FILTER_JOINS}"
    walked, walked_on = f"(SELECT count(*) FROM {kind}_walked)", f"(SELECT count(*) FROM {kind}_on)"

    def walk(rows: int, condition: str) -> str:
        return (
            f"SELECT {columns} FROM {source} {FILTER_JOINS} WHERE {condition}"
            f"{table}.id > (SELECT max(id) FROM {name}) - {rows} "
            f"AND ts_match_vq({table}.search_vector, (SELECT {kind} FROM q)){current}{where} "
            f"ORDER BY {table}.id DESC LIMIT {window + 1}"
        )

    # Sorted before the joins (OFFSET 0 keeps it so): threads are looked up for the newest
    # matches only, until the window is full, not hashed whole for every match.
    indexed = (
        f"SELECT {matched}, {table}.id + 0 AS newest FROM {name} {table} "
        f"WHERE {walked} <= {window} AND {walked_on} <= {window}{current} "
        f"AND {table}.search_vector @@ (SELECT {kind} FROM q) "
        f"ORDER BY {table}.id + 0 DESC OFFSET 0"
    )
    joined = joined.replace(f"{name} {table}", f"({indexed}) {table}", 1)
    return (
        f"{kind}_walked AS MATERIALIZED ({walk(WALKED, '')}), "
        f"{kind}_on AS MATERIALIZED "
        f"({walk(WALKED_ON, f'{walked} BETWEEN {WALK_ON} AND {window} AND ')}), "
        f"{kind}_found AS (SELECT * FROM {kind}_walked WHERE {walked} > {window} "
        f"UNION ALL SELECT * FROM {kind}_on WHERE {walked_on} > {window} "
        f"UNION ALL (SELECT {columns} FROM {joined} WHERE TRUE{where} "
        f"ORDER BY {table}.newest DESC LIMIT {window + 1}))"
    )


def _postgres_query(language: str | None, parsed: bool) -> str:
    """``q``: the search's ``tsquery`` for originals and for translations, parsed from the
    text (one argument) or, when ``parsed``, as parsed before (two: ``ParsedQuery``)."""
    if parsed:
        return "WITH q AS MATERIALIZED (SELECT {}::tsquery AS original, {}::tsquery AS translation)"
    translation = _tsquery(list(SEARCH_CONFIGS))
    # Parsed in the statement (no round trip of its own): the originals' query is the
    # translations' unless a language is asked for.
    original = _tsquery([language]) if language else "translation"
    return (
        "WITH typed AS (SELECT {}::text AS text), "
        f"q AS MATERIALIZED (SELECT {original} AS original, translation "
        f"FROM typed, LATERAL (SELECT {translation} AS translation) parsed)"
    )


#: The query's ``tsquery`` texts as the statement returns them, to be kept (``ParsedQuery``).
PARSED_COLUMNS = "q.original::text AS q_original, q.translation::text AS q_translation"


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A search's text parsed into ``tsquery``s (originals', translations'), as PostgreSQL
    printed them.

    Parsing is a function of the text and the board's text search configurations only, and
    the costliest part of a common search: every configuration's parser, stemmer and folding,
    three forms each (0.24 ms of the database's CPU of about 1.1). A search returns the
    parsed query with its rows, and the next search for the same text hands it in instead.
    """

    original: str
    translation: str


#: Parsed queries by database, language asked for and text.
_parsed_queries: dict[tuple[str, str | None, str], ParsedQuery] = {}


@dataclass(frozen=True)
class _Query:
    """How a statement gets the search's query: parsed before (two ``tsquery`` texts) or as
    the text to parse; ``keep`` stores the parse a statement returned."""

    key: tuple[str, str | None, str]
    parsed: bool
    args: tuple[str, ...]

    def keep(self, rows: list[Any]) -> None:
        if self.key in _parsed_queries or not rows or not rows[0]["q_original"]:
            return
        if len(_parsed_queries) > 4096:
            _parsed_queries.clear()
        _parsed_queries[self.key] = ParsedQuery(rows[0]["q_original"], rows[0]["q_translation"])


def _query(language: str | None, text: str) -> _Query:
    engine = db.current_engine()
    key = (str(getattr(engine, "config", {}).get("dsn", "")), language, text)
    parsed = _parsed_queries.get(key)
    if parsed is None:
        return _Query(key, False, (text,))
    return _Query(key, True, (parsed.original, parsed.translation))


def _postgres_page(window: int, limit: int, offset: int) -> str:
    """From ``original_found`` and ``translation_found`` (post, id, search_vector; at most
    ``window + 1`` each): one hit per post (``best``), ranked, and the ``page``."""
    # The query's lexemes as the tsquery prints them ('quoted', a quote doubled), for
    # ``plain_snippet``.
    terms = (
        "ARRAY(SELECT DISTINCT replace(m[1], '''''', '''') FROM "
        "regexp_matches(q.{}::text, '''((?:[^'']|'''')*)''', 'g') m)"
    )
    return (
        f"terms_of_q AS MATERIALIZED (SELECT {terms.format('original')} AS original, "
        f"{terms.format('translation')} AS translation FROM q), "
        # Ranked once read: at most window + 1 texts of each kind.
        "hits AS (SELECT f.post AS post_id, 0 AS translation_id, "
        "ts_rank_cd(f.search_vector, q.original) AS rank FROM q, original_found f "
        "UNION ALL SELECT f.post, f.id, ts_rank_cd(f.search_vector, q.translation) "
        "FROM q, translation_found f), "
        # One hit per post: its best text, the original when ranks tie.
        "best AS (SELECT DISTINCT ON (post_id) post_id, translation_id, rank FROM hits "
        "ORDER BY post_id DESC, rank DESC, translation_id), "
        f"ranked AS (SELECT * FROM best ORDER BY post_id DESC LIMIT {window}), "
        "page AS (SELECT * FROM ranked ORDER BY rank DESC, post_id DESC "
        f"LIMIT {limit} OFFSET {offset})"
    )


#: A short text PostgreSQL's parser splits into words as ``WORDS`` does (letters and digits
#: between spaces and plain punctuation: no hyphenated words, addresses, decimals or markup).
#: The length is checked first: it costs nothing, a regular expression does.
PLAIN_TEXT = (
    "length(d.text) <= 240 "
    "AND d.text !~ '[^[:alnum:][:space:],;!?()\"''’«»—–….:&-]|[.:&-][^[:space:]]|[[:alnum:]]-'"
)
#: The words of a ``PLAIN_TEXT``, each one position of its ``tsvector``.
WORDS = re.compile(r"[^\W_]+")
#: A position in the title (weight A) in a ``tsvector`` as PostgreSQL prints it.
TITLE_POSITIONS = re.compile(r"[:,](\d+)A")

#: The page's rows with their snippets, how many posts were found and the oldest ranked.
#: A plain text's snippet is marked from the positions of the query's lexemes in its
#: ``search_vector`` (``plain_snippet``), without parsing the text again; other texts'
#: by ``ts_headline``.
POSTGRES_PAGE = (
    f"SELECT {COLUMNS}, page.rank, tr.locale AS translation_locale, d.text, h.written, "
    "f.folded, "
    f"CASE WHEN f.folded IS NOT NULL THEN ts_headline(d.config, f.folded, d.query, "
    f"{HEADLINE_OPTIONS}) END AS folded_snippet, (SELECT count(*) FROM best) AS found, "
    "(SELECT min(post_id) FROM ranked) AS oldest, d.title, d.body, d.terms, "
    "CASE WHEN pl.plain THEN d.vector::text END AS vector "
    f"FROM q, terms_of_q, page JOIN board_post p ON p.id = page.post_id {JOINS} "
    "LEFT JOIN board_translation tr ON tr.id = page.translation_id, "
    "LATERAL (SELECT board_search_config(coalesce(tr.locale, p.language)) AS config, "
    "CASE WHEN tr.id IS NULL THEN coalesce(p.title || E'\\n', '') || p.source "
    "ELSE tr.source END AS text, "
    "CASE WHEN tr.id IS NULL THEN p.title END AS title, "
    "CASE WHEN tr.id IS NULL THEN p.source ELSE coalesce(tr.source, '') END AS body, "
    "CASE WHEN tr.id IS NULL THEN p.search_vector ELSE tr.search_vector END AS vector, "
    "CASE WHEN tr.id IS NULL THEN terms_of_q.original ELSE terms_of_q.translation END "
    "AS terms, "
    "CASE WHEN tr.id IS NULL THEN q.original ELSE q.translation END AS query) d, "
    f"LATERAL (SELECT {PLAIN_TEXT} AS plain OFFSET 0) pl, "
    # The positions of the query's lexemes, and the title's last (the body's positions count
    # on from there: ``tsvector || tsvector``).
    "LATERAL (SELECT CASE WHEN NOT pl.plain "
    f"THEN ts_headline(d.config, d.text, d.query, {HEADLINE_OPTIONS}) END AS written) h, "
    # Matched only through folding: mark the folded text, then carry the marks back.
    f"LATERAL (SELECT CASE WHEN strpos(h.written, '{START}') = 0 "
    "THEN board_search_fold(d.text) END AS folded) f "
    "ORDER BY page.rank DESC, p.id DESC"
)


def _positions(vector: str, terms: list[str]) -> set[int]:
    """The positions of ``terms`` in ``vector`` (a ``tsvector`` as PostgreSQL prints it:
    ``'lexeme':3A,15B 'other':4B``)."""
    found: set[int] = set()
    for term in terms:
        key = "'" + term.replace("'", "''") + "':"
        at = vector.find(key)
        while at > 0 and vector[at - 1] != " ":
            at = vector.find(key, at + 1)
        if at >= 0:
            start = at + len(key)
            end = vector.find(" ", start)
            listed = vector[start : end if end >= 0 else len(vector)]
            found.update(int(position.rstrip("ABCD")) for position in listed.split(","))
    return found


@functools.lru_cache(maxsize=256)
def _word_at(position: int) -> re.Pattern[str]:
    """Matches a text from its start up to its word at ``position`` (from 1), group 1."""
    return re.compile(rf"[\W_]*(?:[^\W_]+[\W_]+){{{position - 1}}}([^\W_]+)")


def _marked(text: str, positions: list[int]) -> str:
    """``text`` with its words at ``positions`` (from 1, ascending) marked."""
    pieces, at = [], 0
    for position in positions:
        word = _word_at(position).match(text)
        if word is not None:
            pieces += [text[at : word.start(1)], START, word.group(1), STOP]
            at = word.end(1)
    return "".join(pieces) + text[at:]


def plain_snippet(title: str | None, body: str, vector: str, terms: list[str]) -> str:
    """A ``PLAIN_TEXT`` with its words at the positions of ``terms`` in ``vector`` marked.

    The title's words are numbered from 1; the body's count on from the title's last
    position in ``vector`` (weight A, see ``tsvector || tsvector``), which leaves out the
    title's trailing stop words. A text longer than ``ts_headline`` shows (``MaxWords``) is
    cut around its first match.
    """
    wanted = sorted(_positions(vector, terms))
    if title is None:
        marked = _marked(body, wanted)
    else:
        before = max((int(number) for number in TITLE_POSITIONS.findall(vector)), default=0)
        marked = (
            _marked(title, [position for position in wanted if position <= before])
            + "\n"
            + _marked(body, [position - before for position in wanted if position > before])
        )
    marked = marked.strip()
    return sqlite_snippet(None, marked, words=35) if marked.count(" ") >= 35 else marked


@functools.lru_cache(maxsize=64)
def _postgres_sql(
    where: str, language: str | None, window: int, limit: int, offset: int, parsed: bool
) -> str:
    page = POSTGRES_PAGE.replace("SELECT ", f"SELECT {PARSED_COLUMNS}, ", 1)
    return (
        f"{_postgres_query(language, parsed)}, "
        f"{_newest('original', where, window)}, {_newest('translation', where, window)}, "
        f"{_postgres_page(window, limit, offset)} {page}"
    )


#: How many of the newest texts holding each of a word's forms (lexemes) a one-word search
#: reads from ``board_search_term``: a window of posts twice over, for those the filters
#: leave out, few enough to read from the index alone.
TERM_POSTINGS = 2 * (RANKED_MATCHES + 1)
#: One-word searches read ``board_search_term`` first (tests compare it with the general way).
WORD_LISTS = True
#: ``before`` when a search has none: older than every post.
NEWEST = 2**31 - 1


@functools.lru_cache(maxsize=64)
def _postgres_terms_sql(
    where: str, window: int, postings: int, limit: int, offset: int, parsed: bool
) -> str:
    """A one-word search through ``board_search_term``: the newest ``postings`` texts of
    each of the query's lexemes (an index-only scan each), checked newest first against the
    filters and the query itself, then ranked and paged as ``_postgres_sql`` does.

    Complete above ``bound``: a lexeme with more texts than were read (counted in ``cut``)
    may hold older ones, so only posts newer than the oldest each such lexeme gave count;
    every match above that holds one of the lexemes and was read. When that leaves no more
    than ``window`` posts while a lexeme was cut, the caller asks ``_postgres_sql`` instead.
    """
    # The lexemes of the tsquery as it prints them: 'quoted', a quote doubled.
    lexemes = "regexp_matches(q.translation::text, '''((?:[^'']|'''')*)''', 'g')"
    checked = "(SELECT translation FROM q)"
    return (
        f"{_postgres_query(None, parsed)}, "
        "terms AS MATERIALIZED (SELECT DISTINCT replace(m[1], '''''', '''') AS term "
        f"FROM q, {lexemes} m), "
        "postings AS MATERIALIZED (SELECT terms.term, s.post, s.translation FROM terms, "
        "LATERAL (SELECT b.post, b.translation FROM board_search_term b "
        "WHERE b.term = terms.term AND b.post < {} "
        f"ORDER BY b.post DESC, b.translation DESC LIMIT {postings}) s), "
        "bound AS MATERIALIZED (SELECT coalesce(max(least), 0) AS post, count(*) AS cut "
        "FROM (SELECT min(post) AS least FROM postings GROUP BY term "
        f"HAVING count(*) >= {postings}) saturated), "
        "candidates AS MATERIALIZED (SELECT DISTINCT post, translation FROM postings "
        "WHERE post > (SELECT post FROM bound)), "
        # Newest first, stopping at the window (ordered by the candidates' column, so that
        # the planner does not walk the posts' primary key instead).
        "original_found AS (SELECT p.id AS post, 0 AS id, p.search_vector "
        "FROM (SELECT post FROM candidates WHERE translation = 0 ORDER BY post DESC OFFSET 0) "
        f"cand JOIN board_post p ON p.id = cand.post {FILTER_JOINS} "
        f"WHERE p.search_vector @@ {checked}{where} "
        f"ORDER BY cand.post DESC LIMIT {window + 1}), "
        "translation_found AS (SELECT tr.post, tr.id, tr.search_vector "
        "FROM (SELECT * FROM candidates WHERE translation <> 0 "
        "ORDER BY post DESC, translation DESC OFFSET 0) cand "
        "JOIN board_translation tr ON tr.id = cand.translation "
        f"JOIN board_post p ON p.id = tr.post {FILTER_JOINS} "
        f"WHERE {CURRENT_TRANSLATION} AND tr.search_vector @@ {checked}{where} "
        f"ORDER BY cand.post DESC, cand.translation DESC LIMIT {window + 1}), "
        f"{_postgres_page(window, limit, offset)}, found_page AS ({POSTGRES_PAGE}) "
        # One row at least, the page's or none (id NULL): whether it decided comes with it.
        "SELECT found_page.*, (SELECT cut FROM bound) AS cut, "
        f"(SELECT count(*) FROM best) AS counted, {PARSED_COLUMNS} FROM q, (SELECT 1) one "
        "LEFT JOIN found_page ON TRUE ORDER BY found_page.rank DESC, found_page.id DESC"
    )


async def _postgres(
    words: list[str], where: str, args: list[Any], filters: SearchFilters, limit: int, offset: int
) -> list[dict[str, Any]]:
    text = " ".join(words)
    rows: list[Any] | None = None
    if WORD_LISTS and len(words) == 1 and filters.language is None:
        query = _query(None, text)
        answer = await db.read_indexed(
            _postgres_terms_sql(where, RANKED_MATCHES, TERM_POSTINGS, limit, offset, query.parsed),
            *query.args,
            NEWEST if filters.before is None else filters.before,
            *(args * 2),
        )
        query.keep(answer)
        # Undecided when a lexeme's list was cut before the window filled: the walk and the
        # GIN index decide.
        decided = not answer[0]["cut"] or answer[0]["counted"] > RANKED_MATCHES
        rows = [row for row in answer if row["id"] is not None] if decided else None
    if rows is None:
        # The same text for every search of this shape: compiled once, prepared once per
        # connection (asyncpg keeps it), planned once.
        query = _query(filters.language, text)
        rows = await db.read_indexed(
            _postgres_sql(where, filters.language, RANKED_MATCHES, limit, offset, query.parsed),
            *query.args,
            *(args * 6),
        )
        query.keep(rows)
    found: list[dict[str, Any]] = []
    for record in rows:
        row = dict(record)
        folded_snippet = str(row["folded_snippet"] or "")
        if row["written"] is None:
            row["snippet"] = plain_snippet(
                row["title"], str(row["body"]), str(row["vector"] or ""), list(row["terms"] or ())
            )
        elif START in folded_snippet:
            row["snippet"] = unfold(folded_snippet, str(row["folded"]), str(row["text"]))
        else:
            row["snippet"] = str(row["written"] or "").replace(FRAGMENTS, " … ")
        found.append(row)
    return found


# SQLite ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FtsTable:
    """An FTS5 table of the board and how it is searched."""

    name: str
    #: Stemmed (Porter): words match as stems; otherwise as word beginnings.
    english: bool
    #: Indexes the translations (rowid = translation id) rather than the posts.
    translations: bool

    @property
    def columns(self) -> tuple[str | None, str]:
        """The title's and the text's column numbers (translations have no title)."""
        return (None, "0") if self.translations else ("0", "1")


FTS_TABLES = (
    FtsTable("board_post_fts", english=False, translations=False),
    FtsTable("board_post_fts_en", english=True, translations=False),
    FtsTable("board_translation_fts", english=False, translations=True),
    FtsTable("board_translation_fts_en", english=True, translations=True),
)
#: A title's and a post's length in characters where a match counts as it is (bm25's "average
#: length"): a match in a longer text counts less, in a shorter one more.
TYPICAL_TITLE, TYPICAL_TEXT = 40.0, 400.0
#: Matches in a title weigh this many times a match in the text.
TITLE_WEIGHT = 4.0
#: At most this many longer words are searched for a word's beginning: those in most posts.
LONGER_FORMS = 16


def _score(column: str, typical: float, weight: float) -> str:
    """bm25's weight of a text's matches, from the length of the text as ``highlight()``
    marked it (``{column}_marked``) and as written (``{column}_plain``): each match adds a
    mark on either side.

    bm25() itself first counts every text of the table holding each word (its inverse
    document frequency): a walk over a quarter of the board for a common word, on every
    search. Within the ranked window that factor is the same for every text of a one-word
    search, so it is left out: words weigh the same, matches count by how often they occur
    and how long the text is.
    """
    matches = f"(({column}_marked - {column}_plain) / 2)"
    return (
        f"coalesce({weight} * {matches} * 2.2 "
        f"/ ({matches} + 1.2 * (0.25 + 0.75 * {column}_plain / {typical})), 0)"
    )


def _marked_sql(number: int, table: FtsTable, where: str) -> str:
    """The readable texts ``table`` finds, marked by ``highlight()``, with their lengths as
    written; ``found`` is the table's rowid, in whose order FTS5 hands them out.

    ``CROSS JOIN`` keeps the full-text table outermost (SQLite would otherwise start from
    the threads of the categories).
    """
    title, text = table.columns
    marks = f"'{START}', '{STOP}'"
    if table.translations:
        source = (
            f"{table.name} CROSS JOIN board_translation tr ON tr.id = {table.name}.rowid "
            "CROSS JOIN board_post p ON p.id = tr.post"
        )
        lengths = "NULL AS title_plain, length(tr.source) AS text_plain"
    else:
        source = f"{table.name} CROSS JOIN board_post p ON p.id = {table.name}.rowid"
        lengths = "length(p.title) AS title_plain, length(p.source) AS text_plain"
        # The rowid is the post's id: FTS5 starts at the older posts rather than walking past
        # every newer match (the next window of a common word, deep in the board).
        where = where.replace(BEFORE, f"{table.name}.rowid < {{}}")
    return (
        # "+p.id": an expression, so sqlite3 skips Piccolo's converter on each of the rows.
        f"SELECT +p.id AS id, {number} AS source, {table.name}.rowid AS found, "
        f"{f'highlight({table.name}, {title}, {marks})' if title else 'NULL'} AS title, "
        f"highlight({table.name}, {text}, {marks}) AS text, {lengths} "
        f"FROM {source} CROSS JOIN board_thread t ON t.id = p.thread "
        f"CROSS JOIN board_category c ON c.id = t.category "
        f"WHERE {table.name} MATCH {{}}{where}"
    )


def _candidates_sql(tables: tuple[FtsTable, ...], where: str, window: int) -> str:
    """The newest ``window + 1`` readable texts ``tables`` find, marked and scored: a bounded
    scan whatever the word.

    FTS5 hands out matches newest first (by rowid) and stops at the ``LIMIT``. Several
    tables are one window when their rowids are all posts' ids (the originals of both
    tables): SQLite merges the tables' matches, newest first, and stops when the window is
    full, so only the texts in the window are marked, not a window's worth from each table.
    A post is in one of them only, so the window holds the newest of each table's own window.
    """
    arms = " UNION ALL ".join(
        _marked_sql(FTS_TABLES.index(table), table, where) for table in tables
    )
    score = (
        f"{_score('title', TYPICAL_TITLE, TITLE_WEIGHT)} + {_score('text', TYPICAL_TEXT, 1.0)}"
        f"{' + 1e-9' if not tables[0].translations else ''}"
    )
    # Each level a subquery of its own (OFFSET 0): flattened, each mention of a marked text
    # or of its length would compute it again.
    return (
        f"SELECT id, source, found, title, text, {score} AS score FROM (SELECT *, "
        "length(title) AS title_marked, length(text) AS text_marked "
        f"FROM ({arms} ORDER BY found DESC LIMIT {window + 1}) LIMIT -1 OFFSET 0)"
    )


def _windows(tables: tuple[FtsTable, ...]) -> list[tuple[FtsTable, ...]]:
    """``tables`` by window: the originals' tables together (their rowids are posts' ids),
    each translations' table alone (its rowids are translations' ids, in another order)."""
    originals = tuple(table for table in tables if not table.translations)
    return ([originals] if originals else []) + [(table,) for table in tables if table.translations]


@functools.lru_cache(maxsize=64)
def _sqlite_sql(
    tables: tuple[FtsTable, ...], where: str, window: int, limit: int, offset: int
) -> str:
    """One statement: each table's window, one hit per post (its best text, the original when
    scores tie), the newest ``window`` of them ranked, the page with its rows and marked texts,
    and how many posts were found (up to three windows: more than ``window`` stands for
    "more")."""
    candidates = " UNION ALL ".join(
        _candidates_sql(group, where, window) for group in _windows(tables)
    )
    return (
        f"WITH hits AS ({candidates}), "
        # SQLite takes the other columns from the row with the highest score.
        "best AS MATERIALIZED (SELECT id, source, found, title, text, max(score) AS score "
        "FROM hits GROUP BY id), "
        f"ranked AS (SELECT * FROM best ORDER BY id DESC LIMIT {window}), "
        "page AS (SELECT * FROM ranked ORDER BY score DESC, id DESC "
        f"LIMIT {limit} OFFSET {offset}) "
        f"SELECT {SQLITE_COLUMNS}, tr.locale AS translation_locale, page.title AS marked_title, "
        "page.text AS marked_text, (SELECT count(*) FROM best) AS found, "
        "(SELECT min(id) FROM ranked) AS oldest "
        "FROM page CROSS JOIN board_post p ON p.id = page.id "
        "CROSS JOIN board_thread t ON t.id = p.thread "
        "CROSS JOIN account_user u ON u.id = p.author "
        "LEFT JOIN board_translation tr ON page.source >= 2 AND tr.id = page.found "
        "ORDER BY page.score DESC, page.id DESC"
    )


#: ``COLUMNS``, the integers as expressions: sqlite3 then skips Piccolo's converters.
SQLITE_COLUMNS = (
    "+p.id AS id, +p.thread AS thread, +p.position AS position, p.language, "
    "+p.author AS author, u.display_name, p.created_at, t.title AS thread_title, "
    "+t.category AS category"
)


def _fts_phrase(word: str) -> str:
    # Each word quoted: FTS5 operators in the input stay words.
    return '"' + word.replace('"', "") + '"'


@functools.lru_cache(maxsize=1024)
def folded(word: str) -> str:
    """``word`` as FTS5's ``unicode61 remove_diacritics 2`` indexes it: lower case, no accents."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@dataclass
class _Forms:
    #: ``PRAGMA data_version`` when they were read: the database unchanged since, they hold.
    version: int
    forms: tuple[str, ...]


#: A word's longer forms per table and database, as long as the database is unchanged.
_longer_forms: dict[tuple[str, str, str], _Forms] = {}


async def _longer(table: FtsTable, word: str, version: int) -> tuple[str, ...]:
    """The words ``table`` holds that begin with ``word``: FTS5 would merge the posts of every
    such word before handing out the first (a few milliseconds for a word in a quarter of a
    million posts, on every search), so they are looked up in its vocabulary once and asked
    for as alternatives, which FTS5 hands out newest first like one word."""
    key = (str(getattr(db.current_engine(), "path", "")), table.name, word)
    kept = _longer_forms.get(key)
    if kept is not None and kept.version == version:
        return kept.forms
    rows = await db.read_indexed(
        f"SELECT term FROM {table.name}_vocab WHERE term >= {{}} AND term < {{}} "
        "ORDER BY doc DESC LIMIT {}",
        word,
        word + "\U0010ffff",
        LONGER_FORMS,
    )
    forms = tuple(str(row["term"]) for row in rows if row["term"] != word)
    if len(_longer_forms) > 4096:
        _longer_forms.clear()
    _longer_forms[key] = _Forms(version, forms)
    return forms


async def _match(table: FtsTable, words: list[str], version: int) -> str:
    """The FTS5 query of ``words`` in ``table``: all must occur; in a table without stemming
    each also as the beginning of a longer word."""
    if table.english:
        return " ".join(_fts_phrase(word) for word in words)
    alternatives = []
    for word in words:
        key = folded(word)
        forms = await _longer(table, key, version) if len(key) >= 3 else ()
        alternatives.append(
            " OR ".join(_fts_phrase(form) for form in (key, *forms)) if forms else _fts_phrase(key)
        )
    return " AND ".join(f"({alternative})" for alternative in alternatives)


def sqlite_snippet(title: str | None, text: str | None, words: int = 24) -> str:
    """A passage of about ``words`` words around the first match, from the text (or else the
    title) as ``highlight()`` marked it."""
    marked = text if text and START in text else (title or text or "")
    tokens = marked.split(" ")
    first = marked.count(" ", 0, max(0, marked.find(START)))
    begin = max(0, min(first - 4, len(tokens) - words))
    passage = " ".join(tokens[begin : begin + words])
    # A mark cut at the end of the passage is closed there.
    passage += STOP * (passage.count(START) - passage.count(STOP))
    return ("… " if begin else "") + passage + (" …" if begin + words < len(tokens) else "")


async def _sqlite(
    words: list[str],
    where: str,
    args: list[Any],
    language: str | None,
    limit: int,
    offset: int,
) -> list[dict[str, Any]]:
    # Originals are in one of two tables by their language; translations count whatever it is.
    tables = tuple(
        table
        for table in FTS_TABLES
        if table.translations or language is None or (language == "en") == table.english
    )
    (row,) = await db.read_indexed("PRAGMA data_version")
    version = int(row["data_version"])
    arguments: list[Any] = []
    for table in tables:
        arguments += [await _match(table, words, version), *args]
    # On a reader's thread, not inline: the statement takes most of a millisecond, and on the
    # loop's thread 32 searches at once queued behind each other (p99 314-354 ms at 1,000,000
    # posts against 53-71 ms on a reader, for the same throughput).
    rows = await db.run(_sqlite_sql(tables, where, RANKED_MATCHES, limit, offset), *arguments)
    found: list[dict[str, Any]] = []
    for hit in rows:
        row = dict(hit)
        row["snippet"] = sqlite_snippet(row["marked_title"], row["marked_text"])
        found.append(row)
    return found


async def search(
    principal: Principal,
    text: str,
    filters: SearchFilters,
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
    where, args = await _filters(principal, filters)
    if db.is_postgres():
        rows = await _postgres(words, where, args, filters, limit, offset)
    else:
        rows = await _sqlite(words, where, args, filters.language, limit, offset)
    # Past the window's end the page is empty: counted as far as it went.
    found = int(rows[0]["found"]) if rows else offset
    total = min(found, RANKED_MATCHES)
    capped = found > RANKED_MATCHES
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
        total_is_capped=capped,
        next_before=int(rows[0]["oldest"]) if capped and rows else None,
    )
