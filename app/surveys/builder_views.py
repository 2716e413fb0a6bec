"""The survey builder's pages (facilitators of the space): create and edit a survey, its
sections and questions, reorder, preview, open and close, delete, and copy as a template, on
the surveys blueprint (app.surveys.bp)."""
from __future__ import annotations

from datetime import timezone

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from app.accounts.permissions import (can_copy_survey, can_manage_survey, can_manage_surveys,
                                      require)
from app.common.errors import N_, DomainError
from app.common.time import JST, to_jst
from app.common.unit_of_work import refuse
from app.extensions import db
from app.surveys import bp, builder, services
from app.surveys.forms import CopyForm, QuestionForm, SectionForm, SurveyForm
from app.surveys.loaders import question_or_404, section_or_404, survey_from_url


def _utc(moment):
    """A Japan-time form value as the naive UTC the database holds."""
    if moment is None:
        return None
    return moment.replace(tzinfo=JST).astimezone(timezone.utc).replace(tzinfo=None)


def _jst(moment):
    return to_jst(moment).replace(tzinfo=None) if moment is not None else None


def _refuse(error: DomainError, survey_id: int, anchor: str = ""):
    """A refused change made from the build page: nothing is kept, the reason is shown there."""
    refuse()
    flash(error.translated(_), "error")
    return redirect(url_for(".build", survey_id=survey_id) + anchor)


def _settings(form: SurveyForm) -> dict:
    return {"title": form.title.data, "description_md": form.description_md.data,
            "opens_at": _utc(form.opens_at.data), "closes_at": _utc(form.closes_at.data),
            "results_visibility": form.results_visibility.data}


# --- surveys -------------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@require(can_manage_surveys)
def new():
    form = SurveyForm()
    if form.validate_on_submit():
        try:
            survey = builder.create_survey(db.session, g.space, current_user, **_settings(form))
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("The survey was created. Add its questions next."), "success")
            return redirect(url_for(".build", survey_id=survey.id))
    return render_template("surveys/survey_form.html", form=form, survey=None)


@bp.route("/<int:survey_id>/settings", methods=["GET", "POST"])
@require(can_manage_survey, survey=survey_from_url)
def settings(survey):
    form = SurveyForm(obj=survey if request.method == "GET" else None)
    if request.method == "GET":
        form.opens_at.data, form.closes_at.data = _jst(survey.opens_at), _jst(survey.closes_at)
    if form.validate_on_submit():
        try:
            builder.update_survey(db.session, survey, **_settings(form))
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("The survey was saved."), "success")
            return redirect(url_for(".detail", survey_id=survey.id))
    return render_template("surveys/survey_form.html", form=form, survey=survey)


@bp.post("/<int:survey_id>/status")
@require(can_manage_survey, survey=survey_from_url)
def change_status(survey):
    actions = {"publish": (services.publish, _("The survey is published.")),
               "unpublish": (services.unpublish, _("The survey is back to draft.")),
               "open": (services.open_now, _("The survey is open.")),
               "close": (services.close_now, _("The survey is closed."))}
    action = actions.get(request.form.get("action", ""))
    if action is None:
        abort(400)
    try:
        action[0](db.session, survey)
    except DomainError as error:
        refuse()
        flash(error.translated(_), "error")
    else:
        flash(action[1], "success")
    return redirect(url_for(".detail", survey_id=survey.id))


@bp.post("/<int:survey_id>/delete")
@require(can_manage_survey, survey=survey_from_url)
def delete(survey):
    if request.form.get("confirm") != "yes":
        flash(_("Tick the box to confirm."), "error")
        return redirect(url_for(".detail", survey_id=survey.id))
    builder.delete_survey(db.session, survey)
    flash(_("The survey and its responses were deleted."), "success")
    return redirect(url_for(".index"))


# --- structure -----------------------------------------------------------------------------

@bp.get("/<int:survey_id>/build")
@require(can_manage_survey, survey=survey_from_url)
def build(survey):
    options = {o.id: (q, o) for q in survey.questions() for o in q.options}
    return render_template("surveys/build.html", survey=survey, conditions=options,
                           locked=builder.has_responses(db.session, survey),
                           section_form=SectionForm(formdata=None))


@bp.post("/<int:survey_id>/sections/new")
@require(can_manage_survey, survey=survey_from_url)
def section_new(survey):
    form = SectionForm()
    if not form.validate_on_submit():  # refused; the form lives on the build page
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for(".build", survey_id=survey.id))
    try:
        section = builder.add_section(db.session, survey, title=form.title.data,
                                      description_md=form.description_md.data)
    except DomainError as error:
        return _refuse(error, survey.id)
    return redirect(url_for(".build", survey_id=survey.id) + f"#section-{section.id}")


@bp.route("/<int:survey_id>/sections/<int:section_id>/edit", methods=["GET", "POST"])
@require(can_manage_survey, survey=survey_from_url)
def section_edit(survey, section_id: int):
    section = section_or_404(survey, section_id)
    form = SectionForm(obj=section if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            builder.update_section(db.session, section, title=form.title.data,
                                   description_md=form.description_md.data)
        except DomainError as error:
            form.refuse(error)
        else:
            return redirect(url_for(".build", survey_id=survey.id) + f"#section-{section.id}")
    return render_template("surveys/section_form.html", form=form, survey=survey,
                           section=section)


@bp.post("/<int:survey_id>/sections/<int:section_id>/move")
@require(can_manage_survey, survey=survey_from_url)
def section_move(survey, section_id: int):
    section = section_or_404(survey, section_id)
    try:
        builder.move_section(db.session, section, request.form.get("direction", "down"))
    except DomainError as error:
        return _refuse(error, survey.id, f"#section-{section_id}")
    return redirect(url_for(".build", survey_id=survey.id) + f"#section-{section_id}")


@bp.post("/<int:survey_id>/sections/<int:section_id>/delete")
@require(can_manage_survey, survey=survey_from_url)
def section_delete(survey, section_id: int):
    section = section_or_404(survey, section_id)
    if request.form.get("confirm") != "yes":
        flash(_("Tick the box to confirm."), "error")
        return redirect(url_for(".build", survey_id=survey.id))
    try:
        builder.delete_section(db.session, section)
    except DomainError as error:
        return _refuse(error, survey.id)
    flash(_("The section was deleted."), "success")
    return redirect(url_for(".build", survey_id=survey.id))


def _condition_choices(form: QuestionForm, survey, question=None, section=None) -> None:
    form.show_if_option_id.choices = [SelectChoice("", _("Always show this question"))] + [
        SelectChoice(str(o.id), _("“%(question)s” is answered “%(option)s”", question=q.text, option=o.label))
        for q, o in builder.condition_choices(survey, before=question, section=section)]


@bp.route("/<int:survey_id>/sections/<int:section_id>/questions/new", methods=["GET", "POST"])
@require(can_manage_survey, survey=survey_from_url)
def question_new(survey, section_id: int):
    section = section_or_404(survey, section_id)
    form = QuestionForm()
    if request.method == "GET" and request.args.get("kind") in {c.value for c in form.kind.choices}:
        form.kind.data = request.args["kind"]
    _condition_choices(form, survey, section=section)
    if form.validate_on_submit():
        try:
            question = builder.add_question(db.session, section, **form.spec())
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("The question was added."), "success")
            return redirect(url_for(".build", survey_id=survey.id) + f"#question-{question.id}")
    return render_template("surveys/question_form.html", form=form, survey=survey,
                           section=section, question=None, locked=False)


@bp.route("/<int:survey_id>/questions/<int:question_id>/edit", methods=["GET", "POST"])
@require(can_manage_survey, survey=survey_from_url)
def question_edit(survey, question_id: int):
    question = question_or_404(survey, question_id)
    form = QuestionForm(obj=question if request.method == "GET" else None)
    if request.method == "GET":
        form.options.data = "\n".join(o.label for o in question.options)
        form.show_if_option_id.data = str(question.show_if_option_id or "")
    _condition_choices(form, survey, question=question)
    locked = builder.has_responses(db.session, survey)
    if form.validate_on_submit():
        try:
            builder.update_question(db.session, question, **form.spec())
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("The question was saved."), "success")
            return redirect(url_for(".build", survey_id=survey.id) + f"#question-{question.id}")
    return render_template("surveys/question_form.html", form=form, survey=survey,
                           section=question.section, question=question, locked=locked)


@bp.post("/<int:survey_id>/questions/<int:question_id>/move")
@require(can_manage_survey, survey=survey_from_url)
def question_move(survey, question_id: int):
    question = question_or_404(survey, question_id)
    try:
        builder.move_question(db.session, question, request.form.get("direction", "down"))
    except DomainError as error:
        return _refuse(error, survey.id, f"#question-{question_id}")
    return redirect(url_for(".build", survey_id=survey.id) + f"#question-{question_id}")


@bp.post("/<int:survey_id>/questions/<int:question_id>/delete")
@require(can_manage_survey, survey=survey_from_url)
def question_delete(survey, question_id: int):
    question = question_or_404(survey, question_id)
    if request.form.get("confirm") != "yes":
        flash(_("Tick the box to confirm."), "error")
        return redirect(url_for(".build", survey_id=survey.id) + f"#question-{question_id}")
    try:
        builder.delete_question(db.session, question)
    except DomainError as error:
        return _refuse(error, survey.id, f"#question-{question_id}")
    flash(_("The question was deleted."), "success")
    return redirect(url_for(".build", survey_id=survey.id))


@bp.get("/<int:survey_id>/preview")
@require(can_manage_survey, survey=survey_from_url)
def preview(survey):
    options = {o.id: (q, o) for q in survey.questions() for o in q.options}
    return render_template("surveys/preview.html", survey=survey, conditions=options,
                           answers={}, problems={})


# --- copying -------------------------------------------------------------------------------

@bp.route("/<int:survey_id>/copy", methods=["GET", "POST"])
@require(can_copy_survey, survey=survey_from_url)
def copy(survey):
    targets = services.copy_targets(db.session, current_user)
    form = CopyForm()
    locale = str(get_locale())
    form.target_space.choices = [SelectChoice(s.slug, f"{s.title} ({s.area.name(locale)})")
                                for s in targets]
    if form.validate_on_submit():
        target = next((s for s in targets if s.slug == form.target_space.data), None)
        if target is None or not can_manage_surveys(current_user, target):
            form.refuse(DomainError(N_("Choose a space you facilitate."), "target_space"))
        else:
            copy_ = builder.copy_survey(db.session, survey, target, current_user)
            flash(_("The survey was copied as a draft. Check its dates and wording."), "success")
            return redirect(url_for(".build", slug=target.slug, survey_id=copy_.id))
    return render_template("surveys/copy.html", survey=survey, form=form,
                           has_targets=bool(targets))
