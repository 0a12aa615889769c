"""Who reads, writes and moderates what, per category and per object."""

from __future__ import annotations

from tests.board.conftest import BOARD


def test_a_public_category_is_read_by_anyone_and_written_by_signed_in_people(
    client, make_account, make_category, make_thread
):
    category = make_category()
    author = make_account()
    thread = make_thread(author, category)

    listed = client.get(f"{BOARD}/categories").json()
    assert category["id"] in [c["id"] for c in listed]
    assert client.get(f"{BOARD}/categories/{category['id']}/threads").status_code == 200
    assert client.get(f"{BOARD}/threads/{thread['id']}/posts").status_code == 200
    anonymous = client.post(
        f"{BOARD}/threads/{thread['id']}/posts", json={"body": "hi", "language": "en"}
    )
    assert anonymous.status_code == 401
    assert client.get(f"{BOARD}/threads/{thread['id']}").json()["can_post"] is False
    assert (
        client.get(f"{BOARD}/threads/{thread['id']}", headers=author.headers).json()["can_post"]
        is True
    )


def test_a_signed_in_category_is_invisible_to_anonymous_readers(
    client, make_account, make_category, make_thread
):
    category = make_category(read_access="signed_in")
    member = make_account()
    thread = make_thread(member, category)

    assert category["id"] not in [c["id"] for c in client.get(f"{BOARD}/categories").json()]
    assert client.get(f"{BOARD}/categories/{category['id']}").status_code == 401
    assert client.get(f"{BOARD}/threads/{thread['id']}/posts").status_code == 401
    assert client.get(f"{BOARD}/threads/{thread['id']}/posts", headers=member.headers).is_success


def test_participants_categories_never_leak_to_other_people(
    client, make_account, make_category, make_thread, board_admin
):
    category = make_category(read_access="participants", post_access="participants")
    thread = make_thread(board_admin, category, body="Confidential workshop notes")
    outsider = make_account()

    listed = client.get(f"{BOARD}/categories", headers=outsider.headers).json()
    assert category["id"] not in [c["id"] for c in listed]
    for path in (
        f"/categories/{category['id']}",
        f"/categories/{category['id']}/threads",
        f"/threads/{thread['id']}",
        f"/threads/{thread['id']}/posts",
    ):
        response = client.get(f"{BOARD}{path}", headers=outsider.headers)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
    refused = client.post(
        f"{BOARD}/threads",
        json={"category_id": category["id"], "title": "x", "language": "en", "body": "x"},
        headers=outsider.headers,
    )
    assert refused.status_code == 404
    assert client.get(f"{BOARD}/threads/{thread['id']}", headers=board_admin.headers).is_success


def test_read_only_categories_refuse_new_threads(client, make_account, make_category):
    category = make_category(post_access="participants")
    reader = make_account()
    assert (
        client.get(f"{BOARD}/categories/{category['id']}", headers=reader.headers).json()[
            "can_post"
        ]
        is False
    )
    response = client.post(
        f"{BOARD}/threads",
        json={"category_id": category["id"], "title": "x", "language": "en", "body": "x"},
        headers=reader.headers,
    )
    assert response.status_code == 403


def test_only_platform_admins_manage_categories(client, make_account):
    person = make_account()
    body = {"slug": "not-mine", "name": {"en": "Mine"}, "original_locale": "en"}
    assert client.post(f"{BOARD}/categories", json=body, headers=person.headers).status_code == 403


def test_category_names_follow_the_reader_and_say_which_language_they_are_in(
    client, make_category, board_admin
):
    category = make_category(
        name={"en": "Fair trade", "de": "Fairer Handel"},
        description={"en": "Sourcing with fair wages"},
    )
    german = client.get(f"{BOARD}/categories/{category['id']}?lang=de").json()
    assert (german["name"]["text"], german["name"]["locale"]) == ("Fairer Handel", "de")
    assert german["description"]["locale"] == "en"
    assert german["description"]["is_fallback"] is True
    french = client.get(f"{BOARD}/categories/{category['id']}?lang=fr").json()
    assert (french["name"]["text"], french["name"]["locale"]) == ("Fair trade", "en")

    bad = client.post(
        f"{BOARD}/categories",
        json={"slug": "bad-locale", "name": {"xx": "?"}, "original_locale": "en"},
        headers=board_admin.headers,
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["pointer"] == "/name/xx"

    changed = client.patch(
        f"{BOARD}/categories/{category['id']}",
        json={"position": 5, "read_access": "signed_in"},
        headers=board_admin.headers,
    ).json()
    assert (changed["position"], changed["read_access"]) == (5, "signed_in")


def test_people_edit_their_own_posts_and_moderators_any(
    client, make_account, make_category, make_thread, reply, board_admin
):
    category = make_category()
    author, other = make_account(), make_account()
    thread = make_thread(author, category)
    post = reply(author, thread, "First version")

    path = f"{BOARD}/posts/{post['id']}"
    assert client.patch(path, json={"body": "mine"}, headers=other.headers).status_code == 403
    assert client.delete(path, headers=other.headers).status_code == 403
    assert client.patch(path, json={"body": "Second"}, headers=author.headers).is_success
    assert client.patch(path, json={"body": "Third"}, headers=board_admin.headers).is_success
    assert client.get(f"{path}/revisions", headers=other.headers).status_code == 403


def test_a_locked_thread_takes_replies_only_from_moderators(
    client, make_account, make_category, make_thread, board_admin
):
    category = make_category()
    author = make_account()
    thread = make_thread(author, category)
    locked = client.patch(
        f"{BOARD}/threads/{thread['id']}", json={"locked": True}, headers=board_admin.headers
    )
    assert locked.json()["locked"] is True
    body = {"body": "Still here?", "language": "en"}
    refused = client.post(
        f"{BOARD}/threads/{thread['id']}/posts", json=body, headers=author.headers
    )
    assert (refused.status_code, refused.json()["code"]) == (409, "thread_locked")
    assert client.post(
        f"{BOARD}/threads/{thread['id']}/posts", json=body, headers=board_admin.headers
    ).is_success
    not_moderator = client.patch(
        f"{BOARD}/threads/{thread['id']}", json={"pinned": True}, headers=author.headers
    )
    assert not_moderator.status_code == 403


def test_a_forums_organizers_and_moderators_take_part_in_its_categories(
    client, make_account, make_category, make_thread, reply, make_forum, board_admin
):
    forum = make_forum(status="announced")
    moderator = make_account()
    granted = client.post(
        f"/api/v1/forums/{forum.slug}/roles",
        json={"user_id": moderator.id, "role": "moderator"},
        headers=forum.admin.headers,
    )
    assert granted.status_code == 201, granted.text
    workshop = make_category(
        read_access="participants", post_access="participants", forum_id=forum.id
    )
    assert workshop["forum_id"] == forum.id
    outsider = make_account()
    thread = make_thread(moderator, workshop, body="Workshop 3: circular procurement")
    assert (
        client.get(f"{BOARD}/threads/{thread['id']}", headers=outsider.headers).status_code == 404
    )
    post = reply(forum.admin, thread, "Slides are online")

    # Moderators of the forum moderate its categories, and no others.
    hidden = client.post(f"{BOARD}/posts/{post['id']}/hide", json={}, headers=moderator.headers)
    assert hidden.status_code == 204
    elsewhere = make_thread(board_admin, make_category())
    locked = client.patch(
        f"{BOARD}/threads/{elsewhere['id']}", json={"locked": True}, headers=moderator.headers
    )
    assert locked.status_code == 403

    unknown = client.post(
        f"{BOARD}/categories",
        json={"slug": "no-forum", "name": {"en": "x"}, "forum_id": 10**8},
        headers=board_admin.headers,
    )
    assert unknown.json()["errors"][0]["pointer"] == "/forum_id"


def test_people_holding_a_seat_take_part_and_the_waiting_list_does_not(
    client, make_account, make_category, make_thread, make_forum, board_admin
):
    from tests.registrations.conftest import register

    forum = make_forum(status="registration_open", capacity=1)
    seated, waiting, outsider = make_account(), make_account(), make_account()
    assert register(client, forum, seated)["status"]["value"] == "confirmed"
    assert register(client, forum, waiting)["status"]["value"] == "waitlisted"
    workshop = make_category(
        read_access="participants", post_access="participants", forum_id=forum.id
    )
    thread = make_thread(board_admin, workshop, body="Break-out 2: social criteria")

    def reads(account):
        return client.get(f"{BOARD}/threads/{thread['id']}", headers=account.headers).status_code

    assert reads(seated) == 200
    assert make_thread(seated, workshop, body="Our tender in Ouagadougou")["id"]
    assert reads(waiting) == 404
    assert reads(outsider) == 404

    cancelled = client.post(
        f"/api/v1/forums/{forum.slug}/registrations/mine/cancel", json={}, headers=seated.headers
    )
    assert cancelled.status_code == 200, cancelled.text
    # The freed seat went to the waiting list, and with it the access.
    assert reads(seated) == 404
    assert reads(waiting) == 200


def test_a_category_is_tied_to_a_series_by_its_slug(client, make_category, make_forum, board_admin):
    forum = make_forum(status="announced")
    series = client.get(f"/api/v1/forums/{forum.slug}").json()["series"]["slug"]
    category = make_category(series=series)
    assert category["series"] == series
    assert category["series_id"] is not None
    by_id = make_category(series_id=category["series_id"])
    assert by_id["series"] == series

    def change(body):
        return client.patch(
            f"{BOARD}/categories/{category['id']}", json=body, headers=board_admin.headers
        )

    assert change({"series": None}).json()["series"] is None
    assert change({"series": series}).json()["series"] == series
    unknown = change({"series": "no-such-series"})
    assert unknown.status_code == 400, unknown.text
    assert (unknown.json()["errors"][0]["pointer"], unknown.json()["errors"][0]["code"]) == (
        "/series",
        "unknown_series",
    )
    twice = change({"series": series, "series_id": category["series_id"]})
    assert twice.json()["errors"][0]["code"] == "series_named_twice"
