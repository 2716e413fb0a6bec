"""The selection as a job (app/common/jobs.py): it runs after the facilitator's response has been
sent, in its own app context, so a pool of thousands that takes tens of seconds never holds a
request open. The call says "running" meanwhile (its page refreshes itself), then "done" with
the published lottery, or "failed" with the reason; never a stack trace."""
from __future__ import annotations

import logging

from app.extensions import db
from app.panels import selection
from app.panels.models import PanelCall

log = logging.getLogger("hiroba.panels")


def run_selection(call_id: int, algorithm: str, number_source: str) -> None:
    """Claim the call (one run at a time), compute and publish its draw, commit."""
    session = db.session
    if not selection.claim_run(session, call_id, algorithm, number_source):
        session.rollback()
        return
    session.commit()
    call = session.get(PanelCall, call_id)
    try:
        selection.compute_draw(session, call)
        session.commit()
    except Exception:  # noqa: BLE001  (any failure is recorded on the call, and logged)
        log.exception("panel selection of call %s failed", call_id)
        session.rollback()
        call = session.get(PanelCall, call_id)
        selection.record_failure(session, call)
        session.commit()
