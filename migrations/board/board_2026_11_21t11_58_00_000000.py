"""PostgreSQL search asks for each distinct form of the query once.

A search asks for every word in four configurations and, for each, in three forms (its stem,
the stem folded, the stem of the folded word); mostly they are the same lexeme, and
``ts_rank_cd`` pays for every repetition: ranking the thousand matches of a rare word took
four times as long as with each form once. ``board_search_forms`` gives the forms of one
configuration, ``board_search_any`` joins the distinct non-empty ones with OR (NULL, matching
nothing, when there are none). SQLite: nothing to do.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-21T11:58:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Search asks for each distinct form of the query once"

POSTGRES = (
    """
    CREATE FUNCTION board_search_forms(language text, typed text) RETURNS tsquery[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT ARRAY[
            board_search_fold(websearch_to_tsquery(board_search_config(language), typed)::text)::tsquery,
            websearch_to_tsquery(board_search_config(language), board_search_fold(typed)),
            websearch_to_tsquery(board_search_config(language), typed)
        ]
    $$
    """,
    """
    CREATE FUNCTION board_search_any(forms tsquery[]) RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT string_agg(DISTINCT '(' || form::text || ')', ' | ')::tsquery
        FROM unnest(forms) form WHERE numnode(form) > 0
    $$
    """,
    "DROP FUNCTION board_search_query(text, text)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="board", description=DESCRIPTION)

    async def create():
        engine = engine_finder()
        if engine.engine_type in ("postgres", "cockroach"):
            for statement in POSTGRES:
                await engine.run_ddl(statement)

    manager.add_raw(create)
    return manager
