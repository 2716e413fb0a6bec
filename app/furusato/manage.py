"""The municipality's register (staff: app.accounts.permissions.can_manage_furusato): the
programme, the counts under disclosure control, activities to confirm, the contactable
registrants and their CSV, and announcements. Every action is audited. Thin: parse, call,
render."""
from __future__ import annotations

import secrets

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import (can_decide_activity, can_find_furusato_register,
                                      can_manage_furusato, require)
from app.admin.services import audit
from app.common.errors import DomainError
from app.common.pagination import paginate
from app.common.time import today_jst
from app.extensions import db
from app.furusato import bp, services
from app.furusato import roster
from app.furusato.forms import (TIE_LABELS, TIER_NAMES, AnnouncementForm, ProgrammeForm)
from app.furusato.pages import activity_from_url, area_from_url
from app.areas.services import find_area
from app.proposals.export import to_csv
from app.proposals.pages import locale

AGE_LABELS = {"under_30": "< 30", "30s": "30–39", "40s": "40–49", "50s": "50–59",
              "60s": "60–69", "70_plus": "70+"}


def _k() -> int:
    return int(current_app.config.get("MIN_CELL_FACILITATOR", 5))


@bp.get("/manage")
@require(can_find_furusato_register)
def find_register():
    area = find_area(db.session, request.args.get("code"))
    if area is None or area.kind not in ("prefecture", "municipality", "ward"):
        flash(_("No municipality, ward or prefecture has that code or name."), "error")
        return redirect(url_for(".index"), 303)
    return redirect(url_for(".manage", area_code=area.code), 303)


@bp.get("/<area_code>/manage")
@require(can_manage_furusato, area=area_from_url)
def manage(area):
    counts = roster.register_counts(db.session, area, k=_k())
    prefecture_names = services.area_names(db.session, [
        key for table in counts.tables if table.dimension == "prefecture"
        for key, _value in table.rows])
    return render_template(
        "furusato/manage.html", area=area, counts=counts, locale=locale(),
        programme=services.programme_for(db.session, area),
        pending=services.pending_count(db.session, area),
        contactable=roster.contactable_count(db.session, area),
        labels={"tier": TIER_NAMES, "tie_kind": TIE_LABELS, "age_band": AGE_LABELS,
                "prefecture": prefecture_names})


@bp.route("/<area_code>/manage/programme", methods=["GET", "POST"])
@require(can_manage_furusato, area=area_from_url)
def programme(area):
    current = services.programme_for(db.session, area)
    form = ProgrammeForm(obj=current) if request.method == "GET" and current else ProgrammeForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            saved = services.save_programme(
                db.session, area, description_ja=form.description_ja.data,
                description_en=form.description_en.data or "", categories=form.categories.data,
                is_open=form.is_open.data)
        except DomainError as error:
            form.refuse(error)
        else:
            audit(db.session, current_user, "furusato.programme", f"area:{area.id}",
                  open=saved.is_open, categories=len(saved.category_list))
            flash(_("The programme is saved."), "success")
            return redirect(url_for(".manage", area_code=area.code), 303)
    return render_template("furusato/programme.html", area=area, form=form, current=current,
                           locale=locale())


@bp.get("/<area_code>/manage/activities")
@require(can_manage_furusato, area=area_from_url)
def activities(area):
    page = paginate(db.session, services.pending_query(area),
                    request.args.get("page", 1, type=int), 50)
    return render_template("furusato/activities.html", area=area, locale=locale(), page=page)


@bp.post("/<area_code>/manage/activities/<int:activity_id>")
@require(can_decide_activity, area=area_from_url, activity=activity_from_url)
def decide(area, activity):
    decision = request.form.get("decision")
    if decision not in ("confirm", "reject"):
        flash(_("Choose to confirm or not to confirm."), "error")
        return redirect(url_for(".activities", area_code=area.code), 303)
    try:
        services.decide_activity(db.session, activity, current_user,
                                 confirm=decision == "confirm")
    except DomainError as error:
        flash(error.translated(_), "error")
        return redirect(url_for(".activities", area_code=area.code), 303)
    audit(db.session, current_user, f"furusato.activity.{decision}", f"activity:{activity.id}",
          registration=activity.registration_id)
    flash(_("Confirmed.") if decision == "confirm" else _("Marked as not confirmed."),
          "success")
    return redirect(url_for(".activities", area_code=area.code), 303)


@bp.get("/<area_code>/manage/contacts")
@require(can_manage_furusato, area=area_from_url)
def contacts(area):
    page = paginate(db.session, roster.contactable_query(area),
                    request.args.get("page", 1, type=int), 50, scalars=False)
    audit(db.session, current_user, "furusato.contacts.view", f"area:{area.id}",
          page=page.page, rows=len(page.items))
    return render_template("furusato/contacts.html", area=area, page=page, locale=locale(),
                           tiers=TIER_NAMES, ties=TIE_LABELS)


@bp.get("/<area_code>/manage/contacts.csv")
@require(can_manage_furusato, area=area_from_url)
def contacts_csv(area):
    header = [_("Registration no."), _("Name"), _("E-mail"), _("Tier"), _("Kind of tie"),
              _("Registered on"), _("Valid until")]
    rows = [[r.number, u.display_name, u.email or "", str(TIER_NAMES[r.tier]),
             str(TIE_LABELS.get(r.tie_kind or "unknown")), r.registered_on.isoformat(),
             r.valid_until.isoformat()]
            for r, u in roster.contactable(db.session, area)]
    audit(db.session, current_user, "furusato.contacts.export", f"area:{area.id}",
          rows=len(rows))
    filename = f"furusato-{area.code}-{today_jst().isoformat()}.csv"
    return Response(to_csv(header, rows), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


@bp.route("/<area_code>/manage/announce", methods=["GET", "POST"])
@require(can_manage_furusato, area=area_from_url)
def announce(area):
    form = AnnouncementForm()
    if request.method == "POST" and form.validate_on_submit():
        key = secrets.token_hex(8)
        try:
            sent = roster.announce(db.session, area, title=form.title.data,
                                          text=form.text.data, link=form.link.data or "",
                                          announcement_key=key)
        except DomainError as error:
            form.refuse(error)
        else:
            audit(db.session, current_user, "furusato.announce", f"area:{area.id}",
                  key=key, recipients=sent, title=form.title.data[:100])
            flash(_("Sent to %(count)s registrants.", count=sent), "success")
            return redirect(url_for(".manage", area_code=area.code), 303)
    return render_template("furusato/announce.html", area=area, form=form, locale=locale(),
                           recipients=roster.contactable_count(db.session, area))
