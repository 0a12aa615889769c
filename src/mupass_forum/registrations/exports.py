"""Registrations as CSV and XLSX for organizers, with every name as it was written.

CSV is UTF-8 with a byte order mark and the reader's list separator (see ``stats``); XLSX
(openpyxl) keeps text as text and dates as dates, so nothing depends on an import dialog.
Fields that a spreadsheet would run as formulas are neutralized in both.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from litestar import Response
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from mupass_forum.accounts.principal import Principal
from mupass_forum.downloads import content_disposition, file_name
from mupass_forum.i18n import N_, current_timezone, gettext, language_name
from mupass_forum.registrations import desk_settings, lists, queries, schemas
from mupass_forum.registrations.questions import answer_text
from mupass_forum.spreadsheets import csv_bytes

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


COLUMNS = (
    N_("Registration"),
    N_("Status"),
    N_("Badge number"),
    N_("Place on the waiting list"),
    N_("Given name"),
    N_("Family name"),
    N_("Display name"),
    N_("Email"),
    N_("Organization"),
    N_("Country"),
    N_("Region"),
    N_("Arrival"),
    N_("Departure"),
    N_("Dietary needs"),
    N_("Accessibility needs"),
    N_("Visa invitation letter"),
    N_("Travel support"),
    N_("Interpretation"),
    N_("Registered at"),
)


def yes_no(value: bool) -> str:
    return gettext(N_("yes")) if value else gettext(N_("no"))


def _answers(item: schemas.Registration, questions: Sequence[schemas.Question]) -> list[str]:
    return [
        answer_text(question, item.answers[question.key]) if question.key in item.answers else ""
        for question in questions
    ]


def _cells(item: schemas.Registration) -> list[Any]:
    person = item.person
    return [
        item.id,
        item.status.label,
        item.badge_number,
        item.position,
        person.given_name,
        person.family_name,
        person.display_name,
        person.email,
        person.organization,
        person.country_name or "",
        person.region_name or "",
        item.arrival_date,
        item.departure_date,
        item.dietary_needs,
        item.accessibility_needs,
        yes_no(item.needs_visa_letter),
        yes_no(item.travel_support_requested),
        ", ".join(language_name(code) for code in item.interpretation_languages),
        item.created_at,
    ]


def export(
    items: Sequence[schemas.Registration],
    form: ExportFormat,
    questions: Sequence[schemas.Question] = (),
) -> tuple[bytes, str]:
    """The registrations as a file, and its media type; the answers to the forum's own
    ``questions`` follow the built-in columns, one column per question."""
    header = [gettext(column) for column in COLUMNS] + [q.label.text for q in questions]
    rows = [_cells(item) + _answers(item, questions) for item in items]
    return table_file(header, rows, form)


def download(file: tuple[bytes, str], name: str) -> Response[bytes]:
    """A file (its bytes and media type) as a download called ``name``."""
    body, media_type = file
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": content_disposition(name)},
    )


async def registrations_download(
    principal: Principal, slug: str, given: queries.RegistrationFilter, form: ExportFormat
) -> Response[bytes]:
    """The registrations matching ``given`` as a download, for the API and the desk alike."""
    forum, registrations = await lists.all_registrations(principal, slug, given)
    asked = await desk_settings.registration_form(principal, slug)
    return download(
        export(registrations, form, asked.questions),
        # i18n: A file name (lower case, words joined by hyphens, no spaces).
        file_name(N_("{forum}-registrations"), form.value, forum=forum.slug),
    )


def table_file(
    header: list[str], rows: list[list[Any]], form: ExportFormat, sheet: str = N_("Registrations")
) -> tuple[bytes, str]:
    """A table with its header row as a file (``sheet`` names an XLSX file's only sheet, a
    text to translate), and its media type."""
    if form == ExportFormat.XLSX:
        return _xlsx(header, rows, sheet), XLSX_MEDIA_TYPE
    return csv_bytes([header, *[[_plain(value) for value in row] for row in rows]]), (
        "text/csv; charset=utf-8"
    )


def _local(value: datetime) -> datetime:
    """Spreadsheets know no time zones: the time as the reader's clock showed it."""
    return value.astimezone(current_timezone()).replace(tzinfo=None)


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _local(value).isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _xlsx(header: list[str], rows: list[list[Any]], sheet_name: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = gettext(sheet_name)[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_xlsx_value(value) for value in row])
    sheet.freeze_panes = "A2"
    for index, name in enumerate(header, start=1):
        width = max([len(name), *(len(str(row[index - 1] or "")) for row in rows)])
        sheet.column_dimensions[get_column_letter(index)].width = min(50, width + 2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return _local(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
