"""The facilitators' dashboard: which module filters may be offered, the protected page of the
chosen window, and everything else the dashboard shows, computed once before it renders.

`dashboard()` counts the ledger's chains and weeks once (batches.ledger_counts), finds the
reference population once (inside build_page) and loads the releases once; the template only
reads the Dashboard it returns."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from app.representation import batches, releases
from app.representation.batches import LedgerCounts, WindowError
from app.representation.models import Release
from app.representation.page import RepresentationPage, build_page
from app.representation.releases import Readiness
from app.representation.queries import (DIMENSIONS, MODULE_FILTERS, ReportError, check_scope)
from app.spaces.history import AgeSettingChange, age_setting_changes


@dataclass(frozen=True)
class Dashboard:
    """What the dashboard shows. `module`, `since` and `until` are the filter the page counts
    (everyone when the module asked for is not offered: `module_refused`)."""
    page: RepresentationPage
    module: str
    since: date | None
    until: date | None
    offered: list[str]
    module_refused: bool
    releases: list[Release]
    readiness: Readiness
    published: bool
    age_setting_changes: list[AgeSettingChange]


def space_ledger(session: Session, space) -> LedgerCounts:
    """The space's ledger counts (chains and weeks), counted once per request and passed on."""
    return batches.ledger_counts(session, space)


def offered_from(ledger: LedgerCounts, k: int) -> list[str]:
    """Module filters worth offering: both the module's people and everyone else number at
    least k (a filter on a smaller group, or the rest of it, would single people out)."""
    total = ledger.members["all"]
    return ["all", *(m for m in MODULE_FILTERS[1:]
                     if ledger.members[m] >= k and total - ledger.members[m] >= k)]


def offered_modules(session: Session, space, k: int) -> list[str]:
    """offered_from the space's ledger, counted now."""
    return offered_from(space_ledger(session, space), k)


def facilitator_page(session: Session, space, *, module: str = "all", since: date | None = None,
                     until: date | None = None, k: int = 5, dimensions=DIMENSIONS,
                     ledger: LedgerCounts | None = None, items: list[Release] | None = None):
    """The dashboard's page: whole batches of the window, protected together; where the window
    is exactly a public release's, what the release shows stays shown (it is public anyway) and
    the audit decides around it. Raises ReportError for a filter that is not offered.
    `ledger` and `items` (the space's releases): already loaded, so not loaded again."""
    check_scope("gender", module, since, until)
    ledger = ledger or space_ledger(session, space)
    if module not in offered_from(ledger, k):
        raise ReportError("module filter not offered: too few people use it, or too few do not")
    try:
        win = batches.window(session, space, module=module, since=since, until=until, k=k,
                             ledger=ledger)
    except WindowError as error:
        raise ReportError(str(error)) from None
    items = releases.list_releases(session, space) if items is None else items
    release = releases.release_of_window(items, win)
    return build_page(session, space, window=win, k=k, dimensions=dimensions,
                      fixed=releases.fixed_figures(release), ledger=ledger)


def dashboard(session: Session, space, actor, *, k: int, public_k: int, module: str = "all",
              since: date | None = None, until: date | None = None) -> Dashboard:
    """Everything the dashboard shows for the filter asked for (`module`, `since`, `until`,
    already checked by the filter form; a module that is not offered counts everyone instead).
    A filtered view goes to the audit log. `k`: the facilitators' minimum (and batch size),
    `public_k`: the public one (for the next release). Only flushes."""
    ledger = space_ledger(session, space)
    offered = offered_from(ledger, k)
    refused = module not in offered
    if refused:
        module, since, until = "all", None, None
    items = releases.list_releases(session, space)
    page = facilitator_page(session, space, module=module, since=since, until=until, k=k,
                            ledger=ledger, items=items)
    if page.window.filtered:
        audit_view(session, actor, space, "representation.view", page)
    return Dashboard(
        page=page, module=module, since=since, until=until, offered=offered,
        module_refused=refused, releases=items,
        readiness=releases.readiness_of(items, ledger.members["all"], public_k=public_k,
                                        batch=k),
        published=releases.is_published(space),
        age_setting_changes=age_setting_changes(session, space))


def audit_view(session: Session, actor, space, action: str, page, **detail) -> None:
    """Filtered views and every export go to the audit log (who, when, which filter)."""
    from app.admin.services import audit

    win = page.window
    audit(session, actor, action, f"space:{space.id}", module=win.module,
          since=win.since.isoformat() if win.since else None,
          until=win.until.isoformat() if win.until else None, ranks=[win.low, win.high], **detail)
