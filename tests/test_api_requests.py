"""What the API takes: JSON bodies that say so, of bounded depth, integers its columns can hold."""

from __future__ import annotations

import base64
import json
import logging

import pytest

BIG = (2**31, 2**63, 10**30)


def cursor(key):
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


@pytest.fixture
def no_errors_logged(caplog):
    caplog.set_level(logging.WARNING, logger="mupass_forum")
    yield
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


@pytest.mark.parametrize("number", BIG)
def test_ids_beyond_the_columns_are_not_found(client, make_account, number, no_errors_logged):
    account = make_account()
    for path in (
        f"/api/v1/organizations/{number}",
        f"/api/v1/board/threads/{number}",
        f"/api/v1/board/posts/{number}",
    ):
        response = client.get(path, headers=account.headers)
        assert response.status_code == 404, (path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    response = client.delete(f"/api/v1/me/sessions/{number}", headers=account.headers)
    assert response.status_code == 404


@pytest.mark.parametrize("number", BIG)
def test_integer_parameters_cursors_and_fields_beyond_the_columns_are_refused(
    client, make_forum, make_account, number, no_errors_logged
):
    response = client.get(f"/api/v1/organizations?after={number}")
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0] == {
        "detail": "Must be between -2147483648 and 2147483647.",
        "code": "out_of_range",
        "parameter": "after",
    }
    assert client.get(f"/api/v1/organizations?after=-{number + 1}").status_code == 400
    for key in (["2030-01-01T00:00:00+00:00", number], ["2030-01-01T00:00:00+00:00", 1e30]):
        response = client.get(f"/api/v1/forums?cursor={cursor(key)}")
        assert response.status_code == 400, response.text
        assert response.json()["errors"][0]["code"] == "invalid_cursor"

    forum = make_forum()
    response = client.post(
        f"/api/v1/forums/{forum.slug}/roles",
        json={"user_id": number, "role": "organizer"},
        headers=forum.admin.headers,
    )
    assert response.status_code == 400, response.text
    assert response.json()["errors"] == [
        {
            "detail": "Must be between -2147483648 and 2147483647.",
            "code": "out_of_range",
            "pointer": "/user_id",
        }
    ]


def test_numbers_in_text_parameters_are_text(client):
    response = client.get(f"/api/v1/countries?q={2**70}")
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/auth/login", "/api/v1/auth/signup", "/api/v1/me"])
def test_json_nested_too_deep_is_a_bad_request(client, path, make_account, no_errors_logged):
    headers = {"content-type": "application/json", **make_account().headers}
    for depth in (33, 1000, 100_000):
        body = "[" * depth + "]" * depth
        response = client.request(
            "PATCH" if path == "/api/v1/me" else "POST", path, content=body, headers=headers
        )
        assert response.status_code == 400, response.text
        assert response.json()["code"] == "too_deeply_nested"
    nested = {"email": "a@example.org", "password": "x" * 12, "extra": {"a": [[[1]]]}}
    response = client.post("/api/v1/auth/login", json=nested)
    assert response.json()["code"] == "invalid_input"


def test_bodies_that_are_not_json_are_refused(client, make_forum):
    forum = make_forum(status="announced")
    bodies = {
        "/api/v1/auth/signup": {
            "email": "someone@example.org",
            "password": "a long passphrase 1",
            "display_name": "Someone",
        },
        "/api/v1/auth/password-reset": {"email": "someone@example.org"},
        "/api/v1/auth/login": {"email": "someone@example.org", "password": "x" * 12},
        f"/api/v1/forums/{forum.slug}/interest": {
            "given_name": "A",
            "family_name": "B",
            "email": "someone@example.org",
            "locale": "en",
            "country": "GH",
        },
    }
    for path, body in bodies.items():
        for media_type in (
            "text/plain",
            "text/plain;charset=UTF-8",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
        ):
            response = client.post(
                path, content=json.dumps(body), headers={"content-type": media_type}
            )
            assert response.status_code == 415, (path, media_type, response.text)
            problem = response.json()
            assert problem["code"] == "unsupported_media_type"
            assert response.headers["content-type"] == "application/problem+json"
        response = client.post(path, content=json.dumps(body))
        assert response.status_code == 415, path
    german = client.post(
        "/api/v1/auth/password-reset?lang=de",
        content=json.dumps({"email": "someone@example.org"}),
        headers={"content-type": "text/plain"},
    )
    assert "Content-Type: application/json" in german.json()["detail"]
    assert german.json()["title"] == "Nicht unterstützter Medientyp"
    accepted = client.post(
        "/api/v1/auth/password-reset",
        content=json.dumps({"email": "someone@example.org"}),
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert accepted.status_code == 202


def test_a_body_beyond_the_bound_is_too_large(client):
    body = b'{"email": "' + b"a" * 10_000_001 + b'"}'
    response = client.post(
        "/api/v1/auth/login", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
