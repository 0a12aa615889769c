"""The translators' catalog tools: extract, update, init, compile and status.

Everything goes through Babel's Python API with the project's one extraction configuration
(``babel.cfg``, ``KEYWORDS``, ``COMMENT_TAGS``). The locales are the configured ones
(``Settings.locales``), so adding a language is a new catalog plus that setting. ``check``, the
release gate, is in ``catalog_checks``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from babel.core import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from mupass_forum.i18n.locale import CATALOG_DOMAIN
from mupass_forum.paths import checkout_around, checkout_dir, project_dir
from mupass_forum.settings import Settings
from mupass_forum.translations import plural_forms

#: The functions whose string arguments are messages, in GNU gettext's ``-k`` notation.
KEYWORDS = (
    "_",
    "gettext",
    "ngettext:1,2",
    "pgettext:1c,2",
    "npgettext:1c,2,3",
    "lazy_gettext",
    "N_",
    "NC_:1c,2",
    "NP_:1,2",
)
#: ``# i18n: ...`` comments above a message become notes for translators (``#.`` lines).
COMMENT_TAGS = ("i18n:",)
#: Which files are searched for messages, relative to the checkout.
MAPPING_FILE = "babel.cfg"
TEMPLATE_FILE = f"{CATALOG_DOMAIN}.pot"
PROJECT = "mupass-forum"
COPYRIGHT_HOLDER = "mupass-forum contributors"
TRANSLATORS_ADDRESS = "translations@mupass-forum.invalid"
#: Line width of written catalogs, as ``pybabel`` and ``msgmerge`` write them.
WIDTH = 76

Severity = Literal["error", "warning"]


class CatalogToolError(RuntimeError):
    """A catalog tool cannot do its work (no template, no source, unknown locale)."""


@dataclass(frozen=True, slots=True)
class CatalogFiles:
    """Where the template and the catalogs of the configured locales are, and the code."""

    locales_dir: Path
    locales: tuple[str, ...]
    #: The checkout holding ``babel.cfg`` and the code; ``None`` in an installed wheel.
    source_dir: Path | None
    #: False when the catalogs are the installed package's own (no checkout was found and
    #: none named): they can be read and checked, but not written.
    writable: bool = True

    @classmethod
    def configured(
        cls,
        settings: Settings,
        locales_dir: Path | None = None,
        source_dir: Path | None = None,
        working_dir: Path | None = None,
    ) -> CatalogFiles:
        """The catalogs named by ``locales_dir``, else by ``MUPASS_LOCALES_DIR``, else those of
        the checkout the tool runs in (found from ``working_dir``, default the current one,
        upwards): a translator's edits land in their own checkout, never in the copy of the
        package the tool happens to be installed from."""
        around = checkout_around(working_dir or Path.cwd())
        if source_dir is None and around is not None and (around / MAPPING_FILE).is_file():
            source_dir = around
        writable = True
        if locales_dir is None:
            if settings.locales_dir:
                locales_dir = Path(settings.locales_dir)
            elif around is not None:
                locales_dir = around / "locales"
            else:
                locales_dir = project_dir("locales")
                writable = False
        return cls(locales_dir, settings.locales, source_dir or checkout_dir(), writable)

    def require_writable(self) -> None:
        if not self.writable:
            raise CatalogToolError(
                f"no project checkout found from {Path.cwd()} (a folder with pyproject.toml and "
                "locales/): run this in the checkout whose catalogs you mean, or name them "
                "with --locales-dir"
            )

    @property
    def template_path(self) -> Path:
        return self.locales_dir / TEMPLATE_FILE

    def catalog_path(self, locale: str) -> Path:
        return self.locales_dir / locale / "LC_MESSAGES" / f"{CATALOG_DOMAIN}.po"

    def present_locales(self) -> list[str]:
        """Every locale with a catalog on disk, configured or not."""
        if not self.locales_dir.is_dir():
            return []
        return sorted(
            entry.name
            for entry in self.locales_dir.iterdir()
            if self.catalog_path(entry.name).is_file()
        )

    def require_source(self) -> Path:
        if self.source_dir is None or not (self.source_dir / MAPPING_FILE).is_file():
            raise CatalogToolError(
                f"no {MAPPING_FILE} found: run this in a checkout of the project "
                "or name one with --source-dir"
            )
        return self.source_dir


# --- reading and writing ----------------------------------------------------------------


def new_template() -> Catalog:
    return Catalog(
        project=PROJECT,
        copyright_holder=COPYRIGHT_HOLDER,
        msgid_bugs_address=TRANSLATORS_ADDRESS,
        charset="utf-8",
    )


def extract_messages(source_dir: Path) -> Catalog:
    """Every message of the code, in memory, as a template with the code's locations."""
    mapping_path = source_dir / MAPPING_FILE
    with mapping_path.open(encoding="utf-8") as mapping:
        method_map, options_map = parse_mapping_cfg(mapping, str(mapping_path))  # type: ignore[no-untyped-call]
    template = new_template()
    for filename, lineno, message, comments, context in extract_from_dir(
        str(source_dir),
        method_map,
        options_map,
        keywords=parse_keywords(KEYWORDS),
        comment_tags=COMMENT_TAGS,
    ):
        template.add(
            message,
            None,
            [(Path(filename).as_posix(), lineno)],
            auto_comments=comments,
            context=context,
        )
    return template


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as po_file:
        return read_po(po_file, locale=locale, domain=CATALOG_DOMAIN)


#: Babel writes its own version into every catalog it renders; a Babel upgrade would then
#: change every catalog although no text changed.
_GENERATED_BY = re.compile(rb'^"Generated-By: [^"]*"\n', re.MULTILINE)


def render_po(catalog: Catalog, **options: Any) -> bytes:
    """A catalog as PO text: locations name files, not lines, so that editing code around a
    text leaves the catalogs alone, and nothing depends on the installed Babel's version."""
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=WIDTH, include_lineno=False, **options)
    return _GENERATED_BY.sub(b"", buffer.getvalue())


def write_if_changed(path: Path, content: bytes) -> bool:
    """Write ``content`` unless the file holds it already; rendered first, so never half-written."""
    if path.is_file() and path.read_bytes() == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return True


def _note(comments: Sequence[str]) -> str:
    """A translator note as words: a long note is written wrapped over several lines."""
    return " ".join(" ".join(comments).split())


def _content(catalog: Catalog) -> list[tuple[Any, ...]]:
    """What a template says about its messages, without its dates or their order."""
    return sorted(
        (
            (
                m.id,
                m.context or "",
                sorted({filename for filename, _ in m.locations}),
                _note(m.auto_comments),
                sorted(m.flags),
            )
            for m in catalog
            if m.id
        ),
        key=repr,
    )


# --- the commands -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TemplateResult:
    path: Path
    messages: int
    changed: bool


def extract(files: CatalogFiles) -> TemplateResult:
    """Write the template from the code; left untouched (date included) when nothing changed."""
    extracted = extract_messages(files.require_source())
    path = files.template_path
    if path.is_file() and _content(read_catalog(path)) == _content(extracted):
        return TemplateResult(path, len(extracted), changed=False)
    write_if_changed(path, render_po(extracted, sort_by_file=True))
    return TemplateResult(path, len(extracted), changed=True)


@dataclass(frozen=True, slots=True)
class CatalogResult:
    locale: str
    path: Path
    #: ``created``, ``updated`` or ``unchanged``.
    outcome: str
    added: int = 0
    obsoleted: int = 0


def _read_template(files: CatalogFiles, locale: str | None = None) -> Catalog:
    if not files.template_path.is_file():
        raise CatalogToolError(
            f"{files.template_path} is missing; run `mupass-forum i18n extract` first"
        )
    return read_catalog(files.template_path, locale)


def init(files: CatalogFiles, locale: str) -> CatalogResult:
    """Create the catalog of a new language from the template, every entry untranslated."""
    try:
        parsed = Locale.parse(locale)
    except (UnknownLocaleError, ValueError) as exc:
        raise CatalogToolError(f"{locale!r} is no locale Babel knows (CLDR)") from exc
    path = files.catalog_path(locale)
    if path.exists():
        raise CatalogToolError(f"{path} exists already; `mupass-forum i18n update` updates it")
    try:
        header = plural_forms.header_for(locale)
    except plural_forms.PluralHeaderError as exc:
        raise CatalogToolError(str(exc)) from exc
    catalog = _read_template(files, locale)
    catalog.locale = parsed
    catalog.mime_headers = [
        *((name, value) for name, value in catalog.mime_headers if name != "Plural-Forms"),
        ("Plural-Forms", header),
    ]
    catalog.revision_date = dt.datetime.now(dt.UTC)
    catalog.fuzzy = False
    catalog.last_translator = f"{PROJECT} translators <{TRANSLATORS_ADDRESS}>"
    catalog.language_team = f"{locale} <{TRANSLATORS_ADDRESS}>"
    write_if_changed(path, render_po(catalog))
    return CatalogResult(locale, path, "created", added=len(catalog))


def update(files: CatalogFiles, *, drop_obsolete: bool = False) -> list[CatalogResult]:
    """Merge the template into every configured catalog, creating the missing ones.

    A message whose text changed in the code comes back fuzzy with its old translation and the
    previous English (``#| msgid``), so the translator sees what changed.
    """
    template = _read_template(files)
    results = []
    for locale in files.locales:
        path = files.catalog_path(locale)
        if not path.is_file():
            results.append(init(files, locale))
            continue
        catalog = read_catalog(path, locale)
        before = {m.id for m in catalog if m.id}
        catalog.update(template)
        content = render_po(catalog, include_previous=True, ignore_obsolete=drop_obsolete)
        changed = write_if_changed(path, content)
        results.append(
            CatalogResult(
                locale,
                path,
                "updated" if changed else "unchanged",
                added=sum(1 for m in catalog if m.id and m.id not in before),
                obsoleted=len(catalog.obsolete),
            )
        )
    return results


def compile_catalogs(files: CatalogFiles) -> list[tuple[str, Path, int]]:
    """Write a ``.mo`` file next to every configured catalog (fuzzy entries left out)."""
    written = []
    for locale in files.locales:
        path = files.catalog_path(locale)
        if not path.is_file():
            raise CatalogToolError(f"the catalog of {locale!r} is missing at {path}")
        catalog = read_catalog(path, locale)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        mo_path = path.with_suffix(".mo")
        write_if_changed(mo_path, buffer.getvalue())
        written.append((locale, mo_path, sum(1 for m in catalog if m.id and _done(m))))
    return written


# --- status -------------------------------------------------------------------------------


def message_forms(message: Message) -> list[str]:
    """The translation, as one string per plural form."""
    if isinstance(message.string, tuple | list):
        return list(message.string)
    return [message.string or ""]


def is_translated(message: Message, num_plurals: int | None = None) -> bool:
    """Every form has a translation (only the language's own forms count, when known)."""
    return all(message_forms(message)[:num_plurals])


def _done(message: Message) -> bool:
    return is_translated(message) and not message.fuzzy


@dataclass(frozen=True, slots=True)
class CatalogStatus:
    locale: str
    language: str
    path: Path
    translated: int
    fuzzy: int
    untranslated: int
    obsolete: int

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def percent(self) -> int:
        """Share of usable translations, rounded down so that 100 means complete."""
        return 100 * self.translated // self.total if self.total else 100

    def as_json(self) -> dict[str, Any]:
        return {
            "locale": self.locale,
            "language": self.language,
            "path": str(self.path),
            "translated": self.translated,
            "fuzzy": self.fuzzy,
            "untranslated": self.untranslated,
            "obsolete": self.obsolete,
            "total": self.total,
            "percent_translated": self.percent,
        }


def language_name(locale: str) -> str:
    try:
        return str(Locale.parse(locale).get_display_name("en"))
    except (UnknownLocaleError, ValueError):
        return locale


def status(files: CatalogFiles) -> list[CatalogStatus]:
    """Translated, fuzzy and untranslated entries of each configured catalog."""
    statuses = []
    for locale in files.locales:
        path = files.catalog_path(locale)
        if not path.is_file():
            raise CatalogToolError(
                f"the catalog of {locale!r} is missing at {path}; "
                f"`mupass-forum i18n init {locale}` creates it"
            )
        catalog = read_catalog(path, locale)
        messages = [m for m in catalog if m.id]
        fuzzy = sum(1 for m in messages if m.fuzzy and is_translated(m))
        translated = sum(1 for m in messages if _done(m))
        statuses.append(
            CatalogStatus(
                locale=locale,
                language=language_name(locale),
                path=path,
                translated=translated,
                fuzzy=fuzzy,
                untranslated=len(messages) - translated - fuzzy,
                obsolete=len(catalog.obsolete),
            )
        )
    return statuses


# --- terminal output ----------------------------------------------------------------------


def display_path(path: Path) -> str:
    """Relative to the working directory when inside it, as editors and terminals link it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def shorten(text: str, limit: int = 70) -> str:
    text = text.replace("\n", "\\n").replace('"', '\\"')
    return text if len(text) <= limit else text[: limit - 1] + "…"


def progress_bar(percent: int, width: int = 20, *, unicode: bool = True) -> str:
    full = percent * width // 100
    filled, empty = ("█", "░") if unicode else ("#", "-")
    return filled * full + empty * (width - full)
