"""Re-render every stored Markdown rendering from its source (`flask --app wsgi markdown
rerender`), for when the renderer or its allow-list changes. Rows are read in primary-key order
in batches and only the rows whose stored HTML differs are written, so a run over an unchanged
database writes nothing and a rerun after an interruption continues cheaply."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.engine import Connection

from app.common.markdown import render_markdown

BATCH = 1000


@dataclass(frozen=True)
class RenderedColumn:
    table: str
    source: str
    html: str


def rendered_columns() -> tuple[RenderedColumn, ...]:
    """Every column that stores a rendering of user Markdown, beside its source."""
    return (RenderedColumn("forum_posts", "body", "body_html"),
            RenderedColumn("proposals", "body", "body_html"),
            RenderedColumn("proposal_status_changes", "answer", "answer_html"),
            RenderedColumn("spaces", "description_md", "description_html"),
            RenderedColumn("surveys", "description_md", "description_html"),
            RenderedColumn("survey_sections", "description_md", "description_html"),
            RenderedColumn("panel_calls", "description_md", "description_html"))


def rerender_table(connection: Connection, table: Table, source: str, html: str, *,
                   batch: int = BATCH, wrap: Callable = lambda value: value
                   ) -> Iterator[tuple[int, int]]:
    """Re-render `table.source` into `table.html`, one batch at a time; yields (rows seen, rows
    changed) so far after each batch. `wrap` turns the rendering into what the column's type
    takes (the migration passes str for its untyped tables)."""
    id_col, src_col, html_col = table.c.id, table.c[source], table.c[html]
    statement = (update(table).where(id_col == bindparam("row_id"))
                 .values({html: bindparam("new_html")}))
    last, seen, changed = 0, 0, 0
    while True:
        rows = connection.execute(select(id_col, src_col, html_col).where(id_col > last)
                                  .order_by(id_col).limit(batch)).all()
        if not rows:
            return
        stale = []
        for row_id, text, stored in rows:
            fresh = render_markdown(text)
            if str(stored or "") != str(fresh):
                stale.append({"row_id": row_id, "new_html": wrap(fresh)})
        if stale:
            connection.execute(statement, stale)
        last, seen, changed = rows[-1][0], seen + len(rows), changed + len(stale)
        yield seen, changed


def rerender_all(connection: Connection, metadata, *, batch: int = BATCH,
                 progress: Callable[[str, int, int], None] | None = None) -> dict[str, int]:
    """Re-render every rendered column; returns the rows changed per table."""
    changed_by_table = {}
    for column in rendered_columns():
        changed = 0
        for seen, changed in rerender_table(connection, metadata.tables[column.table],
                                            column.source, column.html, batch=batch):
            if progress:
                progress(column.table, seen, changed)
        changed_by_table[column.table] = changed
    return changed_by_table
