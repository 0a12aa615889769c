"""The account's pages, as a person uses them in a browser without JavaScript."""

from __future__ import annotations

import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest

from mupass_forum.accounts.authentication import SESSION_COOKIE
from mupass_forum.accounts.tables import User
from tests.pages.conftest import submit
from tests.pages.html import page_of

PASSWORD = "a good passphrase"
#: The service's address in mails (``MUPASS_BASE_URL`` of the tests).
BASE_URL = "http://127.0.0.1:8000"


def new_email() -> str:
    return f"page-{uuid.uuid4().hex[:12]}@example.org"


def link_in(message, path: str) -> str:
    """The path and query of the link to ``path`` in a mail, as a browser would follow it."""
    text = message.get_body(("plain",)).get_content()
    found = re.search(rf"{re.escape(BASE_URL)}({re.escape(path)}\?\S+)", text)
    assert found, text
    return found.group(1)


def sign_in(
    browser, email: str, password: str = PASSWORD, url: str = "/account/sign-in", **fields: str
):
    return submit(browser, url, email=email, password=password, **fields)


def session_token(browser) -> str:
    token = browser.cookies.get(SESSION_COOKIE)
    assert token
    return str(token)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def user_exists(client, email: str) -> bool:
    async def look() -> bool:
        return bool(await User.exists().where(User.email == email))

    return bool(client.blocking_portal.call(look))


# Signing up, confirming, signing in ----------------------------------------------------------


def test_sign_up_then_the_mails_link_then_sign_in(mail_client, smtp_server):
    email = new_email()

    signed_up = submit(
        mail_client,
        "/account/sign-up?lang=fr",
        display_name="Aïssata Diallo",
        email=email,
        password=PASSWORD,
        locale="fr",
        timezone="Africa/Dakar",
    )
    assert signed_up.status_code == 200
    assert page_of(signed_up).find("h1").text == "Veuillez consulter votre messagerie"

    [message] = smtp_server.wait_for(to=email)
    link = link_in(message, "/account/verify")
    assert parse_qs(urlsplit(link).query)["lang"] == ["fr"]

    # The mail's link opens in the mail's language, whatever the browser prefers, and only
    # shows a button: following the link (as mail scanners do) confirms nothing.
    mail_client.cookies.clear()
    opened = mail_client.get(link, headers={"Accept-Language": "de"})
    page = page_of(opened)
    assert opened.headers["content-language"] == "fr"
    assert page.find("html")["lang"] == "fr"
    assert len(page.find("main").find_all("form")) == 1
    refused = sign_in(mail_client, email)
    assert refused.status_code == 403

    confirmed = submit(mail_client, link)
    assert confirmed.status_code == 200
    assert page_of(confirmed).find("h1").text == "Votre adresse est confirmée"
    again = submit(mail_client, link)
    assert again.status_code == 400

    signed_in = sign_in(mail_client, email)
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/account"
    cookie = next(
        value
        for value in signed_in.headers.get_list("set-cookie")
        if value.startswith(f"{SESSION_COOKIE}=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert "Path=/" in cookie
    assert "Secure" not in cookie  # the tests' base URL is http
    account = page_of(mail_client.get("/account"))
    assert email in account.find("main").text
    assert "Aïssata Diallo" in account.find("header").text


def test_sign_in_cookie_is_secure_when_the_service_is_served_over_https(make_client, make_account):
    browser = make_client(base_url="https://forum.example.org")
    account = make_account(sign_in=False)

    response = sign_in(
        browser, account.email, account.password, "https://testserver.local/account/sign-in"
    )

    cookie = next(
        value
        for value in response.headers.get_list("set-cookie")
        if value.startswith(f"{SESSION_COOKIE}=")
    )
    assert "Secure" in cookie


def test_a_sign_up_with_mistakes_comes_back_with_messages_next_to_the_fields(browser):
    email = f"not-an-address-{uuid.uuid4().hex[:6]}"

    response = submit(
        browser,
        "/account/sign-up?lang=de",
        display_name="Kwame",
        email=email,
        password="short",
        locale="de",
        timezone="Africa/Accra",
    )

    assert response.status_code == 400
    page = page_of(response)
    assert page.find("div", class_="problem")["role"] == "alert"
    email_input = page.find("input", name="email")
    assert email_input["value"] == email
    assert email_input["aria-invalid"] == "true"
    assert page.find("p", id="email-error").text == "Das ist keine gültige E-Mail-Adresse."
    assert "email-error" in email_input["aria-describedby"]
    assert page.find("p", id="password-error").text == "Muss mindestens 10 Zeichen lang sein."
    assert "value" not in page.find("input", name="password").attrs
    assert page.find("input", name="display_name")["value"] == "Kwame"
    timezone = page.find("select", name="timezone")
    assert [
        option.text for option in timezone.find_all("option") if "selected" in option.attrs
    ] == ["Africa/Accra"]
    assert not user_exists(browser, email)


def test_every_field_has_a_label(browser):
    for path in ("/account/sign-up", "/account/sign-in", "/account/forgot-password"):
        page = page_of(browser.get(path))
        labelled = {label["for"] for label in page.find_all("label")}
        for field in page.find("main").find_all():
            if field.tag in ("input", "select") and field.get("type") != "hidden":
                assert field["id"] in labelled, (path, field.attrs)


def test_a_form_without_its_csrf_token_creates_nothing(browser):
    email = new_email()
    browser.get("/account/sign-up")

    response = browser.post(
        "/account/sign-up",
        data={
            "display_name": "Someone",
            "email": email,
            "password": PASSWORD,
            "locale": "en",
            "timezone": "UTC",
        },
    )

    assert response.status_code == 403
    assert page_of(response).find("h1").text == "Not allowed"
    assert not user_exists(browser, email)


def test_a_wrong_password_shows_the_form_again(browser, make_account):
    account = make_account(sign_in=False)

    response = sign_in(browser, account.email, "not the password", "/account/sign-in?lang=es")

    assert response.status_code == 401
    page = page_of(response)
    assert "no son correctas" in page.find("div", class_="problem").text
    assert page.find("input", name="email")["value"] == account.email
    assert SESSION_COOKIE not in browser.cookies


# Signing out, sessions ---------------------------------------------------------------------------


def test_signing_out_ends_the_session_for_the_api_too(browser, make_account):
    account = make_account(sign_in=False)
    sign_in(browser, account.email, account.password)
    token = session_token(browser)
    assert browser.get("/api/v1/me", headers=bearer(token)).status_code == 200

    overview = page_of(browser.get("/account"))
    response = submit(browser, "/account", overview.find("main").find("form"))

    assert response.status_code == 303
    assert response.headers["location"] == "/account/sign-in?signed_out=true"
    assert SESSION_COOKIE not in browser.cookies
    assert browser.get("/api/v1/me", headers=bearer(token)).status_code == 401
    notice = page_of(browser.get(response.headers["location"])).find("div", class_="done")
    assert notice.text == "You have signed out."


def test_a_page_for_signed_in_people_leads_through_sign_in_and_back(browser, make_account):
    account = make_account(sign_in=False)

    asked = browser.get("/account/sessions?lang=en", follow_redirects=False)

    assert asked.status_code == 303
    location = asked.headers["location"]
    assert location == "/account/sign-in?next=%2Faccount%2Fsessions%3Flang%3Den"
    page = page_of(browser.get(location))
    assert page.find("input", name="next")["value"] == "/account/sessions?lang=en"
    signed_in = sign_in(browser, account.email, account.password, location)
    assert signed_in.headers["location"] == "/account/sessions?lang=en"
    assert browser.get("/account/sessions?lang=en").status_code == 200


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]
)
def test_next_never_leads_to_another_site(browser, make_account, target):
    account = make_account(sign_in=False)
    page = page_of(browser.get("/account/sign-in", params={"next": target}))
    assert page.find("input", name="next")["value"] == "/account"

    # Even a hand-made form is not followed elsewhere.
    response = sign_in(browser, account.email, account.password, next=target)

    assert response.status_code == 303
    assert response.headers["location"] == "/account"


def test_sessions_are_listed_and_signed_out(browser, make_account):
    account = make_account()  # signed in through the API: one session
    assert account.token
    sign_in(browser, account.email, account.password)  # and this browser: another

    page = page_of(browser.get("/account/sessions"))

    entries = page.find("ul", class_="items").find_all("li")
    assert len(entries) == 2
    current = [entry for entry in entries if entry.has("span", class_="tag")]
    assert len(current) == 1
    # A date on the page names its time zone.
    assert "Central European" in page.find("ul", class_="items").text
    other = next(entry for entry in entries if entry is not current[0])
    revoked = submit(browser, "/account/sessions", other.find("form"))
    assert revoked.status_code == 303
    assert revoked.headers["location"] == "/account/sessions"
    assert browser.get("/api/v1/me", headers=account.headers).status_code == 401
    left = page_of(browser.get("/account/sessions")).find("ul", class_="items")
    assert len(left.find_all("li")) == 1


def test_sign_out_everywhere_else_keeps_this_browser(browser, make_account):
    account = make_account()
    sign_in(browser, account.email, account.password)
    page = page_of(browser.get("/account/sessions"))
    form = next(
        form for form in page.find_all("form") if form["action"].endswith("/sign-out-others")
    )

    response = submit(browser, "/account/sessions", form)

    assert response.status_code == 303
    assert browser.get("/api/v1/me", headers=account.headers).status_code == 401
    assert browser.get("/api/v1/me", headers=bearer(session_token(browser))).status_code == 200


# Passwords -------------------------------------------------------------------------------------


def test_reset_password_with_the_mailed_link(mail_client, smtp_server, make_account):
    account = make_account(locale="es")
    mail_client.cookies.clear()

    asked = submit(mail_client, "/account/forgot-password", email=account.email)
    assert asked.status_code == 200

    [message] = smtp_server.wait_for(to=account.email)
    link = link_in(message, "/account/reset-password")
    opened = mail_client.get(link, headers={"Accept-Language": "fr"})
    assert opened.headers["content-language"] == "es"
    too_short = submit(mail_client, link, new_password="short")
    assert too_short.status_code == 400
    assert page_of(too_short).has("p", id="new_password-error")

    done = submit(mail_client, link, new_password="a new and long passphrase")

    assert done.status_code == 200
    assert page_of(done).find("h1").text == "Su nueva contraseña está guardada"
    assert mail_client.get("/api/v1/me", headers=account.headers).status_code == 401
    assert sign_in(mail_client, account.email, account.password).status_code == 401
    assert sign_in(mail_client, account.email, "a new and long passphrase").status_code == 303
    used = submit(mail_client, link, new_password="yet another passphrase")
    assert used.status_code == 400
    assert page_of(used).find("h1").text == "Este enlace no se puede usar"


def test_a_reset_link_without_a_token_leads_to_the_forgotten_password_form(browser):
    response = browser.get("/account/reset-password?lang=de", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/account/forgot-password"


def test_change_password(browser, make_account):
    account = make_account()
    sign_in(browser, account.email, account.password)

    wrong = submit(
        browser, "/account/password", current_password="nope", new_password="the next passphrase"
    )
    assert wrong.status_code == 400
    assert page_of(wrong).has("p", id="current_password-error")

    changed = submit(
        browser,
        "/account/password",
        current_password=account.password,
        new_password="the next passphrase",
    )

    assert changed.status_code == 200
    assert page_of(changed).has("div", class_="done")
    assert browser.get("/api/v1/me", headers=account.headers).status_code == 401
    assert browser.get("/account").status_code == 200


# Settings --------------------------------------------------------------------------------------


def test_the_language_chosen_in_the_settings_is_stored(browser, make_account):
    account = make_account(locale="en")
    sign_in(browser, account.email, account.password)
    assert browser.get("/account/settings").headers["content-language"] == "en"

    saved = submit(
        browser,
        "/account/settings",
        display_name="Lucía Fernández",
        locale="es",
        timezone="America/Bogota",
    )

    assert saved.status_code == 303
    me = browser.get("/api/v1/me", headers=account.headers).json()
    assert (me["locale"], me["timezone"], me["display_name"]) == (
        "es",
        "America/Bogota",
        "Lucía Fernández",
    )
    page = browser.get(saved.headers["location"])
    assert page.headers["content-language"] == "es"
    document = page_of(page)
    assert document.find("div", class_="done").text == "Se ha guardado su configuración."
    assert "America/Bogota" in document.find("footer").text


def test_settings_with_an_unknown_time_zone_say_so(browser, make_account):
    account = make_account()
    sign_in(browser, account.email, account.password)

    response = submit(browser, "/account/settings", timezone="Mars/Olympus_Mons")

    assert response.status_code == 400
    assert page_of(response).has("p", id="timezone-error")


# Weight --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/account/sign-in", "/account/sign-up"])
def test_a_first_visit_loads_less_than_60_kb(browser, path):
    response = browser.get(path)
    page = page_of(response)
    loaded = [response]
    for link in page.find_all("link", rel="stylesheet"):
        loaded.append(browser.get(link["href"]))
    assert not page.find_all("script")
    assert not page.find_all("img")

    total = sum(
        len(part.content) + sum(len(k) + len(v) for k, v in part.headers.items()) for part in loaded
    )

    assert total < 60 * 1024
