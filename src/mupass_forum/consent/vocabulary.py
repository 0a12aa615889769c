"""The words of consent: media, purposes, decisions, states, channels and markers, every pair,
and the default notice a forum has until its organizers publish their own."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from babel.support import LazyProxy

from mupass_forum.consent.schemas import Channel, Decision, Marker, Medium, PairState, Purpose
from mupass_forum.i18n import N_, gettext, use_locale
from mupass_forum.i18n.locale import SOURCE_LOCALE, supported_locales
from mupass_forum.i18n.locale import catalogs as i18n_catalogs
from mupass_forum.i18n.text import TranslatableText

# Vocabulary ------------------------------------------------------------------------------------

MEDIUM_LABELS: Mapping[Medium, str] = {
    Medium.PHOTO: N_("Photos"),
    Medium.VIDEO: N_("Videos"),
}

PURPOSE_LABELS: Mapping[Purpose, str] = {
    # i18n: A use of photos and videos: the organizers' own records of the forum.
    Purpose.INTERNAL: N_("Internal documentation"),
    Purpose.WEBSITE: N_("Website and publications"),
    Purpose.SOCIAL_MEDIA: N_("Social media"),
    Purpose.PRESS: N_("Press"),
}

DECISION_LABELS: Mapping[Decision, str] = {
    # i18n: A consent decision: the person agreed.
    Decision.GRANTED: N_("Granted"),
    # i18n: A consent decision: not agreed, or agreement withdrawn.
    Decision.REFUSED: N_("Refused"),
}

STATE_LABELS: Mapping[PairState, str] = {
    PairState.GRANTED: N_("Granted"),
    PairState.REFUSED: N_("Refused"),
    PairState.UNDECIDED: N_("Not decided"),
    # i18n: The consent notice changed materially since the person decided.
    PairState.NEEDS_NEW_CHOICE: N_("New choice needed"),
}

CHANNEL_LABELS: Mapping[Channel, str] = {
    Channel.REGISTRATION: N_("With the registration"),
    Channel.SELF_SERVICE: N_("By the participant, signed in"),
    Channel.SIGNED_LINK: N_("With the link in a mail"),
    # i18n: Recorded at the forum by an organizer, as the person said.
    Channel.ON_SITE: N_("On site, by an organizer on the participant's word"),
}

MARKER_LABELS: Mapping[Marker, str] = {
    # i18n: Badge marker: photos and videos may be taken for every use.
    Marker.GREEN: N_("Green: photos and videos for every use"),
    # i18n: Badge marker: only some media or uses are allowed; check the list.
    Marker.YELLOW: N_("Yellow: some uses only"),
    # i18n: Badge marker: no photos or videos of this person.
    Marker.RED: N_("Red: no photos or videos"),
}

#: Every (medium, purpose) pair, in the order lists show them.
ALL_PAIRS: tuple[tuple[Medium, Purpose], ...] = tuple(
    (medium, purpose) for medium in Medium for purpose in Purpose
)

#: The notice a forum has until its organizers publish their own; translated in the catalogs
#: and stored, in every language, as version 1 the first time the forum's notice is needed.
DEFAULT_NOTICE: tuple[str, ...] = (
    # i18n: Heading of the default photo and video notice of a forum.
    N_("Photos and videos at this forum"),
    N_(
        "During the forum, the organizers and photographers working for them take photos and "
        "make video recordings. They use them to document the forum and, with your consent, "
        "to report on it: on their websites and in their publications, on social media and in "
        "material for the press."
    ),
    N_(
        "You decide separately for photos and for videos, and for each of these uses. Without "
        "your consent, no photo or video in which you can be recognised is published. Your "
        "badge shows the photographers what you have chosen."
    ),
    N_(
        "You can change your choice or withdraw your consent at any time, free of charge and "
        "without giving reasons: in your account, with the link in every mail about the forum, "
        "or by telling the organizers. At the forum, you can also tell the photographer at any "
        "moment that you do not want to be photographed or filmed. A withdrawal applies from "
        "then on; material published before it is removed where this is possible."
    ),
)


def default_notice_text() -> TranslatableText:
    """The default notice in every language of the service whose catalog translates it.

    A published notice never changes, and people consent to its text: a language whose
    catalog lacks any paragraph gets no text of its own (its readers are served another
    language, marked as such) rather than the English text stored under its code for good.
    """
    installed = i18n_catalogs()
    texts: dict[str, str] = {}
    for locale in supported_locales():
        if locale != SOURCE_LOCALE and not all(
            installed.is_translated(locale, paragraph) for paragraph in DEFAULT_NOTICE
        ):
            continue
        with use_locale(locale):
            texts[locale] = "\n\n".join(gettext(paragraph) for paragraph in DEFAULT_NOTICE)
    if not texts:
        texts[SOURCE_LOCALE] = "\n\n".join(DEFAULT_NOTICE)
    return TranslatableText(
        texts=texts, original=SOURCE_LOCALE if SOURCE_LOCALE in texts else next(iter(texts))
    )


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def lazy_text(message: str) -> LazyProxy:
    """``message`` translated when the text it is put in is rendered."""
    return LazyProxy(gettext, message, enable_cache=False)
