"""Administration: overview, users and roles, areas and regions, the audit log (models.py holds
the audit log every module writes through services.audit)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")


def register(app) -> None:
    from app.admin import views  # noqa: F401  (its routes join bp)

    app.register_blueprint(bp)
