"""Visa letters, badges and certificates, read back: the PDFs' text, fonts and page sizes, and
their QR codes decoded; the passport details' access rules, export, erasure and retention."""

from __future__ import annotations

import io
import re
import uuid
from typing import Any

import pypdf
import zxingcpp
from PIL import Image

from mupass_forum.documents import rendering
from mupass_forum.documents.tables import IssuedDocument, VisaDetails
from tests.pages.conftest import submit
from tests.privacy.conftest import into_the_past, set_status
from tests.registrations.conftest import days_from_today, decide, mails_to, register
from tests.test_cli import run_cli

NAMES = ["Nguyễn Thị Minh Khai", "Ọláwùmí Adébáyọ̀", "Σοφία", "Дмитрий", "محمد"]
MM = 72 / 25.4
#: The documents' own fonts, embedded: nothing falls back to another font.
FONTS = {"Document-Sans", "Document-Sans-Bold"}

VISA = {
    "full_name": "Ọláwùmí Adébáyọ̀",
    "date_of_birth": "1985-04-12",
    "nationality": "NG",
    "passport_number": "A07654321",
    "passport_valid_until": "2032-01-31",
    "embassy": "German Embassy Abuja",
    "entry_date": "2030-10-27",
    "exit_date": "2030-10-31",
}


def read_pdf(content: bytes) -> pypdf.PdfReader:
    assert content.startswith(b"%PDF-")
    return pypdf.PdfReader(io.BytesIO(content))


def size_mm(page: pypdf.PageObject) -> tuple[int, int]:
    return round(float(page.mediabox.width) / MM), round(float(page.mediabox.height) / MM)


def embedded_fonts(reader: pypdf.PdfReader) -> set[str]:
    """The fonts the pages use, each checked to be embedded (a font file in the PDF)."""
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, font["/BaseFont"]
            names.add(str(font["/BaseFont"]).split("+", 1)[1])
    return names


def qr_codes(page: pypdf.PageObject) -> list[str]:
    found = []
    for image in page.images:
        found += [code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)))]
    return found


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_a_pdf_reads_back_with_every_name_its_fonts_page_size_and_qr_code(client) -> None:
    assert not rendering.uncovered("".join(NAMES))
    html = (
        "<html><body style=\"font-family: 'Document Sans'\">"
        + "".join(f"<p><bdi>{name}</bdi></p>" for name in NAMES)
        + f'<img src="{rendering.qr_data_uri("https://forum.example/documents/verify/X")}">'
        + "</body></html>"
    )
    reader = read_pdf(client.blocking_portal.call(rendering.render_pdf, html))
    [page] = reader.pages
    text = page.extract_text()
    for name in NAMES:
        assert name in text
    assert embedded_fonts(reader) <= FONTS
    assert size_mm(page) == (210, 297)
    assert qr_codes(page) == ["https://forum.example/documents/verify/X"]


def _open_forum(make_forum, **fields: Any):
    return make_forum(status="registration_open", capacity=10, **fields)


def _person(client, make_account, locale: str = "fr", **profile: Any):
    account = make_account(locale=locale, display_name="Participant")
    body = {
        "given_name": "Ọláwùmí",
        "family_name": "Adébáyọ̀ " + uuid.uuid4().hex[:6],
        "country": "NG",
        "organization": "Ville de Lagos",
        **profile,
    }
    response = client.put("/api/v1/me/profile", json=body, headers=account.headers)
    assert response.status_code == 200, response.text
    return account, f"{body['given_name']} {body['family_name']}"


def _letterhead(client, forum) -> None:
    response = client.put(
        f"/api/v1/forums/{forum.slug}/documents/letterhead",
        json={
            "institute": "Institut für Beschaffung",
            "address": "Friedrich-Ebert-Allee 40\n53113 Bonn",
            "signatory_name": "Dr. Anna Schmidt",
            "signatory_role": "Director",
            "letter_locale": "en",
            "covered_costs": ["travel", "accommodation"],
        },
        headers=forum.admin.headers,
    )
    assert response.status_code == 200, response.text


def test_a_visa_letter_is_issued_mailed_downloaded_verified_and_revoked(
    mail_client, smtp_server, make_account, make_forum
) -> None:
    client = mail_client
    forum = _open_forum(make_forum)
    _letterhead(client, forum)
    person, _ = _person(client, make_account)
    other, _ = _person(client, make_account)
    registration = register(client, forum, person, travel_support_requested=True)
    register(client, forum, other)
    base = f"/api/v1/forums/{forum.slug}"

    invalid = client.put(
        f"{base}/registrations/mine/visa",
        json={**VISA, "passport_valid_until": "2030-10-30"},
        headers=person.headers,
    )
    assert invalid.status_code == 400
    assert invalid.json()["errors"][0]["pointer"] == "/passport_valid_until"
    given = client.put(f"{base}/registrations/mine/visa", json=VISA, headers=person.headers)
    assert given.status_code == 200, given.text
    assert given.json()["nationality_name"] == "Nigeria"

    # The person and the organizers see the details; nobody else, and no export carries them.
    assert client.get(f"{base}/registrations/mine/visa", headers=other.headers).json() is None
    asked = client.get(f"{base}/documents/visa-requests", headers=forum.admin.headers)
    assert asked.status_code == 200, asked.text
    [item] = asked.json()["items"]
    assert item["details"]["passport_number"] == "A07654321"
    assert client.get(f"{base}/documents/visa-requests", headers=other.headers).status_code == 403
    export = client.get(f"{base}/registrations/export?format=csv", headers=forum.admin.headers)
    assert export.status_code == 200
    assert "A07654321" not in export.text and "Abuja" not in export.text
    mine = client.get("/api/v1/me/export", headers=person.headers)
    assert mine.json()["sections"]["documents"]["visa_details"][0]["passport_number"] == "A07654321"

    issued = client.post(f"{base}/documents/visa-letters", json={}, headers=forum.admin.headers)
    assert issued.status_code == 200, issued.text
    [letter] = issued.json()["items"]
    assert letter["registration_id"] == registration["id"]
    again = client.post(f"{base}/documents/visa-letters", json={}, headers=forum.admin.headers)
    assert again.json()["items"] == []

    [mail] = mails_to(smtp_server, person, 2)[1:]
    assert (
        mail["Subject"] == "Votre lettre d’invitation pour le visa en vue du forum « Test forum »"
    )
    assert "A07654321" not in mail.as_string()
    assert f"/forums/{forum.slug}/documents?lang=fr" in mail.get_body(("plain",)).get_content()

    pdf = client.get(f"/api/v1/documents/{letter['reference']}/pdf", headers=person.headers)
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    reader = read_pdf(pdf.content)
    assert len(reader.pages) == 2
    english, french = (flat(page.extract_text()) for page in reader.pages)
    assert "Letter of invitation" in english and "German Embassy Abuja" in english
    assert "Ọláwùmí Adébáyọ̀" in english and "A07654321" in english
    assert "international travel, accommodation" in english
    assert "Lettre d’invitation" in french
    assert letter["reference"] in english
    assert embedded_fonts(reader) <= FONTS
    assert {size_mm(page) for page in reader.pages} == {(210, 297)}
    verify_url = f"http://testserver.local/documents/verify/{letter['reference']}"
    assert qr_codes(reader.pages[0]) == [letter["verification_url"]]
    assert letter["verification_url"].endswith(verify_url.split("testserver.local")[1])
    assert (
        client.get(
            f"/api/v1/documents/{letter['reference']}/pdf", headers=other.headers
        ).status_code
        == 404
    )

    # A checker opens the QR code's link: a page saying it is genuine, and nothing more.
    page = client.get(f"/documents/verify/{letter['reference']}?lang=en")
    assert page.status_code == 200
    assert "Genuine" in page.text and "Ọláwùmí Adébáyọ̀" in page.text
    assert "A07654321" not in page.text and "Abuja" not in page.text
    assert client.get("/documents/verify/V-0000-0000-0000").status_code == 404

    revoked = client.post(
        f"/api/v1/documents/{letter['reference']}/revoke", headers=forum.admin.headers
    )
    assert revoked.status_code == 200, revoked.text
    assert "revoked" in client.get(f"/documents/verify/{letter['reference']}?lang=en").text
    gone = client.get(f"/api/v1/documents/{letter['reference']}/pdf", headers=person.headers)
    assert gone.status_code == 410


def test_badges_carry_the_consent_marker_and_reprint_when_it_changes(
    client, make_account, make_forum
) -> None:
    forum = _open_forum(make_forum)
    green, green_name = _person(client, make_account, given_name="Σοφία")
    red, red_name = _person(client, make_account, given_name="محمد")
    register(client, forum, green, consent=[{"decision": "granted"}])
    register(client, forum, red)
    base = f"/api/v1/forums/{forum.slug}/documents"

    sheet = client.post(f"{base}/badges", json={"layout": "a4"}, headers=forum.admin.headers)
    assert sheet.status_code == 200, sheet.text
    reader = read_pdf(sheet.content)
    [page] = reader.pages
    assert size_mm(page) == (210, 297)
    text = flat(page.extract_text())
    # Mixed directions come out of the PDF in visual runs: each word is there.
    for word in (*green_name.split(), *red_name.split(), "Ville de Lagos", "Nigeria"):
        assert word in text
    assert "PHOTOS WELCOME" in text and "NO PHOTOS" in text
    codes = sorted(qr_codes(page))
    assert len(codes) == 2
    assert all(re.search(rf"/desk/forums/{forum.slug}/door\?q=[12]$", c) for c in codes)
    assert embedded_fonts(reader) <= FONTS
    assert client.get(f"{base}/badges/changed", headers=forum.admin.headers).json()["items"] == []

    # Consent changes: the badge is to be printed again, alone, as A6.
    withdrawn = client.post(
        f"/api/v1/forums/{forum.slug}/consent",
        json={"choices": [{"decision": "refused"}]},
        headers=green.headers,
    )
    assert withdrawn.status_code == 200, withdrawn.text
    [changed] = client.get(f"{base}/badges/changed", headers=forum.admin.headers).json()["items"]
    assert changed["name"] == green_name and changed["marker"]["value"] == "red"
    single = client.post(
        f"{base}/badges", json={"layout": "a6", "which": "changed"}, headers=forum.admin.headers
    )
    [badge] = read_pdf(single.content).pages
    assert size_mm(badge) == (105, 148)
    assert green_name in flat(badge.extract_text()) and "NO PHOTOS" in badge.extract_text()
    assert client.get(f"{base}/badges/changed", headers=forum.admin.headers).json()["items"] == []
    assert client.post(f"{base}/badges", json={}, headers=green.headers).status_code == 403


def test_certificates_for_those_checked_in_in_their_language_and_english(
    client, make_account, make_forum
) -> None:
    # Check-in opens the day before the forum.
    forum = _open_forum(make_forum, starts_at=days_from_today(1), ends_at=days_from_today(2))
    came, came_name = _person(client, make_account, locale="es")
    absent, _ = _person(client, make_account)
    registration = register(client, forum, came)
    register(client, forum, absent)
    decide(client, forum, registration["id"], "check_in")
    base = f"/api/v1/forums/{forum.slug}/documents"

    issued = client.post(f"{base}/certificates", json={}, headers=forum.admin.headers)
    assert issued.status_code == 200, issued.text
    [certificate] = issued.json()["items"]
    assert certificate["holder_name"] == came_name
    mine = client.get(f"{base}/mine", headers=absent.headers).json()["items"]
    assert mine == []

    pdf = client.get(f"/api/v1/documents/{certificate['reference']}/pdf", headers=came.headers)
    reader = read_pdf(pdf.content)
    spanish, english = (flat(page.extract_text()) for page in reader.pages)
    assert "Certificado de asistencia" in spanish and came_name in spanish
    assert "Certificate of attendance" in english
    assert qr_codes(reader.pages[0]) == [certificate["verification_url"]]
    verified = client.get(f"/api/v1/documents/{certificate['reference']}/verification")
    assert verified.json()["valid"] is True and verified.json()["holder_name"] == came_name


def test_the_desk_page_issues_letters_and_the_person_finds_them(
    browser, make_account, make_forum
) -> None:
    forum = _open_forum(make_forum)
    person, _ = _person(browser, make_account, locale="en")
    register(browser, forum, person)
    response = browser.put(
        f"/api/v1/forums/{forum.slug}/registrations/mine/visa", json=VISA, headers=person.headers
    )
    assert response.status_code == 200

    submit(browser, "/account/sign-in", email=forum.admin.email, password=forum.admin.password)
    desk = f"/desk/forums/{forum.slug}/documents"
    page = browser.get(desk)
    assert page.status_code == 200 and "A07654321" in page.text
    issued = submit(browser, desk)
    assert issued.status_code == 303
    assert re.search(r"/documents/(V-[0-9A-Z-]+)/pdf", browser.get(desk).text)

    browser.cookies.clear()
    submit(browser, "/account/sign-in", email=person.email, password=person.password)
    mine = browser.get(f"/forums/{forum.slug}/documents")
    assert mine.status_code == 200
    reference = re.search(r"/documents/(V-[0-9A-Z-]+)/pdf", mine.text)
    assert reference
    assert browser.get(f"/documents/{reference.group(1)}/pdf").status_code == 200


async def _visa_rows(forum_id: int) -> tuple[list[Any], list[Any]]:
    details = await VisaDetails.raw(
        "SELECT v.id FROM document_visa_details v JOIN registration r ON r.id = v.registration "
        "WHERE r.forum = {}",
        forum_id,
    )
    letters = await IssuedDocument.raw(
        "SELECT d.holder_name FROM document_issued d JOIN registration r "
        "ON r.id = d.registration WHERE r.forum = {}",
        forum_id,
    )
    return details, letters


def test_retention_removes_passport_details_of_past_forums(
    client, migrated, make_account, make_forum
) -> None:
    # Registration closes with a forum's end: the forum is made ahead, then moved back.
    forum = make_forum(status="registration_open", capacity=5)
    person, _ = _person(client, make_account)
    register(client, forum, person)
    base = f"/api/v1/forums/{forum.slug}"
    assert client.put(
        f"{base}/registrations/mine/visa", json=VISA, headers=person.headers
    ).is_success
    issued = client.post(f"{base}/documents/visa-letters", json={}, headers=forum.admin.headers)
    [letter] = issued.json()["items"]
    into_the_past(client, forum)
    set_status(client, forum, "registration_closed", "held")
    assert client.blocking_portal.call(_visa_rows, forum.id)[0]

    env = {"MUPASS_DATABASE_URL": migrated.resolved_database_url, "MUPASS_MAIL_RELAY": "off"}
    run = run_cli("retention", "run", env=env)
    assert run.returncode == 0, run.stderr
    assert "passport details for visa letters: removed 1" in run.stdout
    details, letters = client.blocking_portal.call(_visa_rows, forum.id)
    assert details == [] and [row["holder_name"] for row in letters] == [""]
    verified = client.get(f"/api/v1/documents/{letter['reference']}/verification").json()
    assert verified["holder_name"] == ""
    gone = client.get(f"/api/v1/documents/{letter['reference']}/pdf", headers=person.headers)
    assert gone.status_code == 410


def test_erasure_removes_passport_details_and_documents(client, make_account, make_forum):
    forum = _open_forum(make_forum)
    person, _ = _person(client, make_account)
    register(client, forum, person)
    base = f"/api/v1/forums/{forum.slug}"
    client.put(f"{base}/registrations/mine/visa", json=VISA, headers=person.headers)
    client.post(f"{base}/documents/visa-letters", json={}, headers=forum.admin.headers)
    erased = client.request(
        "DELETE", "/api/v1/me", json={"password": person.password}, headers=person.headers
    )
    assert erased.status_code in (200, 204), erased.text
    details, letters = client.blocking_portal.call(_visa_rows, forum.id)
    assert details == [] and letters == []
