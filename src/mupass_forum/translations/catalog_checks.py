"""``check``, the release gate of the catalogs, and the kinds of problem it reports.

Besides what GNU ``msgfmt -c`` checks, it compares the catalogs with the code and with each
other, and checks what Babel leaves alone: ``{name}`` placeholders, HTML tags, and the number of
plural forms each language has in CLDR.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileParser

from mupass_forum.i18n.locale import CATALOG_DOMAIN
from mupass_forum.translations import glossary, plural_forms
from mupass_forum.translations.catalogs import (
    MAPPING_FILE,
    CatalogFiles,
    Severity,
    extract_messages,
    is_translated,
    language_name,
    message_forms,
    read_catalog,
)

# --- check --------------------------------------------------------------------------------

#: Every kind of problem ``check`` reports, as documented in the README.
PROBLEM_KINDS: dict[str, str] = {
    "missing-template": "the template locales/messages.pot does not exist",
    "missing-catalog": "a configured locale has no catalog",
    "syntax": "the catalog cannot be read as a PO file",
    "not-in-template": "a message in the code that the template lacks",
    "not-in-code": "a message in the template that the code no longer has",
    "missing": "a message of the template that the catalog lacks",
    "stale": "a message in the catalog that the template does not have (or has changed)",
    "untranslated": "an entry without translation",
    "fuzzy": "an entry marked fuzzy (not used until reviewed)",
    "placeholder": "{name} placeholders differ between the English and the translation",
    "percent-format": "%-style placeholders differ between the English and the translation",
    "plural-forms": (
        "the Plural-Forms header does not fit the language's CLDR plural rules, or an entry "
        "has another number of forms than the header says"
    ),
    "html-tags": "HTML tags differ between the English and the translation",
    "glossary": (
        "the English uses a term of locales/glossary/<locale>.csv and the translation does not "
        "use the glossary's word for it (or uses a word it says to avoid); a translator comment "
        "`# glossary-ok: <term>` accepts a justified exception"
    ),
    "obsolete": "(warning) an old entry kept as #~ for reference; never used",
    "unconfigured": "(warning) a catalog for a locale not in MUPASS_LOCALES; never used",
}


@dataclass(frozen=True, slots=True)
class Problem:
    path: Path
    line: int
    code: str
    text: str
    msgid: str = ""
    severity: Severity = "error"

    def as_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "line": self.line,
            "code": self.code,
            "message": self.text,
            "msgid": self.msgid,
            "severity": self.severity,
        }


@dataclass(slots=True)
class CheckReport:
    problems: list[Problem] = field(default_factory=list)
    catalogs: int = 0
    messages: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


class _LineKeepingParser(PoFileParser):
    """Babel's PO parser, keeping syntax problems and plural form counts with their lines.

    Babel prints syntax problems and drops plural forms beyond the header's count; the check
    needs both, with the line of the entry, to tell the translator where to look.
    """

    def __init__(self, catalog: Catalog) -> None:
        super().__init__(catalog, ignore_obsolete=False, abort_invalid=False)
        self.syntax_problems: list[tuple[int, str]] = []
        self.plural_form_counts: dict[int, int] = {}
        self._adding = False

    def _invalid_pofile(self, line: str, lineno: int, msg: str) -> None:
        # While an entry is being added the only complaint is about surplus plural forms,
        # which the plural check reports in its own words.
        if not self._adding:
            self.syntax_problems.append((lineno + 1, msg))

    def _add_message(self) -> None:
        if len(self.messages) > 1 and not self.obsolete:
            self.plural_form_counts[self.offset + 1] = len({i for i, _ in self.translations})
        self._adding = True
        try:
            super()._add_message()
        finally:
            self._adding = False


def _parse_for_check(path: Path, locale: str) -> tuple[Catalog, _LineKeepingParser]:
    catalog = Catalog(locale=locale, domain=CATALOG_DOMAIN)
    parser = _LineKeepingParser(catalog)
    with path.open("rb") as po_file:
        parser.parse(po_file)
    return catalog, parser


_FORMATTER = string.Formatter()


def brace_fields(text: str) -> Counter[str]:
    """The ``{name}`` fields of a ``str.format`` string (``{{`` is a literal brace)."""
    return Counter(f"{{{name}}}" for _, name, _, _ in _FORMATTER.parse(text) if name is not None)


_PERCENT = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?"  # %(name)s
    r"[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"  # flags, width, precision, length
    r"(?P<type>[diouxXeEfFgGcrsa%])"
)


def percent_fields(text: str) -> tuple[Counter[str], list[str]]:
    """Named ``%(name)s`` fields with their types, and positional ``%s`` types in order."""
    named: Counter[str] = Counter()
    positional = []
    for match in _PERCENT.finditer(text):
        kind = match["type"]
        if kind == "%":
            continue
        if match["name"] is not None:
            named[f"%({match['name']}){kind}"] += 1
        else:
            positional.append(f"%{kind}")
    return named, positional


_TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9-]*)")


def html_tags(text: str) -> Counter[str]:
    return Counter(f"<{slash}{name.lower()}>" for slash, name in _TAG.findall(text))


def _shown(counter: Counter[str] | Iterable[str]) -> str:
    names = sorted(counter.elements() if isinstance(counter, Counter) else counter)
    return ", ".join(names) if names else "none"


def _compare_fields(source: Counter[str], translated: Counter[str]) -> str | None:
    if source == translated:
        return None
    lacking = source - translated
    extra = translated - source
    parts = []
    if lacking:
        parts.append(f"lacks {_shown(lacking)}")
    if extra:
        parts.append(f"has {_shown(extra)}, which the English does not")
    return f"the translation {' and '.join(parts)}"


def _message_problems(message: Message, num_plurals: int) -> list[str]:
    """What is wrong in one translated entry, each as ``code: text``."""
    found = []
    sources = [message.id] if isinstance(message.id, str) else list(message.id)
    forms = message_forms(message)[:num_plurals]
    try:
        source_braces = Counter[str]()
        for source in sources:
            source_braces |= brace_fields(source)
    except ValueError:
        source_braces = None  # the English is no format string: nothing to compare
    for index, form in enumerate(forms):
        label = "" if len(forms) == 1 else f"msgstr[{index}]: "
        if source_braces is not None:
            try:
                form_braces = brace_fields(form)
            except ValueError as exc:
                found.append(f"placeholder: {label}the braces cannot be read ({exc})")
            else:
                if len(sources) == 1:
                    difference = _compare_fields(source_braces, form_braces)
                else:
                    # A plural form may leave out a placeholder ("one reply" for {n}), but
                    # must not bring one the code does not pass.
                    difference = _compare_fields(Counter(), +(form_braces - source_braces))
                if difference:
                    found.append(f"placeholder: {label}{difference}")
        if message.python_format:
            source_named, source_positional = percent_fields(sources[-1])
            for source in sources[:-1]:
                source_named |= percent_fields(source)[0]
            named, positional = percent_fields(form)
            if len(sources) > 1:
                named_differs = bool(+(named - source_named))
            else:
                named_differs = named != source_named
            if named_differs or positional != source_positional:
                found.append(
                    f"percent-format: {label}the translation has "
                    f"{_shown(list(named.elements()) + positional)} where the English has "
                    f"{_shown(list(source_named.elements()) + source_positional)}"
                )
        tags = _compare_fields(html_tags(sources[-1]), html_tags(form))
        if tags:
            found.append(f"html-tags: {label}{tags}")
    return found


def _line(message: Message) -> int:
    return message.lineno or 1


def _msgid(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _header_line(path: Path, header: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith(f'"{header}:'):
            return number
    return 1


def _header_value(path: Path, header: str) -> str | None:
    """The value of a header field as written in the file (Babel fills in missing ones)."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(f'"{header}:'):
            return line[len(header) + 2 :].removesuffix('"').removesuffix("\\n").strip()
    return None


def _suggested_header(locale: str) -> str | None:
    try:
        return plural_forms.header_for(locale)
    except plural_forms.PluralHeaderError:
        return None


def check(files: CatalogFiles) -> CheckReport:
    """Every problem of the template and the configured catalogs; see ``PROBLEM_KINDS``."""
    report = CheckReport()
    template_path = files.template_path
    if not template_path.is_file():
        report.problems.append(
            Problem(template_path, 1, "missing-template", "run `mupass-forum i18n update`")
        )
        return report
    template = read_catalog(template_path)
    report.messages = sum(1 for m in template if m.id)
    if files.source_dir is not None and (files.source_dir / MAPPING_FILE).is_file():
        report.problems += _compare_with_code(files.source_dir, template_path, template)
    for locale in files.locales:
        report.problems += _check_catalog(files, locale, template)
        report.catalogs += 1
    for locale in files.present_locales():
        if locale not in files.locales:
            report.problems.append(
                Problem(
                    files.catalog_path(locale),
                    1,
                    "unconfigured",
                    f"{locale} is not in MUPASS_LOCALES, so the service does not use this catalog",
                    severity="warning",
                )
            )
    report.problems.sort(key=lambda p: (str(p.path), p.line, p.code))
    return report


def _compare_with_code(source_dir: Path, template_path: Path, template: Catalog) -> list[Problem]:
    problems = []
    code = extract_messages(source_dir)
    in_template = {(m.id, m.context): m for m in template if m.id}
    in_code = {(m.id, m.context): m for m in code if m.id}
    for key, message in in_code.items():
        if key not in in_template:
            filename, lineno = message.locations[0]
            problems.append(
                Problem(
                    source_dir / filename,
                    lineno,
                    "not-in-template",
                    "the template lacks this message; run `mupass-forum i18n update`",
                    _msgid(message),
                )
            )
    for key, message in in_template.items():
        if key not in in_code:
            problems.append(
                Problem(
                    template_path,
                    _line(message),
                    "not-in-code",
                    "the code no longer has this message; run `mupass-forum i18n update`",
                    _msgid(message),
                )
            )
    return problems


def _check_catalog(files: CatalogFiles, locale: str, template: Catalog) -> list[Problem]:
    path = files.catalog_path(locale)
    if not path.is_file():
        return [
            Problem(
                path,
                1,
                "missing-catalog",
                f"{locale} is configured but has no catalog; "
                f"`mupass-forum i18n init {locale}` creates it",
            )
        ]
    catalog, parser = _parse_for_check(path, locale)
    problems = [Problem(path, line, "syntax", text) for line, text in parser.syntax_problems]
    terms: list[glossary.Term] = []
    glossary_path = glossary.path_for(files.locales_dir, locale)
    if glossary_path.is_file():
        try:
            terms = glossary.read(glossary_path)
        except glossary.GlossaryError as exc:
            problems.append(Problem(glossary_path, 1, "glossary", str(exc)))
    header_line = _header_line(path, "Plural-Forms")
    header_value = _header_value(path, "Plural-Forms")
    # Entries are counted against the header the catalog declares, as gettext reads them.
    expected = catalog.num_plurals
    header_problems = (
        ["the catalog has no Plural-Forms header"]
        if header_value is None
        else plural_forms.judge(locale, header_value)
    )
    if header_problems:
        suggestion = _suggested_header(locale)
        problems.append(
            Problem(
                path,
                header_line,
                "plural-forms",
                f"{'; '.join(header_problems)}, so it does not fit {language_name(locale)}"
                + (f'; use "Plural-Forms: {suggestion}\\n"' if suggestion else ""),
            )
        )
    template_ids = {(m.id if isinstance(m.id, str) else m.id[0], m.context): m.id for m in template}
    catalog_keys = set()
    for message in catalog:
        if not message.id:
            continue
        msgid = _msgid(message)
        catalog_keys.add((msgid, message.context))

        def report(code: str, text: str, message: Message = message, msgid: str = msgid) -> None:
            problems.append(Problem(path, _line(message), code, text, msgid))

        template_id = template_ids.get((msgid, message.context))
        if template_id is None:
            report(
                "stale", "the template does not have this message; run `mupass-forum i18n update`"
            )
            continue
        if template_id != message.id:
            report("stale", "the template's plural differs; run `mupass-forum i18n update`")
            continue
        form_count = parser.plural_form_counts.get(_line(message))
        # Under a header that does not fit, the header is the one problem reported.
        if form_count is not None and form_count != expected and not header_problems:
            report(
                "plural-forms",
                f"the translation has msgstr[0] to msgstr[{form_count - 1}], but the "
                f"catalog's Plural-Forms header says {expected} forms "
                f"(msgstr[0] to msgstr[{expected - 1}])",
            )
            continue
        if not is_translated(message, form_count if header_problems else expected):
            report("untranslated", f"no {language_name(locale)} translation yet")
            continue
        if message.fuzzy:
            report("fuzzy", "marked fuzzy: review the translation, then remove the fuzzy flag")
            continue
        for found in _message_problems(message, expected):
            code, _, text = found.partition(": ")
            report(code, text)
        # Under a header that does not fit, the forms cannot be told apart.
        if terms and not header_problems:
            sources = [message.id] if isinstance(message.id, str) else list(message.id)
            for text in glossary.problems(
                terms, sources, message_forms(message)[:expected], message.user_comments
            ):
                report("glossary", text)
    for key in template_ids:
        if key[0] and key not in catalog_keys:
            problems.append(
                Problem(
                    path,
                    1,
                    "missing",
                    "the catalog lacks this message of the template; "
                    "run `mupass-forum i18n update`",
                    key[0],
                )
            )
    for message in catalog.obsolete.values():
        problems.append(
            Problem(
                path,
                _line(message),
                "obsolete",
                "an old entry the code no longer uses, kept for reference; "
                "`mupass-forum i18n update --drop-obsolete` removes such entries",
                _msgid(message),
                severity="warning",
            )
        )
    return problems
