"""Survey pages under /spaces/<slug>/surveys/: listing, a survey's page, answering section by
section, and results. The builder's pages are in builder_views.py on the same blueprint.

A survey someone may not see answers 404, whether or not it exists, so ids cannot be probed.
"""
from __future__ import annotations

from flask import (Blueprint, Response, abort, current_app, flash, g, redirect, render_template,
                   request, url_for)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.accounts.forms import GENDER_LABELS as ACCOUNT_GENDER_LABELS
from app.accounts.permissions import (can_copy_survey, can_manage_surveys, can_view_survey,
                                      can_view_survey_results, require)
from app.common.charts import ShareBar, bar_chart
from app.common.pagination import parse_page
from app.common.text import normalize
from app.extensions import db
from app.representation import labels as rep_labels
from app.spaces.services import get_space_by_slug
from app.admin.services import audit
from app.surveys import answering, breakdown, builder, disclosure, export, results, services
from app.surveys.forms import (KIND_LABELS, REFUSALS, STATUS_LABELS, VISIBILITY_LABELS,
                               WeightCapForm, problem_message)

bp = Blueprint("surveys", __name__, url_prefix="/spaces/<slug>/surveys")


@bp.url_value_preprocessor
def _load_space(endpoint, values):
    space = get_space_by_slug(db.session, (values or {}).pop("slug", ""))
    if space is None:
        abort(404)
    g.space = space


@bp.url_defaults
def _add_slug(endpoint, values):
    if "slug" not in values and getattr(g, "space", None) is not None:
        values["slug"] = g.space.slug


@bp.context_processor
def _template_helpers():
    # No space when the error page of an unknown slug is drawn (the 404 raised above).
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
    if dimension == "gender" and key in ACCOUNT_GENDER_LABELS:
        return str(ACCOUNT_GENDER_LABELS[key])
    return rep_labels.category_label(dimension, key)


def _survey_or_404(survey_id: int):
    """The survey of this space, if the current user may see it."""
    survey = services.get_survey(db.session, g.space, survey_id)
    if survey is None or not can_view_survey(current_user, survey):
        abort(404)
    if not g.space.surveys_enabled and not can_manage_surveys(current_user, g.space):
        abort(404)
    return survey


# --- listing and the survey's page ---------------------------------------------------------

@bp.get("/")
def index():
    manage = can_manage_surveys(current_user, g.space)
    if not g.space.surveys_enabled and not manage:
        abort(404)
    surveys = services.list_surveys(db.session, g.space, include_drafts=manage)
    ids = [s.id for s in surveys]
    return render_template("surveys/index.html", surveys=surveys,
                           counts=services.response_counts(db.session, ids) if manage else {},
                           mine=services.my_states(db.session, current_user, ids))


@bp.get("/<int:survey_id>/")
def detail(survey_id: int):
    survey = _survey_or_404(survey_id)
    response = services.get_response(db.session, survey, current_user) \
        if current_user.is_authenticated else None
    manage = can_manage_surveys(current_user, g.space)
    return render_template(
        "surveys/detail.html", survey=survey, response=response,
        refusal=services.answer_refusal(survey, g.space), REFUSALS=REFUSALS,
        results_visible=can_view_survey_results(current_user, survey),
        may_copy=can_copy_survey(current_user, survey),
        counts=services.response_counts(db.session, [survey.id])[survey.id] if manage else None,
        locked=manage and services.has_responses(db.session, survey))


# --- answering -----------------------------------------------------------------------------

def _refuse_if_closed(survey):
    """A page saying why answering is not possible, or None."""
    reason = services.answer_refusal(survey, g.space)
    if reason is None:
        return None
    return render_template("surveys/refused.html", survey=survey,
                           message=REFUSALS[reason]), 403


def _already_submitted(survey):
    return render_template("surveys/refused.html", survey=survey,
                           message=_(services.AlreadySubmitted().message),
                           submitted=True), 409


@bp.get("/<int:survey_id>/answer/")
@login_required
def answer_start(survey_id: int):
    survey = _survey_or_404(survey_id)
    refused = _refuse_if_closed(survey)
    if refused:
        return refused
    response = services.get_response(db.session, survey, current_user)
    if response is not None and response.submitted_at is not None:
        return redirect(url_for(".answer_done", survey_id=survey.id))
    views = services.visible_sections(survey, services.load_answers(db.session, response))
    if not views:
        abort(404)
    target = next((v.section.id for v in views
                   if response is not None and v.section.id == response.resume_section_id),
                  views[0].section.id)
    return redirect(url_for(".answer_section", survey_id=survey.id, section_id=target))


def _render_section(survey, views, view, answers, problems, *, notice=None, status=200):
    position = [v.section.id for v in views].index(view.section.id)
    return render_template(
        "surveys/answer_section.html", survey=survey, view=view, answers=answers,
        problems=problems, position=position + 1, total=len(views), notice=notice,
        first=position == 0), status


@bp.route("/<int:survey_id>/answer/<int:section_id>", methods=["GET", "POST"])
@login_required
def answer_section(survey_id: int, section_id: int):
    survey = _survey_or_404(survey_id)
    refused = _refuse_if_closed(survey)
    if refused:
        return refused
    response = services.get_response(db.session, survey, current_user)
    if response is not None and response.submitted_at is not None:
        return _already_submitted(survey)
    stored = services.load_answers(db.session, response)
    section = next((s for s in survey.sections if s.id == section_id), None)
    if section is None:
        abort(404)
    if request.method == "GET":
        views = services.visible_sections(survey, stored)
        view = next((v for v in views if v.section.id == section_id), None)
        if view is None:
            return redirect(url_for(".answer_start", survey_id=survey.id))
        problems = {}
        if request.args.get("check"):
            problems = answering.check_section(view.questions, stored,
                                               {q.id for q in view.questions}).problems
        return _render_section(survey, views, view, stored, problems)

    merged = dict(stored)
    merged.update({q.id: answering.parse(q, request.form) for q in section.questions})
    views = services.visible_sections(survey, merged)
    view = next((v for v in views if v.section.id == section_id), None)
    action = request.form.get("action", "next")
    if view is None:  # every question of this page is now hidden
        return redirect(url_for(".answer_start", survey_id=survey.id))
    shown = ({int(x) for x in request.form.get("shown", "").split(",") if x.isdigit()}
             if "shown" in request.form else {q.id for q in view.questions})
    outcome = answering.judge_page(view.questions, merged, shown, action)
    if not outcome.save:
        db.session.rollback()
        return _render_section(survey, views, view, merged, outcome.problems, status=422)
    index = views.index(view)
    following = views[index + 1].section.id if index + 1 < len(views) else section.id
    try:
        services.save_section(db.session, survey, current_user, section, outcome.keep,
                              resume_section_id=following if action == "next"
                              and not outcome.appeared else section.id)
    except services.AlreadySubmitted:
        return _already_submitted(survey)
    if outcome.appeared:
        return _render_section(
            survey, views, view, merged, outcome.problems,
            notice=_("More questions appeared because of your answers. Please look at them too."))
    if action == "save":
        flash(_("Your draft is saved. You can continue later from this survey's page."),
              "success")
        return redirect(url_for(".detail", survey_id=survey.id))
    if action == "back":
        target = views[index - 1].section.id if index > 0 else section.id
        return redirect(url_for(".answer_section", survey_id=survey.id, section_id=target))
    if index + 1 < len(views):
        return redirect(url_for(".answer_section", survey_id=survey.id,
                                section_id=views[index + 1].section.id))
    return redirect(url_for(".answer_review", survey_id=survey.id))


@bp.route("/<int:survey_id>/answer/review", methods=["GET", "POST"])
@login_required
def answer_review(survey_id: int):
    survey = _survey_or_404(survey_id)
    refused = _refuse_if_closed(survey)
    if refused:
        return refused
    response = services.get_response(db.session, survey, current_user)
    if response is not None and response.submitted_at is not None:
        return _already_submitted(survey)
    if request.method == "POST":
        try:
            services.submit(db.session, survey, current_user)
        except services.AlreadySubmitted:
            return _already_submitted(survey)
        except services.Incomplete as error:
            flash(_(error.message), "error")
            return redirect(url_for(".answer_section", survey_id=survey.id,
                                    section_id=error.section_id, check=1))
        return redirect(url_for(".answer_done", survey_id=survey.id))
    answers = services.load_answers(db.session, response)
    views = services.visible_sections(survey, answers)
    incomplete = {v.section.id for v in views if answering.check_section(
        v.questions, answers, {q.id for q in v.questions}).problems}
    return render_template("surveys/review.html", survey=survey, views=views, answers=answers,
                           incomplete=incomplete)


@bp.get("/<int:survey_id>/answer/done")
@login_required
def answer_done(survey_id: int):
    survey = _survey_or_404(survey_id)
    response = services.get_response(db.session, survey, current_user)
    if response is None or response.submitted_at is None:
        return redirect(url_for(".answer_start", survey_id=survey.id))
    return render_template("surveys/done.html", survey=survey, response=response,
                           results_visible=can_view_survey_results(current_user, survey))


# --- results -------------------------------------------------------------------------------

def _results_survey_or_404(survey_id: int):
    survey = _survey_or_404(survey_id)
    if not can_view_survey_results(current_user, survey):
        abort(404)
    return survey


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


def _render_results(survey, cap_form, status: int = 200, unknown=results.DEFAULT_UNKNOWN):
    manage = can_manage_surveys(current_user, g.space)
    shown = disclosure.release(db.session, survey, g.space, k=results_k(manage),
                               public=not manage, unknown=unknown)
    return render_template(
        "surveys/results.html", survey=survey, release=shown, weighting=shown.weighting,
        cap_form=cap_form, respondents=shown.respondents, questions=shown.questions,
        charts=_charts(shown.questions, shown.weighting), manage=manage), status


@bp.get("/<int:survey_id>/results")
def results_page(survey_id: int):
    survey = _results_survey_or_404(survey_id)
    unknown = request.args.get("unknown", results.DEFAULT_UNKNOWN)
    if unknown not in results.UNKNOWN_TREATMENTS:
        abort(404)
    return _render_results(survey, WeightCapForm(formdata=None, cap=survey.weight_cap),
                           unknown=unknown)


@bp.post("/<int:survey_id>/results/weighting")
@require(can_manage_surveys)
def set_weight_cap(survey_id: int):
    survey = _survey_or_404(survey_id)
    form = WeightCapForm()
    if form.validate():
        try:
            builder.set_weight_cap(db.session, survey, form.cap.data)
        except builder.SurveyError as error:
            form.cap.errors = [_(error.message, **error.params)]
    if form.cap.errors:
        db.session.rollback()
        return _render_results(_survey_or_404(survey_id), form, 422)
    flash(_("The weighting was updated."), "success")
    return redirect(url_for(".results_page", survey_id=survey.id) + "#weighting")


@bp.get("/<int:survey_id>/results/breakdown")
@require(can_manage_surveys)
def results_breakdown(survey_id: int):
    survey = _survey_or_404(survey_id)
    dimension = request.args.get("by", "age_band")
    if dimension not in breakdown.DIMENSIONS:
        abort(404)
    k = current_app.config["MIN_CELL_FACILITATOR"]
    tables = breakdown.breakdown(db.session, survey, g.space, dimension, k)
    return render_template("surveys/breakdown.html", survey=survey, tables=tables,
                           dimension=dimension, dimensions=breakdown.DIMENSIONS, min_cell=k)


@bp.get("/<int:survey_id>/results/text/<int:question_id>")
@require(can_manage_surveys)
def results_text(survey_id: int, question_id: int):
    survey = _survey_or_404(survey_id)
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


@bp.get("/<int:survey_id>/export.csv")
@require(can_manage_surveys)
def export_csv(survey_id: int):
    """?part=responses (default): the k-anonymous responses; ?part=text: the written answers
    alone, which cannot be joined to them."""
    survey = _survey_or_404(survey_id)
    part = request.args.get("part", "responses")
    if part not in ("responses", "text"):
        abort(404)
    k = current_app.config["MIN_CELL_FACILITATOR"]
    if part == "text":
        rows = export.text_export(db.session, survey)
        body = export.to_csv(["question", "text"], rows)
        detail = {"part": part, "rows": len(rows)}
    else:
        weighting = results.compute_weighting(db.session, survey, g.space,
                                              cap=survey.weight_cap, min_cell=k)
        table = export.responses_export(db.session, survey, g.space, weighting, k)
        note = ngettext(
            "Demographic columns are generalised so that every combination is shared by at "
            "least %(k)s respondents: %(num)s value was blanked.",
            "Demographic columns are generalised so that every combination is shared by at "
            "least %(k)s respondents: %(num)s values were blanked.",
            table.blanked_total, k=k)
        if table.blanked_total:
            note += " " + _("Blanked per column: %(columns)s.", columns="; ".join(
                f"{name} {n}" for name, n in table.blanked.items()))
        if weighting.reason == "small_cells":
            note += " " + _("Weights are left out: some weighting groups have fewer than "
                            "%(k)s respondents.", k=k)
        note += " " + _("Lines are in no particular order; written answers are in the other "
                        "file.")
        body = export.to_csv(table.header, table.rows, note)
        detail = {"part": part, "rows": len(table.rows), "k": k,
                  "blanked": dict(table.blanked)}
    audit(db.session, current_user, "survey.export", f"survey:{survey.id}", **detail)
    filename = f"survey-{survey.id}-{'written-answers' if part == 'text' else 'responses'}.csv"
    return Response(body.encode("utf-8"), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})


from app.surveys import builder_views  # noqa: E402,F401  (registers the builder's routes on bp)
from app.surveys import export_user as _export  # noqa: E402,F401  (its export section)
