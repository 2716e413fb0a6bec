"""The representation tracker tried as an attacker would (issue #9).

Tiny spaces where people with known demographics join on known days; the attacker knows when a
named person joined (forum posts show names and times) and tries every view the role offers:
one-day windows, cumulative differences, module filters, release differences. The claim under
test: whatever the views reveal about a named person is shared by at least k people who joined
in the same batch, and no hidden count can be narrowed below k values from the figures shown.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import numpy as np
import pytest
from scipy.optimize import LinearConstraint, milp

from app.representation import batches, releases, services
from app.admin.models import AuditEntry
from app.representation.models import Participation
from app.representation.dashboard import facilitator_page, offered_modules
from tests.conftest import login
from tests.representation.dashboard_fixtures import load_population

K_FAC, K_PUB = 5, 10
DAY0 = datetime(2026, 6, 1, 3, 0)  # noon in Japan
PEOPLE = [  # (age, gender) of the people joining one a day
    (22, "female"), (67, "male"), (45, "female"), (71, "male"), (33, "other"),
    (58, "male"), (19, "female"), (80, None), (41, "male"), (29, "female"), (64, "male"),
    (36, "male"), (52, "female"), (47, "male"), (75, "female"), (24, "male")]


def _add(session, space, rows, *, start=DAY0, modules=("forum",)):
    """Ledger rows straight into the table: one a day from `start`."""
    ids = []
    for i, (age, gender) in enumerate(rows):
        at = start + timedelta(days=i)
        flags = {m: m in modules for m in ("forum", "proposals", "proposal_supporters",
                                           "surveys", "panel")}
        row = Participation(space_id=space.id, user_id=None, first_at=at, age=age,
                            gender=gender, residency="resident", sector="none", **flags,
                            **{f"{m}_at": at for m in modules})
        session.add(row)
        session.flush()
        ids.append(row.id)
    session.commit()
    return ids


@pytest.fixture
def space(db, make):
    created = make.space("tiny", transparency_public=True)
    load_population(db.session)
    return created


def _all_windows(session, space, days: int, module: str = "all"):
    """Every window a facilitator can ask for over `days` days, and the open one."""
    dates = [None] + [(DAY0 + timedelta(days=d)).date() for d in range(-1, days + 1)]
    seen = {}
    for since in dates:
        for until in dates:
            if since and until and until < since:
                continue
            win = batches.window(session, space, module=module, since=since, until=until,
                                 k=K_FAC)
            seen[(win.low, win.high)] = win
    return list(seen.values())


def _classes(members: list[int], windows) -> dict[int, frozenset]:
    """People (by rank) grouped by which windows cover them: the finest thing any combination
    of the windows' figures can tell apart."""
    vector = {rank: tuple(w.low < rank <= w.high for w in windows) for rank in members}
    groups = defaultdict(set)
    for rank, v in vector.items():
        groups[v].add(rank)
    return {rank: frozenset(groups[v]) for rank, v in vector.items()}


@pytest.mark.parametrize("n", [1, 2, 5, 9, 11, 16])
def test_windows_never_single_anyone_out(db, space, n):
    _add(db.session, space, PEOPLE[:n])
    windows = _all_windows(db.session, space, n)
    for win in windows:
        assert win.low % K_FAC == 0 and win.high % K_FAC == 0
    classes = _classes(list(range(1, n + 1)), windows)
    for rank, group in classes.items():
        covered = any(w.low < rank <= w.high for w in windows)
        if covered:
            # Seen in some view: indistinguishable from at least k-1 others in its batch.
            assert len(group) >= K_FAC, (rank, sorted(group))
        else:
            # The open batch: in no view at all.
            assert rank > n // K_FAC * K_FAC


def test_one_day_window_shows_nothing_about_that_day(db, space):
    _add(db.session, space, PEOPLE[:11])
    day = (DAY0 + timedelta(days=3)).date()
    page = facilitator_page(db.session, space, since=day, until=day, k=K_FAC)
    assert page.window.empty
    report = page.reports["gender"]
    assert all(c.count in (0, None) for c in report.categories)
    assert page.participants == 0


def test_cumulative_difference_is_a_whole_batch(db, space):
    _add(db.session, space, PEOPLE[:11])
    day = (DAY0 + timedelta(days=7)).date()
    before = services.build_report(db.session, space, "gender", until=day, min_cell=K_FAC)
    after = services.build_report(db.session, space, "gender", until=day + timedelta(days=1),
                                  min_cell=K_FAC)
    # Person 9 joined on day 8: the two windows cover the same whole batches.
    assert before.participants == after.participants == 5


def _facilitator(make, space):
    return make.user(email="fac@example.jp", roles=(f"facilitator:{space.id}",))


def test_module_filter_with_one_author_is_not_offered(db, make, client, space):
    _add(db.session, space, PEOPLE[:8])
    _add(db.session, space, PEOPLE[8:9], start=DAY0 + timedelta(days=8),
         modules=("forum", "proposals"))
    assert "proposals" not in offered_modules(db.session, space, K_FAC)
    _facilitator(make, space)
    login(client, "fac@example.jp")
    response = client.get("/api/v1/spaces/tiny/representation?dimension=gender&module=proposals")
    assert response.status_code == 400
    page = client.get("/spaces/tiny/representation/?module=proposals")
    assert page.status_code == 200
    assert 'value="proposals"' not in page.get_data(as_text=True)


def test_a_new_author_moves_no_figure_until_k_more_join(db, space):
    authors = _add(db.session, space, PEOPLE[:6], modules=("forum", "proposals"))
    _add(db.session, space, PEOPLE[6:12], start=DAY0 + timedelta(days=6))
    assert "proposals" in offered_modules(db.session, space, K_FAC)
    before = services.build_report(db.session, space, "gender", module="proposals",
                                   min_cell=K_FAC)
    # Someone who took part long ago writes their first proposal today.
    late = db.session.get(Participation, _add(db.session, space, [(30, "female")],
                                              start=DAY0 + timedelta(days=20))[0])
    late.proposals, late.proposals_at = True, DAY0 + timedelta(days=21)
    db.session.commit()
    after = services.build_report(db.session, space, "gender", module="proposals",
                                  min_cell=K_FAC)
    assert [c.count for c in before.categories] == [c.count for c in after.categories]
    assert before.participants == after.participants == 5
    assert len(authors) == 6


# --- releases ----------------------------------------------------------------------------

def test_public_sees_releases_only(db, make, client, space):
    unlisted = make.space("hidden-space", visibility="unlisted", transparency_public=True)
    off = make.space("off-space", transparency_public=False)
    for s in (space, unlisted, off):
        _add(db.session, s, PEOPLE[:12])
    assert client.get("/api/v1/spaces/tiny/representation?dimension=gender").status_code == 404
    assert client.get("/spaces/tiny/transparency").status_code == 200  # "nothing yet"
    for s in (unlisted, off):
        releases.create_release(db.session, s, None, public_k=K_PUB, batch=K_FAC)
    releases.create_release(db.session, space, None, public_k=K_PUB, batch=K_FAC)
    db.session.commit()
    for slug in ("hidden-space", "off-space"):
        assert client.get(f"/api/v1/spaces/{slug}/representation").status_code == 404
        assert client.get(f"/api/v1/spaces/{slug}/releases").status_code == 404
        assert client.get(f"/spaces/{slug}/transparency").status_code == 404
    ok = client.get("/api/v1/spaces/tiny/representation?dimension=gender")
    assert ok.status_code == 200 and ok.get_json()["participants"] == 10
    for query in ("since=2026-06-01", "until=2026-06-03", "module=forum"):
        assert client.get(f"/api/v1/spaces/tiny/representation?{query}").status_code == 400
    listing = client.get("/api/v1/spaces/tiny/releases").get_json()["releases"]
    assert [r["participants"] for r in listing] == [10]
    assert client.get("/api/v1/spaces/tiny/releases/1").status_code == 200
    assert client.get("/api/v1/spaces/tiny/releases/2").status_code == 404


@pytest.mark.parametrize("n", [1, 2, 5, 9, 11, 25])
def test_releases_differ_by_at_least_k_people(db, space, n):
    made = []
    for i in range(n):
        _add(db.session, space, [PEOPLE[i % len(PEOPLE)]], start=DAY0 + timedelta(days=i))
        try:
            made.append(releases.create_release(db.session, space, None, public_k=K_PUB,
                                                batch=K_FAC))
        except releases.ReleaseError:
            pass
    covered = [0] + [r.participants for r in made]
    assert all(b - a >= K_PUB for a, b in zip(covered, covered[1:]))
    assert all(c % K_FAC == 0 for c in covered)
    assert len(made) == (n // K_FAC * K_FAC) // K_PUB


def test_publishing_needs_confirmation_and_enough_newcomers(db, make, client, space):
    _add(db.session, space, PEOPLE[:9])
    _facilitator(make, space)
    login(client, "fac@example.jp")
    response = client.post("/spaces/tiny/representation/releases", data={"confirm": "y"},
                           follow_redirects=True)
    assert "10" in response.get_data(as_text=True)
    assert not releases.list_releases(db.session, space)
    _add(db.session, space, PEOPLE[9:11], start=DAY0 + timedelta(days=9))
    client.post("/spaces/tiny/representation/releases", data={})
    assert not releases.list_releases(db.session, space)
    client.post("/spaces/tiny/representation/releases", data={"confirm": "y"})
    db.session.expire_all()
    assert [r.participants for r in releases.list_releases(db.session, space)] == [10]


# --- what a page shows, audited independently ---------------------------------------------

def _attacker_range(atoms, constraints, target):
    """min/max of sum(target atoms) given linear equalities [(coeffs by atom, value)]."""
    n = len(atoms)
    if constraints:
        a = np.array([[row.get(i, 0.0) for i in range(n)] for row, _ in constraints])
        b = np.array([v for _, v in constraints])
        linear = [LinearConstraint(a, b - 1e-6, b + 1e-6)]
    else:
        linear = []
    c = np.zeros(n)
    c[list(target)] = 1
    out = []
    for sign in (1, -1):
        res = milp(sign * c, constraints=linear, integrality=np.ones(n), bounds=(0, np.inf))
        assert res.success
        out.append(round(sign * res.fun))
    return tuple(out)


@pytest.mark.parametrize("n", [5, 9, 11, 16])
def test_no_hidden_group_can_be_narrowed_from_the_dashboard(db, space, n):  # noqa: C901
    """Rebuild the attacker's equations from what the dashboard shows (counts, totals, card
    shares with their n, series shares) and check every small true group is still wide."""
    _add(db.session, space, PEOPLE[:n])
    page = facilitator_page(db.session, space, k=K_FAC)
    covered = PEOPLE[:page.window.high]
    bands = [(18, 29), (30, 39), (40, 49), (50, 59), (60, 69), (70, 79), (80, 200)]
    genders = ["female", "male", "other", None]

    def band_of(age):
        return next(i for i, (lo, hi) in enumerate(bands) if lo <= age <= hi)

    atoms = [(b, g) for b in range(len(bands)) for g in genders]
    index = {a: i for i, a in enumerate(atoms)}
    truth = np.zeros(len(atoms))
    for age, gender in covered:
        truth[index[(band_of(age), gender)]] += 1
    constraints = [({i: 1.0 for i in range(len(atoms))}, len(covered))]

    def shown(predicate, value):
        if value is not None:
            constraints.append(({index[a]: 1.0 for a in atoms if predicate(*a)}, value))

    age, gender, cross = (page.reports[d] for d in ("age_band", "gender", "age_band_x_gender"))
    for i, c in enumerate(age.categories):
        shown(lambda b, g, i=i: b == i, c.count)
    shown(lambda b, g: True, age.answered)
    for c in gender.categories:
        shown(lambda b, g, key=c.key: g == key, c.count)
    shown(lambda b, g: g in ("female", "male"), gender.answered)
    shown(lambda b, g: g is None, gender.unknown)
    shown(lambda b, g: g == "other", gender.unreferenced)
    for c in cross.categories:
        band = [b.key for b in __import__("app.representation.reference", fromlist=["x"])
                .age_bands(space)].index(c.row_key)
        shown(lambda b, g, band=band, key=c.col_key: b == band and g == key, c.count)
    youth = page.headline["youth"]
    if youth.share is not None:  # the card shows the share and n: youth = share * n
        constraints.append(({index[a]: 1.0 for a in atoms if a[0] <= 1}, round(youth.share * youth.n)))
    for (b, g), value in zip(atoms, truth):
        if 0 < value < K_FAC:
            low, high = _attacker_range(atoms, constraints, [index[(b, g)]])
            assert high - low >= K_FAC - 1 or (low, high) == (0, len(covered)), \
                (n, b, g, value, low, high)
    for b in range(len(bands)):  # each age band as a group
        value = sum(truth[index[(b, g)]] for g in genders)
        if 0 < value < K_FAC:
            low, high = _attacker_range(atoms, constraints, [index[(b, g)] for g in genders])
            assert high - low >= K_FAC - 1, (n, b, value, low, high)


def test_dates_out_of_range_get_a_message(db, make, client, space):
    _add(db.session, space, PEOPLE[:5])
    _facilitator(make, space)
    login(client, "fac@example.jp")
    for value in ("0001-01-01", "9999-12-31"):
        api = client.get(f"/api/v1/spaces/tiny/representation?since={value}")
        assert api.status_code == 400 and "2000-01-01" in api.get_json()["error"]
        page = client.get(f"/spaces/tiny/representation/?until={value}")
        assert page.status_code == 200 and "2000-01-01" in page.get_data(as_text=True)


def test_filtered_views_and_exports_are_audited(db, make, client, space):
    _add(db.session, space, PEOPLE[:10])
    _facilitator(make, space)
    login(client, "fac@example.jp")
    client.get("/spaces/tiny/representation/")
    client.get("/spaces/tiny/representation/?since=2026-06-02")
    client.get("/api/v1/spaces/tiny/representation.csv?dimension=gender")
    db.session.expire_all()
    actions = [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions == ["representation.view", "representation.export"]
    entry = db.session.query(AuditEntry).filter_by(action="representation.view").one()
    assert entry.detail["since"] == "2026-06-02"
