"""The expertise topics of sustainable public procurement: a fixed vocabulary of stable keys.

Profiles name the topics people work on, and the board tags its threads with the same keys, so
that someone looking for "circular economy" finds both the people and the discussions. Keys are
stored in the database and never change; labels are catalog texts, shown in the reader's
language. Adding a topic means adding a line here and translating its label.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mupass_forum.i18n import N_, current_locale, gettext
from mupass_forum.i18n.collation import collated


@dataclass(frozen=True, slots=True)
class Topic:
    #: Stable key, as stored and as the API takes it (``circular_economy``).
    key: str
    #: The English label, a catalog message id; ``label()`` gives it in the reader's language.
    label: str


#: The vocabulary, in the order organizers think of it (``topic_list()`` sorts by label).
TOPICS: tuple[Topic, ...] = (
    # i18n: An expertise topic of a participant or a tag of a board thread.
    Topic("legal_framework", N_("Legal framework for public procurement")),
    Topic("procurement_strategy", N_("Procurement strategy and policy")),
    Topic("e_procurement", N_("E-procurement")),
    Topic("green_procurement", N_("Green procurement")),
    Topic("circular_economy", N_("Circular economy")),
    Topic("climate_protection", N_("Climate protection and energy efficiency")),
    Topic("social_procurement", N_("Social procurement")),
    Topic("fair_trade", N_("Fair trade and ILO labour standards")),
    Topic("human_rights_due_diligence", N_("Human rights due diligence in supply chains")),
    Topic("sustainability_criteria", N_("Sustainability criteria and labels")),
    Topic("life_cycle_costing", N_("Life-cycle costing")),
    Topic("market_engagement", N_("Market engagement and dialogue with suppliers")),
    Topic("innovation_procurement", N_("Innovation procurement")),
    Topic("monitoring", N_("Monitoring and evaluation")),
    Topic("capacity_building", N_("Training and capacity building")),
    Topic("municipal_partnerships", N_("Municipal partnerships")),
)

_BY_KEY: Mapping[str, Topic] = {topic.key: topic for topic in TOPICS}
#: The longest key, for columns that store keys.
KEY_LENGTH = 64


def is_topic(key: str) -> bool:
    """Whether ``key`` is a topic of the vocabulary."""
    return key in _BY_KEY


def topic(key: str) -> Topic:
    """The topic ``key``; ``KeyError`` when ``is_topic(key)`` is false."""
    return _BY_KEY[key]


def label(key: str) -> str:
    """The label of topic ``key`` in the active locale."""
    return gettext(_BY_KEY[key].label)


def topic_list() -> list[tuple[str, str]]:
    """``(key, label)`` of every topic, labelled and sorted for readers of the active locale."""
    labelled = [(entry.key, gettext(entry.label)) for entry in TOPICS]
    return collated(labelled, lambda item: item[1], current_locale())
