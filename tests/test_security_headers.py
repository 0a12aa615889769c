"""Headers that protect browsers, on every response; CORS only for configured origins."""

from __future__ import annotations

import pytest

EXPECTED = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "content-security-policy": "frame-ancestors 'none'",
}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/health/live"),
        ("GET", "/api/v1/organizations"),
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/nowhere"),
        ("GET", "/api/v1/organizations?lang=x!"),
        ("POST", "/health/live"),
    ],
)
def test_every_response_carries_the_security_headers(client, method, path):
    response = client.request(method, path)

    for name, value in EXPECTED.items():
        assert response.headers[name] == value
    assert "strict-transport-security" not in response.headers


@pytest.mark.parametrize("path", ["/health/live", "/api/v1/organizations?lang=x!"])
def test_hsts_only_over_https(client, path):
    response = client.get(f"https://testserver.local{path}")

    assert response.headers["strict-transport-security"].startswith("max-age=31536000")
    assert response.headers["x-frame-options"] == "DENY"


def test_no_cross_origin_access_by_default(client):
    response = client.options(
        "/api/v1/organizations",
        headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in response.headers
    plain = client.get("/api/v1/organizations", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in plain.headers


def test_configured_origins_may_call_the_api(make_client):
    client = make_client(cors_origins=("https://app.example",))

    allowed = client.options(
        "/api/v1/me",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    refused = client.get("/api/v1/organizations", headers={"Origin": "https://evil.example"})

    assert allowed.status_code in (200, 204)
    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-origin" not in refused.headers


def test_personal_answers_of_the_api_are_never_stored(client, make_forum, make_account):
    forum = make_forum(status="registration_open")
    account = make_account()
    admin = forum.admin.headers
    profile = {"given_name": "Ama", "family_name": "Mensah"}
    assert client.put("/api/v1/me/profile", json=profile, headers=account.headers).is_success
    for path, headers in (
        ("/api/v1/me", account.headers),
        ("/api/v1/me/profile", account.headers),
        ("/api/v1/me/sessions", account.headers),
        ("/api/v1/me/export", account.headers),
        ("/api/v1/participants", account.headers),
        (f"/api/v1/forums/{forum.slug}/registrations", admin),
        (f"/api/v1/forums/{forum.slug}/registrations/export", admin),
        (f"/api/v1/forums/{forum.slug}", {}),
    ):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.text)
        assert response.headers["cache-control"] == "no-store", path
    # Problems too; reference data that is the same for everyone stays cacheable.
    assert client.get("/api/v1/me").headers["cache-control"] == "no-store"
    assert "public" in client.get("/api/v1/countries").headers["cache-control"]
