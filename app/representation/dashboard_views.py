"""The facilitators' dashboard drawn for the view: its figures and releases as HTML parts, and
what the forms around them need. The unfiltered dashboard is the same for every facilitator of
the space, so its parts are cached (app/common/fragments.py, shared after the view's access
check) under a key of what they depend on:

- the generation of ("ledger", space): every write that changed a ledger row of the space, a
  new participant or a module used for the first time as much as a rewrite of a counted row
  (a withdrawal of consent, a late answer): through the ORM (watched in
  app/representation/__init__.py) or by a bulk statement (tallies._bulk, which sees every one
  and touches nothing when it changed no row: a module used again keeps the figures cached);
- ("ledger", 0): a bulk statement on the ledger that named no space (every space is stale);
- ("space", space): its settings, targets, releases and age settings; ("population", 0): the
  reference population; the facilitators' and the public minimum; the language and the date.

A filtered view is never cached: it is rarer, and each is audited."""
from __future__ import annotations

from flask import url_for

from app.common import fragments
from app.extensions import db
from app.representation import labels, presenters
from app.representation.dashboard import dashboard as representation_dashboard

POPULATION: fragments.Thing = ("population", 0)
EVERY_LEDGER: fragments.Thing = ("ledger", 0)


def _api_urls(space, dimension: str, module: str, since, until) -> tuple[str, str]:
    """The CSV export and JSON API addresses (app/api) for one dimension with the filter."""
    params = {"slug": space.slug, "dimension": dimension}
    if module != "all":
        params["module"] = module
    if since:
        params["since"] = since.isoformat()
    if until:
        params["until"] = until.isoformat()
    return url_for("api.representation_csv", **params), url_for("api.representation", **params)


def dashboard_parts(space, actor, *, module: str, since, until, k: int, public_k: int,
                    cache: bool) -> dict:
    """{"figures", "releases": HTML; "offered", "module", "module_refused", "ready",
    "covered", "missing", "needed": what the filter and release forms need}."""
    def render() -> dict:
        data = representation_dashboard(db.session, space, actor, module=module, since=since,
                                        until=until, k=k, public_k=public_k)
        page = data.page
        figures = page.figures()
        sections = []
        for dimension, report in page.reports.items():
            section = presenters.report_section(report, chart_id=f"chart-{dimension}")
            section.csv_url, section.json_url = _api_urls(space, dimension, data.module,
                                                          data.since, data.until)
            sections.append(section)
        return {
            "figures": fragments.drawn(
                "representation/_dashboard_figures.html", space=space, k=k, page=page,
                participants=page.participants, reference=page.reference,
                module_label=labels.module_label(data.module),
                cards=presenters.headline_cards(figures, k), sections=sections,
                points=page.points, age_setting_changes=data.age_setting_changes,
                weekly_chart=presenters.weekly_chart(page.points, figures,
                                                     chart_id="chart-weekly")),
            "releases": fragments.drawn("representation/_dashboard_releases.html", space=space,
                                        releases=data.releases, published=data.published),
            "offered": list(data.offered), "module": data.module,
            "module_refused": data.module_refused, "ready": data.readiness.ready,
            "covered": data.readiness.covered, "missing": data.readiness.missing,
            "needed": data.readiness.needed}

    if not cache:
        return render()
    # No statement is needed to build the key: a view served from the cache reads no ledger.
    return fragments.cached_parts(
        "dashboard", [("space", space.id), ("ledger", space.id), EVERY_LEDGER, POPULATION],
        render, args=(k, public_k), shared=True)
