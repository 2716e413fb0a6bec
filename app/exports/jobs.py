"""The background export job: run_export(export_id), queued by app.exports.start_views.

Plain ids in, like every job (app.common.jobs). It commits like a command: the export row says
"running" at once (the status page shows it), progress lands as the builder reports it, and at
the end the file and the person's notification are committed together."""
from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale

from app.accounts.models import User
from app.exports import kinds, services
from app.exports.models import ExportFile
from app.extensions import db
from app.notifications.services import notify

log = logging.getLogger("hiroba.exports")
KIND_READY = "export_ready"
KIND_FAILED = "export_failed"


def ttl() -> timedelta:
    return timedelta(hours=int(current_app.config["EXPORT_TTL_HOURS"]))


def run_export(export_id: int) -> None:
    session = db.session
    export = session.get(ExportFile, export_id)
    if export is None or export.status != "queued":
        return  # expired and purged, or already taken by another worker
    user = session.get(User, export.user_id)
    services.start(session, export)
    session.commit()
    try:
        with force_locale((user.locale if user else None) or "ja"):
            filename, content, rows = kinds.builder_for(export.kind)(
                session, user, export, services.progress_writer(db.engine, export_id))
    except Exception:
        session.rollback()
        services.fail(session, export_id)
        notify(session, export.user_id, KIND_FAILED, {"export_id": export_id,
                                                       "title": export.title})
        session.commit()
        raise  # logged by the job runner, kept in RQ's failed registry
    services.finish(session, export, filename, content, rows, ttl())
    notify(session, export.user_id, KIND_READY, {"export_id": export_id, "title": export.title})
    session.commit()
    log.info("export %s (%s) done: %s rows", export_id, export.kind, rows)
