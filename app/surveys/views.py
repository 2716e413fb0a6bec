"""Survey pages under /spaces/<slug>/surveys/: listing, a survey's page, answering section by
section, and results. The builder's pages are in builder_views.py on the same blueprint.

A survey someone may not see answers 404, whether or not it exists, so ids cannot be probed
(app.surveys.loaders). Surveys switched off in a space are reached by its managers only.
"""
from __future__ import annotations

from flask import (abort, current_app, flash, g, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.forms import GENDER_ANSWER_LABELS
from app.accounts.permissions import (can_answer_survey, can_copy_survey, can_manage_survey,
                                      can_manage_surveys, can_reach_surveys, can_view_survey,
                                      can_view_survey_results, require)
from app.common.charts import ShareBar, bar_chart
from app.common.errors import DomainError
from app.common.pagination import parse_page
from app.common.text import normalize
from app.common.unit_of_work import refuse
from app.extensions import db
from app.representation import labels as rep_labels
from app.spaces.scoping import scope_to_space
from app.surveys import answering, breakdown, builder, disclosure, flow, results, services
from app.surveys import bp
from app.surveys.forms import (KIND_LABELS, REFUSALS, STATUS_LABELS, VISIBILITY_LABELS,
                               WeightCapForm, problem_message)
from app.surveys.loaders import (section_or_404, survey_from_url, survey_results_from_url,
                                 surveys_space)

# Not enabled="surveys_enabled": a space's managers still reach its surveys while they are
# switched off (can_reach_surveys, can_view_survey).
scope_to_space(bp)


@bp.context_processor
def _template_helpers():
    # No space when the error page of an unknown slug is drawn (the 404 of scope_to_space).
    space = g.get("space")
    return {"KIND_LABELS": KIND_LABELS, "STATUS_LABELS": STATUS_LABELS,
            "VISIBILITY_LABELS": VISIBILITY_LABELS, "problem_message": problem_message,
            "category_label": category_label, "dimension_label": rep_labels.dimension_label,
            "can_manage": space is not None and can_manage_surveys(current_user, space),
            "space": space,
            "field_name": answering.field_name, "rank_field_name": answering.rank_field_name,
            "OTHER": answering.OTHER, "format_number": answering.format_number}


def category_label(dimension: str, key: str) -> str:
    if key == breakdown.UNKNOWN:
        return _("Not answered")
    if key == breakdown.BELOW:
        return _("Under %(age)s", age=g.space.min_age)
    if dimension == "gender" and key in GENDER_ANSWER_LABELS:  # "another gender" too
        return str(GENDER_ANSWER_LABELS[key])
    return rep_labels.category_label(dimension, key)


# --- listing and the survey's page ---------------------------------------------------------

@bp.get("/")
@require(can_reach_surveys, space=surveys_space)
def index(space):
    manage = can_manage_surveys(current_user, space)
    surveys = services.list_surveys(db.session, space, include_drafts=manage)
    ids = [s.id for s in surveys]
    return render_template("surveys/index.html", surveys=surveys,
                           counts=services.response_counts(db.session, ids) if manage else {},
                           mine=services.my_states(db.session, current_user, ids))


@bp.get("/<int:survey_id>/")
@require(can_view_survey, survey=survey_from_url)
def detail(survey):
    response = services.get_response(db.session, survey, current_user) \
        if current_user.is_authenticated else None
    manage = can_manage_survey(current_user, survey)
    return render_template(
        "surveys/detail.html", survey=survey, response=response,
        refusal=services.answer_refusal(survey, g.space, session=db.session,
                                        user=current_user), REFUSALS=REFUSALS,
        results_visible=can_view_survey_results(current_user, survey),
        may_copy=can_copy_survey(current_user, survey),
        counts=services.response_counts(db.session, [survey.id])[survey.id] if manage else None,
        locked=manage and services.has_responses(db.session, survey))


# --- answering -----------------------------------------------------------------------------

def _refuse_if_closed(survey):
    """A page saying why answering is not possible, or None."""
    reason = services.answer_refusal(survey, g.space, session=db.session, user=current_user)
    if reason is None:
        return None
    return render_template("surveys/refused.html", survey=survey,
                           message=REFUSALS[reason]), 403


def _already_submitted(survey, error: DomainError | None = None):
    error = error or services.AlreadySubmitted()
    return render_template("surveys/refused.html", survey=survey, message=error.translated(_),
                           submitted=True), 409


def _is_submitted(response) -> bool:
    return response is not None and response.submitted_at is not None


@bp.get("/<int:survey_id>/answer/")
@require(can_answer_survey, survey=survey_from_url)
def answer_start(survey):
    refused = _refuse_if_closed(survey)
    if refused:
        return refused
    response = services.get_response(db.session, survey, current_user)
    if _is_submitted(response):
        return redirect(url_for(".answer_done", survey_id=survey.id))
    target = flow.start_section_id(survey, response, services.load_answers(db.session, response))
    if target is None:
        abort(404)
    return redirect(url_for(".answer_section", survey_id=survey.id, section_id=target))


def _render_section(survey, step: flow.PageStep, *, notice=None):
    return render_template(
        "surveys/answer_section.html", survey=survey, view=step.view, answers=step.answers,
        problems=step.problems, position=step.position, total=len(step.views), notice=notice,
        first=step.position == 1)


def _follow(survey, step: flow.PageStep):
    """The answer to a sent page, as its step says."""
    if step.goes_to == flow.SHOW:
        if step.appeared:  # stored, and shown again with the questions that appeared
            return _render_section(survey, step, notice=_(
                "More questions appeared because of your answers. Please look at them too."))
        refuse()  # answers to correct: nothing is stored
        return _render_section(survey, step)
    if step.goes_to == flow.SAVED:
        flash(_("Your draft is saved. You can continue later from this survey's page."),
              "success")
        return redirect(url_for(".detail", survey_id=survey.id))
    if step.goes_to == flow.SECTION:
        return redirect(url_for(".answer_section", survey_id=survey.id,
                                section_id=step.section_id))
    if step.goes_to == flow.REVIEW:
        return redirect(url_for(".answer_review", survey_id=survey.id))
    return redirect(url_for(".answer_start", survey_id=survey.id))  # flow.RESTART


@bp.route("/<int:survey_id>/answer/<int:section_id>", methods=["GET", "POST"])
@require(can_answer_survey, survey=survey_from_url)
def answer_section(survey, section_id: int):
    refused = _refuse_if_closed(survey)
    if refused:
        return refused
    response = services.get_response(db.session, survey, current_user)
    if _is_submitted(response):
        return _already_submitted(survey)
    section = section_or_404(survey, section_id)
    stored = services.load_answers(db.session, response)
    if request.method == "GET":
        step = flow.show_page(survey, section, stored, check=bool(request.args.get("check")))
        if step.goes_to == flow.RESTART:
            return redirect(url_for(".answer_start", survey_id=survey.id))
        return _render_section(survey, step)
    try:
        step = flow.answer_page(db.session, survey, current_user, section, stored,
                                flow.read_submission(section, request.form))
    except services.AlreadySubmitted as error:
        return _already_submitted(survey, error)
    return _follow(survey, step)


@bp.route("/<int:survey_id>/answer/review", methods=["GET", "POST"])
@require(can_answer_survey, survey=survey_from_url)
def answer_review(survey):
    refused = _refuse_if_closed(survey)
    if refused:
        return refused
    response = services.get_response(db.session, survey, current_user)
    if _is_submitted(response):
        return _already_submitted(survey)
    if request.method == "POST":
        try:
            services.submit(db.session, survey, current_user)
        except services.AlreadySubmitted as error:
            return _already_submitted(survey, error)
        except services.Incomplete as error:
            refuse()
            flash(error.translated(_), "error")
            return redirect(url_for(".answer_section", survey_id=survey.id,
                                    section_id=error.section_id, check=1))
        return redirect(url_for(".answer_done", survey_id=survey.id))
    answers = services.load_answers(db.session, response)
    views = services.visible_sections(survey, answers)
    return render_template("surveys/review.html", survey=survey, views=views, answers=answers,
                           incomplete=flow.incomplete_section_ids(views, answers))


@bp.get("/<int:survey_id>/answer/done")
@require(can_answer_survey, survey=survey_from_url)
def answer_done(survey):
    response = services.get_response(db.session, survey, current_user)
    if not _is_submitted(response):
        return redirect(url_for(".answer_start", survey_id=survey.id))
    return render_template("surveys/done.html", survey=survey, response=response,
                           results_visible=can_view_survey_results(current_user, survey))


# --- results -------------------------------------------------------------------------------

def _charts(question_results, weighting) -> dict:
    """A bar chart per choice or scale question: raw shares, and weighted ones beside them
    (only the options whose figures are shown)."""
    out = {}
    paired = weighting.available
    for result in question_results:
        q = result.question
        if q.kind not in ("single", "multiple", "likert") or not result.answered \
                or result.too_few:
            continue
        rows = []
        for option in result.options:
            if option.count is None:
                continue
            label = _("Other") if option.key == "other" else (
                f"{option.key} {option.label}".strip() if q.kind == "likert" else option.label)
            rows.append(ShareBar(label, option.share, option.weighted_share if paired else None))
        desc = _("Share of the %(n)s respondents who answered, per answer.", n=result.answered)
        if paired:
            desc += " " + _("The second bar is the population-weighted share.")
        out[q.id] = bar_chart(rows, title=q.text, desc=desc, chart_id=f"q{q.id}", width=360,
                              series_labels=(_("Respondents"), _("Weighted estimate")))
    return out


def results_k(manage: bool) -> int:
    """The smallest group this audience may see."""
    return current_app.config["MIN_CELL_FACILITATOR" if manage else "MIN_CELL_PUBLIC"]


def _render_results(survey, cap_form, unknown=results.DEFAULT_UNKNOWN):
    manage = can_manage_survey(current_user, survey)
    shown = disclosure.release(db.session, survey, g.space, k=results_k(manage),
                               public=not manage, unknown=unknown)
    return render_template(
        "surveys/results.html", survey=survey, release=shown, weighting=shown.weighting,
        cap_form=cap_form, respondents=shown.respondents, questions=shown.questions,
        charts=_charts(shown.questions, shown.weighting), manage=manage)


@bp.get("/<int:survey_id>/results")
@require(can_view_survey_results, survey=survey_results_from_url)
def results_page(survey):
    unknown = request.args.get("unknown", results.DEFAULT_UNKNOWN)
    if unknown not in results.UNKNOWN_TREATMENTS:
        abort(404)
    return _render_results(survey, WeightCapForm(formdata=None, cap=survey.weight_cap),
                           unknown=unknown)


@bp.post("/<int:survey_id>/results/weighting")
@require(can_manage_survey, survey=survey_from_url)
def set_weight_cap(survey):
    form = WeightCapForm()
    if form.validate_on_submit():
        try:
            builder.set_weight_cap(db.session, survey, form.cap.data)
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("The weighting was updated."), "success")
            return redirect(url_for(".results_page", survey_id=survey.id) + "#weighting")
    return _render_results(survey, form)  # refused: 422


@bp.get("/<int:survey_id>/results/breakdown")
@require(can_manage_survey, survey=survey_from_url)
def results_breakdown(survey):
    dimension = request.args.get("by", "age_band")
    if dimension not in breakdown.DIMENSIONS:
        abort(404)
    k = current_app.config["MIN_CELL_FACILITATOR"]
    tables = breakdown.breakdown(db.session, survey, g.space, dimension, k)
    return render_template("surveys/breakdown.html", survey=survey, tables=tables,
                           dimension=dimension, dimensions=breakdown.DIMENSIONS, min_cell=k)


@bp.get("/<int:survey_id>/results/text/<int:question_id>")
@require(can_manage_survey, survey=survey_from_url)
def results_text(survey, question_id: int):
    question = next((q for q in survey.questions() if q.id == question_id), None)
    if question is None or not (question.kind in ("short_text", "long_text")
                                or question.allow_other):
        abort(404)
    search = normalize(request.args.get("q", ""))[:100]
    page = results.text_answers(db.session, survey, question, search=search,
                                page=parse_page(request.args.get("page")),
                                per_page=current_app.config["PER_PAGE"])
    return render_template("surveys/text_answers.html", survey=survey, question=question,
                           page=page, search=search)
