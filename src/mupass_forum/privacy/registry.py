"""Who holds personal data, and how each domain exports and erases its own.

Every domain knows its tables best, so each contributes one ``PersonalData`` (from its
``personal_data.py``, registered by ``privacy.wiring`` when the app is created): the tables it
answers for, a function that exports a person's rows of them and one that erases them. A table
that holds nothing about a person is declared with ``NoPersonalData`` and the reason. The tests
walk every table of ``piccolo_conf.APP_REGISTRY`` and fail for one that is neither, so that a new
table cannot be left out of the export and the erasure without anyone noticing.

This module imports no domain, so that domains can import it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.table import Table

from mupass_forum.app_context import Hook, Hooks, current
from mupass_forum.i18n import N_
from mupass_forum.settings import Settings

# i18n: Stands for the name of someone whose account was erased.
FORMER_PARTICIPANT = N_("former participant")
# i18n: Stands where a quoted text was, in a mail, once its author removed it.
REMOVED_TEXT = N_("[This text was removed.]")


@dataclass(frozen=True, slots=True)
class Subject:
    """The person whose data is exported or erased."""

    user_id: int
    #: The account's address: records made without an account (interest) are found by it.
    email: str
    #: How the person is named (account name, profile name), to find them in free texts written
    #: by others (mails, programme speakers); the longest first, empty ones left out.
    names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ErasureRequest:
    """What an eraser is asked to do, inside the erasure's one transaction."""

    subject: Subject
    #: Remove the person's board posts too, instead of keeping them without a name.
    remove_posts: bool
    #: Who asked (the person or an admin); None from the command line.
    actor_id: int | None
    at: datetime


Exporter = Callable[[Subject], Awaitable[Mapping[str, Any]]]
Eraser = Callable[[ErasureRequest], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class PersonalData:
    """A domain's share of a person's data.

    ``section`` names its part of the export; ``description`` says what it holds in the README
    of the export.

    ``tables`` maps each table to the key of the export section that holds its rows. Erasers
    run by ascending ``stage`` in one transaction: those that still read the profile or the
    account (registrations copy the profile's statistics fields) before those that remove them,
    mail last, after every step that queued one.
    """

    section: str
    #: What the section holds, for the README of the export (``N_``-marked, translated when
    #: the README is written).
    description: str
    tables: Mapping[type[Table], str]
    export: Exporter
    erase: Eraser
    stage: int = 50


@dataclass(frozen=True, slots=True)
class NoPersonalData:
    """Tables that hold nothing about a person, and why."""

    tables: tuple[type[Table], ...]
    reason: str


@dataclass(frozen=True, slots=True)
class Expiry:
    """Personal data kept for a period of its own, shorter than its forum's retention period
    (passport details): ``due`` counts what ``remove`` would remove at a moment, ``remove``
    removes it in its own transaction. ``mupass-forum retention run`` runs every one."""

    #: What goes, as the command's output names it ("passport details for visa letters").
    name: str
    due: Callable[[Settings, datetime], Awaitable[int]]
    remove: Callable[[Settings, datetime], Awaitable[int]]


#: Where the domains' shares are registered, per app (``register``).
PERSONAL_DATA: Hook[PersonalData | NoPersonalData | Expiry] = Hook("personal data")

#: Stages of the domains' erasers, named so that their order reads in one place.
#: Before registrations: documents belong to registrations that erasure removes.
STAGE_DOCUMENTS = 5
STAGE_REGISTRATIONS = 10
STAGE_PROPOSALS = 20
STAGE_FORUMS = 30
STAGE_BOARD = 40
STAGE_CONSENT = 50
STAGE_PARTICIPANTS = 60
STAGE_ACCOUNTS = 80
STAGE_MAIL = 90


def register(hooks: Hooks, *entries: PersonalData | NoPersonalData | Expiry) -> None:
    """Add domains' shares to the app of ``hooks``; a section registered again replaces the
    one before."""
    for entry in entries:
        hooks.plug(PERSONAL_DATA, entry)


def _registered() -> tuple[PersonalData | NoPersonalData | Expiry, ...]:
    return current().hooks.plugged(PERSONAL_DATA)


def holders() -> list[PersonalData]:
    """Every registered share, in the order erasure runs them."""
    by_section = {
        entry.section: entry for entry in _registered() if isinstance(entry, PersonalData)
    }
    return sorted(by_section.values(), key=lambda entry: (entry.stage, entry.section))


def exemptions() -> Mapping[type[Table], str]:
    return {
        table: entry.reason
        for entry in _registered()
        if isinstance(entry, NoPersonalData)
        for table in entry.tables
    }


def uncovered(tables: Iterable[type[Table]]) -> list[type[Table]]:
    """The tables that no share answers for and that are not declared free of personal data."""
    covered = {table for entry in holders() for table in entry.tables}
    exempt = exemptions()
    return [table for table in tables if table not in covered and table not in exempt]


async def run_expiries(
    settings: Settings, at: datetime, *, dry_run: bool = False
) -> list[tuple[str, int]]:
    """Every registered ``Expiry`` at ``at``: what each removed (or would remove)."""
    done = []
    expiries = {entry.name: entry for entry in _registered() if isinstance(entry, Expiry)}
    for expiry in sorted(expiries.values(), key=lambda entry: entry.name):
        count = await (expiry.due if dry_run else expiry.remove)(settings, at)
        done.append((expiry.name, count))
    return done
