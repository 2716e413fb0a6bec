"""Headline figures (youth, women) and the series of cumulative shares, for alerts, the CLI and
callers that need only these: read off the same protected page as the dashboard."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app.representation.reports import WeekPoint
from app.representation.queries import check_scope


def headline(session: Session, space, *, module: str = "all", min_cell: int = 5,
             since: date | None = None, until: date | None = None) -> dict:
    """{'youth': HeadlineFigure | None, 'women': HeadlineFigure | None, 'reference': Reference,
    'participants': int} over the window's whole batches. Youth = the space's youth band among
    participants of known eligible age; women among women and men. A figure is None when the
    space has no reference population (or no youth band above its minimum age)."""
    from app.representation.page import build_page

    check_scope("gender", module, since, until)
    page = build_page(session, space, module=module, since=since, until=until, k=min_cell,
                      dimensions=(), series=False)
    return page.figures()


def weekly_series(session: Session, space, *, module: str = "all", min_cell: int = 5,
                  since: date | None = None, until: date | None = None) -> list[WeekPoint]:
    """Cumulative participants and youth/women shares at the last cut of each week."""
    from app.representation.page import build_page

    check_scope("gender", module, since, until)
    return build_page(session, space, module=module, since=since, until=until, k=min_cell,
                      dimensions=()).points
