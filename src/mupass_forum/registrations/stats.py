"""Regional statistics of a forum: interest and registrations by region, country and group.

Two queries (confirmed interest and registrations, each grouped by everything the rows are
counted by); every dimension is summed up from them in Python. Regions, countries and groups
come from the interest form and from the participants' profiles; people who did not say are
counted as "not stated".

Three forms of the same figures: JSON, CSV (UTF-8 with a byte order mark, so spreadsheet
programs guess no other encoding; ``;`` between fields where the reader's language writes
decimal commas, as spreadsheet programs there expect, else ``,``) and an SVG bar chart.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from enum import StrEnum
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import msgspec
from babel import numbers

from mupass_forum import regions
from mupass_forum.accounts.principal import Principal
from mupass_forum.forums.queries import editable_forum
from mupass_forum.i18n import N_, format_percent, gettext
from mupass_forum.i18n.collation import sort_key
from mupass_forum.i18n.locale import babel_locale, current_locale
from mupass_forum.participants.services import government_level_label, stakeholder_group_label
from mupass_forum.registrations import schemas
from mupass_forum.registrations.desk import desk_of
from mupass_forum.registrations.schemas import RegistrationStatus
from mupass_forum.registrations.status import SEATED, status_label
from mupass_forum.registrations.tables import Interest, Registration
from mupass_forum.rows import rows_as
from mupass_forum.spreadsheets import csv_bytes


class StatsFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    SVG = "svg"


#: The dimensions, in the order they are shown.
DIMENSIONS: Mapping[str, str] = {
    "region": N_("Region"),
    "sub_region": N_("Sub-region"),
    "country": N_("Country"),
    # i18n: Public administration, business, civil society, ...
    "stakeholder_group": N_("Stakeholder group"),
    # i18n: National, state or municipal.
    "government_level": N_("Level of government"),
}

# i18n: In statistics: people who did not give their region, country or group.
NOT_STATED = N_("Not stated")

# i18n: In the regional balance: people from outside the regions the targets name.
OTHER_AREAS = N_("Other regions")

_COLUMNS = ", ".join(DIMENSIONS)

#: Registrations with what they are counted by: the profile's fields, or for an erased account
#: the copy its anonymized registration keeps, so that erasure leaves the figures as they were.
_REGISTERED = (
    "SELECT r.status, "  # noqa: S608
    + ", ".join(
        f"CASE WHEN r.anonymized_at IS NULL THEN p.{name} ELSE r.{name} END AS {name}"
        for name in DIMENSIONS
    )
    + ' FROM registration r LEFT JOIN participant_profile p ON p."user" = r."user" '
    "WHERE r.forum = {}"
)


class _Counted(msgspec.Struct, frozen=True, kw_only=True):
    """People counted alike: what they are counted by (null: not stated), and how many."""

    region: str | None
    sub_region: str | None
    country: str | None
    stakeholder_group: str | None
    government_level: str | None
    n: int

    def stated(self, dimension: str) -> str | None:
        """What the people said for ``dimension`` (a key of ``DIMENSIONS``)."""
        value: str | None = getattr(self, dimension)
        return value


class _CountedRegistrations(_Counted, frozen=True, kw_only=True):
    status: str


def _label(dimension: str, key: str | None) -> str:
    if key is None:
        return gettext(NOT_STATED)
    if dimension in ("region", "sub_region", "country"):
        return regions.name(key)
    if dimension == "stakeholder_group":
        return stakeholder_group_label(key).label
    return government_level_label(key).label


def _count(count: int, total: int) -> schemas.Count:
    share = count / total if total else None
    return schemas.Count(
        count=count,
        share=share,
        share_text=format_percent(share, decimals=1) if share is not None else "–",
    )


async def forum_stats(principal: Principal, slug: str) -> schemas.Stats:
    """Counts and shares by region, sub-region, country and group, next to the targets."""
    forum = await editable_forum(principal, slug)
    interest_rows = await Interest.raw(
        f"SELECT {_COLUMNS}, COUNT(*) AS n FROM registration_interest "  # noqa: S608
        f"WHERE forum = {{}} AND confirmed_at IS NOT NULL GROUP BY {_COLUMNS}",
        forum.id,
    )
    registered_rows = await Registration.raw(
        f"SELECT status, {_COLUMNS}, COUNT(*) AS n FROM ({_REGISTERED}) counted "  # noqa: S608
        f"GROUP BY status, {_COLUMNS}",
        forum.id,
    )
    interest = rows_as(interest_rows, _Counted)
    registered = rows_as(registered_rows, _CountedRegistrations)
    desk = await desk_of(forum.id)
    statuses = [status.value for status in RegistrationStatus]
    interest_total = sum(row.n for row in interest)
    totals = dict.fromkeys(statuses, 0)
    for counted in registered:
        totals[counted.status] += counted.n

    dimensions: list[schemas.StatsDimension] = []
    for dimension, title in DIMENSIONS.items():
        interest_by: dict[str | None, int] = defaultdict(int)
        status_by: dict[str | None, dict[str, int]] = defaultdict(
            lambda: dict.fromkeys(statuses, 0)
        )
        for interested in interest:
            interest_by[interested.stated(dimension)] += interested.n
        for counted in registered:
            status_by[counted.stated(dimension)][counted.status] += counted.n
        targets = {
            code: share
            for code, share in desk.target_shares.items()
            if dimension in ("region", "sub_region") and regions.region(code).level == dimension
        }
        keys = set(interest_by) | set(status_by) | set(targets)

        # Most seats first, then most interest, then by name as the reader's language sorts
        # ("África" before "Europa"); "not stated" last.
        ranks = {
            key: (
                key is None,
                -sum(status_by[key][status.value] for status in SEATED),
                -interest_by[key],
                sort_key(_label(dimension, key)),
            )
            for key in keys
        }
        rows = [
            schemas.StatsRow(
                key=key,
                label=_label(dimension, key),
                interest=_count(interest_by[key], interest_total),
                registrations={
                    status: _count(status_by[key][status], totals[status]) for status in statuses
                },
                target=_target(targets[key], forum.capacity)
                if key is not None and key in targets
                else None,
            )
            for key in sorted(keys, key=ranks.__getitem__)
        ]
        dimensions.append(
            schemas.StatsDimension(dimension=dimension, label=gettext(title), rows=rows)
        )
    return schemas.Stats(
        forum=forum.slug,
        capacity=forum.capacity,
        interest_total=interest_total,
        registration_totals=totals,
        dimensions=dimensions,
        balance=_balance(dimensions, desk.target_shares, totals, interest_total, forum.capacity),
    )


def _balance(
    dimensions: list[schemas.StatsDimension],
    targets: Mapping[str, float],
    totals: Mapping[str, int],
    interest_total: int,
    capacity: int | None,
) -> list[schemas.BalanceRow]:
    """The rows of the regional balance: each area a target names, then everyone else."""
    rows = {
        row.key: row
        for dimension in dimensions
        if dimension.dimension in ("region", "sub_region")
        for row in dimension.rows
        if row.key is not None
    }
    seats_total = sum(totals[status] for status in SEATED)
    waiting_total = totals[RegistrationStatus.WAITLISTED.value]
    codes = (
        list(targets) if targets else [row.key for row in dimensions[0].rows if row.key is not None]
    )
    balance: list[schemas.BalanceRow] = []
    for code in sorted(
        codes, key=lambda code: (-targets.get(code, 0), sort_key(regions.name(code)))
    ):
        row = rows.get(code)
        seats = sum(row.registrations[status].count for status in SEATED) if row else 0
        waiting = row.registrations[RegistrationStatus.WAITLISTED.value].count if row else 0
        interest = row.interest.count if row else 0
        target = _target(targets[code], capacity) if code in targets else None
        balance.append(
            _balance_row(
                code,
                regions.name(code),
                seats,
                waiting,
                interest,
                target,
                seats_total,
                waiting_total,
                interest_total,
            )
        )
    if targets:
        seats = seats_total - sum(row.seats.count for row in balance)
        waiting = waiting_total - sum(row.waitlisted.count for row in balance)
        interest = interest_total - sum(row.interest.count for row in balance)
        label = gettext(OTHER_AREAS)
        balance.append(
            _balance_row(
                None,
                label,
                max(0, seats),
                max(0, waiting),
                max(0, interest),
                None,
                seats_total,
                waiting_total,
                interest_total,
            )
        )
    return balance


def _balance_row(
    key: str | None,
    label: str,
    seats: int,
    waiting: int,
    interest: int,
    target: schemas.Count | None,
    seats_total: int,
    waiting_total: int,
    interest_total: int,
) -> schemas.BalanceRow:
    share = _count(seats, seats_total)
    gap = None
    if target is not None and target.share is not None:
        gap = round(((share.share or 0.0) - target.share) * 100, 1)
    return schemas.BalanceRow(
        key=key,
        label=label,
        seats=share,
        waitlisted=_count(waiting, waiting_total),
        interest=_count(interest, interest_total),
        target=target,
        gap_points=gap,
        gap_text=""
        if gap is None
        else numbers.format_decimal(gap, format="+0.0;-0.0", locale=babel_locale()),
    )


def _target(percent: float, capacity: int | None) -> schemas.Count:
    share = percent / 100
    return schemas.Count(
        count=round(share * capacity) if capacity else 0,
        share=share,
        share_text=format_percent(share, decimals=1 if percent % 1 else 0),
    )


def render(stats: schemas.Stats, form: StatsFormat) -> tuple[bytes, str]:
    """The figures as the body of a response, and its media type."""
    if form == StatsFormat.CSV:
        return stats_csv(stats), "text/csv; charset=utf-8"
    if form == StatsFormat.SVG:
        return stats_svg(stats), "image/svg+xml"
    return msgspec.json.encode(stats), "application/json"


# CSV -------------------------------------------------------------------------------------------


def _percent_number(share: float | None) -> str:
    """A share as a plain number of percent, with the reader's decimal sign ("40,0")."""
    if share is None:
        return ""
    return numbers.format_decimal(share * 100, format="0.0", locale=babel_locale())


def stats_csv(stats: schemas.Stats) -> bytes:
    statuses = [status.value for status in RegistrationStatus]
    header = [
        gettext(N_("Dimension")),
        gettext(N_("Code")),
        gettext(N_("Name")),
        gettext(N_("Interest")),
        gettext(N_("Interest (%)")),
    ]
    for status in statuses:
        name = status_label(status).label
        header += [name, gettext(N_("{status} (%)"), status=name)]
    header += [gettext(N_("Target (%)"))]
    rows: list[list[Any]] = [header]
    for dimension in stats.dimensions:
        for row in dimension.rows:
            line: list[Any] = [
                dimension.label,
                row.key or "",
                row.label,
                row.interest.count,
                _percent_number(row.interest.share),
            ]
            for status in statuses:
                count = row.registrations[status]
                line += [count.count, _percent_number(count.share)]
            line.append(_percent_number(row.target.share) if row.target else "")
            rows.append(line)
    return csv_bytes(rows)


# SVG -------------------------------------------------------------------------------------------

_WIDTH = 720
_LABEL_WIDTH = 240
_BAR_WIDTH = 380
_ROW = 30
_TOP = 70


def stats_svg(stats: schemas.Stats) -> bytes:
    """A bar chart of seats by the areas the targets name (by region without targets), each with
    its target line, labelled in the reader's language."""
    title = gettext(N_("Seats by region"))
    legend_seats = gettext(N_("Share of confirmed seats"))
    legend_target = gettext(N_("Target share"))
    height = _TOP + _ROW * max(1, len(stats.balance)) + 30
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{height}" '
        f'viewBox="0 0 {_WIDTH} {height}" role="img" '
        f"aria-label={quoteattr(title)} xml:lang={quoteattr(current_locale())} "
        'font-family="Helvetica, Arial, sans-serif" font-size="13">',
        f"<title>{escape(title)}</title>",
        f'<text x="10" y="24" font-size="17" font-weight="bold">{escape(title)}</text>',
        '<rect x="10" y="38" width="14" height="10" fill="#0f5e9c"/>',
        f'<text x="30" y="47">{escape(legend_seats)}</text>',
        '<rect x="290" y="42" width="14" height="2" fill="#c2410c"/>',
        f'<text x="310" y="47">{escape(legend_target)}</text>',
    ]
    for index, row in enumerate(stats.balance):
        y = _TOP + index * _ROW
        share = row.seats.share or 0.0
        width = round(_BAR_WIDTH * share, 1)
        text = f"{format_percent(share, decimals=1)} ({row.seats.count})"
        parts += [
            f'<text x="10" y="{y + 15}">{escape(row.label)}</text>',
            f'<rect x="{_LABEL_WIDTH}" y="{y + 4}" width="{_BAR_WIDTH}" height="16" '
            'fill="#e5e7eb"/>',
            f'<rect x="{_LABEL_WIDTH}" y="{y + 4}" width="{width}" height="16" fill="#0f5e9c"/>',
            f'<text x="{_LABEL_WIDTH + _BAR_WIDTH + 8}" y="{y + 16}">{escape(text)}</text>',
        ]
        if row.target is not None and row.target.share is not None:
            x = round(_LABEL_WIDTH + _BAR_WIDTH * row.target.share, 1)
            parts.append(
                f'<line x1="{x}" y1="{y}" x2="{x}" y2="{y + 24}" stroke="#c2410c" '
                'stroke-width="2"/>'
            )
    parts.append("</svg>")
    return ("\n".join(parts) + "\n").encode("utf-8")
