"""The initial choice is recorded with the registration; editing a registration never is."""

from __future__ import annotations

import html

from mupass_forum.consent.links import withdrawal_link
from tests.consent.conftest import ALL, decide, mails_to, states
from tests.registrations.conftest import register


def my_consent(client, forum, account):
    response = client.get(f"/api/v1/forums/{forum.slug}/consent", headers=account.headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_registration_records_the_initial_choice_in_the_ledger(client, make_forum, make_account):
    forum = make_forum(status="registration_open")
    person = make_account()
    choice = [
        {"decision": "granted", "media": ["photo"], "purposes": ["internal", "website"]},
        {"decision": "refused", "media": ["video"]},
    ]
    register(client, forum, person, consent=choice, dietary_needs="vegetarian")

    state = my_consent(client, forum, person)
    assert state["marker"]["value"] == "yellow"
    assert states(state)["photo", "website"] == "granted"
    assert states(state)["photo", "press"] == "undecided"
    assert states(state)["video", "press"] == "refused"
    assert len(state["history"]) == 6
    assert {event["channel"]["value"] for event in state["history"]} == {"registration"}
    assert {event["actor_id"] for event in state["history"]} == {person.id}


def test_registering_without_a_choice_decides_nothing(client, make_forum, make_account):
    forum = make_forum(status="registration_open")
    person = make_account()
    register(client, forum, person)
    state = my_consent(client, forum, person)
    assert state["history"] == [] and state["marker"]["value"] == "red"
    assert state["needs_choice"] is True


def test_an_invalid_choice_refuses_the_whole_registration(client, make_forum, make_account):
    forum = make_forum(status="registration_open")
    person = make_account()
    url = f"/api/v1/forums/{forum.slug}/registrations"
    contradictory = [{"decision": "granted"}, {"decision": "refused", "media": ["video"]}]
    for consent in (contradictory, [{"decision": "perhaps"}], []):
        response = client.post(url, json={"consent": consent}, headers=person.headers)
        assert response.status_code == 400, consent
    stale = client.post(
        url, json={"consent": ALL, "consent_notice_version": 7}, headers=person.headers
    )
    assert stale.status_code == 409
    # Nothing was kept: neither a registration nor a decision.
    mine = client.get(f"{url}/mine", headers=person.headers)
    assert mine.status_code == 404
    assert my_consent(client, forum, person)["history"] == []
    register(client, forum, person, consent=ALL)
    assert my_consent(client, forum, person)["marker"]["value"] == "green"


def test_editing_a_registration_never_touches_consent(client, make_forum, make_account):
    forum = make_forum(status="registration_open")
    person = make_account()
    register(client, forum, person, consent=ALL)
    decide(client, person, forum.slug, [{"decision": "refused", "media": ["video"]}])
    url = f"/api/v1/forums/{forum.slug}/registrations/mine"

    response = client.patch(url, json={"dietary_needs": "no nuts"}, headers=person.headers)
    assert response.status_code == 200, response.text
    response = client.patch(url, json={"consent": ALL}, headers=person.headers)
    assert response.status_code == 400
    response = client.put(
        "/api/v1/me/profile",
        json={"given_name": "Ama", "family_name": "Mensah"},
        headers=person.headers,
    )
    assert response.status_code == 200, response.text

    state = my_consent(client, forum, person)
    assert len(state["history"]) == 12
    assert state["marker"]["value"] == "yellow"
    assert states(state)["video", "internal"] == "refused"


def test_registration_mails_carry_the_one_click_withdrawal_link(client, make_forum, make_account):
    forum = make_forum(status="registration_open")
    person = make_account(locale="fr")
    register(client, forum, person, consent=ALL)

    (mail,) = mails_to(client, person.email)
    assert mail["template"] == "registrations.confirmed"
    assert "sans vous connecter" in mail["text"]
    link = withdrawal_link(person.id, forum.id)
    token_start = link.split("token=")[0]
    line = next(line for line in mail["text"].splitlines() if token_start in line)
    address = line[line.index(token_start) :].strip()
    path = address.split("://", 1)[1].split("/", 1)[1]
    # In the HTML part the address is a link, so withdrawing is one click there too.
    escaped = html.escape(address)
    assert f'<a href="{escaped}">{escaped}</a>' in mail["html"]
    # The link speaks the mail's language.
    assert address.endswith("&lang=fr")
    assert client.post(f"/{path}").status_code == 200
    assert my_consent(client, forum, person)["marker"]["value"] == "red"
