"""The shared Markdown component renders hostile input inert. Assertions are made on the HTML as
a browser would parse it (stdlib html.parser): no script-capable element, no event handler
attribute, no link whose scheme is anything but http(s)/mailto in any decoding."""
from __future__ import annotations

import html
import re
import unicodedata
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest

from app.common.markdown import render_markdown

DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "style", "link", "meta", "base", "form",
                  "input", "button", "svg", "math", "img", "video", "audio", "source", "frame",
                  "frameset", "template", "textarea", "select", "applet"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcset",
                  "poster", "background"}
_STRIP = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def parse(markup: str) -> list[tuple[str, dict[str, str | None]]]:
    collector = _Collector()
    collector.feed(markup)
    collector.close()
    return collector.tags


def scheme_of(url: str) -> str | None:
    """The scheme in the most decoded reading of `url` (entities, percent-encoding, NFKC,
    control and invisible characters), or None for a relative URL."""
    seen = url
    for _ in range(4):
        seen = _STRIP.sub("", unicodedata.normalize("NFKC", unquote(html.unescape(seen))))
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.\-]*):", seen)
    return match.group(1).lower() if match else None


def assert_inert(markup: str) -> list[tuple[str, dict[str, str | None]]]:
    tags = parse(markup)
    for tag, attrs in tags:
        assert tag not in DANGEROUS_TAGS, (tag, markup)
        for name, value in attrs.items():
            assert not name.lower().startswith("on"), (name, markup)
            assert name.lower() not in {"style", "srcdoc", "formaction"}, (name, markup)
            if name.lower() in URL_ATTRIBUTES and value is not None:
                assert scheme_of(value) in (None, "http", "https", "mailto"), (value, markup)
                if scheme_of(value) is None:
                    assert not value.replace("\\", "/").lstrip().startswith("//"), value
    return tags


XSS_CASES = [
    # raw HTML of every kind stays text
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<iframe src=javascript:alert(1)></iframe>",
    "<body onload=alert(1)>",
    '<details open ontoggle="alert(1)">',
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "```\n<script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
    # event handlers smuggled through link titles
    '[x](https://ok.example/ "a\\" onmouseover=\\"alert(1)")',
    '[x](https://ok.example/ \'" onfocus="alert(1)\')',
    # javascript: in every notation
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    "[x](&#0000106;avascript:alert(1))",
    "[x](&#106&#97&#118&#97&#115&#99&#114&#105&#112&#116&#58alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](javascript&#x3A;alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](java&#10;script:alert(1))",
    "[x](java&#13;script:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](&#x20;javascript:alert(1))",
    "[x](\x01javascript:alert(1))",
    "[x](java\u200bscript:alert(1))",
    "[x](java\u00adscript:alert(1))",
    "[x](\ufeffjavascript:alert(1))",
    "[x](%6Aavascript:alert(1))",
    "[x](javascript%3Aalert(1))",
    "[x](%256Aavascript:alert(1))",
    "[x](ｊａｖａｓｃｒｉｐｔ：alert(1))",
    "[x](ＪＡＶＡＳＣＲＩＰＴ:alert(1))",
    "[x](ｊavascript:alert(1))",
    "[x](javascript︓alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](\\javascript:alert(1))",
    "<javascript:alert(1)>",
    "<JavaScript:alert(1)>",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "[x][ref]\n\n[ref]: &#106;avascript:alert(1)",
    "[x][ref]\n\n[ref]: <ｊａｖａｓｃｒｉｐｔ：alert(1)>",
    # other executable or tracking schemes
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](DATA:text/html,<script>alert(1)</script>)",
    "[x](ｄａｔａ:text/html,x)",
    "[x](file:///etc/passwd)",
    # images from other hosts
    "![x](https://tracker.example/pixel.png)",
    '![x](javascript:alert(1) "t")',
    # protocol-relative links to other hosts
    "[x](//evil.example/)",
    "[x](/\\evil.example/)",
    "[x](\\\\evil.example/)",
]


@pytest.mark.parametrize("source", XSS_CASES)
def test_hostile_markdown_renders_inert(source):
    assert_inert(str(render_markdown(source)))


@pytest.mark.parametrize("source", [c for c in XSS_CASES if "javascript" in c.lower()
                                    or "ｊａｖａ" in c.lower() or "&#106" in c])
def test_no_link_to_javascript_survives_in_any_notation(source):
    for tag, attrs in parse(str(render_markdown(source))):
        if tag == "a":
            assert scheme_of(attrs.get("href") or "") != "javascript", source


def test_raw_html_is_shown_as_text_not_markup():
    out = str(render_markdown("<b>bold</b> <script>alert(1)</script>"))
    assert [t for t, _ in parse(out)] == ["p"]
    assert "&lt;script&gt;" in out


def test_safe_links_keep_their_target_and_get_rel():
    tags = assert_inert(str(render_markdown(
        "[site](https://www.city.sapporo.jp/) [mail](mailto:info@example.jp) [rel](/spaces/)")))
    links = [attrs for tag, attrs in tags if tag == "a"]
    assert [a["href"] for a in links] == ["https://www.city.sapporo.jp/",
                                          "mailto:info@example.jp", "/spaces/"]
    for attrs in links:
        assert set(attrs["rel"].split()) == {"nofollow", "ugc", "noopener"}


def test_images_are_never_embedded():
    tags = parse(str(render_markdown("![map](https://maps.example/a.png) ![local](/static/a.png)")))
    assert "img" not in [t for t, _ in tags]


def test_ordinary_markdown_still_works():
    out = str(render_markdown("# 見出し\n\n**太字** と *斜体*\n\n- 一\n- 二\n\n> 引用\n\n"
                              "| a | b |\n|---|---|\n| 1 | 2 |"))
    tags = [t for t, _ in assert_inert(out)]
    for expected in ("h1", "strong", "em", "ul", "li", "blockquote", "table", "td"):
        assert expected in tags, expected
    assert "見出し" in out and "引用" in out


def test_empty_and_none_render_empty():
    assert str(render_markdown(None)) == ""
    assert str(render_markdown("")) == ""
