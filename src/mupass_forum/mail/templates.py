"""Mail templates: message ids for each part, rendered in the recipient's language.

A template only names texts; the texts themselves live in the catalogs, so translators own
every word of a mail. Rendering happens when the mail is queued (or just before, outside a
lock, with a few fields written in at queueing: ``fill_in``), inside the recipient's locale
and time zone, and the outbox keeps the result: a later catalog change never alters a mail
that is already waiting.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from babel.support import LazyProxy

from mupass_forum.i18n import (
    N_,
    PluralText,
    format_date,
    format_datetime_with_zone,
    format_number,
    gettext,
    use_locale,
)


@dataclass(frozen=True)
class MailTemplate:
    """One kind of mail; every text is an ``N_()``-marked message id with ``{named}`` fields."""

    #: Unique and stable (``accounts.verify_email``): stored with each mail for operators.
    name: str
    subject: str
    #: A counted paragraph (``NP_``) takes its count from the context's ``n``.
    paragraphs: tuple[str | PluralText, ...]
    #: ``(button label message id, context key of the URL)``.
    action: tuple[str, str] | None = None
    #: A closing note in smaller print (why the reader got this mail, what to do if unwanted).
    footer: str | None = None


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


_BREAKS = re.compile(r"[ \t\r\n\f\v]+")

#: The line above the bare URL, for readers whose mail program hides the button.
LINK_FALLBACK = N_("If the button does not work, copy this address into your browser:")

#: The button of a mail in its plain text version, above its address.
# i18n: {label} is the button's text ("Confirm your address"); the colon as your language
# writes it (French: with a no-break space before it).
ACTION_LINE = N_("{label}:")


def _is_link(key: str, value: Any) -> bool:
    """Whether a context value is one of the service's links (``link``, ``url``, ``*_link``,
    ``*_url``): those open pages, which should speak the mail's language."""
    named_as_link = key in {"link", "url"} or key.endswith(("_link", "_url"))
    return named_as_link and isinstance(value, str) and value.startswith(("http://", "https://"))


def with_language(url: str, locale: str) -> str:
    """``url`` asking for ``locale`` (``lang=``): a page opened from a mail speaks the mail's
    language, whatever the browser prefers."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("lang", locale)])))


#: Context keys whose whole numbers name something rather than count it (a badge number, a
#: reference, a year): written as they are, "1234", never grouped as "1.234" or "1 234".
IDENTIFIER_KEYS = ("number", "reference", "year", "id", "ticket", "edition", "code")


def is_identifier(key: str) -> bool:
    return key.rsplit("_", 1)[-1] in IDENTIFIER_KEYS


def format_value(value: Any, key: str = "") -> Any:
    """A context value as the recipient reads it: dates, times and numbers through Babel.

    A moment is written to the minute with the recipient's time zone named ("04.05.2030,
    12:30 (Mitteleuropäische Sommerzeit)"): readers are spread over several zones.
    """
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError(
                "mail context datetimes must be aware (they are shown in the recipient's time zone)"
            )
        return format_datetime_with_zone(value)
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) and is_identifier(key):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return format_number(value)
    if isinstance(value, LazyProxy):
        return str(value)
    return value


#: Stands for a field filled in later (``render``'s ``later``): private-use characters that no
#: translation contains, and a nonce of this process that no typed value can know.
_LATER_MARK = "\ue000{key}:" + secrets.token_hex(8) + "\ue001"


def render(
    template: MailTemplate,
    locale: str,
    timezone: str | None,
    context: Mapping[str, Any],
    later: Collection[str] = (),
) -> RenderedMail:
    """The subject, plain text and HTML of ``template`` for one recipient.

    The fields named in ``later`` (plain values such as numbers, not links) are left as marks
    that ``fill_in`` replaces: a mail can be rendered before the values it names are decided,
    and the work left for that moment is a few string replacements.
    """
    context = {
        key: with_language(value, locale) if _is_link(key, value) else value
        for key, value in context.items()
    }
    context.update({key: _LATER_MARK.format(key=key) for key in later})
    with use_locale(locale, timezone) as active:
        values = {key: format_value(value, key) for key, value in context.items()}
        # Line breaks cannot be in a subject; no-break spaces (French « … ») stay.
        subject = _BREAKS.sub(" ", gettext(template.subject, **values)).strip()
        paragraphs = [
            paragraph.translate(int(context["n"]), **values)
            if isinstance(paragraph, PluralText)
            else gettext(paragraph, **values)
            for paragraph in template.paragraphs
        ]
        footer = gettext(template.footer, **values) if template.footer else None
        action: tuple[str, str] | None = None
        if template.action is not None:
            label, url_key = template.action
            action = (gettext(label, **values), str(context[url_key]))
        fallback = gettext(LINK_FALLBACK)
        links = [value for key, value in context.items() if _is_link(key, value)]
        return RenderedMail(
            subject=subject,
            text=_text(paragraphs, action, footer),
            html=_html(active.locale, subject, paragraphs, action, fallback, footer, links),
        )


def fill_in(
    mail: RenderedMail, locale: str, timezone: str | None, values: Mapping[str, Any]
) -> RenderedMail:
    """``mail`` with the fields ``render`` left for later written as ``render`` writes them."""
    with use_locale(locale, timezone):
        written = {key: str(format_value(value, key)) for key, value in values.items()}
    subject, text, markup = mail.subject, mail.text, mail.html
    for key, value in written.items():
        mark = _LATER_MARK.format(key=key)
        subject = subject.replace(mark, _BREAKS.sub(" ", value))
        text = text.replace(mark, value)
        markup = markup.replace(mark, html.escape(value))
    return replace(mail, subject=subject, text=text, html=markup)


def _text(paragraphs: list[str], action: tuple[str, str] | None, footer: str | None) -> str:
    blocks = list(paragraphs)
    if action is not None:
        label, url = action
        blocks.append(f"{gettext(ACTION_LINE, label=label)}\n{url}")
    if footer:
        blocks.append(f"-- \n{footer}")
    return "\n\n".join(blocks) + "\n"


_BODY = "margin:0;padding:24px 12px;background:#f3f4f6;"
_CARD = (
    "max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:32px;"
    "font-family:Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;color:#1f2937;"
)
_PARAGRAPH = "margin:0 0 16px 0;"
_BUTTON = (
    "display:inline-block;background:#0f5e9c;color:#ffffff;text-decoration:none;"
    "padding:12px 20px;border-radius:6px;font-weight:bold;"
)
_SMALL = "margin:16px 0 0 0;font-size:13px;color:#6b7280;word-break:break-all;"


def _linked(escaped: str, links: list[str]) -> str:
    """The service's own ``links`` in an escaped paragraph made links (such as the consent
    withdrawal note's). Any other address stays text: it may come from a value someone typed
    (a display name "confirm at https://…"), and a link there would pass for ours.

    The address is taken from the escaped text, so it stays escaped inside ``href``.
    """
    # Found by plain searches, not a pattern: each recipient's links differ, and compiling a
    # pattern of them was most of a mail's rendering time. At each place the longest link wins.
    escaped_links = sorted(
        {escaped_link for link in links if (escaped_link := html.escape(link)) in escaped},
        key=len,
        reverse=True,
    )
    parts: list[str] = []
    start = 0
    while escaped_links:
        found = [(escaped.find(link, start), index) for index, link in enumerate(escaped_links)]
        at, index = min((place for place in found if place[0] >= 0), default=(-1, 0))
        if at < 0:
            break
        link = escaped_links[index]
        parts.append(f'{escaped[start:at]}<a href="{link}">{link}</a>')
        start = at + len(link)
    return "".join(parts) + escaped[start:]


def _html(
    locale: str,
    subject: str,
    paragraphs: list[str],
    action: tuple[str, str] | None,
    fallback: str,
    footer: str | None,
    links: list[str],
) -> str:
    # Each paragraph is escaped as a whole once its fields are filled in, so neither a
    # translation nor a context value can add markup.
    escape = html.escape
    parts = [f'<p style="{_PARAGRAPH}">{_linked(escape(text), links)}</p>' for text in paragraphs]
    if action is not None:
        label, url = action
        href = escape(url, quote=True)
        parts.append(
            f'<p style="margin:24px 0;"><a href="{href}" style="{_BUTTON}">{escape(label)}</a></p>'
            f'<p style="{_SMALL}">{escape(fallback)}<br><a href="{href}">{escape(url)}</a></p>'
        )
    if footer:
        parts.append(f'<p style="{_SMALL}">{escape(footer)}</p>')
    body = "\n".join(parts)
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(locale)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(subject)}</title>\n</head>\n"
        f'<body style="{_BODY}">\n<div style="{_CARD}">\n{body}\n</div>\n</body>\n</html>\n'
    )
