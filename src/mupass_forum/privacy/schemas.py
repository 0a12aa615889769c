"""What the personal data API takes and gives."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

import msgspec
from msgspec import Meta

Password = Annotated[str, Meta(max_length=1024)]


class ErasureChannel(StrEnum):
    SELF_SERVICE = "self_service"
    ADMIN = "admin"
    COMMAND_LINE = "command_line"


class MyErasure(msgspec.Struct, forbid_unknown_fields=True):
    """Deleting one's own account: the current password confirms it."""

    password: Password
    #: Remove my board posts as well, instead of keeping them as a former participant's.
    remove_posts: bool = False


class ErasureCreate(msgspec.Struct, forbid_unknown_fields=True):
    """An admin's erasure on the person's request."""

    remove_posts: bool = False


class OrganizationLeft(msgspec.Struct):
    id: int
    name: str


class ErasureReceipt(msgspec.Struct):
    """What an erasure did; the account id is what stays behind, naming nobody."""

    account_id: int
    erased_at: datetime
    posts_removed: bool
    #: Organizations the person was the only admin of: a platform admin names a new one.
    organizations_without_admin: list[OrganizationLeft] = msgspec.field(default_factory=list)


class ExportFormat(StrEnum):
    JSON = "json"
    ZIP = "zip"


class ForumRetention(msgspec.Struct):
    """How long a forum's personal details are kept, and what retention did with them."""

    forum: str
    #: The forum's own period in days, or null for the service's default.
    retention_days: int | None
    default_days: int
    #: The period that applies, and when it ends for this forum (once the forum is held).
    effective_days: int
    shred_after: datetime
    shredded_at: datetime | None
    consent_cleared_at: datetime | None


class ForumRetentionUpdate(msgspec.Struct, forbid_unknown_fields=True):
    #: Days after the forum's end; null returns to the service's default.
    retention_days: Annotated[int, Meta(ge=1, le=36500)] | None


# Data held under an address, for people without an account -----------------------------------


class AddressAccessRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Ask for a link to the data held under an address; it is mailed there."""

    email: Annotated[str, Meta(max_length=320)]
    #: The language of the mail and the page (one of the service's); default: the request's.
    locale: str | None = None


class AddressAccessAccepted(msgspec.Struct):
    """The same answer whether anything is held under the address or not."""

    message: str


class AddressToken(msgspec.Struct, forbid_unknown_fields=True):
    token: Annotated[str, Meta(max_length=600)]


class AddressErasureReceipt(msgspec.Struct):
    erased_at: datetime
    #: Expressions of interest removed (or, for forums that are over, anonymized).
    interest: int
    #: Mails to the address removed.
    mails: int
