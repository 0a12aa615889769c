"""An organizer edits a forum's texts in a real browser: the languages side by side on a wide
screen, one under the other on a phone, a missing one marked until it is written."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.journey import announced_forum, fill, new_address, sign_in, submit
from tests.smoke.conftest import run_command
from tests.smoke.conftest import sign_in as api_sign_in
from tests.smoke.conftest import sign_up as api_sign_up


def missing(browser, field: str) -> list[str]:
    label = browser.find_element(By.CSS_SELECTOR, f"label[for='{field}']")
    return [tag.text for tag in label.find_elements(By.CSS_SELECTOR, ".missing")]


def test_a_forums_texts_sit_side_by_side_and_stack_on_a_phone(start_server, smtp, open_browser):
    server = start_server()
    email = new_address("organizer")
    password = api_sign_up(server.url, smtp, email)
    assert run_command("create-admin", email, env=server.env).returncode == 0
    slug = announced_forum(server, api_sign_in(server.url, email, password))
    edit = f"/desk/forums/{slug}/edit"

    wide = open_browser("wide", size=DESKTOP)
    sign_in(wide, server.url, email=email, password=password, next_path=edit)
    boxes = {
        locale: wide.find_element(By.ID, f"title_{locale}").rect for locale in ("de", "en", "fr")
    }
    assert boxes["de"]["y"] == boxes["en"]["y"]
    assert boxes["en"]["x"] > boxes["de"]["x"]
    # The account reads French: the tags are in French; the title has en and fr only.
    assert missing(wide, "title_de") == ["manquant"]
    assert missing(wide, "title_fr") == []

    phone = open_browser("phone", size=PHONE)
    sign_in(phone, server.url, email=email, password=password, next_path=edit)
    stacked = [phone.find_element(By.ID, f"title_{locale}").rect for locale in ("de", "en", "fr")]
    assert [box["x"] for box in stacked] == [stacked[0]["x"]] * 3
    assert stacked[0]["y"] < stacked[1]["y"] < stacked[2]["y"]
    width = phone.execute_script("return document.documentElement.clientWidth")
    assert phone.execute_script("return document.documentElement.scrollWidth") <= width

    fill(phone, title_de="MUPASS Dialogforum 2030")
    submit(phone, edit)

    assert phone.find_element(By.CSS_SELECTOR, "p.saved").is_displayed()
    assert missing(phone, "title_de") == []
    assert missing(phone, "title_es") == ["manquant"]
