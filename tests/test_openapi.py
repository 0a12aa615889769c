"""The API description: every operation documented and findable."""

from __future__ import annotations

import pytest

from tests.conftest import referenced_urls

METHODS = {"get", "post", "put", "patch", "delete"}


def test_every_operation_has_an_id_a_summary_and_tags(client):
    schema = client.get("/schema/openapi.json").json()
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]
    assert operations
    ids = [operation.get("operationId") for _, _, operation in operations]
    assert all(ids), ids
    assert len(set(ids)) == len(ids)
    for path, method, operation in operations:
        assert operation.get("summary"), (path, method)
        assert operation.get("tags"), (path, method)


def test_the_api_lives_under_api_v1(client):
    paths = client.get("/schema/openapi.json").json()["paths"]
    assert all(path.startswith(("/api/v1/", "/health/")) for path in paths), list(paths)


def test_a_browsable_page_is_served(client):
    response = client.get("/schema")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]


@pytest.mark.parametrize("path", ["/schema", "/schema/swagger"])
def test_the_documentation_page_loads_only_from_the_service(client, path):
    page = client.get(path).text
    urls = referenced_urls(page)

    assert any(url.endswith("swagger-ui-bundle.js") for url in urls), page[:2000]
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.content


def test_the_assets_come_with_their_licence(client):
    response = client.get("/schema/assets/LICENSE")
    assert response.status_code == 200
    assert "Apache License" in response.text


def api_operations(schema):
    return [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS and path.startswith("/api/")
    ]


def test_errors_are_documented_as_problems_with_their_statuses(client):
    schema = client.get("/schema/openapi.json").json()
    problem = schema["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "code"} <= set(problem["required"])

    for path, method, operation in api_operations(schema):
        errors = {int(s): r for s, r in operation["responses"].items() if int(s) >= 400}
        assert {400, 401, 403} <= set(errors), (path, method)
        for response in errors.values():
            assert list(response["content"]) == ["application/problem+json"], (path, method)
        if "{" in path:
            assert 404 in errors, (path, method)
        if "requestBody" in operation:
            assert {413, 415} <= set(errors), (path, method)
    login = schema["paths"]["/api/v1/auth/login"]["post"]["responses"]
    assert {"429", "503"} <= set(login)


def test_request_bodies_refuse_unknown_fields_and_integers_are_bounded(client):
    schema = client.get("/schema/openapi.json").json()
    components = schema["components"]["schemas"]

    assert components["Login"]["additionalProperties"] is False
    assert components["ForumCreate"]["additionalProperties"] is False
    for path, _method, operation in api_operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["schema"].get("type") == "integer":
                assert parameter["schema"]["maximum"] <= 2**31 - 1, (path, parameter["name"])


def test_the_statistics_are_described_as_what_they_are(client):
    schema = client.get("/schema/openapi.json").json()
    stats = schema["paths"]["/api/v1/forums/{slug}/stats"]["get"]["responses"]["200"]

    assert stats["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Stats"}
    assert set(stats["content"]) == {"application/json", "text/csv", "image/svg+xml"}


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/api/v1/board/categories", {"GET", "POST", "OPTIONS"}),
        ("/api/v1/forums", {"GET", "POST", "OPTIONS"}),
        ("/api/v1/organizations", {"GET", "POST", "OPTIONS"}),
    ],
)
def test_options_names_every_method_of_a_path(client, path, methods):
    response = client.options(path)
    assert {method.strip() for method in response.headers["allow"].split(",")} == methods
