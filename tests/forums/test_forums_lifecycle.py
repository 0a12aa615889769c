"""The lifecycle: draft -> announced -> registration open -> closed -> held -> archived, or
cancelled; every other change is a 409 that says why in the reader's language."""

from __future__ import annotations

import pytest

ALLOWED = [
    ("draft", "announced"),
    ("draft", "cancelled"),
    ("announced", "registration_open"),
    ("announced", "cancelled"),
    ("registration_open", "registration_closed"),
    ("registration_open", "cancelled"),
    ("registration_closed", "registration_open"),
    ("registration_closed", "held"),
    ("registration_closed", "cancelled"),
    ("held", "archived"),
    ("cancelled", "archived"),
]

FORBIDDEN = [
    ("draft", "registration_open"),
    ("draft", "held"),
    ("announced", "draft"),
    ("announced", "held"),
    ("registration_open", "announced"),
    ("registration_open", "held"),
    ("held", "cancelled"),
    ("held", "registration_open"),
    ("cancelled", "announced"),
    ("archived", "held"),
    ("archived", "draft"),
]

#: A forum that has begun, so that it may be marked as held.
PAST = {"starts_at": "2020-10-26T09:00:00", "ends_at": "2020-10-28T17:00:00", "edition": 2020}


def _at(make_forum, client, status: str):
    """A forum in ``status``, reached along allowed transitions."""
    if status in ("cancelled", "archived"):
        forum = make_forum(status="held" if status == "archived" else "draft", **PAST)
        step = "archived" if status == "archived" else "cancelled"
        response = client.post(
            f"/api/v1/forums/{forum.slug}/status",
            json={"status": step},
            headers=forum.admin.headers,
        )
        assert response.status_code == 200, response.text
        return forum
    return make_forum(status=status, **PAST)


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_allowed_transitions(client, make_forum, current, target) -> None:
    forum = _at(make_forum, client, current)
    response = client.post(
        f"/api/v1/forums/{forum.slug}/status?lang=es",
        json={"status": target},
        headers=forum.admin.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"]["value"] == target


@pytest.mark.parametrize(("current", "target"), FORBIDDEN)
def test_forbidden_transitions_are_conflicts(client, make_forum, current, target) -> None:
    forum = _at(make_forum, client, current)
    response = client.post(
        f"/api/v1/forums/{forum.slug}/status",
        json={"status": target},
        headers=forum.admin.headers,
    )
    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["code"] == "transition_not_allowed"
    assert target not in problem["extra"]["allowed"]
    after = client.get(f"/api/v1/forums/{forum.slug}", headers=forum.admin.headers)
    assert after.json()["status"]["value"] == current


def test_the_reason_is_given_in_the_readers_language(client, make_forum) -> None:
    forum = make_forum(status="announced")
    path = f"/api/v1/forums/{forum.slug}/status"
    german = client.post(path + "?lang=de", json={"status": "held"}, headers=forum.admin.headers)
    assert german.status_code == 409
    assert german.headers["content-type"].startswith("application/problem+json")
    assert german.json()["detail"] == (
        "Ein Forum im Status „Angekündigt“ kann nicht in den Status „Durchgeführt“ wechseln."
    )
    assert german.json()["extra"]["allowed"] == ["cancelled", "registration_open"]
    french = client.post(path + "?lang=fr", json={"status": "held"}, headers=forum.admin.headers)
    assert "«\u00a0Annoncé\u00a0»" in french.json()["detail"]


def test_a_forum_is_held_only_once_it_has_begun(client, make_forum) -> None:
    forum = make_forum(status="registration_closed")
    response = client.post(
        f"/api/v1/forums/{forum.slug}/status",
        json={"status": "held"},
        headers=forum.admin.headers,
    )
    assert response.status_code == 409
    assert response.json()["code"] == "forum_not_started"


def test_an_unknown_status_is_invalid_input(client, make_forum) -> None:
    forum = make_forum()
    response = client.post(
        f"/api/v1/forums/{forum.slug}/status",
        json={"status": "postponed"},
        headers=forum.admin.headers,
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/status"
