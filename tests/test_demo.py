"""``serve --demo``: a living forum to walk through, whatever day it is loaded on.

Last year's forum held, the next one open for registration with a full hall, a waiting list
and regional targets, the one after open for interest; accounts to sign in with in four
languages; consent of every colour; a translated board post; and retention leaves it alone.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from mupass_forum import db, db_migrations
from mupass_forum.accounts.authentication import SESSION_COOKIE
from mupass_forum.accounts.demo_data import DEMO_ACCOUNTS
from mupass_forum.demo import demo_accounts, load_demo_data
from mupass_forum.forums.tables import Forum
from mupass_forum.privacy import registry, retention
from tests.pages.html import page_of


@pytest.fixture(scope="module")
def demo_database(migrated, tmp_path_factory):
    """A fresh file with the demonstration loaded twice: its settings, what loading printed
    each time and the demonstration accounts found afterwards."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    settings = migrated.replace(database_url=f"sqlite:///{path}")

    async def prepare() -> tuple[list[str], list[str], list[str]]:
        async with db.connected(settings):
            await db_migrations.migrate()
            first, second = await load_demo_data(), await load_demo_data()
            return first, second, [account.email for account in await demo_accounts()]

    return (settings, *asyncio.run(prepare()))


@pytest.fixture
def demo(make_client, demo_database):
    settings, first, second, accounts = demo_database
    return make_client(database_url=settings.database_url), settings, first, second, accounts


def sign_in(client, key: str) -> dict[str, str]:
    account = next(account for account in DEMO_ACCOUNTS if account.key == key)
    response = client.post(
        "/api/v1/auth/login", json={"email": account.email, "password": account.password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def forums_by_status(client) -> dict[str, dict]:
    items = client.get("/api/v1/forums?series=mupass-dialogue-forum&limit=50").json()["items"]
    return {
        item["status"]["value"]: item
        for item in items
        if item["slug"] != "mupass-dialogue-forum-2019"
    }


def test_the_demo_is_loaded_once_and_names_its_accounts(demo):
    _, _, first, second, accounts = demo
    assert second == []
    assert accounts == [account.email for account in DEMO_ACCOUNTS]
    for account in DEMO_ACCOUNTS:
        assert f"account {account.email} (password {account.password})" in "\n".join(first)
    assert {account.locale for account in DEMO_ACCOUNTS} == {"de", "en", "fr", "es"}


def test_the_forums_are_dated_from_today(demo):
    client = demo[0]
    now = datetime.now(UTC)

    forums = forums_by_status(client)

    held, open_, announced = (
        forums["held"],
        forums["registration_open"],
        forums["announced"],
    )
    assert now - timedelta(days=400) < datetime.fromisoformat(held["ends_at"]) < now
    assert now < datetime.fromisoformat(open_["starts_at"]) < now + timedelta(days=60)
    assert datetime.fromisoformat(announced["interest_deadline"]) > now
    assert open_["slug"] == f"mupass-dialogue-forum-{open_['edition']}"
    interest = client.post(
        f"/api/v1/forums/{announced['slug']}/interest",
        json={
            "given_name": "Nia",
            "family_name": "Owusu",
            "organization": "Tema Metropolitan Assembly",
            "email": "nia.owusu@example.org",
            "locale": "en",
            "country": "GH",
        },
    )
    assert interest.status_code == 202, interest.text


def test_every_demo_account_signs_in_and_has_its_role(demo):
    client = demo[0]
    forums = forums_by_status(client)
    next_forum = forums["registration_open"]["slug"]

    participant = sign_in(client, "participant")
    mine = client.get(f"/api/v1/forums/{next_forum}/registrations/mine", headers=participant)
    assert mine.json()["status"]["value"] == "confirmed"
    profile = client.get("/api/v1/me/profile?lang=es", headers=participant).json()
    assert profile["region"]["name"] == "América"
    # Those she attended last year's forum with, or holds a seat at the next one with.
    directory = client.get("/api/v1/participants?region=002", headers=participant).json()
    assert directory["total"] >= 3

    organizer = sign_in(client, "organizer")
    waiting = client.get(f"/api/v1/forums/{next_forum}/waiting-list", headers=organizer).json()
    assert [item["position"] for item in waiting["items"]] == [1, 2]
    stats = client.get(f"/api/v1/forums/{next_forum}/stats", headers=organizer).json()
    sub_regions = next(d for d in stats["dimensions"] if d["dimension"] == "sub_region")
    assert {row["key"]: row for row in sub_regions["rows"]}["202"]["target"]["share"] == 0.3

    moderator = sign_in(client, "moderator")
    me = client.get("/api/v1/me", headers=moderator).json()
    assert me["locale"] == "fr"
    roles = client.get(f"/api/v1/forums/{next_forum}/roles", headers=organizer).json()
    assert "Fatou Ndiaye" in str(roles) and "Katrin Hoffmann" in str(roles)

    translator = sign_in(client, "translator")
    assert client.get("/api/v1/me", headers=translator).json()["locale"] == "en"


def test_consent_of_all_three_colours(demo):
    client = demo[0]
    next_forum = forums_by_status(client)["registration_open"]["slug"]

    mine = client.get(
        f"/api/v1/forums/{next_forum}/consent", headers=sign_in(client, "participant")
    ).json()
    stats = client.get(
        f"/api/v1/forums/{next_forum}/consent-stats", headers=sign_in(client, "organizer")
    ).json()

    assert mine["marker"]["value"] == "green"
    assert {name: share["count"] >= 1 for name, share in stats["markers"].items()} == {
        "green": True,
        "yellow": True,
        "red": True,
    }


def test_the_forum_open_for_registration_asks_its_own_questions(demo):
    client = demo[0]
    next_forum = forums_by_status(client)["registration_open"]["slug"]
    form = client.get(f"/api/v1/forums/{next_forum}/registration-form?lang=es").json()
    assert [question["key"] for question in form["questions"]] == ["first_forum", "site_visit"]
    assert [option["label"]["text"] for option in form["questions"][1]["options"]] == [
        "Comedor municipal",
        "Depósito de vehículos eléctricos",
    ]
    assert len(form["built_in_questions"]) == 6


def test_a_board_post_is_shown_translated(demo):
    client = demo[0]
    categories = client.get("/api/v1/board/categories").json()
    translated = []
    for category in categories:
        threads = client.get(f"/api/v1/board/categories/{category['id']}/threads").json()
        for thread in threads["items"]:
            posts = client.get(f"/api/v1/board/threads/{thread['id']}/posts?lang=de").json()
            translated += [post for post in posts["items"] if post.get("translation")]
    assert {post["language"] for post in translated} - {"de"}
    # German where a German version exists, else English before the original.
    assert {post["shown_language"] for post in translated} <= {"de", "en"}
    assert any(post["shown_language"] == "de" for post in translated)


def test_retention_leaves_the_demo_alone(demo):
    _, settings, *_ = demo

    async def plans() -> tuple[list[str], list[str]]:
        async with db.connected(settings):
            later = datetime.now(UTC) + timedelta(days=3650)
            kept = [work.slug for work in await retention.plan(settings, later)]
            done = [work.slug for work in await retention.run(settings)]
            # Passport details, kept for a period of their own, stay as well.
            expiring = await registry.run_expiries(settings, later, dry_run=True)
            kept += [name for name, count in expiring if count]
            # A forum that is not the demonstration's is due as ever.
            await Forum.update({Forum.is_demo: False}).where(
                Forum.slug == "mupass-dialogue-forum-2019"
            )
            due = [work.slug for work in await retention.plan(settings, later)]
            await Forum.update({Forum.is_demo: True}).where(
                Forum.slug == "mupass-dialogue-forum-2019"
            )
            return kept + done, due

    untouched, due = asyncio.run(plans())
    assert untouched == []
    assert due == ["mupass-dialogue-forum-2019"]


def test_the_participant_finds_who_else_attends_on_the_directory_page(demo):
    client = demo[0]
    next_forum = forums_by_status(client)["registration_open"]
    token = sign_in(client, "participant")["Authorization"].removeprefix("Bearer ")
    client.cookies.set(SESSION_COOKIE, token)
    try:
        page = page_of(client.get("/participants?lang=es"))
        forums = page.find("select", name="forum")
        offered = {option["value"]: option.text for option in forums.find_all("option")}
        attending = page_of(client.get(f"/participants?forum={next_forum['id']}&lang=es"))
    finally:
        client.cookies.clear()

    assert offered[str(next_forum["id"])] == f"Foro de Diálogo MUPASS {next_forum['edition']}"
    assert len(offered) == 3  # anyone, last year's and the next one
    # Those seated at the next forum whose profiles show to fellow attendees, and herself.
    assert attending.find("p", id="total").text.startswith("12 ")
