"""What an attacker can work out from shown figures: used by the disclosure tests. Every shown
figure is a linear equation over the true counts; the range a hidden count can take under all
of them is a small integer programme (solved by app.representation.disclosure.feasible_range,
which only solves, never chooses what to hide)."""
from __future__ import annotations

from app.representation.disclosure import feasible_range


def breakdown_ranges(table, true_cells: dict, k: int) -> dict:
    """{(row, column): (low, high)} for each true cell with 0 < count < k of a single-choice or
    Likert breakdown table, given every figure the table shows (cells, column totals, the "All"
    column and the answered total)."""
    rows = [row.key for row in table.rows]
    columns = table.columns
    index = {(r, c): i * len(columns) + j for i, r in enumerate(rows)
             for j, c in enumerate(columns)}
    constraints = [(list(index.values()), table.answered)]
    for row in table.rows:
        for c in columns:
            if not row.cells[c].hidden:
                constraints.append(([index[(row.key, c)]], row.cells[c].count))
        if row.overall is not None:
            constraints.append(([index[(row.key, c)] for c in columns], row.overall))
    for c in columns:
        if table.totals[c] is not None:
            constraints.append(([index[(r, c)] for r in rows], table.totals[c]))
    return {key: feasible_range(len(index), constraints, [index[key]])
            for key, value in true_cells.items() if 0 < value < k}


def option_ranges(result, k: int) -> dict:
    """{option key: (low, high)} for each option of a single-choice or Likert result whose
    true count is unknown to the caller, given the shown counts and the answered total."""
    keys = [o.key for o in result.options]
    constraints = [(list(range(len(keys))), result.answered)]
    constraints += [([i], o.count) for i, o in enumerate(result.options) if o.count is not None]
    return {o.key: feasible_range(len(keys), constraints, [i])
            for i, o in enumerate(result.options) if o.count is None}
