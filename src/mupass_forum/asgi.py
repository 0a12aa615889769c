"""The ASGI entry point: ``uvicorn mupass_forum.asgi:app`` (settings from the environment)."""

from mupass_forum.app import create_app

app = create_app()
