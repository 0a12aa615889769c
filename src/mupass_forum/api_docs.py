"""The API documentation page at ``/schema``: Swagger UI, served by the service itself.

Litestar's render plugins load their scripts and styles from a CDN by default (and Scalar's
from ``@latest``, without an integrity check): without internet access, or behind a strict
firewall, the page stayed white. The scripts, styles and icon come instead from the
``swagger-ui-py`` package (Apache-2.0, its ``LICENSE`` served beside them), pinned in the lock
file, under ``ASSETS_PATH``; the page references no other origin.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.static_files import create_static_files_router

from mupass_forum.api_contract import ContractJsonRenderPlugin, ContractSwaggerRenderPlugin
from mupass_forum.settings import Settings

ASSETS_PATH = "/schema/assets"
#: The files as the package installs them (a directory on disk).
ASSETS_DIR = Path(str(resources.files("swagger_ui") / "static"))


def render_plugins() -> list[OpenAPIRenderPlugin]:
    """Swagger UI at ``/schema`` (and ``/schema/swagger``) with the service's own assets, and
    the document at ``/schema/openapi.json``; both as the service answers (``api_contract``)."""
    return [
        ContractSwaggerRenderPlugin(
            js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            css_url=f"{ASSETS_PATH}/swagger-ui.css",
            standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
            favicon=f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>",
            path="/swagger",
        ),
        ContractJsonRenderPlugin(),
    ]


def routers(settings: Settings) -> list[Router]:
    """The page's assets when the documentation is on (``MUPASS_OPENAPI``). They change only
    with the lock file, so caches keep them for a day."""
    if not settings.openapi:
        return []
    return [
        create_static_files_router(
            path=ASSETS_PATH,
            directories=[ASSETS_DIR],
            name="api_docs_assets",
            cache_control=CacheControlHeader(max_age=86400, public=True),
            include_in_schema=False,
        )
    ]
