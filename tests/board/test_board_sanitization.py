"""Hostile Markdown and HTML: nothing that runs, loads or styles gets through, anywhere a text
is rendered (posts, edits, translations)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from mupass_forum.board.rendering import render
from tests.board.conftest import BOARD

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "![x](https://tracker.example/pixel.gif)",
    '<a href="javascript:alert(1)">x</a>',
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!--><script>alert(1)</script>-->",
    "`<script>` and ```\n<script>alert(1)</script>\n```",
    '[x](https://example.org "title" onmouseover=alert(1))',
    '<form action="https://evil.example"><input name=p></form>',
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    '[a](mention:1" onclick="alert(1))',
    "<<script>script>alert(1)<</script>/script>",
]

SAFE_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li",
    "strong", "em", "del", "s", "code", "pre", "a", "span", "table", "thead", "tbody", "tr",
    "th", "td",
}  # fmt: skip
SAFE_ATTRIBUTES = {("a", "href"), ("a", "title"), ("a", "rel"), ("ol", "start"),
                   ("span", "class"), ("span", "data-user-id")}  # fmt: skip


class Elements(HTMLParser):
    """Every element and attribute as a browser would parse them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))

    handle_startendtag = handle_starttag

    def handle_comment(self, data: str) -> None:
        self.found.append(("!--", []))


def assert_inert(html: str) -> None:
    parser = Elements()
    parser.feed(html)
    parser.close()
    for tag, attributes in parser.found:
        assert tag in SAFE_TAGS, (tag, html)
        for name, value in attributes:
            assert (tag, name) in SAFE_ATTRIBUTES, (tag, name, html)
            if name == "href":
                assert re.match(r"^(https?:|mailto:)", value or ""), html


@pytest.mark.parametrize("source", HOSTILE)
def test_the_renderer_lets_nothing_active_through(source: str):
    assert_inert(render(source).html)


def test_harmless_markdown_keeps_its_form():
    html = render(
        "# Title\n\n**bold** _it_ ~~old~~ `code`\n\n- a\n- b\n\n> quoted\n\n"
        "[link](https://example.org)\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    ).html
    for fragment in (
        "<h1>Title</h1>",
        "<strong>bold</strong>",
        "<em>it</em>",
        "<s>old</s>",
        "<code>code</code>",
        "<li>a</li>",
        "<blockquote>",
        '<a href="https://example.org" rel="nofollow noopener noreferrer ugc">link</a>',
        "<td>1</td>",
    ):
        assert fragment in html, fragment
    assert render("![a pixel](https://example.org/p.gif)").html.count("<a ") == 1


def test_posts_edits_and_translations_are_sanitized_through_the_api(
    client, make_account, make_category, make_thread, reply
):
    author = make_account()
    thread = make_thread(author, make_category(), body=HOSTILE[1])
    post = reply(author, thread, HOSTILE[0])
    edited = client.patch(
        f"{BOARD}/posts/{post['id']}", json={"body": HOSTILE[4]}, headers=author.headers
    ).json()
    translated = client.post(
        f"{BOARD}/posts/{post['id']}/translations",
        json={"locale": "de", "body": HOSTILE[2]},
        headers=author.headers,
    ).json()
    page = client.get(f"{BOARD}/threads/{thread['id']}/posts?lang=de").json()
    for html in (
        edited["html"],
        translated["html"],
        *(item["html"] for item in page["items"]),
    ):
        assert_inert(html)
