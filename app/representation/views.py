"""Representation tracker pages: the facilitators' dashboard, target shares, deliberation bodies,
and the public transparency page; plus the space page's part (alert banner and links) and the
renderer of alert notifications. Views parse, authorise (app.accounts.permissions), call the
services and render; the request boundary commits."""
from __future__ import annotations

from flask import (abort, current_app, flash, g, make_response, redirect, render_template, request,
                   url_for)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import can_facilitate, require
from app.common import fragments
from app.common.charts import pct
from app.common.http_cache import not_modified, page_etag, tag_page
from app.common.unit_of_work import refuse
from app.extensions import db
from app.notifications.kinds import RenderedNotification
from app.areas.services import find_area
from app.common.time import today_jst
from app.representation import (alerts, bodies, bp, labels, prefecture, prefecture_present,
                                presenters, releases)
from app.representation.dashboard_views import dashboard_parts
from app.representation.reference import reference_for, youth_band
from app.representation.targets import TARGET_CATEGORIES, TargetError, get_targets, set_targets
from app.representation.forms import (FilterForm, ReleaseForm, body_form_class, field_name,
                                      targets_form_class)
from app.spaces.models import Space
from app.spaces.page_parts import PagePart
from app.spaces.scoping import scope_to_space

scope_to_space(bp, slug_in_view=True)


# --- the space page's banner and links (app/spaces/page_parts.py) ----------------------------

def space_page_part(space, user) -> PagePart:
    """For facilitators of `space`: a link to the dashboard and the headline groups flagged
    under-represented once the space has enough participants; for everyone, the link to the
    public figures when they are published. Computed before the space page renders."""
    facilitator = can_facilitate(user, space)
    flagged = []
    if facilitator:
        flagged = alerts.check_space(db.session, space,
                                     min_participants=current_app.config["ALERT_MIN_PARTICIPANTS"],
                                     batch=current_app.config["MIN_CELL_FACILITATOR"],
                                     planned=_planned())
    return PagePart("representation/_alert_banner.html", {
        "facilitator": facilitator,
        "alerts": [{"group": group, "label": _alert_message(group, space)} for group in flagged]})


def _planned() -> int:
    return int(current_app.config.get("ALERT_PLANNED_PARTICIPANTS",
                                      alerts.DEFAULT_PLANNED_PARTICIPANTS))


def _alert_meaning() -> str:
    return _("This means the gap is larger than chance could explain at any point of this "
             "consultation: each weekly look has a stricter threshold, so the chance of a false "
             "alert over the whole consultation is at most 2.5%.")


def _alert_message(group: str, space) -> str:
    if group == "youth":
        band = youth_band(space)
        text = _("Young people aged %(band)s are under-represented among the participants.",
                 band=labels.age_band_label(band.key) if band else "")
    else:
        text = _("Women are under-represented among the participants.")
    return f"{text} {_alert_meaning()}"


bp.add_app_template_global(pct, "rep_pct")
bp.add_app_template_global(labels.reference_kind_label, "rep_reference_kind")


def render_alert(payload: dict) -> RenderedNotification:
    """An alert notification in the reader's language (registered in register(app))."""
    from app.spaces.models import Space

    space = db.session.get(Space, int(payload["space_id"]))
    if space is None:
        raise KeyError("space")  # deleted since: the neutral message is shown
    group = payload["group"]
    if group == "youth":
        band = labels.age_band_label(f"{payload['youth_low']}-{payload['youth_high']}")
        message = _("Young people aged %(band)s are under-represented among the participants "
                    "of “%(space)s”.", band=band, space=space.title)
    else:
        message = _("Women are under-represented among the participants of “%(space)s”.",
                    space=space.title)
    message = f"{message} {_alert_meaning()}"
    return RenderedNotification(message, url_for("representation.dashboard", slug=space.slug))


# --- dashboard -----------------------------------------------------------------------------

def _release_settings() -> dict:
    return {"public_k": current_app.config["MIN_CELL_PUBLIC"],
            "batch": current_app.config["MIN_CELL_FACILITATOR"]}


@bp.get("/spaces/<slug>/representation/")
@require(can_facilitate)
def dashboard(slug: str):
    space = g.space
    k = current_app.config["MIN_CELL_FACILITATOR"]
    form = FilterForm(request.args, k=k)
    module, since, until = "all", None, None
    if request.args and form.validate():
        module = form.module.data or "all"
        since, until = form.since.data, form.until.data
    parts = dashboard_parts(space, current_user, module=module, since=since, until=until, k=k,
                            public_k=current_app.config["MIN_CELL_PUBLIC"],
                            cache=not request.args)
    form.offer(parts["offered"])
    if parts["module_refused"]:
        form.module_not_offered()
    return render_template(
        "representation/dashboard.html", space=space, form=form, k=k, parts=parts,
        alert_minimum=current_app.config["ALERT_MIN_PARTICIPANTS"], alert_planned=_planned(),
        release_form=ReleaseForm())


@bp.post("/spaces/<slug>/representation/releases")
@require(can_facilitate)
def publish_release(slug: str):
    space = g.space
    form = ReleaseForm()
    if not form.validate_on_submit():
        flash(_("Tick the box to confirm that these figures may be published."), "error")
        return redirect(url_for(".dashboard", slug=space.slug, _anchor="releases"))
    try:
        release = releases.create_release(db.session, space, current_user, **_release_settings())
    except releases.ReleaseError as error:
        refuse()
        flash(error.translated(_), "error")
        return redirect(url_for(".dashboard", slug=space.slug, _anchor="releases"))
    from app.admin.services import audit

    audit(db.session, current_user, "representation.release", f"space:{space.id}",
          number=release.number, participants=release.participants)
    flash(_("Release %(number)s was made: it covers the first %(n)s participants.",
            number=release.number, n=release.participants), "success")
    return redirect(url_for(".dashboard", slug=space.slug, _anchor="releases"))


# --- targets -------------------------------------------------------------------------------

def _target_categories() -> dict[str, list[tuple[str, str]]]:
    return {dimension: [(key, labels.category_label(dimension, key)) for key in keys]
            for dimension, keys in TARGET_CATEGORIES.items()}


@bp.route("/spaces/<slug>/representation/targets", methods=["GET", "POST"])
@require(can_facilitate)
def targets(slug: str):
    space = g.space
    categories = _target_categories()
    form_class = targets_form_class(categories)
    if request.method == "POST":
        form = form_class()
    else:
        data = {field_name(dimension, key): round(share * 100, 1)
                for dimension in categories
                for key, share in get_targets(db.session, space, dimension).items()}
        form = form_class(data=data)
    if form.validate_on_submit():
        try:
            for dimension in categories:
                set_targets(db.session, space, dimension, form.shares(dimension))
        except TargetError as error:
            refuse()
            flash(error.translated(_), "error")
        else:
            flash(_("The target shares were saved."), "success")
            return redirect(url_for(".targets", slug=space.slug))
    status = 400 if request.method == "POST" else 200
    return render_template("representation/targets.html", space=space, form=form,
                           dimensions=[(d, labels.dimension_label(d)) for d in categories]), status


# --- deliberation bodies -----------------------------------------------------------------------

def _body_categories(space) -> dict[str, list[tuple[str, str]]]:
    return {dimension: [(key, labels.category_label(dimension, key) if key != "other"
                         else _("Another gender")) for key in keys]
            for dimension, keys in bodies.body_categories(space).items()}


def _body_or_404(space, body_id: int):
    body = bodies.get_body(db.session, space, body_id)
    if body is None:
        abort(404)
    return body


@bp.get("/spaces/<slug>/representation/bodies")
@require(can_facilitate)
def body_list(slug: str):
    space = g.space
    items = bodies.list_bodies(db.session, space)
    keys = bodies.body_categories(space)
    totals = {body.id: {dim: sum(c.values()) for dim, c in bodies.counts_of(body, keys).items()}
              for body in items}
    return render_template("representation/bodies.html", space=space, bodies=items,
                           totals=totals)


def _body_form_page(space, body=None):
    categories = _body_categories(space)
    form_class = body_form_class(categories)
    if request.method == "POST" or body is None:
        form = form_class()
    else:
        counts = bodies.counts_of(body, bodies.body_categories(space))
        data = {field_name(dim, key): count for dim, cats in counts.items()
                for key, count in cats.items() if dim in categories}
        form = form_class(data={"name": body.name, **data})
    if form.validate_on_submit():
        composition = {dim: form.counts(dim) for dim in categories}
        try:
            saved = bodies.save_body(db.session, space, form.name.data, composition, body)
        except bodies.BodyError as error:
            form.refuse(error)
        else:
            flash(_("The body was saved."), "success")
            return redirect(url_for(".body_detail", slug=space.slug, body_id=saved.id))
    status = 400 if request.method == "POST" else 200
    return render_template("representation/body_form.html", space=space, form=form, body=body,
                           dimensions=[(d, labels.dimension_label(d)) for d in categories]), status


@bp.route("/spaces/<slug>/representation/bodies/new", methods=["GET", "POST"])
@require(can_facilitate)
def body_new(slug: str):
    return _body_form_page(g.space)


@bp.route("/spaces/<slug>/representation/bodies/<int:body_id>/edit", methods=["GET", "POST"])
@require(can_facilitate)
def body_edit(slug: str, body_id: int):
    return _body_form_page(g.space, _body_or_404(g.space, body_id))


@bp.get("/spaces/<slug>/representation/bodies/<int:body_id>")
@require(can_facilitate)
def body_detail(slug: str, body_id: int):
    space = g.space
    body = _body_or_404(space, body_id)
    sections = []
    for dimension in bodies.BODY_DIMENSIONS:
        report = bodies.body_report(db.session, space, body, dimension)
        sections.append(presenters.report_section(
            report, chart_id=f"body-{dimension}", participants_label=_("Members"),
            count_label=_("Members")))
    reference = reference_for(db.session, space)
    return render_template("representation/body_detail.html", space=space, body=body,
                           sections=sections, reference=reference)


@bp.post("/spaces/<slug>/representation/bodies/<int:body_id>/delete")
@require(can_facilitate)
def body_delete(slug: str, body_id: int):
    space = g.space
    body = _body_or_404(space, body_id)
    if request.form.get("confirm") != "yes":
        flash(_("Tick the box to confirm the deletion."), "error")
        return redirect(url_for(".body_detail", slug=space.slug, body_id=body.id))
    bodies.delete_body(db.session, body)
    flash(_("The body was deleted."), "success")
    return redirect(url_for(".body_list", slug=space.slug))


# --- public transparency page --------------------------------------------------------------

@bp.get("/spaces/<slug>/transparency")
def transparency(slug: str):
    """The public figures: releases only, never live figures and never a filter."""
    space = g.space
    if not releases.is_published(space):
        abort(404)
    items = releases.list_releases(db.session, space)
    number = request.args.get("release", type=int)
    release = items[0] if items and number is None else next(
        (r for r in items if r.number == number), None)
    if number is not None and release is None:
        abort(404)
    # Frozen figures: the page changes only with the space, its list of releases or the code.
    def etag():  # drawn again after the page: a first visit's page made its CSRF token
        return page_etag(current_app, [getattr(space, c.key) for c in Space.__table__.columns],
                         [(r.id, r.number) for r in items], release.id if release else None,
                         current_app.config["MIN_CELL_PUBLIC"])

    unchanged = not_modified(etag())
    if unchanged is not None:
        return unchanged

    def figures():
        sections, cards, reference, k = [], [], None, current_app.config["MIN_CELL_PUBLIC"]
        if release is not None:
            thawed = releases.thaw(space.slug, release)
            k = release.min_cell
            cards = presenters.headline_cards(thawed["figures"], k)
            reference = thawed["reference"]
            sections = [presenters.report_section(report, chart_id=f"public-{dimension}",
                                                  show_counts=False)
                        for dimension, report in thawed["reports"].items()]
        return fragments.drawn("representation/_transparency_body.html", space=space, k=k,
                               cards=cards, sections=sections, reference=reference,
                               release=release, releases=items)

    # Frozen figures, drawn once per language and release (a new release touches the space).
    body = fragments.cached("transparency", [("space", space.id)], figures,
                            (release.id if release else 0,
                             current_app.config["MIN_CELL_PUBLIC"]))
    page = render_template("representation/transparency.html", space=space, body=body)
    return tag_page(make_response(page), etag())



# --- the prefecture's view -------------------------------------------------------------------

@bp.get("/areas/<code>/overview")
def area_overview(code: str):
    """A prefecture's municipalities (or a region's members) side by side, from public releases;
    sortable by ?sort=…&order=asc|desc without JavaScript."""
    area = find_area(db.session, code)
    if not prefecture.is_overview_area(area) or area.code != code.upper():
        abort(404)
    overview = prefecture.area_overview(db.session, area, today=today_jst())
    sort = request.args.get("sort", "code")
    sort = sort if sort in prefecture.sort_key_names() else "code"
    descending = request.args.get("order") == "desc"
    locale = str(get_locale() or "ja")
    rows = prefecture.sort_rows(overview.rows, sort, descending, locale)
    public_k = current_app.config["MIN_CELL_PUBLIC"]
    return render_template("representation/area_overview.html", area=area,
                           rows=prefecture_present.page_rows(rows, locale, public_k),
                           columns=overview.columns, sort=sort, descending=descending,
                           headers=prefecture_present.sort_headers(
                               sort, descending, [c.key for c in overview.columns]),
                           public_k=public_k)


@bp.get("/areas/")
def area_index():
    """The prefectures and wide-area regions whose municipalities can be compared."""
    areas = prefecture.overview_areas(db.session)
    return render_template("representation/area_index.html",
                           prefectures=[a for a in areas if a.kind == "prefecture"],
                           regions=[a for a in areas if a.is_region])


def overview_area_of(space):
    """The prefecture whose overview lists this space's municipality (a ward's city's), if any."""
    area = space.area
    while area is not None and area.kind not in ("prefecture", "nation"):
        area = area.parent
    return area if area is not None and area.kind == "prefecture" else None


bp.add_app_template_global(overview_area_of, "overview_area_of")

