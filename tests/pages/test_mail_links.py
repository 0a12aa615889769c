"""Every link in every mail opens a page in the mail's language, signed in or not.

The templates are found by walking the package, so a template added later fails here until it
has a producer: a function that makes the service send that mail through its real flows to a
French- or Spanish-speaking recipient, and returns the mail from the outbox.
"""

from __future__ import annotations

import html
import importlib
import pkgutil
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest

import mupass_forum
from mupass_forum.accounts.authentication import SESSION_COOKIE
from mupass_forum.board.notifications import send_digests
from mupass_forum.consent.links import WITHDRAWAL_PATH
from mupass_forum.mail import MailTemplate
from mupass_forum.mail.services import queue_test_mail
from mupass_forum.outreach.reminders import send_reminders
from mupass_forum.pages import SIGN_IN_PATH
from mupass_forum.privacy import retention
from tests.board import conftest as board_fixtures
from tests.board.conftest import BOARD, outbox
from tests.conftest import Account, MadeForum
from tests.consent.conftest import NONE
from tests.pages.html import page_of
from tests.privacy.conftest import into_the_past
from tests.proposals.test_proposals import propose
from tests.registrations.conftest import (
    days_from_today,
    decide,
    register,
    set_registration_settings,
)
from tests.registrations.test_interest import confirm, interest, new_email, set_status

# The board's factories, as fixtures of these tests too.
board_admin = board_fixtures.board_admin
make_category = board_fixtures.make_category
make_thread = board_fixtures.make_thread
reply = board_fixtures.reply

#: Modules not imported while looking for templates: the ASGI entry builds an app from the
#: environment when imported, and ``__main__`` runs the command line.
NOT_IMPORTED = {"mupass_forum.asgi", "mupass_forum.__main__"}

#: Links under the API that are pages for browsers: the signed links of the mails, which
#: answer a browser (``Accept: text/html``) with a page that says what a button will do, and
#: JSON to everyone else.
API_PAGES = {WITHDRAWAL_PATH, "/api/v1/board/unsubscribe"}

#: Templates whose mails carry no link at all (checked, so that none is skipped by mistake).
WITHOUT_LINKS = {
    "registrations.forum_cancelled_interest",
    # Tells someone an institute added them; nothing for them to open.
    "accounts.member_added",
}

#: What a browser sends: it prefers HTML, and its own language is none of the mails'.
BROWSER = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "de-DE,de;q=0.9",
}

_ADDRESS = re.compile(r"https?://[^\s<>\"']+")


def discovered_templates() -> dict[str, MailTemplate]:
    """Every ``MailTemplate`` defined at the top of a module of the package, by name."""
    found: dict[str, MailTemplate] = {}
    modules = pkgutil.walk_packages(mupass_forum.__path__, f"{mupass_forum.__name__}.")
    for module_info in modules:
        if module_info.name in NOT_IMPORTED:
            continue
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if isinstance(value, MailTemplate):
                assert found.setdefault(value.name, value) == value, (
                    f"two templates are named {value.name}"
                )
    return found


# Producers -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kit:
    """What producers use: the app's client and the factories."""

    client: Any
    make_account: Callable[..., Account]
    make_forum: Callable[..., MadeForum]
    make_category: Callable[..., dict[str, Any]]
    make_thread: Callable[..., dict[str, Any]]
    reply: Callable[..., dict[str, Any]]

    def mail(self, email: str, template: str) -> dict[str, Any]:
        """The newest mail of ``template`` queued for ``email``."""
        mails = [mail for mail in outbox(self.client, email) if mail["template"] == template]
        assert mails, f"no {template} mail to {email}"
        return mails[-1]


@dataclass(frozen=True)
class Mail:
    row: dict[str, Any]
    #: The recipient's account, signed in; None for people without one (interest, sign-up).
    recipient: Account | None


Producer = Callable[[Kit, str], Mail]


def _sign_up(kit: Kit, email: str, locale: str) -> None:
    body = {
        "email": email,
        "password": f"pass-{uuid.uuid4().hex}",
        "display_name": "Camille",
        "locale": locale,
        "timezone": "Europe/Paris",
    }
    assert kit.client.post("/api/v1/auth/signup", json=body).status_code == 202


def verify_email(kit: Kit, locale: str) -> Mail:
    email = f"person-{uuid.uuid4().hex[:12]}@example.org"
    _sign_up(kit, email, locale)
    return Mail(kit.mail(email, "accounts.verify_email"), None)


def already_registered(kit: Kit, locale: str) -> Mail:
    person = kit.make_account(locale=locale)
    _sign_up(kit, person.email, locale)
    return Mail(kit.mail(person.email, "accounts.already_registered"), person)


def password_reset(kit: Kit, locale: str) -> Mail:
    person = kit.make_account(locale=locale)
    response = kit.client.post("/api/v1/auth/password-reset", json={"email": person.email})
    assert response.status_code == 202
    return Mail(kit.mail(person.email, "accounts.password_reset"), person)


def password_changed(kit: Kit, locale: str) -> Mail:
    person = kit.make_account(locale=locale)
    response = kit.client.post(
        "/api/v1/me/password",
        json={"current_password": person.password, "new_password": f"new-{uuid.uuid4().hex}"},
        headers=person.headers,
    )
    assert response.status_code == 204, response.text
    return Mail(kit.mail(person.email, "accounts.password_changed"), person)


def _interest_token(kit: Kit, forum: MadeForum, email: str, locale: str) -> str:
    assert interest(kit.client, forum, email, locale=locale).status_code == 202
    text = kit.mail(email, "registrations.interest_confirmation")["text"]
    found = re.search(r"/interest/confirm\?token=([^\s&]+)", text)
    assert found, text
    return found.group(1)


def interest_confirmation(kit: Kit, locale: str) -> Mail:
    forum = kit.make_forum(status="announced")
    email = new_email()
    _interest_token(kit, forum, email, locale)
    return Mail(kit.mail(email, "registrations.interest_confirmation"), None)


def _confirmed_interest(kit: Kit, forum: MadeForum, email: str, locale: str) -> None:
    assert confirm(kit.client, forum, _interest_token(kit, forum, email, locale)).status_code == 200


def invitation(kit: Kit, locale: str) -> Mail:
    forum = kit.make_forum(status="announced")
    person = kit.make_account(locale=locale)
    _confirmed_interest(kit, forum, person.email, locale)
    set_status(kit.client, forum, "registration_open")
    return Mail(kit.mail(person.email, "registrations.invitation"), person)


def _registered(kit: Kit, locale: str, **forum_fields: Any) -> tuple[MadeForum, Account, dict]:
    forum = kit.make_forum(status="registration_open", **forum_fields)
    person = kit.make_account(locale=locale)
    return forum, person, register(kit.client, forum, person)


def confirmed(kit: Kit, locale: str) -> Mail:
    _, person, _ = _registered(kit, locale)
    return Mail(kit.mail(person.email, "registrations.confirmed"), person)


def _waitlisted(kit: Kit, locale: str) -> tuple[MadeForum, Account, Account]:
    forum, first, _ = _registered(kit, "en", capacity=1)
    second = kit.make_account(locale=locale)
    assert register(kit.client, forum, second)["status"]["value"] == "waitlisted"
    return forum, first, second


def waitlisted(kit: Kit, locale: str) -> Mail:
    _, _, person = _waitlisted(kit, locale)
    return Mail(kit.mail(person.email, "registrations.waitlisted"), person)


def promoted(kit: Kit, locale: str) -> Mail:
    forum, first, person = _waitlisted(kit, locale)
    _cancel(kit, forum, first)
    return Mail(kit.mail(person.email, "registrations.promoted"), person)


def _cancel(kit: Kit, forum: MadeForum, person: Account) -> None:
    response = kit.client.post(
        f"/api/v1/forums/{forum.slug}/registrations/mine/cancel",
        json={"reason": "Malade"},
        headers=person.headers,
    )
    assert response.status_code == 200, response.text


def _pending(kit: Kit, locale: str) -> tuple[MadeForum, Account, dict]:
    forum = kit.make_forum(status="registration_open")
    set_registration_settings(kit.client, forum, requires_approval=True)
    person = kit.make_account(locale=locale)
    registration = register(kit.client, forum, person)
    assert registration["status"]["value"] == "pending_approval"
    return forum, person, registration


def pending(kit: Kit, locale: str) -> Mail:
    _, person, _ = _pending(kit, locale)
    return Mail(kit.mail(person.email, "registrations.pending"), person)


def declined(kit: Kit, locale: str) -> Mail:
    forum, person, registration = _pending(kit, locale)
    decide(kit.client, forum, registration["id"], "decline", reason="Complet")
    return Mail(kit.mail(person.email, "registrations.declined"), person)


def cancelled(kit: Kit, locale: str) -> Mail:
    forum, person, _ = _registered(kit, locale)
    _cancel(kit, forum, person)
    return Mail(kit.mail(person.email, "registrations.cancelled"), person)


def attended(kit: Kit, locale: str) -> Mail:
    # Check-in opens the day before the forum.
    forum, person, registration = _registered(
        kit, locale, starts_at=days_from_today(1), ends_at=days_from_today(2)
    )
    decide(kit.client, forum, registration["id"], "check_in")
    return Mail(kit.mail(person.email, "registrations.attended"), person)


def forum_cancelled(kit: Kit, locale: str) -> Mail:
    forum, person, _ = _registered(kit, locale)
    set_status(kit.client, forum, "cancelled")
    return Mail(kit.mail(person.email, "registrations.forum_cancelled"), person)


def forum_cancelled_interest(kit: Kit, locale: str) -> Mail:
    forum = kit.make_forum(status="announced")
    email = new_email()
    _confirmed_interest(kit, forum, email, locale)
    set_status(kit.client, forum, "cancelled")
    return Mail(kit.mail(email, "registrations.forum_cancelled_interest"), None)


def _decided_proposal(kit: Kit, locale: str, outcome: str) -> Account:
    forum, person, _ = _registered(kit, locale)
    response = propose(kit.client, forum, person)
    assert response.status_code == 201, response.text
    decision = kit.client.post(
        f"/api/v1/forums/{forum.slug}/proposals/{response.json()['id']}/decision",
        json={"outcome": outcome, "message": "Merci"},
        headers=forum.admin.headers,
    )
    assert decision.status_code == 200, decision.text
    return person


def proposal_accepted(kit: Kit, locale: str) -> Mail:
    person = _decided_proposal(kit, locale, "accept")
    return Mail(kit.mail(person.email, "proposals.accepted"), person)


def proposal_rejected(kit: Kit, locale: str) -> Mail:
    person = _decided_proposal(kit, locale, "reject")
    return Mail(kit.mail(person.email, "proposals.rejected"), person)


def consent_recorded(kit: Kit, locale: str) -> Mail:
    forum, person, _ = _registered(kit, locale)
    response = kit.client.post(
        f"/api/v1/forums/{forum.slug}/consent/{person.id}",
        json={"choices": NONE},
        headers=forum.admin.headers,
    )
    assert response.status_code == 200, response.text
    return Mail(kit.mail(person.email, "consent.recorded"), person)


def _thread_of(kit: Kit, author: Account) -> dict[str, Any]:
    return kit.make_thread(author, kit.make_category(), title="Cantines", language="fr")


def board_reply(kit: Kit, locale: str) -> Mail:
    author = kit.make_account(locale=locale)
    kit.reply(kit.make_account(), _thread_of(kit, author), "A reply")
    return Mail(kit.mail(author.email, "board.reply"), author)


def board_mention(kit: Kit, locale: str) -> Mail:
    named = kit.make_account(locale=locale, display_name="Luis")
    thread = _thread_of(kit, kit.make_account())
    kit.reply(kit.make_account(), thread, f"Hola [@Luis](mention:{named.id})", "es")
    return Mail(kit.mail(named.email, "board.mention"), named)


def board_translation_done(kit: Kit, locale: str) -> Mail:
    author, asker = kit.make_account(), kit.make_account(locale=locale)
    written = kit.reply(author, _thread_of(kit, author), "In English", "en")
    posts = f"{BOARD}/posts/{written['id']}/translations"
    asked = kit.client.post(posts, json={"locale": locale}, headers=asker.headers)
    assert asked.status_code == 202, asked.text
    given = kit.client.post(
        posts, json={"locale": locale, "body": "Traduit"}, headers=author.headers
    )
    assert given.status_code == 201, given.text
    return Mail(kit.mail(asker.email, "board.translation_done"), asker)


def board_digest(kit: Kit, locale: str) -> Mail:
    daily = kit.make_account(locale=locale)
    notifications = kit.client.put(
        f"{BOARD}/notifications", json={"mode": "daily"}, headers=daily.headers
    )
    assert notifications.status_code == 200, notifications.text
    kit.reply(kit.make_account(), _thread_of(kit, daily), "A reply")
    kit.client.blocking_portal.call(send_digests, kit.client.app.state["settings"])
    return Mail(kit.mail(daily.email, "board.digest"), daily)


def mail_test(kit: Kit, locale: str) -> Mail:
    person = kit.make_account(locale=locale)
    settings = kit.client.app.state["settings"]
    kit.client.blocking_portal.call(queue_test_mail, settings, person.email, locale, None)
    return Mail(kit.mail(person.email, "mail.test"), person)


def address_data_link(kit: Kit, locale: str) -> Mail:
    """Someone without an account asks, with their address, for the data held under it."""
    forum = kit.make_forum(status="announced")
    email = new_email()
    _confirmed_interest(kit, forum, email, locale)
    # Asked from a page in their language: the mail answers in it.
    asked = kit.client.post(f"/api/v1/privacy/address-data?lang={locale}", json={"email": email})
    assert asked.status_code == 202, asked.text
    return Mail(kit.mail(email, "privacy.address_data_link"), None)


def forum_shredded_unclosed(kit: Kit, locale: str) -> Mail:
    """Retention shreds a forum whose dates ended it while nobody marked it as held."""
    forum = kit.make_forum(status="announced")
    organizer = forum.admin
    changed = kit.client.patch("/api/v1/me", json={"locale": locale}, headers=organizer.headers)
    assert changed.status_code == 200, changed.text
    into_the_past(kit.client, forum)
    settings = kit.client.app.state["settings"]
    kit.client.blocking_portal.call(lambda: retention.run(settings))
    return Mail(kit.mail(organizer.email, "privacy.forum_shredded_unclosed"), organizer)


def member_added(kit: Kit, locale: str) -> Mail:
    """An institute's admin adds someone by their address; the person is told."""
    forum = kit.make_forum()
    person = kit.make_account(locale=locale)
    added = kit.client.post(
        f"/api/v1/organizations/{forum.lead_organization_id}/members",
        json={"email": person.email},
        headers=forum.admin.headers,
    )
    assert added.status_code == 202, added.text
    return Mail(kit.mail(person.email, "accounts.member_added"), person)


def reminder(kit: Kit, locale: str) -> Mail:
    """The reminder a few days before a forum, sent by the scheduled command."""
    forum = kit.make_forum(
        status="registration_open", starts_at=days_from_today(3), ends_at=days_from_today(4)
    )
    person = kit.make_account(locale=locale)
    register(kit.client, forum, person)
    settings = kit.client.app.state["settings"]
    kit.client.blocking_portal.call(send_reminders, settings, datetime.now(UTC))
    return Mail(kit.mail(person.email, "outreach.reminder"), person)


VISA_DETAILS = {
    "full_name": "Aminata Traoré",
    "date_of_birth": "1986-02-11",
    "nationality": "ML",
    "passport_number": "B01234567",
    "passport_valid_until": "2033-01-31",
    "embassy": "Ambassade d'Allemagne à Bamako",
    "entry_date": "2030-10-27",
    "exit_date": "2030-10-31",
}


def visa_letter_issued(kit: Kit, locale: str) -> Mail:
    """The organizers issue the visa invitation letter someone asked for."""
    forum, person, _ = _registered(kit, locale)
    base = f"/api/v1/forums/{forum.slug}"
    given = kit.client.put(
        f"{base}/registrations/mine/visa", json=VISA_DETAILS, headers=person.headers
    )
    assert given.is_success, given.text
    issued = kit.client.post(f"{base}/documents/visa-letters", json={}, headers=forum.admin.headers)
    assert issued.is_success, issued.text
    return Mail(kit.mail(person.email, "documents.visa_letter_issued"), person)


def certificate(kit: Kit, locale: str) -> Mail:
    """Someone checked in asks for their certificate of attendance by mail."""
    forum, person, registration = _registered(
        kit, locale, starts_at=days_from_today(1), ends_at=days_from_today(2)
    )
    decide(kit.client, forum, registration["id"], "check_in")
    issued = kit.client.post(
        f"/api/v1/forums/{forum.slug}/documents/certificates",
        json={},
        headers=forum.admin.headers,
    )
    assert issued.is_success, issued.text
    [document] = [item for item in issued.json()["items"] if item["kind"]["value"] == "certificate"]
    mailed = kit.client.post(
        f"/api/v1/documents/{document['reference']}/mail", headers=person.headers
    )
    assert mailed.status_code == 204, mailed.text
    return Mail(kit.mail(person.email, "documents.certificate"), person)


def _organizer_speaking(kit: Kit, forum: MadeForum, locale: str) -> Account:
    """The forum's organizer (its lead institute's admin), reading ``locale``."""
    organizer = forum.admin
    changed = kit.client.patch("/api/v1/me", json={"locale": locale}, headers=organizer.headers)
    assert changed.status_code == 200, changed.text
    return organizer


def organizer_pending_registration(kit: Kit, locale: str) -> Mail:
    """Someone registers for a forum whose registrations await approval."""
    forum = kit.make_forum(status="registration_open")
    set_registration_settings(kit.client, forum, requires_approval=True)
    organizer = _organizer_speaking(kit, forum, locale)
    register(kit.client, forum, kit.make_account())
    return Mail(kit.mail(organizer.email, "outreach.organizer_pending_registration"), organizer)


def organizer_proposal_received(kit: Kit, locale: str) -> Mail:
    """Someone registered proposes a contribution."""
    forum, person, _ = _registered(kit, "en")
    organizer = _organizer_speaking(kit, forum, locale)
    assert propose(kit.client, forum, person).status_code == 201
    return Mail(kit.mail(organizer.email, "outreach.organizer_proposal_received"), organizer)


def organizer_post_flagged(kit: Kit, locale: str) -> Mail:
    """Someone flags a post in the board category of a forum."""
    forum = kit.make_forum(status="announced")
    organizer = _organizer_speaking(kit, forum, locale)
    category = kit.make_category(forum_id=forum.id)
    author = kit.make_account()
    written = kit.reply(author, kit.make_thread(author, category, title="Cantines"), "Spam")
    flagged = kit.client.post(
        f"{BOARD}/posts/{written['id']}/flags",
        json={"reason": "spam"},
        headers=kit.make_account().headers,
    )
    assert flagged.status_code == 202, flagged.text
    return Mail(kit.mail(organizer.email, "outreach.organizer_post_flagged"), organizer)


#: Each template's producer, and the language its recipient reads.
PRODUCERS: dict[str, tuple[Producer, str]] = {
    "accounts.verify_email": (verify_email, "fr"),
    "accounts.already_registered": (already_registered, "es"),
    "accounts.password_reset": (password_reset, "fr"),
    "accounts.password_changed": (password_changed, "es"),
    "registrations.interest_confirmation": (interest_confirmation, "es"),
    "registrations.invitation": (invitation, "fr"),
    "registrations.confirmed": (confirmed, "es"),
    "registrations.waitlisted": (waitlisted, "fr"),
    "registrations.promoted": (promoted, "es"),
    "registrations.pending": (pending, "fr"),
    "registrations.declined": (declined, "es"),
    "registrations.cancelled": (cancelled, "fr"),
    "registrations.attended": (attended, "es"),
    "registrations.forum_cancelled": (forum_cancelled, "fr"),
    "registrations.forum_cancelled_interest": (forum_cancelled_interest, "es"),
    "proposals.accepted": (proposal_accepted, "fr"),
    "proposals.rejected": (proposal_rejected, "es"),
    "consent.recorded": (consent_recorded, "fr"),
    "board.reply": (board_reply, "es"),
    "board.mention": (board_mention, "es"),
    "board.translation_done": (board_translation_done, "fr"),
    "board.digest": (board_digest, "fr"),
    "mail.test": (mail_test, "es"),
    "privacy.address_data_link": (address_data_link, "fr"),
    "privacy.forum_shredded_unclosed": (forum_shredded_unclosed, "es"),
    "accounts.member_added": (member_added, "fr"),
    "outreach.reminder": (reminder, "es"),
    "documents.visa_letter_issued": (visa_letter_issued, "fr"),
    "documents.certificate": (certificate, "es"),
    "outreach.organizer_pending_registration": (organizer_pending_registration, "fr"),
    "outreach.organizer_proposal_received": (organizer_proposal_received, "es"),
    "outreach.organizer_post_flagged": (organizer_post_flagged, "fr"),
}


# Tests -----------------------------------------------------------------------------------------


def test_every_template_has_a_producer():
    templates = discovered_templates()
    # The walk finds the templates of every domain, not only those named here.
    assert {"accounts.verify_email", "board.digest", "mail.test"} <= set(templates)
    missing = sorted(set(templates) - set(PRODUCERS))
    assert not missing, f"add a producer for {', '.join(missing)}"
    gone = sorted(set(PRODUCERS) - set(templates))
    assert not gone, f"producers for templates that no longer exist: {', '.join(gone)}"


@pytest.fixture
def kit(client, make_account, make_forum, make_category, make_thread, reply) -> Iterator[Kit]:
    yield Kit(client, make_account, make_forum, make_category, make_thread, reply)


def links_in(mail: dict[str, Any]) -> list[str]:
    """Every web address in the mail's text and HTML (as a reader's mail program finds them)."""
    found = _ADDRESS.findall(mail["text"]) + _ADDRESS.findall(html.unescape(mail["html"]))
    # As in the mail's HTML, a full stop or comma right after an address ends the sentence.
    return sorted({address.rstrip(".,;:!?)") for address in found})


def opened(browser, link: str, account: Account | None = None):
    """``link`` opened by a browser without a bearer token: with no cookies, or with the
    session cookie of ``account``; redirects followed."""
    browser.cookies.clear()
    if account is not None:
        browser.cookies.set(SESSION_COOKIE, account.token or "")
    parts = urlsplit(link)
    target = f"{parts.path}?{parts.query}" if parts.query else parts.path or "/"
    response = browser.get(target, headers=BROWSER, follow_redirects=True)
    browser.cookies.clear()
    return response


def assert_a_page_in(response, locale: str, link: str) -> None:
    assert response.status_code == 200, (link, response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("text/html"), (link, response.text[:300])
    assert page_of(response).find("html")["lang"] == locale, link


@pytest.mark.parametrize("name", sorted(PRODUCERS))
def test_every_link_of_the_mail_opens_a_page_in_its_language(name, kit, browser, settings):
    produce, locale = PRODUCERS[name]
    mail = produce(kit, locale)
    assert mail.row["locale"] == locale

    links = links_in(mail.row)
    assert all(link.startswith(f"{settings.base_url}/") for link in links), links
    if name in WITHOUT_LINKS:
        assert links == []
        return
    assert links, f"{name} carries no link: add it to WITHOUT_LINKS if that is right"

    for link in links:
        path = urlsplit(link).path
        if path.endswith("/calendar.ics"):
            # A calendar file for the reader's calendar program, not a page.
            calendar = opened(browser, link)
            assert calendar.status_code == 200, link
            assert calendar.headers["content-type"].startswith("text/calendar"), link
            continue
        assert not path.startswith("/api/") or path in API_PAGES, link
        assert_a_page_in(opened(browser, link), locale, link)
        if mail.recipient is not None:
            response = opened(browser, link, mail.recipient)
            assert_a_page_in(response, locale, link)
            # The recipient sees the page, not a request to sign in (a link may lead on to
            # another page: a reset link without its token to the forgotten password form).
            assert urlsplit(str(response.url)).path != SIGN_IN_PATH, link


def test_links_are_told_from_the_text_around_them():
    mail = {
        "text": "Open: http://x.test/a?lang=fr.\nhttp://x.test/b?token=1&lang=fr\n",
        "html": '<a href="http://x.test/b?token=1&amp;lang=fr">http://x.test/b</a>',
    }

    assert links_in(mail) == [
        "http://x.test/a?lang=fr",
        "http://x.test/b",
        "http://x.test/b?token=1&lang=fr",
    ]
