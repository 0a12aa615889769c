"""The statuses of a registration: which hold a seat, which may start again, their names."""

from __future__ import annotations

from collections.abc import Mapping

from babel.support import LazyProxy

from mupass_forum.forums.schemas import Label
from mupass_forum.i18n import NC_, gettext
from mupass_forum.registrations.schemas import RegistrationStatus

Status = RegistrationStatus


#: Statuses that hold a seat.
SEATED = (Status.CONFIRMED, Status.ATTENDED)
#: Statuses that hold or wait for a seat: a cancelled forum cancels them.
ACTIVE = (Status.CONFIRMED, Status.WAITLISTED, Status.PENDING_APPROVAL)
#: Statuses after which the person may register again while registration is open.
ENDED = (Status.CANCELLED, Status.DECLINED)

STATUS_LABELS: Mapping[Status, str] = {
    # i18n: Status of a registration.
    Status.CONFIRMED: NC_("registration status", "Confirmed"),
    Status.WAITLISTED: NC_("registration status", "On the waiting list"),
    Status.PENDING_APPROVAL: NC_("registration status", "Awaiting approval"),
    Status.DECLINED: NC_("registration status", "Declined"),
    Status.CANCELLED: NC_("registration status", "Cancelled"),
    Status.ATTENDED: NC_("registration status", "Attended"),
}


def status_label(value: str) -> Label:
    return Label(value=value, label=gettext(STATUS_LABELS[Status(value)]))


def status_name(status: Status) -> LazyProxy:
    return LazyProxy(gettext, STATUS_LABELS[status], enable_cache=False)
