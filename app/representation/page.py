"""One representation page: every figure of one window, computed once and protected together.

The dashboard, the facilitators' JSON and CSV, and every public release are built here, so they
show the same figures. GROUP BYs over the window's ranked ledger rows, sent as one statement,
give the atoms: segment (the stretch between two points of the series) x fine age x gender, and
the counts of the target blocks (app/representation/target_blocks: residency type with the kinds
of relationship, sector, furusato tier). Every figure the page shows is a sum of atoms; app/representation/disclosure
decides once which to hide so that no sum or difference of shown figures narrows a small group
below k values. Shares, intervals, flags and gaps are shown only beside a shown count and a
shown total (they would reveal either). Overall statistics are computed with the hidden cells
merged, and only where the table's total is shown (then the merged sum is derivable anyway).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import partial

from sqlalchemy.orm import Session

from app.representation import batches, honest, stats, tallies, target_blocks
from app.representation.disclosure import Figure, protect
from app.representation.reports import (CategoryLabel, CategoryRow, HeadlineFigure, Report,
                                        WeekPoint)
from app.representation.population import TARGET_DIMENSIONS
from app.representation.queries import (BELOW, DIMENSIONS, GENDERS, UNKNOWN)
from app.representation.targets import TARGET_SUM_SLACK, all_targets
from app.representation.reference import (Reference, age_bands, reference_for, target_reference,
                                          youth_band)

GENDER_KEYS = ("female", "male", "other", "unknown")
ANSWERED, NO_ANSWER, UNREFERENCED = "~answered", "~unknown", "~unreferenced"
LEFT_OUT = "~left_out"  # gender: participants whose age is unknown or below the minimum
HIDDEN = "~hidden"
Y_CLASSES = ("youth", "eligible", "none")  # young / eligible, not young / no known eligible age
G_CLASSES = ("female", "male", "rest")
SERIES_POINTS = 12  # each point adds figures to audit; a dozen reads well on a chart


def _youth_class(space, youth):
    def cls(f) -> str:
        if not isinstance(f, int):
            return "none"
        return "youth" if youth is not None and youth.low <= f <= youth.high else "eligible"
    return cls


def _g_class(g: str) -> str:
    return g if g in ("female", "male") else "rest"


@dataclass
class RepresentationPage:
    space_slug: str
    window: batches.Window
    k: int
    reference: Reference
    reports: dict[str, Report]
    headline: dict[str, HeadlineFigure | None]
    points: list[WeekPoint] = field(default_factory=list)
    hidden: int = 0  # shown figures hidden on this page
    first_day: date | None = None
    last_day: date | None = None
    shown_keys: list = field(default_factory=list)  # what a release must keep fixed

    @property
    def participants(self) -> int:
        return self.window.size

    def figures(self) -> dict:
        """The headline in the shape the presenters read."""
        return {**self.headline, "reference": self.reference, "participants": self.participants}


def _gender(value) -> str:
    return value if value in ("female", "male", "other") else "unknown"


def _fine_ages(space) -> tuple[list[int], callable]:
    """The cut points of the age bands and the youth band, and age -> fine key."""
    bands, youth = age_bands(space), youth_band(space)
    edges = {b.low for b in bands}
    if youth is not None:
        edges |= {youth.low, youth.high + 1}
    edges = sorted(e for e in edges if e >= space.min_age)

    def fine(age):
        if age is None:
            return UNKNOWN
        if age < space.min_age:
            return BELOW
        return max(e for e in edges if e <= age)
    return edges, fine


def _in(low: int, high: int | None):
    return lambda f: isinstance(f, int) and f >= low and (high is None or f <= high)


class _Block:
    """Atoms and the figures over them, for one protect() call."""

    def __init__(self, keys: list):
        self.keys = keys
        self.index = {key: i for i, key in enumerate(keys)}
        self.values = [0] * len(keys)
        self.figures: dict = {}
        self.forced: list = []
        self.links: list = []

    def add(self, key, pred, *, group=None, shown=True, hideable=True, sensitive=True):
        atoms = frozenset(i for i, a in enumerate(self.keys) if pred(a))
        figure = Figure(key, atoms, sum(self.values[i] for i in atoms), group, shown, hideable,
                        sensitive)
        self.figures[key] = figure
        return figure

    def force_small_line(self, total_key, members, k):
        if 0 < self.figures[total_key].value < k:
            self.forced += [m for m in members if m in self.figures]

    def protect(self, k: int, fixed=None):
        seen = {}
        for key, f in list(self.figures.items()):
            if f.shown:
                seen.setdefault(f.atoms, key)
        # A released figure stays shown only while it still has the value it was published
        # with: after a change of targets or age settings its key counts other people.
        fixed = fixed or {}
        figures = [replace(f, hideable=False) if fixed.get(f.key) == f.value else f
                   for f in self.figures.values() if f.shown or f.atoms not in seen]
        return protect(len(self.keys), figures, k, forced=self.forced, links=self.links)


@dataclass
class _Atoms:
    """What one statement counts over the window's ranked people (see _count_atoms)."""
    age_gender: list = field(default_factory=list)  # (segment, age, gender, count)
    by_block: dict = field(default_factory=dict)  # target block -> {atom: count}
    first_at: datetime | None = None  # of the window's first and last person
    last_at: datetime | None = None


def _count_atoms(session, space, win, ranks: list[int], blocks) -> _Atoms:
    """The window's counts by (segment, age, gender), its first and last time, and for each of
    `blocks` ({block: ledger columns}) its counts by those columns. Segment j is the stretch
    of ranks up to ranks[j] (ranks[-1] is the window's end); every count is a difference of two
    prefixes of the chain (app/representation/tallies), so no statement reads more than a few
    chunks of ledger rows, however big the space."""
    atoms = _Atoms(by_block={b: {} for b in blocks})
    if win.empty:
        return atoms
    cuts = [win.low, *ranks]
    found, first_at = tallies.prefixes(session, space.id, win.module, cuts,
                                       blocks={win.low, win.high}, first_after=win.low)
    for j in range(len(ranks)):
        segment = found[cuts[j + 1]].minus(found[cuts[j]])
        atoms.age_gender += [(j, age, gender, n) for (age, gender), n in
                             segment.age_gender.items() if n > 0]
    whole = found[win.high].minus(found[win.low])
    for block, names in blocks.items():
        full = tallies.BLOCK_COLUMNS[block]
        keep = [full.index(name) for name in names]
        for key, n in whole.blocks[block].items():
            if n <= 0:
                continue
            kept = key[keep[0]] if len(keep) == 1 else tuple(key[i] for i in keep)
            atoms.by_block[block][kept] = atoms.by_block[block].get(kept, 0) + n
    atoms.first_at, atoms.last_at = first_at, found[win.high].last_at
    return atoms


def _usable_targets(targets: dict) -> str | None:
    """Why a dimension's targets cannot be compared with (None: they can)."""
    if not targets or sum(targets.values()) <= 0:
        return "no_targets"
    if sum(targets.values()) < 1 - TARGET_SUM_SLACK:  # stored before set_targets refused them
        return "targets_incomplete"
    return None


def build_page(session: Session, space, *, module: str = "all", since: date | None = None,  # noqa: C901
               until: date | None = None, k: int = 5, window: batches.Window | None = None,
               dimensions=DIMENSIONS, series: bool = True, fixed=None,
               ledger: batches.LedgerCounts | None = None) -> RepresentationPage:
    """The page for `module`'s whole batches between `since` and `until` (or `window`).
    `fixed`: {key: value} of figures already published for exactly this window (a release),
    which the audit must treat as shown whatever it decides here (while the value holds).
    `ledger`: the chains' sizes and weeks, already counted (batches.ledger_counts)."""

    k = max(1, int(k))
    win = window or batches.window(session, space, module=module, since=since, until=until, k=k,
                                   ledger=ledger)
    reference = reference_for(session, space)
    cuts = []
    if series and not win.empty:
        cuts = batches.week_cuts(session, space, win, limit=SERIES_POINTS, ledger=ledger)
    if not cuts or cuts[-1][1] != win.high:
        cuts.append((None, win.high))
    ranks = [c for _, c in cuts]

    edges, fine = _fine_ages(space)
    fines = [*edges, BELOW, UNKNOWN]
    youth = youth_band(space)
    ycls = _youth_class(space, youth)
    # Totals of the window per (fine age, gender), and per segment only the classes the series
    # tells apart; links make each class's segments add up to its totals, which is exactly as
    # much as a full segment x age x gender table would let anyone know, in far fewer unknowns.
    series_keys = [("S", j, y, gc) for j in range(len(ranks)) for y in Y_CLASSES
                   for gc in G_CLASSES] if len(ranks) > 1 else []
    block_a = _Block([("T", f, g) for f in fines for g in GENDER_KEYS] + series_keys)
    wanted = [d for d in TARGET_DIMENSIONS if d in dimensions]
    # A target block's figures are audited together whichever of its tables is asked for (as
    # the age and gender figures are), so one table reads the same on every page.
    audited = [d for _name, members in target_blocks.TARGET_BLOCKS if any(m in wanted for m in members)
               for d in members]
    targets = all_targets(session, space) if audited else {}
    compared = [d for d in audited if _usable_targets(targets[d]) is None]
    blocks = {name: target_blocks.block_columns(name, compared) for name, members in target_blocks.TARGET_BLOCKS
              if any(d in compared for d in members)}
    atoms = _count_atoms(session, space, win, ranks, blocks)
    for seg, age, gender, n in atoms.age_gender:
        f, g = fine(age), _gender(gender)
        block_a.values[block_a.index[("T", f, g)]] += n
        if series_keys:
            block_a.values[block_a.index[("S", seg, ycls(f), _g_class(g))]] += n
    if series_keys:
        for y in Y_CLASSES:
            for gc in G_CLASSES:
                block_a.links.append((
                    [block_a.index[("S", j, y, gc)] for j in range(len(ranks))],
                    [block_a.index[("T", f, g)] for f in fines for g in GENDER_KEYS
                     if ycls(f) == y and _g_class(g) == gc]))
    reports: dict[str, Report] = {}
    headline: dict = {"youth": None, "women": None}
    eligible_pop = reference.population(space.min_age, None) if reference.available else 0
    census_ok = reference.available and eligible_pop > 0
    hidden_total = 0
    a_specs = _block_a_figures(block_a, space, ranks, fine, k) if census_ok else []
    hidden_a: set = set()
    shown_keys: list = []
    if census_ok:
        protection = block_a.protect(k, fixed)
        hidden_a = protection.hidden
        hidden_total += len(protection.hidden)
        shown_keys += [key for key, f in block_a.figures.items()
                       if f.shown and key not in hidden_a and key[0] != "series"]
        for dimension in ("age_band", "gender", "age_band_x_gender"):
            if dimension in dimensions:
                reports[dimension] = _report(space, dimension, win, reference, {},
                                             _population(dimension, space, reference, {}),
                                             block_a, a_specs[dimension], hidden_a, k)
        headline = _headline(space, reference, block_a, hidden_a, k)
    for dimension in ("age_band", "gender", "age_band_x_gender"):
        if dimension in dimensions and dimension not in reports:
            reports[dimension] = _unavailable(space, dimension, win, reference, k,
                                              "no_reference" if not reference.available
                                              else "no_population")
    target_ref = target_reference(space) if wanted else None
    for dimension in wanted:
        if dimension not in compared:
            reports[dimension] = _unavailable(space, dimension, win, target_ref, k,
                                              _usable_targets(targets[dimension]))
    for name, members in target_blocks.TARGET_BLOCKS:
        shown_here = [d for d in members if d in compared]
        if not shown_here:
            continue
        block = _target_block(name, shown_here, atoms.by_block[name], targets)
        specs = {d: _one_way_figures(block, d, list(targets[d]), k, target_blocks.category_of(d, shown_here))
                 for d in shown_here}
        protection = block.protect(k, fixed)
        hidden_total += len(protection.hidden)
        shown_keys += [key for key, f in block.figures.items()
                       if f.shown and key not in protection.hidden]
        for dimension in (d for d in shown_here if d in wanted):
            shares = targets[dimension]
            reports[dimension] = _report(space, dimension, win, target_ref, shares,
                                         dict(shares), block, specs[dimension],
                                         protection.hidden, k)
    points = _points(cuts, block_a, hidden_a, space) if census_ok and series else []
    first, last = batches.jst_dates(atoms.first_at, atoms.last_at)
    return RepresentationPage(space.slug, win, k, reference,
                              {d: reports[d] for d in dimensions if d in reports}, headline,
                              points, hidden_total, first, last, shown_keys)


# --- figures -------------------------------------------------------------------------------

def _block_a_figures(block: _Block, space, ranks, fine, k) -> dict[str, dict]:
    """Every figure of the age/gender block; returns per dimension the keys of its cells.
    Window figures are sums of ("T", fine age, gender) atoms, series figures of
    ("S", segment, youth class, gender class) atoms."""
    bands, youth = age_bands(space), youth_band(space)
    last = len(ranks) - 1

    def t(pred):
        return lambda a: a[0] == "T" and pred(a[1], a[2])

    block.add(("total",), t(lambda f, g: True), hideable=False, sensitive=False)
    specs: dict[str, dict] = {}
    known = _in(space.min_age, None)
    cells = {}
    for b in bands:
        cells[b.key] = block.add(("age_band", b.key), t(lambda f, g, i=_in(b.low, b.high): i(f)),  # noqa: B008
                                 group="age_band").key
    block.add(("age_band", ANSWERED), t(lambda f, g: known(f)), group="age_band")
    block.add(("age_band", NO_ANSWER), t(lambda f, g: f == UNKNOWN), group="age_band")
    block.add(("age_band", UNREFERENCED), t(lambda f, g: f == BELOW), group="age_band")
    specs["age_band"] = cells
    # Gender is compared with the eligible population, so only participants of a known age at
    # or above the minimum count in it; the others are a figure of their own ("left out").
    cells = {x: block.add(("gender", x), t(lambda f, g, x=x: known(f) and g == x),
                          group="gender").key for x in GENDERS}
    block.add(("gender", ANSWERED), t(lambda f, g: known(f) and g in GENDERS), group="gender")
    block.add(("gender", NO_ANSWER), t(lambda f, g: known(f) and g == "unknown"), group="gender")
    block.add(("gender", UNREFERENCED), t(lambda f, g: known(f) and g == "other"), group="gender")
    block.add(("gender", LEFT_OUT), t(lambda f, g: not known(f)), group="gender")
    specs["gender"] = cells
    cells = {}
    for b in bands:
        for x in GENDERS:
            cells[f"{b.key}|{x}"] = block.add(
                ("age_band_x_gender", f"{b.key}|{x}"),
                t(lambda f, g, i=_in(b.low, b.high), x=x: i(f) and g == x),  # noqa: B008
                group="age_band_x_gender").key
    cross = lambda f, g: known(f) and g in GENDERS  # noqa: E731
    unknown_cross = lambda f, g: f == UNKNOWN or g == "unknown"  # noqa: E731
    block.add(("age_band_x_gender", ANSWERED), t(cross), group="age_band_x_gender")
    block.add(("age_band_x_gender", NO_ANSWER), t(unknown_cross), group="age_band_x_gender")
    block.add(("age_band_x_gender", UNREFERENCED),
              t(lambda f, g: not cross(f, g) and not unknown_cross(f, g)),
              group="age_band_x_gender")
    specs["age_band_x_gender"] = cells
    is_youth = _in(youth.low, youth.high) if youth else (lambda f: False)
    block.add(("headline", "youth"), t(lambda f, g: is_youth(f)), group="age_band")
    block.add(("headline", "not_youth"), t(lambda f, g: known(f) and not is_youth(f)),
              shown=False)
    # The finest groups the page tells apart (a youth band that cuts an age band makes some).
    for x in {a[1] for a in block.keys if a[0] == "T"}:
        block.add(("fine", x), t(lambda f, g, x=x: f == x), shown=False)
        for y in GENDER_KEYS:
            block.add(("fine", x, y), t(lambda f, g, x=x, y=y: f == x and g == y), shown=False)

    def s(j, pred):
        return lambda a: a[0] == "S" and a[1] <= j and pred(a[2], a[3])

    for j in range(last):
        block.add(("series", j, "participants"), s(j, lambda y, g: True), hideable=False,
                  sensitive=False)
        block.add(("series", j, "youth"), s(j, lambda y, g: y == "youth"), group=j)
        block.add(("series", j, "eligible"), s(j, lambda y, g: y != "none"), group=j)
        block.add(("series", j, "not_youth"), s(j, lambda y, g: y == "eligible"), shown=False)
        # women among eligible women and men, as the headline counts them
        block.add(("series", j, "women"), s(j, lambda y, g: y != "none" and g == "female"),
                  group=j)
        block.add(("series", j, "gendered"), s(j, lambda y, g: y != "none" and g != "rest"),
                  group=j)
        block.add(("series", j, "men"), s(j, lambda y, g: y != "none" and g == "male"),
                  shown=False)
        block.force_small_line(("series", j, "eligible"), [("series", j, "youth")], k)
        block.force_small_line(("series", j, "gendered"), [("series", j, "women")], k)
    # A small group's zero cells tell where all of it is: hide its whole line.
    block.force_small_line(("age_band", ANSWERED), [*specs["age_band"].values(),
                                                    ("headline", "youth")], k)
    block.force_small_line(("gender", ANSWERED), list(specs["gender"].values()), k)
    for b in bands:
        row = [("age_band_x_gender", f"{b.key}|{x}") for x in GENDERS]
        total = block.add(("row", b.key),
                          t(lambda f, g, i=_in(b.low, b.high): i(f) and g in GENDERS), shown=False)  # noqa: B008
        block.force_small_line(total.key, row, k)
    for x in GENDERS:
        column = [("age_band_x_gender", f"{b.key}|{x}") for b in bands]
        total = block.add(("column", x), t(lambda f, g, x=x: known(f) and g == x), shown=False)
        block.force_small_line(total.key, column, k)
    return specs


def _target_block(name: str, shown_here: list, counts: dict, targets: dict) -> _Block:
    keys, values = target_blocks.target_atoms(name, shown_here, counts, targets)
    block = _Block(keys)
    for key, n in values.items():
        block.values[block.index[key]] += n
    return block


def _one_way_figures(block: _Block, dimension: str, categories: list, k: int,
                     category=lambda a: a) -> dict:
    """The figures of one dimension's table over `block`'s atoms (`category`: atom -> the
    dimension's category, None for no answer)."""
    block.add(("total",), lambda a: True, hideable=False, sensitive=False)
    cells = {c: block.add((dimension, c), lambda a, c=c: category(a) == c, group=dimension).key
             for c in categories}
    block.add((dimension, ANSWERED), lambda a: category(a) in categories, group=dimension)
    block.add((dimension, NO_ANSWER), lambda a: category(a) is None, group=dimension)
    block.add((dimension, UNREFERENCED),
              lambda a: category(a) is not None and category(a) not in categories,
              group=dimension)
    for key in block.keys:
        block.add(("fine", key), lambda a, key=key: a == key, shown=False)
    block.force_small_line((dimension, ANSWERED), list(cells.values()), k)
    return cells


# --- reports -------------------------------------------------------------------------------

def _population(dimension: str, space, reference: Reference, targets: dict) -> dict[str, float]:
    if dimension in TARGET_DIMENSIONS:
        return dict(targets)
    bands = age_bands(space)
    if dimension == "age_band":
        return {b.key: reference.population(b.low, b.high) for b in bands}
    if dimension == "gender":
        return {g: reference.population(space.min_age, None, g) for g in GENDERS}
    return {f"{b.key}|{g}": reference.population(b.low, b.high, g) for b in bands for g in GENDERS}


def _estimated(dimension: str, space, reference: Reference, key: str) -> bool:
    """Whether the category's population figure cuts a published age range (an estimate)."""
    if dimension in TARGET_DIMENSIONS or not reference.estimated:
        return False
    if dimension == "gender":
        return reference.splits(space.min_age, None)
    band = next((b for b in age_bands(space) if b.key == key), None)
    return band is not None and reference.splits(band.low, band.high)


def _unavailable(space, dimension, win, reference, k, reason) -> Report:
    return Report(space.slug, dimension, win.module, reference, win.size, None, None, None, k, [],
                  stats.ChiSquare(None, 0, None, False, "unavailable"), None, None, False, reason,
                  win.since, win.until)


def _field(result, name: str):
    return None if result is None else getattr(result, name)


def _report(space, dimension, win, reference, targets, population, block, cells, hidden, k) -> Report:
    figures = block.figures
    counts = {c: figures[key].value for c, key in cells.items()}
    value = lambda name: figures[(dimension, name)].value  # noqa: E731
    shown = lambda name: None if (dimension, name) in hidden else value(name)  # noqa: E731
    comparison = stats.compare(counts, population, unknown=value(NO_ANSWER),
                               unreferenced=value(UNREFERENCED))
    total_hidden = (dimension, ANSWERED) in hidden
    hidden_cells = {c for c, key in cells.items() if key in hidden}
    chi = comparison.chi_square
    table = honest.TableResult(withheld="suppressed")
    if total_hidden:
        chi = stats.ChiSquare(None, 0, None, False, "suppressed")
    else:
        table = honest.table_result(counts, population, hidden_cells, unknown=shown(NO_ANSWER))
        if hidden_cells:
            merged_counts = {c: n for c, n in counts.items() if c not in hidden_cells}
            merged_pop = {c: p for c, p in population.items() if c not in hidden_cells}
            merged_counts[HIDDEN] = sum(counts[c] for c in hidden_cells)
            merged_pop[HIDDEN] = sum(population[c] for c in hidden_cells)
            chi = stats.compare(merged_counts, merged_pop).chi_square
    rows = []
    for cat in comparison.categories:
        row_key = col_key = None
        if dimension == "age_band_x_gender":
            row_key, col_key = cat.key.split("|")
        is_hidden = cat.key in hidden_cells
        # a share, interval, test or gap reveals the count and the total: only beside both
        result = None if is_hidden else table.cells.get(cat.key)
        flag = None
        if result is not None:
            flag = result.verdict if result.verdict in ("under", "over") else "ok"
        r = partial(_field, result)
        rows.append(CategoryRow(
            cat.key, CategoryLabel(dimension, cat.key), None if is_hidden else cat.count,
            r("share"), None if targets else cat.population, cat.population_share, r("ratio"),
            r("ci_low"), r("ci_high"), flag, r("parity_gap"), is_hidden, row_key, col_key,
            verdict=r("verdict") or ("no_data" if not total_hidden and not is_hidden
                                     and not comparison.answered else None),
            p_value=r("p_value"), p_adjusted=r("p_adjusted"),
            interval_method=r("interval_method"), unknown_low=r("unknown_low"),
            unknown_high=r("unknown_high"),
            estimated=_estimated(dimension, space, reference, row_key or cat.key)))
    overall = table.overall
    return Report(space.slug, dimension, win.module, reference, win.size, shown(ANSWERED),
                  shown(NO_ANSWER), shown(UNREFERENCED), k, rows, chi, table.dissimilarity,
                  table.rate_ratio, True, None, win.since, win.until,
                  overall_method=overall.method if overall and overall.p_value is not None
                  else None,
                  overall_p_value=overall.p_value if overall else None,
                  overall_significant=table.overall_significant, merged=table.merged,
                  expected_dissimilarity=table.expected_dissimilarity, withheld=table.withheld,
                  left_out=shown(LEFT_OUT) if (dimension, LEFT_OUT) in figures else None)


def _headline_figure(key, count_key, n_key, population, base, block, hidden, band=None,
                     estimated=False, *, unknown_key, left_out_key=None) -> HeadlineFigure:
    count, n = block.figures[count_key].value, block.figures[n_key].value
    comparison = stats.compare({key: count, "rest": n - count},
                               {key: population, "rest": max(0.0, base - population)})
    cat = comparison.categories[0]
    count_hidden, n_hidden = count_key in hidden, n_key in hidden
    derived = not count_hidden and not n_hidden and n > 0
    result = None
    if derived:
        unknown = None if unknown_key in hidden else block.figures[unknown_key].value
        result = honest.headline_result(count, n, cat.population_share, unknown)
    verdict = result.verdict if result else ("no_data" if not n_hidden and n == 0 else None)
    flag = None if result is None else (verdict if verdict in ("under", "over") else "ok")
    left_out = None
    if left_out_key is not None and left_out_key not in hidden:
        left_out = block.figures[left_out_key].value
    return HeadlineFigure(
        key=key, label=CategoryLabel("headline", key), count=None if count_hidden else count,
        n=None if n_hidden else n, share=cat.share if derived else None, population=population,
        population_share=cat.population_share, ratio=cat.ratio if derived else None,
        ci_low=result.ci_low if result else None, ci_high=result.ci_high if result else None,
        flag=flag, parity_gap=cat.parity_gap if derived else None,
        suppressed=count_hidden or n_hidden, low=band.low if band else None,
        high=band.high if band else None, estimated=estimated, verdict=verdict,
        interval_method=result.interval_method if result else None,
        unknown_low=result.unknown_low if result else None,
        unknown_high=result.unknown_high if result else None, left_out=left_out)


def _headline(space, reference, block, hidden, k) -> dict:
    base = reference.population(space.min_age, None)
    youth = youth_band(space)
    result = {"youth": None, "women": None}
    if youth is not None:
        result["youth"] = _headline_figure(
            "youth", ("headline", "youth"), ("age_band", ANSWERED),
            reference.population(youth.low, youth.high), base, block, hidden, youth,
            reference.estimated, unknown_key=("age_band", NO_ANSWER))
    result["women"] = _headline_figure(
        "women", ("gender", "female"), ("gender", ANSWERED),
        reference.population(space.min_age, None, "female"), base, block, hidden,
        estimated=reference.estimated, unknown_key=("gender", NO_ANSWER),
        left_out_key=("gender", LEFT_OUT))
    return result


def _share(block, hidden, count_key, n_key):
    if count_key in hidden or n_key in hidden:
        return None
    n = block.figures[n_key].value
    return block.figures[count_key].value / n if n else None


def _points(cuts, block, hidden, space) -> list[WeekPoint]:
    points = []
    last = len(cuts) - 1
    for j, (week, rank) in enumerate(cuts):  # noqa: B007
        if week is None:
            continue
        if j == last:
            youth = _share(block, hidden, ("headline", "youth"), ("age_band", ANSWERED))
            women = _share(block, hidden, ("gender", "female"), ("gender", ANSWERED))
            participants = block.figures[("total",)].value
        else:
            youth = _share(block, hidden, ("series", j, "youth"), ("series", j, "eligible"))
            women = _share(block, hidden, ("series", j, "women"), ("series", j, "gendered"))
            participants = block.figures[("series", j, "participants")].value
        points.append(WeekPoint(week, participants, youth, women))
    return points
