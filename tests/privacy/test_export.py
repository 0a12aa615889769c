"""The export: every table with personal data is in it, as JSON or as a ZIP with a README."""

from __future__ import annotations

import io
import json
import zipfile

from mupass_forum.privacy import registry
from tests.privacy.conftest import all_tables


def test_every_table_is_exported_or_declared_free_of_personal_data(client) -> None:
    uncovered = registry.uncovered(all_tables())
    assert uncovered == [], (
        "tables neither exported and erased by a registered PersonalData nor declared "
        f"NoPersonalData: {[table._meta.tablename for table in uncovered]}"
    )
    for table, reason in registry.exemptions().items():
        assert reason.strip(), table


def test_the_export_holds_a_row_of_every_table_the_person_touched(
    client, make_everyone_knows
) -> None:
    person = make_everyone_knows()
    response = client.get("/api/v1/me/export", headers=person.account.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-store"
    document = response.json()
    assert document["account_id"] == person.account.id
    sections = document["sections"]
    missing = [
        f"{holder.section}.{key} ({table._meta.tablename})"
        for holder in registry.holders()
        for table, key in holder.tables.items()
        if not sections[holder.section][key]
    ]
    assert missing == []

    account = sections["account"]["account"]
    assert account["email"] == person.account.email
    # Instants are ISO 8601 with their offset.
    assert account["created_at"].endswith(("Z", "+00:00"))
    assert sections["profile"]["profile"]["family_name"] == person.family_name
    assert sections["profile"]["topics"] == ["legal_framework"]
    [past] = [
        r for r in sections["registrations"]["registrations"] if r["forum"] == person.past.slug
    ]
    assert past["dietary_needs"] == f"vegetarian ({person.family_name})"
    assert sections["registrations"]["interest"][0]["family_name"] == person.family_name
    notices = sections["consent"]["notices"]
    assert notices and all(notice["text"] and notice["language"] for notice in notices)
    assert {event["forum_slug"] for event in sections["consent"]["events"]} == {person.past.slug}
    mails = sections["mail"]["mails"]
    assert {"accounts.password_reset", "registrations.interest_confirmation"} <= {
        mail["template"] for mail in mails
    }
    assert all("text" not in mail and "html" not in mail for mail in mails)
    [appearance] = sections["forums"]["programme_appearances"]
    assert appearance["as_speaker"][0]["user_id"] == person.account.id
    # Nobody else's secrets: token hashes and password hashes stay out.
    assert "password_hash" not in json.dumps(document)
    assert "token_hash" not in json.dumps(document)


def test_the_zip_carries_the_json_and_a_readme_in_the_readers_language(
    client, make_account
) -> None:
    account = make_account(locale="de")
    response = client.get("/api/v1/me/export?format=zip", headers=account.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert "attachment" in response.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["README.txt", "export.json"]
    document = json.loads(archive.read("export.json"))
    assert document["sections"]["account"]["account"]["email"] == account.email
    readme = archive.read("README.txt").decode("utf-8")
    assert readme.startswith("Ihre personenbezogenen Daten")
    for holder in registry.holders():
        assert f"- {holder.section}: " in readme

    by_accept = client.get(
        "/api/v1/me/export?lang=fr", headers={**account.headers, "Accept": "application/zip"}
    )
    assert by_accept.headers["content-type"] == "application/zip"
    readme = zipfile.ZipFile(io.BytesIO(by_accept.content)).read("README.txt").decode()
    assert readme.startswith("Vos données personnelles")


def test_the_export_needs_a_signed_in_caller(client) -> None:
    response = client.get("/api/v1/me/export")
    assert response.status_code == 401
