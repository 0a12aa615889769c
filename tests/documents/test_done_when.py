"""Documents on the demonstration data, as its organizer makes them: the visa letters of everyone
approved who asked, the badge sheet and the certificates, once from the desk's pages (signed
in, forms with their CSRF token) and once from the API (a bearer token), each on a fresh copy
of the demonstration. The PDFs are read back, a letter's QR code is decoded and opened by a
checker who is not signed in, one document is revoked, and the retention job removes the
passport details while the letters' verification still answers.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from litestar.testing import TestClient

from mupass_forum import db, db_migrations
from mupass_forum.app import create_app
from mupass_forum.demo import load_demo_data
from mupass_forum.documents.demo_data import PASSPORTS
from mupass_forum.documents.tables import VisaDetails
from mupass_forum.forums.tables import Forum
from mupass_forum.i18n import format_date, format_date_interval, use_locale
from mupass_forum.privacy import registry
from tests.conftest import (
    TEST_DATABASE_URL,
    _admin,
    _with_database,
    database_of_its_own,
    on_postgres,
)
from tests.documents.test_documents import embedded_fonts, flat, qr_codes, read_pdf, size_mm
from tests.pages.conftest import submit
from tests.pages.html import Element, page_of
from tests.test_demo import forums_by_status, sign_in

ORGANIZER = ("organizer@demo.example.org", "green tender river Accra")
#: Approved at the next forum and asked with passport details: their letters are due.
APPROVED = {passport[2]: passport for passport in PASSPORTS[:3]}
WAITING = PASSPORTS[3]
#: The next forum's seats (badges) and last year's attendance (certificates).
SEATS, ATTENDED = 12, 9
FONTS = {"Document-Sans", "Document-Sans-Bold"}


@pytest.fixture(scope="module")
def demo_template(migrated, tmp_path_factory) -> Iterator[tuple[Any, str]]:
    """A database of its own with the demonstration loaded (settings, address), to copy for
    each test: SQLite's file, or a PostgreSQL database used as a template."""
    template = tmp_path_factory.mktemp("demo-template") / "demo.sqlite3"
    with database_of_its_own("mupass_test_demo", template) as url:
        settings = migrated.replace(database_url=url)

        async def prepare() -> None:
            async with db.connected(settings):
                await db_migrations.migrate()
                await load_demo_data()

        asyncio.run(prepare())
        yield settings, url


@pytest.fixture
def demo(demo_template, migrated, tmp_path) -> Iterator[tuple[Any, Any, Any]]:
    """On a fresh copy of the demonstration: the organizer's client, a checker's client (never
    signed in) and the copy's settings."""
    settings, url = demo_template
    if on_postgres():
        name = f"mupass_test_demo_{uuid.uuid4().hex[:12]}"
        template = urlsplit(url).path.lstrip("/")
        asyncio.run(_admin(TEST_DATABASE_URL, f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        copy = settings.replace(database_url=_with_database(TEST_DATABASE_URL, name))
    else:
        path = tmp_path / "demo.sqlite3"
        # SQLite's own copy: what the template's write-ahead log holds comes along.
        with (
            closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as source,
            closing(sqlite3.connect(path)) as target,
        ):
            source.backup(target)
        copy = settings.replace(database_url=f"sqlite:///{path}")
    try:
        with (
            TestClient(create_app(copy), base_url="http://testserver.local") as client,
            TestClient(create_app(copy), base_url="http://testserver.local") as checker,
        ):
            yield client, checker, copy
    finally:
        if on_postgres():
            asyncio.run(_admin(TEST_DATABASE_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# The organizer's two ways ----------------------------------------------------------------------


class Desk:
    """The desk's pages, signed in with a session cookie; forms sent with their CSRF token."""

    def __init__(self, client) -> None:
        self.client = client
        signed_in = submit(client, "/account/sign-in", email=ORGANIZER[0], password=ORGANIZER[1])
        assert signed_in.status_code == 303, signed_in.text

    def _form(self, slug: str, action: str) -> tuple[str, Element]:
        desk = f"/desk/forums/{slug}/documents"
        page = page_of(self.client.get(desk))
        # The documents have their entry in the desk's navigation, marked as the current page.
        entry = page.find("nav", class_="desk").find("a", href=desk)
        assert entry.get("aria-current") == "page"
        return desk, page.find("main").find_all("form", action=f"{desk}/{action}")[0]

    def _references(self, slug: str, kind: str) -> dict[str, str]:
        """Holder's name → reference of the documents the desk lists (revoked ones too)."""
        page = page_of(self.client.get(f"/desk/forums/{slug}/documents"))
        found = {}
        for item in page.find("section", aria_labelledby="certificates").find_all("li"):
            link = item.find("a")
            if link["href"].startswith(f"/documents/{kind}-"):
                found[item.find("bdi").text] = link.text
        return found

    def issue_letters(self, slug: str) -> dict[str, str]:
        desk, form = self._form(slug, "letters")
        assert submit(self.client, desk, form).status_code == 303
        return self._references(slug, "V")

    def issue_certificates(self, slug: str) -> dict[str, str]:
        desk, form = self._form(slug, "certificates")
        assert submit(self.client, desk, form).status_code == 303
        return self._references(slug, "C")

    def badges(self, slug: str) -> bytes:
        desk, form = self._form(slug, "badges")
        response = submit(self.client, desk, form, layout="a4", which="all")
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        return response.content

    def revoke(self, slug: str, reference: str) -> None:
        desk, form = self._form(slug, f"{reference}/revoke")
        assert submit(self.client, desk, form).status_code == 303

    def download(self, reference: str):
        return self.client.get(f"/documents/{reference}/pdf")


class Api:
    """The API with the organizer's bearer token."""

    def __init__(self, client) -> None:
        self.client = client
        self.headers = sign_in(client, "organizer")

    def _issue(self, slug: str, what: str) -> dict[str, str]:
        response = self.client.post(
            f"/api/v1/forums/{slug}/documents/{what}", json={}, headers=self.headers
        )
        assert response.status_code == 200, response.text
        return {item["holder_name"]: item["reference"] for item in response.json()["items"]}

    def issue_letters(self, slug: str) -> dict[str, str]:
        return self._issue(slug, "visa-letters")

    def issue_certificates(self, slug: str) -> dict[str, str]:
        return self._issue(slug, "certificates")

    def badges(self, slug: str) -> bytes:
        response = self.client.post(
            f"/api/v1/forums/{slug}/documents/badges", json={"layout": "a4"}, headers=self.headers
        )
        assert response.status_code == 200, response.text
        return response.content

    def revoke(self, slug: str, reference: str) -> None:
        response = self.client.post(f"/api/v1/documents/{reference}/revoke", headers=self.headers)
        assert response.status_code == 200, response.text

    def download(self, reference: str):
        return self.client.get(f"/api/v1/documents/{reference}/pdf", headers=self.headers)


# What a checker sees ---------------------------------------------------------------------------


def verification_facts(checker, url: str) -> tuple[str, dict[str, str], str]:
    """The verification page a QR code leads to, opened by someone not signed in: its verdict,
    its facts (term → value) and all its text."""
    response = checker.get(urlsplit(url).path + "?lang=en")
    assert response.status_code == 200, response.text
    main = page_of(response).find("main")
    terms = [element.text for element in main.find_all("dt")]
    values = [element.text for element in main.find_all("dd")]
    return main.find("p", class_="status").text, dict(zip(terms, values, strict=True)), main.text


def forum_dates(forum: dict[str, Any]) -> str:
    zone = ZoneInfo(forum["timezone"])
    starts, ends = (
        datetime.fromisoformat(forum[key]).astimezone(zone) for key in ("starts_at", "ends_at")
    )
    with use_locale("en"):
        # As the page's text reads (its thin spaces collapsed).
        return " ".join(format_date_interval(starts.date(), ends.date()).split())


def never_shown(passport: tuple[Any, ...]) -> list[str]:
    """What of a person's passport details the verification page must not show, in every
    form a page could write it."""
    born = passport[3]
    with use_locale("en"):
        written = [format_date(born, length) for length in ("short", "medium", "long")]
    return [passport[5], passport[6], born.isoformat(), *written]


async def _visa_rows() -> list[dict[str, Any]]:
    return [dict(row) for row in await VisaDetails.select()]


async def _no_longer_demo(slug: str) -> None:
    await Forum.update({Forum.is_demo: False}).where(Forum.slug == slug)


def _written(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


async def _dump() -> list[tuple[str, str]]:
    """Every row of every table of the database as text (table, row): a full dump."""
    if on_postgres():
        tables = await VisaDetails.raw(
            "SELECT table_name AS name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        query = 'SELECT row_to_json(t)::text AS row FROM "{}" t'
    else:
        tables = await VisaDetails.raw(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        query = 'SELECT * FROM "{}"'
    found = []
    for table in tables:
        for row in await VisaDetails.raw(query.format(table["name"])):
            text = (
                row["row"]
                if on_postgres()
                else json.dumps(dict(row), default=_written, ensure_ascii=False)
            )
            found.append((table["name"], text.lower()))
    return found


def holding(dump: list[tuple[str, str]], value: str) -> set[str]:
    """The tables of ``dump`` with a row that contains ``value``."""
    return {table for table, text in dump if value.lower() in text}


# The test --------------------------------------------------------------------------------------


@pytest.mark.parametrize("way", [Desk, Api], ids=["desk", "api"])
def test_the_organizer_makes_the_demo_forums_documents(demo, way) -> None:
    client, checker, settings = demo
    forums = forums_by_status(client)
    bonn, accra = forums["registration_open"], forums["held"]
    bonn_title = bonn["title"]["text"]
    organizer = way(client)

    # Visa letters: everyone approved who gave passport details; not the person still waiting.
    letters = organizer.issue_letters(bonn["slug"])
    assert set(letters) == set(APPROVED)
    assert WAITING[2] not in letters
    assert organizer.issue_letters(bonn["slug"]) == ({} if way is Api else letters)
    for holder, reference in letters.items():
        _, _, _, born, _, number, embassy = APPROVED[holder]
        download = organizer.download(reference)
        assert download.status_code == 200, download.text
        assert download.headers["content-type"] == "application/pdf"
        reader = read_pdf(download.content)
        english = flat(reader.pages[0].extract_text())
        for shown in ("Letter of invitation", holder, number, embassy, reference, bonn_title):
            assert shown in english
        with use_locale("en"):
            assert format_date(born, "long") in english
        assert "international travel, accommodation, travel health insurance" in english
        assert {size_mm(page) for page in reader.pages} == {(210, 297)}
        assert embedded_fonts(reader) <= FONTS
        # Downloaded again, the letter is the same, to the byte.
        assert organizer.download(reference).content == download.content
    # Moussa Ouédraogo reads French: his letter has a second page in his language.
    french = read_pdf(organizer.download(letters["Moussa Wendpouiré Ouédraogo"]).content)
    assert "Lettre d’invitation" in flat(french.pages[1].extract_text())

    # The badge sheet: every seat of the next forum, four to an A4 page, each with its QR code.
    sheet = read_pdf(organizer.badges(bonn["slug"]))
    assert len(sheet.pages) == SEATS // 4
    assert {size_mm(page) for page in sheet.pages} == {(210, 297)}
    text = flat(" ".join(page.extract_text() for page in sheet.pages))
    for word in ("Valentina", "Rojas", "Akosua", "Mensah", "Moussa", "Ouédraogo"):
        assert word in text
    # (The sheet's pages share their images: the codes are read from all of them at once.)
    codes = {code for page in sheet.pages for code in qr_codes(page)}
    door = f"{settings.base_url}/desk/forums/{bonn['slug']}/door?q="
    assert codes == {f"{door}{number}" for number in range(1, SEATS + 1)}

    # Certificates: everyone checked in at last year's forum in Accra.
    certificates = organizer.issue_certificates(accra["slug"])
    assert len(certificates) == ATTENDED and "Valentina Rojas" in certificates
    certificate = read_pdf(organizer.download(certificates["Valentina Rojas"]).content)
    spanish, english = (flat(page.extract_text()) for page in certificate.pages)
    assert "Certificado de asistencia" in spanish and "Valentina Rojas" in spanish
    assert "Certificate of attendance" in english and accra["title"]["text"] in english
    [certificate_url] = qr_codes(certificate.pages[0])
    verdict, _, _ = verification_facts(checker, certificate_url)
    assert verdict.startswith("Genuine")

    # A checker scans a letter's QR code: genuine, whose, which forum, when; nothing else.
    holder = "Akosua Serwaa Mensah"
    letter = read_pdf(organizer.download(letters[holder]).content)
    [url] = qr_codes(letter.pages[0])
    assert url.endswith(f"/documents/verify/{letters[holder]}")
    verdict, facts, page_text = verification_facts(checker, url)
    assert verdict.startswith("Genuine")
    assert facts["Issued to"] == holder
    assert facts["Forum"] == bonn_title
    assert facts["Dates"] == forum_dates(bonn)
    assert set(facts) == {"Document", "Reference", "Issued to", "Forum", "Dates", "Issued on"}
    for secret in never_shown(APPROVED[holder]):
        assert secret not in page_text

    # One letter is revoked: its page says so, and it is no longer handed out.
    revoked = letters["Wanjiru Njeri Kamau"]
    organizer.revoke(bonn["slug"], revoked)
    verdict, _, _ = verification_facts(checker, url.replace(letters[holder], revoked))
    assert "revoked" in verdict
    assert organizer.download(revoked).status_code == 410

    # Retention: the demonstration stays whole however long it runs ...
    after = datetime.fromisoformat(bonn["ends_at"]) + timedelta(days=settings.visa_details_days + 1)
    before = client.blocking_portal.call(_visa_rows)
    assert len(before) == len(PASSPORTS)
    kept = dict(client.blocking_portal.call(registry.run_expiries, settings, after))
    assert kept["passport details for visa letters"] == 0
    # ... and a forum that is not the demonstration's loses its passport details when due.
    # Every value of every column, searched for in a dump of the whole database: those that
    # name the person only there (not a country code or an id, which other rows hold too)
    # must be gone everywhere.
    dump = client.blocking_portal.call(_dump)
    columns = {column._meta.db_column_name for column in VisaDetails._meta.columns}
    searched = []
    for row in before:
        assert set(row) == columns
        for column, value in row.items():
            if isinstance(value, datetime):
                # When the details were last changed: a moment, written as each database
                # pleases, and no detail of the person.
                continue
            tables = holding(dump, _written(value))
            assert "document_visa_details" in tables, column
            # A letter's verification names its holder as in the passport, until retention.
            if tables <= {"document_visa_details", "document_issued"}:
                searched.append(_written(value))
        for column in ("full_name", "passport_number", "embassy", "date_of_birth"):
            assert _written(row[column]) in searched, column
    client.blocking_portal.call(_no_longer_demo, bonn["slug"])
    removed = dict(client.blocking_portal.call(registry.run_expiries, settings, after))
    assert removed["passport details for visa letters"] == len(PASSPORTS)
    assert client.blocking_portal.call(_visa_rows) == []
    dump = client.blocking_portal.call(_dump)
    assert {value: holding(dump, value) for value in searched if holding(dump, value)} == {}

    # The letters' verification still answers, without the name it no longer keeps.
    verdict, facts, _ = verification_facts(checker, url)
    assert verdict.startswith("Genuine")
    assert facts["Forum"] == bonn_title and holder not in facts["Issued to"]
    verified = checker.get(f"/api/v1/documents/{letters[holder]}/verification").json()
    assert (verified["valid"], verified["holder_name"]) == (True, "")
    # The letter itself cannot be made any more: a clear answer, not an empty letter.
    gone = organizer.download(letters[holder])
    assert gone.status_code == 410
    if way is Api:
        assert gone.json()["code"] == "visa_details_removed"
    else:
        page = page_of(client.get(f"/documents/{letters[holder]}/pdf?lang=fr"))
        assert "ne peut plus être téléchargée" in page.find("main").text
        # The desk no longer offers it for download.
        desk = page_of(client.get(f"/desk/forums/{bonn['slug']}/documents"))
        assert not desk.has("a", href=f"/documents/{letters[holder]}/pdf")
        assert letters[holder] in desk.find("section", aria_labelledby="letters").text
