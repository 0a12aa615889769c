"""/api/v1/topics and /api/v1/languages, and the topic lookup the board shares."""

from __future__ import annotations

import pytest

from mupass_forum.i18n import use_locale
from mupass_forum.i18n.collation import sort_key
from mupass_forum.participants import topics


@pytest.mark.parametrize(
    ("lang", "label"),
    [
        ("de", "Kreislaufwirtschaft"),
        ("en", "Circular economy"),
        ("fr", "Économie circulaire"),
        ("es", "Economía circular"),
    ],
)
def test_topics_are_labelled_and_sorted_in_the_readers_language(client, lang, label):
    response = client.get("/api/v1/topics", params={"lang": lang})

    items = response.json()["items"]
    assert {item["key"] for item in items} == {topic.key for topic in topics.TOPICS}
    assert {"key": "circular_economy", "label": label} in items
    labels = [item["label"] for item in items]
    assert labels == sorted(labels, key=lambda text: sort_key(text, lang))


def test_the_topic_lookup_api(client):
    assert topics.is_topic("e_procurement")
    assert not topics.is_topic("E-procurement")
    assert topics.topic("monitoring").key == "monitoring"
    with use_locale("fr"):
        assert topics.label("green_procurement") == "Achats publics écologiques"
    with pytest.raises(KeyError):
        topics.topic("astrology")


def test_languages_are_iso_639_1_named_and_collated(client):
    items = client.get("/api/v1/languages", params={"lang": "fr"}).json()["items"]

    codes = [item["code"] for item in items]
    assert len(codes) == 184
    assert {"code": "sw", "name": "swahili"} in items
    assert {"code": "de", "name": "allemand"} in items
    names = [item["name"] for item in items]
    assert names == sorted(names, key=lambda text: sort_key(text, "fr"))
    # "éwé" sorts among the e's for a French reader, not after "z".
    assert names.index("éwé") < names.index("finnois")
