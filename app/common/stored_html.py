"""A column for Markdown rendered at write time: it stores only what render_markdown returned
(a SanitisedHtml, i.e. nh3's output) and reads it back as SanitisedHtml, which templates print
without escaping. Writing a plain string raises, so no code path can put unsanitised text where a
template will trust it. Bulk loaders that bypass SQLAlchemy (COPY) must store render_markdown()
output too; `flask --app wsgi markdown rerender` re-renders every row from its source."""
from __future__ import annotations

from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from app.common.markdown import SanitisedHtml, render_markdown


class RenderedMarkdown(TypeDecorator):
    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, SanitisedHtml):
            raise TypeError("a rendered-Markdown column stores only render_markdown() output")
        return str(value)

    def process_result_value(self, value, dialect):
        # Only render_markdown output is ever written (above), so what comes back is sanitised.
        return None if value is None else SanitisedHtml(value)  # nosec B704


def empty_html() -> SanitisedHtml:
    """The column default: the rendering of no text."""
    return render_markdown("")


def rendered_column():
    """The HTML column beside a Markdown source column (set by the model's @validates)."""
    from sqlalchemy.orm import mapped_column

    return mapped_column(RenderedMarkdown, default=empty_html, server_default="")
