"""``Plural-Forms`` headers, judged by what they mean rather than by how they are spelt.

Two spellings are right for many languages. GNU gettext's tools (msginit, Poedit, Weblate)
write French as ``nplurals=2; plural=(n > 1);``; CLDR, from version 42 on, gives French,
Spanish, Italian and Portuguese a third category, "many", for exact millions ("un million
*de* personnes"), and Babel's header for French has three forms since Babel 2.19. Comparing a
catalog's header with the installed Babel's therefore rejects catalogs that translators' tools
wrote, and the verdict moves whenever Babel does.

Instead the header is evaluated: it must parse, every form it declares must be reachable, and
each CLDR category of whole numbers (``one``, ``two``, ``few``, ``many``, ``other``) must land
in exactly one form, no two categories in the same form, except that "many" may share the form
of "other" (the two-form headers do so). New catalogs get their header from ``HEADERS``, a table
kept here, not from whatever Babel is installed.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from babel.core import Locale, UnknownLocaleError

#: The headers ``mupass-forum i18n init`` writes: GNU gettext's, as translators' tools write
#: them. A language missing here gets the header CLDR implies (``header_for``).
HEADERS: dict[str, str] = {
    "ar": (
        "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 "
        ": n%100>=11 ? 4 : 5);"
    ),
    "de": "nplurals=2; plural=(n != 1);",
    "en": "nplurals=2; plural=(n != 1);",
    "es": "nplurals=2; plural=(n != 1);",
    "fr": "nplurals=2; plural=(n > 1);",
    "it": "nplurals=2; plural=(n != 1);",
    "ja": "nplurals=1; plural=0;",
    "nl": "nplurals=2; plural=(n != 1);",
    "pl": (
        "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
    ),
    # CLDR's "pt" is Brazilian Portuguese, where 0 and 1 are both singular; Portugal's is not.
    "pt": "nplurals=2; plural=(n > 1);",
    "pt_PT": "nplurals=2; plural=(n != 1);",
    "ru": (
        "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
        "(n%100<10 || n%100>=20) ? 1 : 2);"
    ),
    "sw": "nplurals=2; plural=(n != 1);",
    "wo": "nplurals=1; plural=0;",
    "zh": "nplurals=1; plural=0;",
}

#: The whole numbers every header is evaluated at: all up to 1,000, so that the rules of
#: tens and hundreds show, then round and nearly round numbers up to a billion, so that
#: CLDR's "exact millions" show.
SAMPLE_NUMBERS: tuple[int, ...] = tuple(
    sorted(
        set(range(1001))
        | {
            base * 10**exponent + offset
            for exponent in range(3, 10)
            for base in (1, 2, 5, 11)
            for offset in (0, 1, 2, 5, 11)
        }
    )
)


class PluralHeaderError(ValueError):
    """A ``Plural-Forms`` value that does not parse."""


@dataclass(frozen=True, slots=True)
class PluralHeader:
    """A parsed ``Plural-Forms`` value: the number of forms and the form of each ``n``."""

    num_plurals: int
    expression: str
    form_of: Callable[[int], int]

    @classmethod
    def parse(cls, value: str) -> PluralHeader:
        fields: dict[str, str] = {}
        for part in value.strip().rstrip(";").split(";"):
            name, equals, text = part.partition("=")
            if not equals:
                raise PluralHeaderError(f"{part.strip()!r} is not name=value")
            fields[name.strip()] = text.strip()
        try:
            num_plurals = int(fields["nplurals"])
            expression = fields["plural"]
        except KeyError as missing:
            raise PluralHeaderError(f"it has no {missing.args[0]}=") from None
        except ValueError:
            raise PluralHeaderError(f"nplurals={fields['nplurals']} is no number") from None
        if num_plurals < 1:
            raise PluralHeaderError("nplurals must be at least 1")
        try:
            # The standard library's parser of GNU plural expressions, as gettext uses it.
            form_of = gettext.c2py(expression)
        except (ValueError, SyntaxError, RecursionError) as exc:
            raise PluralHeaderError(f"plural={expression} is no plural expression") from exc
        return cls(num_plurals, expression, form_of)

    @property
    def value(self) -> str:
        return f"nplurals={self.num_plurals}; plural={self.expression};"


#: What a plural rule tells of a whole number: its CLDR category (``one``, ``few``, ``other``…).
CategoryOf = Callable[[int], str]


def cldr_categories(locale: str) -> CategoryOf:
    """The installed CLDR's plural rule of ``locale`` (a Babel ``PluralRule``)."""
    try:
        return Locale.parse(locale).plural_form
    except (UnknownLocaleError, ValueError) as exc:
        raise PluralHeaderError(f"{locale!r} is no locale CLDR knows") from exc


def header_for(locale: str) -> str:
    """The header a new catalog of ``locale`` starts with, from ``HEADERS``."""
    for candidate in (locale, locale.split("_")[0]):
        if candidate in HEADERS:
            return HEADERS[candidate]
    raise PluralHeaderError(
        f"no Plural-Forms header is kept for {locale!r}; add GNU gettext's to HEADERS in {__name__}"
    )


def judge(locale: str, value: str, categories: CategoryOf | None = None) -> list[str]:
    """What is wrong with ``value`` as the ``Plural-Forms`` of ``locale`` (nothing: ``[]``).

    ``categories`` is the language's plural rule; the installed CLDR's unless given.
    """
    try:
        header = PluralHeader.parse(value)
    except PluralHeaderError as exc:
        return [f"the header does not parse: {exc}"]
    categories = categories or cldr_categories(locale)
    forms_by_category: dict[str, set[int]] = {}
    reached: set[int] = set()
    for n in SAMPLE_NUMBERS:
        form = header.form_of(n)
        if not 0 <= form < header.num_plurals:
            return [
                f"plural={header.expression} gives form {form} for n={n}, outside 0 to "
                f"{header.num_plurals - 1}"
            ]
        reached.add(form)
        forms_by_category.setdefault(categories(n), set()).add(form)
    problems = [
        f"form {form} is never used" for form in range(header.num_plurals) if form not in reached
    ]
    for category, forms in sorted(forms_by_category.items()):
        if len(forms) > 1:
            examples = _examples(categories, header, category)
            problems.append(
                f"CLDR's {category!r} numbers fall into forms {sorted(forms)} ({examples})"
            )
    sharing = _shared_forms(forms_by_category)
    problems.extend(
        f"CLDR's {' and '.join(repr(c) for c in names)} numbers share form {form}"
        for form, names in sharing
    )
    return problems


def _examples(categories: CategoryOf, header: PluralHeader, category: str) -> str:
    first: dict[int, int] = {}
    for n in SAMPLE_NUMBERS:
        if categories(n) == category:
            first.setdefault(header.form_of(n), n)
    return ", ".join(f"n={n} gives {form}" for form, n in sorted(first.items()))


def _shared_forms(forms_by_category: dict[str, set[int]]) -> Iterable[tuple[int, list[str]]]:
    by_form: dict[int, list[str]] = {}
    for category, forms in forms_by_category.items():
        if len(forms) == 1:
            by_form.setdefault(next(iter(forms)), []).append(category)
    for form, names in sorted(by_form.items()):
        distinct = sorted(set(names) - ({"many"} if "other" in names else set()))
        if len(distinct) > 1:
            yield form, sorted(names)
