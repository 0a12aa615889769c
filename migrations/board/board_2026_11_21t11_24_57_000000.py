"""Search finds posts through their current translations; PostgreSQL folds accents.

Translations: only the current version of a post in a locale (done, not replaced) is indexed,
in that locale's configuration. Versions replaced before this migration are marked so.

PostgreSQL folds accents without the ``unaccent`` extension (which needs the contrib package
and CREATE on the database): ``board_search_fold`` maps each accented letter to its base
letter, one character for one, and is the one definition that index, queries and snippets use.
Folding before stemming loses inflections the stemmers only recognise accented (Spanish
"participación" stems to "participacion", "participaciones" to "particip"); folding after
stemming misses queries typed without accents. So every word is indexed both ways, at the same
position: its stem folded and the stem of its folded form; a query asks for either.

SQLite: FTS5 tables for translations like those of posts (diacritics folded there already),
kept in step by triggers.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-21T11:24:57:000000"
VERSION = "1.38.0"
DESCRIPTION = "Search in translations; accents folded on PostgreSQL"

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

#: Versions that a newer one into the same locale replaced (the board shows the newest).
MARK_REPLACED = (
    "UPDATE board_translation SET replaced_at = coalesce(("
    "SELECT min(newer.completed_at) FROM board_translation newer "
    "WHERE newer.post = board_translation.post AND newer.locale = board_translation.locale "
    "AND newer.status = 'done' AND newer.id > board_translation.id), completed_at) "
    "WHERE status = 'done' AND EXISTS (SELECT 1 FROM board_translation newer "
    "WHERE newer.post = board_translation.post AND newer.locale = board_translation.locale "
    "AND newer.status = 'done' AND newer.id > board_translation.id)"
)

POSTGRES = (
    f"""
    CREATE FUNCTION board_search_fold(body text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT translate(body, '{ACCENTED}', '{PLAIN}')
    $$
    """,
    """
    CREATE FUNCTION board_search_vector(language text, body text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT (
            board_search_fold(to_tsvector(board_search_config(language), body)::text) || ' '
            || to_tsvector(board_search_config(language), board_search_fold(body))::text
        )::tsvector
    $$
    """,
    # The stem as typed too: snippets are marked in the text as written first.
    """
    CREATE FUNCTION board_search_query(language text, typed text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT board_search_fold(websearch_to_tsquery(board_search_config(language), typed)::text)::tsquery
            || websearch_to_tsquery(board_search_config(language), board_search_fold(typed))
            || websearch_to_tsquery(board_search_config(language), typed)
    $$
    """,
    # Dropping the column drops its index; adding it again computes it for every post.
    "ALTER TABLE board_post DROP COLUMN search_vector",
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
    "CREATE INDEX board_translation_search ON board_translation USING gin (search_vector) "
    "WHERE status = 'done' AND replaced_at IS NULL",
)

SQLITE_TABLES = {
    "board_translation_fts": "unicode61 remove_diacritics 2",
    "board_translation_fts_en": "porter unicode61 remove_diacritics 2",
}
CURRENT = "{row}.status = 'done' AND {row}.replaced_at IS NULL AND {row}.source IS NOT NULL"


def _sqlite() -> list[str]:
    statements = [
        f"CREATE VIRTUAL TABLE {table} USING fts5(source, content='board_translation', "
        f"content_rowid='id', tokenize='{tokenizer}')"
        for table, tokenizer in SQLITE_TABLES.items()
    ]

    def insert(row: str) -> str:
        current = CURRENT.format(row=row)
        return (
            f"INSERT INTO board_translation_fts (rowid, source) "
            f"SELECT {row}.id, {row}.source WHERE {current} AND {row}.locale <> 'en'; "
            f"INSERT INTO board_translation_fts_en (rowid, source) "
            f"SELECT {row}.id, {row}.source WHERE {current} AND {row}.locale = 'en';"
        )

    def remove(row: str) -> str:
        current = CURRENT.format(row=row)
        return (
            f"INSERT INTO board_translation_fts (board_translation_fts, rowid, source) "
            f"SELECT 'delete', {row}.id, {row}.source WHERE {current} AND {row}.locale <> 'en'; "
            f"INSERT INTO board_translation_fts_en (board_translation_fts_en, rowid, source) "
            f"SELECT 'delete', {row}.id, {row}.source WHERE {current} AND {row}.locale = 'en';"
        )

    current = CURRENT.format(row="board_translation")
    statements += [
        "CREATE TRIGGER board_translation_fts_insert AFTER INSERT ON board_translation "
        f"BEGIN {insert('new')} END",
        "CREATE TRIGGER board_translation_fts_delete AFTER DELETE ON board_translation "
        f"BEGIN {remove('old')} END",
        "CREATE TRIGGER board_translation_fts_update "
        "AFTER UPDATE OF status, source, locale, replaced_at ON board_translation "
        f"BEGIN {remove('old')} {insert('new')} END",
        "INSERT INTO board_translation_fts (rowid, source) SELECT id, source "
        f"FROM board_translation WHERE {current} AND locale <> 'en'",
        "INSERT INTO board_translation_fts_en (rowid, source) SELECT id, source "
        f"FROM board_translation WHERE {current} AND locale = 'en'",
    ]
    return statements


def _is_postgres(engine) -> bool:
    return engine.engine_type in ("postgres", "cockroach")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="board", description=DESCRIPTION)

    async def create():
        engine = engine_finder()
        specific = list(POSTGRES) if _is_postgres(engine) else _sqlite()
        for statement in (MARK_REPLACED, *specific):
            await engine.run_ddl(statement)

    manager.add_raw(create)
    return manager
