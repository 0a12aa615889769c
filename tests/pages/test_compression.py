"""Responses compressed for slow connections: text (pages, JSON, CSV) gzip-encoded when the
client accepts it, the same bytes once decoded; small answers, files compressed already and
clients that do not ask get them plain."""

from __future__ import annotations

import gzip

import pytest

from mupass_forum.compression import compressible
from tests.registrations.conftest import register


def raw_get(client, url: str, encoding: str | None, **headers: str):
    """``url``'s response and its body as it came over the wire (not decoded); ``encoding``
    None sends no ``Accept-Encoding`` at all."""
    request = client.build_request("GET", url, headers=headers)
    del request.headers["accept-encoding"]
    if encoding is not None:
        request.headers["Accept-Encoding"] = encoding
    response = client.send(request, stream=True)
    try:
        return response, b"".join(response.iter_raw())
    finally:
        response.close()


def test_a_page_comes_gzip_encoded_when_asked_and_decodes_to_the_same_html(
    browser, make_forum
) -> None:
    forum = make_forum(status="registration_open", capacity=3)
    url = f"/forums/{forum.slug}?lang=de"

    packed, sent = raw_get(browser, url, "gzip, deflate, br")
    plain, text = raw_get(browser, url, None)

    assert packed.status_code == plain.status_code == 200
    assert packed.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in packed.headers["vary"].lower()
    assert packed.headers["content-type"].startswith("text/html")
    assert int(packed.headers["content-length"]) == len(sent)
    assert len(sent) < len(text) / 2
    assert gzip.decompress(sent) == text
    assert b"<html" in text
    # Asked for nothing, or for no encoding: plain.
    assert "content-encoding" not in plain.headers
    assert int(plain.headers["content-length"]) == len(text)
    identity, same = raw_get(browser, url, "identity")
    assert "content-encoding" not in identity.headers
    assert same == text


def test_json_is_compressed_and_a_small_answer_is_not(client, make_forum) -> None:
    for _ in range(3):
        make_forum(status="registration_open")
    listed, sent = raw_get(client, "/api/v1/forums?limit=50", "gzip")
    assert listed.headers["content-type"].startswith("application/json")
    assert listed.headers["content-encoding"] == "gzip"
    assert gzip.decompress(sent).startswith(b"{")

    live, body = raw_get(client, "/health/live", "gzip")
    assert live.status_code == 200
    assert "content-encoding" not in live.headers
    assert int(live.headers["content-length"]) == len(body) < 1024


@pytest.mark.parametrize(
    ("content_type", "content_encoding", "expected"),
    [
        ("text/html; charset=utf-8", None, True),
        ("application/problem+json", None, True),
        ("text/css", None, True),
        ("text/javascript; charset=utf-8", None, True),
        ("text/csv; charset=utf-8", None, True),
        ("application/pdf", None, False),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", None, False),
        ("application/zip", None, False),
        ("image/png", None, False),
        ("text/html", "br", False),
        (None, None, False),
    ],
)
def test_only_text_not_encoded_yet_is_compressed(content_type, content_encoding, expected) -> None:
    assert compressible(content_type, content_encoding) is expected


def test_the_csv_download_is_compressed_and_the_xlsx_one_is_left_as_it_is(
    client, make_forum, make_account
) -> None:
    forum = make_forum(status="registration_open", capacity=40)
    for _ in range(12):
        register(client, forum, make_account(), dietary_needs="Vegetarian, no nuts")
    export = f"/api/v1/forums/{forum.slug}/registrations/export"
    admin = forum.admin.headers

    csv_file, csv_sent = raw_get(client, f"{export}?format=csv", "gzip", **admin)
    xlsx_file, xlsx_sent = raw_get(client, f"{export}?format=xlsx", "gzip", **admin)

    assert csv_file.status_code == xlsx_file.status_code == 200
    assert csv_file.headers["content-encoding"] == "gzip"
    assert gzip.decompress(csv_sent).count(b"Vegetarian, no nuts") == 12
    assert "attachment" in csv_file.headers["content-disposition"]
    # An XLSX file is a ZIP archive: compressed already, sent as it is.
    assert "content-encoding" not in xlsx_file.headers
    assert xlsx_sent.startswith(b"PK")
    assert int(xlsx_file.headers["content-length"]) == len(xlsx_sent)
