"""Flags, auto-hide, the moderators' queue, hide/unhide, lock/pin/move, and the audit log."""

from __future__ import annotations

from tests.board.conftest import BOARD


def actions(client, admin, post_id=None, thread_id=None) -> list[str]:
    log = client.get(f"{BOARD}/moderation/log?limit=100", headers=admin.headers).json()["items"]
    return [
        entry["action"]
        for entry in reversed(log)
        if (post_id is None or entry["post_id"] == post_id)
        and (thread_id is None or entry["thread_id"] == thread_id)
    ]


def test_enough_flags_hide_a_post_until_a_moderator_decides(
    client, make_account, make_category, make_thread, reply, board_admin
):
    author = make_account()
    reader = make_account()
    thread = make_thread(author, make_category())
    post = reply(author, thread, "Buy my miracle product!")
    path = f"{BOARD}/posts/{post['id']}"
    flaggers = [make_account() for _ in range(3)]

    own = client.post(f"{path}/flags", json={"reason": "spam"}, headers=author.headers)
    assert (own.status_code, own.json()["code"]) == (409, "own_post")
    for n, flagger in enumerate(flaggers[:2]):
        body = {"reason": "spam", "note": f"advert {n}"}
        assert client.post(f"{path}/flags", json=body, headers=flagger.headers).status_code == 202
    twice = client.post(f"{path}/flags", json={"reason": "spam"}, headers=flaggers[0].headers)
    assert twice.json()["code"] == "already_flagged"
    assert client.get(path, headers=reader.headers).json()["hidden"] is False

    queue = client.get(f"{BOARD}/moderation/queue", headers=board_admin.headers).json()
    queued = next(item for item in queue if item["post_id"] == post["id"])
    assert [f["note"] for f in queued["flags"]] == ["advert 0", "advert 1"]
    assert client.get(f"{BOARD}/moderation/queue", headers=reader.headers).status_code == 403

    client.post(f"{path}/flags", json={"reason": "abuse"}, headers=flaggers[2].headers)
    hidden = client.get(path, headers=reader.headers).json()
    assert (hidden["hidden"], hidden["html"]) == (True, "")
    assert client.get(path, headers=author.headers).json()["html"] != ""
    assert client.get(path, headers=board_admin.headers).json()["html"] != ""
    assert actions(client, board_admin, post_id=post["id"]) == ["auto_hide"]

    assert client.post(f"{path}/unhide", json={}, headers=reader.headers).status_code == 403
    shown = client.post(f"{path}/unhide", json={"reason": "ok"}, headers=board_admin.headers)
    assert shown.status_code == 204
    assert client.get(path, headers=reader.headers).json()["hidden"] is False
    queue = client.get(f"{BOARD}/moderation/queue", headers=board_admin.headers).json()
    assert post["id"] not in [item["post_id"] for item in queue]

    client.post(f"{path}/hide", json={"reason": "off topic"}, headers=board_admin.headers)
    assert client.get(path, headers=reader.headers).json()["hidden"] is True
    log = actions(client, board_admin, post_id=post["id"])
    assert log == ["auto_hide", "unhide", "hide"]


def test_lock_pin_and_move_are_audited(
    client, make_account, make_category, make_thread, board_admin
):
    author = make_account()
    source, target = make_category(), make_category()
    thread = make_thread(author, source)
    path = f"{BOARD}/threads/{thread['id']}"
    changed = client.patch(
        path,
        json={"pinned": True, "locked": True, "category_id": target["id"]},
        headers=board_admin.headers,
    ).json()
    assert (changed["pinned"], changed["locked"], changed["category"]["id"]) == (
        True,
        True,
        target["id"],
    )
    listed = client.get(f"{BOARD}/categories/{target['id']}/threads").json()["items"]
    assert [t["id"] for t in listed] == [thread["id"]]
    assert client.get(f"{BOARD}/categories/{source['id']}/threads").json()["items"] == []
    assert actions(client, board_admin, thread_id=thread["id"]) == ["pin", "lock", "move"]
    renamed = client.patch(path, json={"title": "Better title"}, headers=author.headers)
    assert renamed.json()["title"] == "Better title"
    assert (
        client.patch(path, json={"category_id": source["id"]}, headers=author.headers).status_code
        == 403
    )
    assert client.get(f"{BOARD}/moderation/log", headers=author.headers).status_code == 403


def test_no_automatic_hiding_when_the_threshold_is_zero(
    make_client, make_account, make_category, make_thread, reply
):
    strict = make_client(board_auto_hide_flags=0)
    author = make_account()
    post = reply(author, make_thread(author, make_category()), "Controversial but fine")
    for _ in range(4):
        flagger = make_account()
        strict.post(
            f"{BOARD}/posts/{post['id']}/flags", json={"reason": "other"}, headers=flagger.headers
        )
    assert strict.get(f"{BOARD}/posts/{post['id']}").json()["hidden"] is False
