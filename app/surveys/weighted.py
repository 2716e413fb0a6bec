"""What the choice about respondents without demographics changes in weighted survey results,
and the plain statements that go with weighted figures (issue #12). No Flask here: the
statements are msgids, translated where they are shown (the results page and the API).

A respondent who lacks a weighting variable (no answer, another gender, under the minimum age)
is either kept, not adjusted on what they did not answer (results.DEFAULT_UNKNOWN), or left out
of every weighted figure. Neither is known to be right, so the results show one and say how far
the other moves the weighted shares that are shown: the largest change over the page and per
question. Only shares shown to the audience are compared, so the comparison says nothing about
a hidden figure.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from app.common.errors import N_
from app.surveys.results import (DEFAULT_UNKNOWN, UNKNOWN_TREATMENTS, QuestionResult,
                                 Weighting)

INTERVAL_LEVEL = 0.95
INTERVAL_NOTE = N_(
    "Respondents are not a random sample: they chose to take part. The %(level)s interval "
    "describes the uncertainty under a model of who takes part, in which the respondents of each "
    "weighting group are like a random draw from that group; it is widened for the unequal "
    "weights (the design effect) but does not cover how people chose to take part.")
TARGETS_NOTICE = N_(
    "Weighting to facilitator targets is not population weighting: the weights for "
    "%(variables)s follow the shares the facilitators set, not population figures, so the "
    "weighted results describe the mix the facilitators aimed for.")


def other_treatment(unknown: str) -> str:
    return next(t for t in UNKNOWN_TREATMENTS if t != unknown)


@dataclass
class UnknownEffect:
    """How the shown weighted shares move when respondents lacking demographics are treated
    the other way."""
    treatment: str  # the treatment of the shown figures
    lacking: int = 0  # respondents missing at least one weighting variable
    comparable: bool = False  # both treatments weighted, on the same variables
    largest: float | None = None  # the largest |change| of a shown weighted share (0..1)
    question_id: int | None = None  # where it is
    option_key: str | None = None
    per_question: dict[int, float] = field(default_factory=dict)

    @property
    def default(self) -> str:
        return DEFAULT_UNKNOWN


def _same_variables(first: Weighting, second: Weighting) -> bool:
    return (first.available and second.available and first.variables == second.variables
            and first.joint == second.joint)


def unknown_effect(shown: list[QuestionResult], other: list[QuestionResult],
                   weighting: Weighting, other_weighting: Weighting) -> UnknownEffect:
    """Compare the shown results with the same results under the other treatment (`other`, in
    the same order) and record each question's largest change in `unknown_change`."""
    effect = UnknownEffect(weighting.unknown, lacking=weighting.lacking)
    if not _same_variables(weighting, other_weighting):
        return effect
    effect.comparable = True
    best = None
    for mine, theirs in zip(shown, other):
        alternatives = {o.key: o.weighted_share for o in theirs.options}
        changes = [(abs(o.weighted_share - alternatives[o.key]), o.key) for o in mine.options
                   if o.weighted_share is not None and alternatives.get(o.key) is not None]
        if not changes:
            continue
        change, key = max(changes, key=lambda pair: pair[0])
        mine.unknown_change = change
        effect.per_question[mine.question.id] = change
        if best is None or change > best[0]:
            best = (change, mine.question.id, key)
    if best is not None:
        effect.largest, effect.question_id, effect.option_key = best
    return effect
