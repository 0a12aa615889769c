"""A small reading of HTML for the page tests: elements, attributes and text (stdlib parser)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

#: Elements without an end tag.
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)

    def __getitem__(self, name: str) -> str:
        value = self.attrs[name]
        return "" if value is None else value

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default) if name in self.attrs else default

    def iter(self) -> Iterator[Element]:
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        """Descendants with ``tag`` and the given attributes (``class_`` for ``class``)."""
        wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}
        return [
            element
            for element in self.iter()
            if (tag is None or element.tag == tag)
            and all(
                (value in (element.get(name) or "").split())
                if name == "class"
                else element.get(name) == value
                for name, value in wanted.items()
            )
        ]

    def find(self, tag: str | None = None, **attrs: str) -> Element:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag or '*'} {attrs}> in the page"
        return found[0]

    def has(self, tag: str | None = None, **attrs: str) -> bool:
        return bool(self.find_all(tag, **attrs))

    @property
    def text(self) -> str:
        """The text inside, with white space collapsed."""
        parts: list[str] = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else f" {child.text} ")
        return " ".join("".join(parts).split())


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self.open: list[Element] = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        self.open[-1].children.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open[-1].children.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth].tag == tag:
                del self.open[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.open[-1].children.append(data)


def parse(markup: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(markup)
    builder.close()
    return builder.root


def page_of(response) -> Element:
    """The response's document, after checking that it is an HTML page."""
    assert response.headers["content-type"].startswith("text/html"), response.text[:500]
    return parse(response.text)


def form_fields(form: Element) -> dict[str, str]:
    """What a browser would send for ``form`` as it is (hidden fields, values, selections,
    checked boxes; one value a name)."""
    fields: dict[str, str] = {}
    for element in form.iter():
        name = element.get("name")
        if not name:
            continue
        if element.tag == "input" and element.get("type") in ("checkbox", "radio"):
            if "checked" in element.attrs:
                fields[name] = element.get("value") or "on"
        elif element.tag == "input" and element.get("type") != "submit":
            fields[name] = element.get("value") or ""
        elif element.tag == "select":
            options = element.find_all("option")
            chosen = [option for option in options if "selected" in option.attrs] or options[:1]
            if chosen:
                value = chosen[0].get("value")
                fields[name] = chosen[0].text if value is None else value
    return fields


def definitions(listing: Element) -> dict[str, str]:
    """A ``<dl>``'s terms with their descriptions, as texts."""
    terms = [term.text for term in listing.find_all("dt")]
    return dict(zip(terms, [item.text for item in listing.find_all("dd")], strict=True))
