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


def field_error(html: str, field_id: str) -> str:
    """The message shown next to a form field (the `<p class="error" id="FIELD-error">`)."""
    node = parse(html).css_first(f'p.error[id="{field_id}-error"]')
    assert node is not None, f"no error next to {field_id}"
    return node.text(strip=True)


def field_value(html: str, field_id: str) -> str | None:
    """The value a form field shows (what the user typed is kept)."""
    return attribute(html, f'[id="{field_id}"]', "value")


def csrf_token(html: str) -> str:
    node = parse(html).css_first('input[name="csrf_token"]')
    assert node is not None, "no csrf_token in page"
    return node.attributes["value"]


def outer_html(html: str, selector: str) -> str:
    """The HTML of the first element matching `selector` (for assertions about one part)."""
    node = parse(html).css_first(selector)
    assert node is not None, f"no element matches {selector!r}"
    return node.html


def table_rows(html: str) -> dict[str, list[str]]:
    """{row header text: [cell texts]} of every table row with a `th scope=row` in `html`."""
    rows = {}
    for tr in parse(html).css("tr"):
        head = tr.css_first('th[scope="row"]')
        if head is not None:
            rows[head.text(strip=True)] = [td.text(strip=True) for td in tr.css("td")]
    return rows
