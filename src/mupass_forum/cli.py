"""The ``mupass-forum`` command."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from mupass_forum import __version__, db
from mupass_forum.settings import Settings, SettingsError

T = TypeVar("T")


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings.from_env(**overrides)
    except SettingsError as exc:
        raise click.ClickException(f"configuration: {exc}") from exc


def run_with_database(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work`` with the database of ``settings`` connected, then close it."""

    async def main() -> T:
        async with db.connected(settings):
            return await work()

    return asyncio.run(main())


def describe_database(settings: Settings) -> str:
    url = settings.resolved_database_url
    if url.startswith("sqlite:///"):
        return f"SQLite at {db.sqlite_path(url)}"
    # Never print a password that may be part of the URL.
    host = url.split("@", 1)[-1]
    return f"PostgreSQL at {host}"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="mupass-forum")
def main() -> None:
    """Run and administer mupass-forum, the multilingual dialogue forum service.

    Settings come from MUPASS_* environment variables (see the README); with none set, the
    service keeps its data in an SQLite file under ./var.
    """


@main.command()
@click.option(
    "--check", is_flag=True, help="Only list pending migrations; exit 1 if there are any."
)
def migrate(check: bool) -> None:
    """Create or upgrade the database schema."""
    settings = load_settings()
    click.echo(f"Database: {describe_database(settings)}")
    if check:
        pending = run_with_database(settings, db.pending_migrations)
        for name in pending:
            click.echo(f"  pending: {name}")
        if pending:
            raise click.ClickException(f"{len(pending)} migrations are pending")
        click.echo("The schema is up to date.")
        return
    report = run_with_database(settings, db.migrate)
    for name in report.applied:
        click.echo(f"  applied: {name}")
    click.echo(
        f"Applied {len(report.applied)} migrations."
        if report.applied
        else "The schema is up to date."
    )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1), help="Server processes."
)
@click.option("--reload", is_flag=True, help="Restart when the code changes (development).")
@click.option("--demo", is_flag=True, help="Load demonstration data into an empty database.")
def serve(host: str, port: int, workers: int, reload: bool, demo: bool) -> None:
    """Start the web service.

    On the embedded SQLite database, pending migrations are applied first; on PostgreSQL run
    `mupass-forum migrate` before. With --demo (or MUPASS_DEMO=1) demonstration data is
    loaded into an empty database.
    """
    import uvicorn

    from mupass_forum.demo import load_demo_data

    if demo:
        os.environ["MUPASS_DEMO"] = "1"
    settings = load_settings()
    click.echo(f"Database: {describe_database(settings)}")

    async def prepare() -> None:
        if settings.uses_sqlite:
            report = await db.migrate()
            if report.applied:
                click.echo(f"Applied {len(report.applied)} migrations.")
        else:
            pending = await db.pending_migrations()
            if pending:
                raise click.ClickException(
                    f"{len(pending)} migrations are pending; run `mupass-forum migrate` first"
                )
        if settings.demo:
            for line in await load_demo_data():
                click.echo(f"Demo: {line}")

    run_with_database(settings, prepare)
    click.echo(f"Serving on http://{host}:{port} (press Ctrl+C to stop)")
    uvicorn.run(
        "mupass_forum.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=None if reload else workers,
        reload=reload,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
    )


@main.command("create-admin")
@click.argument("email")
@click.option("--display-name", help="Name shown to others (for a new account).")
def create_admin(email: str, display_name: str | None) -> None:
    """Make EMAIL a platform admin.

    An existing account is promoted; otherwise a verified account is created after asking
    for its password.
    """
    from mupass_forum.accounts.rate_limits import MemoryCounters
    from mupass_forum.accounts.services import AccountService
    from mupass_forum.app import install
    from mupass_forum.errors import InvalidInput

    settings = load_settings()
    install(settings)
    accounts = AccountService(settings, MemoryCounters())
    if run_with_database(settings, lambda: accounts.make_platform_admin(email)):
        click.echo(f"{email} is now a platform admin.")
        return
    click.echo(f"There is no account for {email} yet; creating one.")
    name = display_name or click.prompt("Display name", default=email.split("@")[0])
    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        run_with_database(
            settings,
            lambda: accounts.create_account(
                email=email,
                password=password,
                display_name=name,
                locale=settings.default_locale,
                timezone=settings.default_timezone,
                verified=True,
                is_platform_admin=True,
            ),
        )
    except InvalidInput as exc:
        problems = "; ".join(
            f"{error.pointer or ''}: {error.render()['detail']}" for error in exc.errors
        )
        raise click.ClickException(f"not created: {problems}") from exc
    click.echo(f"Created {email} as a platform admin.")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
