"""Time to make 200 badges (one A4 sheet PDF with four per page, and one A6 PDF) and 200 visa
letters (each its own two-page PDF, one after the other), from the service's own templates,
catalogs and fonts, with names in many scripts. Needs no database; prints seconds and pages.

    .venv/bin/python benchmarks/documents.py [--count 200]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import time
from datetime import UTC, date, datetime

import pypdf

from mupass_forum import regions
from mupass_forum.app import build_context
from mupass_forum.app_context import bound
from mupass_forum.consent.schemas import Marker
from mupass_forum.documents import badges, letterheads, letters, rendering, schemas
from mupass_forum.documents import people as document_people
from mupass_forum.forums.terms import label_of
from mupass_forum.i18n import use_locale
from mupass_forum.i18n.text import TranslatableText
from mupass_forum.settings import Settings

NAMES = ["Nguyễn Thị Minh Khai", "Ọláwùmí Adébáyọ̀", "Σοφία Παπαδοπούλου", "Дмитрий Иванов", "محمد"]
LOCALES = ["fr", "es", "de", "en"]


def person(number: int) -> document_people.Person:
    return document_people.Person(
        registration_id=number,
        user_id=number,
        status="confirmed",
        badge_number=number,
        travel_support=number % 2 == 0,
        needs_visa_letter=True,
        display_name=NAMES[number % len(NAMES)],
        email=f"p{number}@example.org",
        locale=LOCALES[number % len(LOCALES)],
        timezone="Europe/Berlin",
        name=f"{NAMES[number % len(NAMES)]} {number}",
        organization="Municipalidad de Cusco",
        country=["VN", "NG", "GR", "UA", "SN"][number % 5],
    )


FACTS = letterheads.ForumFacts(
    slug="mupass-2030",
    title=TranslatableText(
        texts={"en": "MUPASS Dialogue Forum 2030", "de": "MUPASS 2030"}, original="en"
    ),
    starts=date(2030, 10, 28),
    ends=date(2030, 10, 30),
    city="Bonn",
    venue="Gustav-Stresemann-Institut",
)
HEAD = {
    "institute": "Institut für nachhaltige Beschaffung",
    "address": "Friedrich-Ebert-Allee 40\n53113 Bonn",
    "signatory_name": "Dr. Anna Schmidt",
    "signatory_role": "Director",
    "letter_locale": "en",
    "covered_costs": '["travel", "accommodation"]',
    "logo": None,
    "logo_media_type": "",
}


def badge_html(count: int, layout: schemas.BadgeLayout) -> str:
    lines = []
    for number in range(1, count + 1):
        someone = person(number)
        marker = list(Marker)[number % 3]
        lines.append(
            badges._BadgeLine(
                badge=schemas.Badge(
                    registration_id=number,
                    badge_number=number,
                    name=someone.name,
                    organization=someone.organization,
                    country=someone.country,
                    marker=label_of(marker, {m: m.value for m in Marker}),
                    printed_at=None,
                ),
                marker=marker,
                fingerprint="",
                check_in_url=f"https://forum.example/desk/forums/mupass-2030/check-in?badge={number}",
            )
        )
    per_sheet = 4 if layout is schemas.BadgeLayout.A4 else 1
    return rendering.render_html(
        "documents/badges.html",
        {
            "layout": layout.value,
            "sheets": badges._sheets(lines, per_sheet),
            "forum_title": FACTS.title.best(),
            "dates": FACTS.dates(),
            "words": {marker.value: document_people.BADGE_WORDS[marker] for marker in Marker},
            "qr": rendering.qr_data_uri,
            "country_name": regions.name,
            "lang": "en",
        },
    )


async def letter(number: int) -> bytes:
    someone = person(number)
    visa = schemas.VisaDetails(
        registration_id=number,
        full_name=someone.name,
        date_of_birth=date(1985, 4, 12),
        nationality=someone.country or "NG",
        nationality_name="",
        passport_number=f"A{number:08d}",
        passport_valid_until=date(2033, 1, 31),
        embassy="German Embassy Abuja",
        entry_date=date(2030, 10, 27),
        exit_date=date(2030, 10, 31),
        updated_at=datetime.now(UTC),
    )
    row = {"reference": f"V-BENC-H000-{number:04d}", "issued_at": datetime.now(UTC)}
    html = await letters.visa_letter_html(row, FACTS, HEAD, someone, visa)
    return await rendering.render_pdf(html)


def pages(content: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(content)).pages)


async def main(count: int) -> None:
    settings = Settings.from_env()
    with bound(build_context(settings)), use_locale("en"):
        await rendering.render_pdf(badge_html(4, schemas.BadgeLayout.A4))  # warm up fonts
        for layout in schemas.BadgeLayout:
            started = time.perf_counter()
            content = await rendering.render_pdf(badge_html(count, layout))
            took = time.perf_counter() - started
            print(
                f"{count} badges ({layout.value}): {took:.2f} s, {pages(content)} pages, "
                f"{len(content) / 1024:.0f} KiB"
            )
        started = time.perf_counter()
        total_pages = total_bytes = 0
        for number in range(1, count + 1):
            content = await letter(number)
            total_pages += pages(content)
            total_bytes += len(content)
        took = time.perf_counter() - started
        print(
            f"{count} visa letters (one PDF each): {took:.2f} s ({took / count * 1000:.0f} ms "
            f"a letter), {total_pages} pages, {total_bytes / count / 1024:.0f} KiB a letter"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200)
    asyncio.run(main(parser.parse_args().count))
