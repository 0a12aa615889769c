"""Retention: past forums lose their personal details, keep their figures; the ledger lets go of
consent events only for forums released from the proof period."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from mupass_forum import db
from mupass_forum.consent.tables import ConsentEvent
from mupass_forum.privacy import retention
from mupass_forum.registrations.tables import Interest, Registration
from tests.privacy.conftest import (
    confirm_interest,
    into_the_past,
    person_with_profile,
    set_status,
)
from tests.registrations.conftest import register
from tests.test_cli import run_cli


def _stats(client, forum) -> dict[str, Any]:
    response = client.get(f"/api/v1/forums/{forum.slug}/stats", headers=forum.admin.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _past_forum(client, make_account, make_forum, *, status: str = "held"):
    """A forum that is over, with a registered participant who gave consent, and interest."""
    forum = make_forum(status="announced", capacity=5)
    confirm_interest(client, forum, f"keen-{uuid.uuid4().hex[:10]}@example.org", country="KE")
    set_status(client, forum, "registration_open")
    account, _, _ = person_with_profile(client, make_account, country="PE")
    register(
        client,
        forum,
        account,
        dietary_needs="no pork",
        travel_support_requested=True,
        interpretation_languages=["es"],
        consent=[{"decision": "granted"}],
    )
    into_the_past(client, forum)
    if status == "held":
        set_status(client, forum, "registration_closed", "held")
    return forum, account


async def _forum_rows(forum_id: int) -> dict[str, list[dict[str, Any]]]:
    return {
        "registrations": await Registration.select(
            Registration.dietary_needs,
            Registration.travel_support_requested,
            Registration.interpretation_languages,
            Registration.details_shredded_at,
        ).where(Registration.forum == forum_id),
        "interest": await Interest.select(
            Interest.email, Interest.given_name, Interest.country
        ).where(Interest.forum == forum_id),
        "consent": await ConsentEvent.select(ConsentEvent.id).where(ConsentEvent.forum == forum_id),
    }


def test_retention_shreds_details_keeps_figures_and_runs_once(
    client, migrated, make_account, make_forum
) -> None:
    forum, _ = _past_forum(client, make_account, make_forum)
    kept_forum, _ = _past_forum(client, make_account, make_forum)
    too_long = client.put(
        f"/api/v1/forums/{kept_forum.slug}/retention",
        json={"retention_days": 36500},
        headers=kept_forum.admin.headers,
    )
    assert too_long.status_code == 400
    assert too_long.json()["errors"][0]["code"] == "retention_too_long"
    response = client.put(
        f"/api/v1/forums/{kept_forum.slug}/retention",
        json={"retention_days": 3650},
        headers=kept_forum.admin.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["effective_days"] == 3650
    stats_before = _stats(client, forum)
    photo_list = f"/api/v1/forums/{forum.slug}/photo-list"
    assert client.get(photo_list, headers=forum.admin.headers).json()["entries"]

    settings = migrated.replace(consent_proof_days=36500)
    planned = client.blocking_portal.call(retention.plan, settings)
    [due] = [work for work in planned if work.forum_id == forum.id]
    assert (due.shred, due.registrations, due.interest, due.clear_consent) == (1, 1, 1, False)
    assert kept_forum.id not in {work.forum_id for work in planned}

    dry = client.blocking_portal.call(lambda: retention.run(settings, dry_run=True))
    assert forum.id in {work.forum_id for work in dry}
    rows = client.blocking_portal.call(_forum_rows, forum.id)
    assert rows["registrations"][0]["dietary_needs"] == "no pork"

    done = client.blocking_portal.call(lambda: retention.run(settings))
    [result] = [work for work in done if work.forum_id == forum.id]
    assert (result.registrations, result.interest, result.consent_events) == (1, 1, 0)
    rows = client.blocking_portal.call(_forum_rows, forum.id)
    [shredded] = rows["registrations"]
    assert shredded["dietary_needs"] == ""
    assert not shredded["travel_support_requested"]
    assert shredded["details_shredded_at"] is not None
    [interest] = rows["interest"]
    assert (interest["given_name"], interest["country"]) == ("", "KE")
    assert interest["email"].endswith("@erased.invalid")
    assert rows["consent"], "consent events stay until the proof period is over"
    assert _stats(client, forum) == stats_before
    gone = client.get(photo_list, headers=forum.admin.headers)
    assert (gone.status_code, gone.json()["code"]) == (410, "photo_list_shredded")
    kept = client.blocking_portal.call(_forum_rows, kept_forum.id)
    assert kept["registrations"][0]["dietary_needs"] == "no pork"

    # A second run finds nothing more to do.
    again = client.blocking_portal.call(lambda: retention.run(settings))
    assert forum.id not in {work.forum_id for work in again}
    state = client.get(f"/api/v1/forums/{forum.slug}/retention", headers=forum.admin.headers)
    assert state.json()["shredded_at"] is not None
    assert state.json()["consent_cleared_at"] is None


async def _delete_events(forum_id: int) -> None:
    async with db.transaction():
        await ConsentEvent.delete().where(ConsentEvent.forum == forum_id)


async def _update_events(forum_id: int) -> None:
    async with db.transaction():
        await ConsentEvent.update({ConsentEvent.decision: "granted"}).where(
            ConsentEvent.forum == forum_id
        )


def test_the_ledger_lets_go_only_of_released_forums(
    client, migrated, make_account, make_forum
) -> None:
    forum, _ = _past_forum(client, make_account, make_forum)
    with pytest.raises(Exception, match="append-only"):
        client.blocking_portal.call(_delete_events, forum.id)
    assert client.blocking_portal.call(_forum_rows, forum.id)["consent"]

    done = client.blocking_portal.call(lambda: retention.run(migrated))
    [result] = [work for work in done if work.forum_id == forum.id]
    assert result.clear_consent
    # Photos and videos, four uses each, granted at registration.
    assert result.consent_events == 8
    assert client.blocking_portal.call(_forum_rows, forum.id)["consent"] == []
    state = client.get(f"/api/v1/forums/{forum.slug}/retention", headers=forum.admin.headers)
    assert state.json()["consent_cleared_at"] is not None

    # Another forum's ledger is as protected as before, against changes too.
    other, _ = _past_forum(client, make_account, make_forum)
    for attempt in (_delete_events, _update_events):
        with pytest.raises(Exception, match="append-only"):
            client.blocking_portal.call(attempt, other.id)


def test_the_command_shows_what_would_go_then_removes_it(
    client, migrated, make_account, make_forum
) -> None:
    forum, _ = _past_forum(client, make_account, make_forum)
    env = {"MUPASS_DATABASE_URL": migrated.resolved_database_url, "MUPASS_MAIL_RELAY": "off"}
    dry = run_cli("retention", "run", "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    line = next(line for line in dry.stdout.splitlines() if line.startswith(forum.slug))
    assert "would remove details of 1 registrations, 1 interest records" in line
    assert "8 consent events" in line
    assert client.blocking_portal.call(_forum_rows, forum.id)["consent"]

    run = run_cli("retention", "run", env=env)
    assert run.returncode == 0, run.stderr
    assert any(line.startswith(f"{forum.slug} ") for line in run.stdout.splitlines())
    assert "removed" in run.stdout
    assert client.blocking_portal.call(_forum_rows, forum.id)["consent"] == []

    again = run_cli("retention", "run", env=env)
    assert again.returncode == 0, again.stderr
    assert "Nothing is due" in again.stdout
