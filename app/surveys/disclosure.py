"""What survey results may show, to whom (issue #9 item 5). No Flask here.

Results reach the public only once a survey has closed (Survey.results_open_to_all), and then
only when at least k = MIN_CELL_PUBLIC people responded; facilitators see live results with
k = MIN_CELL_FACILITATOR. For one audience:

- weights are used only when every joint cell of the weighting variables holds at least k
  respondents (results.compute_weighting with min_cell), since everyone in a cell shares a
  weight and a weighted share would otherwise tie answers to fewer than k people;
- publicly, option counts (and their shares and weighted shares) below k are hidden, with as many
  others as the shared audit (app.representation.disclosure.protect) needs so that no sum or
  difference of the figures shown with them recovers them; a Likert mean is shown only when no
  count is hidden (it is a weighted sum of the counts); number questions show the mean and the
  median to two significant figures, never the smallest or largest answer; a question fewer than
  k people answered shows no summary at all;
- breakdown tables (app.surveys.breakdown) are audited the same way, one `protect` call per
  question, with `count_figures` below.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.representation.disclosure import Figure, protect
from app.surveys.models import Survey, SurveyAnswer, SurveyQuestion
from app.surveys.results import (DEFAULT_UNKNOWN, QuestionResult, Weighting, answer_tally,
                                 answers_from, assemble_results, compute_weightings,
                                 respondent_count)
from app.surveys.weighted import UnknownEffect, other_treatment, unknown_effect

COUNTED_KINDS = ("single", "multiple", "likert")


def two_figures(value: float | None) -> float | None:
    """Rounded to two significant figures (12.34 -> 12, 0.01234 -> 0.012, 12345 -> 12000)."""
    return None if value is None else float(f"{value:.2g}")


# --- the shared audit on a table of counts ---------------------------------------------------

def count_figures(rows: list[str], columns: list[str] | None, cells: dict, totals: dict,  # noqa: C901
                  overall: dict | None, answered: int, k: int, *, multiple: bool = False,
                  exact_choices: bool = False) -> set | None:
    """Keys to hide among the counts of one question's table, decided by one `protect` call;
    None when some small figure cannot be protected by hiding others one at a time (e.g. a
    group of 1 beside a single other group: the caller then shows none of the table).

    rows are answers (options, 'other', Likert points), columns the breakdown categories or
    None for the overall counts alone. Keys: ('cell', row, column), ('total', column) (for a
    multiple-choice question ('total', column, row), hidden together), ('overall', row).
    `overall` None leaves the overall counts out (hidden). Atoms are the counts of row x column. A single or Likert answer is one row per person, so
    a column total is the sum of its cells; a multiple-choice question has, per option, the
    people who chose it and those who did not, and `exact_choices` (everyone chose exactly m)
    publishes the sum of all choices too. The answered total is always shown."""
    cols = columns if columns else [None]
    width = len(cols)
    per_row = 2 if multiple else 1

    def atom(i: int, j: int, chose: bool = True) -> int:
        return ((i * width) + j) * per_row + (0 if chose else 1)

    figures: list[Figure] = []
    together: list[list] = []
    if columns:
        for i, r in enumerate(rows):
            for j, c in enumerate(cols):
                figures.append(Figure(("cell", r, c), frozenset({atom(i, j)}), cells[(r, c)],
                                      group=("row", r)))
        for j, c in enumerate(cols):
            if multiple:
                keys = [("total", c, r) for r in rows]
                figures.extend(Figure(("total", c, r), frozenset({atom(i, j), atom(i, j, False)}),
                                      totals[c], group="totals") for i, r in enumerate(rows))
            else:
                keys = [("total", c)]
                figures.append(Figure(("total", c), frozenset(atom(i, j) for i in range(len(rows))),
                                      totals[c], group="totals"))
            if 0 < totals[c] < k:  # a small group: its zeros would say what all of it answered
                together.append(keys + [("cell", r, c) for r in rows])
    for i, r in enumerate(rows if overall is not None else []):
        figures.append(Figure(("overall", r), frozenset(atom(i, j) for j in range(width)),
                              overall[r], group="overall"))
    if multiple:
        for i, r in enumerate(rows):
            figures.append(Figure(("answered", r), frozenset(
                a for j in range(width) for a in (atom(i, j), atom(i, j, False))), answered,
                hideable=False, sensitive=False))
        if exact_choices:
            figures.append(Figure(("choices",), frozenset(
                atom(i, j) for i in range(len(rows)) for j in range(width)),
                sum(cells.values()) if columns else sum(overall.values()),
                hideable=False, sensitive=False))
    else:
        figures.append(Figure(("answered",), frozenset(range(len(rows) * width)), answered,
                              hideable=False, sensitive=False))
    if not rows:
        return set()
    protection = protect(len(rows) * width * per_row, figures, k, together)
    if protection.unprotectable:
        return None
    return protection.hidden | ({("overall", r) for r in rows} if overall is None else set())


def column_figures(totals: dict, answered: int, k: int) -> set | None:
    """Keys ('total', column) to hide when a table shows only respondents per column (number
    and ranking questions) beside the answered total; None as for count_figures."""
    columns = list(totals)
    figures = [Figure(("total", c), frozenset({j}), totals[c], group="totals")
               for j, c in enumerate(columns)]
    figures.append(Figure(("answered",), frozenset(range(len(columns))), answered,
                          hideable=False, sensitive=False))
    if not columns:
        return set()
    protection = protect(len(columns), figures, k)
    return None if protection.unprotectable else protection.hidden


# --- a results page or the API, for one audience ---------------------------------------------

@dataclass
class Release:
    public: bool
    k: int
    respondents: int | None  # None when withheld
    weighting: Weighting
    questions: list[QuestionResult] = field(default_factory=list)
    withheld: bool = False  # public and fewer than k respondents: nothing is shown
    unknown: UnknownEffect | None = None  # what the other treatment of the lacking changes

    @property
    def hidden(self) -> int:
        return sum(q.hidden for q in self.questions)

    @property
    def too_few(self) -> int:
        return sum(1 for q in self.questions if q.too_few)


def release(session: Session, survey: Survey, space, *, k: int, public: bool,
            unknown: str = DEFAULT_UNKNOWN) -> Release:
    """The results of `survey` as the audience may see them (the caller has checked that it
    may see them at all), weighted with respondents lacking demographics treated as `unknown`
    says, and compared with the other treatment on the shown weighted shares."""
    k = max(1, int(k))
    respondents = respondent_count(session, survey)
    if public and respondents < k:
        return Release(True, k, None, Weighting(False, "withheld", unknown=unknown),
                       withheld=True)
    weightings = compute_weightings(session, survey, space, cap=survey.weight_cap, min_cell=k)
    weighting, other = weightings[unknown], weightings[other_treatment(unknown)]
    tally = answer_tally(session, survey, space,
                         by_cell=weighting.available or other.available)
    questions = assemble_results(survey, tally, weighting)
    if public:
        medians = number_medians(session, survey)
        for result in questions:
            _protect_public(result, k, weighting.available, medians.get(result.question.id))
    effect = unknown_effect(questions, assemble_results(survey, tally, other), weighting, other)
    return Release(public, k, respondents, weighting, questions, unknown=effect)


def number_medians(session: Session, survey: Survey) -> dict[int, float]:
    """The median answer of each number question of `survey`."""
    stmt = answers_from(select(SurveyAnswer.question_id, SurveyAnswer.value_number), survey)
    stmt = stmt.join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id).where(
        SurveyQuestion.kind == "number", SurveyAnswer.value_number.is_not(None))
    values: dict[int, list[float]] = defaultdict(list)
    for qid, value in session.execute(stmt):
        values[qid].append(value)
    out = {}
    for qid, numbers in values.items():
        numbers.sort()
        middle = len(numbers) // 2
        out[qid] = numbers[middle] if len(numbers) % 2 else (numbers[middle - 1]
                                                             + numbers[middle]) / 2
    return out


def _hide_option(option) -> None:
    option.count = option.share = option.weighted_share = None
    option.mean_rank = option.weighted_mean_rank = None
    # an interval or design effect is shown only beside its weighted share
    option.weighted_low = option.weighted_high = option.design_effect = None
    option.interval_method = None


def _protect_public(result: QuestionResult, k: int, weighted: bool, median) -> None:
    _protect_public_figures(result, k, weighted, median)
    # A weighted mean's interval only beside the weighted mean, and only where it adds no
    # figure: a Likert interval follows from the shown shares, but a number question's would
    # publish the answers' spread beside the rounded mean (with the mean, two equations for
    # two unknown answers), so publicly it is left out.
    if result.weighted_mean is None or result.question.kind == "number":
        result.weighted_mean_low = result.weighted_mean_high = None
        result.mean_design_effect = None


def _protect_public_figures(result: QuestionResult, k: int, weighted: bool, median) -> None:
    q = result.question
    result.minimum = result.maximum = None  # an extreme answer is one person's answer
    if result.answered < k:
        result.too_few = True
        for option in result.options:
            _hide_option(option)
        result.hidden = len(result.options)
        result.mean = result.weighted_mean = result.median = None
        return
    if q.kind == "number":
        result.mean = two_figures(result.mean)
        result.weighted_mean = two_figures(result.weighted_mean) if weighted else None
        result.median = two_figures(median)
        return
    if q.kind not in COUNTED_KINDS:
        return
    rows = [o.key for o in result.options]
    counts = {o.key: o.count for o in result.options}
    exact = (q.kind == "multiple" and q.min_choices is not None
             and q.min_choices == q.max_choices)
    hidden = count_figures(rows, None, {}, {}, counts, result.answered, k,
                           multiple=q.kind == "multiple", exact_choices=exact)
    for option in result.options:
        if hidden is None or ("overall", option.key) in hidden:
            _hide_option(option)
            result.hidden += 1
    if result.hidden:
        result.mean = result.weighted_mean = None  # with the shown counts it would solve them
