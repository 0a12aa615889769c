"""Locale negotiation, gettext catalogs and formatting in the reader's language."""

from mupass_forum.i18n.formatting import (
    format_date,
    format_datetime,
    format_number,
    format_percent,
    format_time,
    language_name,
)
from mupass_forum.i18n.locale import (
    N_,
    CatalogError,
    Catalogs,
    _,
    activate,
    current_locale,
    current_timezone,
    gettext,
    lazy_gettext,
    negotiate,
    ngettext,
    prefer_locale,
    supported_locales,
    use_locale,
)

__all__ = [
    "N_",
    "CatalogError",
    "Catalogs",
    "_",
    "activate",
    "current_locale",
    "current_timezone",
    "format_date",
    "format_datetime",
    "format_number",
    "format_percent",
    "format_time",
    "gettext",
    "language_name",
    "lazy_gettext",
    "negotiate",
    "ngettext",
    "prefer_locale",
    "supported_locales",
    "use_locale",
]
