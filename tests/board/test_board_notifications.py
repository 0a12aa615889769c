"""Board mail: in the recipient's language, at once, daily or never, and a way out without
signing in."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from mupass_forum.board.notifications import send_digests
from tests.board.conftest import BOARD, outbox


def mode(client, account, value: str) -> None:
    response = client.put(f"{BOARD}/notifications", json={"mode": value}, headers=account.headers)
    assert response.json() == {"mode": value}


def test_followers_get_a_mail_about_replies_in_their_language(
    client, make_account, make_category, make_thread, reply
):
    author = make_account(locale="de", display_name="Jonas")
    replier = make_account(display_name="Fatou")
    thread = make_thread(author, make_category(), title="Recyclingpapier", language="de")
    reply(replier, thread, "We buy **recycled** paper only.\n\nSince 2019.")
    (mail,) = outbox(client, author.email)
    assert mail["template"] == "board.reply"
    assert mail["locale"] == "de"
    assert mail["subject"] == "Fatou hat in der Diskussion „Recyclingpapier“ geantwortet"
    assert "We buy recycled paper only. Since 2019." in mail["text"]
    assert f"/board/threads/{thread['id']}?around=" in mail["text"]
    assert "/api/v1/board/threads" not in mail["text"]
    assert outbox(client, replier.email) == []

    reply(author, thread, "Danke!", "de")
    (to_replier,) = outbox(client, replier.email)
    assert to_replier["locale"] == "en"
    assert to_replier["subject"] == "Jonas replied in “Recyclingpapier”"


def test_mentioned_people_get_one_mail_if_they_may_read_the_thread(
    client, make_account, make_category, make_thread, reply, board_admin
):
    author = make_account(display_name="Ana")
    named = make_account(locale="es", display_name="Luis")
    thread = make_thread(author, make_category(), title="Buses eléctricos", language="es")
    reply(author, thread, f"¿Qué opinas, [@Luis](mention:{named.id})?", "es")
    (mail,) = outbox(client, named.email)
    assert mail["template"] == "board.mention"
    assert mail["subject"] == "Ana le ha mencionado en la conversación «Buses eléctricos»"

    # The excerpt is the text the post shows: no Markdown signs, the mention as its name.
    assert "¿Qué opinas, @Luis?" in mail["text"]
    reply(
        author, thread, f"**Ojo**: lea [la guía](https://x.example/g) y [@Luis](mention:{named.id})"
    )
    (_, second) = outbox(client, named.email)
    assert "Ojo: lea la guía y @Luis" in second["text"]
    assert "**" not in second["text"] and "](" not in second["text"]

    outsider = make_account()
    secret_thread = make_thread(board_admin, make_category(read_access="participants"))
    reply(board_admin, secret_thread, f"[@x](mention:{outsider.id}) look")
    assert outbox(client, outsider.email) == []


def test_daily_digest_and_never(client, make_account, make_category, make_thread, reply):
    daily, never = make_account(locale="fr"), make_account()
    mode(client, daily, "daily")
    mode(client, never, "never")
    writer = make_account(display_name="Ibrahim")
    thread = make_thread(writer, make_category(), title="Achats verts")
    for account in (daily, never):
        client.put(f"{BOARD}/threads/{thread['id']}/follow", headers=account.headers)
    reply(writer, thread, "Premier")
    reply(writer, thread, "Second")
    assert outbox(client, daily.email) == []
    assert outbox(client, never.email) == []

    sent = client.blocking_portal.call(send_digests, client.app.state["settings"])
    assert sent >= 1
    (digest,) = outbox(client, daily.email)
    assert digest["template"] == "board.digest"
    assert digest["locale"] == "fr"
    replied = "Ibrahim a répondu dans la discussion «\u00a0Achats verts\u00a0»"
    assert digest["text"].count(replied) == 2
    assert list_unsubscribe_link(json.loads(digest["headers"])) in digest["text"]
    client.blocking_portal.call(send_digests, client.app.state["settings"])
    assert len(outbox(client, daily.email)) == 1
    assert outbox(client, never.email) == []


BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_one_click_unsubscribe_without_signing_in(
    client, make_account, make_category, make_thread, reply
):
    follower = make_account()
    writer = make_account()
    thread = make_thread(writer, make_category())
    client.put(f"{BOARD}/threads/{thread['id']}/follow", headers=follower.headers)
    reply(writer, thread, "First")
    (mail,) = outbox(client, follower.email)
    link = next(word for word in mail["text"].split() if "/board/unsubscribe?token=" in word)
    token = parse_qs(urlsplit(link).query)["token"][0]

    assert client.get(f"{BOARD}/unsubscribe", params={"token": token + "x"}).status_code == 400
    forged = f"{writer.id}.{token.split('.', 1)[1]}"
    assert client.post(f"{BOARD}/unsubscribe", params={"token": forged}).status_code == 400

    # Following the link (as a link scanner does) only says what the button will do.
    preview = client.get(f"{BOARD}/unsubscribe", params={"token": token, "lang": "de"})
    assert preview.status_code == 200
    assert preview.json()["mode"] == "immediately"
    assert preview.json()["detail"].startswith("Bestätigen Sie")
    page = client.get(
        f"{BOARD}/unsubscribe", params={"token": token, "lang": "fr"}, headers=BROWSER
    )
    assert page.headers["content-type"].startswith("text/html")
    assert '<form method="post"' in page.text and 'lang="fr"' in page.text
    assert client.get(f"{BOARD}/notifications", headers=follower.headers).json() == {
        "mode": "immediately"
    }

    done = client.post(f"{BOARD}/unsubscribe", params={"token": token}, headers=BROWSER)
    assert done.status_code == 200
    assert done.headers["content-type"].startswith("text/html")
    assert client.get(f"{BOARD}/notifications", headers=follower.headers).json() == {
        "mode": "never"
    }
    reply(writer, thread, "Second")
    assert len(outbox(client, follower.email)) == 1
    again = client.get(f"{BOARD}/unsubscribe", params={"token": token}, headers=BROWSER)
    assert "<form" not in again.text
    assert client.post(f"{BOARD}/unsubscribe", params={"token": token}).status_code == 200


def list_unsubscribe_link(headers) -> str:
    """The URL of a mail's ``List-Unsubscribe``, checking that one-click is offered."""
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    value = headers["List-Unsubscribe"]
    assert value.startswith("<") and value.endswith(">"), value
    return str(value[1:-1])


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_a_mail_programs_one_click_unsubscribe_stops_board_mail(
    mail_client, smtp_server, client, make_account, make_category, make_thread, reply, encoding
):
    follower, writer = make_account(locale="de"), make_account()
    thread = make_thread(writer, make_category())
    client.put(f"{BOARD}/threads/{thread['id']}/follow", headers=follower.headers)
    reply(writer, thread, "First")

    [message] = smtp_server.wait_for(to=follower.email)
    link = list_unsubscribe_link(dict(message.raw_items()))
    assert link in message.get_body(("plain",)).get_content()
    assert message["Auto-Submitted"] == "auto-generated"
    # RFC 8058: a POST to the URL as it stands, the key/value pair as its body, no cookies
    # and no authorization.
    url = urlsplit(link)
    body = {"List-Unsubscribe": "One-Click"}
    sent = (
        mail_client.post(f"{url.path}?{url.query}", data=body)
        if encoding == "urlencoded"
        else mail_client.post(
            f"{url.path}?{url.query}", files={"List-Unsubscribe": (None, "One-Click")}
        )
    )
    assert sent.status_code == 200, sent.text
    assert sent.request.headers["content-type"].startswith(
        "application/x-www-form-urlencoded" if encoding == "urlencoded" else "multipart/form-data"
    )
    assert "authorization" not in sent.request.headers

    assert client.get(f"{BOARD}/notifications", headers=follower.headers).json() == {
        "mode": "never"
    }
    reply(writer, thread, "Second")
    assert len(outbox(client, follower.email)) == 1


def test_whoever_asked_for_a_translation_hears_when_it_is_done(
    client, make_account, make_category, make_thread
):
    author = make_account(locale="fr")
    asker = make_account(locale="de")
    translator = make_account(translator_locales=["de"])
    thread = make_thread(author, make_category(), title="Cantines", language="fr", body="Bio")
    post_id = client.get(f"{BOARD}/threads/{thread['id']}/posts").json()["items"][0]["id"]
    client.post(
        f"{BOARD}/posts/{post_id}/translations", json={"locale": "de"}, headers=asker.headers
    )
    assert outbox(client, asker.email) == []
    client.post(
        f"{BOARD}/posts/{post_id}/translations",
        json={"locale": "de", "body": "Bio"},
        headers=translator.headers,
    )
    (mail,) = outbox(client, asker.email)
    assert mail["template"] == "board.translation_done"
    assert (
        mail["subject"]
        == "Ein Beitrag in der Diskussion „Cantines“ ist jetzt auf Deutsch verfügbar"
    )
