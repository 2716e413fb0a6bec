"""What a respondent gave, whether it is valid, and which questions they see.

Pure: works on question objects by their attributes (id, kind, required, options, ...) and on a
form-like mapping with ``get``/``getlist``; imports neither Flask nor SQLAlchemy. Errors are codes
with parameters; the view layer turns them into translated messages next to each question.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from app.common.text import normalize

OTHER = "other"  # form value of the "other (please specify)" choice
SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 5000
OTHER_TEXT_MAX = 200
# Largest magnitude of a number answer when the question sets no range of its own: beyond any
# count, amount or year a survey asks for, and far from where sums and means overflow a float.
NUMBER_LIMIT = 1e12


def within_limit(value: float) -> bool:
    return math.isfinite(value) and abs(value) <= NUMBER_LIMIT


@dataclass
class Given:
    """One question's answer as given (also what is shown again when it has errors)."""

    options: list[int] = field(default_factory=list)  # chosen option ids
    other: str | None = None  # text of "other"; None = not chosen
    number: float | None = None  # Likert point or number
    raw: str = ""  # the number as typed
    text: str = ""
    ranks: dict[int, int] = field(default_factory=dict)  # option id -> rank (1 = first)

    def is_empty(self) -> bool:
        return not (self.options or self.other is not None or self.number is not None
                    or self.raw or self.text or self.ranks)


@dataclass(frozen=True)
class Problem:
    code: str
    params: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, code: str, **params) -> Problem:
        return cls(code, tuple(sorted(params.items())))


# --- conditional display -------------------------------------------------------------------

def visible_ids(questions: Sequence, answers: Mapping[int, Given]) -> set[int]:
    """Ids of the questions a respondent sees, given their answers so far. `questions` are in
    answering order; a condition names an option of an earlier question, so one pass suffices.
    A question whose controlling question is itself hidden stays hidden."""
    owner = {o.id: q.id for q in questions for o in getattr(q, "options", ())}
    visible: set[int] = set()
    for q in questions:
        option_id = q.show_if_option_id
        if option_id is None:
            visible.add(q.id)
            continue
        controller = owner.get(option_id)
        given = answers.get(controller) if controller is not None else None
        if controller in visible and given is not None and option_id in given.options:
            visible.add(q.id)
    return visible


# --- parsing -------------------------------------------------------------------------------

def field_name(question, suffix: str = "") -> str:
    return f"q{question.id}{suffix}"


def rank_field_name(question, option) -> str:
    return f"q{question.id}_o{option.id}"


def _as_int(value: str) -> int | None:
    value = normalize(value)
    return int(value) if value.isdigit() else None


def parse(question, form) -> Given:
    """Read one question's fields from a submitted form, keeping what was typed."""
    kind = question.kind
    given = Given()
    if kind in ("single", "multiple"):
        values = form.getlist(field_name(question)) if kind == "multiple" else \
            [v for v in [form.get(field_name(question))] if v]
        for value in values:
            if value == OTHER:
                given.other = _clean_text(form.get(field_name(question, "_other"), ""))
            else:
                number = _as_int(value)
                # -1 marks a value that is no option, so validation can refuse it
                given.options.append(number if number is not None else -1)
    elif kind == "likert":
        value = form.get(field_name(question), "")
        given.raw = value
        number = _as_int(value)
        given.number = float(number) if number is not None else None
    elif kind == "number":
        given.raw = normalize(form.get(field_name(question), ""))
        given.number = parse_number(given.raw)
    elif kind in ("short_text", "long_text"):
        given.text = _clean_text(form.get(field_name(question), ""))
    elif kind == "ranking":
        for option in question.options:
            value = form.get(rank_field_name(question, option), "")
            if normalize(value):
                number = _as_int(value)
                given.ranks[option.id] = number if number is not None else -1
    return given


def _clean_text(value: str) -> str:
    return normalize((value or "").replace("\r\n", "\n").replace("\r", "\n"))


def parse_number(raw: str) -> float | None:
    """A number as people type it: full-width digits, thousands separators, a minus sign."""
    text = normalize(raw).replace(",", "").replace("−", "-").replace("ー", "-")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# --- validation ----------------------------------------------------------------------------

def check(question, given: Given) -> Problem | None:
    """The first problem with this answer, or None. An empty optional answer is fine."""
    if given.is_empty():
        return Problem.of("required") if question.required else None
    kind = question.kind
    if kind in ("single", "multiple"):
        return _check_choice(question, given)
    if kind == "likert":
        points = question.scale_points or 5
        if given.number is None or not 1 <= given.number <= points:
            return Problem.of("invalid_choice")
        return None
    if kind == "number":
        return _check_number(question, given)
    if kind in ("short_text", "long_text"):
        limit = SHORT_TEXT_MAX if kind == "short_text" else LONG_TEXT_MAX
        if not given.text:
            return Problem.of("required") if question.required else None
        if len(given.text) > limit:
            return Problem.of("too_long", max=limit, length=len(given.text))
        return None
    if kind == "ranking":
        return _check_ranking(question, given)
    return Problem.of("invalid_choice")


def _check_choice(question, given: Given) -> Problem | None:
    known = {o.id for o in question.options}
    if any(option_id not in known for option_id in given.options):
        return Problem.of("invalid_choice")
    if given.other is not None and not question.allow_other:
        return Problem.of("invalid_choice")
    if len(set(given.options)) != len(given.options):
        return Problem.of("invalid_choice")
    count = len(given.options) + (1 if given.other is not None else 0)
    if question.kind == "single" and count > 1:
        return Problem.of("invalid_choice")
    if question.kind == "multiple":
        low, high = question.min_choices, question.max_choices
        if low is not None and high is not None and not low <= count <= high:
            return Problem.of("choose_between", min=low, max=high) if low != high else \
                Problem.of("choose_exactly", n=low)
        if low is not None and count < low:
            return Problem.of("choose_at_least", min=low)
        if high is not None and count > high:
            return Problem.of("choose_at_most", max=high)
    if given.other is not None:
        if not given.other:
            return Problem.of("other_missing")
        if len(given.other) > OTHER_TEXT_MAX:
            return Problem.of("too_long", max=OTHER_TEXT_MAX, length=len(given.other))
    return None


def _check_number(question, given: Given) -> Problem | None:
    value = given.number
    if value is None or not math.isfinite(value):
        return Problem.of("not_a_number")
    if question.integer_only and value != int(value):
        return Problem.of("whole_number")
    low, high = question.min_value, question.max_value
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            return Problem.of("number_between", min=format_number(low), max=format_number(high))
        if low is not None:
            return Problem.of("number_at_least", min=format_number(low))
        return Problem.of("number_at_most", max=format_number(high))
    if not within_limit(value):
        return Problem.of("number_between", min=format_number(-NUMBER_LIMIT),
                          max=format_number(NUMBER_LIMIT))
    return None


def _check_ranking(question, given: Given) -> Problem | None:
    n = len(question.options)
    ranks = list(given.ranks.values())
    if any(r < 1 or r > n for r in ranks):
        return Problem.of("rank_range", n=n)
    if len(ranks) < n:
        return Problem.of("rank_all")
    if len(set(ranks)) != len(ranks):
        return Problem.of("rank_distinct")
    return None


def format_number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass
class SectionResult:
    answers: dict[int, Given]  # every visible question of the section, as given
    problems: dict[int, Problem]

    @property
    def only_missing(self) -> bool:
        """Every problem is a missing required answer (a draft may still be saved)."""
        return all(p.code == "required" for p in self.problems.values())


def check_section(questions: Iterable, answers: Mapping[int, Given],
                  visible: set[int]) -> SectionResult:
    """Check the visible questions of a section; hidden ones are dropped."""
    kept: dict[int, Given] = {}
    problems: dict[int, Problem] = {}
    for q in questions:
        if q.id not in visible:
            continue
        given = answers.get(q.id, Given())
        kept[q.id] = given
        problem = check(q, given)
        if problem is not None:
            problems[q.id] = problem
    return SectionResult(kept, problems)


@dataclass
class PageOutcome:
    """What to do with a submitted section page."""

    save: bool  # store `keep`; False: show the page again with `problems` (nothing stored)
    keep: dict[int, Given]  # the problem-free answers
    problems: dict[int, Problem]  # to show next to the questions
    appeared: bool  # a condition revealed questions not yet seen: show the page again


def judge_page(questions: Sequence, answers: Mapping[int, Given], shown: set[int],
               action: str) -> PageOutcome:
    """`questions` are the page's visible ones given `answers`, `shown` those the respondent
    saw. "next" needs every seen question right; "back" and "save" keep a draft and only
    refuse invalid answers (a missing one is fine). On "next", questions a condition revealed on
    this very page are shown before moving on, without complaining that they are unanswered."""
    result = check_section(questions, answers, {q.id for q in questions})
    appeared = action == "next" and any(q.id not in shown for q in questions)
    seen = {qid: p for qid, p in result.problems.items() if qid in shown}
    invalid = {qid: p for qid, p in seen.items() if p.code != "required"}
    keep = {qid: g for qid, g in result.answers.items() if qid not in result.problems}
    if invalid or (action == "next" and seen and not appeared):
        return PageOutcome(False, keep, seen if action == "next" else invalid, appeared)
    return PageOutcome(True, keep, seen if action == "next" else {}, appeared)
