"""The checks a forum's input passes before it is written."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from babel.core import Locale
from msgspec import UNSET, UnsetType

from mupass_forum.accounts.tables import Organization
from mupass_forum.errors import Conflict, FieldError, InvalidInput
from mupass_forum.forums import schemas
from mupass_forum.forums.tables import ForumSeries
from mupass_forum.forums.terms import EMAIL, MAX_TEXT, MAX_TITLE, to_utc, zone_named
from mupass_forum.i18n import (
    N_,
)
from mupass_forum.i18n.text import (
    TranslatableText,
    text_problems,
)
from mupass_forum.validation import country_problem, timezone_problem

#: Addresses the desk's own pages use beside a forum's (``/desk/forums/new``).
RESERVED_FORUM_SLUGS = frozenset({"new"})


def slug_taken(slug: str) -> Conflict:
    return Conflict("slug_taken", N_("The address {slug} is taken already."), slug=slug)


# Input checks ----------------------------------------------------------------------------------


def source_locale_of(locale: str | UnsetType | None) -> str | None:
    return None if locale is None or isinstance(locale, UnsetType) else locale


def original_locale_problems(locale: str | UnsetType | None) -> list[FieldError]:
    from mupass_forum.i18n import supported_locales

    if locale is None or isinstance(locale, UnsetType) or locale in supported_locales():
        return []
    return [
        FieldError(
            N_("Use one of: {supported}."),
            "unsupported_locale",
            pointer="/original_locale",
            params={"supported": ", ".join(supported_locales())},
        )
    ]


def language_problem(code: str, pointer: str) -> FieldError | None:
    if code.isalpha() and code.lower() == code and code in Locale.parse("en").languages:
        return None
    return FieldError(
        N_("Expected an ISO 639-1 language code such as de, fr or pt."),
        "unknown_language",
        pointer=pointer,
    )


class InputChecks:
    """Collects column values and field problems while an input is checked."""

    def __init__(self, current: Mapping[str, Any] | None) -> None:
        self.current = current or {}
        self.values: dict[str, Any] = {}
        self.problems: list[FieldError] = []

    def final(self, name: str) -> Any:
        return self.values[name] if name in self.values else self.current.get(name)

    def problem(self, problem: FieldError | None) -> None:
        if problem is not None:
            self.problems.append(problem)

    def text(
        self,
        name: str,
        raw: Mapping[str, str] | UnsetType,
        original: str | UnsetType | None,
        *,
        required: bool,
        max_length: int,
    ) -> None:
        if isinstance(raw, UnsetType):
            return
        chosen = source_locale_of(original)
        stored = self.current.get(name)
        if chosen is None and stored:
            # Editing a text keeps the language it was written in, while that one is kept.
            previous = TranslatableText.from_json(stored).original
            chosen = previous if raw.get(previous, "").strip() else None
        text, problems = text_problems(
            raw, f"/{name}", original=chosen, required=required, max_length=max_length
        )
        self.problems += problems
        if not problems:
            self.values[name] = text.to_json() if text is not None else None

    def instant(self, name: str, raw: datetime | UnsetType | None, zone: ZoneInfo | None) -> None:
        if isinstance(raw, UnsetType):
            return
        if raw is None:
            self.values[name] = None
            return
        if zone is None:
            return
        converted = to_utc(raw, zone, f"/{name}")
        if isinstance(converted, FieldError):
            self.problems.append(converted)
        else:
            self.values[name] = converted

    def raise_problems(self) -> None:
        if self.problems:
            raise InvalidInput(*self.problems)


def _given(data: msgspec.Struct, name: str) -> Any:
    return getattr(data, name, UNSET)


async def check_forum(
    data: schemas.ForumCreate | schemas.ForumUpdate, current: Mapping[str, Any] | None
) -> tuple[dict[str, Any], list[int] | None]:
    """Checked column values of a new forum or of the changed fields of one; partner ids."""
    changes = InputChecks(current)
    original = _given(data, "original_locale")
    changes.problems += original_locale_problems(original)
    changes.text("title", data.title, original, required=True, max_length=MAX_TITLE)
    changes.text("summary", data.summary, original, required=False, max_length=MAX_TEXT)
    changes.text("description", data.description, original, required=False, max_length=MAX_TEXT)
    for name in ("edition", "capacity"):
        if not isinstance(value := _given(data, name), UnsetType):
            changes.values[name] = value
    if not isinstance(data.kind, UnsetType):
        changes.values["kind"] = data.kind.value
    if not isinstance(data.timezone, UnsetType):
        changes.problem(timezone_problem(data.timezone))
        changes.values["timezone"] = data.timezone
    zone = zone_named(changes.final("timezone") or "")
    for name in (
        "starts_at",
        "ends_at",
        "interest_deadline",
        "registration_opens_at",
        "registration_closes_at",
    ):
        changes.instant(name, _given(data, name), zone)
    if not isinstance(data.venue, UnsetType):
        if data.venue.country:
            changes.problem(country_problem(data.venue.country, "/venue/country"))
        changes.values.update(
            venue_name=data.venue.name.strip(),
            venue_address=data.venue.address.strip(),
            venue_room=data.venue.room.strip(),
            venue_city=data.venue.city.strip(),
            venue_country=data.venue.country.upper(),
        )
    if not isinstance(data.languages, UnsetType):
        seen: set[str] = set()
        for index, offer in enumerate(data.languages):
            changes.problem(language_problem(offer.code, f"/languages/{index}/code"))
            if offer.code in seen:
                changes.problem(
                    FieldError(
                        N_("This language is listed twice."),
                        "duplicate",
                        pointer=f"/languages/{index}/code",
                    )
                )
            seen.add(offer.code)
        changes.values["languages"] = [
            {"code": offer.code, "interpretation": offer.interpretation} for offer in data.languages
        ]
    if not isinstance(data.contact_email, UnsetType):
        email = data.contact_email.strip()
        if email and not EMAIL.match(email):
            changes.problem(
                FieldError(
                    N_("This is not a valid email address."),
                    "invalid_email",
                    pointer="/contact_email",
                )
            )
        changes.values["contact_email"] = email
    _check_forum_times(changes)
    changes.raise_problems()

    if not isinstance(data.series, UnsetType):
        series = (
            await ForumSeries.select(ForumSeries.id).where(ForumSeries.slug == data.series).first()
        )
        if series is None:
            changes.problem(
                FieldError(
                    N_("There is no series with this address."), "unknown_series", pointer="/series"
                )
            )
        else:
            changes.values["series"] = series["id"]
    if not isinstance(lead := _given(data, "lead_organization_id"), UnsetType):
        changes.values["lead_organization"] = lead
    partner_ids = _given(data, "partner_organization_ids")
    wanted = {lead} if not isinstance(lead, UnsetType) else set()
    if not isinstance(partner_ids, UnsetType):
        wanted |= set(partner_ids)
        if len(set(partner_ids)) != len(partner_ids):
            changes.problem(
                FieldError(
                    N_("An organization is listed twice."),
                    "duplicate",
                    pointer="/partner_organization_ids",
                )
            )
    if wanted:
        known = {
            row["id"]
            for row in await Organization.select(Organization.id).where(
                Organization.id.is_in(list(wanted))
            )
        }
        if not isinstance(lead, UnsetType) and lead not in known:
            changes.problem(
                FieldError(
                    N_("There is no organization with this id."),
                    "unknown_organization",
                    pointer="/lead_organization_id",
                )
            )
        if not isinstance(partner_ids, UnsetType):
            for index, partner in enumerate(partner_ids):
                if partner not in known:
                    changes.problem(
                        FieldError(
                            N_("There is no organization with this id."),
                            "unknown_organization",
                            pointer=f"/partner_organization_ids/{index}",
                        )
                    )
    changes.raise_problems()
    final_lead = changes.final("lead_organization")
    partners = (
        None
        if isinstance(partner_ids, UnsetType)
        else [partner for partner in partner_ids if partner != final_lead]
    )
    return changes.values, partners


def _check_forum_times(changes: InputChecks) -> None:
    starts_at, ends_at = changes.final("starts_at"), changes.final("ends_at")
    if starts_at is None or ends_at is None:
        return
    if ends_at <= starts_at:
        changes.problem(
            FieldError(
                N_("The end must be after the start."), "ends_before_start", pointer="/ends_at"
            )
        )
    opens, closes = changes.final("registration_opens_at"), changes.final("registration_closes_at")
    if opens is not None and closes is not None and closes <= opens:
        changes.problem(
            FieldError(
                N_("Registration must close after it opens."),
                "registration_window",
                pointer="/registration_closes_at",
            )
        )
    for name in ("interest_deadline", "registration_opens_at", "registration_closes_at"):
        value = changes.final(name)
        if value is not None and value > ends_at:
            changes.problem(
                FieldError(
                    N_("This must be before the end of the forum."),
                    "after_forum_end",
                    pointer=f"/{name}",
                )
            )
