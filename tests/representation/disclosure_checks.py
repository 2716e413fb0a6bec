"""An attacker's view of a representation page, rebuilt by the tests from what the page shows.

The page's own audit (app/representation/disclosure.py) decides what to hide. These helpers
check its result from the outside: they take only the figures a report or a page *prints*
(shown counts, totals, headline counts), model every atom the page tells apart as an unknown
non-negative integer, and ask `feasible_range` how far each hidden small group can be narrowed.
They use a subset of the constraints the page audit uses (no series figures), so a range found
here is never narrower than the audit's: a failure here is a real disclosure.
"""
from __future__ import annotations

from sqlalchemy import select

from app.representation import batches
from app.representation.disclosure import feasible_range
from app.representation.models import Participation
from app.representation.page import build_page
from app.representation.queries import BELOW, GENDERS, UNKNOWN

GENDER_ATOMS = ("female", "male", "other", "unknown")


def same_window_truth(session, space, page):
    """The unprotected page (k = 1) of exactly the people `page` counts."""
    return build_page(session, space, window=page.window, k=1,
                      dimensions=tuple(page.reports), series=False)


# --- one report on its own ------------------------------------------------------------------

def report_ranges(report) -> dict[str, tuple[int, float]]:
    """{key: (low, high)} for every hidden category and hidden total of one report, from the
    report's shown figures alone (atoms: the categories, no answer, not referenced)."""
    keys = [c.key for c in report.categories]
    # Gender counts only eligible participants; the others are a figure of their own.
    left_out = report.dimension == "gender"
    extra = ["~left_out"] if left_out else []
    atoms = {key: i for i, key in enumerate([*keys, UNKNOWN, "~unreferenced", *extra])}
    n = len(atoms)
    cells = {key: [atoms[key]] for key in keys}
    totals = {"answered": [atoms[k] for k in keys], "unknown": [atoms[UNKNOWN]],
              "unreferenced": [atoms["~unreferenced"]]}
    if left_out:
        totals["left_out"] = [atoms["~left_out"]]
    constraints = [(list(range(n)), report.participants)]
    constraints += [(cells[c.key], c.count) for c in report.categories if not c.suppressed]
    constraints += [(totals[name], getattr(report, name)) for name in totals
                    if getattr(report, name) is not None]
    ranges = {c.key: feasible_range(n, constraints, cells[c.key])
              for c in report.categories if c.suppressed}
    ranges.update({name: feasible_range(n, constraints, totals[name]) for name in totals
                   if getattr(report, name) is None})
    return ranges


# --- everything an age/gender page prints together ------------------------------------------

def _page_atoms(page):
    bands = [c.key for c in page.reports["age_band"].categories]
    ages = [*bands, BELOW, UNKNOWN]
    atoms = [(a, g) for a in ages for g in GENDER_ATOMS]
    index = {atom: i for i, atom in enumerate(atoms)}

    def where(pred):
        return [i for (a, g), i in index.items() if pred(a, g)]

    known = set(bands)
    groups = {("total",): where(lambda a, g: True)}
    for b in bands:
        groups[("age_band", b)] = where(lambda a, g, b=b: a == b)
    groups[("age_band", "answered")] = where(lambda a, g: a in known)
    groups[("age_band", "unknown")] = where(lambda a, g: a == UNKNOWN)
    groups[("age_band", "unreferenced")] = where(lambda a, g: a == BELOW)
    # Gender counts only participants of a known eligible age, as the page does; the others
    # are the printed "left out" figure.
    for x in GENDERS:
        groups[("gender", x)] = where(lambda a, g, x=x: a in known and g == x)
    groups[("gender", "answered")] = where(lambda a, g: a in known and g in GENDERS)
    groups[("gender", "unknown")] = where(lambda a, g: a in known and g == "unknown")
    groups[("gender", "unreferenced")] = where(lambda a, g: a in known and g == "other")
    groups[("gender", "left_out")] = where(lambda a, g: a not in known)
    cross = lambda a, g: a in known and g in GENDERS  # noqa: E731
    unknown_cross = lambda a, g: a == UNKNOWN or g == "unknown"  # noqa: E731
    for b in bands:
        for x in GENDERS:
            groups[("age_band_x_gender", f"{b}|{x}")] = where(lambda a, g, b=b, x=x: a == b and g == x)
    groups[("age_band_x_gender", "answered")] = where(cross)
    groups[("age_band_x_gender", "unknown")] = where(unknown_cross)
    groups[("age_band_x_gender", "unreferenced")] = where(
        lambda a, g: not cross(a, g) and not unknown_cross(a, g))
    youth = page.headline.get("youth")
    if youth is not None:
        young = {b for b in bands if _band_low(b) >= youth.low and _band_high(b) <= youth.high}
        cut = {b for b in bands if b not in young and _band_low(b) <= youth.high
               and _band_high(b) >= youth.low}
        assert not cut, "these helpers model youth bands made of whole age bands only"
        groups[("headline", "youth")] = where(lambda a, g: a in young)
        groups[("implied", "not_youth")] = where(lambda a, g: a in known and a not in young)
    for atom, i in index.items():
        groups[("atom", *atom)] = [i]
    return len(atoms), groups, index


def _band_low(key: str) -> int:
    return int(key.rstrip("+").split("-")[0])


def _band_high(key: str) -> float:
    return float("inf") if key.endswith("+") else int(key.split("-")[1])


def _shown(page) -> dict:
    """{group key: value} of everything the page prints about ages and genders."""
    shown = {("total",): page.participants}
    for dimension in ("age_band", "gender", "age_band_x_gender"):
        report = page.reports[dimension]
        for c in report.categories:
            if not c.suppressed:
                shown[(dimension, c.key)] = c.count
        for name in ("answered", "unknown", "unreferenced", "left_out"):
            if getattr(report, name, None) is not None:
                shown[(dimension, name)] = getattr(report, name)
    youth = page.headline.get("youth")
    if youth is not None and youth.count is not None:
        shown[("headline", "youth")] = youth.count
    # The women card prints the gender table's figures again (eligible women, eligible people
    # who answered, those left out): each is a constraint even where the table hides it.
    women = page.headline.get("women")
    if women is not None:
        for name, value in (("female", women.count), ("answered", women.n),
                            ("left_out", women.left_out)):
            if value is not None:
                shown[("gender", name)] = value
    return shown


def window_rows(session, space, win) -> list[tuple]:
    """(age, gender) of the people the window counts, ranked here in Python by (time, id): an
    independent reading of the chain, not the page's SQL."""
    column = batches.chain_time(win.module)
    rows = session.execute(select(column, Participation.id, Participation.age, Participation.gender)
                           .where(Participation.space_id == space.id, column.is_not(None))).all()
    rows.sort(key=lambda r: (r[0], r[1]))
    return [(age, gender) for _t, _id, age, gender in rows[win.low:win.high]]


def _atom_of(space, bands, age, gender):
    if age is None:
        a = UNKNOWN
    elif age < space.min_age:
        a = BELOW
    else:
        a = next(b for b in reversed(bands) if age >= _band_low(b))
    g = gender if gender in ("female", "male", "other") else "unknown"
    return (a, g)


def page_small_groups(session, space, page, k: int) -> dict:
    """{group: (true value, low, high)} for every group of the page (cells, totals, headline
    counts, the implied 'not young', every finest atom) whose true count is 0 < n < k and that
    the page does not print, with the range the printed figures leave it."""
    n, groups, index = _page_atoms(page)
    bands = [c.key for c in page.reports["age_band"].categories]
    truth = [0] * n
    for age, gender in window_rows(session, space, page.window):
        truth[index[_atom_of(space, bands, age, gender)]] += 1
    shown = _shown(page)
    for key, value in shown.items():  # what is printed is true
        assert sum(truth[i] for i in groups[key]) == value, key
    constraints = [(groups[key], value) for key, value in shown.items()]
    out = {}
    for key, atoms in groups.items():
        value = sum(truth[i] for i in atoms)
        if not 0 < value < k or key in shown:
            continue
        out[key] = (value, *feasible_range(n, constraints, atoms))
    return out
