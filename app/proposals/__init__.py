"""Proposals of a space: residents write, support and discuss them, facilitators answer them.

The package owns two blueprints: `bp`, the pages at /spaces/<slug>/proposals/ (views.py for
everyone, manage.py for the facilitators), and `api_bp`, the read-only JSON of api.py.
`register(app)` adds them with this module's notification kinds, its part of a person's data
export and its API paths; importing a module of the package registers nothing."""
from __future__ import annotations

from flask import Blueprint

from app.spaces.scoping import scope_to_space

bp = Blueprint("proposals", __name__, url_prefix="/spaces/<slug>/proposals")
scope_to_space(bp, enabled="proposals_enabled")

api_bp = Blueprint("proposals_api", __name__, url_prefix="/api/v1")


def register(app) -> None:
    from app.accounts.export import register_export_section
    from app.exports.kinds import register_export_kind
    from app.notifications.kinds import register_kind
    from app.proposals import api, export_user, notifications, supports, workflow
    from app.proposals import manage, views  # noqa: F401  (their routes join bp)

    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
    register_kind(workflow.KIND_STATUS, notifications.render_status)
    register_kind(supports.KIND_THRESHOLD, notifications.render_threshold)
    register_export_section("proposals", export_user.export_proposals)
    register_export_kind("proposals", manage.build_export)
    api.register_openapi()
    _watch_for_cached_pages()


def _watch_for_cached_pages() -> None:
    """Cached proposal pages: ("proposal", id) for one proposal's page, ("proposals", space id)
    for the list of a space (app/common/invalidation.py). Supports touch them in supports.py."""
    from app.common.invalidation import watch
    from app.proposals.models import (Proposal, ProposalCategory, ProposalSettings,
                                      ProposalStatusChange)

    watch(Proposal, lambda p: [("proposal", p.id), ("proposals", p.space_id)])
    watch(ProposalCategory, lambda c: [("proposals", c.space_id)])
    watch(ProposalStatusChange, lambda change: [("proposal", change.proposal_id)])
    watch(ProposalSettings, lambda settings: [("space", settings.space_id)])  # the threshold
