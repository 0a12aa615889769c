"""The audit of personal data, item by item: plant unique marks, act as people do, then search a
full dump of the database (every text, JSON and search column of every table) for the marks."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from mupass_forum.mail.tables import OutboxMail
from mupass_forum.privacy import retention
from tests.pages.conftest import submit
from tests.pages.html import page_of
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


async def _slipped_through(forum_id: int, user_id: int, dietary: str, reason: str) -> None:
    """Writes that reached the database after shredding (as they did before they were refused)."""
    from datetime import UTC, datetime

    from mupass_forum import db
    from mupass_forum.registrations.tables import Registration, RegistrationStatusChange

    async with db.transaction():
        [row] = (
            await Registration.update(
                {Registration.dietary_needs: dietary, Registration.updated_at: datetime.now(UTC)}
            )
            .where(Registration.forum == forum_id, Registration.user == user_id)
            .returning(Registration.id)
        )
        await RegistrationStatusChange.insert(
            RegistrationStatusChange(registration=row["id"], to_status="attended", reason=reason)
        )


async def _late_consent_event(forum_id: int, user_id: int) -> None:
    from mupass_forum import db
    from mupass_forum.consent.tables import ConsentEvent, ConsentNotice

    async with db.transaction():
        [notice] = await ConsentNotice.select(ConsentNotice.id, ConsentNotice.version).where(
            ConsentNotice.forum == forum_id
        )
        await ConsentEvent.insert(
            ConsentEvent(
                user=user_id, forum=forum_id, medium="photo", purpose="internal",
                decision="refused", notice=notice["id"], notice_version=notice["version"],
                notice_locale="en", notice_sha256="0" * 64, channel="self_service",
            )
        )  # fmt: skip


def test_nothing_is_written_after_shredding_and_what_was_goes_at_the_next_run(
    client, migrated, make_account, make_forum
) -> None:
    from tests.privacy.test_retention import _past_forum

    forum, account = _past_forum(client, make_account, make_forum)
    settings = migrated.replace(consent_proof_days=36500)
    assert forum.id in {work.forum_id for work in run_retention(client, settings)}
    dietary, reason, late_dietary, late_reason = mark(), mark(), mark(), mark()

    mine = f"/api/v1/forums/{forum.slug}/registrations/mine"
    edited = client.patch(mine, json={"dietary_needs": dietary}, headers=account.headers)
    assert (edited.status_code, edited.json()["code"]) == (410, "forum_shredded")
    registration = client.get(mine, headers=account.headers).json()
    checked_in = client.post(
        f"/api/v1/forums/{forum.slug}/registrations/{registration['id']}/decision",
        json={"action": "check_in", "reason": reason},
        headers=forum.admin.headers,
    )
    assert (checked_in.status_code, checked_in.json()["code"]) == (410, "forum_shredded")
    # Consent may still be withdrawn while its proof is kept (photos may still be in use) ...
    consent = f"/api/v1/forums/{forum.slug}/consent"
    withdrawn = client.post(
        consent, json={"choices": [{"decision": "refused"}]}, headers=account.headers
    )
    assert withdrawn.status_code in (200, 201), withdrawn.text

    # ... and once the proof period is over, the ledger of the forum takes nothing more.
    assert forum.id in {work.forum_id for work in run_retention(client, migrated)}
    refused = client.post(
        consent, json={"choices": [{"decision": "refused"}]}, headers=account.headers
    )
    assert (refused.status_code, refused.json()["code"]) == (410, "consent_released")

    # Whatever slipped through goes at the next run.
    client.blocking_portal.call(_slipped_through, forum.id, account.id, late_dietary, late_reason)
    client.blocking_portal.call(_late_consent_event, forum.id, account.id)
    [work] = [work for work in run_retention(client, migrated) if work.forum_id == forum.id]
    assert (work.registrations, work.consent_events, work.unclosed) == (1, 1, False)
    marks = (dietary, reason, late_dietary, late_reason)
    assert client.blocking_portal.call(rows_naming, marks) == []
    assert forum.id not in {work.forum_id for work in run_retention(client, migrated)}


def _board(client, make_account):
    admin = make_account(platform_admin=True)
    return client.post(
        "/api/v1/board/categories",
        json={"slug": f"audit-{uuid.uuid4().hex[:10]}", "name": {"en": "Audit"}},
        headers=admin.headers,
    ).json()


def _thread(client, category, author, title: str, body: str):
    """A thread in English; returns it and its opening post."""
    thread = client.post(
        "/api/v1/board/threads",
        json={"category_id": category["id"], "title": title, "language": "en", "body": body},
        headers=author.headers,
    ).json()
    [opening] = client.get(f"/api/v1/board/threads/{thread['id']}/posts").json()["items"]
    return thread, opening


def test_deleting_my_post_removes_its_text_everywhere(client, make_account) -> None:
    written, edited, translated, own_translation = mark(), mark(), mark(), mark()
    category = _board(client, make_account)
    reader = make_account()
    author = make_account()
    translator = make_account(translator_locales=["de"])
    thread = client.post(
        "/api/v1/board/threads",
        json={"category_id": category["id"], "title": "Audit", "language": "en", "body": "Hi"},
        headers=reader.headers,
    ).json()
    assert client.put(
        f"/api/v1/board/threads/{thread['id']}/follow", headers=reader.headers
    ).is_success
    post = client.post(
        f"/api/v1/board/threads/{thread['id']}/posts",
        json={"body": f"Procurement {written}", "language": "en"},
        headers=author.headers,
    ).json()
    base = f"/api/v1/board/posts/{post['id']}"
    assert client.patch(
        base, json={"body": f"Procurement {edited}"}, headers=author.headers
    ).is_success
    assert client.post(
        f"{base}/translations", json={"locale": "de"}, headers=reader.headers
    ).is_success
    done = client.post(
        f"/api/v1/translations/tasks/board_post:{post['id']}:body:de",
        json={"text": f"Beschaffung {translated}"},
        headers=translator.headers,
    )
    assert done.is_success, done.text
    assert client.post(
        f"{base}/translations",
        json={"locale": "es", "body": f"Compras {own_translation}"},
        headers=author.headers,
    ).is_success
    marks = (written, edited, translated, own_translation)
    found = client.blocking_portal.call(rows_naming, marks)
    assert any(line.startswith("mail_outbox") for line in found), found
    assert client.get(f"/api/v1/board/search?q={edited}").json()["items"]

    assert client.delete(base, headers=author.headers).status_code == 204
    assert client.blocking_portal.call(rows_naming, marks) == []
    for term in marks:
        assert client.get(f"/api/v1/board/search?q={term}").json()["items"] == []
    exported = client.get("/api/v1/me/export", headers=reader.headers).text
    assert not any(term in exported for term in marks)
    # A tombstone keeps the conversation's numbering; the reply mail keeps its news.
    posts = client.get(f"/api/v1/board/threads/{thread['id']}/posts").json()["items"]
    assert [item["id"] for item in posts][1:] == [post["id"]]
    [reply] = [
        mail
        for mail in outbox(client, "board.reply")
        if mail["recipient"] == reader.email and f"around={post['id']}" in mail["text"]
    ]
    assert "[This text was removed.]" in reply["text"]


def test_erasure_removes_posts_titles_quotes_and_mentions(client, make_account) -> None:
    title, first, edited, reply, translated, kept_draft = (mark() for _ in range(6))
    category = _board(client, make_account)
    person, family_name, display_name = person_with_profile(client, make_account)
    follower = make_account()
    translator = make_account(translator_locales=["de"])
    admin = make_account(platform_admin=True)
    thread, opening = _thread(client, category, person, f"Tenders {title}", f"Opening {first}")
    posts = f"/api/v1/board/threads/{thread['id']}/posts"
    assert client.patch(
        f"/api/v1/board/posts/{opening['id']}",
        json={"body": f"Opening {edited}"},
        headers=person.headers,
    ).is_success
    assert client.put(
        f"/api/v1/board/threads/{thread['id']}/follow", headers=follower.headers
    ).is_success
    answer = client.post(
        posts, json={"body": f"Answer {reply}", "language": "en"}, headers=person.headers
    ).json()
    assert client.post(
        f"/api/v1/board/posts/{answer['id']}/translations",
        json={"locale": "de"},
        headers=follower.headers,
    ).is_success
    assert client.post(
        f"/api/v1/translations/tasks/board_post:{answer['id']}:body:de",
        json={"text": f"Antwort {translated}"},
        headers=translator.headers,
    ).is_success
    mention = f"[@{display_name}](mention:{person.id})"
    other = client.post(
        posts,
        json={"body": f"As {mention} said", "language": "en"},
        headers=follower.headers,
    ).json()
    assert client.patch(
        f"/api/v1/board/posts/{other['id']}",
        json={"body": f"As {mention} wrote"},
        headers=follower.headers,
    ).is_success
    assert client.get(f"/api/v1/board/search?q={family_name}").json()["items"]
    # Someone else, erased without removing posts: the post stays, its earlier versions go.
    keeper = make_account()
    kept = client.post(
        posts, json={"body": f"Draft {kept_draft}", "language": "en"}, headers=keeper.headers
    ).json()
    assert client.patch(
        f"/api/v1/board/posts/{kept['id']}", json={"body": "Final"}, headers=keeper.headers
    ).is_success

    marks = (title, first, edited, reply, translated, family_name, person.email)
    found = client.blocking_portal.call(rows_naming, marks)
    assert any(line.startswith("mail_outbox") for line in found), found
    for account, remove_posts in ((person, True), (keeper, False)):
        response = client.post(
            f"/api/v1/admin/users/{account.id}/erasure",
            json={"remove_posts": remove_posts},
            headers=admin.headers,
        )
        assert response.status_code == 200, response.text

    assert client.blocking_portal.call(rows_naming, marks) == []
    # A post that stays is quoted as it was in mails to others; its earlier versions are gone.
    left = client.blocking_portal.call(rows_naming, (kept_draft,))
    assert [line.split(":")[0] for line in left] == ["mail_outbox"], left
    for term in (family_name, title, reply):
        assert client.get(f"/api/v1/board/search?q={term}").json()["items"] == []
    rewritten = client.get(f"/api/v1/board/posts/{other['id']}").json()
    assert "former participant" in rewritten["html"]
    assert client.get(f"/api/v1/board/posts/{kept['id']}").json()["html"] == "<p>Final</p>\n"


async def _try(sql: str, *args: Any) -> str:
    """Run ``sql`` in a transaction; what the database said, or "accepted"."""
    from mupass_forum import db
    from mupass_forum.consent.tables import ConsentEvent

    try:
        async with db.transaction():
            await ConsentEvent.raw(sql, *args).run()
    except Exception as exc:
        return str(exc)
    return "accepted"


async def _decisions(forum_id: int) -> list[str]:
    from mupass_forum.consent.tables import ConsentEvent

    rows = await ConsentEvent.select(ConsentEvent.decision).where(ConsentEvent.forum == forum_id)
    return sorted(row["decision"] for row in rows)


def test_the_ledger_cannot_be_rewritten(client, make_account, make_forum) -> None:
    from tests.conftest import on_postgres

    forum = make_forum(status="registration_open", capacity=5)
    account, _, _ = person_with_profile(client, make_account)
    register(client, forum, account, consent=[{"decision": "granted"}])
    consent = f"/api/v1/forums/{forum.slug}/consent"
    assert client.post(
        consent, json={"choices": [{"decision": "refused"}]}, headers=account.headers
    ).is_success
    decisions = client.blocking_portal.call(_decisions, forum.id)
    assert decisions.count("refused") == 8

    for proof_days in (1, 0, -100000):
        said = client.blocking_portal.call(
            _try,
            "INSERT INTO consent_release (forum, released_at, proof_days) VALUES ({}, {}, {})",
            forum.id,
            datetime.now(UTC),
            proof_days,
        )
        assert "past their proof period" in said, said
    said = client.blocking_portal.call(
        _try, "DELETE FROM consent_event WHERE forum = {} AND decision = 'refused'", forum.id
    )
    assert "append-only" in said, said
    if not on_postgres():
        said = client.blocking_portal.call(
            _try,
            'INSERT OR REPLACE INTO consent_event (id, "user", forum, medium, purpose, '
            "decision, notice, notice_version, notice_locale, notice_sha256, channel, "
            "recorded_at) SELECT id, \"user\", forum, medium, purpose, 'granted', notice, "
            "notice_version, notice_locale, notice_sha256, channel, recorded_at "
            "FROM consent_event WHERE forum = {} AND decision = 'refused' LIMIT 1",
            forum.id,
        )
        assert "never replaced" in said, said
    assert client.blocking_portal.call(_decisions, forum.id) == decisions


async def _ledger(forum_id: int, user_id: int) -> list[dict[str, Any]]:
    from mupass_forum.consent.tables import ConsentEvent

    return list(
        await ConsentEvent.select(ConsentEvent.decision, ConsentEvent.notice_locale).where(
            ConsentEvent.forum == forum_id, ConsentEvent.user == user_id
        )
    )


def test_a_withdrawal_link_with_nothing_to_withdraw_writes_and_sends_nothing(
    client, make_account, make_forum
) -> None:
    import re
    from urllib.parse import urlsplit

    from mupass_forum.consent.links import withdrawal_link

    forum = make_forum(status="registration_open", capacity=5)
    account, _, _ = person_with_profile(client, make_account, account={"locale": "es"})
    register(client, forum, account, consent=[{"decision": "granted"}])
    link = urlsplit(withdrawal_link(account.id, forum.id, locale="es"))
    path = f"{link.path}?{link.query}"
    browser = {"Accept": "text/html", "Accept-Language": "de"}
    page = client.get(path, headers=browser)
    assert page.status_code == 200 and '<html lang="es">' in page.text
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert action is not None
    target = f"{link.path}{action[1].replace('&amp;', '&')}"
    done = client.post(target, headers=browser)
    assert done.status_code == 200 and '<html lang="es">' in done.text
    ledger = client.blocking_portal.call(_ledger, forum.id, account.id)
    assert len(ledger) == 16
    assert {row["notice_locale"] for row in ledger if row["decision"] == "refused"} == {"es"}

    def receipts() -> int:
        return len(
            [m for m in outbox(client, "consent.recorded") if m["recipient"] == account.email]
        )

    assert receipts() == 1
    again = client.post(target, headers=browser)
    assert again.status_code == 200, again.text
    assert "<button" not in client.get(path, headers=browser).text
    assert client.post(path).json()["withdrawn"] is False
    assert len(client.blocking_portal.call(_ledger, forum.id, account.id)) == 16
    assert receipts() == 1

    # After erasure the link of someone who still consents finds nothing and mails nobody.
    granting, _, _ = person_with_profile(client, make_account)
    register(client, forum, granting, consent=[{"decision": "granted"}])
    admin = make_account(platform_admin=True)
    erased = client.post(
        f"/api/v1/admin/users/{granting.id}/erasure", json={}, headers=admin.headers
    )
    assert erased.status_code == 200, erased.text
    link = urlsplit(withdrawal_link(granting.id, forum.id))
    before = len(outbox(client, "consent.recorded"))
    assert client.get(f"{link.path}?{link.query}").json()["can_withdraw"] is False
    after_erasure = client.post(f"{link.path}?{link.query}")
    assert after_erasure.status_code == 200, after_erasure.text
    assert after_erasure.json()["withdrawn"] is False
    assert len(outbox(client, "consent.recorded")) == before
    assert len(client.blocking_portal.call(_ledger, forum.id, granting.id)) == 8


async def _age(table: str, column: str, days: int, where: str, *args: Any) -> None:
    """Move a store's timestamps back, as if ``days`` had passed."""
    from datetime import timedelta

    from mupass_forum import db
    from mupass_forum.accounts.tables import User

    async with db.transaction():
        await User.raw(
            f"UPDATE {table} SET {column} = {{}} WHERE {where}",
            datetime.now(UTC) - timedelta(days=days),
            *args,
        ).run()


def test_every_store_has_a_period_and_retention_empties_what_is_due(
    client, migrated, make_account, make_forum
) -> None:
    browser, unconfirmed, mailed, posted, rejected, note, message = (mark() for _ in range(7))
    age = client.blocking_portal.call

    # A signed-out session with its browser, a used link with its address.
    account = make_account(sign_in=False, email=f"{mailed.lower()}@example.org")
    login = client.post(
        "/api/v1/auth/login",
        json={"email": account.email, "password": account.password},
        headers={"User-Agent": f"Browser {browser}"},
    )
    token = login.json()["token"]
    assert client.post(
        "/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"}
    ).is_success
    age(_age, "account_session", "revoked_at", 31, '"user" = {}', account.id)
    assert client.post("/api/v1/auth/password-reset", json={"email": account.email}).is_success
    age(_age, "account_one_time_token", "expires_at", 8, '"user" = {}', account.id)
    # The mails sent to the address.
    client.blocking_portal.call(
        lambda: OutboxMail.update({OutboxMail.status: "sent"}).where(
            OutboxMail.recipient == account.email
        )
    )
    age(_age, "mail_outbox", "created_at", 91, "recipient = {}", account.email)
    # A sign-up nobody confirmed.
    address = f"{unconfirmed.lower()}@example.org"
    assert client.post(
        "/api/v1/auth/signup",
        json={
            "email": address,
            "password": f"pass-{uuid.uuid4().hex}",
            "display_name": "New",
            "locale": "en",
            "timezone": "Europe/Berlin",
        },
    ).is_success
    age(_age, "account_user", "created_at", 31, "email = {}", address)
    # A board post's copy in the live events.
    category = _board(client, make_account)
    writer = make_account()
    client.post(
        "/api/v1/board/threads",
        json={
            "category_id": category["id"],
            "title": "Events",
            "language": "en",
            "body": f"Copy {posted}",
        },
        headers=writer.headers,
    )
    age(_age, "board_event", "created_at", 31, "payload LIKE {}", f"%{posted}%")
    client.post(
        "/api/v1/board/threads",
        json={"category_id": category["id"], "title": "Newer", "language": "en", "body": "x"},
        headers=writer.headers,
    )
    marks = (browser, mailed, unconfirmed, posted)
    found = client.blocking_portal.call(rows_naming, marks)
    assert {line.split(":")[0] for line in found} >= {
        "account_session",
        "account_one_time_token",
        "mail_outbox",
        "board_event",
    }, found

    dry = client.blocking_portal.call(lambda: retention.run_stores(migrated, dry_run=True))
    due = {work.store: work.count for work in dry}
    assert set(due) >= {
        "ended sessions",
        "used or expired mailed links",
        "sent mails",
        "unconfirmed accounts",
        "board live events",
    }, due
    assert client.blocking_portal.call(rows_naming, marks)
    done = client.blocking_portal.call(lambda: retention.run_stores(migrated))
    assert {work.store: work.count for work in done} == due
    # The confirmed account and the post itself stay; their copies in the stores are gone.
    assert client.blocking_portal.call(rows_naming, (browser, unconfirmed)) == []
    left = {line.split(":")[0] for line in client.blocking_portal.call(rows_naming, marks)}
    assert not left & {"account_session", "account_one_time_token", "mail_outbox", "board_event"}
    assert client.blocking_portal.call(lambda: retention.run_stores(migrated, dry_run=True)) == []

    # A forum's proposals and the organizers' notes go with its personal details.
    forum = make_forum(status="announced", capacity=5)
    author, _, _ = person_with_profile(client, make_account)
    set_status(client, forum, "registration_open")
    register(client, forum, author)
    ids = []
    for title in (rejected, "Kept on the programme"):
        proposal = client.post(
            f"/api/v1/forums/{forum.slug}/proposals",
            json={
                "title": {"en": title},
                "abstract": {"en": "Abstract"},
                "format": "talk",
                "delivery_language": "en",
            },
            headers=author.headers,
        )
        assert proposal.status_code == 201, proposal.text
        ids.append(proposal.json()["id"])
    base = f"/api/v1/forums/{forum.slug}/proposals"
    for proposal_id, outcome in zip(ids, ("reject", "accept"), strict=True):
        assert client.post(
            f"{base}/{proposal_id}/comments", json={"text": note}, headers=forum.admin.headers
        ).is_success
        decided = client.post(
            f"{base}/{proposal_id}/decision",
            json={"outcome": outcome, "message": message},
            headers=forum.admin.headers,
        )
        assert decided.status_code == 200, decided.text
    into_the_past(client, forum)
    set_status(client, forum, "registration_closed", "held")
    client.blocking_portal.call(
        lambda: OutboxMail.update({OutboxMail.status: "sent"}).where(
            OutboxMail.text.like(f"%/forums/{forum.slug}/%")
        )
    )
    assert client.blocking_portal.call(rows_naming, (rejected, note, message))
    [work] = [work for work in run_retention(client, migrated) if work.forum_id == forum.id]
    assert work.proposals == 3 and work.mails >= 1
    assert client.blocking_portal.call(rows_naming, (rejected, note, message)) == []


def test_co_members_see_an_address_only_where_its_owner_shows_it(
    client, make_account, make_organization
) -> None:
    institute = make_organization()["id"]
    admin = make_account(organizations={institute: "admin"})
    hidden, shown, reader = (
        make_account(organizations={institute: "member"}, email=f"{mark().lower()}@example.org")
        for _ in range(3)
    )
    for account, show in ((hidden, False), (shown, True)):
        response = client.put(
            "/api/v1/me/profile",
            json={"given_name": "A", "family_name": "B", "country": "DE", "show_email": show},
            headers=account.headers,
        )
        assert response.status_code == 200, response.text
    members = f"/api/v1/organizations/{institute}/members"
    seen = {m["user_id"]: m["email"] for m in client.get(members, headers=reader.headers).json()}
    assert seen[hidden.id] is None
    assert seen[shown.id] == shown.email
    assert seen[reader.id] == reader.email
    assert hidden.email not in client.get(members, headers=reader.headers).text
    managed = {m["user_id"]: m["email"] for m in client.get(members, headers=admin.headers).json()}
    assert managed[hidden.id] == hidden.email


def test_logs_name_mails_by_id_and_keep_tokens_out(make_mail_client, smtp_server, caplog) -> None:
    import logging

    relaying = make_mail_client()
    # After the app is made: it sets the service's level from the test settings.
    caplog.set_level(logging.INFO, logger="mupass_forum")
    caplog.set_level(logging.INFO, logger="uvicorn.access")
    delivered, refused = (f"{mark().lower()}@example.org" for _ in range(2))
    smtp_server.refuse(refused, 550)
    for address in (delivered, refused):
        response = relaying.post(
            "/api/v1/auth/signup",
            json={
                "email": address,
                "password": f"pass-{uuid.uuid4().hex}",
                "display_name": "Logged",
                "locale": "en",
                "timezone": "Europe/Berlin",
            },
        )
        assert response.status_code == 202, response.text
    [message] = smtp_server.wait_for(to=delivered, count=1)
    token = re.search(r"token=([A-Za-z0-9_\-.%]+)", str(message)).group(1)
    wait_until(lambda: "parked" in caplog.text)
    assert "sent (1 recipients)" in caplog.text
    assert delivered not in caplog.text.lower() and refused not in caplog.text.lower()

    # uvicorn's access log line for a mailed link, as uvicorn writes it.
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d',
        "127.0.0.1:5000",
        "GET",
        f"/api/v1/consent/withdrawal?token={token}&lang=es",
        "1.1",
        200,
    )
    assert "/api/v1/consent/withdrawal?token=…&lang=es" in caplog.text
    assert token not in caplog.text


def wait_until(condition, seconds: float = 10) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.05)


_SEARCH_FILES = """
import json, sys
names, traces = json.loads(sys.argv[1]), json.loads(sys.argv[2])
found = []
for name in names:
    try:
        content = open(name, "rb").read().lower()
    except FileNotFoundError:
        continue
    found += [f"{name}: {trace}" for trace in traces if trace.encode() in content]
print(json.dumps(found))
"""


def _in_files(names: list[str], traces: list[str]) -> list[str]:
    """The traces found in the files' bytes. Read by another process: closing any descriptor
    of the database file drops this process's POSIX locks on it, and SQLite in another process
    would then take its WAL for unused."""
    import json
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", _SEARCH_FILES, json.dumps(names), json.dumps(traces)],
        capture_output=True,
        text=True,
        check=True,
    )
    return list(json.loads(result.stdout))


def test_the_sqlite_file_and_its_wal_keep_no_erased_text(
    client, migrated, make_account, make_forum
) -> None:
    import pytest

    from mupass_forum import db
    from tests.conftest import on_postgres

    if on_postgres():
        pytest.skip("PostgreSQL dumps hold live rows only; the file test is SQLite's")
    words = [mark() for _ in range(4)]
    forum = make_forum(status="registration_open", capacity=5)
    attendee, _, _ = person_with_profile(client, make_account)
    register(client, forum, attendee, dietary_needs=f"Needs {words[3]}")
    into_the_past(client, forum)
    set_status(client, forum, "registration_closed", "held")
    assert forum.id in {work.forum_id for work in run_retention(client, migrated)}
    category = _board(client, make_account)
    person, family_name, _ = person_with_profile(client, make_account)
    _, opening = _thread(client, category, person, f"Title {words[0]}", f"Body {words[1]}")
    client.patch(
        f"/api/v1/board/posts/{opening['id']}",
        json={"body": f"Edited {words[2]}"},
        headers=person.headers,
    )
    admin = make_account(platform_admin=True)
    response = client.post(
        f"/api/v1/admin/users/{person.id}/erasure",
        json={"remove_posts": True},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text

    path = db.sqlite_path(migrated.resolved_database_url)
    traces = [w.lower() for w in (*words, family_name, person.email)]
    assert _in_files([path, f"{path}-wal"], traces) == []
    # What stays is found the same way: the search could find the others.
    assert _in_files([path, f"{path}-wal"], [category["slug"].lower()])


def test_the_export_holds_what_is_about_me_and_nobody_elses_texts(
    client, make_account, make_everyone_knows
) -> None:
    person = make_everyone_knows()
    note, translated = mark(), mark()
    exported = client.get("/api/v1/me/export", headers=person.account.headers).json()
    [proposal] = exported["sections"]["proposals"]["proposals"]
    response = client.post(
        f"/api/v1/forums/{person.past.slug}/proposals/{proposal['id']}/comments",
        json={"text": f"Strong case {note}"},
        headers=person.past.admin.headers,
    )
    assert response.is_success, response.text
    # A translator answers the translation the person asked for: the translator's text.
    [asked] = [
        item for item in exported["sections"]["board"]["translations"] if item["locale"] == "de"
    ]
    translator = make_account(translator_locales=["de"])
    done = client.post(
        f"/api/v1/translations/tasks/board_post:{asked['post']}:body:de",
        json={"text": f"Hallo {translated}"},
        headers=translator.headers,
    )
    assert done.is_success, done.text

    document = client.get("/api/v1/me/export", headers=person.account.headers)
    text = document.text
    sections = document.json()["sections"]
    assert note in text
    notes = sections["proposals"]["notes_on_my_proposals"]
    assert any(item["text"].endswith(note) for item in notes)
    assert translated not in text
    assert sections["board"]["translation_watches"]
    assert all(isinstance(thread["tags"], list) for thread in sections["board"]["threads"])
    assert all("ticket" in row for row in sections["registrations"]["registrations"])
    # The person's own translation keeps its text.
    assert any(
        item["translated_by_me"] and item["source"] == "Hola"
        for item in sections["board"]["translations"]
    )
    assert str(translator.id) not in {
        str(item.get("translator")) for item in sections["board"]["translations"]
    }


def test_someone_without_an_account_downloads_and_erases_their_data_by_a_mailed_link(
    client, make_forum
) -> None:
    from urllib.parse import unquote, urlsplit

    family_name, topic = mark(), mark()
    address = f"{mark().lower()}@example.org"
    forum = make_forum(status="announced")
    confirm_interest(
        client, forum, address, family_name=family_name, presentation_topic=f"On {topic}"
    )
    marks = (family_name, topic, address)
    assert client.blocking_portal.call(rows_naming, marks)

    asked = client.post("/api/v1/privacy/address-data", json={"email": address.upper()})
    assert asked.status_code == 202, asked.text
    unknown = f"{mark().lower()}@example.org"
    nobody = client.post("/api/v1/privacy/address-data", json={"email": unknown})
    assert (nobody.status_code, nobody.json()) == (202, asked.json())
    assert client.post("/api/v1/privacy/address-data", json={"email": address}).is_success
    links = [
        m
        for m in outbox(client, "privacy.address_data_link")
        if m["recipient"] in (address, unknown)
    ]
    assert [m["recipient"] for m in links] == [address]
    found = re.search(r"http://\S+/privacy/my-data\?\S+", links[0]["text"])
    assert found is not None
    link = urlsplit(found[0])
    assert "lang=en" in link.query
    token = unquote(re.search(r"token=([^&]+)", link.query)[1])

    page_url = f"{link.path}?{link.query}"
    page = client.get(page_url)
    assert page.status_code == 200
    export_form, erase_form = page_of(page).find("main").find_all("form")
    assert client.blocking_portal.call(rows_naming, marks)
    downloaded = submit(client, page_url, export_form)
    assert downloaded.status_code == 200
    assert "attachment" in downloaded.headers["content-disposition"]
    assert family_name in downloaded.text and topic in downloaded.text
    assert (
        client.post("/api/v1/privacy/address-data/export", json={"token": token}).json()["email"]
        == address
    )

    erased = submit(client, page_url, erase_form)
    assert erased.status_code == 200 and page_of(erased).find("h1") is not None
    assert client.blocking_portal.call(rows_naming, marks) == []
    after = client.post("/api/v1/privacy/address-data/export", json={"token": token}).json()
    assert after["sections"]["registrations"]["interest"] == []
    assert after["sections"]["mail"]["mails"] == []
    tampered = client.post("/api/v1/privacy/address-data/erasure", json={"token": token + "x"})
    assert (tampered.status_code, tampered.json()["code"]) == (400, "invalid_address_link")
