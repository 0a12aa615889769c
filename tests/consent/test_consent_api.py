"""Notices, a person's own consent, the derived state and on-site recording, through the API."""

from __future__ import annotations

import hashlib
import shutil

import pytest
from babel.messages.pofile import read_po, write_po

from mupass_forum.consent.vocabulary import DEFAULT_NOTICE
from mupass_forum.paths import project_dir
from tests.consent.conftest import ALL, NONE, decide, mails_to, publish, states
from tests.registrations.conftest import register


@pytest.fixture
def forum(make_forum):
    return make_forum(status="registration_open")


def test_the_default_notice_is_served_in_the_readers_language_with_its_hash(client, forum):
    english = client.get(f"/api/v1/forums/{forum.slug}/consent-notice").json()
    german = client.get(f"/api/v1/forums/{forum.slug}/consent-notice?lang=de").json()

    assert english["version"] == 1 and english["material"] is True
    assert english["published_by"] is None
    assert "tell the photographer" in english["text"]["text"]
    assert german["text"]["locale"] == "de" and not german["text"]["is_fallback"]
    assert "Fotograf" in german["text"]["text"]
    assert german["text"]["locales"] == ["de", "en", "es", "fr"]
    for notice in (english, german):
        expected = hashlib.sha256(notice["text"]["text"].encode()).hexdigest()
        assert notice["text_sha256"] == expected


def test_a_draft_forums_notice_is_hidden(client, make_forum, make_account):
    draft = make_forum()
    response = client.get(
        f"/api/v1/forums/{draft.slug}/consent-notice", headers=make_account().headers
    )
    assert response.status_code == 404


def test_no_decision_means_no_consent(client, forum, make_account):
    state = client.get(
        f"/api/v1/forums/{forum.slug}/consent", headers=make_account().headers
    ).json()
    assert set(states(state).values()) == {"undecided"}
    assert not any(pair["consents"] for pair in state["pairs"])
    assert state["marker"]["value"] == "red" and state["needs_choice"] is True
    assert state["history"] == []


def test_granting_and_withdrawing_take_one_call_each(client, forum, make_account):
    person = make_account()

    granted = decide(client, person, forum.slug, ALL)
    assert set(states(granted).values()) == {"granted"}
    assert granted["marker"]["value"] == "green" and granted["needs_choice"] is False

    withdrawn = decide(client, person, forum.slug, NONE)
    assert set(states(withdrawn).values()) == {"refused"}
    assert withdrawn["marker"] == {"value": "red", "label": "Red: no photos or videos"}

    history = withdrawn["history"]
    assert len(history) == 16
    assert [event["decision"]["value"] for event in history[:8]] == ["refused"] * 8
    assert {event["channel"]["value"] for event in history} == {"self_service"}
    assert {event["actor_id"] for event in history} == {person.id}
    notice = client.get(f"/api/v1/forums/{forum.slug}/consent-notice").json()
    assert {(e["notice_version"], e["notice_locale"], e["notice_sha256"]) for e in history} == {
        (1, "en", notice["text_sha256"])
    }


def test_markers_follow_the_latest_decision(client, forum, make_account):
    person = make_account()
    photo_web = [{"decision": "granted", "media": ["photo"], "purposes": ["internal", "website"]}]

    assert decide(client, person, forum.slug, photo_web)["marker"]["value"] == "yellow"
    assert decide(client, person, forum.slug, ALL)["marker"]["value"] == "green"
    only_video_refused = [{"decision": "refused", "media": ["video"]}]
    state = decide(client, person, forum.slug, only_video_refused)
    assert state["marker"]["value"] == "yellow"
    assert states(state)["photo", "press"] == "granted"
    assert states(state)["video", "internal"] == "refused"
    assert decide(client, person, forum.slug, NONE)["marker"]["value"] == "red"
    mixed = [
        {"decision": "granted", "media": ["photo"]},
        {"decision": "refused", "media": ["video"]},
    ]
    assert decide(client, person, forum.slug, mixed)["marker"]["value"] == "yellow"


def test_the_decision_is_recorded_in_the_language_the_notice_was_read_in(
    client, forum, make_account
):
    person = make_account()
    response = client.post(
        f"/api/v1/forums/{forum.slug}/consent?lang=fr",
        json={"choices": ALL},
        headers=person.headers,
    )
    assert response.status_code == 200, response.text
    french = client.get(f"/api/v1/forums/{forum.slug}/consent-notice?lang=fr").json()
    event = response.json()["history"][0]
    assert event["notice_locale"] == "fr"
    assert event["notice_sha256"] == french["text_sha256"]
    assert event["decision"]["label"] == "Accordé"


def test_contradictory_or_unknown_choices_are_refused(client, forum, make_account):
    person = make_account()
    url = f"/api/v1/forums/{forum.slug}/consent"
    contradictory = [
        {"decision": "granted"},
        {"decision": "refused", "media": ["video"], "purposes": ["press"]},
    ]
    response = client.post(url, json={"choices": contradictory}, headers=person.headers)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "contradictory_choices"
    assert response.json()["errors"][0]["pointer"] == "/choices/1"
    assert "Videos for Press" in response.json()["errors"][0]["detail"]

    for body in (
        {"choices": [{"decision": "maybe"}]},
        {"choices": [{"decision": "granted", "purposes": ["billboards"]}]},
        {"choices": []},
        {"choices": ALL, "channel": "on_site"},
    ):
        assert client.post(url, json=body, headers=person.headers).status_code == 400, body
    assert client.get(url, headers=person.headers).json()["history"] == []


def test_a_stale_notice_version_is_a_conflict(client, forum, make_account):
    person = make_account()
    shown = client.get(f"/api/v1/forums/{forum.slug}/consent-notice").json()
    assert shown["version"] == 1
    publish(client, forum.admin, forum.slug, material=True)
    response = client.post(
        f"/api/v1/forums/{forum.slug}/consent",
        json={"choices": ALL, "notice_version": 1},
        headers=person.headers,
    )
    assert response.status_code == 409
    assert response.json()["code"] == "consent_notice_changed"
    assert decide(client, person, forum.slug, ALL, notice_version=2)["marker"]["value"] == "green"


def test_signing_in_is_needed_for_ones_own_consent(client, forum):
    assert client.get(f"/api/v1/forums/{forum.slug}/consent").status_code == 401
    response = client.post(f"/api/v1/forums/{forum.slug}/consent", json={"choices": ALL})
    assert response.status_code == 401


def test_a_new_material_version_asks_everyone_to_choose_again(client, forum, make_account):
    granted, refused = make_account(), make_account()
    decide(client, granted, forum.slug, ALL)
    decide(client, refused, forum.slug, NONE)

    notice = publish(client, forum.admin, forum.slug, material=True, word="Drones too.")
    assert notice["version"] == 2 and notice["material_version"] == 2

    for person in (granted, refused):
        state = client.get(f"/api/v1/forums/{forum.slug}/consent", headers=person.headers).json()
        assert set(states(state).values()) == {"needs_new_choice"}
        assert state["needs_choice"] is True and state["marker"]["value"] == "red"
        assert state["notice"]["version"] == 2
        assert not any(pair["consents"] for pair in state["pairs"])
        assert {pair["notice_version"] for pair in state["pairs"]} == {1}

    again = decide(client, granted, forum.slug, ALL)
    assert again["marker"]["value"] == "green" and again["needs_choice"] is False


def test_a_correction_that_is_not_material_keeps_decisions(client, forum, make_account):
    person = make_account()
    decide(client, person, forum.slug, ALL)
    notice = publish(client, forum.admin, forum.slug, material=False, word="(typo fixed)")
    assert notice["version"] == 2 and notice["material_version"] == 1

    state = client.get(f"/api/v1/forums/{forum.slug}/consent", headers=person.headers).json()
    assert state["marker"]["value"] == "green" and state["needs_choice"] is False
    old = client.get(f"/api/v1/forums/{forum.slug}/consent-notice?version=1").json()
    assert old["version"] == 1 and "tell the photographer" in old["text"]["text"]
    response = client.get(f"/api/v1/forums/{forum.slug}/consent-notice?version=9")
    assert response.status_code == 404


def test_only_organizers_publish_notices_in_every_language(client, forum, make_account):
    url = f"/api/v1/forums/{forum.slug}/consent-notices"
    body = {"text": {"en": "Photos are taken."}, "material": True}
    assert client.post(url, json=body, headers=make_account().headers).status_code == 403
    response = client.post(url, json=body, headers=forum.admin.headers)
    assert response.status_code == 400
    pointers = {error["pointer"] for error in response.json()["errors"]}
    assert pointers == {"/text/de", "/text/fr", "/text/es"}
    unknown = {"text": {"en": "x", "de": "x", "fr": "x", "es": "x", "pt": "x"}, "material": True}
    response = client.post(url, json=unknown, headers=forum.admin.headers)
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/text/pt"


def test_an_organizer_records_a_decision_on_site(client, make_forum, make_account):
    forum = make_forum(status="registration_open")
    organizer, person = make_account(), make_account(locale="es")
    register(client, forum, person)
    response = client.post(
        f"/api/v1/forums/{forum.slug}/roles",
        json={"user_id": organizer.id, "role": "organizer"},
        headers=forum.admin.headers,
    )
    assert response.status_code == 201, response.text
    decide(client, person, forum.slug, ALL)

    url = f"/api/v1/forums/{forum.slug}/consent/{person.id}"
    response = client.post(url, json={"choices": NONE}, headers=organizer.headers)
    assert response.status_code == 200, response.text
    state = response.json()
    assert state["user_id"] == person.id and state["marker"]["value"] == "red"
    latest = state["history"][0]
    assert latest["channel"]["value"] == "on_site" and latest["actor_id"] == organizer.id
    # The person's own language, unless the organizer says which one they read it in.
    assert latest["notice_locale"] == "es"
    receipt = mails_to(client, person.email)[-1]
    assert "En el lugar, por un organizador" in receipt["text"]
    assert "Rojo: ni fotos ni vídeos" in receipt["text"]
    response = client.post(
        url, json={"choices": ALL, "notice_locale": "de"}, headers=organizer.headers
    )
    assert response.json()["history"][0]["notice_locale"] == "de"
    response = client.post(
        url, json={"choices": ALL, "notice_locale": "xx"}, headers=organizer.headers
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/notice_locale"

    own = client.get(f"/api/v1/forums/{forum.slug}/consent", headers=person.headers).json()
    # Labels in the reader's own language (the account's, here).
    assert own["history"][0]["channel"]["label"] == (
        "En el lugar, por un organizador a petición de la persona participante"
    )

    stranger = make_account()
    assert client.post(url, json={"choices": ALL}, headers=stranger.headers).status_code == 403
    assert client.get(url, headers=stranger.headers).status_code == 403
    assert client.get(url, headers=organizer.headers).json()["user_id"] == person.id
    missing = f"/api/v1/forums/{forum.slug}/consent/987654321"
    assert client.post(missing, json={"choices": ALL}, headers=organizer.headers).status_code == 404


def test_organizers_see_and_record_consent_only_of_people_registered_for_their_forum(
    client, make_forum, make_account
):
    forum, other_forum = (
        make_forum(status="registration_open"),
        make_forum(status="registration_open"),
    )
    registered, elsewhere, unregistered = make_account(), make_account(), make_account()
    register(client, forum, registered)
    register(client, other_forum, elsewhere)
    base = f"/api/v1/forums/{forum.slug}/consent"

    assert client.get(f"{base}/{registered.id}", headers=forum.admin.headers).status_code == 200
    answers = []
    for person_id in (elsewhere.id, unregistered.id, 987654321):
        read = client.get(f"{base}/{person_id}", headers=forum.admin.headers)
        written = client.post(
            f"{base}/{person_id}", json={"choices": ALL}, headers=forum.admin.headers
        )
        assert read.status_code == written.status_code == 404
        answers.append((read.json()["code"], read.json()["detail"], written.json()["code"]))
    # An existing account and a missing one are answered alike: ids cannot be enumerated.
    assert len(set(answers)) == 1
    for person in (elsewhere, unregistered):
        assert not any(m["template"] == "consent.recorded" for m in mails_to(client, person.email))


def test_a_profile_edit_writes_no_consent_event(client, forum, make_account):
    person = make_account()
    decide(client, person, forum.slug, ALL)
    assert mails_to(client, person.email) == []
    for method, body in (
        ("put", {"given_name": "Ama", "family_name": "Mensah", "visibility": "forums"}),
        ("patch", {"organization": "City of Accra"}),
    ):
        response = getattr(client, method)("/api/v1/me/profile", json=body, headers=person.headers)
        assert response.status_code == 200, response.text
    response = client.patch("/api/v1/me", json={"locale": "fr"}, headers=person.headers)
    assert response.status_code == 200, response.text

    history = client.get("/api/v1/me/consent-history", headers=person.headers).json()["events"]
    assert len(history) == 8
    state = client.get(f"/api/v1/forums/{forum.slug}/consent", headers=person.headers).json()
    assert state["marker"]["value"] == "green"


def test_ones_history_covers_every_forum(client, make_forum, make_account):
    first, second = make_forum(status="announced"), make_forum(status="announced")
    person = make_account()
    decide(client, person, first.slug, ALL)
    decide(client, person, second.slug, [{"decision": "refused", "media": ["video"]}])

    events = client.get("/api/v1/me/consent-history", headers=person.headers).json()["events"]
    assert [event["forum_slug"] for event in events] == [second.slug] * 4 + [first.slug] * 8
    assert client.get("/api/v1/me/consent-history").status_code == 401


def test_statistics_count_shares_for_organizers(client, forum, make_account):
    for choices in (ALL, ALL, NONE, [{"decision": "granted", "media": ["photo"]}]):
        register(client, forum, make_account(), consent=choices)
    # Registered without choosing: counted, undecided. Decided without registering: not counted.
    register(client, forum, make_account())
    decide(client, make_account(), forum.slug, ALL)

    url = f"/api/v1/forums/{forum.slug}/consent-stats"
    assert client.get(url, headers=make_account().headers).status_code == 403
    stats = client.get(f"{url}?lang=de", headers=forum.admin.headers).json()
    assert stats["population"]["value"] == "registered"
    assert stats["people"] == 5
    assert stats["markers"]["green"]["count"] == 2
    assert stats["markers"]["yellow"]["count"] == 1
    assert stats["markers"]["red"]["count"] == 2
    pairs = {(p["medium"]["value"], p["purpose"]["value"]): p for p in stats["pairs"]}
    assert pairs["photo", "press"]["granted"] == {"count": 3, "share": 0.6, "percent": "60\u00a0%"}
    assert pairs["video", "press"]["granted"]["count"] == 2
    assert pairs["video", "press"]["refused"]["count"] == 1
    assert pairs["video", "press"]["undecided"]["count"] == 2


def portuguese_locales(tmp_path, translate):
    """A copy of the catalogs plus a Portuguese one translating what ``translate`` returns."""
    locales = tmp_path / "locales"
    shutil.copytree(project_dir("locales"), locales)
    (locales / "pt" / "LC_MESSAGES").mkdir(parents=True)
    with (locales / "en" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file, locale="pt")
    for message in catalog:
        message.string = translate(message.id) if isinstance(message.id, str) else ""
    with (locales / "pt" / "LC_MESSAGES" / "messages.po").open("wb") as po_file:
        write_po(po_file, catalog)
    return str(locales)


def test_a_notice_is_never_published_in_a_language_its_catalog_does_not_translate(
    make_client, make_forum, tmp_path
):
    forum = make_forum(status="registration_open")
    locales = portuguese_locales(
        tmp_path, lambda msgid: "Não encontrado" if msgid == "Not found" else ""
    )
    portuguese = make_client(locales_dir=locales, locales=("de", "en", "fr", "es", "pt"))

    notice = portuguese.get(f"/api/v1/forums/{forum.slug}/consent-notice?lang=pt").json()

    assert notice["text"]["locales"] == ["de", "en", "es", "fr"]
    assert notice["text"]["locale"] != "pt" and notice["text"]["is_fallback"] is True
    assert "tell the photographer" in notice["text"]["text"]


def test_a_notice_is_published_in_a_language_once_its_catalog_translates_it(
    make_client, make_forum, tmp_path
):
    forum = make_forum(status="registration_open")
    locales = portuguese_locales(
        tmp_path, lambda msgid: f"(pt) {msgid}" if msgid in DEFAULT_NOTICE else ""
    )
    portuguese = make_client(locales_dir=locales, locales=("de", "en", "fr", "es", "pt"))

    notice = portuguese.get(f"/api/v1/forums/{forum.slug}/consent-notice?lang=pt").json()

    assert notice["text"]["locale"] == "pt" and not notice["text"]["is_fallback"]
    assert notice["text"]["text"].startswith("(pt) Photos and videos at this forum")
