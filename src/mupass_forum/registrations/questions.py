"""What a forum's registration form asks: the built-in questions switched on, and the forum's own
questions (yes/no, a short text, one choice of options) with their labels in every language.

Questions live on the forum's ``RegistrationDesk`` row as JSON, answers on each registration
(``{key: value}``). Keys stay when labels change, so that answers, exports and API clients keep
naming the same question; a removed question's answers stay with the registrations that gave
them (the person's data export and erasure treat them like every other detail).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from mupass_forum.errors import FieldError
from mupass_forum.forums.queries import stored_json
from mupass_forum.forums.schemas import Label
from mupass_forum.i18n import N_, gettext
from mupass_forum.i18n.text import TranslatableText, localize, text_problems
from mupass_forum.registrations import schemas
from mupass_forum.registrations.schemas import BuiltInQuestion, QuestionKind
from mupass_forum.rows import rows_as

#: The fields of ``RegistrationCreate`` each built-in question asks, with their empty value.
BUILT_IN_FIELDS: Mapping[BuiltInQuestion, Mapping[str, Any]] = {
    BuiltInQuestion.DATES: {"arrival_date": None, "departure_date": None},
    BuiltInQuestion.DIETARY_NEEDS: {"dietary_needs": ""},
    BuiltInQuestion.ACCESSIBILITY_NEEDS: {"accessibility_needs": ""},
    BuiltInQuestion.VISA_LETTER: {"needs_visa_letter": False},
    BuiltInQuestion.TRAVEL_SUPPORT: {"travel_support_requested": False},
    BuiltInQuestion.INTERPRETATION: {"interpretation_languages": []},
}

BUILT_IN_LABELS: Mapping[BuiltInQuestion, str] = {
    # i18n: A built-in question of the registration form, as organizers switch it on or off.
    BuiltInQuestion.DATES: N_("Arrival and departure dates"),
    BuiltInQuestion.DIETARY_NEEDS: N_("Dietary needs"),
    BuiltInQuestion.ACCESSIBILITY_NEEDS: N_("Accessibility needs"),
    BuiltInQuestion.VISA_LETTER: N_("Letter of invitation for a visa"),
    BuiltInQuestion.TRAVEL_SUPPORT: N_("Travel support"),
    BuiltInQuestion.INTERPRETATION: N_("Interpretation"),
}

KIND_LABELS: Mapping[QuestionKind, str] = {
    # i18n: Kind of a forum's own registration question.
    QuestionKind.YES_NO: N_("Yes or no"),
    QuestionKind.TEXT: N_("Short text"),
    QuestionKind.CHOICE: N_("One choice of options"),
}

#: Labels of questions and options, at most.
LABEL_LENGTH = 200
TEXT_ANSWER_LENGTH = 500
MIN_OPTIONS = 2


class StoredOption(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    #: A ``TranslatableText`` as stored.
    label: dict[str, object]


class StoredQuestion(msgspec.Struct, frozen=True, kw_only=True):
    """One of a forum's own questions as ``stored_questions`` writes it."""

    key: str
    kind: QuestionKind
    required: bool
    label: dict[str, object]
    options: list[StoredOption] = []


@dataclass(frozen=True, slots=True)
class FormQuestions:
    """A forum's questions as stored: built-in ones switched off, its own ones in order."""

    off: frozenset[BuiltInQuestion]
    own: Sequence[StoredQuestion]

    @classmethod
    def stored(cls, off: object, own: object) -> FormQuestions:
        """From the desk's JSON columns as the database hands them back (text on SQLite)."""
        known = {question.value for question in BuiltInQuestion}
        return cls(
            off=frozenset(BuiltInQuestion(key) for key in stored_json(off) or [] if key in known),
            own=rows_as(stored_json(own) or [], StoredQuestion),
        )

    def asked(self) -> list[BuiltInQuestion]:
        return [question for question in BuiltInQuestion if question not in self.off]

    def by_key(self) -> dict[str, StoredQuestion]:
        return {question.key: question for question in self.own}

    def schemas(self) -> list[schemas.Question]:
        return [_question(question) for question in self.own]


NO_QUESTIONS = FormQuestions(frozenset(), [])


def _texts(value: Mapping[str, object]) -> TranslatableText:
    return TranslatableText.from_json(value)


def _question(stored: StoredQuestion) -> schemas.Question:
    label = _texts(stored.label)
    kind = stored.kind
    return schemas.Question(
        key=stored.key,
        kind=Label(value=kind.value, label=gettext(KIND_LABELS[kind])),
        required=stored.required,
        label=localize(label),
        label_texts=dict(label.texts),
        options=[
            schemas.QuestionOption(
                key=option.key,
                label=localize(_texts(option.label)),
                label_texts=dict(_texts(option.label).texts),
            )
            for option in stored.options
        ],
    )


# Organizers' questions -------------------------------------------------------------------------


def _label(raw: Mapping[str, str], pointer: str, problems: list[FieldError]) -> dict[str, Any]:
    text, found = text_problems(raw, pointer, max_length=LABEL_LENGTH)
    problems.extend(found)
    return text.to_json() if text is not None else {}


def _duplicate(pointer: str) -> FieldError:
    return FieldError(
        N_("This key is used twice; each needs its own."), "duplicate_key", pointer=pointer
    )


def stored_questions(
    given: Sequence[schemas.QuestionInput],
) -> tuple[list[dict[str, Any]], list[FieldError]]:
    """The organizers' questions as stored, and what is wrong with them (pointers into
    ``/questions``)."""
    problems: list[FieldError] = []
    stored: list[dict[str, Any]] = []
    keys: set[str] = set()
    for index, question in enumerate(given):
        at = f"/questions/{index}"
        if question.key in keys:
            problems.append(_duplicate(f"{at}/key"))
        keys.add(question.key)
        options: list[dict[str, Any]] = []
        option_keys: set[str] = set()
        for number, option in enumerate(question.options):
            if option.key in option_keys:
                problems.append(_duplicate(f"{at}/options/{number}/key"))
            option_keys.add(option.key)
            label = _label(option.label, f"{at}/options/{number}/label", problems)
            options.append({"key": option.key, "label": label})
        if question.kind == QuestionKind.CHOICE and len(options) < MIN_OPTIONS:
            problems.append(
                FieldError(
                    N_("A choice needs at least {count} options."),
                    "too_few_options",
                    pointer=f"{at}/options",
                    params={"count": MIN_OPTIONS},
                )
            )
        elif question.kind != QuestionKind.CHOICE and options:
            problems.append(
                FieldError(
                    N_("Only a choice has options."), "options_not_allowed", pointer=f"{at}/options"
                )
            )
        stored.append(
            {
                "key": question.key,
                "kind": question.kind.value,
                "required": question.required,
                "label": _label(question.label, f"{at}/label", problems),
                "options": options,
            }
        )
    return stored, problems


# Answers ---------------------------------------------------------------------------------------


def not_asked_problems(questions: FormQuestions, details: Mapping[str, Any]) -> list[FieldError]:
    """A built-in question switched off takes no answer but its empty one."""
    problems = []
    for question in questions.off:
        for name, empty in BUILT_IN_FIELDS[question].items():
            if name in details and details[name] != empty:
                problems.append(
                    FieldError(
                        N_("This forum does not ask this question."),
                        "question_not_asked",
                        pointer=f"/{name}",
                    )
                )
    return problems


def _required(key: str) -> FieldError:
    return FieldError(N_("Please answer this question."), "required", pointer=f"/answers/{key}")


def _answer_problem(question: StoredQuestion, key: str, value: Any) -> FieldError | None:
    kind = question.kind
    pointer = f"/answers/{key}"
    if kind == QuestionKind.YES_NO:
        if not isinstance(value, bool):
            return FieldError(N_("Answer yes or no."), "invalid_answer", pointer=pointer)
        return None
    if not isinstance(value, str):
        return FieldError(N_("Answer with a text."), "invalid_answer", pointer=pointer)
    if kind == QuestionKind.CHOICE and value not in {o.key for o in question.options}:
        return FieldError(N_("Choose one of the options given."), "unknown_option", pointer=pointer)
    return None


def answer_problems(
    questions: FormQuestions,
    answers: Mapping[str, Any],
    *,
    required_keys: Iterable[str] | None = None,
) -> tuple[dict[str, Any], list[FieldError]]:
    """``answers`` checked against the forum's questions: the answers to keep (texts stripped,
    blank ones left out), and the problems. Every required question must be answered, or only
    those in ``required_keys`` when given (a change of some answers)."""
    own = questions.by_key()
    kept: dict[str, Any] = {}
    problems: list[FieldError] = []
    #: Answered, but wrongly: said once, not twice.
    wrong: set[str] = set()
    for key, value in answers.items():
        question = own.get(key)
        if question is None:
            problems.append(
                FieldError(
                    N_("This forum has no question with the key {key}."),
                    "unknown_question",
                    pointer=f"/answers/{key}",
                    params={"key": key},
                )
            )
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        problem = _answer_problem(question, key, value)
        if problem is not None:
            problems.append(problem)
            wrong.add(key)
            continue
        kept[key] = value.strip() if isinstance(value, str) else value
    checked = own if required_keys is None else [key for key in required_keys if key in own]
    problems.extend(
        _required(key)
        for key in checked
        if own[key].required and key not in kept and key not in wrong
    )
    return kept, problems


def answer_text(question: schemas.Question, value: Any) -> str:
    """An answer as the reader reads it: yes or no, the text, the option's label."""
    if isinstance(value, bool):
        return gettext(N_("yes")) if value else gettext(N_("no"))
    for option in question.options:
        if option.key == value:
            return option.label.text
    return str(value)
