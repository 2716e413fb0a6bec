"""The facilitators' shared dashboard (app/representation/dashboard_views.py) against someone
who knows when a named person took part: the cached figures are recomputed when the ledger
grows, and recomputed they still move only by whole batches, so one newcomer's age and gender
never appear as the difference of two views."""
from __future__ import annotations

from app.accounts.models import User
from app.extensions import db as app_db
from app.representation.ledger import record_participation
from tests.dom import parse
from tests.people import client_as
from tests.representation.dashboard_fixtures import skewed_space


def _tables(html: str) -> list[str]:
    return [node.html for node in parse(html).css("section.rep-section table")]


def test_one_newcomer_changes_no_figure_of_the_shared_dashboard(app, db, make, fragment_cache):
    space = skewed_space(make, db)  # 63 people: 60 in whole batches, 3 waiting
    slug, space_id = space.slug, space.id
    watcher = client_as(app, make.user(roles=(f"facilitator:{space_id}",)))
    newcomer = make.user(birth_year=2004, gender="female").id  # young: the rarest group
    db.session.commit()
    url = f"/spaces/{slug}/representation/"
    app_db.session.expunge_all()
    before = watcher.get(url).get_data(as_text=True)
    record_participation(db.session, space_id, db.session.get(User, newcomer), "forum")
    db.session.commit()
    app_db.session.expunge_all()
    after = watcher.get(url).get_data(as_text=True)
    assert "4 more people are waiting" in after  # drawn anew: the cache saw the newcomer
    assert _tables(after) == _tables(before) and _tables(before)
