"""The furusato and kind-of-relationship tables of the facilitators' dashboard: counted against
the facilitators' targets, small groups hidden, in the CSV and JSON as well, and audited with the
residency table so that no table's hidden group can be read off another's."""
from __future__ import annotations

import csv
import io

import pytest

from app.representation.dashboard import facilitator_page
from app.representation.disclosure import feasible_range
from app.representation.targets import set_targets
from tests.conftest import login
from tests.dom import outer_html, table_rows
from tests.representation.dashboard_fixtures import add_participants, load_population


@pytest.fixture
def space(make, db, client):
    space = make.space("furusato-tracker")
    load_population(db.session)
    # 40 people: 29 residents (none registered), 8 basic and 3 premium registrants among the
    # relationship population and the dual-region residents.
    add_participants(db.session, space, 29, furusato_tier="none")
    add_participants(db.session, space, 6, residency="relationship", tie_kind="family",
                     furusato_tier="basic")
    add_participants(db.session, space, 2, residency="relationship", tie_kind="visits",
                     furusato_tier="basic")
    add_participants(db.session, space, 3, residency="dual_region", tie_kind="dual_region",
                     furusato_tier="premium")
    set_targets(db.session, space, "residency", {"resident": 0.8, "relationship": 0.1,
                                                 "dual_region": 0.1})
    set_targets(db.session, space, "relationship_kind", {"family": 0.5, "visits": 0.5})
    set_targets(db.session, space, "furusato", {"none": 0.7, "basic": 0.2, "premium": 0.1})
    db.session.commit()
    login(client, make.user(roles=(f"facilitator:{space.id}",)).email)
    client.get("/lang/en")
    return space


def _section(client, space, dimension):
    html = client.get(f"/spaces/{space.slug}/representation/").get_data(as_text=True)
    return outer_html(html, f'section.rep-section[id="dim-{dimension}"]')


def test_the_furusato_table_hides_the_premium_registrants_under_k(client, space):
    section = _section(client, space, "furusato")
    assert "Furusato registration" in section
    table = table_rows(section)
    assert table["Not registered"][0] == "29"
    assert table["Furusato registrants (premium)"][:2] == ["hidden", "hidden"]  # 3 people
    # With the total (40) and 29 shown, the 8 basic registrants would give the 3 away.
    assert table["Furusato registrants (basic)"][:2] == ["hidden", "hidden"]
    client.get("/lang/ja")
    assert "ふるさと住民登録" in _section(client, space, "furusato")


def test_the_kinds_table_counts_the_relationship_population_only(client, space, db):
    section = _section(client, space, "relationship_kind")
    table = table_rows(section)
    assert set(table) == {"Family there", "Frequent visitors"}
    assert table["Family there"][0] == "hidden" and table["Frequent visitors"][0] == "hidden"
    page = facilitator_page(db.session, space, k=5)
    report = page.reports["relationship_kind"]
    # The 32 others are not compared (they are not the relationship population).
    assert report.unreferenced == 32 and report.unknown == 0
    assert "Not in the relationship population (not compared)" in section


def test_csv_and_json_carry_the_new_dimensions(client, space):
    url = f"/api/v1/spaces/{space.slug}/representation"
    body = client.get(f"{url}?dimension=furusato").get_json()
    counts = {c["key"]: c["count"] for c in body["categories"]}
    assert counts == {"none": 29, "basic": None, "premium": None}
    text = client.get(f"{url}.csv?dimension=relationship_kind").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert any("family" in row for row in rows)
    assert client.get(f"{url}?dimension=astrology").status_code == 400


def _kind_group(residency, kind):
    """What the kinds table says of a person, written out here rather than taken from the app."""
    if residency is None:
        return None
    if residency != "relationship":
        return "outside"
    return None if kind in (None, "relationship") else kind


def _truth(space_rows):
    truth: dict = {}
    for residency, kind, n in space_rows:
        atom = (residency, _kind_group(residency, kind))
        truth[atom] = truth.get(atom, 0) + n
    return truth


def test_no_hidden_group_of_residency_and_kinds_can_be_narrowed(db, make):
    """The attacker's view: the (residency type, kind) atoms as unknowns, every figure the two
    tables print as a constraint; each hidden small group must keep at least k values."""
    k = 5
    space = make.space("kinds-audit")
    load_population(db.session)
    people = [("resident", None, 21), ("relationship", "family", 6), ("relationship", "visits", 3),
              ("relationship", "grew_up", 1), ("relationship", None, 2), ("commuter", "commuter", 4),
              ("dual_region", "dual_region", 1), (None, None, 2)]
    for residency, kind, n in people:
        add_participants(db.session, space, n, residency=residency, tie_kind=kind)
    set_targets(db.session, space, "residency", {"resident": 0.7, "relationship": 0.2,
                                                 "commuter": 0.05, "dual_region": 0.05})
    set_targets(db.session, space, "relationship_kind", {"family": 0.4, "visits": 0.3,
                                                         "grew_up": 0.3})
    db.session.commit()
    page = facilitator_page(db.session, space, k=k)
    assert page.participants == 40
    truth = _truth(people)
    atoms = sorted(truth, key=repr)
    index = {a: i for i, a in enumerate(atoms)}

    def where(pred):
        return [index[a] for a in atoms if pred(a)]

    groups = {("total",): where(lambda a: True)}
    printed = {("total",): page.participants}
    for dimension, part in (("residency", 0), ("relationship_kind", 1)):
        report = page.reports[dimension]
        keys = [c.key for c in report.categories]
        for c in report.categories:
            groups[(dimension, c.key)] = where(lambda a, c=c, p=part: a[p] == c.key)
            if not c.suppressed:
                printed[(dimension, c.key)] = c.count
        totals = {"answered": lambda a, p=part, keys=keys: a[p] in keys,
                  "unknown": lambda a, p=part: a[p] is None,
                  "unreferenced": lambda a, p=part, keys=keys: a[p] is not None
                  and a[p] not in keys}
        for name, pred in totals.items():
            groups[(dimension, name)] = where(pred)
            if getattr(report, name) is not None:
                printed[(dimension, name)] = getattr(report, name)
    for atom in atoms:
        groups[("atom", atom)] = [index[atom]]
    constraints = [(groups[key], value) for key, value in printed.items()]
    checked = 0
    for key, members in groups.items():
        value = sum(truth[atoms[i]] for i in members)
        if key in printed or not 0 < value < k:
            continue
        low, high = feasible_range(len(atoms), constraints, members)
        assert low <= value <= high and high - low >= k - 1, (key, value, low, high)
        checked += 1
    assert checked >= 4  # the data did have small hidden groups
