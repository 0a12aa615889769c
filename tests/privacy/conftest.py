"""A person who has touched every table with personal data, made through the API as people do.

``make_everyone_knows`` builds them: an account with sessions, a mailed link, an institute, a
translator role with a translation written and a forum role; a profile with languages and
topics; interest, a registration with consent, a proposal on the programme and a note in a
forum that is over; a registration with a workshop place in a forum still to come; and the
mails all this sent.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from mupass_forum import piccolo_conf
from tests.conftest import Account, MadeForum, on_postgres
from tests.registrations.conftest import add_item, register

#: Where ``into_the_past`` moves a forum's end.
PAST_END = datetime(2021, 3, 3, 16, 0, tzinfo=UTC)


async def _shift(forum_id: int) -> None:
    from mupass_forum import db
    from mupass_forum.forums.tables import Forum, ProgrammeItem

    [row] = await Forum.select(Forum.ends_at).where(Forum.id == forum_id)
    delta = row["ends_at"] - PAST_END
    async with db.transaction():
        for table in (Forum, ProgrammeItem):
            key = table.id if table is Forum else table.forum
            for item in await table.select(table.id, table.starts_at, table.ends_at).where(
                key == forum_id
            ):
                await table.update(
                    {
                        table.starts_at: item["starts_at"] - delta,
                        table.ends_at: item["ends_at"] - delta,
                    }
                ).where(table.id == item["id"])


def into_the_past(client: TestClient[Litestar], forum: MadeForum) -> None:
    """Move a forum and its programme years back: registration and interest close with a
    forum's end, so a forum that is over is made in the future and then moved."""
    client.blocking_portal.call(_shift, forum.id)


@dataclass(frozen=True)
class Person:
    account: Account
    given_name: str
    family_name: str
    display_name: str
    past: MadeForum
    future: MadeForum
    #: Someone else at the forum that is over, so that its figures count more than one person.
    companion: Account

    @property
    def traces(self) -> tuple[str, ...]:
        """What would name the person anywhere: the address and the unique family name."""
        return (self.account.email, self.family_name, self.display_name)


def set_status(client: TestClient[Litestar], forum: MadeForum, *statuses: str) -> None:
    for status in statuses:
        response = client.post(
            f"/api/v1/forums/{forum.slug}/status",
            json={"status": status},
            headers=forum.admin.headers,
        )
        assert response.status_code == 200, response.text


def outbox_text(client: TestClient[Litestar], email: str) -> str:
    from mupass_forum.mail.tables import OutboxMail

    rows = client.blocking_portal.call(
        lambda: OutboxMail.select(OutboxMail.text).where(OutboxMail.recipient == email)
    )
    return "\n".join(row["text"] for row in rows)


def confirm_interest(client: TestClient[Litestar], forum: MadeForum, email: str, **fields: Any):
    body = {
        "given_name": "Ximena",
        "family_name": "Nobody",
        "email": email,
        "locale": "es",
        "country": "CO",
        **fields,
    }
    response = client.post(f"/api/v1/forums/{forum.slug}/interest", json=body)
    assert response.status_code == 202, response.text
    found = re.findall(r"/interest/confirm\?token=([^\s\"<&]+)", outbox_text(client, email))
    assert found
    response = client.post(
        f"/api/v1/forums/{forum.slug}/interest/confirm", json={"token": unquote(found[-1])}
    )
    assert response.status_code == 200, response.text


def person_with_profile(
    client: TestClient[Litestar], make_account: Callable[..., Account], **profile: Any
) -> tuple[Account, str, str]:
    family_name = "Qz" + uuid.uuid4().hex[:10]
    display_name = f"Ximena {family_name}"
    account = make_account(display_name=display_name, **profile.pop("account", {}))
    body = {
        "given_name": "Ximena",
        "family_name": family_name,
        "country": "CO",
        "position": f"Buyer {family_name}",
        **profile,
    }
    response = client.put("/api/v1/me/profile", json=body, headers=account.headers)
    assert response.status_code == 200, response.text
    return account, family_name, display_name


@pytest.fixture
def make_everyone_knows(
    client: TestClient[Litestar],
    make_account: Callable[..., Account],
    make_organization: Callable[..., dict[str, Any]],
    make_forum: Callable[..., MadeForum],
) -> Callable[[], Person]:
    def make() -> Person:
        organization = make_organization()["id"]
        account, family_name, display_name = person_with_profile(
            client,
            make_account,
            account={"organizations": {organization: "member"}, "translator_locales": ["es"]},
            stakeholder_group="public_administration",
            government_level="municipal",
            languages=["es", "en"],
            topics=["legal_framework"],
            visibility="signed_in",
            bio="I work on green procurement.",
        )
        assert (
            client.post("/api/v1/auth/password-reset", json={"email": account.email}).status_code
            == 202
        )

        past = make_forum(status="announced", capacity=10)
        confirm_interest(
            client,
            past,
            account.email,
            given_name="Ximena",
            family_name=family_name,
            wants_to_present=True,
            presentation_topic=f"Compras de {family_name}",
        )
        set_status(client, past, "registration_open")
        registration = register(
            client,
            past,
            account,
            dietary_needs=f"vegetarian ({family_name})",
            needs_visa_letter=True,
            consent=[{"decision": "granted"}],
        )
        panel = add_item(client, past, kind="panel")
        proposal = client.post(
            f"/api/v1/forums/{past.slug}/proposals",
            json={
                "title": {"es": f"Compras sostenibles según {family_name}"},
                "abstract": {"es": "Cómo la ciudad introdujo criterios sociales."},
                "format": "talk",
                "delivery_language": "es",
            },
            headers=account.headers,
        ).json()
        base = f"/api/v1/forums/{past.slug}/proposals/{proposal['id']}"
        for path, body in (
            ("/decision", {"outcome": "accept"}),
            ("/programme-item", {"programme_item_id": panel["id"]}),
        ):
            method = client.put if path == "/programme-item" else client.post
            response = method(base + path, json=body, headers=past.admin.headers)
            assert response.status_code == 200, response.text
        response = client.post(
            f"/api/v1/forums/{past.slug}/roles",
            json={"user_id": account.id, "role": "photographer"},
            headers=past.admin.headers,
        )
        assert response.status_code == 201, response.text
        client.blocking_portal.call(_note_by, account.id, proposal["id"], family_name)
        response = client.post(
            f"/api/v1/translations/tasks/forum:{past.id}:title:es",
            json={"text": "Foro de prueba"},
            headers=account.headers,
        )
        assert response.status_code == 201, response.text
        companion, _, _ = person_with_profile(client, make_account, country="GH")
        register(client, past, companion, consent=[{"decision": "granted", "media": ["photo"]}])
        into_the_past(client, past)
        set_status(client, past, "registration_closed", "held")
        assert registration["status"]["value"] == "confirmed"

        future = make_forum(status="registration_open", capacity=1)
        workshop = add_item(client, future, capacity=5)
        register(client, future, account, accessibility_needs="step-free access")
        response = client.put(
            f"/api/v1/forums/{future.slug}/registrations/mine/visa",
            json={
                "full_name": f"Ximena {family_name}",
                "date_of_birth": "1980-05-01",
                "nationality": "PE",
                "passport_number": "P1234567",
                "passport_valid_until": "2033-01-01",
                "embassy": "Embajada de Alemania en Lima",
                "entry_date": "2030-10-27",
                "exit_date": "2030-10-31",
            },
            headers=account.headers,
        )
        assert response.status_code == 200, response.text
        response = client.post(
            f"/api/v1/forums/{future.slug}/documents/visa-letters",
            json={},
            headers=future.admin.headers,
        )
        assert len(response.json()["items"]) == 1, response.text
        response = client.post(
            f"/api/v1/forums/{future.slug}/workshops/{workshop['id']}/sign-up",
            headers=account.headers,
        )
        assert response.status_code in (200, 201), response.text
        _board_traces(client, account, companion, make_account(platform_admin=True))
        _outreach_traces(client, future, account)
        return Person(account, "Ximena", family_name, display_name, past, future, companion)

    return make


def _board_traces(
    client: TestClient[Litestar], person: Account, other: Account, admin: Account
) -> None:
    """A thread, an edited post, translations made and asked for, a reaction, a flag, a daily
    digest waiting, and a moderator's action: a row in every board table."""
    category = client.post(
        "/api/v1/board/categories",
        json={"slug": f"privacy-{uuid.uuid4().hex[:10]}", "name": {"en": "Privacy"}},
        headers=admin.headers,
    ).json()
    assert client.put(
        "/api/v1/board/notifications", json={"mode": "daily"}, headers=person.headers
    ).is_success
    thread = client.post(
        "/api/v1/board/threads",
        json={"category_id": category["id"], "title": "Mine", "language": "es", "body": "Hola"},
        headers=person.headers,
    ).json()
    [opening] = client.get(f"/api/v1/board/threads/{thread['id']}/posts").json()["items"]
    client.patch(f"/api/v1/board/posts/{opening['id']}", json={"body": "Hola a todos"},
                 headers=person.headers)  # fmt: skip
    answer = client.post(
        f"/api/v1/board/threads/{thread['id']}/posts",
        json={"body": "Hello", "language": "en"},
        headers=other.headers,
    ).json()
    for body in ({"locale": "de"}, {"locale": "es", "body": "Hola"}):
        response = client.post(
            f"/api/v1/board/posts/{answer['id']}/translations", json=body, headers=person.headers
        )
        assert response.is_success, response.text
    client.put(f"/api/v1/board/posts/{answer['id']}/reactions/thanks", headers=person.headers)
    flagged = client.post(
        f"/api/v1/board/posts/{answer['id']}/flags",
        json={"reason": "other"},
        headers=person.headers,
    )
    assert flagged.status_code == 202, flagged.text
    client.blocking_portal.call(_moderated_by, person.id, thread["id"])


def _outreach_traces(client: TestClient[Litestar], forum: MadeForum, person: Account) -> None:
    """A message from the organizers to the person, one the person wrote, a reminder and
    their choice of organizer mails."""
    url = f"/api/v1/forums/{forum.slug}/messages"
    body = {"subject": {"en": "News"}, "body": {"en": "Hello"}, "fallback_locale": "en"}
    message = client.post(url, json=body, headers=forum.admin.headers).json()
    sent = client.post(f"{url}/{message['id']}/send", headers=forum.admin.headers)
    assert sent.json()["recipient_count"] == 1, sent.text
    client.blocking_portal.call(_organized_by, person.id, forum.id)


async def _organized_by(user_id: int, forum_id: int) -> None:
    # Organizers write messages and choose their mails; the person is one here for the trace.
    from mupass_forum.outreach.tables import ForumReminder, OrganizerMailChoice, ParticipantMessage

    await ParticipantMessage.insert(
        ParticipantMessage(
            forum=forum_id,
            author=user_id,
            subject={"en": "Draft"},
            body={"en": "Text"},
            fallback_locale="en",
            recipients={"audiences": ["confirmed"]},
        )
    )
    await ForumReminder.insert(
        ForumReminder(forum=forum_id, user=user_id, key=f"{forum_id}:{user_id}")
    )
    await OrganizerMailChoice.insert(OrganizerMailChoice(user=user_id, post_flagged=False))


async def _moderated_by(user_id: int, thread_id: int) -> None:
    # Moderators act on others' threads; the person is one here only to leave a trace.
    from mupass_forum.board.tables import ModerationAction

    await ModerationAction.insert(
        ModerationAction(moderator=user_id, action="pin", thread_id=thread_id)
    )


async def _note_by(user_id: int, proposal_id: int, family_name: str) -> None:
    # Notes are written by organizers; the person is one here only to leave a trace.
    from mupass_forum.proposals.tables import ProposalComment

    await ProposalComment.insert(
        ProposalComment(proposal=proposal_id, author=user_id, text=f"Checked by {family_name}")
    )


def all_tables() -> list[Any]:
    return [
        table
        for app in piccolo_conf.APP_REGISTRY.app_configs.values()
        for table in app.table_classes
    ]


async def rows_naming(traces: tuple[str, ...]) -> list[str]:
    """Every row of every table of the database (the search indexes' too) that contains one of
    ``traces`` in a text, JSON or search vector column: a full dump, searched."""
    from mupass_forum.accounts.tables import User

    lowered = [trace.lower() for trace in traces]
    found = []
    if on_postgres():
        tables = [
            row["table_name"]
            for row in await User.raw(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
        ]
        for name in tables:
            for row in await User.raw(f'SELECT row_to_json(t)::text AS row FROM "{name}" t'):
                if any(trace in row["row"].lower() for trace in lowered):
                    found.append(f"{name}: {_around(row['row'], lowered)}")
        return found
    tables = [
        row["name"]
        for row in await User.raw(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    for name in tables:
        for row in await User.raw(f'SELECT * FROM "{name}"'):
            text = json.dumps(
                {key: value for key, value in row.items() if isinstance(value, str)},
                ensure_ascii=False,
            )
            if any(trace in text.lower() for trace in lowered):
                found.append(f"{name}: {_around(text, lowered)}")
    return found


def _around(text: str, lowered: list[str]) -> str:
    """The start of a row and the first trace found in it, with what surrounds it."""
    at = min(i for i in (text.lower().find(trace) for trace in lowered) if i >= 0)
    return f"{text[:80]} … {text[max(at - 60, 0) : at + 60]}"
