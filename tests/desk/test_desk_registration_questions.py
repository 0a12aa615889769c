"""The registration form's questions on the desk's registration settings: built-in ones
switched off, the forum's own ones added in four languages, changed, refused beside their
fields and removed."""

from __future__ import annotations

from tests.desk.conftest import sign_in
from tests.pages.html import form_fields, page_of


def settings_url(forum) -> str:
    return f"/desk/forums/{forum.slug}/registration-settings?lang=en"


def post(browser, url: str, fields: dict[str, str]):
    return browser.post(url, data=fields, follow_redirects=False)


def current(browser, url: str) -> tuple[dict[str, str], object]:
    page = page_of(browser.get(url))
    form = page.find("main").find("form")
    return form_fields(form), page


def api_settings(client, forum) -> dict:
    return client.get(
        f"/api/v1/forums/{forum.slug}/registration-settings", headers=forum.admin.headers
    ).json()


def test_questions_are_chosen_written_and_removed_on_the_desk(browser, client, make_forum):
    forum = make_forum(status="announced", capacity=50)
    sign_in(browser, forum.admin)
    url = settings_url(forum)
    fields, page = current(browser, url)
    # Everything is asked at first; one blank question to fill in.
    assert all(fields[f"ask_{key}"] == "on" for key in ("dates", "visa_letter", "interpretation"))
    assert page.find("fieldset", id="questions_0").find("legend").text == "New question"
    assert not page.has("fieldset", id="questions_1")
    # The label's four languages stand side by side.
    labels = page.find("fieldset", id="questions_0_label").find_all("input")
    assert sorted(element["lang"] for element in labels) == ["de", "en", "es", "fr"]

    del fields["ask_visa_letter"]
    fields.update(
        questions_0_kind="choice",
        questions_0_required="on",
        questions_0_label_en="T-shirt size",
        questions_0_label_fr="Taille du t-shirt",
        questions_0_options_0_label_en="Small",
        questions_0_options_0_label_de="Klein",
        questions_0_options_1_label_en="Large",
    )
    saved = post(browser, url, fields)
    assert saved.status_code == 303, saved.text
    settings = api_settings(client, forum)
    assert settings["built_in_questions"]["visa_letter"] is False
    assert settings["built_in_questions"]["dates"] is True
    [question] = settings["questions"]
    assert question["key"] == "t_shirt_size"
    assert question["kind"]["value"] == "choice" and question["required"] is True
    assert question["label_texts"] == {"en": "T-shirt size", "fr": "Taille du t-shirt"}
    assert [(o["key"], o["label_texts"]) for o in question["options"]] == [
        ("small", {"en": "Small", "de": "Klein"}),
        ("large", {"en": "Large"}),
    ]

    # Shown again: the stored question with its key fixed, and a new blank one.
    fields, page = current(browser, url)
    assert "ask_visa_letter" not in fields
    assert fields["questions_0_key"] == "t_shirt_size"
    assert page.find("input", name="questions_0_key")["type"] == "hidden"
    assert fields["questions_0_label_fr"] == "Taille du t-shirt"
    assert fields["questions_0_options_0_label_de"] == "Klein"
    assert page.find("fieldset", id="questions_1").find("legend").text == "New question"

    # A second question without options as a choice: refused beside it, nothing saved,
    # what was typed kept.
    fields.update(
        questions_1_kind="choice",
        questions_1_label_de="Erstes Forum?",
        questions_0_label_es="Talla de camiseta",
    )
    refused = post(browser, url, fields)
    assert refused.status_code == 400
    again = page_of(refused)
    assert (
        again.find("fieldset", id="questions_1").find("p", class_="error").text
        == "A choice needs at least 2 options."
    )
    assert again.find("input", name="questions_1_label_de")["value"] == "Erstes Forum?"
    assert api_settings(client, forum)["questions"][0]["label_texts"].get("es") is None

    # Made a yes/no question, the first option removed and another added, the Spanish label
    # added.
    fields = form_fields(again.find("main").find("form"))
    fields.update(
        questions_1_kind="yes_no",
        questions_0_options_0_remove="on",
        questions_0_options_2_label_en="Medium",
    )
    assert post(browser, url, fields).status_code == 303
    first, second = api_settings(client, forum)["questions"]
    assert first["label_texts"]["es"] == "Talla de camiseta"
    assert [o["key"] for o in first["options"]] == ["large", "medium"]
    assert (second["key"], second["kind"]["value"]) == ("erstes_forum", "yes_no")

    # Removing a question by its box. A yes/no question offers no options.
    fields, page = current(browser, url)
    assert not page.find("fieldset", id="questions_1").has("fieldset", class_="options")
    assert "questions_0_options_2_key" in fields and "questions_0_options_3_key" not in fields
    fields["questions_0_remove"] = "on"
    assert post(browser, url, fields).status_code == 303
    assert [q["key"] for q in api_settings(client, forum)["questions"]] == ["erstes_forum"]
