"""CSV as spreadsheet programs in the reader's country open it, the same for every export."""

from __future__ import annotations

import csv
import io
from typing import Any

from babel import numbers

from mupass_forum.i18n.locale import babel_locale


def csv_delimiter() -> str:
    """``;`` where the reader's language writes decimal commas (spreadsheets expect it), else
    ``,``."""
    return ";" if numbers.get_decimal_symbol(babel_locale()) == "," else ","


def csv_bytes(rows: list[list[Any]]) -> bytes:
    """UTF-8 with a byte order mark; fields that a spreadsheet would run as formulas are
    quoted with a leading apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=csv_delimiter(), lineterminator="\r\n")
    for row in rows:
        writer.writerow([_inert(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _inert(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
