"""The registration questions on the desk's registration settings: the built-in questions as
boxes (``ask_dates``), the forum's own questions as flat rows (``questions_0_key``,
``questions_0_label_de``, ``questions_0_options_1_label_fr``), named like the JSON pointers of
the service's problems so that each problem shows beside its field.

A row with nothing written is left out, a row whose "remove" box is ticked too; the rows kept
are numbered again, in order, and are what the form shows after a refusal. A new question or
option without a key takes one made from its label.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from litestar.datastructures import FormMultiDict

from mupass_forum.i18n import current_locale, gettext, supported_locales
from mupass_forum.registrations import schemas
from mupass_forum.registrations.questions import BUILT_IN_LABELS, KIND_LABELS, MIN_OPTIONS
from mupass_forum.registrations.schemas import QuestionKind

KEY_LENGTH = 40


@dataclass(frozen=True, slots=True)
class QuestionRow:
    """A question of the form: how many option rows it has, and whether it is stored yet."""

    options: int
    new: bool


def _row_fields(form: FormMultiDict, prefix: str) -> dict[str, str]:
    names = [f"{prefix}_key", *(f"{prefix}_label_{locale}" for locale in supported_locales())]
    return {name: str(form.get(name, "")).strip() for name in names}


def _labels(fields: Mapping[str, str], prefix: str) -> dict[str, str]:
    return {locale: fields[f"{prefix}_label_{locale}"] for locale in supported_locales()}


def _key_from(labels: Mapping[str, str], taken: set[str]) -> str:
    """A key made of the label in the reader's language, else the first one written
    (``Taille du t-shirt`` -> ``taille_du_t_shirt``)."""
    text = labels.get(current_locale()) or next((label for label in labels.values() if label), "")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[: KEY_LENGTH - 4]
    if not base or not base[0].isalpha():
        base = f"q_{base}".rstrip("_")
    key, number = base, 2
    while key in taken:
        key, number = f"{base}_{number}", number + 1
    return key


def _written_rows(form: FormMultiDict, pattern: str) -> Iterator[tuple[str, dict[str, str]]]:
    """The rows ``pattern.format(0)``, ``pattern.format(1)``, … with something written and
    not to be removed, with their key and label fields."""
    number = 0
    while f"{pattern.format(number)}_key" in form:
        prefix = pattern.format(number)
        number += 1
        fields = _row_fields(form, prefix)
        if f"{prefix}_remove" not in form and any(fields.values()):
            yield prefix, fields


def read_questions(form: FormMultiDict) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The sent rows as the API's ``questions``, and the kept rows as the form's fields again
    (numbered as the API's list is, so that its problems land on them)."""
    questions: list[dict[str, Any]] = []
    values: dict[str, Any] = {}
    for prefix, fields in _written_rows(form, "questions_{}"):
        labels = _labels(fields, prefix)
        options = _read_options(form, prefix)
        taken = {question["key"] for question in questions}
        question = {
            "key": fields[f"{prefix}_key"] or _key_from(labels, taken),
            "kind": str(form.get(f"{prefix}_kind", "")),
            "required": f"{prefix}_required" in form,
            "label": labels,
            "options": options,
        }
        values.update(_question_fields(len(questions), question, new=f"{prefix}_new" in form))
        questions.append(question)
    return questions, values


def _read_options(form: FormMultiDict, prefix: str) -> list[dict[str, Any]]:
    options: list[dict[str, Any]] = []
    for option_prefix, fields in _written_rows(form, prefix + "_options_{}"):
        labels = _labels(fields, option_prefix)
        taken = {option["key"] for option in options}
        options.append(
            {"key": fields[f"{option_prefix}_key"] or _key_from(labels, taken), "label": labels}
        )
    return options


def _question_fields(index: int, question: Mapping[str, Any], *, new: bool) -> dict[str, Any]:
    prefix = f"questions_{index}"
    values: dict[str, Any] = {
        f"{prefix}_key": question["key"],
        f"{prefix}_kind": question["kind"],
        f"{prefix}_required": question["required"],
        **{f"{prefix}_label_{code}": text for code, text in question["label"].items()},
    }
    if new:
        values[f"{prefix}_new"] = True
    for number, option in enumerate(question["options"]):
        option_prefix = f"{prefix}_options_{number}"
        values[f"{option_prefix}_key"] = option["key"]
        values.update({f"{option_prefix}_label_{c}": t for c, t in option["label"].items()})
    return values


def stored_fields(questions: list[schemas.Question]) -> dict[str, Any]:
    """The forum's questions as the form's fields."""
    values: dict[str, Any] = {}
    for index, question in enumerate(questions):
        stored = {
            "key": question.key,
            "kind": question.kind.value,
            "required": question.required,
            "label": question.label_texts,
            "options": [
                {"key": option.key, "label": option.label_texts} for option in question.options
            ],
        }
        values.update(_question_fields(index, stored, new=False))
    return values


def question_rows(values: Mapping[str, Any]) -> list[QuestionRow]:
    """The rows the form shows: each question kept, then a blank one for a new question."""
    rows: list[QuestionRow] = []
    while f"questions_{len(rows)}_key" in values:
        prefix = f"questions_{len(rows)}"
        options = 0
        while f"{prefix}_options_{options}_key" in values:
            options += 1
        new = bool(values.get(f"{prefix}_new"))
        # Blank options where a choice may be made: enough for a choice to have its least,
        # one more for a choice that has them; none under a yes/no or text question.
        blank = 0
        if new or values.get(f"{prefix}_kind") == QuestionKind.CHOICE:
            blank = max(1, MIN_OPTIONS - options)
        rows.append(QuestionRow(options + blank, new))
    return [*rows, QuestionRow(MIN_OPTIONS, True)]


def asked_input(form: FormMultiDict) -> dict[str, bool]:
    """The built-in questions' boxes as the API's ``built_in_questions``."""
    return {question.value: f"ask_{question.value}" in form for question in BUILT_IN_LABELS}


def built_in_choices() -> list[tuple[str, str]]:
    return [(question.value, gettext(label)) for question, label in BUILT_IN_LABELS.items()]


def kind_choices() -> list[tuple[str, str]]:
    return [(kind.value, gettext(label)) for kind, label in KIND_LABELS.items()]
