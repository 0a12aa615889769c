"""Problems (RFC 9457): stable codes, field pointers, no internals leaked."""

from __future__ import annotations

import logging

import msgspec
import pytest
from litestar import get, post
from litestar.params import JSONBody

from mupass_forum.app import create_app
from mupass_forum.errors import Conflict, Duration, TooManyRequests
from mupass_forum.i18n import use_locale


class Inner(msgspec.Struct, forbid_unknown_fields=True):
    size: int


class Thing(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    inner: Inner | None = None
    tags: list[str] = []


@post("/api/v1/test-things", operation_id="test_create_thing", summary="Create", tags=["test"])
async def create_thing(data: JSONBody[Thing]) -> Thing:
    """Echo a thing."""
    return data


@get("/api/v1/test-explode", operation_id="test_explode", summary="Explode", tags=["test"])
async def explode() -> None:
    """Fail in an unexpected way."""
    raise RuntimeError("secret internal detail")


@get("/api/v1/test-conflict", operation_id="test_conflict", summary="Conflict", tags=["test"])
async def conflict() -> None:
    """Fail with a domain error."""
    raise Conflict("thing_taken", "Not translated: {name} is taken.", name="Ada")


@get("/api/v1/test-slow-down", operation_id="test_slow_down", summary="Slow", tags=["test"])
async def slow_down() -> None:
    """Fail with a rate limit."""
    raise TooManyRequests(retry_after=30)


def thing_client(make_client, migrated):
    app = create_app(migrated)
    for handler in (create_thing, explode, conflict, slow_down):
        app.register(handler)
    return make_client(app)


def test_unknown_fields_are_rejected_with_a_pointer(make_client, migrated):
    client = thing_client(make_client, migrated)

    response = client.post(
        "/api/v1/test-things",
        json={"name": "x", "role": "admin"},
        headers={"Accept-Language": "de"},
    )

    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "invalid_input"
    assert problem["errors"] == [
        {
            "pointer": "/role",
            "code": "unknown_field",
            "detail": "Dieses Feld ist hier nicht zulässig.",
        }
    ]


def test_nested_type_errors_point_at_the_field(make_client, migrated):
    client = thing_client(make_client, migrated)

    response = client.post(
        "/api/v1/test-things?lang=fr", json={"name": "x", "inner": {"size": "big"}}
    )

    error = response.json()["errors"][0]
    assert error["pointer"] == "/inner/size"
    assert error["code"] == "wrong_type"
    assert error["detail"] == "Attendu\u00a0: un nombre entier, reçu\u00a0: du texte."


def test_list_items_and_missing_fields(make_client, migrated):
    client = thing_client(make_client, migrated)

    assert (
        client.post("/api/v1/test-things", json={"name": "x", "tags": [1]}).json()["errors"][0][
            "pointer"
        ]
        == "/tags/0"
    )
    missing = client.post("/api/v1/test-things", json={}).json()["errors"][0]
    assert missing == {"pointer": "/name", "code": "required", "detail": "This field is required."}


def test_malformed_json(make_client, migrated):
    client = thing_client(make_client, migrated)

    response = client.post(
        "/api/v1/test-things", content=b"{nope", headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_body"


def test_a_crash_shows_a_generic_text_and_the_request_id(make_client, migrated, caplog):
    client = thing_client(make_client, migrated)

    with caplog.at_level(logging.ERROR, logger="mupass_forum"):
        response = client.get(
            "/api/v1/test-explode", headers={"X-Request-ID": "abc-123", "Accept-Language": "es"}
        )

    assert response.status_code == 500
    assert response.headers["x-request-id"] == "abc-123"
    problem = response.json()
    assert problem["code"] == "internal_error"
    assert problem["request_id"] == "abc-123"
    assert "abc-123" in problem["detail"]
    assert problem["title"] == "Error interno del servidor"
    assert "secret internal detail" not in response.text
    assert "RuntimeError" not in response.text
    assert "Traceback" not in response.text
    logged = [record for record in caplog.records if record.exc_info]
    assert logged
    assert "secret internal detail" in str(logged[0].exc_info[1])
    assert logged[0].request_id == "abc-123"


def test_domain_errors_keep_their_code(make_client, migrated):
    client = thing_client(make_client, migrated)

    problem = client.get("/api/v1/test-conflict").json()

    assert problem["status"] == 409
    assert problem["code"] == "thing_taken"
    assert problem["detail"] == "Not translated: Ada is taken."


def test_rate_limit_says_when_to_retry_in_words(make_client, migrated):
    client = thing_client(make_client, migrated)

    response = client.get("/api/v1/test-slow-down?lang=de")

    assert response.status_code == 429
    assert response.headers["retry-after"] == "30"
    assert (
        response.json()["detail"]
        == "Zu viele Anfragen. Bitte versuchen Sie es in 30 Sekunden erneut."
    )


def test_method_not_allowed_is_localized(client):
    response = client.post("/health/live", headers={"Accept-Language": "fr"})

    assert response.status_code == 405
    problem = response.json()
    assert problem["title"] == "Méthode non autorisée"
    assert problem["code"] == "method_not_allowed"
    assert "GET" in response.headers["allow"]


def test_request_ids_are_generated_or_taken_over(client):
    generated = client.get("/health/live").headers["x-request-id"]
    assert len(generated) == 32
    assert (
        client.get("/health/live", headers={"X-Request-ID": "trace-1"}).headers["x-request-id"]
        == "trace-1"
    )
    hostile = client.get("/health/live", headers={"X-Request-ID": "a\tb" + "x" * 300})
    assert hostile.headers["x-request-id"] != "a\tb" + "x" * 300


@pytest.mark.parametrize(
    ("seconds", "locale", "told"),
    [
        (30, "de", "30 Sekunden"),
        (1, "en", "1 second"),
        (900, "de", "15 Minuten"),
        (900, "fr", "15 minutes"),
        (61, "es", "2 minutos"),
        (3600, "fr", "1\u00a0heure"),
        (3599, "de", "1 Stunde"),
        (90000, "es", "2 días"),
    ],
)
def test_a_wait_is_told_in_its_largest_unit_rounded_up(app, seconds, locale, told):
    with use_locale(locale):
        assert f"{Duration(seconds)}" == told


@pytest.mark.parametrize(
    ("lang", "detail"),
    [
        ("en", "Expected an object or nothing, got a whole number."),
        ("de", "Erwartet: ein Objekt oder nichts, erhalten: eine ganze Zahl."),
        ("fr", "Attendu\u00a0: un objet ou rien, reçu\u00a0: un nombre entier."),
        ("es", "Se esperaba un objeto o nada, se recibió un número entero."),
    ],
)
def test_a_union_of_types_is_named_in_words_not_as_code(make_client, migrated, lang, detail):
    client = thing_client(make_client, migrated)

    response = client.post(f"/api/v1/test-things?lang={lang}", json={"name": "x", "inner": 5})

    assert response.json()["errors"][0]["detail"] == detail
