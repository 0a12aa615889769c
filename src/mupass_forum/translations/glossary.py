"""The translators' glossary: one word per language for each term of the domain.

The glossary is a CSV file per language, ``locales/glossary/<locale>.csv``, in the bilingual
layout translate-toolkit (``csv2tbx``, ``pofilter``), Weblate's glossary upload and
spreadsheet programs read: ``source`` (the English term), ``target`` (its one translation)
and ``developer_comments`` (a note). Three more columns tell ``i18n check`` how the term
appears in running text, each a ``|``-separated list:

- ``source_forms``: the English words that mean the term (``forum|forums``), matched as whole
  words, case ignored;
- ``target_forms``: what a translation must contain when the English uses the term — stems
  and inflected forms (``Anmeld|angemeld``), matched anywhere in a word, case ignored, so that
  compounds and endings count;
- ``avoid``: words the translation must not use for the term (the other term's word:
  German "Anmeldung" in a text about signing in).

An entry the glossary does not fit (a quotation, a name) carries a translator comment
``# glossary-ok: <term>``, which the check honours for that term.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

#: The translator comment that accepts an entry's departure from the glossary.
EXCEPTION_MARKER = "glossary-ok:"
DIRECTORY = "glossary"
COLUMNS = (
    "source",
    "target",
    "developer_comments",
    "source_forms",
    "target_forms",
    "avoid",
)


class GlossaryError(ValueError):
    """The glossary file cannot be read."""


def _forms(cell: str | None) -> tuple[str, ...]:
    return tuple(form.strip() for form in (cell or "").split("|") if form.strip())


@dataclass(frozen=True, slots=True)
class Term:
    source: str
    target: str
    note: str
    source_forms: tuple[str, ...]
    target_forms: tuple[str, ...]
    avoid: tuple[str, ...]

    @property
    def _source_pattern(self) -> re.Pattern[str]:
        words = self.source_forms or (self.source,)
        alternatives = "|".join(
            r"[\s-]+".join(re.escape(part) for part in re.split(r"[\s-]+", word))
            for word in sorted(words, key=len, reverse=True)
        )
        return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)

    def used_in(self, english: str) -> bool:
        return self._source_pattern.search(english) is not None

    def problem(self, translation: str) -> str | None:
        """Why ``translation`` does not follow the glossary for this term, or None."""
        folded = translation.casefold()
        wanted = self.target_forms or (self.target,)
        if not any(form.casefold() in folded for form in wanted):
            return (
                f"the English uses “{self.source}”, the translation not the glossary's "
                f"“{self.target}”"
            )
        avoided = [form for form in self.avoid if form.casefold() in folded]
        if avoided:
            return (
                f"the English uses “{self.source}”, for which the glossary says “{self.target}”, "
                f"not “{avoided[0]}”"
            )
        return None


def path_for(locales_dir: Path, locale: str) -> Path:
    return locales_dir / DIRECTORY / f"{locale}.csv"


def read(path: Path) -> list[Term]:
    """The terms of one language's glossary file."""
    try:
        with path.open(encoding="utf-8", newline="") as lines:
            rows = list(csv.DictReader(lines))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise GlossaryError(f"cannot read the glossary {path}: {exc}") from exc
    terms = []
    for number, row in enumerate(rows, start=2):
        source, target = (row.get("source") or "").strip(), (row.get("target") or "").strip()
        if not source or not target:
            raise GlossaryError(f"{path}:{number}: a term needs a source and a target")
        terms.append(
            Term(
                source=source,
                target=target,
                note=(row.get("developer_comments") or "").strip(),
                source_forms=_forms(row.get("source_forms")),
                target_forms=_forms(row.get("target_forms")),
                avoid=_forms(row.get("avoid")),
            )
        )
    return terms


def excepted_terms(comments: Iterable[str]) -> set[str]:
    """The terms a translator accepted with ``glossary-ok: <term>[, <term>…] [(why)]``."""
    accepted = set()
    for comment in comments:
        text = comment.strip()
        if text.startswith(EXCEPTION_MARKER):
            named = text[len(EXCEPTION_MARKER) :].partition("(")[0]
            for term in named.split(","):
                accepted.add(term.strip().casefold())
    return accepted


#: ``{forum}`` names a value, not the term: placeholders are left out on both sides.
_PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([^)]*\)[a-z]")


def problems(
    terms: Sequence[Term], sources: Sequence[str], forms: Sequence[str], comments: Iterable[str]
) -> list[str]:
    """What one translated entry does against the glossary, one text per term."""
    english = _PLACEHOLDER.sub(" ", " ".join(sources))
    forms = [_PLACEHOLDER.sub(" ", form) for form in forms]
    accepted = excepted_terms(comments)
    found = []
    for term in terms:
        if term.source.casefold() in accepted or not term.used_in(english):
            continue
        for form in forms:
            problem = term.problem(form)
            if problem:
                found.append(problem)
                break
    return found
