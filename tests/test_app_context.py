"""Two apps in one process keep apart: each one's requests make its own links and mail, with its
own key, and the listeners plugged into one never hear the other."""

from __future__ import annotations

from urllib.parse import urlsplit

from mupass_forum.app_context import bound
from mupass_forum.consent.links import withdrawal_link
from mupass_forum.forums.services import ForumChange, on_forum_change
from mupass_forum.mail.tables import OutboxMail
from tests.registrations.test_interest import interest, new_email


def path_of(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def two_apps(make_client):
    """Two apps on the suite's database, with their own address, key and sender; the second
    one is made after the first, so the first would see the second's if they shared any."""
    return {
        host: make_client(
            base_url=f"https://{host}",
            secret_key=f"the key of {host}, for this test only",
            mail_from=f"Forum <forum@{host}>",
        )
        for host in ("first.example", "second.example")
    }


def test_each_app_mails_its_own_links(make_client, make_forum) -> None:
    apps = two_apps(make_client)
    forum = make_forum(status="announced")
    for host, client in apps.items():
        email = new_email()
        response = interest(client, forum, email)
        assert response.status_code == 202, response.text

        async def queued(to: str = email) -> list[dict[str, str]]:
            return await OutboxMail.select(OutboxMail.text, OutboxMail.message_id).where(
                OutboxMail.recipient == to
            )

        [mail] = client.blocking_portal.call(queued)
        other = next(name for name in apps if name != host)
        assert f"https://{host}/" in mail["text"]
        assert other not in mail["text"]
        assert mail["message_id"].endswith(f"@{host}>")


def test_each_app_signs_with_its_own_key(make_client, make_forum, make_account) -> None:
    apps = two_apps(make_client)
    forum = make_forum(status="registration_open")
    person = make_account()
    links = {}
    for host, client in apps.items():
        with bound(client.app.state.context):
            links[host] = withdrawal_link(person.id, forum.id)
        assert links[host].startswith(f"https://{host}/")
    first, second = apps.values()
    first_link, second_link = links.values()
    assert first.get(path_of(first_link)).status_code == 200
    assert second.get(path_of(second_link)).status_code == 200
    assert first.get(path_of(second_link)).status_code == 400
    assert second.get(path_of(first_link)).status_code == 400


def test_the_listeners_of_one_app_do_not_hear_the_other(make_client, make_forum) -> None:
    first, second = two_apps(make_client).values()
    forum = make_forum(status="announced", capacity=10)
    heard: list[object] = []

    async def listener(change: ForumChange) -> None:
        if change.before.slug == forum.slug:
            heard.append(change.changes.get("capacity"))

    remove = on_forum_change(first.app.state.context.hooks, listener)
    try:
        for client, capacity in ((second, 11), (first, 12), (second, 13)):
            response = client.patch(
                f"/api/v1/forums/{forum.slug}",
                json={"capacity": capacity},
                headers=forum.admin.headers,
            )
            assert response.status_code == 200, response.text
    finally:
        remove()
    assert heard == [12]
