"""The "Me" pages: my profile, the directory, one participant, my data."""

from __future__ import annotations

import io
import json
import uuid
import zipfile

import pytest

from mupass_forum.accounts.authentication import SESSION_COOKIE
from tests.pages.conftest import submit
from tests.pages.html import page_of


@pytest.fixture
def signed_in(browser, make_account):
    """A browser signed in on pages as a new account (``signed_in.account``)."""

    def sign_in(**fields):
        account = make_account(**fields)
        browser.cookies.set(SESSION_COOKIE, account.token or "")
        return account

    return sign_in


def surname() -> str:
    """A family name no other test uses, so searches find only this test's people."""
    return "Zq" + uuid.uuid4().hex[:10]


def write_profile(client, account, **fields) -> None:
    body = {"given_name": "Ama", "family_name": surname(), **fields}
    response = client.put("/api/v1/me/profile", json=body, headers=account.headers)
    assert response.status_code == 200, response.text


# Signing in and CSRF ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/me/profile", "/participants", "/participants/1", "/me/data"])
def test_the_me_pages_send_strangers_to_the_sign_in_page(browser, path):
    response = browser.get(path, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/account/sign-in?next=%2F")


def test_a_profile_form_without_its_token_changes_nothing(browser, signed_in):
    account = signed_in()
    browser.get("/me/profile")  # the browser holds the CSRF cookie

    response = browser.post(
        "/me/profile", data={"given_name": "Ama", "family_name": "Forged", "visibility": "hidden"}
    )

    assert response.status_code == 403
    mine = browser.get("/api/v1/me/profile", headers=account.headers)
    assert mine.status_code == 404


def test_deleting_without_the_token_erases_nothing(browser, signed_in):
    account = signed_in()
    browser.get("/me/data")

    response = browser.post("/me/data/delete", data={"password": account.password})

    assert response.status_code == 403
    assert browser.get("/api/v1/me", headers=account.headers).status_code == 200


# My profile ------------------------------------------------------------------------------------


def test_a_first_profile_is_saved_and_shows_the_region_of_the_country(browser, signed_in):
    account = signed_in(display_name="Akosua Mensah")
    page = page_of(browser.get("/me/profile?lang=fr"))
    form = page.find("main").find("form")
    assert form.find("input", name="given_name")["value"] == "Akosua"
    ghana = form.find("select", name="country").find("option", value="GH")
    assert ghana.text == "Ghana"
    assert form.find("select", name="country").find("option", value="DE").text == "Allemagne"

    family = surname()
    response = browser.post(
        "/me/profile",
        data={
            **_hidden(form),
            "given_name": "Akosua",
            "family_name": family,
            "organization": "Kumasi Metropolitan Assembly",
            "country": "GH",
            "stakeholder_group": "public_administration",
            "government_level": "municipal",
            "topics": ["circular_economy", "social_procurement"],
            "languages": ["en", "tw"],
            "visibility": "signed_in",
            "show_email": "true",
            "bio": "Procurement officer",
        },
        follow_redirects=False,
    )

    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/me/profile?saved=true"
    saved = page_of(browser.get(response.headers["location"]))
    assert saved.find("div", class_="done").text == "Votre profil est enregistré."
    assert saved.find("dd", id="region").text == "Afrique, Afrique subsaharienne"
    form = saved.find("main").find("form")
    assert form.find("input", name="family_name")["value"] == family
    assert "selected" in form.find("select", name="country").find("option", value="GH").attrs
    checked = {
        box["value"] for box in form.find_all("input", name="topics") if "checked" in box.attrs
    }
    assert checked == {"circular_economy", "social_procurement"}
    assert "checked" in form.find("input", name="show_email").attrs
    stored = browser.get("/api/v1/me/profile", headers=account.headers).json()
    assert stored["country"]["code"] == "GH"
    assert stored["region"]["code"] == "002"
    assert stored["visibility"]["value"] == "signed_in"
    assert [topic["key"] for topic in stored["topics"]] == [
        "circular_economy",
        "social_procurement",
    ]
    assert {language["code"] for language in stored["languages"]} == {"en", "tw"}
    assert stored["show_email"] is True


def test_a_profile_edit_keeps_what_the_form_does_not_show(browser, signed_in):
    account = signed_in()
    write_profile(browser, account, country="CO", visibility="forums", show_email=True)

    response = submit(browser, "/me/profile", country="", show_email="", bio="Bogotá")

    assert response.status_code == 303
    stored = browser.get("/api/v1/me/profile", headers=account.headers).json()
    assert stored["country"] is None and stored["region"] is None
    assert stored["visibility"]["value"] == "forums"
    assert stored["bio"] == "Bogotá"


def test_a_wrong_profile_is_shown_again_with_its_errors(browser, signed_in):
    account = signed_in()

    response = submit(browser, "/me/profile?lang=de", given_name="", family_name="Weber")

    assert response.status_code == 400
    page = page_of(response)
    assert page.find("div", class_="problem")
    assert page.find("input", name="given_name")["aria-invalid"] == "true"
    assert page.find("input", name="family_name")["value"] == "Weber"
    assert browser.get("/api/v1/me/profile", headers=account.headers).status_code == 404


def _hidden(form) -> dict[str, str]:
    return {
        element["name"]: element.get("value") or ""
        for element in form.find_all("input", type="hidden")
    }


# The directory ---------------------------------------------------------------------------------


def test_the_directory_filters_with_a_get_form_and_pages_by_name(browser, signed_in, make_account):
    signed_in()
    company = surname()
    for given, country in [("Ama", "GH"), ("Kofi", "GH"), ("Kwesi", "GH"), ("Lena", "DE")]:
        write_profile(
            browser,
            make_account(),
            given_name=given,
            organization=company,
            country=country,
            visibility="signed_in",
        )
    write_profile(browser, make_account(), organization=company, country="GH")  # hidden

    everyone = page_of(browser.get(f"/participants?q={company}&lang=es"))
    assert everyone.find("p", id="total").text == "4 participantes encontrados"
    form = everyone.find("form", role="search")
    assert form["method"] == "get"
    assert form.find("input", name="q")["value"] == company

    ghana = browser.get(f"/participants?q={company}&country=GH&region=&topic=&lang=en")
    page = page_of(ghana)
    assert page.find("p", id="total").text == "3 participants found"
    people = page.find("ul", class_="people").find_all("li")
    assert len(people) == 3
    assert all("Ghana" in person.text for person in people)
    assert {person.find("a").text.split()[0] for person in people} == {"Ama", "Kofi", "Kwesi"}
    assert "selected" in page.find("select", name="country").find("option", value="GH").attrs


def test_the_directory_pages_with_its_cursor(browser, signed_in, make_account):
    signed_in()
    company = surname()
    for given in ["Ama", "Kofi", "Kwesi"]:
        write_profile(
            browser, make_account(), given_name=given, organization=company, visibility="signed_in"
        )

    first = page_of(browser.get(f"/participants?q={company}&limit=2"))
    people = [li.find("a").text for li in first.find("ul", class_="people").find_all("li")]
    next_link = first.find("a", rel="next")["href"]
    second = page_of(browser.get(next_link))
    more = [li.find("a").text for li in second.find("ul", class_="people").find_all("li")]

    assert len(people) == 2 and len(more) == 1
    assert {name.split()[0] for name in people + more} == {"Ama", "Kofi", "Kwesi"}
    assert "limit=2" in next_link
    assert not second.has("a", rel="next")
    assert second.has("a", href=f"/participants?q={company}&limit=2")
    assert second.find("p", id="total").text == "3 participants found"


def test_an_unknown_filter_is_shown_on_the_form(browser, signed_in):
    signed_in()

    response = browser.get("/participants?region=999&stakeholder_group=pirates&lang=fr")

    assert response.status_code == 400
    page = page_of(response)
    assert page.find("div", class_="problem")
    assert page.find("form", role="search")


def test_a_participant_page_shows_what_the_profile_lets_others_see(
    browser, signed_in, make_account
):
    signed_in()
    visible, hidden = make_account(), make_account()
    write_profile(
        browser,
        visible,
        given_name="Camila",
        family_name="Ñuñoa",
        country="CL",
        topics=["social_procurement"],
        visibility="signed_in",
    )
    write_profile(browser, hidden)

    page = page_of(browser.get(f"/participants/{visible.id}?lang=es"))
    assert page.find("h1").text == "Camila Ñuñoa"
    assert "Chile" in page.find("dl").text
    assert "Latinoamérica" in page.find("dl").text
    assert browser.get(f"/participants/{hidden.id}").status_code == 404


# My data -----------------------------------------------------------------------------------------


def test_my_data_downloads_as_json_and_zip(browser, signed_in):
    account = signed_in(locale="de")
    write_profile(browser, account, given_name="Jonas", family_name="Weber")
    page = page_of(browser.get("/me/data?lang=de"))
    links = {a["href"] for a in page.find("main").find_all("a")}
    assert {"/me/data/export?format=zip", "/me/data/export?format=json"} <= links

    as_json = browser.get("/me/data/export?format=json")
    assert as_json.status_code == 200
    assert as_json.headers["content-type"].startswith("application/json")
    assert json.loads(as_json.content)["sections"]["profile"]["profile"]["family_name"] == "Weber"

    as_zip = browser.get("/me/data/export?format=zip")
    assert as_zip.headers["content-type"] == "application/zip"
    assert as_zip.headers["content-disposition"].startswith("attachment;")
    with zipfile.ZipFile(io.BytesIO(as_zip.content)) as archive:
        assert {"export.json", "README.txt"} <= set(archive.namelist())


def test_a_wrong_password_deletes_nothing(browser, signed_in):
    account = signed_in()

    response = submit(browser, "/me/data?lang=fr", password="not my password")

    assert response.status_code == 400
    page = page_of(response)
    assert page.find("input", name="password")["aria-invalid"] == "true"
    assert "mot de passe" in page.find("div", class_="problem").text
    assert browser.get("/api/v1/me", headers=account.headers).status_code == 200


def test_deleting_my_account_erases_it_and_signs_me_out(browser, signed_in):
    account = signed_in()
    write_profile(browser, account, visibility="signed_in")

    response = submit(browser, "/me/data", password=account.password, remove_posts="true")

    assert response.status_code == 303
    assert response.headers["location"] == "/me/data/deleted"
    assert f'{SESSION_COOKIE}=""' in response.headers["set-cookie"] or (
        f"{SESSION_COOKIE}=;" in response.headers["set-cookie"]
    )
    done = page_of(browser.get("/me/data/deleted?lang=es"))
    assert done.find("h1").text == "Su cuenta ha sido eliminada"
    assert browser.get("/api/v1/me", headers=account.headers).status_code == 401
    login = browser.post(
        "/api/v1/auth/login", json={"email": account.email, "password": account.password}
    )
    assert login.status_code in (400, 401)
    again = browser.get("/me/profile", follow_redirects=False)
    assert again.status_code == 303


def test_the_only_admin_of_an_institute_is_told_on_the_form(browser, signed_in, make_organization):
    institute = make_organization()
    account = signed_in(organizations={institute["id"]: "admin"})

    response = submit(browser, "/me/data?lang=de", password=account.password)

    assert response.status_code == 409
    assert page_of(response).find("div", class_="problem")
    assert browser.get("/api/v1/me", headers=account.headers).status_code == 200
