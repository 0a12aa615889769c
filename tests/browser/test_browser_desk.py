"""The organizer's desk in a real browser: from the interested presenters to the mail to every
confirmed participant, with nothing but the pages (the forum itself is set up through the API,
as the forum pages are not this test's subject)."""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
from openpyxl import load_workbook
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.wait import WebDriverWait

from tests.browser.conftest import DESKTOP
from tests.browser.journey import (
    WAIT_SECONDS,
    board_admin,
    fill,
    heading,
    link_in_mail,
    move_forum,
    new_address,
    press,
    sign_in,
    submit,
)
from tests.mail_fixtures import SmtpServer
from tests.smoke.conftest import Server
from tests.smoke.conftest import sign_in as api_sign_in
from tests.smoke.conftest import sign_up as api_sign_up


def local_day(days: int, hour: int) -> str:
    day = datetime.now(ZoneInfo("Europe/Berlin")).date() + timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:00:00"


class Api:
    """The API as the set-up uses it: one caller's headers."""

    def __init__(self, server: Server, headers: dict[str, str]) -> None:
        self.server, self.headers = server, headers

    def call(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        response = httpx.request(
            method,
            f"{self.server.url}/api/v1{path}",
            json=body,
            headers=self.headers,
            timeout=10,
        )
        assert response.status_code in (200, 201, 202), response.text
        return dict(response.json()) if response.content else {}


def forum_tomorrow(admin: Api) -> str:
    """A forum beginning tomorrow (the door opens the day before), announced, whose
    registrations await approval and whose targets name two sub-regions; its slug."""
    institute = admin.call(
        "POST",
        "/organizations",
        {"name": f"SKEW {uuid.uuid4().hex[:6]}", "kind": "research_institute", "country": "DE"},
    )
    series = admin.call(
        "POST",
        "/forum-series",
        {"slug": f"desk-{uuid.uuid4().hex[:8]}", "name": {"en": "MUPASS"}},
    )
    forum = admin.call(
        "POST",
        "/forums",
        {
            "slug": f"desk-{uuid.uuid4().hex[:8]}",
            "series": series["slug"],
            "edition": 2030,
            "kind": "dialogue_forum",
            "title": {"en": "MUPASS Desk Forum", "de": "MUPASS-Schreibtischforum"},
            "timezone": "Europe/Berlin",
            "starts_at": local_day(1, 9),
            "ends_at": local_day(2, 17),
            "lead_organization_id": institute["id"],
            "capacity": 200,
            "venue": {"name": "Gustav-Stresemann-Institut", "city": "Bonn", "country": "DE"},
        },
    )
    slug = str(forum["slug"])
    admin.call(
        "PUT",
        f"/forums/{slug}/registration-settings",
        {"requires_approval": True, "target_shares": {"202": 30, "419": 30}},
    )
    move_forum(admin.server, admin.headers, slug, "announced")
    return slug


def account(server: Server, smtp: SmtpServer, name: str, **profile: str) -> tuple[Api, str, str]:
    """An account reading English, with a profile; its API, address and password."""
    email = new_address("person")
    password = api_sign_up(server.url, smtp, email)
    api = Api(server, api_sign_in(server.url, email, password))
    api.call("PATCH", "/me", {"locale": "en", "display_name": name})
    if profile:
        given, family = name.split(maxsplit=1)
        api.call("PUT", "/me/profile", {"given_name": given, "family_name": family, **profile})
    return api, email, password


def interest(server: Server, smtp: SmtpServer, slug: str, family_name: str, **fields: Any) -> None:
    """Interest sent and confirmed from its mailed link."""
    email = new_address(family_name.lower())
    body = {"given_name": "Ada", "family_name": family_name, "email": email, "locale": "fr"}
    response = httpx.post(
        f"{server.url}/api/v1/forums/{slug}/interest",
        json={"country": "SN", **body, **fields},
        timeout=10,
    )
    assert response.status_code == 202, response.text
    link = link_in_mail(smtp, email, "/interest/confirm")
    token = link.split("token=")[1].split("&")[0]
    confirmed = httpx.post(
        f"{server.url}/api/v1/forums/{slug}/interest/confirm", json={"token": token}, timeout=10
    )
    assert confirmed.status_code == 200, confirmed.text


def text(browser: WebDriver, css: str = "main") -> str:
    return str(browser.find_element(By.CSS_SELECTOR, css).text)


def nav_to(browser: WebDriver, label: str) -> None:
    """Follow the desk's navigation entry called ``label``."""
    press(
        browser, browser.find_element(By.CSS_SELECTOR, "nav.desk").find_element(By.LINK_TEXT, label)
    )


def downloaded(directory: Path, suffix: str) -> Path:
    """The file the browser finished downloading into ``directory``."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        done = [path for path in directory.glob(f"*{suffix}") if path.stat().st_size > 0]
        if done:
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no {suffix} file in {directory}: {list(directory.iterdir())}")


def test_an_organizer_runs_a_forum_from_the_desk(start_server, smtp, open_browser, tmp_path):
    server = start_server()
    admin = Api(server, board_admin(server, smtp))
    slug = forum_tomorrow(admin)
    desk = f"/desk/forums/{slug}"
    interest(
        server,
        smtp,
        slug,
        "Diop",
        wants_to_present=True,
        presentation_topic="Cantines scolaires durables",
    )
    interest(server, smtp, slug, "Fall")
    organizer, organizer_email, password = account(server, smtp, "Greta Organizer")
    admin.call(
        "POST",
        f"/forums/{slug}/roles",
        {"user_id": organizer.call("GET", "/me")["id"], "role": "organizer"},
    )

    browser = open_browser("organizer", size=DESKTOP)
    sign_in(browser, server.url, email=organizer_email, password=password, next_path="/desk")
    assert heading(browser) == "Desk"
    press(browser, f"main a[href='{desk}']")

    # The interested presenters: the interest list filtered on wants-to-present.
    nav_to(browser, "Interest")
    fill(browser, wants_to_present="true")
    submit(browser, "")
    listed = text(browser, "table#interest")
    assert "Diop" in listed and "Cantines scolaires durables" in listed
    assert "Fall" not in listed

    # Registration opens: a button on the overview, then its confirmation.
    nav_to(browser, "Overview")
    press(browser, "section.status-moves form:first-of-type button")
    assert heading(browser) == "Open registration"
    submit(browser, f"{desk}/status")
    assert "Status: Registration open" in text(browser)

    people = {}
    for name, country in (("Awa Ndiaye", "SN"), ("Lucía Quispe", "BO"), ("Jonas Weber", "DE")):
        person, email, _ = account(server, smtp, name, country=country)
        people[name] = (person.call("POST", f"/forums/{slug}/registrations", {}), email)
        assert people[name][0]["status"]["value"] == "pending_approval"

    # Approving someone: found on the registrations page, approved on their own page.
    nav_to(browser, "Registrations")
    fill(browser, q="Ndiaye", status="pending_approval")
    submit(browser, "")
    assert [
        row.text.split("\n")[0]
        for row in browser.find_elements(
            By.CSS_SELECTOR, "table#registrations tbody tr td:first-child"
        )
    ] == ["Awa Ndiaye"]
    press(browser, "table#registrations tbody a")
    assert heading(browser) == "Awa Ndiaye"
    press(browser, "form#decision button[value=approve]")
    assert text(browser, "#status").startswith("Confirmed")
    for name in ("Lucía Quispe", "Jonas Weber"):
        admin.call(
            "POST",
            f"/forums/{slug}/registrations/{people[name][0]['id']}/decision",
            {"action": "approve"},
        )

    # The door: two people checked in, one of them taken back.
    browser.get(f"{server.url}{desk}/door")
    for name in ("Awa Ndiaye", "Lucía Quispe"):
        fill(browser, q=name.split()[1])
        submit(browser, f"{desk}/door")
        row = f"#registration-{people[name][0]['id']}"
        browser.find_element(By.CSS_SELECTOR, f"{row} button.check-in").click()
        WebDriverWait(browser, WAIT_SECONDS).until(
            lambda b, row=row: b.find_elements(By.CSS_SELECTOR, f"{row} button.undo")
        )
    WebDriverWait(browser, WAIT_SECONDS).until(
        lambda b: text(b, "#door-count") == "2 of 3 checked in"
    )
    browser.find_element(By.CSS_SELECTOR, "button.undo").click()
    WebDriverWait(browser, WAIT_SECONDS).until(
        lambda b: text(b, "#door-count") == "1 of 3 checked in"
    )
    door = admin.call("GET", f"/forums/{slug}/door?q=Ndiaye")
    assert [entry["checked_in"] for entry in door["entries"]] == [True]

    # The photo list, made for printing.
    browser.get(f"{server.url}{desk}/photos")
    assert "Ndiaye" in text(browser)
    printed = browser.execute_cdp_cmd("Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69})
    assert printed["data"]

    # The XLSX download, as the browser saves it.
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    browser.get(f"{server.url}{desk}")
    nav_to(browser, "Registrations")
    browser.find_element(By.LINK_TEXT, "XLSX").click()
    workbook = load_workbook(downloaded(downloads, ".xlsx"))
    cells = [cell for row in workbook.active.iter_rows(values_only=True) for cell in row]
    assert "Ndiaye" in cells and "Quispe" in cells

    # The sub-regions the targets name, on the chart and in its table.
    nav_to(browser, "Regional balance")
    rows = text(browser, "table#balance")
    assert "Sub-Saharan Africa" in rows and "Latin America" in rows
    chart = browser.find_element(By.CSS_SELECTOR, "figure.chart img").get_attribute("src")
    browser.get(str(chart))
    drawn = browser.page_source
    assert "Sub-Saharan Africa" in drawn and "Latin America" in drawn

    # A mail to every confirmed participant.
    browser.get(f"{server.url}{desk}/mail")
    subject = f"See you tomorrow {uuid.uuid4().hex[:6]}"
    fill(browser, subject_en=subject, body_en="Doors open at 8:30.")
    submit(browser, f"{desk}/mail")
    submit(browser, f"{urlsplit(browser.current_url).path}/send")
    for _, email in people.values():
        WebDriverWait(browser, WAIT_SECONDS).until(
            lambda _, email=email: any(
                message["Subject"] == subject for message in smtp.received(email)
            )
        )
