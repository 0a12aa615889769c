"""The audit of personal data, item by item: plant unique marks, act as people do, then search a
full dump of the database (every text, JSON and search column of every table) for the marks."""

from __future__ import annotations

import uuid
from typing import Any

from mupass_forum.mail.tables import OutboxMail
from mupass_forum.privacy import retention
from tests.privacy.conftest import (
    confirm_interest,
    into_the_past,
    person_with_profile,
    rows_naming,
    set_status,
)
from tests.registrations.conftest import register


def mark() -> str:
    return "Mk" + uuid.uuid4().hex[:12]


def run_retention(client, settings) -> list[retention.ForumWork]:
    return list(client.blocking_portal.call(lambda: retention.run(settings)))


def outbox(client, template: str) -> list[dict[str, Any]]:
    return list(
        client.blocking_portal.call(
            lambda: OutboxMail.select(OutboxMail.recipient, OutboxMail.text).where(
                OutboxMail.template == template
            )
        )
    )


def test_a_forum_nobody_closes_ends_with_its_dates(
    client, migrated, make_account, make_forum
) -> None:
    interested, dietary = mark(), mark()
    forum = make_forum(status="announced", capacity=5)
    confirm_interest(
        client, forum, f"keen-{uuid.uuid4().hex[:10]}@example.org", family_name=interested
    )
    set_status(client, forum, "registration_open")
    account, _, _ = person_with_profile(client, make_account)
    register(client, forum, account, dietary_needs=dietary)
    into_the_past(client, forum)
    assert client.blocking_portal.call(rows_naming, (interested, dietary))

    late, _, _ = person_with_profile(client, make_account)
    refused = client.post(
        f"/api/v1/forums/{forum.slug}/registrations", json={}, headers=late.headers
    )
    assert (refused.status_code, refused.json()["code"]) == (409, "registration_not_open")

    [work] = [work for work in run_retention(client, migrated) if work.forum_id == forum.id]
    assert (work.shred, work.registrations, work.interest, work.unclosed) == (True, 1, 1, True)
    assert client.blocking_portal.call(rows_naming, (interested, dietary)) == []
    told = [
        mail
        for mail in outbox(client, "privacy.forum_shredded_unclosed")
        if mail["recipient"] == forum.admin.email
    ]
    assert len(told) == 1
    assert "marked it as held" in told[0]["text"]
    # Still registration_open, and still closed for registration.
    assert (
        client.get(f"/api/v1/forums/{forum.slug}").json()["status"]["value"] == "registration_open"
    )
    assert forum.id not in {work.forum_id for work in run_retention(client, migrated)}
