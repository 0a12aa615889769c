"""Indexes the board's reads rely on, unique pairs, and full-text search per engine.

PostgreSQL: a stored ``tsvector`` per post in the post's own language (german, english,
french, spanish), title weighted above body, with a GIN index.
SQLite: FTS5 tables kept in step by triggers, diacritics folded; English posts go to a table
with the Porter stemmer, posts in other languages to one without stemming (SQLite has no
stemmer for German, French or Spanish; searches there match word beginnings instead).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-21T08:33:38:000000"
VERSION = "1.38.0"
DESCRIPTION = "Board indexes, unique pairs and full-text search"

COMMON = (
    "CREATE INDEX board_category_order ON board_category (position, id)",
    "CREATE INDEX board_category_forum ON board_category (forum_id)",
    "CREATE INDEX board_thread_by_activity "
    "ON board_thread (category, pinned, last_post_id)",
    "CREATE UNIQUE INDEX board_post_thread_position ON board_post (thread, position)",
    "CREATE INDEX board_post_author_created ON board_post (author, created_at)",
    "CREATE INDEX board_post_revision_post ON board_post_revision (post, revision)",
    "CREATE INDEX board_translation_post_locale ON board_translation (post, locale, status)",
    "CREATE UNIQUE INDEX board_translation_one_request "
    "ON board_translation (post, locale) WHERE status = 'requested'",
    "CREATE INDEX board_translation_queue ON board_translation (locale, id) "
    "WHERE status = 'requested'",
    "CREATE UNIQUE INDEX board_translation_watcher_unique "
    'ON board_translation_watcher (translation, "user")',
    'CREATE UNIQUE INDEX board_reaction_unique ON board_reaction (post, "user", kind)',
    'CREATE UNIQUE INDEX board_follow_unique ON board_follow (thread, "user")',
    'CREATE INDEX board_follow_user ON board_follow ("user")',
    "CREATE INDEX board_event_thread ON board_event (thread_id, id)",
    "CREATE INDEX board_event_category ON board_event (category_id, id)",
    "CREATE INDEX board_event_post ON board_event (post_id)",
    'CREATE UNIQUE INDEX board_flag_unique ON board_flag (post, "user")',
    "CREATE INDEX board_flag_open ON board_flag (post) WHERE resolved_at IS NULL",
    "CREATE INDEX board_moderation_action_created ON board_moderation_action (id)",
    'CREATE INDEX board_digest_item_pending ON board_digest_item ("user", id) '
    "WHERE sent_at IS NULL",
)

POSTGRES = (
    # Declared immutable so that the generated column may use it: the mapping is fixed here.
    """
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
    """
    ALTER TABLE board_post ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector(board_search_config(language), coalesce(title, '')), 'A')
        || setweight(to_tsvector(board_search_config(language), source), 'B')
    ) STORED
    """,
    "CREATE INDEX board_post_search ON board_post USING gin (search_vector)",
)

SQLITE_TABLES = {
    "board_post_fts": "unicode61 remove_diacritics 2",
    "board_post_fts_en": "porter unicode61 remove_diacritics 2",
}


def _sqlite() -> list[str]:
    statements = [
        f"CREATE VIRTUAL TABLE {table} USING fts5(title, source, content='board_post', "
        f"content_rowid='id', tokenize='{tokenizer}')"
        for table, tokenizer in SQLITE_TABLES.items()
    ]

    def insert(row: str) -> str:
        return (
            f"INSERT INTO board_post_fts (rowid, title, source) "
            f"SELECT {row}.id, {row}.title, {row}.source WHERE {row}.language <> 'en'; "
            f"INSERT INTO board_post_fts_en (rowid, title, source) "
            f"SELECT {row}.id, {row}.title, {row}.source WHERE {row}.language = 'en';"
        )

    def remove(row: str) -> str:
        return (
            f"INSERT INTO board_post_fts (board_post_fts, rowid, title, source) "
            f"SELECT 'delete', {row}.id, {row}.title, {row}.source WHERE {row}.language <> 'en'; "
            f"INSERT INTO board_post_fts_en (board_post_fts_en, rowid, title, source) "
            f"SELECT 'delete', {row}.id, {row}.title, {row}.source WHERE {row}.language = 'en';"
        )

    statements += [
        f"CREATE TRIGGER board_post_fts_insert AFTER INSERT ON board_post BEGIN {insert('new')} END",
        f"CREATE TRIGGER board_post_fts_delete AFTER DELETE ON board_post BEGIN {remove('old')} END",
        "CREATE TRIGGER board_post_fts_update AFTER UPDATE OF title, source, language "
        f"ON board_post BEGIN {remove('old')} {insert('new')} END",
    ]
    return statements


def _is_postgres(engine) -> bool:
    return engine.engine_type in ("postgres", "cockroach")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="board", description=DESCRIPTION)

    async def create():
        engine = engine_finder()
        specific = list(POSTGRES) if _is_postgres(engine) else _sqlite()
        for statement in (*COMMON, *specific):
            await engine.run_ddl(statement)

    manager.add_raw(create)
    return manager
