"""PostgreSQL: every word of every post and current translation, newest post first.

``board_search_term`` holds one row per lexeme of a text's ``search_vector`` (``translation``
0 for a post's own text), kept in step by triggers whenever a post or translation is written,
edited, replaced or removed. Its index on ``(term, post DESC)`` hands out the newest posts
holding a word as an index-only scan: a one-word search reads a bounded number of them rather
than fetching every match of a rarer word from the table through the GIN index before it can
keep the newest (``board/search.py``). A post's rows stay when it is hidden or deleted in
place: the search checks each post it keeps, as it does the GIN index's matches.

SQLite needs nothing here: FTS5 already hands out its matches newest first.
"""

from mupass_forum.raw_migrations import Statements, raw_migration

ID = "2026-12-06T00:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "A newest-first list of the posts holding each word, for one-word searches"

POSTGRES = (
    "CREATE TABLE board_search_term "
    "(term text NOT NULL, post integer NOT NULL, translation integer NOT NULL)",
    "INSERT INTO board_search_term (term, post, translation) "
    "SELECT unnest(tsvector_to_array(search_vector)), id, 0 FROM board_post",
    "INSERT INTO board_search_term (term, post, translation) "
    # A translation's words are listed while it is the version readers are shown.
    "SELECT unnest(tsvector_to_array(search_vector)), post, id FROM board_translation "
    "WHERE status = 'done' AND replaced_at IS NULL",
    # The newest posts of a word, read from the index alone (the table's columns are in it).
    "CREATE INDEX board_search_term_newest ON board_search_term (term, post DESC, translation)",
    # A text's rows, to replace or remove them.
    "CREATE INDEX board_search_term_text ON board_search_term (post, translation)",
    """
    CREATE FUNCTION board_search_term_post() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            DELETE FROM board_search_term WHERE post = OLD.id AND translation = 0;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            INSERT INTO board_search_term (term, post, translation)
            SELECT unnest(tsvector_to_array(NEW.search_vector)), NEW.id, 0;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE FUNCTION board_search_term_translation() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            DELETE FROM board_search_term WHERE post = OLD.post AND translation = OLD.id;
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.status = 'done' AND NEW.replaced_at IS NULL THEN
            INSERT INTO board_search_term (term, post, translation)
            SELECT unnest(tsvector_to_array(NEW.search_vector)), NEW.post, NEW.id;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    "CREATE TRIGGER board_search_term_post_written AFTER INSERT OR DELETE ON board_post "
    "FOR EACH ROW EXECUTE FUNCTION board_search_term_post()",
    "CREATE TRIGGER board_search_term_post_edited AFTER UPDATE ON board_post FOR EACH ROW "
    "WHEN (OLD.search_vector IS DISTINCT FROM NEW.search_vector) "
    "EXECUTE FUNCTION board_search_term_post()",
    "CREATE TRIGGER board_search_term_translation_written "
    "AFTER INSERT OR DELETE ON board_translation "
    "FOR EACH ROW EXECUTE FUNCTION board_search_term_translation()",
    "CREATE TRIGGER board_search_term_translation_edited AFTER UPDATE ON board_translation "
    "FOR EACH ROW WHEN ((OLD.post, OLD.status, OLD.replaced_at, OLD.search_vector) "
    "IS DISTINCT FROM (NEW.post, NEW.status, NEW.replaced_at, NEW.search_vector)) "
    "EXECUTE FUNCTION board_search_term_translation()",
)
POSTGRES_BACKWARDS = (
    "DROP TRIGGER board_search_term_translation_edited ON board_translation",
    "DROP TRIGGER board_search_term_translation_written ON board_translation",
    "DROP TRIGGER board_search_term_post_edited ON board_post",
    "DROP TRIGGER board_search_term_post_written ON board_post",
    "DROP FUNCTION board_search_term_translation()",
    "DROP FUNCTION board_search_term_post()",
    # Dropping the table drops its indexes.
    "DROP TABLE board_search_term",
)


async def forwards():
    return raw_migration(
        app_name="board",
        migration_id=ID,
        description=DESCRIPTION,
        forwards=Statements(postgres=POSTGRES),
        backwards=Statements(postgres=POSTGRES_BACKWARDS),
    )
