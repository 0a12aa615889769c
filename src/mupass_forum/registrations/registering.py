"""Registering: a seat if one is free, else the waiting list (or approval), decided at the
forum's desk in batches; a person's own registration read and changed."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from msgspec import UnsetType

from mupass_forum import db_postgres
from mupass_forum.accounts.authorization import as_signed_in, authorize, signed_in
from mupass_forum.accounts.principal import Principal, SignedIn
from mupass_forum.app_context import AppContext, bind_for_task, current
from mupass_forum.clock import now
from mupass_forum.consent import ledger
from mupass_forum.errors import Conflict, FieldError, InvalidInput
from mupass_forum.forums.authorization import ForumRef
from mupass_forum.forums.checks import language_problem
from mupass_forum.forums.queries import stored_json, visible_forum, visible_forum_and
from mupass_forum.forums.schemas import ForumStatus
from mupass_forum.i18n import N_, current_locale
from mupass_forum.privacy.shredding import refuse_if_shredded
from mupass_forum.registrations import schemas
from mupass_forum.registrations.arrivals import Outcome, Registering, decide_batch
from mupass_forum.registrations.desk import desk_of
from mupass_forum.registrations.queries import (
    ListRow,
    RegistrationRow,
    own_row,
    registration_of,
    registration_view,
    rows_by_id,
)
from mupass_forum.registrations.questions import (
    FormQuestions,
    answer_problems,
    not_asked_problems,
)
from mupass_forum.registrations.tables import Registration

log = logging.getLogger(__name__)


#: The longest ``Idempotency-Key`` kept with a registration.
IDEMPOTENCY_KEY_LENGTH = 100


# Registering -----------------------------------------------------------------------------------


def _registration_problems(values: Mapping[str, Any]) -> list[FieldError]:
    problems: list[FieldError] = []
    arrival, departure = values.get("arrival_date"), values.get("departure_date")
    if arrival is not None and departure is not None and departure < arrival:
        problems.append(
            FieldError(
                N_("The departure must not be before the arrival."),
                "departure_before_arrival",
                pointer="/departure_date",
            )
        )
    for index, code in enumerate(values.get("interpretation_languages") or []):
        problem = language_problem(code, f"/interpretation_languages/{index}")
        if problem is not None:
            problems.append(problem)
    return problems


def _details(data: schemas.RegistrationCreate | schemas.RegistrationUpdate) -> dict[str, Any]:
    """The fields given, as column values (strings stripped, languages unique and in order)."""
    values: dict[str, Any] = {}
    for name in (
        "arrival_date",
        "departure_date",
        "dietary_needs",
        "accessibility_needs",
        "needs_visa_letter",
        "travel_support_requested",
        "interpretation_languages",
    ):
        value = getattr(data, name)
        if isinstance(value, UnsetType):
            continue
        if isinstance(value, str):
            value = value.strip()
        if name == "interpretation_languages":
            value = list(dict.fromkeys(code.strip().lower() for code in value))
        values[name] = value
    return values


def _check_registration_open(forum: ForumRef) -> None:
    stamp = now()
    if (
        forum.status != ForumStatus.REGISTRATION_OPEN
        # A forum's end closes its registration even if nobody moved it on.
        or stamp >= forum.ends_at
        or (forum.registration_opens_at is not None and stamp < forum.registration_opens_at)
        or (forum.registration_closes_at is not None and stamp > forum.registration_closes_at)
    ):
        raise Conflict(
            "registration_not_open",
            N_("Registration for this forum is not open."),
        )


def _idempotency_problem(key: str | None) -> FieldError | None:
    if key is None or (0 < len(key) <= IDEMPOTENCY_KEY_LENGTH and key.isprintable()):
        return None
    return FieldError(
        N_("An Idempotency-Key has 1 to {limit} printable characters."),
        "invalid_idempotency_key",
        parameter="Idempotency-Key",
        params={"limit": IDEMPOTENCY_KEY_LENGTH},
    )


async def register(
    principal: Principal,
    slug: str,
    data: schemas.RegistrationCreate,
    idempotency_key: str | None = None,
) -> tuple[schemas.Registration, bool]:
    """Register the caller: a seat if one is free, else the waiting list (or await approval).

    Returns the registration and whether this request made it. A request sent again with the
    ``idempotency_key`` that made the registration (its answer was lost) gets that registration
    back, unchanged.

    The decision, the registration row, its first history entry and the mail are written in
    one transaction under the forum desk's lock, together with the registrations that arrived
    meanwhile (``_decide``, ``arrivals.decide_batch``). Whatever else must be recorded with a
    new registration belongs in ``arrivals``, written for the whole batch at once.

    A person whose registration was cancelled or declined registers again on that same row: it
    goes through the desk like a new one (the end of the waiting list, a badge number it had
    kept) with the new details, and its history goes on. One row per person and forum keeps
    exports, statistics and workshop sign-ups counting each person once; consent belongs to the
    person and forum anyway.
    """
    await authorize(principal, signed_in)
    principal = as_signed_in(principal)
    key_problem = _idempotency_problem(idempotency_key)
    if key_problem is not None:
        await visible_forum(principal, slug)  # no such forum comes first
        raise InvalidInput(key_problem)
    # The forum, the registration the key made if it did, and the form: one read.
    forum, before = await visible_forum_and(
        principal, slug, _BEFORE_DESK, principal.user_id, idempotency_key
    )
    questions = FormQuestions.stored(before["questions_off"], before["questions"])
    if before["made"] is not None:
        return await registration_view(forum, int(before["made"])), False
    _check_registration_open(forum)
    details = _details(data)
    answers, answer_errors = answer_problems(questions, data.answers)
    problems = [
        *_registration_problems(details),
        *not_asked_problems(questions, details),
        *answer_errors,
    ]
    if problems:
        raise InvalidInput(*problems)
    details["answers"] = answers
    registering = Registering(
        forum_id=forum.id,
        user_id=principal.user_id,
        details=details,
        consent_decisions=ledger.expand_choices(data.consent or [], "/consent"),
        consent_notice_version=data.consent_notice_version,
        locale=current_locale(),
        idempotency_key=idempotency_key,
    )
    registration_id, made_now, answered = await _decide(registering)
    if answered is None:
        return await registration_view(forum, registration_id), made_now
    return registration_of(forum.slug, answered), made_now


#: With the forum ``f`` (``visible_forum_and``): the registration the caller's
#: Idempotency-Key made already (sent again after a lost answer), and what the form asks.
_BEFORE_DESK = (
    '(SELECT id FROM registration r WHERE r.forum = f.id AND r."user" = {} '
    "AND r.idempotency_key = {}) AS made, "
    "(SELECT questions_off FROM registration_desk WHERE forum = f.id) AS questions_off, "
    "(SELECT questions FROM registration_desk WHERE forum = f.id) AS questions"
)


# Group commit: registrations for one forum that arrive while the desk is busy wait in a line
# and are decided together, in one transaction that takes the desk's lock once. A crowd then
# costs one lock, one commit (one fsync) and one wait for the other server processes per batch
# instead of per person, and answers leave after every batch instead of at the end of the crowd.

#: Registrations decided in one transaction at most: bounds how long the lock is held.
BATCH_SIZE = 50

#: A registration's id, whether this request made it, and its row as answered (read for the
#: whole batch after the commit; None when that read failed: the request reads its own).
_Answer = tuple[int, bool, ListRow | None]


@dataclass
class _DeskLine:
    waiting: list[tuple[Registering, asyncio.Future[_Answer]]] = field(default_factory=list)
    #: The task deciding the line's batches, while there is one.
    worker: asyncio.Task[None] | None = None


_lines: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[tuple[AppContext, int], _DeskLine]
] = weakref.WeakKeyDictionary()


async def _decide(registering: Registering) -> _Answer:
    """Join the forum's line; the registration is decided with those in line with it."""
    loop = asyncio.get_running_loop()
    app = current()
    lines = _lines.setdefault(loop, {})
    key = (app, registering.forum_id)
    line = lines.setdefault(key, _DeskLine())
    answer: asyncio.Future[_Answer] = loop.create_future()
    line.waiting.append((registering, answer))
    if line.worker is None:
        # A context of its own: the batch is nobody's request (no request's transaction or
        # locale leaks into it), and everyone in it waits, so it goes before newcomers. It
        # serves the app of the requests in line.
        context = contextvars.Context()
        context.run(bind_for_task, app)
        context.run(db_postgres.serve_first)
        line.worker = loop.create_task(_work_through(lines, key, line), context=context)
    return await answer


async def _work_through(
    lines: dict[tuple[AppContext, int], _DeskLine], key: tuple[AppContext, int], line: _DeskLine
) -> None:
    forum_id = key[1]
    try:
        while line.waiting:
            batch, line.waiting = line.waiting[:BATCH_SIZE], line.waiting[BATCH_SIZE:]
            # Someone who gave up waiting (a closed connection) is not registered.
            batch = [(registering, answer) for registering, answer in batch if not answer.done()]
            if not batch:
                continue
            try:
                outcomes = await decide_batch(forum_id, [registering for registering, _ in batch])
            except Exception as exc:
                log.exception("registrations for forum %s could not be decided", forum_id)
                outcomes = [exc] * len(batch)
            rows = await _answered_rows(forum_id, outcomes)
            for (_, answer), outcome in zip(batch, outcomes, strict=True):
                if answer.done():
                    continue
                if isinstance(outcome, BaseException):
                    answer.set_exception(outcome)
                else:
                    answer.set_result((*outcome, rows.get(outcome[0])))
            # The answered requests go first: their answers leave before the next batch's
            # mails are drafted (on SQLite that takes the loop's thread without a pause).
            await asyncio.sleep(0)
    finally:
        line.worker = None
        for _, answer in line.waiting:
            answer.cancel()
        line.waiting.clear()
        # An empty line goes: the next registration opens a new one (nor is an app that is
        # gone kept by its lines).
        if lines.get(key) is line:
            del lines[key]


async def _answered_rows(forum_id: int, outcomes: Sequence[Outcome]) -> dict[int, ListRow]:
    """The rows a batch's answers show, in one read after its commit instead of one read per
    answer; none if that read fails (each request then reads its own)."""
    made = [outcome[0] for outcome in outcomes if not isinstance(outcome, BaseException)]
    try:
        return await rows_by_id(made)
    except Exception:
        log.exception("the registrations of forum %s could not be read for the answers", forum_id)
        return {}


async def own_registration(
    principal: Principal, slug: str
) -> tuple[SignedIn, ForumRef, RegistrationRow]:
    """The caller, signed in, the forum as they may see it, and their registration for it."""
    await authorize(principal, signed_in)
    caller = as_signed_in(principal)
    forum = await visible_forum(caller, slug)
    return caller, forum, await own_row(forum, caller.user_id)


async def my_registration(principal: Principal, slug: str) -> schemas.Registration:
    """The caller's registration for the forum."""
    _, forum, row = await own_registration(principal, slug)
    return await registration_view(forum, row.id)


async def update_my_registration(
    principal: Principal, slug: str, data: schemas.RegistrationUpdate
) -> schemas.Registration:
    """Change the details of the caller's registration; its status stays as it is."""
    _, forum, row = await own_registration(principal, slug)
    await refuse_if_shredded(forum.id)
    current = (
        await Registration.select(
            Registration.arrival_date, Registration.departure_date, Registration.answers
        )
        .where(Registration.id == row.id)
        .first()
    ) or {"answers": "{}"}
    details = _details(data)
    questions = (await desk_of(forum.id)).questions
    problems = [
        *_registration_problems({**current, **details}),
        *not_asked_problems(questions, details),
    ]
    if not isinstance(data.answers, UnsetType):
        answers, answer_errors = answer_problems(
            questions, data.answers, required_keys=data.answers
        )
        problems.extend(answer_errors)
        kept = {
            key: value
            for key, value in (stored_json(current["answers"]) or {}).items()
            if key not in data.answers
        }
        details["answers"] = {**kept, **answers}
    if problems:
        raise InvalidInput(*problems)
    if details:
        await Registration.update(
            {
                **{getattr(Registration, name): value for name, value in details.items()},
                Registration.updated_at: now(),
            }
        ).where(Registration.id == row.id)
    return await registration_view(forum, row.id)
