"""A person's board data in their export, and what erasure leaves of it."""

from __future__ import annotations

from tests.board.conftest import BOARD


def test_the_export_holds_what_a_person_wrote_and_did_on_the_board(
    client, make_account, make_category, make_thread, reply
):
    person = make_account()
    other = make_account()
    thread = make_thread(person, make_category(), title="Eco-labels", body="Which labels?")
    answer = reply(other, thread, "EU Ecolabel")
    client.put(f"{BOARD}/posts/{answer['id']}/reactions/thanks", headers=person.headers)
    export = client.get("/api/v1/me/export", headers=person.headers)
    assert export.status_code == 200, export.text
    board = export.json()["sections"]["board"]
    assert [post["source"] for post in board["posts"]] == ["Which labels?"]
    assert [thread["title"] for thread in board["threads"]] == ["Eco-labels"]
    assert board["reactions"][0]["kind"] == "thanks"
    assert board["follows"][0]["thread"] == thread["id"]


def test_erasure_keeps_the_conversation_under_no_name_or_removes_the_posts(
    client, make_account, make_category, make_thread, reply
):
    admin = make_account(platform_admin=True)
    keeper, remover, other = make_account(), make_account(), make_account()
    thread = make_thread(other, make_category())
    kept = reply(keeper, thread, "Our criteria are online")
    removed = reply(remover, thread, "My phone number is 0123")
    client.put(f"{BOARD}/posts/{kept['id']}/reactions/like", headers=remover.headers)

    for account, remove_posts in ((keeper, False), (remover, True)):
        response = client.post(
            f"/api/v1/admin/users/{account.id}/erasure",
            json={"remove_posts": remove_posts},
            headers=admin.headers,
        )
        assert response.status_code == 200, response.text

    page = client.get(f"{BOARD}/threads/{thread['id']}/posts").json()["items"]
    by_id = {post["id"]: post for post in page}
    assert by_id[kept["id"]]["author"]["display_name"] == "former participant"
    assert by_id[kept["id"]]["html"] == "<p>Our criteria are online</p>\n"
    assert by_id[kept["id"]]["reactions"] == []
    assert (by_id[removed["id"]]["deleted"], by_id[removed["id"]]["html"]) == (True, "")
    moderator_view = client.get(f"{BOARD}/posts/{removed['id']}", headers=admin.headers).json()
    assert "0123" not in moderator_view["html"] + (moderator_view["source"] or "")
    hits = client.get(f"{BOARD}/search", params={"q": "0123"}).json()["items"]
    assert removed["id"] not in [hit["post_id"] for hit in hits]
