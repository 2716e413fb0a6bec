"""The facilitators' dashboard: which module filters may be offered, the protected page of the
chosen window, and the audit of filtered views."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.representation import batches, releases
from app.representation.batches import WindowError
from app.representation.models import Participation
from app.representation.page import build_page
from app.representation.queries import DIMENSIONS, MODULE_FILTERS, ReportError, check_scope


def offered_modules(session: Session, space, k: int) -> list[str]:
    """Module filters worth offering: both the module's people and everyone else number at
    least k (a filter on a smaller group, or the rest of it, would single people out)."""
    columns = [func.count(getattr(Participation, f"{m}_at")) for m in MODULE_FILTERS[1:]]
    total, *used = session.execute(select(func.count(), *columns)
                                   .where(Participation.space_id == space.id)).one()
    return ["all", *(m for m, n in zip(MODULE_FILTERS[1:], used)
                     if n >= k and total - n >= k)]


def facilitator_page(session: Session, space, *, module: str = "all", since: date | None = None,
                     until: date | None = None, k: int = 5, dimensions=DIMENSIONS):
    """The dashboard's page: whole batches of the window, protected together; where the window
    is exactly a public release's, what the release shows stays shown (it is public anyway) and
    the audit decides around it. Raises ReportError for a filter that is not offered."""
    check_scope("gender", module, since, until)
    if module not in offered_modules(session, space, k):
        raise ReportError("module filter not offered: too few people use it, or too few do not")
    try:
        win = batches.window(session, space, module=module, since=since, until=until, k=k)
    except WindowError as error:
        raise ReportError(str(error)) from None
    release = releases.release_for_window(session, space, win)
    return build_page(session, space, window=win, k=k, dimensions=dimensions,
                      fixed=releases.fixed_figures(release))


def audit_view(session: Session, actor, space, action: str, page, **detail) -> None:
    """Filtered views and every export go to the audit log (who, when, which filter)."""
    from app.admin.services import audit

    win = page.window
    audit(session, actor, action, f"space:{space.id}", module=win.module,
          since=win.since.isoformat() if win.since else None,
          until=win.until.isoformat() if win.until else None, ranks=[win.low, win.high], **detail)
