"""What every page stands on: language, templates, static files, CSRF, sign-in, error pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.response import Template

from mupass_forum.accounts.authentication import SESSION_COOKIE
from mupass_forum.accounts.authorization import requires_signed_in
from mupass_forum.accounts.principal import Principal
from mupass_forum.app import create_app
from mupass_forum.pages import local_path
from mupass_forum.paths import checkout_dir
from mupass_forum.translations.catalogs import extract_messages
from tests.pages.conftest import submit
from tests.pages.html import page_of, parse

# Pages of the tests' own, on an app of their own: a form that records what it was sent, and
# a page for signed-in people only.
RECEIVED: list[dict[str, Any]] = []

FORM_PAGE = """{% extends "base.html" %}{% block title %}Form{% endblock %}
{% block content %}<form method="post" action="/test-form">{{ csrf_input | safe }}
<input name="word" value=""><button>Send</button></form>{% endblock %}"""


@get("/test-form", sync_to_thread=False)
def form_page() -> Template:
    return Template(template_str=FORM_PAGE)


@post("/test-form")
async def form_sent(request: Request[Any, Any, Any]) -> str:
    RECEIVED.append(dict(await request.form()))
    return "received"


@get("/test-private", guards=[requires_signed_in], sync_to_thread=False)
def private_page(principal: NamedDependency[Principal]) -> str:
    return f"for {principal.email}"


@pytest.fixture
def test_pages(make_client, migrated):
    app = create_app(migrated)
    for handler in (form_page, form_sent, private_page):
        app.register(handler)
    return make_client(app)


# Language ------------------------------------------------------------------------------------


def test_lang_in_the_link_wins_over_the_browsers_language(browser):
    response = browser.get("/?lang=fr", headers={"Accept-Language": "de"})

    assert response.status_code == 200
    assert response.headers["content-language"] == "fr"
    page = page_of(response)
    assert page.find("html")["lang"] == "fr"
    assert page.find("a", class_="skip").text == "Aller au contenu"


def test_without_lang_the_browsers_language_is_used(browser):
    response = browser.get("/", headers={"Accept-Language": "es-CO, en;q=0.5"})

    assert response.headers["content-language"] == "es"
    assert page_of(response).find("html")["lang"] == "es"


def test_a_chosen_language_holds_for_the_next_pages(browser):
    first = browser.get("/?lang=es", headers={"Accept-Language": "de"})
    assert "mupass_lang=es" in first.headers["set-cookie"]

    later = browser.get("/nowhere", headers={"Accept-Language": "de"})

    assert later.headers["content-language"] == "es"
    assert page_of(later).find("html")["lang"] == "es"
    # The API is not a page: its language is the request's alone.
    assert (
        browser.get("/health/live", headers={"Accept-Language": "de"}).headers["content-language"]
        == "de"
    )


def test_the_language_switcher_keeps_path_and_query(browser):
    page = page_of(browser.get("/nowhere?token=abc%2Fdef&x=1&lang=de"))

    links = page.find("nav", class_="languages").find_all("a")
    assert [(link["lang"], link["href"]) for link in links] == [
        ("de", "/nowhere?token=abc%2Fdef&x=1&lang=de"),
        ("en", "/nowhere?token=abc%2Fdef&x=1&lang=en"),
        ("fr", "/nowhere?token=abc%2Fdef&x=1&lang=fr"),
        ("es", "/nowhere?token=abc%2Fdef&x=1&lang=es"),
    ]
    assert [link.text for link in links] == ["Deutsch", "English", "Français", "Español"]
    assert [link.get("aria-current") for link in links] == ["true", None, None, None]


def test_a_malformed_language_on_a_page_is_ignored_but_refused_by_the_api(browser):
    page = browser.get("/?lang=x%3Cy", headers={"Accept-Language": "fr"})
    api = browser.get("/api/v1/regions?lang=x%3Cy")

    assert page.status_code == 200
    assert page.headers["content-language"] == "fr"
    assert api.status_code == 400
    assert api.json()["code"] == "unsupported_locale"


def test_a_regional_language_on_a_page_is_remembered_as_its_language(browser):
    page = browser.get("/?lang=DE-at", headers={"Accept-Language": "fr"})

    assert page.status_code == 200
    assert page.headers["content-language"] == "de"
    assert "mupass_lang=de;" in page.headers["set-cookie"]


# Templates and static files ------------------------------------------------------------------


def test_a_page_has_the_landmarks_people_and_screen_readers_need(browser):
    page = page_of(browser.get("/?lang=en"))

    skip = page.find("a", class_="skip")
    assert skip["href"] == "#main"
    assert page.find("main")["id"] == "main"
    assert page.find("header").find("a", class_="brand").text == "MUPASS dialogue forums"
    assert page.has("footer")
    assert page.find("meta", name="viewport")["content"].startswith("width=device-width")
    assert page.find("title").text == "Welcome – MUPASS dialogue forums"
    assert len(page.find_all("h1")) == 1


def test_pages_load_nothing_from_elsewhere_and_run_no_inline_script(browser):
    response = browser.get("/?lang=en")
    page = page_of(response)

    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["cache-control"] == "no-store"
    assert not page.find_all("script")
    assert not page.find_all("style")
    assert not [element for element in page.iter() if "style" in element.attrs]
    for element in page.iter():
        for name in ("src", "href", "action"):
            value = element.get(name)
            if value:
                assert not re.match(r"^(https?:)?//", value), value


def test_the_style_sheet_has_a_versioned_address_and_is_kept_a_year(browser):
    page = page_of(browser.get("/"))
    address = page.find("link", rel="stylesheet")["href"]

    assert re.fullmatch(r"/static/site\.[0-9a-f]{10}\.css", address)
    css = browser.get(address)
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert css.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "set-cookie" not in css.headers
    assert "@media print" in css.text
    assert browser.get("/static/site.0000000000.css").status_code == 404


def test_template_texts_are_extracted_for_the_translators():
    project = checkout_dir()
    assert project is not None

    template = extract_messages(project)

    message = template["Skip to content"]
    assert message is not None
    assert ("src/mupass_forum/templates/base.html", 13) in message.locations


# Errors ----------------------------------------------------------------------------------------


def test_an_unknown_page_is_a_localized_html_page_the_api_keeps_json(browser):
    page_response = browser.get("/no/such/page?lang=de")
    api_response = browser.get("/api/v1/no/such/thing?lang=de")

    assert page_response.status_code == 404
    page = page_of(page_response)
    assert page.find("h1").text == "Nicht gefunden"
    assert "/no/such/page" in page.find("main").text
    assert api_response.status_code == 404
    assert api_response.headers["content-type"] == "application/problem+json"
    assert api_response.json()["title"] == "Nicht gefunden"


# CSRF ------------------------------------------------------------------------------------------


def test_a_form_with_its_token_goes_through(test_pages):
    RECEIVED.clear()

    response = submit(test_pages, "/test-form", word="hello")

    assert response.status_code == 201
    assert RECEIVED[-1]["word"] == "hello"


@pytest.mark.parametrize("token", [None, "", "forged" * 30])
def test_a_form_without_a_valid_token_is_refused_and_nothing_happens(test_pages, token):
    RECEIVED.clear()
    test_pages.get("/test-form")  # the browser holds the CSRF cookie
    data = {"word": "hello"} if token is None else {"word": "hello", "_csrf_token": token}

    response = test_pages.post("/test-form?lang=fr", data=data)

    assert response.status_code == 403
    page = page_of(response)
    assert page.find("html")["lang"] == "fr"
    assert page.find("h1").text == "Non autorisé"
    assert "Rien n’a été modifié" in page.find("main").text
    assert RECEIVED == []


def test_the_api_takes_no_csrf_token(browser, make_account):
    account = make_account()

    response = browser.patch("/api/v1/me", json={"display_name": "Amara"}, headers=account.headers)

    assert response.status_code == 200


# Signing in ------------------------------------------------------------------------------------


def test_a_page_for_signed_in_people_sends_others_to_the_sign_in_page(test_pages):
    response = test_pages.get("/test-private?x=1", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/account/sign-in?next=%2Ftest-private%3Fx%3D1"


def test_the_session_cookie_signs_in_on_pages_only(test_pages, make_account):
    account = make_account()
    test_pages.cookies.set(SESSION_COOKIE, account.token or "")

    page = test_pages.get("/test-private", follow_redirects=False)
    api = test_pages.get("/api/v1/me")

    assert page.status_code == 200
    assert page.text == f"for {account.email}"
    # The API takes bearer tokens only: what a browser sends by itself signs nobody in there.
    assert api.status_code == 401


def test_a_stale_session_cookie_is_dropped(test_pages, make_account):
    account = make_account()
    headers = account.headers
    assert test_pages.post("/api/v1/auth/logout", headers=headers).status_code == 204
    test_pages.cookies.set(SESSION_COOKIE, account.token or "")

    response = test_pages.get("/", follow_redirects=False)

    assert response.status_code == 200
    assert f'{SESSION_COOKIE}=""' in response.headers["set-cookie"] or (
        f"{SESSION_COOKIE}=;" in response.headers["set-cookie"]
    )
    assert "Max-Age=0" in response.headers["set-cookie"]


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/forums/mupass-2030?x=1", "/forums/mupass-2030?x=1"),
        ("/account/sessions", "/account/sessions"),
        ("https://evil.example/", "/account"),
        ("//evil.example/path", "/account"),
        ("/\\evil.example", "/account"),
        ("\\\\evil.example", "/account"),
        ("javascript:alert(1)", "/account"),
        ("/ok\r\nSet-Cookie: x=1", "/account"),
        ("", "/account"),
        (None, "/account"),
    ],
)
def test_next_is_only_ever_a_path_on_this_site(target, expected):
    assert local_path(target) == expected


def test_documents_parse_as_html():
    # The tests' own reader keeps nesting: a guard against assertions that could not fail.
    document = parse("<main><p>a <b>b</b></p><input name=x value=1></main>")

    assert document.find("main").find("p").text == "a b"
    assert document.find("input")["name"] == "x"
