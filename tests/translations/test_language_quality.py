"""Texts a native reader judges: counted texts agree with their number, statuses with their
noun, and the mails of the registration funnel read as letters in every language."""

from __future__ import annotations

import pytest

from mupass_forum.errors import field_error_from_message
from mupass_forum.forums.schemas import ForumStatus
from mupass_forum.forums.terms import STATUS_LABELS as FORUM_STATUS_LABELS
from mupass_forum.i18n import gettext, use_locale
from mupass_forum.mail.templates import MailTemplate, render
from mupass_forum.registrations import mails
from mupass_forum.registrations.schemas import RegistrationStatus
from mupass_forum.registrations.status import STATUS_LABELS as REGISTRATION_STATUS_LABELS

LOCALES = ("de", "en", "fr", "es")
NBSP = "\u00a0"


SIZES = (0, 1, 2, 1_000_000)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", ("0 characters", "1 character", "2 characters", "1000000 characters")),
        ("de", ("0 Zeichen", "1 Zeichen", "2 Zeichen", "1000000 Zeichen")),
        ("fr", ("0 caractère", "1 caractère", "2 caractères", "1000000 caractères")),
        ("es", ("0 caracteres", "1 carácter", "2 caracteres", "1000000 caracteres")),
    ],
)
def test_length_limits_agree_with_their_number(client, locale, expected):
    for size, words in zip(SIZES, expected, strict=True):
        error = field_error_from_message(f"Expected `str` of length >= {size}", "title", "body")
        with use_locale(locale):
            detail = error.render()["detail"]
        assert words in detail, (locale, size, detail)


@pytest.mark.parametrize(
    ("locale", "forum", "registration"),
    [
        ("de", "Abgesagt", "Storniert"),
        ("fr", "Annulé", "Annulée"),
        ("es", "Cancelado", "Cancelada"),
    ],
)
def test_cancelled_agrees_with_a_forum_and_with_a_registration(client, locale, forum, registration):
    with use_locale(locale):
        assert gettext(FORUM_STATUS_LABELS[ForumStatus.CANCELLED]) == forum
        assert gettext(REGISTRATION_STATUS_LABELS[RegistrationStatus.CANCELLED]) == registration


FUNNEL = [
    template
    for template in vars(mails).values()
    if isinstance(template, MailTemplate)
]  # fmt: skip
CONTEXT = {
    "forum": "MUPASS-Dialogforum 2027",
    "dates": "4–6 May 2027",
    "given_name": "Ada",
    "display_name": "Ada Lovelace",
    "badge_number": 17,
    "position": 3,
    "reason": "Alle Plätze sind vergeben.",
    "link": "https://forum.example.org/x",
    "consent_link": "https://forum.example.org/consent/x",
}
QUOTED = {
    "en": "“MUPASS-Dialogforum 2027”",
    "de": "„MUPASS-Dialogforum 2027“",
    "fr": f"«{NBSP}MUPASS-Dialogforum 2027{NBSP}»",
    "es": "«MUPASS-Dialogforum 2027»",
}


@pytest.mark.parametrize("locale", LOCALES)
def test_funnel_mails_read_as_letters(client, locale):
    """After the greeting each body starts as a sentence; the forum's title is quoted."""
    assert len(FUNNEL) >= 10
    for template in FUNNEL:
        mail = render(template, locale, "Europe/Berlin", CONTEXT)
        greeting, first, *_ = mail.text.split("\n\n")
        if locale == "es":
            assert greeting.startswith("Hola, ") and greeting.endswith(":"), greeting
        # German writes on in lower case after "Hallo …," (DIN 5008) unless the word is a
        # noun; the other languages begin a new sentence.
        if locale != "de":
            assert first[0].isupper(), (template.name, first)
        quoted = 0
        for block in [mail.subject, *mail.text.split("\n\n")]:
            # A title that opens a subject ("… is cancelled") needs no quotes.
            if CONTEXT["forum"] in block and not block.startswith(CONTEXT["forum"]):
                assert QUOTED[locale] in block, (template.name, block)
                quoted += 1
        assert quoted, template.name


@pytest.mark.parametrize(
    ("locale", "reason_line"),
    [
        ("en", "The organizers’ reason: Alle Plätze sind vergeben."),
        ("de", "Begründung des Organisationsteams: Alle Plätze sind vergeben."),
        ("fr", f"Motif donné par les organisateurs{NBSP}: Alle Plätze sind vergeben."),
        ("es", "Motivo indicado por los organizadores: Alle Plätze sind vergeben."),
    ],
)
def test_the_decline_mail_gives_the_organizers_reason(client, locale, reason_line):
    mail = render(mails.REGISTRATION_DECLINED, locale, "Europe/Berlin", CONTEXT)
    assert reason_line in mail.text.split("\n\n")
