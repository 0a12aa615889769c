"""Liveness and readiness."""

from __future__ import annotations

from tests.conftest import TEST_REDIS_URL, on_postgres


def test_live(client):
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_ready_names_the_database(client):
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.json()["database"] == ("postgres" if on_postgres() else "sqlite")


def test_ready_is_503_when_the_database_does_not_answer(make_client, tmp_path):
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("not a directory")
    client = make_client(database_url=f"sqlite:///{blocked}/db.sqlite3")

    response = client.get("/health/ready", headers={"Accept-Language": "de"})

    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable"
    assert response.json()["detail"] == "Die Datenbank antwortet nicht."


def test_ready_is_503_when_the_database_is_unreachable_postgres(make_client):
    client = make_client(database_url="postgresql://nobody@127.0.0.1:1/none")

    response = client.get("/health/ready")

    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable"


def test_ready_reports_redis_when_it_is_configured(make_client, redis_prefix):
    client = make_client(redis_url=TEST_REDIS_URL, redis_key_prefix=redis_prefix)

    response = client.get("/health/ready")

    assert response.status_code == 200
    assert response.json()["redis"] == "ok"


def test_ready_is_503_while_redis_is_down(make_client):
    client = make_client(redis_url="redis://127.0.0.1:1/0")

    response = client.get("/health/ready")

    assert response.status_code == 503
    assert response.json()["code"] == "redis_unavailable"
