"""The signed link in mails withdraws consent without signing in, and only for its forum."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from mupass_forum.app import build_context
from mupass_forum.app_context import bound
from mupass_forum.consent.links import withdrawal_link
from tests.consent.conftest import ALL, decide, mails_to, states

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def path_of(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


@pytest.fixture
def granted(client, make_forum, make_account):
    """A forum and a person who granted everything: (forum, person, link path)."""
    forum = make_forum(status="registration_open")
    person = make_account()
    decide(client, person, forum.slug, ALL)
    return forum, person, path_of(withdrawal_link(person.id, forum.id))


def test_the_link_points_to_the_service(granted, settings):
    _, person, _ = granted
    link = withdrawal_link(person.id, 1)
    assert link.startswith(f"{settings.base_url}/api/v1/consent/withdrawal?token=")


def test_opening_the_link_changes_nothing(client, granted):
    forum, person, path = granted
    preview = client.get(path)
    assert preview.status_code == 200, preview.text
    assert preview.headers["cache-control"] == "no-store"
    body = preview.json()
    assert body["forum_slug"] == forum.slug and body["marker"]["value"] == "green"
    assert body["forum_title"]["text"] == "Test forum"
    state = client.get(f"/api/v1/forums/{forum.slug}/consent", headers=person.headers).json()
    assert state["marker"]["value"] == "green" and len(state["history"]) == 8


def test_posting_the_link_withdraws_without_signing_in(client, granted):
    forum, person, path = granted
    response = client.post(path)
    assert response.status_code == 200, response.text
    assert response.json()["marker"]["value"] == "red"

    state = client.get(f"/api/v1/forums/{forum.slug}/consent", headers=person.headers).json()
    assert set(states(state).values()) == {"refused"}
    withdrawal = state["history"][:8]
    assert {event["channel"]["value"] for event in withdrawal} == {"signed_link"}
    assert {event["actor_id"] for event in withdrawal} == {person.id}
    assert {event["decision"]["value"] for event in withdrawal} == {"refused"}


def test_the_person_gets_a_receipt_with_a_fresh_link(client, make_forum, make_account):
    forum = make_forum(status="registration_open")
    person = make_account(locale="de")
    decide(client, person, forum.slug, ALL)
    assert mails_to(client, person.email) == []
    assert client.post(path_of(withdrawal_link(person.id, forum.id))).status_code == 200

    (receipt,) = mails_to(client, person.email)
    assert receipt["template"] == "consent.recorded"
    assert receipt["subject"] == "Ihre Entscheidung zu Fotos und Videos beim Forum „Testforum“"
    assert "Über den Link in einer E-Mail" in receipt["text"]
    assert "Rot: keine Fotos und Videos" in receipt["text"]
    link = next(line for line in receipt["text"].splitlines() if "/consent/withdrawal?" in line)
    assert client.get(path_of(link.strip())).json()["forum_slug"] == forum.slug


def test_a_browser_gets_a_page_with_a_button_then_a_confirmation(client, granted):
    forum, person, path = granted
    page = client.get(f"{path}&lang=de", headers=BROWSER)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert '<html lang="de">' in page.text
    assert "Meine Einwilligung widerrufen" in page.text
    assert '<form method="post" action="?token=' in page.text
    state = client.get(f"/api/v1/forums/{forum.slug}/consent", headers=person.headers).json()
    assert state["marker"]["value"] == "green"

    done = client.post(f"{path}&lang=fr", headers=BROWSER)
    assert done.status_code == 200
    assert "Consentement retiré" in done.text
    assert "Rouge\u00a0: ni photos ni vidéos" in done.text


def test_forum_titles_are_escaped_on_the_page(client, make_forum, make_account):
    forum = make_forum(status="announced", title={"en": "<script>alert(1)</script> & more"})
    person = make_account()
    page = client.get(path_of(withdrawal_link(person.id, forum.id)), headers=BROWSER)
    assert "<script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page.text


def test_the_link_only_touches_its_own_forum(client, granted, make_forum):
    _, person, path = granted
    other = make_forum(status="registration_open")
    decide(client, person, other.slug, ALL)
    assert client.post(path).status_code == 200
    kept = client.get(f"/api/v1/forums/{other.slug}/consent", headers=person.headers).json()
    assert kept["marker"]["value"] == "green"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token.replace(".", ".9", 1),  # another person
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # another signature
        lambda token: ".".join([*token.split(".")[:3], "99999999999", *token.split(".")[4:]]),
        lambda token: "garbage",
    ],
)
def test_an_altered_link_is_refused(client, granted, tamper):
    forum, person, path = granted
    token = path.split("token=", 1)[1]
    altered = f"/api/v1/consent/withdrawal?token={tamper(token)}"
    for method in (client.get, client.post):
        response = method(altered)
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_consent_link"
    state = client.get(f"/api/v1/forums/{forum.slug}/consent", headers=person.headers).json()
    assert state["marker"]["value"] == "green"


def test_an_expired_link_is_gone(client, granted):
    forum, person, _ = granted
    expired = withdrawal_link(person.id, forum.id, expires_at=datetime.now(UTC) - timedelta(1))
    for method in (client.get, client.post):
        response = method(path_of(expired))
        assert response.status_code == 410
        assert response.json()["code"] == "consent_link_expired"
    state = client.get(f"/api/v1/forums/{forum.slug}/consent", headers=person.headers).json()
    assert state["marker"]["value"] == "green"


def test_a_link_signed_with_another_key_is_refused(client, granted, settings):
    forum, person, path = granted
    other = build_context(settings.replace(secret_key="another-secret-key-for-this-test-only"))
    with bound(other):
        foreign = path_of(withdrawal_link(person.id, forum.id))
    assert foreign != path
    assert client.post(foreign).status_code == 400
