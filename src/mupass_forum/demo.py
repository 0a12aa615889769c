"""Demonstration data for ``mupass-forum serve --demo``.

Each domain contributes a loader that fills its part of an empty database and says what it
added; a loader that finds its data already there adds nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from mupass_forum.accounts.demo_data import (
    DEMO_ACCOUNTS,
    DemoAccount,
    demo_account_ids,
    load_accounts,
)
from mupass_forum.board.demo_data import load_board
from mupass_forum.consent.demo_data import load_consent
from mupass_forum.documents.demo_data import load_documents
from mupass_forum.forums.demo_data import load_forums
from mupass_forum.proposals.demo_data import load_proposals
from mupass_forum.registrations.demo_data import (
    load_living_registrations,
    load_registrations,
    load_workshop_sign_ups,
)

#: Loaders run in order (later ones may use what earlier ones created).
LOADERS: tuple[Callable[[], Awaitable[list[str]]], ...] = (
    load_forums,
    load_accounts,
    load_registrations,
    load_living_registrations,
    load_workshop_sign_ups,
    load_consent,
    load_documents,
    load_proposals,
    load_board,
)


async def load_demo_data() -> list[str]:
    """Run every loader, for the app whose context is bound (its catalogs check the texts);
    returns one line per thing added."""
    added: list[str] = []
    for loader in LOADERS:
        added += await loader()
    return added


async def demo_accounts() -> list[DemoAccount]:
    """The demonstration accounts this database has, to sign in with."""
    present = await demo_account_ids()
    return [account for account in DEMO_ACCOUNTS if account.key in present]
