"""Regional statistics (JSON, CSV, SVG) and exports (CSV, XLSX) that keep every name intact."""

from __future__ import annotations

import csv
import io
import re
import uuid
from urllib.parse import unquote
from xml.etree import ElementTree

import openpyxl

from tests.registrations.conftest import register, set_registration_settings


def confirmed_interest(client, smtp_server, forum, country: str, **fields) -> None:
    email = f"stats-{uuid.uuid4().hex[:12]}@example.org"
    body = {
        "given_name": "Ana",
        "family_name": "Pérez",
        "email": email,
        "locale": "es",
        "country": country,
        **fields,
    }
    assert client.post(f"/api/v1/forums/{forum.slug}/interest", json=body).status_code == 202
    [mail] = smtp_server.wait_for(to=email)
    token = re.search(r"token=([^\s\"<&]+)", mail.get_body(("plain",)).get_content()).group(1)
    response = client.post(
        f"/api/v1/forums/{forum.slug}/interest/confirm", json={"token": unquote(token)}
    )
    assert response.status_code == 200, response.text


def test_rows_with_equal_figures_are_in_the_readers_alphabetical_order(
    mail_client, smtp_server, make_forum
) -> None:
    forum = make_forum(status="announced")
    confirmed_interest(mail_client, smtp_server, forum, "FR")
    confirmed_interest(mail_client, smtp_server, forum, "SN")
    url = f"/api/v1/forums/{forum.slug}/stats"

    spanish = mail_client.get(f"{url}?lang=es", headers=forum.admin.headers).json()
    english = mail_client.get(f"{url}?lang=en", headers=forum.admin.headers).json()

    # Code points would put "Europa" before "África"; Spanish readers look for it among the A's.
    assert [row["label"] for row in spanish["dimensions"][0]["rows"]] == ["África", "Europa"]
    assert [row["label"] for row in english["dimensions"][0]["rows"]] == ["Africa", "Europe"]


def test_stats_by_region_next_to_the_targets(
    mail_client, smtp_server, make_person, make_account, make_forum
) -> None:
    forum = make_forum(status="announced", capacity=2)
    confirmed_interest(mail_client, smtp_server, forum, "CO", stakeholder_group="civil_society")
    confirmed_interest(mail_client, smtp_server, forum, "BF", government_level="municipal")
    confirmed_interest(mail_client, smtp_server, forum, "SN")
    set_registration_settings(mail_client, forum, target_shares={"150": 40, "202": 30, "419": 30})
    mail_client.post(
        f"/api/v1/forums/{forum.slug}/status",
        json={"status": "registration_open"},
        headers=forum.admin.headers,
    )
    register(
        mail_client, forum, make_person(country="DE", stakeholder_group="public_administration")
    )
    register(mail_client, forum, make_person(country="GH", government_level="municipal"))
    register(mail_client, forum, make_account())  # no profile: "not stated"

    url = f"/api/v1/forums/{forum.slug}/stats"
    stats = mail_client.get(url, headers=forum.admin.headers).json()
    assert stats["interest_total"] == 3
    assert stats["registration_totals"]["confirmed"] == 2
    assert stats["registration_totals"]["waitlisted"] == 1
    by_dimension = {d["dimension"]: d for d in stats["dimensions"]}
    assert list(by_dimension) == [
        "region",
        "sub_region",
        "country",
        "stakeholder_group",
        "government_level",
    ]
    sub = {row["key"]: row for row in by_dimension["sub_region"]["rows"]}
    assert sub["202"]["interest"]["count"] == 2
    assert sub["202"]["registrations"]["confirmed"]["share"] == 0.5
    assert sub["202"]["target"]["share"] == 0.3
    assert sub["419"]["interest"]["share_text"] == "33.3%"
    assert sub["419"]["registrations"]["confirmed"]["count"] == 0
    assert sub[None]["label"] == "Not stated"
    assert sub[None]["registrations"]["waitlisted"]["count"] == 1
    region = {row["key"]: row for row in by_dimension["region"]["rows"]}
    assert region["150"]["target"]["count"] == 1  # 40 % of 2 seats
    levels = {row["key"]: row for row in by_dimension["government_level"]["rows"]}
    assert levels["municipal"]["interest"]["count"] == 1
    assert levels["municipal"]["registrations"]["confirmed"]["count"] == 1

    german = mail_client.get(f"{url}?format=csv&lang=de", headers=forum.admin.headers)
    assert german.headers["content-type"].startswith("text/csv")
    assert german.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(german.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Merkmal", "Code", "Name", "Interesse"]
    africa = next(row for row in rows if row[1] == "202")
    assert africa[0] == "Subregion"
    assert africa[2] == "Subsahara-Afrika"
    assert africa[4] == "66,7"
    assert africa[-1] == "30,0"
    english = mail_client.get(f"{url}?format=csv&lang=en", headers=forum.admin.headers)
    assert english.content.decode("utf-8-sig").splitlines()[0].startswith("Dimension,Code,")

    svg = mail_client.get(f"{url}?format=svg&lang=fr", headers=forum.admin.headers)
    assert svg.headers["content-type"].startswith("image/svg+xml")
    root = ElementTree.fromstring(svg.content)  # noqa: S314 (our own response)
    texts = [element.text for element in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "Places par région" in texts
    # The areas the targets name, sub-regions included, each with its target line; then the rest.
    labels = [text for text in texts if text and "%" not in text][3:]
    assert labels == ["Europe", "Afrique subsaharienne", "Amérique latine", "Autres régions"]
    assert len(list(root.iter("{http://www.w3.org/2000/svg}line"))) == 3
    balance = {row["key"]: row for row in stats["balance"]}
    assert list(balance) == ["150", "419", "202", None]  # by target, then by name
    assert balance["202"]["seats"]["count"] == 1
    assert balance["202"]["target"]["share"] == 0.3
    assert balance["202"]["gap_points"] == 20.0
    assert balance["202"]["interest"]["count"] == 2
    assert balance["419"]["interest"]["count"] == 1
    assert balance["419"]["gap_points"] == -30.0
    assert balance[None]["waitlisted"]["count"] == 1


def test_exports_keep_accents_and_non_latin_names(client, make_person, make_forum) -> None:
    forum = make_forum(status="registration_open", capacity=10)
    names = [
        ("Дмитрий", "Петров", "RU"),
        ("静", "陈", "CN"),
        ("Moussa", "Ouédraogo", "BF"),
        ("Camila", "Ñuñoa", "CL"),
    ]
    for given, family, country in names:
        person = make_person(given_name=given, family_name=family, country=country)
        register(
            client,
            forum,
            person,
            dietary_needs="=1+1 sans gluten",
            interpretation_languages=["en", "es"],
        )

    url = f"/api/v1/forums/{forum.slug}/registrations/export"
    workbook = client.get(f"{url}?format=xlsx&lang=fr", headers=forum.admin.headers)
    assert workbook.status_code == 200
    assert workbook.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:6] == [
        "Inscription",
        "Statut",
        "N° de badge",
        "Place sur la liste d’attente",
        "Prénom",
        "Nom de famille",
    ]
    given, family = header.index("Prénom"), header.index("Nom de famille")
    assert [(row[given], row[family]) for row in rows[1:]] == [
        (given_name, family_name) for given_name, family_name, _ in names
    ]
    assert rows[1][header.index("Statut")] == "Confirmée"
    assert rows[1][header.index("Besoins alimentaires")] == "'=1+1 sans gluten"
    assert rows[1][header.index("Pays")] == "Russie"
    # Interpretation wishes by the languages' names, in the reader's language.
    assert rows[1][header.index("Interprétation")] == "anglais, espagnol"

    table = client.get(f"{url}?format=csv&lang=es", headers=forum.admin.headers)
    text = table.content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[0][4:6] == ["Nombre", "Apellidos"]
    assert [line[4:6] for line in lines[1:]] == [[g, f] for g, f, _ in names]
    assert table.headers["content-disposition"] == (
        f'attachment; filename="{forum.slug}-inscripciones.csv"'
    )
    # A name with letters beyond ASCII: in UTF-8 for browsers, plain for older clients.
    french = client.get(f"/api/v1/forums/{forum.slug}/interest/export?format=csv&lang=fr",
                        headers=forum.admin.headers)  # fmt: skip
    assert french.headers["content-disposition"] == (
        f'attachment; filename="{forum.slug}-personnes-interessees.csv"; '
        f"filename*=UTF-8''{forum.slug}-personnes-int%C3%A9ress%C3%A9es.csv"
    )
