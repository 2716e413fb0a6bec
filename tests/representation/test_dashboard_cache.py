"""The unfiltered dashboard's figures are drawn once and shared by the space's facilitators
(app/representation/dashboard_views.py, issue #15), and every change that moves a figure shows
at the next view: a batch closing, a withdrawal of consent, new targets, a release. Forms stay
the reader's own; filtered views are never shared and are still audited."""
from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, update

from app.accounts import services as accounts
from app.accounts.models import User
from app.admin.models import AuditEntry
from app.extensions import db as app_db
from app.representation import tallies
from app.representation.ledger import record_participation
from app.representation.models import Participation
from app.representation.targets import set_targets
from app.spaces.models import Space
from tests.dom import parse
from tests.people import client_as
from tests.representation.dashboard_fixtures import add_participants, skewed_space
from tests.statements import recorded


@pytest.fixture
def space(db, make, fragment_cache):
    made = skewed_space(make, db)
    return SimpleNamespace(id=made.id, slug=made.slug)  # the tests' sessions are emptied


def _space(db, space):
    return db.session.get(Space, space.id)


@pytest.fixture
def facilitators(app, make, space):
    return [client_as(app, make.user(roles=(f"facilitator:{space.id}",))) for _ in range(2)]


def _view(client, space, query: str = "") -> tuple[str, int]:
    app_db.session.expunge_all()  # a fresh session, as every production request has
    with recorded() as statements:
        response = client.get(f"/spaces/{space.slug}/representation/{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True), len(statements)


def _scope(html: str) -> str:
    return parse(html).css_first(".rep-scope").text(strip=True)


def test_the_second_facilitator_gets_the_figures_without_their_computation(space, facilitators):
    first, cold = _view(facilitators[0], space)
    second, warm = _view(facilitators[1], space)
    assert _scope(second) == _scope(first) and "60 participants" in _scope(first)
    assert parse(second).css_first("#dim-gender").html == parse(first).css_first("#dim-gender").html
    assert warm <= cold - 8, (cold, warm)  # the ledger, reference and releases are not read


def test_each_facilitator_keeps_their_own_form_token(app, db, space, facilitators, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    monkeypatch.setitem(app.config, "MIN_CELL_PUBLIC", 5)  # a release is due: its form shows
    pages = [_view(client, space)[0] for client in facilitators]
    tokens = [parse(p).css_first(".rep-release-form input[name=csrf_token]").attributes["value"]
              for p in pages]
    assert all(tokens) and tokens[0] != tokens[1]


def test_a_closing_batch_shows_at_once(db, make, space, facilitators):
    newcomers = [make.user(birth_year=1995).id for _ in range(2)]
    db.session.commit()
    _view(facilitators[0], space)
    for person_id in newcomers:  # 65: a 13th batch, written as every module writes it
        record_participation(db.session, space.id, db.session.get(User, person_id), "forum")
    db.session.commit()
    html, _ = _view(facilitators[1], space)
    assert "65 participants" in _scope(html)


def test_a_withdrawal_of_consent_shows_at_once(db, make, space, facilitators):
    person_id = make.user(birth_year=1960, gender="male").id
    # the first participant, tallied an hour later than the settling time: a rewrite of an old row
    db.session.execute(update(Participation).where(Participation.id == 1).values(
        user_id=person_id).execution_options(**{tallies.SKIP_OPTION: "counts_unchanged"}))
    db.session.commit()
    before, _ = _view(facilitators[0], space)
    accounts.withdraw_demographics(db.session, db.session.get(User, person_id))
    db.session.commit()
    after, cold = _view(facilitators[1], space)
    assert after != before and cold > 8  # recomputed
    assert db.session.scalar(select(Participation.age).where(Participation.id == 1)) is None


def test_new_targets_show_at_once(db, space, facilitators):
    _view(facilitators[0], space)
    set_targets(db.session, _space(db, space), "sector", {"none": 1.0})
    db.session.commit()
    html, _ = _view(facilitators[1], space)
    assert parse(html).css_first("#dim-sector .rep-table") is not None


def test_filtered_views_are_drawn_each_time_and_audited(db, space, facilitators):
    def audited() -> int:
        return db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "representation.view"))
    counts = [_view(client, space, "?module=all&since=2025-01-01")[1] for client in facilitators]
    assert counts[1] >= counts[0] - 1 and audited() == 2


def test_someone_who_may_not_facilitate_gets_nothing_from_the_cache(app, make, space,
                                                                    facilitators):
    _view(facilitators[0], space)
    assert client_as(app, make.user()).get(f"/spaces/{space.slug}/representation/").status_code == 403
    assert client_as(app).get(f"/spaces/{space.slug}/representation/").status_code in (302, 401)


def test_first_at_of_the_fixture_is_old_enough_to_be_tallied():
    # The withdrawal test above relies on it: a row written in 2025 is settled.
    assert datetime(2025, 1, 6) < tallies.utcnow() - tallies.SETTLE


def test_a_module_used_again_keeps_the_figures_cached(db, make, space, facilitators):
    person_id = make.user(birth_year=1995).id
    db.session.commit()
    record_participation(db.session, space.id, db.session.get(User, person_id), "forum")
    db.session.commit()
    _, cold = _view(facilitators[0], space)
    record_participation(db.session, space.id, db.session.get(User, person_id), "forum")
    db.session.commit()  # the same module again: no ledger row changes
    _, warm = _view(facilitators[1], space)
    assert warm <= cold - 8, (cold, warm)
    record_participation(db.session, space.id, db.session.get(User, person_id), "surveys")
    db.session.commit()  # a module used for the first time: a figure may move
    _, again = _view(facilitators[0], space)
    assert again > warm + 7, (warm, again)


def test_a_row_added_through_the_orm_redraws_the_figures(db, make, space, facilitators):
    _, cold = _view(facilitators[0], space)
    add_participants(db.session, _space(db, space), 5, age=22, gender="female")
    html, redrawn = _view(facilitators[1], space)
    assert redrawn > cold - 8 and "65 participants" in _scope(html)


def test_a_bulk_statement_naming_no_space_redraws_every_dashboard(db, space, facilitators):
    _, cold = _view(facilitators[0], space)
    db.session.execute(update(Participation).where(Participation.age == 65).values(age=66))
    db.session.commit()
    _, redrawn = _view(facilitators[1], space)
    assert redrawn > cold - 8, (cold, redrawn)
    db.session.execute(update(Participation).where(Participation.age == 1).values(age=2))
    db.session.commit()  # changed no row: nothing is stale
    _, warm = _view(facilitators[0], space)
    assert warm <= cold - 8, (cold, warm)
