"""The one Markdown component for user text: markdown-it-py (raw HTML off) then nh3 with an
allow-list. Everything a user wrote goes through render_markdown(); nothing else may mark user
text safe. Its output is a SanitisedHtml, the one type the stored-HTML columns accept
(app/common/stored_html.py), so HTML kept in the database can be traced back to nh3."""
from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import unquote, urlsplit

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
SAFE_SCHEMES = {"http", "https", "mailto"}
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def _decoded(url: str) -> str:
    """The URL with every layer a browser or a later tool might undo taken off: entities,
    percent-encoding (markdown-it percent-encodes what it emits, so ｊａｖａｓｃｒｉｐｔ： and
    java&#9;script: arrive as %EF%BD%8A… and java%09script:), NFKC, control and invisible
    characters. Repeated until stable so double encodings are seen through too."""
    seen = url
    for _ in range(4):
        previous = seen
        seen = _CONTROL.sub("", unicodedata.normalize("NFKC", unquote(html.unescape(seen))))
        if seen == previous:
            break
    return seen


def _safe_href(url: str) -> bool:
    """Decide on the most decoded form of the URL: only http(s) and mailto, or a relative link
    that stays on this site."""
    seen = _decoded(url)
    scheme = urlsplit(seen).scheme.lower() if ":" in seen else ""
    if scheme:
        return scheme in SAFE_SCHEMES
    # A colon before any / ? # makes a scheme for browsers even where urlsplit disagrees.
    if ":" in seen.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]:
        return False
    # No scheme: a relative link is fine, but not a protocol-relative one to another host
    # (browsers read a backslash as a slash).
    return not seen.replace("\\", "/").startswith("//")


def _make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.disable("image")  # no images from other hosts (tracking, layout abuse)
    md.validateLink = _safe_href
    return md


_PARSER = _make_parser()


class SanitisedHtml(Markup):
    """HTML that came out of nh3 in render_markdown (or was stored from there and read back).
    Only render_markdown constructs it from user text."""

    __slots__ = ()


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href" and not _safe_href(value):
        return None
    return value


def render_markdown(text: str | None) -> SanitisedHtml:
    """Markdown to sanitised HTML. The output is safe to embed; the input never is."""
    rendered = _PARSER.render(text or "")
    cleaned = nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=SAFE_SCHEMES,
        link_rel="nofollow ugc noopener",
        attribute_filter=_filter_attribute,
        strip_comments=True,
    )
    return SanitisedHtml(cleaned)  # nosec B704: sanitised by nh3 just above (allow-listed tags)
