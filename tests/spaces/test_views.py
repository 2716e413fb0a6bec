"""Spaces pages: listing, detail, create and edit with every bad input, phases, copy, team."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import RoleAssignment
from app.admin.models import AuditEntry
from app.areas.services import create_region
from app.common.errors import N_, DomainError
from app.common.time import today_jst
from app.spaces import views as space_views
from app.spaces.models import Phase, Space
from tests.dom import csrf_token
from tests.dom import field_error, field_value, parse


_error_of, _value_of = field_error, field_value


# --- listing ---------------------------------------------------------------------------------

def test_listing_paginates_newest_first(client, make):
    for n in range(23):
        make.space(f"listed-space-{n:02d}", title=f"場{n:02d}")
    first = client.get("/spaces/").get_data(as_text=True)
    assert first.count('class="card"') == 20
    assert first.index("場22") < first.index("場03")
    assert "場02" not in first and 'rel="next"' in first
    second = client.get("/spaces/?page=2").get_data(as_text=True)
    assert second.count('class="card"') == 3 and "場00" in second and 'rel="prev"' in second
    # A page number out of range or not a number still answers.
    assert client.get("/spaces/?page=99").status_code == 200
    assert client.get("/spaces/?page=x").status_code == 200


def test_listing_shows_area_and_current_phase(client, make):
    make.space("with-phase", title="意見募集中の場", area=make.area("01203", "小樽市", "Otaru"))
    html = client.get("/spaces/").get_data(as_text=True)
    assert "小樽市" in html and "意見募集" in html


def test_unlisted_space_is_reachable_but_listed_only_for_its_facilitators(client, make, sign_in):
    make.space("open-space", title="公開の場")
    hidden = make.space("hidden-space", title="限定の場", visibility="unlisted")
    assert "限定の場" not in client.get("/spaces/").get_data(as_text=True)
    assert "限定の場" not in client.get("/").get_data(as_text=True)
    assert client.get("/spaces/hidden-space/").status_code == 200
    sign_in(make.user(roles=(f"moderator:{hidden.id}",)))
    assert "限定の場" not in client.get("/spaces/").get_data(as_text=True)
    sign_in(make.user(roles=(f"facilitator:{hidden.id}",)))
    client.get("/lang/en")
    html = client.get("/spaces/").get_data(as_text=True)
    assert "限定の場" in html and "badge-unlisted" in html and "公開の場" in html


def test_new_space_button_only_for_those_who_may_create(client, make, sign_in):
    assert "/spaces/new" not in client.get("/spaces/").get_data(as_text=True)
    sign_in(make.user(roles=("facilitator",)))
    assert "/spaces/new" in client.get("/spaces/").get_data(as_text=True)


# --- detail ----------------------------------------------------------------------------------

def test_detail_renders_markdown_and_keeps_scripts_and_javascript_links_inert(client, make):
    space = make.space("xss-space")
    space.description_md = ("**太字**\n\n<script>alert('x')</script>\n\n"
                            "[click](javascript:alert(1)) [full](ｊａｖａｓｃｒｉｐｔ：alert(2))\n\n"
                            "<img src=x onerror=alert(3)>")
    from app.extensions import db
    db.session.commit()
    html = client.get("/spaces/xss-space/").get_data(as_text=True)
    assert "<strong>太字</strong>" in html
    assert "<script>alert" not in html and "<img" not in html
    links = [a.attributes.get("href") or "" for a in parse(html).css("a")]
    assert not [href for href in links if href.strip().lower().startswith("javascript")]
    assert not [href for href in links if "ｊａｖａｓｃｒｉｐｔ" in href]
    assert "&lt;script&gt;" in html  # shown as text, not run


def test_detail_shows_region_members_phases_and_modules(client, make, db, monkeypatch):
    for module in ("forum", "proposals", "surveys"):  # as if no module had its pages yet
        monkeypatch.setitem(space_views.MODULE_ENDPOINTS, module, f"{module}.not_there")
    sapporo = make.area()
    otaru = make.area("01203", "小樽市", "Otaru")
    region = create_region(db.session, "R-SHIRIBESHI", "札幌・小樽圏", "Sapporo-Otaru",
                           ["01100", "01203"])
    db.session.commit()
    space = make.space("region-space", area=region, surveys_enabled=False)
    today = today_jst()
    space.phases.append(Phase(name="まとめ", starts_on=today + timedelta(days=31),
                              ends_on=today + timedelta(days=60), accepts_input=False, position=1))
    db.session.commit()
    client.get("/lang/en")
    html = client.get("/spaces/region-space/").get_data(as_text=True)
    assert "Sapporo-Otaru" in html and "Wide-area region" in html
    assert sapporo.name_en in html and otaru.name_en in html and "01203" in html
    current = parse(html).css_first('li.timeline-phase.is-current[aria-current="step"]').text()
    assert "意見募集" in current and "Accepts contributions" in current
    assert html.count('aria-current="step"') == 1
    assert "No new contributions" in html  # the later phase
    modules = parse(html).css_first("ul.module-list")
    assert "Forum" in modules.text() and "Proposals" in modules.text() and "Surveys" not in modules.text()
    assert modules.css("a") == []  # no link to a page that does not exist


def test_detail_links_modules_whose_endpoint_exists(client, make, monkeypatch):
    make.space("linked-space")
    monkeypatch.setitem(space_views.MODULE_ENDPOINTS, "forum", "spaces.detail")
    html = client.get("/spaces/linked-space/").get_data(as_text=True)
    modules = parse(html).css_first("ul.module-list")
    assert [a.attributes["href"] for a in modules.css("a")].count("/spaces/linked-space/") >= 1


def test_unknown_space_is_404(client):
    assert client.get("/spaces/no-such-space/").status_code == 404
    assert client.get("/spaces/no-such-space/edit").status_code == 404


# --- create ----------------------------------------------------------------------------------

def _space_form(**overrides):
    data = {"title": "札幌の未来を語る", "slug": "sapporo-future", "area": "01100",
            "description_md": "## 目的", "min_age": "18", "youth_min": "18", "youth_max": "39",
            "forum_enabled": "y", "surveys_enabled": "y", "visibility": "public",
            "reference_choice": "auto", "participation": "everyone"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_create_space(client, make, sign_in, db):
    elsewhere = make.space("elsewhere")
    creator = make.user(roles=(f"facilitator:{elsewhere.id}",))
    sign_in(creator)
    response = client.post("/spaces/new", data=_space_form(slug="Sapporo-Future"))
    assert response.status_code == 302 and response.location.endswith("/spaces/sapporo-future/phases")
    space = db.session.scalar(select(Space).where(Space.slug == "sapporo-future"))
    assert space.title == "札幌の未来を語る" and space.area.code == "01100"
    assert space.enabled_modules == ["forum", "surveys"] and not space.transparency_public
    assert db.session.scalar(select(RoleAssignment).where(
        RoleAssignment.space_id == space.id, RoleAssignment.user_id == creator.id)).role == "facilitator"


def test_create_space_accepts_full_width_code_and_names(client, make, sign_in, db):
    make.area()
    sign_in(make.user(roles=("admin",)))
    for slug, area in (("by-fullwidth", "０１１００"), ("by-name-ja", "札幌市"), ("by-name-en", "sapporo")):
        assert client.post("/spaces/new", data=_space_form(slug=slug, area=area)).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Space)) == 3


@pytest.mark.parametrize("overrides, field_id, message", [
    ({"slug": "taken-slug"}, "slug", "already used by another space"),
    ({"slug": "bad slug!"}, "slug", "lowercase letters"),
    ({"slug": "ab"}, "slug", "3 to 60 characters"),
    ({"slug": "new"}, "slug", "reserved"),
    ({"title": ""}, "title", "required"),
    ({"title": "長" * 151}, "title", "at most 150"),
    ({"youth_min": "30", "youth_max": "20"}, "youth_max", "youth band must start at or below"),
    ({"min_age": "20", "youth_min": "18"}, "youth_min", "cannot start below the minimum age"),
    ({"min_age": "121"}, "min_age", "between 0 and 120"),
    ({"min_age": "-1"}, "min_age", "between 0 and 120"),
    ({"min_age": "abc"}, "min_age", ""),
    ({"area": "99999"}, "area", "No area or region has this code or name"),
    ({"area": "どこでもない市"}, "area", "No area or region has this code or name"),
    ({"description_md": "x" * 20_001}, "description_md", "at most 20000"),
    ({"visibility": "secret"}, "visibility", ""),
])
def test_create_space_rejects_bad_input_next_to_the_field(client, make, sign_in, db,
                                                         overrides, field_id, message):
    make.area()
    make.space("taken-slug")
    sign_in(make.user(roles=("admin",)))
    client.get("/lang/en")
    response = client.post("/spaces/new", data=_space_form(**overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in _error_of(html, field_id)
    assert db.session.scalar(select(func.count()).select_from(Space)) == 1
    # What the person typed is still there.
    assert _value_of(html, "title") == (overrides.get("title", "札幌の未来を語る"))
    if field_id == "slug":
        assert _value_of(html, "slug") == overrides["slug"]
    if field_id == "area":
        assert _value_of(html, "area") == overrides["area"]
    assert "## 目的" in html or field_id == "description_md"


def test_ambiguous_area_name_lists_the_candidates(client, make, sign_in):
    make.area("01233", "伊達市", "Date", parent=None)
    make.area("07213", "伊達市", "Date")
    sign_in(make.user(roles=("admin",)))
    client.get("/lang/en")
    html = client.post("/spaces/new", data=_space_form(area="伊達市")).get_data(as_text=True)
    error = _error_of(html, "area")
    assert "01233" in error and "07213" in error


def test_new_space_form_has_the_defaults(client, make, sign_in):
    sign_in(make.user(roles=("admin",)))
    html = client.get("/spaces/new").get_data(as_text=True)
    assert _value_of(html, "min_age") == "18" and _value_of(html, "youth_max") == "39"
    page = parse(html)
    assert "checked" in page.css_first('input[id="forum_enabled"]').attributes
    assert "checked" in page.css_first('input[value="public"]').attributes


def test_create_needs_a_csrf_token_when_protection_is_on(app, client, make, sign_in, monkeypatch):
    make.area()
    sign_in(make.user(roles=("admin",)))
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post("/spaces/new", data=_space_form()).status_code == 400
    token = csrf_token(client.get("/spaces/new").get_data(as_text=True))
    response = client.post("/spaces/new", data=_space_form(csrf_token=token))
    assert response.status_code == 302


# --- edit ------------------------------------------------------------------------------------

def test_edit_space(client, make, sign_in, db):
    space = make.space("edit-me", title="古い題名")
    make.space("someone-else")
    make.area("01203", "小樽市", "Otaru")
    sign_in(make.user(roles=(f"facilitator:{space.id}",)))
    html = client.get("/spaces/edit-me/edit").get_data(as_text=True)
    assert _value_of(html, "area") == "01100" and _value_of(html, "title") == "古い題名"
    client.get("/lang/en")
    taken = client.post("/spaces/edit-me/edit", data=_space_form(slug="someone-else"))
    assert "already used" in _error_of(taken.get_data(as_text=True), "slug")
    response = client.post("/spaces/edit-me/edit", data=_space_form(
        title="新しい題名", slug="edit-me", area="01203", visibility="unlisted",
        transparency_public="y", min_age="16", youth_min="16", youth_max="29"))
    assert response.status_code == 302 and response.location.endswith("/spaces/edit-me/")
    db.session.expire_all()
    space = db.session.get(Space, space.id)
    assert (space.title, space.area.code, space.visibility, space.transparency_public) == (
        "新しい題名", "01203", "unlisted", True)
    assert (space.min_age, space.youth_min, space.youth_max) == (16, 16, 29)
    assert not space.proposals_enabled
    # Renaming the slug moves the page.
    response = client.post("/spaces/edit-me/edit", data=_space_form(slug="moved-here"))
    assert response.location.endswith("/spaces/moved-here/")
    assert client.get("/spaces/moved-here/").status_code == 200


def test_a_refused_edit_answers_422_and_writes_nothing(client, make, sign_in, db, monkeypatch):
    # A service that has already changed the space when it refuses: the refusal must undo that.
    space = make.space("keep-me", title="元の題名")
    sign_in(make.user(roles=(f"facilitator:{space.id}",)))
    client.get("/lang/en")

    def change_then_refuse(session, space, **fields):
        space.title = "途中の題名"
        session.flush()
        raise DomainError(N_("Enter a title of at most %(max)s characters."), "title", max=150)

    monkeypatch.setattr(space_views.services, "update_space", change_then_refuse)
    response = client.post("/spaces/keep-me/edit", data=_space_form(slug="keep-me",
                                                                     title="新しい題名"))
    assert response.status_code == 422
    assert "at most 150 characters" in _error_of(response.get_data(as_text=True), "title")
    db.session.expire_all()
    assert db.session.get(Space, space.id).title == "元の題名"
    assert db.session.scalars(select(AuditEntry)).all() == []


# --- phases ----------------------------------------------------------------------------------

def test_phases_crud(client, make, sign_in, db):
    space = make.space("phased")
    sign_in(make.user(roles=(f"facilitator:{space.id}",)))
    client.get("/lang/en")
    page = client.get("/spaces/phased/phases").get_data(as_text=True)
    assert "意見募集" in page and _value_of(page, "position") == "1"

    bad = client.post("/spaces/phased/phases", data={
        "name": "逆の日程", "starts_on": "2026-06-10", "ends_on": "2026-06-01", "position": "1"})
    html = bad.get_data(as_text=True)
    assert "cannot end before it starts" in _error_of(html, "ends_on")
    assert _value_of(html, "name") == "逆の日程" and _value_of(html, "starts_on") == "2026-06-10"
    missing = client.post("/spaces/phased/phases", data={"name": "", "starts_on": "",
                                                        "ends_on": "not a date", "position": "x"})
    html = missing.get_data(as_text=True)
    for field_id in ("name", "starts_on", "ends_on", "position"):
        _error_of(html, field_id)

    added = client.post("/spaces/phased/phases", data={
        "name": "まとめ", "starts_on": "2026-06-01", "ends_on": "2026-06-30",
        "accepts_input": "y", "position": "1"})
    assert added.status_code == 302
    phase = db.session.scalar(select(Phase).where(Phase.name == "まとめ"))
    assert (phase.starts_on, phase.ends_on, phase.accepts_input) == (date(2026, 6, 1), date(2026, 6, 30), True)

    edit_url = f"/spaces/phased/phases/{phase.id}/edit"
    assert _value_of(client.get(edit_url).get_data(as_text=True), "starts_on") == "2026-06-01"
    bad_edit = client.post(edit_url, data={"name": "まとめ", "starts_on": "2026-07-01",
                                           "ends_on": "2026-06-30", "position": "1"})
    assert "cannot end before it starts" in _error_of(bad_edit.get_data(as_text=True), "ends_on")
    assert client.post(edit_url, data={"name": "最終まとめ", "starts_on": "2026-06-01",
                                       "ends_on": "2026-07-15", "position": "2"}).status_code == 302
    db.session.expire_all()
    phase = db.session.get(Phase, phase.id)
    assert (phase.name, phase.ends_on, phase.accepts_input, phase.position) == (
        "最終まとめ", date(2026, 7, 15), False, 2)

    delete_url = f"/spaces/phased/phases/{phase.id}/delete"
    unconfirmed = client.post(delete_url, data={})
    assert unconfirmed.status_code == 302 and db.session.get(Phase, phase.id) is not None
    assert "Tick the box" in client.get("/spaces/phased/phases").get_data(as_text=True)
    assert client.post(delete_url, data={"confirm": "yes"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Phase, phase.id) is None


def test_a_phase_of_another_space_is_404(client, make, sign_in):
    space = make.space("mine")
    other = make.space("theirs")
    sign_in(make.user(roles=(f"facilitator:{space.id}",)))
    foreign = other.phases[0].id
    assert client.get(f"/spaces/mine/phases/{foreign}/edit").status_code == 404
    assert client.post(f"/spaces/mine/phases/{foreign}/delete", data={"confirm": "yes"}).status_code == 404


# --- copy ------------------------------------------------------------------------------------

def test_copy_as_template_with_a_new_start_date(client, make, sign_in, db):
    source = make.space("source-plan", title="元の場", surveys_enabled=False)
    first_start = source.phases[0].starts_on
    otaru = make.area("01203", "小樽市", "Otaru")
    elsewhere = make.space("elsewhere")
    copier = make.user(roles=(f"facilitator:{elsewhere.id}",))  # the source is public
    sign_in(copier)
    client.get("/lang/en")
    page = client.get("/spaces/source-plan/copy").get_data(as_text=True)
    assert _value_of(page, "start_on") == first_start.isoformat()
    assert _value_of(page, "title") == "元の場"

    bad = client.post("/spaces/source-plan/copy", data={"title": "小樽版", "slug": "source-plan",
                                                         "area": "00000", "start_on": "2026-09-01"})
    html = bad.get_data(as_text=True)
    assert "already used" in _error_of(html, "slug") and _error_of(html, "area")

    response = client.post("/spaces/source-plan/copy", data={
        "title": "小樽版", "slug": "otaru-plan", "area": "小樽市", "start_on": "2026-09-01"})
    assert response.status_code == 302 and response.location.endswith("/spaces/otaru-plan/")
    copy = db.session.scalar(select(Space).where(Space.slug == "otaru-plan"))
    assert copy.area_id == otaru.id and copy.enabled_modules == ["forum", "proposals"]
    assert copy.phases[0].starts_on == date(2026, 9, 1)
    length = source.phases[0].ends_on - first_start
    assert copy.phases[0].ends_on == date(2026, 9, 1) + length
    assert copier.has_role("facilitator", copy.id)


def test_unlisted_space_cannot_be_copied_by_facilitators_of_other_spaces(client, make, sign_in):
    make.space("private-plan", visibility="unlisted")
    elsewhere = make.space("elsewhere")
    sign_in(make.user(roles=(f"facilitator:{elsewhere.id}",)))
    assert client.get("/spaces/private-plan/copy").status_code == 403


# --- team ------------------------------------------------------------------------------------

def test_team_management(client, make, sign_in, db):
    space = make.space("team-space")
    lead = make.user("lead@example.jp", display_name="リード", roles=(f"facilitator:{space.id}",))
    helper = make.user("helper@example.jp", display_name="ヘルパー")
    sign_in(lead)
    client.get("/lang/en")
    page = client.get("/spaces/team-space/team").get_data(as_text=True)
    assert "リード" in page and "lead@example.jp" in page

    unknown = client.post("/spaces/team-space/team", data={"email": "ghost@example.jp",
                                                          "role": "moderator"})
    html = unknown.get_data(as_text=True)
    assert "No account uses this e-mail address" in _error_of(html, "email")
    assert _value_of(html, "email") == "ghost@example.jp"
    bad_role = client.post("/spaces/team-space/team", data={"email": "helper@example.jp",
                                                            "role": "admin"})
    _error_of(bad_role.get_data(as_text=True), "role")

    added = client.post("/spaces/team-space/team", data={"email": "HELPER@example.jp",
                                                        "role": "moderator"})
    assert added.status_code == 302
    assert helper.has_role("moderator", space.id) or db.session.scalar(
        select(RoleAssignment).where(RoleAssignment.user_id == helper.id)).role == "moderator"
    again = client.post("/spaces/team-space/team", data={"email": "helper@example.jp",
                                                        "role": "moderator"})
    assert "already has this role" in _error_of(again.get_data(as_text=True), "email")

    assignment = db.session.scalar(select(RoleAssignment).where(RoleAssignment.user_id == helper.id))
    remove_url = f"/spaces/team-space/team/{assignment.id}/remove"
    client.post(remove_url, data={})
    assert db.session.get(RoleAssignment, assignment.id) is not None
    assert client.post(remove_url, data={"confirm": "yes"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(RoleAssignment, assignment.id) is None

    own = db.session.scalar(select(RoleAssignment).where(RoleAssignment.user_id == lead.id))
    client.post(f"/spaces/team-space/team/{own.id}/remove", data={"confirm": "yes"})
    assert db.session.get(RoleAssignment, own.id) is not None
    assert "at least one facilitator" in client.get("/spaces/team-space/team").get_data(as_text=True)


def test_removing_a_role_of_another_space_is_404(client, make, sign_in):
    space = make.space("team-a")
    other = make.space("team-b")
    sign_in(make.user(roles=(f"facilitator:{space.id}",)))
    outsider = make.user(roles=(f"moderator:{other.id}",))
    assignment_id = outsider.roles[0].id
    assert client.post(f"/spaces/team-a/team/{assignment_id}/remove",
                       data={"confirm": "yes"}).status_code == 404
