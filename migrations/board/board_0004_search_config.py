"""PostgreSQL: ``board_search_config`` answers a constant configuration per language.

As first written it cast the configuration's name to ``regconfig`` on every call, a catalogue
lookup by name each time: searches call it for every snippet and every form of the query,
and the triggers for every text written. Each branch is now a constant, cast once when the
function is planned; the configuration chosen for each language is the same.
"""

from mupass_forum.raw_migrations import Statements, raw_migration

ID = "2026-12-06T00:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "A constant text search configuration per language"


def _config(cast_each: str, cast_all: str) -> str:
    return f"""
    CREATE OR REPLACE FUNCTION board_search_config(language text) RETURNS regconfig
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE language
            WHEN 'de' THEN 'pg_catalog.german'{cast_each}
            WHEN 'en' THEN 'pg_catalog.english'{cast_each}
            WHEN 'fr' THEN 'pg_catalog.french'{cast_each}
            WHEN 'es' THEN 'pg_catalog.spanish'{cast_each}
            ELSE 'pg_catalog.simple'{cast_each}
        END{cast_all}
    $$
    """


async def forwards():
    return raw_migration(
        app_name="board",
        migration_id=ID,
        description=DESCRIPTION,
        forwards=Statements(postgres=[_config("::regconfig", "")]),
        backwards=Statements(postgres=[_config("", "::regconfig")]),
    )
