"""The registration page asks what the forum's organizers chose, checks the answers beside
their questions and shows them with the registration."""

from __future__ import annotations

from tests.pages.conftest import submit
from tests.pages.html import definitions, page_of
from tests.pages.test_forum_pages import registration_url, sign_in
from tests.registrations.conftest import set_registration_settings
from tests.registrations.test_registration_questions import QUESTIONS


def register_form(browser, forum, lang: str = "en"):
    return page_of(browser.get(registration_url(forum, lang))).find(
        "section", aria_labelledby="register"
    )


def test_the_form_asks_only_what_is_on_and_keeps_the_answers(
    browser, make_forum, make_account
) -> None:
    forum = make_forum(status="registration_open", capacity=3)
    plain = register_form_of_new_person(browser, make_account, forum)
    # By default every built-in question is asked, and nothing else.
    for name in ("arrival_date", "dietary_needs", "accessibility_needs", "needs_visa_letter"):
        assert plain.has("input", name=name) or plain.has("textarea", name=name)
    assert not plain.has("fieldset", id="answer_first_forum")

    set_registration_settings(
        browser,
        forum,
        questions=QUESTIONS,
        built_in_questions={"dates": False, "visa_letter": False, "dietary_needs": False},
    )
    section = register_form(browser, forum, "fr")
    assert not section.has("input", name="arrival_date")
    assert not section.has("input", name="needs_visa_letter")
    assert not section.has("textarea", name="dietary_needs")
    assert section.has("textarea", name="accessibility_needs")
    shirt = section.find("fieldset", id="answer_tshirt")
    assert [label.text for label in shirt.find_all("label")] == ["Petite", "Grande"]
    first = section.find("fieldset", id="answer_first_forum")
    assert "Is this your first forum?" in first.find("legend").text
    assert "required" in first.find("input", value="yes").attrs
    city = section.find("input", name="answer_city_role")
    assert "required" not in city.attrs

    # The required question left out: said beside it, in the reader's language.
    refused = submit(
        browser, registration_url(forum, "fr"), form=section.find("form"), answer_tshirt="l"
    )
    assert refused.status_code == 400
    again = page_of(refused).find("section", aria_labelledby="register")
    assert again.find("fieldset", id="answer_first_forum").find("p", class_="error").text == (
        "Veuillez répondre à cette question."
    )
    # What was chosen stays chosen.
    assert "checked" in again.find("input", id="answer_tshirt-l").attrs

    sent = submit(
        browser,
        registration_url(forum, "fr"),
        form=again.find("form"),
        answer_first_forum="no",
        answer_tshirt="l",
        answer_city_role="Acheteuse",
    )
    assert sent.status_code == 303, sent.text
    mine = page_of(browser.get(registration_url(forum, "fr")))
    facts = definitions(mine.find("dl", class_="facts"))
    assert facts["Taille du t-shirt"] == "Grande"
    assert facts["Is this your first forum?"] == "non"
    assert facts["Su función en el municipio"] == "Acheteuse"


def register_form_of_new_person(browser, make_account, forum):
    browser.cookies.clear()
    sign_in(browser, make_account())
    return register_form(browser, forum)


def change_url(forum, lang: str = "en") -> str:
    return f"/forums/{forum.slug}/registration/change?lang={lang}"


def test_participants_change_their_details_and_answers_on_a_page(
    browser, client, make_forum, make_account
) -> None:
    forum = make_forum(status="registration_open", capacity=3)
    set_registration_settings(
        client,
        forum,
        questions=QUESTIONS,
        built_in_questions={"dates": False, "visa_letter": False, "dietary_needs": False},
    )
    browser.cookies.clear()
    account = make_account()
    sign_in(browser, account)
    section = register_form(browser, forum)
    sent = submit(
        browser,
        registration_url(forum),
        form=section.find("form"),
        answer_first_forum="yes",
        answer_tshirt="s",
        accessibility_needs="Step-free access",
    )
    assert sent.status_code == 303, sent.text
    mine = page_of(browser.get(registration_url(forum, "de")))
    link = mine.find("a", id="change")
    assert link["href"] == f"/forums/{forum.slug}/registration/change"
    assert link.text == "Meine Anmeldedaten ändern"

    page = page_of(browser.get(change_url(forum, "es")))
    form = page.find("form", id="change")
    # Only what the forum asks, filled in as it is.
    assert not form.has("input", name="arrival_date")
    assert not form.has("input", name="needs_visa_letter")
    assert not form.has("textarea", name="dietary_needs")
    assert form.find("textarea", name="accessibility_needs").text == "Step-free access"
    assert "checked" in form.find("input", id="answer_first_forum-yes").attrs
    assert "checked" in form.find("input", id="answer_tshirt-s").attrs

    # A required answer taken away: said beside its question, in the reader's language,
    # and nothing is changed.
    refused = submit(
        browser,
        change_url(forum, "es"),
        form=form,
        answer_first_forum="",
        answer_tshirt="l",
    )
    assert refused.status_code == 400
    again = page_of(refused).find("form", id="change")
    assert again.find("fieldset", id="answer_first_forum").find("p", class_="error").text == (
        "Por favor, responda a esta pregunta."
    )
    assert "checked" in again.find("input", id="answer_tshirt-l").attrs
    kept = client.get(f"/api/v1/forums/{forum.slug}/registrations/mine", headers=account.headers)
    assert kept.json()["answers"] == {"first_forum": True, "tshirt": "s"}

    changed = submit(
        browser,
        change_url(forum, "es"),
        form=again,
        answer_first_forum="no",
        answer_tshirt="",
        answer_city_role="Compradora",
        accessibility_needs="",
    )
    assert changed.status_code == 303, changed.text
    assert changed.headers["location"] == f"/forums/{forum.slug}/registration"
    now = client.get(
        f"/api/v1/forums/{forum.slug}/registrations/mine", headers=account.headers
    ).json()
    assert now["answers"] == {"first_forum": False, "city_role": "Compradora"}
    assert now["accessibility_needs"] == ""
    assert now["status"]["value"] == "confirmed"


def test_a_cancelled_registration_is_not_changed_on_the_page(
    browser, client, make_forum, make_account
) -> None:
    forum = make_forum(status="registration_open", capacity=3)
    browser.cookies.clear()
    account = make_account()
    sign_in(browser, account)
    assert (
        submit(
            browser, registration_url(forum), form=register_form(browser, forum).find("form")
        ).status_code
        == 303
    )
    assert page_of(browser.get(registration_url(forum))).has("a", id="change")
    cancel = page_of(browser.get(registration_url(forum))).find("section", aria_labelledby="cancel")
    assert submit(browser, registration_url(forum), form=cancel.find("form")).status_code == 303

    assert not page_of(browser.get(registration_url(forum))).has("a", id="change")
    refused = browser.get(change_url(forum, "fr"))
    assert refused.status_code == 409
    assert "ne peut plus être modifiée" in refused.text
