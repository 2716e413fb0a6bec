"""The representation tracker: who takes part in a space against its reference population,
the facilitators' dashboard, targets, deliberation bodies, public releases and alerts."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("representation", __name__)


def register(app) -> None:
    from app.notifications.kinds import register_kind
    from app.representation import alerts, views
    from app.representation.alerts_cli import cli as alerts_cli
    from app.representation.cli import cli
    from app.spaces.page_parts import register_page_part

    app.register_blueprint(bp)
    app.cli.add_command(cli)
    app.cli.add_command(alerts_cli)
    register_kind(alerts.ALERT_KIND, views.render_alert)
    register_page_part("representation", views.space_page_part)
    _watch_for_cached_pages()


def _watch_for_cached_pages() -> None:
    """A release changes the space page's link, the transparency page's list of releases and
    the dashboard; targets and the reference population change the dashboard's figures
    (app/representation/dashboard_views.py)."""
    from app.common.invalidation import watch
    from app.representation.dashboard_views import POPULATION
    from app.representation.models import Participation, PopulationSource, Release

    # Targets and population counts are written in bulk: targets.set_targets touches the space;
    # every import rewrites its source row (imported_at), which is seen here.
    watch(Release, lambda release: [("space", release.space_id)])
    watch(PopulationSource, lambda _source: [POPULATION])
    # Every ledger row written through the ORM; bulk statements are seen by tallies._bulk.
    watch(Participation, lambda row: [("ledger", row.space_id)])
