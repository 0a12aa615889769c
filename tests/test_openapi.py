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
