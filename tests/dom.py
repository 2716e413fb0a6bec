"""Page assertions read the parsed page (selectolax), not regular expressions over its HTML."""
from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node


def parse(html: str) -> HTMLParser:
    return HTMLParser(html)


def main_text(html: str) -> str:
    """What a reader sees in the page's main content: its text, without the header (which names
    the logged-in person), attributes or tokens."""
    main = parse(html).css_first("main")
    assert main is not None, "the page has no <main>"
    return main.text(separator=" ")


def texts(html: str, selector: str) -> list[str]:
    """The stripped text of every element matching the CSS `selector`, in page order."""
    return [node.text(strip=True) for node in parse(html).css(selector)]


def one(html: str, selector: str) -> Node:
    nodes = parse(html).css(selector)
    assert len(nodes) == 1, f"{len(nodes)} elements match {selector!r}"
    return nodes[0]


def attribute(html: str, selector: str, name: str) -> str | None:
    return one(html, selector).attributes.get(name)
