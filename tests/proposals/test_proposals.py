"""Best-practice proposals: who may propose, editing, withdrawal, review, decisions with their
mails (through a real SMTP server), and links to programme items."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx

from mupass_forum.app import create_app
from tests.registrations.conftest import add_item, register
from tests.registrations.test_interest import confirm, interest, token_of


def proposal_body(**fields):
    return {
        "title": {"fr": "Achats durables à Dakar"},
        "abstract": {"fr": "Comment la ville a introduit des critères sociaux."},
        "format": "talk",
        "delivery_language": "fr",
        **fields,
    }


def propose(client, forum, account, **fields):
    return client.post(
        f"/api/v1/forums/{forum.slug}/proposals",
        json=proposal_body(**fields),
        headers=account.headers,
    )


def url(forum, proposal, tail: str = "") -> str:
    return f"/api/v1/forums/{forum.slug}/proposals/{proposal['id']}{tail}"


def test_who_may_propose(mail_client, smtp_server, make_account, make_forum) -> None:
    client = mail_client
    forum = make_forum(status="announced")
    interested = make_account(locale="fr")
    stranger = make_account()
    assert interest(client, forum, interested.email).status_code == 202
    refused = propose(client, forum, interested)
    assert (refused.status_code, refused.json()["code"]) == (403, "not_eligible_to_propose")
    [mail] = smtp_server.wait_for(to=interested.email)
    assert confirm(client, forum, token_of(mail)).status_code == 200
    response = propose(client, forum, interested)
    assert response.status_code == 201, response.text
    assert propose(client, forum, stranger).status_code == 403
    assert (
        client.post(f"/api/v1/forums/{forum.slug}/proposals", json=proposal_body()).status_code
        == 401
    )

    response = client.post(
        f"/api/v1/forums/{forum.slug}/status",
        json={"status": "registration_open"},
        headers=forum.admin.headers,
    )
    assert response.status_code == 200
    registered, cancelled = make_account(), make_account()
    register(client, forum, registered)
    register(client, forum, cancelled)
    assert propose(client, forum, registered).status_code == 201
    cancel = client.post(
        f"/api/v1/forums/{forum.slug}/registrations/mine/cancel", json={}, headers=cancelled.headers
    )
    assert cancel.status_code == 200
    assert propose(client, forum, cancelled).json()["code"] == "not_eligible_to_propose"

    held = make_forum(status="draft")
    assert propose(client, held, registered).status_code == 404


def test_texts_formats_and_languages_are_checked_and_translated(
    client, make_account, make_forum
) -> None:
    forum = make_forum(status="registration_open")
    author = make_account(locale="fr")
    register(client, forum, author)
    bad = propose(
        client,
        forum,
        author,
        title={"pt": "Compras"},
        abstract={},
        format="speech",
        delivery_language="xx",
    )
    assert bad.status_code == 400
    bad = propose(
        client, forum, author, title={"pt": "Compras"}, abstract={}, delivery_language="xx"
    )
    pointers = {error["pointer"] for error in bad.json()["errors"]}
    assert pointers == {"/title/pt", "/abstract", "/delivery_language"}

    made = propose(
        client,
        forum,
        author,
        title={"en": "Sustainable procurement in Dakar", "fr": "Achats durables à Dakar"},
        delivery_language="wo",
        format="poster",
    ).json()
    # Written in French, the author's language, although English came first.
    assert made["title"]["original_locale"] == "fr"
    assert made["status"] == {"value": "submitted", "label": "Soumise"}
    assert made["format"] == {"value": "poster", "label": "Poster"}
    assert made["delivery_language"]["code"] == "wo"
    assert made["comments"] is None
    german = client.get(url(forum, made) + "?lang=de", headers=forum.admin.headers).json()
    assert german["status"]["label"] == "Eingereicht"
    assert german["format"]["label"] == "Poster"
    # No German text: the English one before the French original, marked as a fallback.
    assert (german["title"]["text"], german["title"]["locale"], german["title"]["is_fallback"]) == (
        "Sustainable procurement in Dakar",
        "en",
        True,
    )
    assert german["title"]["original_text"] == "Achats durables à Dakar"
    spanish = client.get(url(forum, made) + "?lang=es", headers=author.headers).json()
    assert spanish["status"]["label"] == "Presentada"


def test_authors_edit_while_submitted_and_withdraw_before_and_after_acceptance(
    client, make_account, make_forum
) -> None:
    forum = make_forum(status="registration_open")
    author, other = make_account(), make_account()
    register(client, forum, author)
    register(client, forum, other)
    first = propose(client, forum, author).json()
    second = propose(client, forum, author, format="workshop_input").json()
    theirs = propose(client, forum, other).json()

    edited = client.patch(
        url(forum, first), json={"title": {"fr": "Achats responsables"}}, headers=author.headers
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["title"]["text"] == "Achats responsables"
    assert (
        client.patch(
            url(forum, first), json={"status": "accepted"}, headers=author.headers
        ).status_code
        == 400
    )
    assert client.get(url(forum, theirs), headers=author.headers).status_code == 404
    assert (
        client.patch(
            url(forum, theirs), json={"format": "poster"}, headers=author.headers
        ).status_code
        == 404
    )
    mine = client.get(f"/api/v1/forums/{forum.slug}/proposals", headers=author.headers).json()
    assert [p["id"] for p in mine["items"]] == [first["id"], second["id"]]

    accepted = client.post(
        url(forum, first, "/decision"), json={"outcome": "accept"}, headers=forum.admin.headers
    )
    assert accepted.status_code == 200, accepted.text
    late = client.patch(url(forum, first), json={"format": "poster"}, headers=author.headers)
    assert (late.status_code, late.json()["code"]) == (409, "proposal_not_changeable")
    assert (
        client.post(url(forum, first, "/withdraw"), headers=author.headers).json()["status"][
            "value"
        ]
        == "withdrawn"
    )
    assert client.post(url(forum, second, "/withdraw"), headers=author.headers).status_code == 200
    again = client.post(url(forum, second, "/withdraw"), headers=author.headers)
    assert (again.status_code, again.json()["code"]) == (409, "proposal_not_changeable")
    assert client.post(url(forum, theirs, "/withdraw"), headers=author.headers).status_code == 404


def test_organizers_list_filter_comment_internally_and_decide_once(
    client, make_account, make_forum
) -> None:
    forum = make_forum(status="registration_open")
    authors = [make_account() for _ in range(5)]
    made = []
    for index, author in enumerate(authors):
        register(client, forum, author)
        made.append(propose(client, forum, author, format="poster" if index % 2 else "talk").json())
    listing = f"/api/v1/forums/{forum.slug}/proposals"
    page = client.get(listing + "?limit=3", headers=forum.admin.headers).json()
    rest = client.get(
        listing + f"?limit=3&cursor={page['next_cursor']}", headers=forum.admin.headers
    ).json()
    assert [p["id"] for p in page["items"] + rest["items"]] == [p["id"] for p in made]
    assert rest["next_cursor"] is None
    posters = client.get(listing + "?format=poster", headers=forum.admin.headers).json()
    assert [p["id"] for p in posters["items"]] == [made[1]["id"], made[3]["id"]]
    assert client.get(listing + "?cursor=nonsense", headers=forum.admin.headers).status_code == 400

    commented = client.post(
        url(forum, made[0], "/comments"), json={"text": "Strong case"}, headers=forum.admin.headers
    )
    assert commented.status_code == 201, commented.text
    assert [c["text"] for c in commented.json()["comments"]] == ["Strong case"]
    by_author = client.get(url(forum, made[0]), headers=authors[0].headers).json()
    assert by_author["comments"] is None
    assert (
        client.post(
            url(forum, made[0], "/comments"), json={"text": "Me"}, headers=authors[0].headers
        ).status_code
        == 403
    )
    assert (
        client.post(
            url(forum, made[0], "/decision"), json={"outcome": "accept"}, headers=authors[0].headers
        ).status_code
        == 403
    )

    rejected = client.post(
        url(forum, made[0], "/decision"),
        json={"outcome": "reject", "message": "Out of scope"},
        headers=forum.admin.headers,
    ).json()
    assert (rejected["status"]["value"], rejected["decision_message"]) == (
        "rejected",
        "Out of scope",
    )
    twice = client.post(
        url(forum, made[0], "/decision"), json={"outcome": "accept"}, headers=forum.admin.headers
    )
    assert (twice.status_code, twice.json()["code"]) == (409, "proposal_not_changeable")
    submitted = client.get(listing + "?status=submitted", headers=forum.admin.headers).json()
    assert len(submitted["items"]) == 4


def test_decision_mails_arrive_once_in_the_authors_language(
    mail_client, smtp_server, make_account, make_forum
) -> None:
    client = mail_client
    forum = make_forum(status="registration_open")
    german, spanish = make_account(locale="de"), make_account(locale="es")
    for author in (german, spanish):
        register(client, forum, author)
    accepted = propose(client, forum, german, title={"de": "Faire Beschaffung in Bonn"}).json()
    rejected = propose(client, forum, spanish, title={"es": "Compras en Bogotá"}).json()
    for proposal, outcome, message in ((accepted, "accept", ""), (rejected, "reject", "Lleno")):
        response = client.post(
            url(forum, proposal, "/decision"),
            json={"outcome": outcome, "message": message},
            headers=forum.admin.headers,
        )
        assert response.status_code == 200, response.text
        repeated = client.post(
            url(forum, proposal, "/decision"),
            json={"outcome": outcome},
            headers=forum.admin.headers,
        )
        assert repeated.status_code == 409

    def decision_mails(account):
        found = smtp_server.exactly(account.email, 2)  # the registration's, the decision's
        return found[1]

    mail = decision_mails(german)
    assert mail["Content-Language"] == "de"
    assert mail["Subject"] == "Ihr Vorschlag für das Forum „Testforum“ wurde angenommen"
    assert "„Faire Beschaffung in Bonn“" in mail.get_body(("plain",)).get_content()
    mail = decision_mails(spanish)
    assert mail["Content-Language"] == "es"
    assert mail["Subject"] == "Su propuesta para el foro «Test forum»"
    text = mail.get_body(("plain",)).get_content()
    assert "Compras en Bogotá" in text and "Lleno" in text


def test_an_accepted_proposal_puts_its_author_among_the_speakers(
    client, make_account, make_forum
) -> None:
    forum = make_forum(status="registration_open")
    author = make_account(display_name="Ama")
    profile = client.put(
        "/api/v1/me/profile",
        json={"given_name": "Ama", "family_name": "Mensah", "organization": "City of Accra"},
        headers=author.headers,
    )
    assert profile.status_code == 200, profile.text
    register(client, forum, author)
    panel = add_item(client, forum, kind="panel", speakers=[{"name": "Moderator"}])
    workshop = add_item(client, forum)
    proposal = propose(client, forum, author).json()
    programme_url = f"/api/v1/forums/{forum.slug}/programme"

    def speakers_of(item):
        days = client.get(programme_url).json()["days"]
        found = [i for day in days for i in day["items"] if i["id"] == item["id"]]
        return found[0]["speakers"]

    early = client.put(
        url(forum, proposal, "/programme-item"),
        json={"programme_item_id": panel["id"]},
        headers=forum.admin.headers,
    )
    assert (early.status_code, early.json()["code"]) == (409, "proposal_not_changeable")
    client.post(
        url(forum, proposal, "/decision"), json={"outcome": "accept"}, headers=forum.admin.headers
    )
    linked = client.put(
        url(forum, proposal, "/programme-item"),
        json={"programme_item_id": panel["id"]},
        headers=forum.admin.headers,
    )
    assert linked.status_code == 200, linked.text
    assert linked.json()["programme_item_id"] == panel["id"]
    speaker = {
        "name": "Ama Mensah",
        "organization": "City of Accra",
        "user_id": author.id,
        "proposal_id": proposal["id"],
    }
    assert speakers_of(panel) == [
        {"name": "Moderator", "organization": "", "user_id": None, "proposal_id": None},
        speaker,
    ]

    # Editing the other speakers keeps the linked one; naming it keeps its place.
    item_url = f"{programme_url}/{panel['id']}"
    edited = client.patch(
        item_url, json={"speakers": [{"name": "Chair"}]}, headers=forum.admin.headers
    )
    assert edited.status_code == 200, edited.text
    assert [s["name"] for s in speakers_of(panel)] == ["Chair", "Ama Mensah"]
    reordered = client.patch(
        item_url,
        json={"speakers": [{"name": "x", "proposal_id": proposal["id"]}, {"name": "Chair"}]},
        headers=forum.admin.headers,
    )
    assert reordered.status_code == 200, reordered.text
    assert speakers_of(panel) == [
        speaker,
        {"name": "Chair", "organization": "", "user_id": None, "proposal_id": None},
    ]
    forged = client.patch(
        f"{programme_url}/{workshop['id']}",
        json={"speakers": [{"name": "x", "proposal_id": proposal["id"]}]},
        headers=forum.admin.headers,
    )
    assert forged.json()["errors"][0]["code"] == "proposal_not_linked"

    # Linking elsewhere moves the speaker; unlinking and withdrawing take them off.
    moved = client.put(
        url(forum, proposal, "/programme-item"),
        json={"programme_item_id": workshop["id"]},
        headers=forum.admin.headers,
    )
    assert moved.status_code == 200
    assert [s["name"] for s in speakers_of(panel)] == ["Chair"]
    assert speakers_of(workshop) == [speaker]
    unlinked = client.delete(url(forum, proposal, "/programme-item"), headers=forum.admin.headers)
    assert (unlinked.status_code, unlinked.json()["programme_item_id"]) == (200, None)
    assert speakers_of(workshop) == []
    client.put(
        url(forum, proposal, "/programme-item"),
        json={"programme_item_id": workshop["id"]},
        headers=forum.admin.headers,
    )
    withdrawn = client.post(url(forum, proposal, "/withdraw"), headers=author.headers).json()
    assert (withdrawn["status"]["value"], withdrawn["programme_item_id"]) == ("withdrawn", None)
    assert speakers_of(workshop) == []


def test_concurrent_decisions_take_one_and_mail_once(
    mail_client, mail_settings, smtp_server, make_account, make_forum
) -> None:
    forum = make_forum(status="registration_open")
    author = make_account(locale="fr")
    register(mail_client, forum, author)
    proposal = propose(mail_client, forum, author).json()
    decision_url = url(forum, proposal, "/decision")

    async def all_at_once():
        app = create_app(mail_settings.replace(mail_relay="off"))
        async with (
            app.lifespan(),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://testserver.local"
            ) as concurrent,
        ):
            return await asyncio.gather(
                *(
                    concurrent.post(
                        decision_url,
                        json={"outcome": "accept" if index % 2 else "reject"},
                        headers=forum.admin.headers,
                    )
                    for index in range(10)
                )
            )

    answers = asyncio.run(all_at_once())
    assert Counter(answer.status_code for answer in answers) == {200: 1, 409: 9}
    # The relay of ``mail_client`` sends what the one decision queued: registration + decision.
    subjects = [mail["Subject"] for mail in smtp_server.exactly(author.email, 2)]
    assert subjects[1].startswith("Votre proposition pour le forum «\u00a0Test forum\u00a0»")
