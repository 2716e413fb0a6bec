"""Building surveys: sections, questions, options, order, conditions, copies.

Once a survey has any response (draft or submitted), its structure is locked: wording can still
be fixed, but nothing that changes what an answer means (kinds, options, limits, order,
conditions) -- so results stay comparable. No Flask here; functions take the session first and
only flush. Rule violations raise DomainError (app.common.errors) with an English msgid marked
by N_.
"""
from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.common.errors import N_, DomainError
from app.common.text import normalize
from app.surveys import answering
from app.surveys.models import (CHOICE_KINDS, LIKERT_POINTS, OPTION_KINDS, QUESTION_KINDS,
                                RESULTS_VISIBILITIES, Survey, SurveyOption, SurveyQuestion,
                                SurveyResponse, SurveySection)

TITLE_MAX = 200
DESCRIPTION_MAX = 20_000
QUESTION_TEXT_MAX = 500
HELP_TEXT_MAX = 1000
OPTION_LABEL_MAX = 300
END_LABEL_MAX = 100
OPTIONS_MAX = 30
RANKING_OPTIONS_MAX = 10
# Attributes whose change alters what an answer means: refused once answers exist.
STRUCTURAL = ("kind", "required", "allow_other", "min_choices", "max_choices", "scale_points",
              "min_value", "max_value", "integer_only", "show_if_option_id")
WORDING = ("text", "help_text", "label_low", "label_high")
LOCKED = N_("This survey already has answers, so its structure is locked: only wording can be "
            "changed.")


def has_responses(session: Session, survey: Survey) -> bool:
    return bool(session.scalar(select(exists().where(SurveyResponse.survey_id == survey.id))))


def _require_unlocked(session: Session, survey: Survey, field: str | None = None) -> None:
    if has_responses(session, survey):
        raise DomainError(LOCKED, field)


def _text(value: str | None, limit: int, field: str, *, required: bool = True) -> str:
    value = normalize(value)
    if required and not value:
        raise DomainError(N_("This field is required."), field)
    if len(value) > limit:
        raise DomainError(N_("Use at most %(max)s characters."), field, max=limit)
    return value


def _renumber(items) -> None:
    for index, item in enumerate(items):
        item.position = index


# --- surveys -------------------------------------------------------------------------------

def _check_settings(values: dict) -> dict:
    out = {"title": _text(values.get("title"), TITLE_MAX, "title"),
           "description_md": (values.get("description_md") or "").strip()}
    if len(out["description_md"]) > DESCRIPTION_MAX:
        raise DomainError(N_("Use at most %(max)s characters."), "description_md",
                          max=DESCRIPTION_MAX)
    visibility = values.get("results_visibility", "after_close")
    if visibility not in RESULTS_VISIBILITIES:
        raise DomainError(N_("Choose one of the options."), "results_visibility")
    opens_at, closes_at = values.get("opens_at"), values.get("closes_at")
    if opens_at is not None and closes_at is not None and opens_at >= closes_at:
        raise DomainError(N_("The survey must close after it opens."), "closes_at")
    out.update(results_visibility=visibility, opens_at=opens_at, closes_at=closes_at)
    return out


def create_survey(session: Session, space, actor, **values) -> Survey:
    """A new unpublished survey with one empty section to put questions in."""
    survey = Survey(space_id=space.id, created_by_id=getattr(actor, "id", None),
                    published=False, **_check_settings(values))
    survey.sections.append(SurveySection(title="", description_md="", position=0))
    session.add(survey)
    session.flush()
    return survey


def update_survey(session: Session, survey: Survey, **values) -> Survey:
    """Title, description, dates and results visibility: allowed at any time."""
    for name, value in _check_settings(values).items():
        setattr(survey, name, value)
    session.flush()
    return survey


def set_weight_cap(session: Session, survey: Survey, cap: float | None) -> None:
    if cap is not None and not 1 < cap <= 100:
        raise DomainError(N_("Enter a number above 1 and at most 100, or leave it empty."),
                          "cap")
    survey.weight_cap = cap
    session.flush()


def delete_survey(session: Session, survey: Survey) -> None:
    session.delete(survey)
    session.flush()


# --- sections ------------------------------------------------------------------------------

def add_section(session: Session, survey: Survey, *, title: str,
                description_md: str = "") -> SurveySection:
    _require_unlocked(session, survey)
    section = SurveySection(title=_text(title, TITLE_MAX, "title", required=False),
                            description_md=(description_md or "").strip(),
                            position=len(survey.sections))
    survey.sections.append(section)
    session.flush()
    return section


def update_section(session: Session, section: SurveySection, *, title: str,
                   description_md: str = "") -> SurveySection:
    """Wording only, so allowed after answers exist."""
    section.title = _text(title, TITLE_MAX, "title", required=False)
    section.description_md = (description_md or "").strip()
    session.flush()
    return section


def delete_section(session: Session, section: SurveySection) -> None:
    survey = section.survey
    _require_unlocked(session, survey)
    if len(survey.sections) == 1:
        raise DomainError(N_("A survey needs at least one section."))
    for question in section.questions:
        _refuse_if_controls_others(survey, question, leaving=set(q.id for q in section.questions))
    survey.sections.remove(section)
    _renumber(survey.sections)
    session.flush()


def move_section(session: Session, section: SurveySection, direction: str) -> None:
    survey = section.survey
    _require_unlocked(session, survey)
    sections = list(survey.sections)
    index = sections.index(section)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(sections):
        return
    sections[index], sections[target] = sections[target], sections[index]
    _check_order(survey, [q for s in sections for q in s.questions])
    _renumber(sections)
    survey.sections.sort(key=lambda s: s.position)
    session.flush()


# --- questions -----------------------------------------------------------------------------

def condition_choices(survey: Survey, before: SurveyQuestion | None = None,
                      section: SurveySection | None = None
                      ) -> list[tuple[SurveyQuestion, SurveyOption]]:
    """Options that may control a question: those of choice questions placed before it (before
    `before`, or before the end of `section` for a new question)."""
    out = []
    for s in survey.sections:
        for q in s.questions:
            if before is not None and q.id == before.id:
                return out
            if q.kind in CHOICE_KINDS:
                out.extend((q, o) for o in q.options)
        if section is not None and s.id == section.id:
            return out
    return out


def _check_spec(survey: Survey, spec: dict, *, question: SurveyQuestion | None,  # noqa: C901
                section: SurveySection | None) -> dict:
    """Validate and tidy a question's settings; irrelevant ones are cleared."""
    kind = spec.get("kind")
    if kind not in QUESTION_KINDS:
        raise DomainError(N_("Choose one of the options."), "kind")
    clean = {
        "kind": kind,
        "text": _text(spec.get("text"), QUESTION_TEXT_MAX, "text"),
        "help_text": _text(spec.get("help_text"), HELP_TEXT_MAX, "help_text", required=False),
        "required": bool(spec.get("required")),
        "allow_other": bool(spec.get("allow_other")) and kind in CHOICE_KINDS,
        "min_choices": None, "max_choices": None, "scale_points": None,
        "label_low": "", "label_high": "", "min_value": None, "max_value": None,
        "integer_only": True, "show_if_option_id": spec.get("show_if_option_id") or None,
    }
    labels = [normalize(label) for label in (spec.get("options") or []) if normalize(label)]
    if kind in OPTION_KINDS:
        limit = RANKING_OPTIONS_MAX if kind == "ranking" else OPTIONS_MAX
        if not 2 <= len(labels) <= limit:
            raise DomainError(N_("Give between 2 and %(max)s options, one per line."), "options",
                              max=limit)
        if any(len(label) > OPTION_LABEL_MAX for label in labels):
            raise DomainError(N_("Each option may have at most %(max)s characters."), "options",
                              max=OPTION_LABEL_MAX)
        if len(set(labels)) != len(labels):
            raise DomainError(N_("Each option must be different."), "options")
    else:
        labels = []
    if kind == "multiple":
        low, high = spec.get("min_choices"), spec.get("max_choices")
        available = len(labels) + (1 if clean["allow_other"] else 0)
        if low is not None and low < 0:
            raise DomainError(N_("Enter 0 or more."), "min_choices")
        if high is not None and not 1 <= high <= available:
            raise DomainError(N_("Enter a number between 1 and the number of options (%(n)s)."),
                              "max_choices", n=available)
        if low is not None and low > (high if high is not None else available):
            raise DomainError(N_("The minimum cannot be above the maximum or the number of "
                                 "options."), "min_choices")
        clean.update(min_choices=low or None, max_choices=high)
    if kind == "likert":
        if spec.get("scale_points") not in LIKERT_POINTS:
            raise DomainError(N_("Choose 5 or 7 points."), "scale_points")
        clean.update(scale_points=spec["scale_points"],
                     label_low=_text(spec.get("label_low"), END_LABEL_MAX, "label_low"),
                     label_high=_text(spec.get("label_high"), END_LABEL_MAX, "label_high"))
    if kind == "number":
        low, high = spec.get("min_value"), spec.get("max_value")
        for name, bound in (("min_value", low), ("max_value", high)):
            if bound is not None and not answering.within_limit(bound):
                raise DomainError(N_("Use a number between %(min)s and %(max)s."), name,
                                  min=answering.format_number(-answering.NUMBER_LIMIT),
                                  max=answering.format_number(answering.NUMBER_LIMIT))
        if low is not None and high is not None and low > high:
            raise DomainError(N_("The smallest value cannot be above the largest."), "max_value")
        clean.update(min_value=low, max_value=high, integer_only=bool(spec.get("integer_only")))
    if clean["show_if_option_id"] is not None:
        allowed = {o.id for _, o in condition_choices(survey, before=question, section=section)}
        if clean["show_if_option_id"] not in allowed:
            raise DomainError(N_("A question can only depend on an answer to an earlier choice "
                                 "question."), "show_if_option_id")
    clean["options"] = labels
    return clean


def add_question(session: Session, section: SurveySection, **spec) -> SurveyQuestion:
    survey = section.survey
    _require_unlocked(session, survey)
    clean = _check_spec(survey, spec, question=None, section=section)
    labels = clean.pop("options")
    question = SurveyQuestion(survey_id=survey.id, position=len(section.questions), **clean)
    question.options = [SurveyOption(label=label, position=i) for i, label in enumerate(labels)]
    section.questions.append(question)
    session.flush()
    return question


def update_question(session: Session, question: SurveyQuestion, **spec) -> SurveyQuestion:
    """Change a question. With answers present only wording may change: the texts, the end
    labels and the option labels (same number of options, same order)."""
    survey = question.section.survey
    clean = _check_spec(survey, spec, question=question, section=question.section)
    labels = clean.pop("options")
    if has_responses(session, survey):
        changed = [n for n in STRUCTURAL if getattr(question, n) != clean[n]]
        if changed or len(labels) != len(question.options):
            raise DomainError(LOCKED, changed[0] if changed else "options")
        for option, label in zip(question.options, labels, strict=True):
            option.label = label  # a wording fix, same option
    else:
        question.options = _match_options(survey, question, labels, clean["kind"])
    for name, value in clean.items():
        setattr(question, name, value)
    session.flush()
    return question


def _match_options(survey: Survey, question: SurveyQuestion, labels: list[str],
                   kind: str) -> list[SurveyOption]:
    """The question's new option list: an unchanged label keeps its option (and any condition
    on it), the remaining old options take the remaining new labels in order (a wording fix),
    and what is left over is created or removed."""
    old = list(question.options)
    by_label = {o.label: o for o in old}
    matched = {label: by_label[label] for label in labels if label in by_label}
    spare = [o for o in old if o not in matched.values()]
    result = []
    for index, label in enumerate(labels):
        option = matched.get(label) or (spare.pop(0) if spare else SurveyOption(label=label))
        option.label, option.position = label, index
        result.append(option)
    for option in spare:
        _refuse_if_option_controls(survey, option)
    if kind not in CHOICE_KINDS:
        for option in result:
            _refuse_if_option_controls(survey, option)
    return result


def _dependants(survey: Survey, option_ids: set[int]) -> list[SurveyQuestion]:
    return [q for q in survey.questions() if q.show_if_option_id in option_ids]


def _refuse_if_option_controls(survey: Survey, option: SurveyOption) -> None:
    if _dependants(survey, {option.id}):
        raise DomainError(N_("Another question is shown only when this option is chosen. Change "
                             "that question first."), "options")


def _refuse_if_controls_others(survey: Survey, question: SurveyQuestion,
                               leaving: set[int] | None = None) -> None:
    leaving = leaving or {question.id}
    others = [q for q in _dependants(survey, {o.id for o in question.options})
              if q.id not in leaving]
    if others:
        raise DomainError(N_("The question “%(text)s” depends on an answer to this one. Change "
                             "or delete it first."), text=others[0].text)


def delete_question(session: Session, question: SurveyQuestion) -> None:
    section = question.section
    _require_unlocked(session, section.survey)
    _refuse_if_controls_others(section.survey, question)
    section.questions.remove(question)
    _renumber(section.questions)
    session.flush()


def _check_order(survey: Survey, ordered: list[SurveyQuestion]) -> None:
    """Every condition must point to an earlier question in the proposed order."""
    seen: set[int] = set()
    for q in ordered:
        if q.show_if_option_id is not None and q.show_if_option_id not in seen:
            raise DomainError(N_("This would put a question before the answer it depends on."))
        seen.update(o.id for o in q.options)


def move_question(session: Session, question: SurveyQuestion, direction: str) -> None:
    """One step up or down; past the top or bottom of its section it moves to the end of the
    previous section or the start of the next, so up/down buttons reach every place."""
    section = question.section
    survey = section.survey
    _require_unlocked(session, survey)
    sections = list(survey.sections)
    layout = [list(s.questions) for s in sections]
    si = sections.index(section)
    qi = layout[si].index(question)
    if direction == "up":
        if qi > 0:
            layout[si][qi - 1], layout[si][qi] = layout[si][qi], layout[si][qi - 1]
        elif si > 0:
            layout[si].pop(qi)
            layout[si - 1].append(question)
        else:
            return
    else:
        if qi < len(layout[si]) - 1:
            layout[si][qi + 1], layout[si][qi] = layout[si][qi], layout[si][qi + 1]
        elif si < len(sections) - 1:
            layout[si].pop(qi)
            layout[si + 1].insert(0, question)
        else:
            return
    _check_order(survey, [q for qs in layout for q in qs])
    for s, qs in zip(sections, layout, strict=True):
        for q in qs:
            if q.section is not s:
                q.section = s  # moves it between the sections' collections
        _renumber(qs)
        s.questions.sort(key=lambda q: q.position)
    session.flush()


# --- copying -------------------------------------------------------------------------------

def copy_survey(session: Session, source: Survey, target_space, actor) -> Survey:
    """An unpublished copy of `source`'s structure in `target_space` (which may belong to
    another municipality): sections, questions, options and conditions, no responses or
    dates."""
    copy = Survey(space_id=target_space.id, title=source.title,
                  description_md=source.description_md, published=False,
                  results_visibility=source.results_visibility, weight_cap=source.weight_cap,
                  copied_from_id=source.id, created_by_id=getattr(actor, "id", None))
    session.add(copy)
    session.flush()  # the copy's id, which its questions carry
    option_map: dict[int, SurveyOption] = {}
    pending: list[tuple[SurveyQuestion, int]] = []
    for section in source.sections:
        new_section = SurveySection(title=section.title, description_md=section.description_md,
                                    position=section.position)
        copy.sections.append(new_section)
        for question in section.questions:
            values = {n: getattr(question, n) for n in STRUCTURAL + WORDING
                      if n != "show_if_option_id"}
            new_question = SurveyQuestion(survey_id=copy.id, position=question.position, **values)
            new_section.questions.append(new_question)
            for option in question.options:
                new_option = SurveyOption(label=option.label, position=option.position)
                new_question.options.append(new_option)
                option_map[option.id] = new_option
            if question.show_if_option_id is not None:
                pending.append((new_question, question.show_if_option_id))
    session.flush()  # ids of the new options, which conditions point to
    for new_question, option_id in pending:
        if option_id in option_map:
            new_question.show_if_option_id = option_map[option_id].id
    session.flush()
    return copy
