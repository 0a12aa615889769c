"""The ledger's indexes, and triggers that keep notices, the ledger and releases append-only.

Notices and events are proof: what a person was shown and what they decided. The triggers make
the database refuse to change or remove a row whoever asks, the service, a script or a
hand-typed statement; only dropping the table (or the trigger) gets past them, which no code
path does. PostgreSQL also refuses ``TRUNCATE``, which bypasses row triggers.

The one way out: retention deletes the events of a forum that has a row in ``consent_release``.
A release is accepted only for a forum that ended at least its ``proof_days`` (one at least)
before, and releases are append-only themselves, so that one cannot be slipped in for a forum
that is not over, or taken back. On SQLite an ``INSERT OR REPLACE`` removes the row it
conflicts with without firing delete triggers (unless recursive triggers are on): an insert
that would replace an event, a notice or a release is refused before the conflict is resolved.
PostgreSQL has no such statement (``ON CONFLICT DO UPDATE`` fires the update triggers).
"""

from mupass_forum.raw_migrations import Statements, raw_migration

ID = "2026-12-05T02:23:54:999999"
VERSION = "1.38.0"
DESCRIPTION = "Append-only consent notices, ledger and releases; the ledger's indexes"

INDEXES = {
    "consent_notice_forum_version": (
        "CREATE UNIQUE INDEX consent_notice_forum_version ON consent_notice (forum, version)"
    ),
    # The latest decision per (person, medium, purpose) of a forum is one index probe each.
    "consent_event_forum_user_pair": (
        'CREATE INDEX consent_event_forum_user_pair ON consent_event (forum, "user", medium, '
        "purpose, id)"
    ),
}

RELEASED = "EXISTS (SELECT 1 FROM consent_release r WHERE r.forum = OLD.forum)"
EVENT_KEPT = (
    "consent_event is append-only: rows are never changed, and removed only when their forum "
    "no longer needs them as proof"
)
PAST_PROOF_ONLY = "consent_release is only for forums past their proof period"


def _sqlite_refusal(name: str, when: str, table: str, message: str, condition: str = "") -> str:
    return (
        f"CREATE TRIGGER {name} BEFORE {when} ON {table} {condition}"
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
    )


#: Each ledger table, and what an insert conflicts with besides its id.
SQLITE_REPLACEABLE = {
    "consent_event": "",
    "consent_notice": " OR (forum = NEW.forum AND version = NEW.version)",
    "consent_release": " OR forum = NEW.forum",
}
SQLITE_PAST_PROOF = (
    "NEW.proof_days >= 1 AND EXISTS (SELECT 1 FROM forum f WHERE f.id = NEW.forum "
    "AND julianday(f.ends_at) + NEW.proof_days <= julianday('now'))"
)

SQLITE_TRIGGERS = {
    "consent_notice_no_update": _sqlite_refusal(
        "consent_notice_no_update",
        "UPDATE",
        "consent_notice",
        "consent_notice is append-only: rows are never changed or removed",
    ),
    "consent_notice_no_delete": _sqlite_refusal(
        "consent_notice_no_delete",
        "DELETE",
        "consent_notice",
        "consent_notice is append-only: rows are never changed or removed",
    ),
    "consent_event_no_update": _sqlite_refusal(
        "consent_event_no_update", "UPDATE", "consent_event", EVENT_KEPT
    ),
    "consent_event_no_delete": _sqlite_refusal(
        "consent_event_no_delete", "DELETE", "consent_event", EVENT_KEPT, f"WHEN NOT {RELEASED} "
    ),
    **{
        f"consent_release_no_{verb.lower()}": _sqlite_refusal(
            f"consent_release_no_{verb.lower()}",
            verb,
            "consent_release",
            "consent_release is append-only",
        )
        for verb in ("UPDATE", "DELETE")
    },
    "consent_release_past_proof": _sqlite_refusal(
        "consent_release_past_proof",
        "INSERT",
        "consent_release",
        PAST_PROOF_ONLY,
        f"WHEN NOT ({SQLITE_PAST_PROOF}) ",
    ),
    **{
        f"{table}_no_replace": _sqlite_refusal(
            f"{table}_no_replace",
            "INSERT",
            table,
            f"{table} is append-only: rows are never replaced",
            f"WHEN EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id{also}) ",
        )
        for table, also in SQLITE_REPLACEABLE.items()
    },
}

POSTGRES_FUNCTIONS = {
    "consent_reject_change()": """
CREATE FUNCTION consent_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: rows are never changed or removed', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$
""",
    "consent_event_reject_change()": f"""
CREATE FUNCTION consent_event_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND {RELEASED} THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '{EVENT_KEPT}' USING ERRCODE = 'restrict_violation';
END
$$
""",
    "consent_release_check()": f"""
CREATE FUNCTION consent_release_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.proof_days >= 1 AND EXISTS (
        SELECT 1 FROM forum f WHERE f.id = NEW.forum
        AND f.ends_at + make_interval(days => NEW.proof_days) <= now()
    ) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '{PAST_PROOF_ONLY}' USING ERRCODE = 'restrict_violation';
END
$$
""",
}

#: Trigger name: (table, when, for each, function).
POSTGRES_TRIGGERS = {
    "consent_notice_append_only": (
        "consent_notice",
        "UPDATE OR DELETE",
        "ROW",
        "consent_reject_change",
    ),
    "consent_event_append_only": (
        "consent_event",
        "UPDATE OR DELETE",
        "ROW",
        "consent_event_reject_change",
    ),
    "consent_release_append_only": (
        "consent_release",
        "UPDATE OR DELETE",
        "ROW",
        "consent_reject_change",
    ),
    "consent_release_past_proof": ("consent_release", "INSERT", "ROW", "consent_release_check"),
    **{
        f"{table}_no_truncate": (table, "TRUNCATE", "STATEMENT", "consent_reject_change")
        for table in ("consent_notice", "consent_event", "consent_release")
    },
}


async def forwards():
    return raw_migration(
        app_name="consent",
        migration_id=ID,
        description=DESCRIPTION,
        indexes=INDEXES,
        forwards=Statements(
            sqlite=tuple(SQLITE_TRIGGERS.values()),
            postgres=(
                *POSTGRES_FUNCTIONS.values(),
                *(
                    f"CREATE TRIGGER {name} BEFORE {when} ON {table} "
                    f"FOR EACH {each} EXECUTE FUNCTION {function}()"
                    for name, (table, when, each, function) in POSTGRES_TRIGGERS.items()
                ),
            ),
        ),
        backwards=Statements(
            sqlite=[f"DROP TRIGGER {name}" for name in reversed(SQLITE_TRIGGERS)],
            postgres=(
                *(
                    f"DROP TRIGGER {name} ON {table}"
                    for name, (table, *_) in reversed(POSTGRES_TRIGGERS.items())
                ),
                *(f"DROP FUNCTION {function}" for function in reversed(POSTGRES_FUNCTIONS)),
            ),
        ),
    )
