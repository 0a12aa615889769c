"""translate-toolkit's ``pofilter`` over every catalog, with the project's settings.

Each catalog is checked with its own language (``--language``), without the filters that do not
apply to this project (``FILTERS_OFF``, each with its reason), and every finding is held
against ``locales/pofilter-exceptions.csv`` (language, context, msgid, msgstr, filter, reason):
a finding listed there is a justified exception, any other is a mistake to correct.

``make pofilter`` (``python -m tests.translations.pofilter``) prints the findings that are not
exceptions and fails if there are any; tests/translations/test_pofilter.py does the same per
language and shows that a planted mistake is caught.
"""

from __future__ import annotations

import csv
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translate.filters import checks, pofilter
from translate.storage import po

LOCALES = ("de", "en", "fr", "es")
PROJECT = Path(__file__).resolve().parents[2]
LOCALES_DIR = PROJECT / "locales"
EXCEPTIONS = LOCALES_DIR / "pofilter-exceptions.csv"

# Filters that do not apply, for every language or for one; the README's translators' section
# gives the same list.
FILTERS_OFF: dict[str, str] = {
    "simplecaps": (
        "compares the share of capital letters; German nouns and French and Spanish lower-case "
        "titles differ from English by design (it even flags the English catalog's own texts)"
    ),
    "variables": (
        "the placeholders are compared by pythonbraceformat (and by msgfmt -c and `i18n check`); "
        "this generic check reports a placeholder moved to another place as added"
    ),
}
FILTERS_OFF_PER_LANGUAGE: dict[str, dict[str, str]] = {
    "en": {
        "unchanged": "the English catalog is the code's own text: every entry is unchanged",
    },
}
# The quotation marks of the languages whose quotes pofilter's language data does not convert
# (it does for French): the English “…” becomes German „…“ and Spanish «…», so that quotes are
# counted and spacing is compared with the right marks (the closing mark of a German quote is
# the English opening one).
QUOTES: dict[str, dict[str, str]] = {
    "de": {"“": "„", "”": "“"},
    "es": {"“": "«", "”": "»"},
}
PROBLEM_LINE = re.compile(r"^\(pofilter\) (?P<filter>\w+): (?P<message>.*)$")


@dataclass(frozen=True, order=True)
class Finding:
    locale: str
    context: str
    msgid: str
    msgstr: str
    filter: str
    message: str = ""

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.locale, self.context, self.msgid, self.msgstr, self.filter)


def filters_off(locale: str) -> dict[str, str]:
    return FILTERS_OFF | FILTERS_OFF_PER_LANGUAGE.get(locale, {})


def catalog_path(locale: str, locales_dir: Path = LOCALES_DIR) -> Path:
    return locales_dir / locale / "LC_MESSAGES" / "messages.po"


def pofilter_arguments(locale: str, catalog: Path, output: Path) -> list[str]:
    """pofilter's command line for one catalog (fuzzy entries are not used, so not checked)."""
    return [
        f"--language={locale}",
        "--nofuzzy",
        "--progress=none",
        "--errorlevel=traceback",
        *(f"--excludefilter={name}" for name in sorted(filters_off(locale))),
        "-i",
        str(catalog),
        "-o",
        str(output),
    ]


class ProjectParser(pofilter.FilterOptionParser):
    """pofilter's own command line, knowing the project's placeholders.

    The command has no option for them: a ``{name}`` placeholder is a variable, as in
    translate-toolkit's Mozilla checks, so that punctuation and spacing are compared around it
    rather than at its braces ("in {duration}." is "in {duration} erneut.").
    """

    arguments: list[str]

    def parse_args(self, args: Any = None, values: Any = None) -> Any:
        return super().parse_args(self.arguments if args is None else args, values)

    def build_checkerconfig(self, options: Any) -> checks.CheckerConfig:
        config = super().build_checkerconfig(options)
        config.varmatches.append(("{", "}"))
        return config

    def recursiveprocess(self, options: Any) -> None:
        if quotes := QUOTES.get(options.targetlanguage):
            for checker in options.checkfilter.checker.checkers:
                checker.config.lang = with_quotes(checker.config.lang, quotes)
        super().recursiveprocess(options)


def with_quotes(language: Any, quotes: dict[str, str]) -> Any:
    """A copy of translate-toolkit's language object that also converts the English quotes."""
    # Its language objects are one per code, and punctranslate() reads the class's table.
    kind = type(language)
    puncdict = kind.puncdict | quotes
    copy = object.__new__(type(kind.__name__, (kind,), {"puncdict": puncdict}))
    copy.__dict__.update(language.__dict__)
    return copy


def run_pofilter(locale: str, catalog: Path) -> list[Finding]:
    """Every finding of pofilter in ``catalog``."""
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "findings.po"
        parser = pofilter.cmdlineparser()
        parser.__class__ = ProjectParser
        parser.arguments = pofilter_arguments(locale, catalog, output)
        parser.run()
        if not output.exists():
            return []
        store = po.pofile.parsefile(str(output))
    findings = []
    for unit in store.units:
        if unit.isheader():
            continue
        for line in unit.getnotes("translator").splitlines():
            if match := PROBLEM_LINE.match(line):
                findings.append(
                    Finding(
                        locale,
                        unit.getcontext(),
                        str(unit.source),
                        str(unit.target),
                        match["filter"],
                        match["message"],
                    )
                )
    return findings


def read_exceptions(path: Path = EXCEPTIONS) -> dict[tuple[str, str, str, str, str], str]:
    """The justified exceptions: (language, context, msgid, msgstr, filter) and the reason.

    The translation is part of the key: a changed translation is checked afresh.
    """
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {
        (row["lang"], row["context"], row["msgid"], row["msgstr"], row["filter"]): row["reason"]
        for row in rows
    }


def unexpected(locale: str, catalog: Path | None = None) -> list[Finding]:
    """pofilter's findings in a catalog that are not listed as justified exceptions."""
    exceptions = read_exceptions()
    found = run_pofilter(locale, catalog or catalog_path(locale))
    return sorted(finding for finding in found if finding.key not in exceptions)


def main() -> int:
    failed = 0
    for locale in LOCALES:
        findings = unexpected(locale)
        print(f"{locale}: {len(findings)} finding(s) not listed as exceptions")
        for finding in findings:
            failed += 1
            print(
                f"  [{finding.filter}] {finding.message}\n"
                f"    msgid:  {finding.msgid!r}\n    msgstr: {finding.msgstr!r}"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
