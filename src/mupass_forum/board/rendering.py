"""Markdown to safe HTML, once, when a post or a translation is written.

Two layers, each sufficient on its own for the usual attacks: markdown-it-py with raw HTML
turned off (every ``<`` the author typed comes out as ``&lt;``) and its link validation
(``javascript:``, ``vbscript:``, ``file:`` and ``data:`` links are not made links), then nh3
(Rust's ammonia) with a short list of tags, attributes and URL schemes, so that nothing the
renderer might let through by mistake can reach a reader.

Images are not embedded: a picture costs a reader on a slow connection dearly and an outside
image tells its host who read the post. ``![text](url)`` becomes a link.

Mentions are written as links with the ``mention:`` scheme, ``[@Awa Traoré](mention:42)``
(the client offers the names), and come out as ``<span class="mention" data-user-id="42">``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

_MENTION = re.compile(r"^mention:(\d{1,12})$")

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li",
        "strong", "em", "del", "s", "code", "pre", "a", "span",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "span": {"data-user-id"}}
ALLOWED_CLASSES = {"span": {"mention"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer ugc"


@dataclass(frozen=True)
class Rendered:
    html: str
    #: User ids named with ``mention:`` links, in order of first appearance.
    mentions: tuple[int, ...]


def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.enable(["table", "strikethrough"])

    def image_as_link(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        label = self.renderInlineAsText(token.children or [], options, env)
        return f'<a href="{_escape(str(token.attrGet("src") or ""))}">{_escape(label)}</a>'

    parser.add_render_rule("image", image_as_link)
    return parser


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


_PARSER = _parser()


def _mark_mentions(tokens: Sequence[Token]) -> list[int]:
    """Turn ``mention:`` links into mention spans, in place; return the ids."""
    found: list[int] = []
    for block in tokens:
        open_links: list[Token] = []
        for token in block.children or ():
            if token.type == "link_open":
                match = _MENTION.match(str(token.attrGet("href") or ""))
                if match is None:
                    open_links.append(token)
                    continue
                user_id = int(match.group(1))
                token.tag, token.attrs = "span", {"class": "mention", "data-user-id": str(user_id)}
                open_links.append(token)
                if user_id not in found:
                    found.append(user_id)
            elif token.type == "link_close" and open_links and open_links.pop().tag == "span":
                token.tag = "span"
    return found


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        allowed_classes={tag: set(names) for tag, names in ALLOWED_CLASSES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        url_relative="deny",
        strip_comments=True,
    )


_BLOCK_TAG = re.compile(r"</?(?:p|li|ul|ol|h\d|blockquote|pre|br|hr|div|table|tr|td|th)\b[^>]*>")
_TAG = re.compile(r"<[^>]*>")


def plain_text(source: str) -> str:
    """``source`` as the text it shows, for mail: no Markdown signs, links as their words,
    mentions as the names they show (``@Awa Traoré``), on one line."""
    shown = _TAG.sub("", _BLOCK_TAG.sub(" ", render(source).html))
    return " ".join(html.unescape(shown).split())


def render(source: str) -> Rendered:
    """``source`` (Markdown) as sanitized HTML, and the people it mentions."""
    env: dict[str, Any] = {}
    tokens = _PARSER.parse(source, env)
    mentions = _mark_mentions(tokens)
    html = _PARSER.renderer.render(tokens, _PARSER.options, env)
    return Rendered(html=sanitize(html), mentions=tuple(mentions))
