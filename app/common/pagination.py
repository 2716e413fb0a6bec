"""Pagination over a select(): the page's rows plus a COUNT(*) done in SQL.

`paginate` pages by OFFSET (fine for short lists). `paginate_keyset` pages long lists by
"after this id": the next page's rows are those ordered after the last row shown, which an index
on the ordering columns reads directly, so page 500 costs what page 1 costs. Its links carry the
cursor (`after` / `before`, a row id) and the page number (for "page 3 of 40"); a link with a page
number and no cursor (an old link, a redirect to a post's page) is served by OFFSET once.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.orm import Session, aliased

@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int
    # query arguments the previous / next links add (keyset pages: the cursor)
    prev_args: dict[str, Any] = field(default_factory=dict)
    next_args: dict[str, Any] = field(default_factory=dict)
    more: bool | None = None  # keyset pages know whether rows follow; None: from the count

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.more if self.more is not None else self.page < self.pages


def parse_page(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


def parse_cursor(value: str | None) -> int | None:
    """A row id from `after` / `before`, or None (anything else is ignored)."""
    if value and value.isdigit() and len(value) < 10:  # beyond that, no PostgreSQL int
        return int(value)
    return None


def _count(session: Session, stmt: Select) -> int:
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def paginate(session: Session, stmt: Select, page: int, per_page: int, *, scalars: bool = True) -> Page:
    total = _count(session, stmt)
    page = min(max(1, page), max(1, math.ceil(total / per_page)))
    result = session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    items = list(result.scalars() if scalars else result)
    return Page(items=items, page=page, per_page=per_page, total=total)


def paginate_keyset(session: Session, stmt: Select, entity, keys: tuple[str, ...], page: int,
                    per_page: int, *, descending: bool, after: int | None = None,
                    before: int | None = None) -> Page:
    """One page of `stmt` (selecting `entity`, unordered) ordered by the `keys` attributes of
    `entity` (all in one direction, the last one its unique `id`). With `after` (`before`) the
    rows ordered just after (before) the row with that id; with neither, OFFSET by `page`.
    Two statements whatever the page: the count and the rows."""
    columns = [getattr(entity, key) for key in keys]
    total = _count(session, stmt)
    last_page = max(1, math.ceil(total / per_page))
    page = min(max(1, page), last_page)
    cursor = after if after is not None else before
    forward = before is None
    if cursor is not None:
        ref = aliased(entity)
        at = select(*[getattr(ref, key) for key in keys]).where(ref.id == cursor).scalar_subquery()
        key = tuple_(*columns)
        ordered = stmt.order_by(*[c.desc() if descending == forward else c.asc() for c in columns])
        rows = list(session.scalars(ordered.where(key < at if descending == forward else key > at)
                                    .limit(per_page + 1)))
        if forward:
            more, items = len(rows) > per_page, rows[:per_page]
        else:  # read backwards from the cursor, shown in order; the cursor row follows
            more, items = True, list(reversed(rows[:per_page]))
            if len(rows) <= per_page:
                page = 1
    if cursor is None or not items:  # no cursor, or its row is gone: by the page number
        ordered = stmt.order_by(*[c.desc() if descending else c.asc() for c in columns])
        ordered = ordered.limit(per_page + 1)
        rows = list(session.scalars(ordered.offset((page - 1) * per_page) if page > 1 else ordered))
        more, items = len(rows) > per_page, rows[:per_page]
    out = Page(items=items, page=page, per_page=per_page, total=total, more=more and bool(items))
    if items:
        out.next_args = {"after": items[-1].id, "before": None, "page": page + 1}
        out.prev_args = ({"after": None, "before": None, "page": None} if page <= 2
                         else {"after": None, "before": items[0].id, "page": page - 1})
    return out


__all__ = ["Page", "paginate", "paginate_keyset", "parse_cursor", "parse_page"]
