"""PDF from the pages' templates: WeasyPrint lays out HTML and CSS, Pango and HarfBuzz shape
every script (Arabic joined right to left, Vietnamese and Yoruba marks stacked), fonts come
from ``MUPASS_DOCUMENT_FONTS_DIR`` and are embedded (only the glyphs used); QR codes by segno.

Rendering is CPU work of tens to hundreds of milliseconds: ``render_pdf`` runs in a thread, so
that pages and the API keep answering while documents are made. Nothing is fetched from
anywhere but the fonts' folder and ``data:`` addresses.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import segno
from fontTools.ttLib import TTFont
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from mupass_forum.app_context import current
from mupass_forum.pages import template_environment

#: The family the documents' style sheets name; these files of the fonts' folder make it.
FONT_FAMILY = "Document Sans"
FONT_FILES = {"normal": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}
#: What provides them on Debian (the README and ``.ci/run`` name it).
FONT_PACKAGE = "fonts-dejavu-core"


class FontsMissing(RuntimeError):
    """The documents' fonts are not where the settings say."""


def check_fonts(fonts_dir: str | Path) -> Path:
    """The fonts' folder, if both files are in it; else one line saying what to install."""
    folder = Path(fonts_dir)
    missing = [name for name in FONT_FILES.values() if not (folder / name).is_file()]
    if missing:
        raise FontsMissing(
            f"the fonts of documents are missing ({', '.join(missing)} in {folder}): install "
            f"Debian's {FONT_PACKAGE} or set MUPASS_DOCUMENT_FONTS_DIR"
        )
    return folder


def fonts_dir() -> Path:
    """The app's fonts of documents (``MUPASS_DOCUMENT_FONTS_DIR``), checked on use."""
    return check_fonts(current().settings.document_fonts_dir)


@functools.cache
def _covered(path: Path) -> frozenset[int]:
    with TTFont(path) as font:
        return frozenset(font.getBestCmap())


def uncovered(text: str) -> set[str]:
    """The characters of ``text`` that the documents' fonts have no glyph for."""
    covered = _covered(fonts_dir() / FONT_FILES["normal"])
    return {char for char in text if not char.isspace() and ord(char) not in covered}


def _font_faces(folder: Path) -> str:
    return "\n".join(
        f"@font-face {{ font-family: '{FONT_FAMILY}'; font-weight: {weight}; "
        f"src: url('{(folder / name).as_uri()}'); }}"
        for weight, name in FONT_FILES.items()
    )


def qr_data_uri(content: str) -> str:
    """A QR code of ``content`` as a PNG ``data:`` address, sharp at any print size."""
    # Error correction level M survives a scuffed badge; a PNG (not SVG) keeps the code a
    # bitmap that readers (and the tests) find as an image in the PDF.
    return str(segno.make(content, error="m").png_data_uri(scale=4, border=2))


def render_html(template: str, context: Mapping[str, Any]) -> str:
    """A template of ``templates/`` in the current locale (as pages are rendered)."""
    return template_environment().get_template(template).render(**context)


class _LocalFetcher(URLFetcher):  # type: ignore[misc]
    """``data:`` addresses and the fonts' files; nothing from the network."""

    def __init__(self, folder: Path) -> None:
        super().__init__(allowed_protocols=("data", "file"))
        self._folder = folder.as_uri() + "/"

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url.startswith("file:") and not url.startswith(self._folder):
            raise ValueError(f"documents load no file outside the fonts' folder: {url}")
        return super().fetch(url, headers)


def _write_pdf(html: str, folder: Path) -> bytes:
    font_config = FontConfiguration()
    fetcher = _LocalFetcher(folder)
    faces = CSS(string=_font_faces(folder), font_config=font_config, url_fetcher=fetcher)
    document = HTML(string=html, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(stylesheets=[faces], font_config=font_config)
    return pdf


async def render_pdf(html: str) -> bytes:
    """``html`` as a PDF, laid out in a thread of its own."""
    return await asyncio.to_thread(_write_pdf, html, fonts_dir())
