"""Indexes the board's reads rely on, unique pairs, and full-text search per engine.

PostgreSQL: a stored ``tsvector`` per post and per current translation, in the text's own
language (german, english, french, spanish), a post's title weighted above its body, each with
a GIN index. The ``search_vector`` columns are generated columns of PostgreSQL alone, so the
tables (which SQLite shares) do not declare them: Piccolo neither sees nor selects them, and
search reads them in SQL of its own (``board/search.py``).

Accents are folded without the ``unaccent`` extension (which needs the contrib package and
CREATE on the database): ``board_search_fold`` maps each accented letter to its base letter,
one character for one, and is the one definition that index, queries and snippets use. Folding
before stemming loses inflections the stemmers only recognise accented (Spanish "participación"
stems to "participacion", "participaciones" to "particip"); folding after stemming misses
queries typed without accents. So every word is indexed both ways, at the same position: its
stem folded and the stem of its folded form; a query asks for either. ``board_search_forms``
gives the forms of a query in one configuration and ``board_search_any`` joins the distinct
non-empty ones with OR (NULL, matching nothing, when there are none): ``ts_rank_cd`` pays for
every repeated form.

SQLite: FTS5 tables kept in step by triggers, diacritics folded; English texts go to a table
with the Porter stemmer, texts in other languages to one without stemming (SQLite has no
stemmer for German, French or Spanish; searches there match word beginnings instead). Only the
current version of a translation (done, not replaced) is indexed. An ``fts5vocab`` table lists
the words of each table without stemming, so that a search finds a word's longer forms.
"""

from mupass_forum.raw_migrations import Statements, raw_migration

ID = "2026-12-05T02:23:57:999999"
VERSION = "1.38.0"
DESCRIPTION = "Board indexes, unique pairs and full-text search"

INDEXES = {
    "board_category_order": "CREATE INDEX board_category_order ON board_category (position, id)",
    "board_category_forum": "CREATE INDEX board_category_forum ON board_category (forum_id)",
    "board_thread_by_activity": (
        "CREATE INDEX board_thread_by_activity ON board_thread (category, pinned, last_post_id)"
    ),
    "board_post_thread_position": (
        "CREATE UNIQUE INDEX board_post_thread_position ON board_post (thread, position)"
    ),
    "board_post_author_created": (
        "CREATE INDEX board_post_author_created ON board_post (author, created_at)"
    ),
    "board_post_revision_post": (
        "CREATE INDEX board_post_revision_post ON board_post_revision (post, revision)"
    ),
    "board_translation_post_locale": (
        "CREATE INDEX board_translation_post_locale ON board_translation (post, locale, status)"
    ),
    "board_translation_one_request": (
        "CREATE UNIQUE INDEX board_translation_one_request "
        "ON board_translation (post, locale) WHERE status = 'requested'"
    ),
    "board_translation_queue": (
        "CREATE INDEX board_translation_queue ON board_translation (locale, id) "
        "WHERE status = 'requested'"
    ),
    "board_translation_watcher_unique": (
        "CREATE UNIQUE INDEX board_translation_watcher_unique "
        'ON board_translation_watcher (translation, "user")'
    ),
    "board_reaction_unique": (
        'CREATE UNIQUE INDEX board_reaction_unique ON board_reaction (post, "user", kind)'
    ),
    "board_follow_unique": 'CREATE UNIQUE INDEX board_follow_unique ON board_follow (thread, "user")',
    "board_follow_user": 'CREATE INDEX board_follow_user ON board_follow ("user")',
    "board_event_thread": "CREATE INDEX board_event_thread ON board_event (thread_id, id)",
    "board_event_category": "CREATE INDEX board_event_category ON board_event (category_id, id)",
    "board_event_post": "CREATE INDEX board_event_post ON board_event (post_id)",
    "board_flag_unique": 'CREATE UNIQUE INDEX board_flag_unique ON board_flag (post, "user")',
    "board_flag_open": (
        "CREATE INDEX board_flag_open ON board_flag (post) WHERE resolved_at IS NULL"
    ),
    "board_moderation_action_created": (
        "CREATE INDEX board_moderation_action_created ON board_moderation_action (id)"
    ),
    "board_digest_item_pending": (
        'CREATE INDEX board_digest_item_pending ON board_digest_item ("user", id) '
        "WHERE sent_at IS NULL"
    ),
}

#: Base letter: its accented forms in the languages of the board and of its participants.
LETTERS = {
    "a": "àáâãäåāăą",
    "c": "çćč",
    "d": "ďđ",
    "e": "èéêëēėęě",
    "g": "ğ",
    "i": "ìíîïīį",
    "l": "ł",
    "n": "ñńň",
    "o": "òóôõöøōő",
    "r": "ŕř",
    "s": "śšş",
    "t": "ťţ",
    "u": "ùúûüūůűų",
    "y": "ýÿ",
    "z": "źżž",
}
# One character for one, capitals too: a folded text keeps every offset of the original.
PAIRS = [
    pair
    for base, forms in LETTERS.items()
    for form in forms
    for pair in ((form, base), (form.upper(), base.upper()))
]
ACCENTED = "".join(accented for accented, _ in PAIRS)
PLAIN = "".join(plain for _, plain in PAIRS)

#: Signature: definition. All immutable, so that generated columns and indexes may use them.
POSTGRES_FUNCTIONS = {
    "board_search_config(text)": """
    CREATE FUNCTION board_search_config(language text) RETURNS regconfig
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE language
            WHEN 'de' THEN 'pg_catalog.german'
            WHEN 'en' THEN 'pg_catalog.english'
            WHEN 'fr' THEN 'pg_catalog.french'
            WHEN 'es' THEN 'pg_catalog.spanish'
            ELSE 'pg_catalog.simple'
        END::regconfig
    $$
    """,
    "board_search_fold(text)": f"""
    CREATE FUNCTION board_search_fold(body text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT translate(body, '{ACCENTED}', '{PLAIN}')
    $$
    """,
    "board_search_vector(text, text)": """
    CREATE FUNCTION board_search_vector(language text, body text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT (
            board_search_fold(to_tsvector(board_search_config(language), body)::text) || ' '
            || to_tsvector(board_search_config(language), board_search_fold(body))::text
        )::tsvector
    $$
    """,
    # The stem as typed too: snippets are marked in the text as written first.
    "board_search_forms(text, text)": """
    CREATE FUNCTION board_search_forms(language text, typed text) RETURNS tsquery[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT ARRAY[
            board_search_fold(websearch_to_tsquery(board_search_config(language), typed)::text)::tsquery,
            websearch_to_tsquery(board_search_config(language), board_search_fold(typed)),
            websearch_to_tsquery(board_search_config(language), typed)
        ]
    $$
    """,
    "board_search_any(tsquery[])": """
    CREATE FUNCTION board_search_any(forms tsquery[]) RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT string_agg(DISTINCT '(' || form::text || ')', ' | ')::tsquery
        FROM unnest(forms) form WHERE numnode(form) > 0
    $$
    """,
}

POSTGRES_COLUMNS = (
    """
    ALTER TABLE board_post ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(board_search_vector(language, coalesce(title, '')), 'A')
        || setweight(board_search_vector(language, source), 'B')
    ) STORED
    """,
    "CREATE INDEX board_post_search ON board_post USING gin (search_vector)",
    """
    ALTER TABLE board_translation ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        board_search_vector(locale, coalesce(source, ''))
    ) STORED
    """,
    (
        "CREATE INDEX board_translation_search ON board_translation USING gin (search_vector) "
        "WHERE status = 'done' AND replaced_at IS NULL"
    ),
)
# Dropping a column drops its index.
POSTGRES_COLUMNS_BACKWARDS = (
    "ALTER TABLE board_translation DROP COLUMN search_vector",
    "ALTER TABLE board_post DROP COLUMN search_vector",
)


def _sqlite_search(
    table: str, columns: tuple[str, ...], language: str, watched: str, current: str = ""
) -> dict[str, str]:
    """FTS5 tables of ``table``'s ``columns`` and the triggers that keep them in step: rows
    where ``current`` holds go to ``<table>_fts_en`` when their ``language`` is English, to
    ``<table>_fts`` otherwise. Name: statement."""
    fts = {
        f"{table}_fts": "unicode61 remove_diacritics 2",
        f"{table}_fts_en": "porter unicode61 remove_diacritics 2",
    }
    listed = ", ".join(columns)
    marker = "'delete', "
    statements = {
        name: f"CREATE VIRTUAL TABLE {name} USING fts5({listed}, content='{table}', "
        f"content_rowid='id', tokenize='{tokenizer}')"
        for name, tokenizer in fts.items()
    }
    # The unstemmed table's words, for a word's longer forms (board/search.py).
    statements[f"{table}_fts_vocab"] = (
        f"CREATE VIRTUAL TABLE {table}_fts_vocab USING fts5vocab({table}_fts, 'row')"
    )

    def write(row: str, delete: bool) -> str:
        values = ", ".join(f"{row}.{column}" for column in columns)
        where = f"{current.format(row=row)} AND " if current else ""
        return " ".join(
            f"INSERT INTO {name} ({name + ', ' if delete else ''}rowid, {listed}) "
            f"SELECT {marker if delete else ''}{row}.id, {values} "
            f"WHERE {where}{row}.{language} {'=' if name.endswith('_en') else '<>'} 'en';"
            for name in fts
        )

    statements |= {
        f"{table}_fts_insert": f"CREATE TRIGGER {table}_fts_insert AFTER INSERT ON {table} "
        f"BEGIN {write('new', delete=False)} END",
        f"{table}_fts_delete": f"CREATE TRIGGER {table}_fts_delete AFTER DELETE ON {table} "
        f"BEGIN {write('old', delete=True)} END",
        f"{table}_fts_update": f"CREATE TRIGGER {table}_fts_update "
        f"AFTER UPDATE OF {watched} ON {table} "
        f"BEGIN {write('old', delete=True)} {write('new', delete=False)} END",
    }
    return statements


SQLITE_SEARCH = {
    **_sqlite_search("board_post", ("title", "source"), "language", "title, source, language"),
    **_sqlite_search(
        "board_translation",
        ("source",),
        "locale",
        "status, source, locale, replaced_at",
        "{row}.status = 'done' AND {row}.replaced_at IS NULL AND {row}.source IS NOT NULL",
    ),
}


def _sqlite_drop(name: str) -> str:
    kind = "TRIGGER" if name.endswith(("_insert", "_delete", "_update")) else "TABLE"
    return f"DROP {kind} {name}"


async def forwards():
    return raw_migration(
        app_name="board",
        migration_id=ID,
        description=DESCRIPTION,
        indexes=INDEXES,
        forwards=Statements(
            sqlite=tuple(SQLITE_SEARCH.values()),
            postgres=(*POSTGRES_FUNCTIONS.values(), *POSTGRES_COLUMNS),
        ),
        backwards=Statements(
            sqlite=[_sqlite_drop(name) for name in reversed(SQLITE_SEARCH)],
            postgres=(
                *POSTGRES_COLUMNS_BACKWARDS,
                *(f"DROP FUNCTION {signature}" for signature in reversed(POSTGRES_FUNCTIONS)),
            ),
        ),
    )
