"""Public releases: made only when at least the public minimum of new people joined since the
last one, ending on a facilitators' cut, frozen as served; the facilitators' publish form
(confirmation box, CSRF, refusal with a message) and the scheduled check."""
from __future__ import annotations

import random
from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.admin.models import AuditEntry
from app.representation import releases, services
from app.representation.models import Release
from app.representation.page import build_page
from app.representation.dashboard import facilitator_page
from app.representation.targets import set_targets
from tests.conftest import login
from tests.dom import csrf_token
from tests.representation.dashboard_fixtures import add_participants, load_population
from tests.representation.disclosure_checks import report_ranges
from tests.representation.ledger_rows import add_rows, random_rows
from tests.dom import outer_html, parse

PUBLIC_K, BATCH = 10, 5


@pytest.fixture
def space(make, db):
    space = make.space("release-space", transparency_public=True)
    load_population(db.session)
    return space


def _join(db, space, n, **fields):
    add_participants(db.session, space, n, first_at=datetime(2025, 3, 3, 3, 0), **fields)


def _make(db, space, actor=None):
    release = releases.create_release(db.session, space, actor, public_k=PUBLIC_K, batch=BATCH)
    db.session.commit()
    return release


def _count(db):
    return db.session.scalar(select(func.count()).select_from(Release))


# --- the service -----------------------------------------------------------------------------

def test_a_release_needs_ten_new_people_and_ends_on_a_facilitators_cut(db, space):
    _join(db, space, 9)
    with pytest.raises(releases.ReleaseError) as error:
        _make(db, space)  # 9 joined: the facilitators' cut is at 5, 5 new < 10
    assert error.value.msgid.startswith("A release needs at least %(needed)s new participants")
    assert error.value.params == {"needed": 10, "new": 5}
    _join(db, space, 3)  # 12: the cut is at 10
    first = _make(db, space)
    assert (first.number, first.participants, first.min_cell) == (1, 10, 10)
    _join(db, space, 9)  # 21: the cut at 20, 10 after release 1
    state = releases.readiness(db.session, space, public_k=PUBLIC_K, batch=BATCH)
    assert (state.covered, state.previous, state.new, state.ready) == (20, 10, 10, True)
    second = _make(db, space)
    assert (second.number, second.participants) == (2, 20)
    _join(db, space, 8)  # 29: cut at 25, only 5 new
    state = releases.readiness(db.session, space, public_k=PUBLIC_K, batch=BATCH)
    assert (state.new, state.missing, state.ready) == (5, 5, False)
    with pytest.raises(releases.ReleaseError):
        _make(db, space)
    assert _count(db) == 2


def test_an_empty_space_cannot_release(db, space):
    state = releases.readiness(db.session, space, public_k=PUBLIC_K, batch=BATCH)
    assert (state.covered, state.ready, state.missing) == (0, False, 10)
    with pytest.raises(releases.ReleaseError):
        _make(db, space)


def test_a_release_is_frozen_and_protected_with_the_public_minimum(db, space):
    _join(db, space, 33, age=65, gender="male")
    _join(db, space, 7, age=25, gender="female")
    release = _make(db, space)
    thawed = releases.thaw(space.slug, release)
    gender = thawed["reports"]["gender"]
    assert (gender.participants, gender.min_cell) == (40, 10)
    assert gender.categories[0].suppressed  # 7 women: shown to facilitators, not to the public
    assert gender.categories[0].count is None and gender.categories[0].share is None
    assert set(thawed["reports"]) == set(releases.PUBLIC_DIMENSIONS)
    facilitators = services.build_report(db.session, space, "gender", min_cell=5)
    assert facilitators.categories[0].count == 7
    # later joiners change the live figures, never the release
    _join(db, space, 10, age=30, gender="female")
    db.session.expire_all()
    again = releases.thaw(space.slug, db.session.get(Release, release.id))
    assert again["reports"]["gender"] == gender
    assert again["figures"]["participants"] == 40


def test_the_people_a_release_leaves_out_of_gender_stay_shown_beside_it(db, space):
    # 30 adults and 10 of unknown age: the release prints "10 left out" of its gender table
    # (#12), which every later audit of the same window must count as known
    _join(db, space, 15, age=40, gender="female")
    _join(db, space, 15, age=50, gender="male")
    _join(db, space, 10, age=None, gender="female")
    release = _make(db, space)
    assert release.payload["reports"]["gender"]["left_out"] == 10
    assert releases.fixed_figures(release)[("gender", "~left_out")] == 10
    page = facilitator_page(db.session, space, k=5)
    assert ("gender", "~left_out") in {tuple(key) for key in page.shown_keys}


def test_the_facilitators_view_of_a_released_window_keeps_what_the_release_shows(db, space):
    # 40 people whose k=5 audit, left to itself, would hide figures the k=10 release shows
    # (gender, the women and men, who answered: since #12 counted among eligible ages only)
    add_rows(db.session, space, random_rows(random.Random(6), 40))
    release = _make(db, space)
    fixed = set(releases.fixed_figures(release))  # what the release printed
    assert fixed and fixed <= releases.fixed_keys(release)
    page = facilitator_page(db.session, space, k=5)
    assert page.window.high == release.participants
    # what the public already has stays shown (hiding it would protect nothing), and the
    # audit hides around it instead
    assert fixed <= {tuple(key) for key in page.shown_keys}
    unaware = build_page(db.session, space, window=page.window, k=5)
    assert not fixed <= {tuple(key) for key in unaware.shown_keys}
    _join(db, space, 5)
    assert releases.release_for_window(
        db.session, space, facilitator_page(db.session, space, k=5).window) is None


def test_a_released_window_is_audited_afresh_once_its_figures_have_changed(db, space):
    # The release (k=10) shows "not referenced: 13" (commuters and the relationship population,
    # outside the targets) beside 27 residents and 40 in all.
    _join(db, space, 27, residency="resident")
    _join(db, space, 10, residency="commuter")
    _join(db, space, 3, residency="relationship")
    set_targets(db.session, space, "residency", {"resident": 1.0})
    _make(db, space)
    # Then the facilitators add a target for commuters: under the same key the release's
    # window now holds 3 people (the relationship population), a group below k, and
    # "answered" counts 37, not 27. What the release published no longer describes these
    # figures, so nothing may be kept shown on its account.
    set_targets(db.session, space, "residency", {"resident": 0.5, "commuter": 0.5})
    db.session.commit()
    report = facilitator_page(db.session, space, k=5).reports["residency"]
    assert report.participants == 40 and report.unreferenced is None
    low, high = report_ranges(report)["unreferenced"]
    assert low <= 3 <= high and high - low >= 4


def test_the_scheduled_check_releases_only_published_spaces_with_enough_newcomers(db, make, space):
    unlisted = make.space("unlisted", visibility="unlisted", transparency_public=True)
    closed = make.space("closed")  # transparency page off
    for target in (space, unlisted, closed):
        _join(db, target, 12)
    made = releases.auto_release(db.session, [space, unlisted, closed], public_k=PUBLIC_K,
                                 batch=BATCH)
    db.session.commit()
    assert [(r.space_id, r.number, r.published_by_id) for r in made] == [(space.id, 1, None)]
    assert releases.auto_release(db.session, [space], public_k=PUBLIC_K, batch=BATCH) == []


# --- the publish form on the dashboard ---------------------------------------------------------

@pytest.fixture
def facilitator(client, make, space):
    user = make.user(roles=(f"facilitator:{space.id}",))
    login(client, user.email)
    client.get("/lang/en")
    return user


def _dashboard(client, space):
    response = client.get(f"/spaces/{space.slug}/representation/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _publish(client, space, **data):
    return client.post(f"/spaces/{space.slug}/representation/releases", data=data,
                       follow_redirects=True)


def _flash(html):
    return [node.text(strip=True) for node in parse(html).css("div.flash")]


def test_the_dashboard_says_how_many_more_are_needed(client, db, space, facilitator):
    _join(db, space, 7)
    html = _dashboard(client, space)
    assert "5 more participants are needed before the next release." in html
    assert "Publish a release" not in html
    _join(db, space, 3)
    html = _dashboard(client, space)
    assert "A new release would cover 10 participants." in html
    box = parse(html).css_first('input[type="checkbox"][name="confirm"]').attributes
    assert box["value"] == "y" and "required" in box


def test_publishing_needs_the_confirmation_box(client, db, space, facilitator):
    _join(db, space, 10)
    response = _publish(client, space)
    assert response.status_code == 200
    assert "Tick the box to confirm that these figures may be published." in _flash(
        response.get_data(as_text=True))
    assert _count(db) == 0


def test_publishing_is_refused_with_a_message_when_fewer_than_ten_joined(client, db, space,
                                                                         facilitator):
    _join(db, space, 10)
    _publish(client, space, confirm="y")
    _join(db, space, 5)  # 15: only 5 since release 1
    html = _publish(client, space, confirm="y").get_data(as_text=True)
    assert ("A release needs at least 10 new participants since the previous one; 5 have joined."
            in _flash(html))
    assert _count(db) == 1


def test_publishing_makes_an_audited_release(client, db, space, facilitator):
    _join(db, space, 12)
    html = _publish(client, space, confirm="y").get_data(as_text=True)
    assert "Release 1 was made: it covers the first 10 participants." in _flash(html)
    release = db.session.scalars(select(Release)).one()
    assert (release.number, release.participants, release.published_by_id) == (1, 10, facilitator.id)
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "representation.release")).one()
    assert (entry.actor_id, entry.target, entry.detail) == (
        facilitator.id, f"space:{space.id}", {"number": 1, "participants": 10})
    table = outer_html(html, "section.rep-releases")
    assert f'href="/spaces/{space.slug}/transparency?release=1"' in table


def test_publishing_needs_a_csrf_token(app, client, db, space, facilitator):
    _join(db, space, 10)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        _publish(client, space, confirm="y")
        assert _count(db) == 0
        token = csrf_token(_dashboard(client, space))
        _publish(client, space, confirm="y", csrf_token=token)
        assert _count(db) == 1
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_a_release_made_before_the_kinds_and_furusato_tables_stays_readable(client, db, space):
    """Releases keep the public tables (gender, age, residency type); the kinds of relationship
    and furusato tiers are the facilitators' only. A release frozen before they existed reads
    as it was, and the facilitators' view of its window still keeps what it printed, although
    residency is now audited together with the kinds."""
    _join(db, space, 25, residency="resident", furusato_tier="none")
    _join(db, space, 12, residency="relationship", tie_kind="family", furusato_tier="basic")
    _join(db, space, 3, residency="relationship", tie_kind="visits", furusato_tier="premium")
    set_targets(db.session, space, "residency", {"resident": 0.8, "relationship": 0.2})
    release = _make(db, space)
    # What an old release holds: the three public reports, nothing of the new dimensions.
    old_payload = {**release.payload, "reports": {d: release.payload["reports"][d]
                                                 for d in ("gender", "age_band", "residency")}}
    release.payload = old_payload
    db.session.commit()
    assert set(release.payload["reports"]) == {"gender", "age_band", "residency"}
    set_targets(db.session, space, "relationship_kind", {"family": 0.5, "visits": 0.5})
    set_targets(db.session, space, "furusato", {"none": 0.6, "basic": 0.3, "premium": 0.1})
    db.session.commit()
    thawed = releases.thaw(space.slug, release)
    assert set(thawed["reports"]) == {"gender", "age_band", "residency"}
    assert {c.key: c.count for c in thawed["reports"]["residency"].categories} == \
        {"resident": 25, "relationship": 15}
    assert client.get(f"/spaces/{space.slug}/transparency").status_code == 200
    body = client.get(f"/api/v1/spaces/{space.slug}/releases/1").get_json()
    assert set(body["dimensions"]) == {"gender", "age_band", "residency"}
    page = facilitator_page(db.session, space, k=5)
    fixed = releases.fixed_figures(release)
    assert ("residency", "relationship") in fixed
    assert set(fixed) <= {tuple(key) for key in page.shown_keys}
    # The 3 visitors stay hidden: 15 in the relationship population is public, so the
    # 12 family members are hidden with them.
    kinds = {c.key: c.count for c in page.reports["relationship_kind"].categories}
    assert kinds == {"family": None, "visits": None}
