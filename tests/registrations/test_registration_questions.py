"""A forum's registration questions: built-in ones switched on or off, its own questions with
their labels in four languages, answers checked, kept, exported, handed out and erased."""

from __future__ import annotations

import csv
import io
import uuid

import openpyxl

from tests.privacy.conftest import rows_naming
from tests.registrations.conftest import register, set_registration_settings

QUESTIONS = [
    {
        "key": "first_forum",
        "kind": "yes_no",
        "required": True,
        "label": {"en": "Is this your first forum?", "de": "Ist dies Ihr erstes Forum?"},
    },
    {
        "key": "tshirt",
        "kind": "choice",
        "label": {"en": "T-shirt size", "fr": "Taille du t-shirt"},
        "options": [
            {"key": "s", "label": {"en": "Small", "fr": "Petite"}},
            {"key": "l", "label": {"en": "Large", "fr": "Grande"}},
        ],
    },
    {"key": "city_role", "kind": "text", "label": {"es": "Su función en el municipio"}},
]


def with_questions(client, forum, **settings):
    return set_registration_settings(client, forum, questions=QUESTIONS, **settings)


def problems(response) -> dict[str, str]:
    return {error["pointer"]: error["code"] for error in response.json()["errors"]}


def test_settings_keep_the_questions_and_ask_everything_by_default(client, make_forum) -> None:
    forum = make_forum(status="registration_open", capacity=5)
    url = f"/api/v1/forums/{forum.slug}/registration-settings"
    before = client.get(url, headers=forum.admin.headers).json()
    assert set(before["built_in_questions"].values()) == {True}
    assert before["questions"] == []

    saved = with_questions(client, forum, built_in_questions={"dates": False, "visa_letter": False})
    assert saved["built_in_questions"]["dates"] is False
    assert saved["built_in_questions"]["dietary_needs"] is True
    shown = client.get(f"{url}?lang=fr", headers=forum.admin.headers).json()
    assert [q["key"] for q in shown["questions"]] == ["first_forum", "tshirt", "city_role"]
    first, tshirt, city = shown["questions"]
    # A language without the label falls back to the original one, and says so.
    assert (first["label"]["text"], first["label"]["is_fallback"]) == (
        "Is this your first forum?",
        True,
    )
    assert first["label_texts"] == QUESTIONS[0]["label"]
    assert first["kind"]["value"] == "yes_no" and first["required"] is True
    assert [o["label"]["text"] for o in tshirt["options"]] == ["Petite", "Grande"]
    assert city["label"]["text"] == "Su función en el municipio"

    # Switching one back on leaves the others as they were.
    again = set_registration_settings(client, forum, built_in_questions={"dates": True})
    assert again["built_in_questions"]["dates"] is True
    assert again["built_in_questions"]["visa_letter"] is False
    assert len(again["questions"]) == 3

    form = client.get(f"/api/v1/forums/{forum.slug}/registration-form").json()
    assert "visa_letter" not in form["built_in_questions"]
    assert "dietary_needs" in form["built_in_questions"]
    assert [q["key"] for q in form["questions"]] == ["first_forum", "tshirt", "city_role"]


def test_bad_questions_are_refused_with_codes_and_nothing_is_saved(
    client, make_account, make_forum
) -> None:
    forum = make_forum(status="registration_open", capacity=5)
    url = f"/api/v1/forums/{forum.slug}/registration-settings"
    bad = [
        {"key": "twice", "kind": "yes_no", "label": {"en": "One"}},
        {"key": "twice", "kind": "text", "label": {"pt": "Dois"}},
        {"key": "pick", "kind": "choice", "label": {"en": "Pick"}, "options": []},
        {
            "key": "flag",
            "kind": "yes_no",
            "label": {"en": "Flag"},
            "options": [{"key": "a", "label": {"en": "A"}}],
        },
        {"key": "blank", "kind": "text", "label": {"en": "  "}},
    ]
    response = client.put(
        f"{url}?lang=de",
        json={"questions": bad, "requires_approval": True},
        headers=forum.admin.headers,
    )
    assert response.status_code == 400
    assert problems(response) == {
        "/questions/1/key": "duplicate_key",
        "/questions/1/label/pt": "unsupported_locale",
        "/questions/2/options": "too_few_options",
        "/questions/3/options": "options_not_allowed",
        "/questions/4/label": "required",
    }
    assert response.headers["content-language"] == "de"
    bad_key = client.put(
        url,
        json={"questions": [{"key": "Not A Key", "kind": "text", "label": {"en": "x"}}]},
        headers=forum.admin.headers,
    )
    assert (bad_key.status_code, problems(bad_key)) == (400, {"/questions/0/key": "bad_format"})
    stored = client.get(url, headers=forum.admin.headers).json()
    assert (stored["questions"], stored["requires_approval"]) == ([], False)

    stranger = client.put(url, json={"questions": []}, headers=make_account().headers)
    assert stranger.status_code == 403


def test_the_form_asks_only_what_is_on_and_checks_the_answers(
    client, make_account, make_forum
) -> None:
    forum = make_forum(status="registration_open", capacity=5)
    with_questions(client, forum, built_in_questions={"visa_letter": False})
    person = make_account()
    url = f"/api/v1/forums/{forum.slug}/registrations"

    response = client.post(
        f"{url}?lang=fr",
        json={
            "needs_visa_letter": True,
            "answers": {"tshirt": "xl", "city_role": True, "nope": "x"},
        },
        headers=person.headers,
    )
    assert response.status_code == 400
    assert problems(response) == {
        "/needs_visa_letter": "question_not_asked",
        "/answers/tshirt": "unknown_option",
        "/answers/city_role": "invalid_answer",
        "/answers/nope": "unknown_question",
        "/answers/first_forum": "required",
    }
    assert response.headers["content-language"] == "fr"
    wrong_kind = client.post(url, json={"answers": {"first_forum": "yes"}}, headers=person.headers)
    assert problems(wrong_kind) == {"/answers/first_forum": "invalid_answer"}
    # Nothing was written by the refusals.
    assert client.get(f"{url}/mine", headers=person.headers).status_code == 404

    made = register(
        client,
        forum,
        person,
        needs_visa_letter=False,
        dietary_needs="vegan",
        answers={"first_forum": False, "tshirt": "l", "city_role": "  Buyer  "},
    )
    assert made["answers"] == {"first_forum": False, "tshirt": "l", "city_role": "Buyer"}
    assert made["dietary_needs"] == "vegan"

    mine = f"{url}/mine"
    changed = client.patch(
        mine,
        json={"answers": {"tshirt": None, "city_role": "Head of purchasing"}},
        headers=person.headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["answers"] == {"first_forum": False, "city_role": "Head of purchasing"}
    refused = client.patch(mine, json={"answers": {"first_forum": None}}, headers=person.headers)
    assert problems(refused) == {"/answers/first_forum": "required"}
    off = client.patch(mine, json={"needs_visa_letter": True}, headers=person.headers)
    assert problems(off) == {"/needs_visa_letter": "question_not_asked"}
    seen = client.get(f"{url}/{made['id']}", headers=forum.admin.headers).json()
    assert seen["answers"] == {"first_forum": False, "city_role": "Head of purchasing"}


def test_answers_in_the_export_in_the_readers_language(client, make_account, make_forum) -> None:
    forum = make_forum(status="registration_open", capacity=5)
    with_questions(client, forum)
    person = make_account()
    register(
        client,
        forum,
        person,
        answers={"first_forum": True, "tshirt": "s", "city_role": "=Buyer"},
    )
    url = f"/api/v1/forums/{forum.slug}/registrations/export"
    text = client.get(f"{url}?lang=fr", headers=forum.admin.headers).content.decode("utf-8-sig")
    rows = list(
        csv.reader(io.StringIO(text), delimiter=";" if ";" in text.splitlines()[0] else ",")
    )
    header, row = rows[0], rows[1]
    answers = dict(zip(header, row, strict=True))
    assert answers["Is this your first forum?"] == "oui"
    assert answers["Taille du t-shirt"] == "Petite"
    # A text a spreadsheet would run as a formula stays a text.
    assert answers["Su función en el municipio"] == "'=Buyer"

    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(f"{url}?format=xlsx&lang=en", headers=forum.admin.headers).content)
    )
    sheet = workbook.active
    cells = [[cell.value for cell in line] for line in sheet.iter_rows()]
    answers = dict(zip(cells[0], cells[1], strict=True))
    assert answers["T-shirt size"] == "Small"
    assert answers["Is this your first forum?"] == "yes"
    assert answers["Su función en el municipio"] == "'=Buyer"


def test_answers_are_the_persons_data_and_go_with_the_account(
    client, make_account, make_forum
) -> None:
    forum = make_forum(status="registration_open", capacity=5)
    with_questions(client, forum)
    person = make_account()
    trace = "Mk" + uuid.uuid4().hex[:12]
    register(client, forum, person, answers={"first_forum": True, "city_role": trace})
    exported = client.get("/api/v1/me/export", headers=person.headers).json()
    [mine] = exported["sections"]["registrations"]["registrations"]
    # Each answer with its question's wording, as the person reads it.
    assert mine["answers"] == [
        {
            "key": "first_forum",
            "question": "Is this your first forum?",
            "answer": "yes",
            "value": True,
        },
        {
            "key": "city_role",
            "question": "Su función en el municipio",
            "answer": trace,
            "value": trace,
        },
    ]
    assert client.blocking_portal.call(rows_naming, (trace,))

    erased = client.request(
        "DELETE", "/api/v1/me", json={"password": person.password}, headers=person.headers
    )
    assert erased.status_code == 200, erased.text
    assert client.blocking_portal.call(rows_naming, (trace,)) == []
