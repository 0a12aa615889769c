"""The ``mupass-forum`` command."""

from __future__ import annotations

import asyncio
import functools
import json
import os
import signal
import socket
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from mupass_forum import __version__, db, db_migrations
from mupass_forum.app_context import AppContext, bound
from mupass_forum.settings import Settings, SettingsError
from mupass_forum.translations import catalog_checks, catalogs

T = TypeVar("T")


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings.from_env(**overrides)
    except SettingsError as exc:
        raise click.ClickException(f"configuration: {exc}") from exc


def run_with_database(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work`` with the database of ``settings`` connected, then close it; a database
    that cannot be reached is reported in one line."""

    async def main() -> T:
        async with db.connected(settings):
            return await work()

    try:
        return asyncio.run(main())
    except db.DatabaseUnreachable as exc:
        raise click.ClickException(f"cannot connect to the database: {exc}") from exc
    except (db_migrations.MigrationLockTimeout, db_migrations.UnknownMigrations) as exc:
        raise click.ClickException(str(exc)) from exc


def run_with_database_for(context: AppContext, work: Callable[[], Awaitable[T]]) -> T:
    """``run_with_database`` for the services: ``work`` runs for the app of ``context`` (its
    settings, catalogs and hooks; ``app.build_context``)."""

    async def for_the_app() -> T:
        with bound(context):
            return await work()

    return run_with_database(context.settings, for_the_app)


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
    click.echo(f"Database: {db.describe(settings)}")
    if check:
        pending = run_with_database(settings, db_migrations.pending_migrations)
        for name in pending:
            click.echo(f"  pending: {name}")
        if pending:
            raise click.ClickException(f"{len(pending)} migrations are pending")
        click.echo("The schema is up to date.")
        return
    report = run_with_database(settings, db_migrations.migrate)
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

    from mupass_forum.app import build_context
    from mupass_forum.demo import demo_accounts, load_demo_data

    if demo:
        os.environ["MUPASS_DEMO"] = "1"
    settings = load_settings()
    check_before_serving(settings, host, port, workers)
    click.echo(f"Database: {db.describe(settings)}")

    async def prepare() -> None:
        if settings.uses_sqlite:
            report = await db_migrations.migrate()
            if report.applied:
                click.echo(f"Applied {len(report.applied)} migrations.")
        else:
            pending = await db_migrations.pending_migrations()
            if pending:
                raise click.ClickException(
                    f"{len(pending)} migrations are pending; run `mupass-forum migrate` first"
                )
        if settings.demo:
            for line in await load_demo_data():
                click.echo(f"Demo: {line}")
            for account in await demo_accounts():
                click.echo(
                    f"Demo account: {account.email}  password: {account.password}  "
                    f"({account.role}, {account.locale})"
                )

    run_with_database_for(build_context(settings), prepare)
    click.echo(f"Serving on http://{host}:{port} (press Ctrl+C to stop)")
    uvicorn.run(
        "mupass_forum.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=None if reload else workers,
        reload=reload,
        log_level=settings.log_level.lower(),
        # Forwarded headers only from the proxies named (uvicorn's default trusts loopback).
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies) or None,
        # Chosen, not left to "auto": uvloop and httptools (both locked) gave the bare
        # endpoint 1.77x and the board's thread page 1.3x the throughput of asyncio and h11.
        loop="uvloop",
        http="httptools",
        # The service writes its own access log when MUPASS_ACCESS_LOG=1, off the request path.
        access_log=False,
    )


def check_before_serving(settings: Settings, host: str, port: int, workers: int) -> None:
    """Refuse to start, in one line, what could not serve as configured."""
    from mupass_forum.documents.rendering import FontsMissing, check_fonts
    from mupass_forum.i18n.locale import CatalogError, load_catalogs

    if workers > 1 and settings.board_channels == "memory":
        raise click.ClickException(
            f"--workers {workers} needs MUPASS_BOARD_CHANNELS=redis or postgres: the in-memory "
            "channel reaches only the board's live sockets of one process"
        )
    if workers > 1 and not settings.uses_sqlite and not settings.secret_key:
        raise click.ClickException(
            f"--workers {workers} on PostgreSQL needs MUPASS_SECRET_KEY: each process would "
            "sign links with a key of its own"
        )
    try:
        settings.signing_key  # noqa: B018 (made or read now, so that a bad data dir stops here)
        load_catalogs(settings)
        check_fonts(settings.document_fonts_dir)
    except (SettingsError, CatalogError, FontsMissing) as exc:
        raise click.ClickException(f"configuration: {exc}") from exc
    if not settings.secret_key and not settings.uses_sqlite:
        click.echo(
            "Note: MUPASS_SECRET_KEY is not set; links sent by mail stop working when the "
            "service restarts."
        )
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        # As uvicorn binds: SO_REUSEADDR, so that a port in TIME_WAIT is not "in use".
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise click.ClickException(
                f"cannot listen on {host}:{port}: {exc.strerror or exc}"
            ) from exc


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
    from mupass_forum.app import build_context
    from mupass_forum.errors import InvalidInput

    settings = load_settings()
    context = build_context(settings)
    accounts = AccountService(settings, MemoryCounters())
    if run_with_database_for(context, lambda: accounts.make_platform_admin(email)):
        click.echo(f"{email} is now a platform admin.")
        return
    click.echo(f"There is no account for {email} yet; creating one.")
    name = display_name or click.prompt("Display name", default=email.split("@")[0])
    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        run_with_database_for(
            context,
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


@main.group()
@click.option(
    "--locales-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help=(
        "Where messages.pot and the catalogs are (default: MUPASS_LOCALES_DIR, else locales/ "
        "of the checkout found from the current directory upwards)."
    ),
)
@click.option(
    "--source-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="The checkout with babel.cfg and the code (default: the one the command runs in).",
)
@click.pass_context
def i18n(ctx: click.Context, locales_dir: Path | None, source_dir: Path | None) -> None:
    """Keep the translation catalogs in locales/ complete and in step with the code.

    The languages are those of MUPASS_LOCALES. Typical use: `update` after changing texts in
    the code, translate, then `check` (which CI runs).
    """
    ctx.obj = catalogs.CatalogFiles.configured(load_settings(), locales_dir, source_dir)


def _catalog_tool(work: Callable[..., None]) -> Callable[..., None]:
    """Report a catalog tool's failure as a one-line error instead of a traceback."""

    @functools.wraps(work)
    def run(*args: Any, **kwargs: Any) -> None:
        try:
            work(*args, **kwargs)
        except catalogs.CatalogToolError as exc:
            raise click.ClickException(str(exc)) from exc

    return run


@i18n.command("extract")
@click.pass_obj
@_catalog_tool
def i18n_extract(files: catalogs.CatalogFiles) -> None:
    """Write locales/messages.pot from the texts in the code."""
    files.require_writable()
    result = catalogs.extract(files)
    state = "written" if result.changed else "unchanged"
    click.echo(f"{catalogs.display_path(result.path)}: {result.messages} messages, {state}")


@i18n.command("update")
@click.option("--drop-obsolete", is_flag=True, help="Remove old #~ entries from the catalogs.")
@click.pass_obj
@_catalog_tool
def i18n_update(files: catalogs.CatalogFiles, drop_obsolete: bool) -> None:
    """Extract the texts and merge them into every catalog.

    Writes locales/messages.pot from the code, then brings every configured catalog in step
    with it (creating missing ones). New texts appear untranslated; changed ones come back
    fuzzy with their old translation.
    """
    files.require_writable()
    template = catalogs.extract(files)
    state = "written" if template.changed else "unchanged"
    click.echo(f"{catalogs.display_path(template.path)}: {template.messages} messages, {state}")
    for result in catalogs.update(files, drop_obsolete=drop_obsolete):
        details = f", {result.added} new" if result.added else ""
        if result.obsoleted:
            details += f", {result.obsoleted} obsolete"
        click.echo(f"{catalogs.display_path(result.path)}: {result.outcome}{details}")


@i18n.command("init")
@click.argument("locale")
@click.pass_obj
@_catalog_tool
def i18n_init(files: catalogs.CatalogFiles, locale: str) -> None:
    """Create the catalog of a new language (e.g. pt)."""
    files.require_writable()
    result = catalogs.init(files, locale)
    click.echo(
        f"{catalogs.display_path(result.path)}: created, {result.added} messages to translate"
    )
    if locale not in files.locales:
        wanted = ",".join((*files.locales, locale))
        click.echo(f"The service speaks it once it is configured: MUPASS_LOCALES={wanted}")


@i18n.command("compile")
@click.pass_obj
@_catalog_tool
def i18n_compile(files: catalogs.CatalogFiles) -> None:
    """Write .mo files next to the catalogs.

    For deployments that want compiled catalogs; the service itself reads the .po files.
    """
    files.require_writable()
    for locale, path, count in catalogs.compile_catalogs(files):
        click.echo(f"{locale}: {count} translations -> {catalogs.display_path(path)}")


@i18n.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")
@click.pass_obj
@_catalog_tool
def i18n_status(files: catalogs.CatalogFiles, as_json: bool) -> None:
    """Show how complete each language is.

    Per configured language: translated, fuzzy and untranslated entries and a bar.
    """
    statuses = catalogs.status(files)
    if as_json:
        click.echo(json.dumps([s.as_json() for s in statuses], indent=2))
        return
    unicode = (sys.stdout.encoding or "").lower().replace("-", "") == "utf8"
    click.echo(f"{'':<18}{'translated':>11}{'fuzzy':>7}{'untranslated':>14}")
    for entry in statuses:
        colour = "green" if entry.percent == 100 else "yellow" if entry.percent >= 80 else "red"
        bar = catalogs.progress_bar(entry.percent, unicode=unicode)
        click.echo(
            f"{entry.locale:<4}{entry.language:<14}{entry.translated:>11}{entry.fuzzy:>7}"
            f"{entry.untranslated:>14}  " + click.style(f"{bar} {entry.percent:>3}%", fg=colour)
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


@i18n.command(
    "check",
    epilog="\b\nKinds of problems:\n"
    + "\n".join(
        f"  {code:<17} {meaning}" for code, meaning in catalog_checks.PROBLEM_KINDS.items()
    ),
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")
@click.pass_obj
@_catalog_tool
def i18n_check(files: catalogs.CatalogFiles, as_json: bool) -> None:
    """Fail on anything a release must not ship, naming file and line.

    Untranslated or fuzzy entries, catalogs out of step with the code, placeholders, %-formats,
    plural forms or HTML tags that differ from the English. Exit status 1 on any error.
    """
    report = catalog_checks.check(files)
    if as_json:
        click.echo(json.dumps([p.as_json() for p in report.problems], indent=2))
    else:
        for problem in report.problems:
            colour = "red" if problem.severity == "error" else "yellow"
            quoted = f' (msgid "{catalogs.shorten(problem.msgid)}")' if problem.msgid else ""
            click.echo(
                f"{catalogs.display_path(problem.path)}:{problem.line}: "
                + click.style(f"[{problem.code}]", fg=colour, bold=True)
                + f" {problem.text}{quoted}"
            )
        errors, warnings = len(report.errors), len(report.warnings)
        scope = f"{report.catalogs} catalogs, {report.messages} messages"
        counts = f"{_count(errors, 'error')}, {_count(warnings, 'warning')}"
        if errors:
            summary = click.style(counts, fg="red", bold=True)
        else:
            summary = click.style(f"OK: {counts}", fg="green", bold=True)
        click.echo(f"{summary} ({scope})")
    if report.errors:
        sys.exit(1)


def _stop_on_signals(stop: Callable[[], None]) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop)


@main.command("mail-relay")
def mail_relay() -> None:
    """Deliver queued mail until stopped (SIGINT or SIGTERM).

    For MUPASS_MAIL_RELAY=external: run exactly one of these next to the web servers.
    """
    from mupass_forum.app import build_context, configure_logging
    from mupass_forum.mail.relay import MailRelay

    settings = load_settings()
    configure_logging(settings)
    if settings.mail_relay == "inprocess":
        click.echo("Note: MUPASS_MAIL_RELAY=inprocess, so the web servers relay mail as well.")
    click.echo(
        f"Relaying mail from {db.describe(settings)} "
        f"to {settings.smtp_host}:{settings.smtp_port} (Ctrl+C stops)"
    )

    async def work() -> None:
        relay = MailRelay(settings)
        _stop_on_signals(relay.request_stop)
        await relay.run()

    run_with_database_for(build_context(settings), work)
    click.echo("Mail relay stopped.")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=1025, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the .eml files go (default: <data dir>/mailcatcher).",
)
def mailcatcher(host: str, port: int, directory: Path | None) -> None:
    """Catch mail for development: an SMTP server that saves every mail as an .eml file."""
    from mupass_forum.mail.catcher import MailCatcher, serve_smtp

    folder = directory or load_settings().data_dir / "mailcatcher"

    async def work() -> None:
        stop = asyncio.Event()
        _stop_on_signals(stop.set)
        try:
            server = await serve_smtp(MailCatcher(folder, click.echo), host, port)
        except OSError as exc:
            raise click.ClickException(f"cannot listen on {host}:{port}: {exc}") from exc
        click.echo(f"Catching mail on {host}:{port}, saving it in {folder} (Ctrl+C stops)")
        await stop.wait()
        server.close()

    asyncio.run(work())


@main.command("mail-outbox")
@click.option("--parked", is_flag=True, help="Only mails that were given up on.")
@click.option(
    "--status",
    type=click.Choice(["queued", "sending", "sent", "parked"]),
    help="Only mails in this state.",
)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1), help="How many.")
@click.option("--requeue", type=int, metavar="ID", help="Send the parked mail ID again now.")
def mail_outbox(parked: bool, status: str | None, limit: int, requeue: int | None) -> None:
    """List the newest mails in the outbox and their state, newest first."""
    from mupass_forum.app import build_context
    from mupass_forum.mail import services
    from mupass_forum.mail.tables import MailStatus

    settings = load_settings()
    if requeue is not None:
        context = build_context(settings)
        if not run_with_database_for(context, lambda: services.requeue_parked(requeue)):
            raise click.ClickException(f"no parked mail has the id {requeue}")
        click.echo(f"Mail {requeue} is queued again.")
        return
    wanted = MailStatus.parked if parked else MailStatus(status) if status else None
    entries = run_with_database(settings, lambda: services.list_outbox(wanted, limit))
    for entry in entries:
        when = entry.sent_at or entry.next_attempt_at
        click.echo(
            f"{entry.id:>6}  {entry.created_at:%Y-%m-%d %H:%M}  {entry.status:<7}  "
            f"attempts {entry.attempts}  {when:%Y-%m-%d %H:%M:%S}  {entry.template}  "
            f"[{entry.locale}] {entry.recipient}: {entry.subject}"
        )
        for line in filter(None, [entry.last_error, entry.refused_recipients]):
            click.echo(f"        {line}")
    if not entries:
        click.echo("The outbox has no such mail.")


@main.command("mail-test")
@click.argument("address")
@click.option(
    "--locale", default=None, help="Language of the mail (default: MUPASS_DEFAULT_LOCALE)."
)
@click.option("--timezone", default=None, help="Time zone for its dates (IANA name).")
def mail_test(address: str, locale: str | None, timezone: str | None) -> None:
    """Queue a test mail to ADDRESS, to check the way to the SMTP server."""
    from mupass_forum.app import build_context
    from mupass_forum.mail.services import queue_test_mail

    settings = load_settings()
    context = build_context(settings)

    async def work() -> int:
        return await queue_test_mail(settings, address, locale, timezone)

    try:
        outbox_id = run_with_database_for(context, work)
    except ValueError as exc:
        raise click.ClickException(f"{address!r} is no usable address: {exc}") from exc
    click.echo(f"Queued as mail {outbox_id}; see `mupass-forum mail-outbox` for its state.")


@main.command()
@click.argument("email")
@click.option(
    "--remove-posts", is_flag=True, help="Remove the person's board posts too, not only unlink."
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase(email: str, remove_posts: bool, yes: bool) -> None:
    """Erase the account of EMAIL and the person's data, on their request."""
    from mupass_forum.app import build_context
    from mupass_forum.errors import NotFound
    from mupass_forum.privacy import services

    settings = load_settings()
    context = build_context(settings)
    if not yes:
        click.confirm(f"Erase the account of {email} and everything about the person?", abort=True)
    try:
        receipt = run_with_database_for(
            context, lambda: services.erase_by_email(email, remove_posts=remove_posts)
        )
    except NotFound as exc:
        raise click.ClickException(f"there is no account for {email}") from exc
    click.echo(
        f"Erased; account {receipt.account_id} remains as a pseudonymous tombstone"
        f"{' and the posts were removed' if receipt.posts_removed else ''}."
    )
    for organization in receipt.organizations_without_admin:
        click.echo(
            f"{organization.name} (organization {organization.id}) has no admin now: "
            "make someone admin there."
        )


@main.group()
def retention() -> None:
    """Shred personal details of past forums once their retention period is over."""


def _retention_line(work: Any, dry_run: bool) -> str:
    verb = "would remove" if dry_run else "removed"
    parts = []
    if work.shred:
        parts.append(
            f"details of {work.registrations} registrations, {work.interest} interest records, "
            f"{work.proposals} proposals and notes, {work.mails} sent mails, the photo list"
        )
    if work.clear_consent:
        parts.append(f"{work.consent_events} consent events")
    return (
        f"{work.slug} (ended {work.ends_at:%Y-%m-%d}, kept {work.retention_days} days): "
        f"{verb} {'; '.join(parts)}"
    )


@retention.command("run")
@click.option("--dry-run", is_flag=True, help="Only show what would be removed.")
def retention_run(dry_run: bool) -> None:
    """Apply retention to every forum that is due; safe to run again and to schedule."""
    from mupass_forum.app import build_context
    from mupass_forum.clock import now
    from mupass_forum.privacy import registry
    from mupass_forum.privacy import retention as rules

    settings = load_settings()
    context = build_context(settings)

    async def work() -> list[Any]:
        due = await rules.plan(settings)
        if dry_run or not due:
            return due
        done = []
        with click.progressbar(
            length=len(due), label="Retention", file=sys.stderr, show_pos=True
        ) as bar:
            for item in due:
                done.append(await rules.carry_out(item))
                bar.update(1)
        return done

    results = run_with_database_for(context, work)
    for item in results:
        click.echo(_retention_line(item, dry_run))
    cleaned = run_with_database_for(context, lambda: rules.run_stores(settings, dry_run=dry_run))
    verb = "would remove" if dry_run else "removed"
    for store in cleaned:
        click.echo(f"{store.store} (kept {store.period_days} days): {verb} {store.count}")
    expired = run_with_database_for(
        context, lambda: registry.run_expiries(settings, now(), dry_run=dry_run)
    )
    for name, count in expired:
        if count:
            click.echo(f"{name}: {verb} {count}")
    if not results and not cleaned and not any(count for _, count in expired):
        click.echo("Nothing is due: every past forum is within its retention period or done.")


def _queue_due_mail(job: Callable[[Settings], Awaitable[int]], what: str) -> None:
    """Run a job that queues the mail now due, against the configured database, and say how
    many mails it queued."""
    from mupass_forum.app import build_context

    settings = load_settings()
    sent = run_with_database_for(build_context(settings), lambda: job(settings))
    click.echo(f"Queued {sent} {what}.")


@main.command("board-digest")
def board_digest() -> None:
    """Send the daily board summaries that are due (run it once a day, e.g. from cron)."""
    from mupass_forum.board.notifications import send_digests

    _queue_due_mail(send_digests, "board summaries")


@main.command("forum-reminders")
def forum_reminders() -> None:
    """Mail the reminders due before forums (MUPASS_REMINDER_DAYS); safe to run at any time."""
    from mupass_forum.outreach.reminders import send_reminders

    _queue_due_mail(send_reminders, "forum reminders")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
