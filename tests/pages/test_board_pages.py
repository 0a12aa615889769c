"""The board's pages: reading, writing through forms with CSRF, and the mails' links, which
open pages in the mail's language."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from litestar.exceptions import WebSocketDisconnect

from mupass_forum.accounts.authentication import SESSION_COOKIE
from mupass_forum.board.notifications import send_digests
from tests.board import conftest as board_fixtures
from tests.board.conftest import BOARD, outbox
from tests.pages.conftest import submit
from tests.pages.html import form_fields, page_of, parse

LIVE = "/api/v1/board/live"

# The board's factories, as fixtures of these tests too.
board_admin = board_fixtures.board_admin
make_category = board_fixtures.make_category
make_thread = board_fixtures.make_thread
reply = board_fixtures.reply


def sign_in(browser, account) -> None:
    browser.cookies.set(SESSION_COOKIE, account.token or "")


def thread_path(thread) -> str:
    return f"/board/threads/{thread['id']}"


def form_with_action(page, action: str):
    return next(form for form in page.find_all("form") if form.get("action") == action)


def post_ids(page) -> list[str]:
    return [article["id"] for article in page.find_all("article", class_="post")]


# Reading ---------------------------------------------------------------------------------------


def test_board_category_and_thread_pages_render_for_anyone(
    browser, make_account, make_category, make_thread, reply
):
    author = make_account(display_name="Awa Traoré")
    named = make_account(display_name="Luis")
    category = make_category(name={"en": "School meals", "fr": "Cantines scolaires"})
    thread = make_thread(author, category, title="Organic criteria")
    reply(author, thread, f"What do you think, [@Luis](mention:{named.id})?")

    board = page_of(browser.get("/board?lang=fr"))
    assert board.find("html")["lang"] == "fr"
    link = board.find("a", href=f"/board/categories/{category['id']}")
    assert link.text == "Cantines scolaires"

    listing = page_of(browser.get(f"/board/categories/{category['id']}?lang=en"))
    assert listing.find("h1").text == "School meals"
    entry = listing.find("a", href=thread_path(thread))
    assert entry.text == "Organic criteria"
    assert "1 reply" in listing.find("ul", class_="threads").text

    response = browser.get(f"{thread_path(thread)}?lang=en")
    assert response.status_code == 200
    page = page_of(response)
    assert page.find("h1").text == "Organic criteria"
    assert len(post_ids(page)) == 2
    second = page.find_all("article", class_="post")[1]
    assert second.find("h2").text == "Awa Traoré"
    mention = second.find("span", class_="mention")
    assert mention.text == "@Luis"
    assert "mention:" not in response.text
    # Without a sign-in: no forms that act, a way to sign in instead.
    assert not page.find("main").find_all("form")
    sign_in_link = page.find("a", href=f"/account/sign-in?next=/board/threads/{thread['id']}")
    assert sign_in_link.text == "Sign in to reply"


def test_unreadable_threads_look_like_missing_ones(
    browser, make_account, make_category, make_thread, board_admin
):
    secret = make_thread(board_admin, make_category(read_access="participants"))

    # Signed out, the page asks for a sign-in (the thread may be theirs to read) …
    asked = browser.get(f"{thread_path(secret)}?lang=de", follow_redirects=False)
    assert asked.status_code == 303
    assert asked.headers["location"].startswith("/account/sign-in?next=")
    # … signed in without access, it does not exist.
    sign_in(browser, make_account())
    response = browser.get(f"{thread_path(secret)}?lang=de")

    assert response.status_code == 404
    assert page_of(response).find("h1").text == "Nicht gefunden"


def test_threads_are_read_in_keyset_pages(browser, client, board_admin, make_category, make_thread):
    author = board_admin  # moderators write without a rate limit
    thread = make_thread(author, make_category())
    for n in range(2, 31):
        response = client.post(
            f"{BOARD}/threads/{thread['id']}/posts",
            json={"body": f"Post number {n}", "language": "en"},
            headers={**author.headers},
        )
        assert response.status_code == 201, response.text

    first = page_of(browser.get(thread_path(thread)))
    assert len(post_ids(first)) == 25
    later = first.find("a", rel="next")["href"]
    assert later == f"{thread_path(thread)}?after=25"
    second = page_of(browser.get(later))
    assert [a.find("a", class_="permalink").text for a in second.find_all("article")] == [
        f"#{n}" for n in range(26, 31)
    ]
    assert second.find("a", rel="prev")["href"] == f"{thread_path(thread)}?before=26"
    assert not second.find_all("a", rel="next")
    # The end of a thread is where the script adds new posts.
    assert second.find("div", id="posts").get("data-thread") == str(thread["id"])
    assert first.find("div", id="posts").get("data-thread") is None

    around = page_of(browser.get(f"{thread_path(thread)}?around=" + first_post_id(second)))
    assert "post-" + first_post_id(second) in post_ids(around)


def first_post_id(page) -> str:
    return page.find("article", class_="post")["id"].removeprefix("post-")


def test_the_readers_language_with_the_original_one_click_away(
    browser, client, make_account, make_category, make_thread
):
    author = make_account(display_name="Jonas")
    thread = make_thread(
        author,
        make_category(),
        title="Recycling",
        language="de",
        body="Wir kaufen Recyclingpapier.",
    )
    posts = client.get(f"{BOARD}/threads/{thread['id']}/posts", headers=author.headers).json()
    post_id = posts["items"][0]["id"]
    given = client.post(
        f"{BOARD}/posts/{post_id}/translations",
        json={"locale": "en", "body": "We buy recycled paper."},
        headers=author.headers,
    )
    assert given.status_code == 201, given.text

    page = page_of(browser.get(f"{thread_path(thread)}?lang=en"))
    post = page.find("article", id=f"post-{post_id}")
    assert post.find("div", class_="body").text == "We buy recycled paper."
    assert post.find("div", class_="body")["lang"] == "en"
    assert "Translated from German by Jonas." in post.text
    original_link = post.find(
        "a", href=f"{thread_path(thread)}?around={post_id}&translate=false#post-{post_id}"
    )
    assert original_link.text == "Show the original"

    original = page_of(browser.get(original_link["href"].split("#")[0] + "&lang=en"))
    shown = original.find("article", id=f"post-{post_id}")
    assert shown.find("div", class_="body").text == "Wir kaufen Recyclingpapier."
    assert shown.find("div", class_="body")["lang"] == "de"
    assert shown.find("a", href=f"{thread_path(thread)}?around={post_id}#post-{post_id}")

    # A Spanish reader gets the English version before the German original, told so, and may
    # still ask for Spanish.
    sign_in(browser, make_account(locale="es"))
    spanish = page_of(browser.get(f"{thread_path(thread)}?lang=es"))
    post = spanish.find("article", id=f"post-{post_id}")
    assert post.find("div", class_="body")["lang"] == "en"
    assert "Se muestra en inglés, ya que todavía no hay versión en español." in post.text
    assert post.find("button", name="locale", value="es")


def test_search_finds_posts_and_links_to_them(browser, make_account, make_category, make_thread):
    thread = make_thread(make_account(), make_category(), body="Our Kompostierung contract.")

    page = page_of(browser.get("/board/search?q=Kompostierung&lang=en"))

    hits = page.find("ol", class_="hits").find_all("li")
    assert len(hits) == 1
    assert hits[0].find("mark").text == "Kompostierung"
    assert hits[0].find("a")["href"].startswith(f"{thread_path(thread)}?around=")
    empty = page_of(browser.get("/board/search?q=zzzqqqxxy&lang=en"))
    assert "Nothing found." in empty.find("main").text
    assert page_of(browser.get("/board/search?lang=en")).find("input", name="q")


# Writing ---------------------------------------------------------------------------------------


def test_reply_through_the_form_and_refused_without_its_token(
    browser, client, make_account, make_category, make_thread
):
    author = make_account()
    thread = make_thread(author, make_category())
    replier = make_account(display_name="Fatou")
    sign_in(browser, replier)
    page = page_of(browser.get(f"{thread_path(thread)}?lang=en"))
    form = form_with_action(page, f"{thread_path(thread)}/posts")

    forged = browser.post(
        f"{thread_path(thread)}/posts?lang=en", data={"body": "Forged", "language": "en"}
    )
    assert forged.status_code == 403
    assert "Forged" not in browser.get(thread_path(thread)).text

    response = submit(browser, thread_path(thread), form, body="We **did** it.", language="fr")
    assert response.status_code == 303
    location = response.headers["location"]
    assert re.fullmatch(rf"{thread_path(thread)}\?around=(\d+)#post-\1", location)
    shown = page_of(browser.get(location))
    new = shown.find("article", id=location.split("#")[1])
    assert new.find("strong").text == "did"
    assert new.find("div", class_="body")["lang"] == "fr"

    # Answering one post: its own form says which.
    post_id = location.split("#post-")[1]
    answer_url = f"{thread_path(thread)}/reply?to={post_id}"
    answer = page_of(browser.get(answer_url))
    assert answer.find("input", name="reply_to")["value"] == post_id
    done = submit(browser, answer_url, body="Agreed.", language="en")
    assert done.status_code == 303
    latest = page_of(browser.get(done.headers["location"]))
    assert (
        f"#post-{post_id}"
        in latest.find("article", id=done.headers["location"].split("#")[1])
        .find("p", class_="note")
        .find("a")["href"]
    )

    empty = submit(browser, answer_url, body="", language="en")
    assert empty.status_code == 422
    assert page_of(empty).find("div", class_="problem")


def test_new_thread_through_the_form(browser, make_account, make_category):
    category = make_category()
    sign_in(browser, make_account())
    url = f"/board/categories/{category['id']}/new-thread"
    listing = page_of(browser.get(f"/board/categories/{category['id']}?lang=en"))
    assert listing.find("a", href=url).text == "New thread"

    missing = submit(browser, url, title=" ", body="Text", language="en")
    assert missing.status_code == 422
    assert page_of(missing).find("input", name="title").get("aria-invalid") == "true"

    response = submit(
        browser, url, title="Fair coffee", body="Who buys **fair** coffee?", language="en"
    )
    assert response.status_code == 303
    page = page_of(browser.get(response.headers["location"]))
    assert page.find("h1").text == "Fair coffee"
    # The opener follows the thread.
    assert page.find("button", class_="secondary")["aria-pressed"] == "true"

    browser.cookies.delete(SESSION_COOKIE)
    signed_out = browser.get(url, follow_redirects=False)
    assert signed_out.status_code == 303
    assert signed_out.headers["location"].startswith("/account/sign-in?next=")


def test_edit_is_for_the_author(browser, make_account, make_category, make_thread):
    author, other = make_account(), make_account()
    thread = make_thread(author, make_category(), body="Fist version")
    sign_in(browser, author)
    page = page_of(browser.get(f"{thread_path(thread)}?lang=en"))
    edit_url = next(a["href"] for a in page.find_all("a") if a.get("href", "").endswith("/edit"))
    form_page = page_of(browser.get(edit_url))
    assert form_page.find("textarea").text == "Fist version"

    response = submit(browser, edit_url, body="First version")
    assert response.status_code == 303
    shown = page_of(browser.get(response.headers["location"]))
    assert "First version" in shown.find("article", class_="post").text
    assert "edited" in shown.find("article", class_="post").find("header").text

    browser.cookies.clear()
    sign_in(browser, other)
    assert not [
        a
        for a in page_of(browser.get(thread_path(thread))).find_all("a")
        if a.get("href", "").endswith("/edit")
    ]
    assert browser.get(edit_url + "?lang=en").status_code == 403


def test_react_follow_and_flag_through_forms(
    browser, client, make_account, make_category, make_thread, make_forum
):
    # The forum's own category: its admin's moderation queue holds this test's flag alone,
    # whatever the rest of the run flagged before.
    forum = make_forum(status="announced")
    author = make_account()
    thread = make_thread(author, make_category(forum_id=forum.id))
    reader = make_account()
    sign_in(browser, reader)
    url = f"{thread_path(thread)}?lang=en"
    post_id = first_post_id(page_of(browser.get(url)))
    thanks = f"{post_id}.thanks"

    refused = browser.post("/board/reactions", data={"give": thanks})
    assert refused.status_code == 403

    page = page_of(browser.get(url))
    button = page.find("button", value=thanks)
    assert (button["form"], button["name"], button["aria-pressed"]) == ("acts", "give", "false")
    form = page.find("form", id="acts")
    assert submit(browser, url, form, give=thanks).status_code == 303
    button = page_of(browser.get(url)).find("button", value=thanks)
    assert button["aria-pressed"] == "true"
    assert button.find("span").text == "1"
    assert button["name"] == "take"
    form = page_of(browser.get(url)).find("form", id="acts")
    assert submit(browser, url, form, take=thanks).status_code == 303
    assert page_of(browser.get(url)).find("button", value=thanks)["aria-pressed"] == "false"
    assert submit(browser, url, form, give=f"{post_id}.dislike").status_code == 400

    follow_form = form_with_action(page_of(browser.get(url)), f"{thread_path(thread)}/follow")
    assert follow_form.find("input", name="follow")["value"] == "true"
    assert submit(browser, url, follow_form).status_code == 303
    assert client.get(f"{BOARD}/threads/{thread['id']}", headers=reader.headers).json()["following"]
    unfollow = form_with_action(page_of(browser.get(url)), f"{thread_path(thread)}/follow")
    assert submit(browser, url, unfollow).status_code == 303
    assert not client.get(f"{BOARD}/threads/{thread['id']}", headers=reader.headers).json()[
        "following"
    ]

    flag_url = f"/board/posts/{post_id}/flag?lang=en"
    flag_page = page_of(browser.get(flag_url))
    assert [o["value"] for o in flag_page.find("select", name="reason").find_all("option")] == [
        "spam",
        "abuse",
        "off_topic",
        "misinformation",
        "other",
    ]
    flagged = submit(browser, flag_url, reason="spam", note="Advertising")
    assert flagged.status_code == 200
    assert page_of(flagged).find("h1").text == "Thank you"
    queue = client.get(f"{BOARD}/moderation/queue", headers=forum.admin.headers).json()
    (entry,) = queue
    assert entry["post_id"] == int(post_id)
    assert entry["flags"][0]["note"] == "Advertising"


def test_asking_for_a_translation_through_the_form(
    browser, client, make_account, make_category, make_thread
):
    thread = make_thread(make_account(), make_category(), language="es", body="Compramos café.")
    reader = make_account()
    sign_in(browser, reader)
    url = f"{thread_path(thread)}?lang=fr"
    page = page_of(browser.get(url))
    post_id = first_post_id(page)
    button = page.find("button", formaction=f"/board/posts/{post_id}/translation-request")
    assert button.text == "Demander une traduction en français"
    assert (button["form"], button["name"], button["value"]) == ("acts", "locale", "fr")

    # What a browser sends for that button: the shared form's token, the button's value.
    fields = {**form_fields(page.find("form", id="acts")), "locale": "fr"}
    response = browser.post(button["formaction"], data=fields, follow_redirects=False)

    assert response.status_code == 303
    after = page_of(browser.get(url)).find("article", id=f"post-{post_id}")
    assert "Une traduction en français a été demandée." in after.text
    assert not after.find_all("button", formaction=f"/board/posts/{post_id}/translation-request")
    requests = client.get(f"{BOARD}/posts/{post_id}/translations").json()
    assert [(r["locale"], r["status"]) for r in requests] == [("fr", "requested")]


def test_notification_settings_page(browser, client, make_account):
    person = make_account()
    assert browser.get("/board/notifications", follow_redirects=False).headers["location"] == (
        "/account/sign-in?next=%2Fboard%2Fnotifications"
    )
    sign_in(browser, person)
    page = page_of(browser.get("/board/notifications?lang=de"))
    assert page.find("input", value="immediately").attrs.get("checked", "absent") != "absent"

    response = submit(browser, "/board/notifications?lang=de", mode="daily")

    assert response.status_code == 303
    saved = page_of(browser.get(response.headers["location"]))
    assert saved.find("input", value="daily").attrs.get("checked", "absent") != "absent"
    assert saved.find("div", class_="done")
    assert client.get(f"{BOARD}/notifications", headers=person.headers).json() == {"mode": "daily"}
    assert browser.post("/board/notifications", data={"mode": "never"}).status_code == 403


# Mail ------------------------------------------------------------------------------------------


def page_link(mail) -> str:
    """The path and query of the mail's link into the board (not its stop link)."""
    links = [
        url for url in re.findall(r"https?://[^\s\"<>]+", mail["text"]) if "/unsubscribe" not in url
    ]
    assert links, mail["text"]
    assert all("/api/" not in url for url in links), links
    parts = urlsplit(links[0])
    return parts.path + "?" + parts.query


def assert_opens_a_page_in(browser, link: str, locale: str) -> None:
    browser.cookies.clear()
    response = browser.get(link, headers={"Accept-Language": "en"})
    assert response.status_code == 200, link
    assert response.headers["content-language"] == locale
    assert page_of(response).find("html")["lang"] == locale


def test_every_board_mail_links_to_a_page_in_its_language(
    browser, client, make_account, make_category, make_thread, reply
):
    author = make_account(locale="de", display_name="Jonas")
    named = make_account(locale="es", display_name="Luis")
    asker = make_account(locale="fr")
    daily = make_account(locale="fr")
    thread = make_thread(author, make_category(), title="Recyclingpapier", language="de")
    client.put(f"{BOARD}/notifications", json={"mode": "daily"}, headers=daily.headers)
    client.put(f"{BOARD}/threads/{thread['id']}/follow", headers=daily.headers)

    written = reply(
        named,
        thread,
        f"Hola [@Luis Pérez](mention:{named.id}) y [@Jonas](mention:{author.id}): ¡sí!",
        "es",
    )
    (to_author,) = outbox(client, author.email)
    assert to_author["template"] == "board.mention"
    assert "@Jonas" in to_author["text"] and "@Luis Pérez" in to_author["text"]
    for mail in (to_author,):
        assert "mention:" not in mail["text"] and "mention:" not in mail["html"]
        assert "](" not in mail["text"]
    link = page_link(to_author)
    assert link.startswith(f"{thread_path(thread)}?around={written['id']}&lang=de")
    assert f"#post-{written['id']}" in to_author["text"]
    assert_opens_a_page_in(browser, link, "de")

    reply(author, thread, "Danke!", "de")
    (to_named,) = outbox(client, named.email)
    assert to_named["template"] == "board.reply"
    assert_opens_a_page_in(browser, page_link(to_named), "es")

    asked = client.post(
        f"{BOARD}/posts/{written['id']}/translations", json={"locale": "fr"}, headers=asker.headers
    )
    assert asked.status_code == 202
    given = client.post(
        f"{BOARD}/posts/{written['id']}/translations",
        json={"locale": "fr", "body": "Oui !"},
        headers=named.headers,
    )
    assert given.status_code == 201, given.text
    (translated,) = outbox(client, asker.email)
    assert translated["template"] == "board.translation_done"
    assert_opens_a_page_in(browser, page_link(translated), "fr")
    browser.cookies.clear()
    opened = page_of(browser.get(page_link(translated)))
    assert (
        opened.find("article", id=f"post-{written['id']}").find("div", class_="body").text
        == "Oui !"
    )

    client.blocking_portal.call(send_digests, client.app.state["settings"])
    (digest,) = outbox(client, daily.email)
    assert page_link(digest) == "/board?lang=fr"
    assert_opens_a_page_in(browser, page_link(digest), "fr")


def test_a_mail_link_into_a_closed_category_asks_to_sign_in_and_comes_back(
    browser, client, make_account, make_category, make_thread, reply
):
    author = make_account(locale="fr")
    thread = make_thread(author, make_category(read_access="signed_in"))
    reply(make_account(), thread, "Reply")
    link = page_link(outbox(client, author.email)[0])

    response = browser.get(link, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/account/sign-in?next=%2Fboard%2Fthreads%2F")
    sign_in(browser, author)
    assert browser.get(link).status_code == 200


# Budget and live updates -----------------------------------------------------------------------


def test_a_full_thread_page_stays_under_60_kb_with_its_style_and_script(
    browser, client, make_account, make_category, make_thread, board_admin
):
    author = board_admin  # moderators write without a rate limit
    thread = make_thread(author, make_category(), language="fr", body="Bonjour " * 40)
    text = (
        "We wrote the criteria for **organic** school meals with the regional farmers' "
        "association, and the tender drew four bids, two of them from small local firms. "
    ) * 3
    for _ in range(30):
        response = client.post(
            f"{BOARD}/threads/{thread['id']}/posts",
            json={"body": text, "language": "fr"},
            headers=author.headers,
        )
        assert response.status_code == 201
    sign_in(browser, make_account())

    response = browser.get(f"{thread_path(thread)}?last=true&lang=en")
    page = page_of(response)
    assert len(post_ids(page)) == 25
    assets = [link["href"] for link in page.find_all("link", rel="stylesheet")]
    assets += [script["src"] for script in page.find_all("script")]
    assert len(assets) == 3
    total = len(response.content) + sum(len(browser.get(asset).content) for asset in assets)
    assert total < 60_000, total
    for script in page.find_all("script"):
        assert "defer" in script.attrs and script["src"].startswith("/static/")


def test_the_thread_page_listens_with_its_session_cookie(
    browser, make_account, make_category, make_thread, reply, make_client
):
    author = make_account()
    thread = make_thread(author, make_category(read_access="signed_in"))
    own = make_client(base_url="https://forum.example.org")
    own.cookies.set(SESSION_COOKIE, author.token or "")
    origin = {"Origin": "https://forum.example.org"}
    page = page_of(own.get(thread_path(thread)))
    since = int(page.find("div", id="posts")["data-event"])

    with own.websocket_connect(LIVE, headers=origin) as ws:
        ws.send_json({"type": "subscribe", "threads": [thread["id"]], "last_event_id": since})
        assert ws.receive_json(timeout=10)["type"] == "ready"
        written = reply(author, thread, "Live from the page")
        event = ws.receive_json(timeout=10)
        assert (event["kind"], event["post_id"]) == ("post_created", written["id"])

    card = own.get(f"/board/posts/{written['id']}/card")
    assert card.status_code == 200
    (article,) = parse(card.text).find_all("article")
    assert article["id"] == f"post-{written['id']}"
    assert "<html" not in card.text

    # Without the page's origin the cookie signs nobody in.
    with own.websocket_connect(LIVE) as ws:
        ws.send_json({"type": "subscribe", "threads": [thread["id"]]})
        assert ws.receive_json(timeout=10)["code"] == "not_found"
    with (
        pytest.raises(WebSocketDisconnect),
        own.websocket_connect(LIVE, headers={"Origin": "https://evil.example"}) as ws,
    ):
        ws.receive_json(timeout=10)
