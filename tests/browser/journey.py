"""Steps of a person's journey through the pages, as a browser user takes them."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import httpx
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from tests.mail_fixtures import SmtpServer, text_of
from tests.smoke.conftest import Server, run_command
from tests.smoke.conftest import sign_in as api_sign_in
from tests.smoke.conftest import sign_up as api_sign_up

WAIT_SECONDS = 20


def fill(browser: WebDriver, **fields: str) -> None:
    """Type into the form fields named by their ``id``; a select takes the option's value."""
    for name, value in fields.items():
        element = browser.find_element(By.ID, name)
        if element.tag_name == "select":
            choice = Select(element)
            # An option is its own value where the page writes no value attribute.
            values = [option.get_attribute("value") for option in choice.options]
            choice.select_by_index(values.index(value))
        else:
            element.clear()
            element.send_keys(value)


def submit(browser: WebDriver, form_action: str = "") -> None:
    """Press the submit button of the page's form (the one posting to ``form_action``)."""
    selector = (
        f"form[action^='{form_action}'] button[type=submit]"
        if form_action
        else ("main form button[type=submit]")
    )
    page = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, selector).click()
    # The form posts and the browser loads the answer: wait until the old page is gone.
    WebDriverWait(browser, WAIT_SECONDS).until(lambda _: _gone(page))


def press(browser: WebDriver, target: str | WebElement) -> None:
    """Click a link or button (an element, or the first at a CSS selector) and wait for the
    page it loads."""
    page = browser.find_element(By.TAG_NAME, "html")
    if isinstance(target, str):
        target = browser.find_element(By.CSS_SELECTOR, target)
    target.click()
    WebDriverWait(browser, WAIT_SECONDS).until(lambda _: _gone(page))


def _gone(element: WebElement) -> bool:
    """Whether ``element`` left the document (the browser loaded another page). While the
    page changes, Chromium may also answer that the node is no longer in the document."""
    try:
        element.is_enabled()
    except WebDriverException:
        return True
    return False


def heading(browser: WebDriver) -> str:
    return browser.find_element(By.TAG_NAME, "h1").text


def language(browser: WebDriver) -> str:
    return str(browser.find_element(By.TAG_NAME, "html").get_attribute("lang"))


def link_in_mail(smtp: SmtpServer, to: str, path: str) -> str:
    """The address of the link to ``path`` in a mail to ``to``, once such a mail arrived."""
    pattern = re.compile(rf"https?://\S*{re.escape(path)}\S*")
    deadline = time.monotonic() + WAIT_SECONDS
    seen = 0
    while time.monotonic() < deadline:
        messages = smtp.wait_for(to=to, count=seen + 1, timeout=deadline - time.monotonic())
        for message in messages[seen:]:
            if found := pattern.search(text_of(message)):
                return found[0]
        seen = len(messages)
    raise AssertionError(f"no mail to {to} links to {path}")


def wait_for_text(browser: WebDriver, text: str, seconds: float = WAIT_SECONDS) -> None:
    WebDriverWait(browser, seconds).until(
        lambda b: text in b.find_element(By.TAG_NAME, "body").text
    )


def new_address(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:10]}@example.org"


def sign_up_and_verify(
    browser: WebDriver,
    base_url: str,
    smtp: SmtpServer,
    *,
    name: str,
    email: str,
    password: str,
    locale: str,
    timezone: str,
) -> None:
    """Create an account on the sign-up page and confirm it from the mailed link."""
    browser.get(f"{base_url}/account/sign-up?lang={locale}")
    fill(
        browser, display_name=name, email=email, password=password, locale=locale, timezone=timezone
    )
    submit(browser, "/account/sign-up")
    verify = link_in_mail(smtp, email, "/account/verify")
    assert f"lang={locale}" in verify
    browser.get(verify)
    assert language(browser) == locale
    submit(browser)


def sign_in(
    browser: WebDriver, base_url: str, *, email: str, password: str, next_path: str = ""
) -> None:
    target = f"{base_url}/account/sign-in" + (f"?next={next_path}" if next_path else "")
    browser.get(target)
    fill(browser, email=email, password=password)
    submit(browser, "/account/sign-in")


def board_admin(server: Server, smtp: SmtpServer) -> dict[str, str]:
    """Sign-in headers of a platform admin: signed up by mail, promoted by the command line."""
    email = new_address("admin")
    password = api_sign_up(server.url, smtp, email)
    promoted = run_command("create-admin", email, env=server.env)
    assert promoted.returncode == 0, promoted.stdout + promoted.stderr
    return api_sign_in(server.url, email, password)


def public_thread(
    server: Server, admin: dict[str, str], *, title: str, language: str
) -> dict[str, Any]:
    """A thread in a new category everyone reads and the signed-in write in."""
    category = httpx.post(
        f"{server.url}/api/v1/board/categories",
        json={
            "slug": f"browser-{uuid.uuid4().hex[:10]}",
            "name": {"en": "Procurement practice", "fr": "Pratique des achats"},
            "original_locale": "en",
        },
        headers=admin,
        timeout=10,
    )
    assert category.status_code == 201, category.text
    made = httpx.post(
        f"{server.url}/api/v1/board/threads",
        json={
            "category_id": category.json()["id"],
            "title": title,
            "language": language,
            "body": title,
        },
        headers=admin,
        timeout=10,
    )
    assert made.status_code == 201, made.text
    return dict(made.json())


def announced_forum(server: Server, admin: dict[str, str]) -> str:
    """A forum collecting interest (save the date), led by a new institute; its slug."""

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = httpx.post(f"{server.url}/api/v1{path}", json=body, headers=admin, timeout=10)
        assert response.status_code in (200, 201), response.text
        return dict(response.json())

    institute = post(
        "/organizations",
        {"name": f"Institut {uuid.uuid4().hex[:6]}", "kind": "research_institute", "country": "DE"},
    )
    series = post(
        "/forum-series",
        {"slug": f"mupass-{uuid.uuid4().hex[:8]}", "name": {"en": "MUPASS", "fr": "MUPASS"}},
    )
    forum = post(
        "/forums",
        {
            "slug": f"bonn-{uuid.uuid4().hex[:8]}",
            "series": series["slug"],
            "edition": 2030,
            "kind": "dialogue_forum",
            "title": {"en": "MUPASS Dialogue Forum 2030", "fr": "Forum de dialogue MUPASS 2030"},
            "timezone": "Europe/Berlin",
            "starts_at": "2030-10-28T09:00:00",
            "ends_at": "2030-10-30T17:00:00",
            "lead_organization_id": institute["id"],
            "capacity": 200,
            "venue": {"name": "Gustav-Stresemann-Institut", "city": "Bonn", "country": "DE"},
        },
    )
    move_forum(server, admin, forum["slug"], "announced")
    return str(forum["slug"])


def move_forum(server: Server, admin: dict[str, str], slug: str, status: str) -> None:
    response = httpx.post(
        f"{server.url}/api/v1/forums/{slug}/status",
        json={"status": status},
        headers=admin,
        timeout=10,
    )
    assert response.status_code == 200, response.text
