"""Every survey route with every role: anonymous, participant, facilitator of another space,
facilitator, moderator and admin. Denied means: anonymous sent to log in, others 403, or 404
where a survey's results are hidden (so hidden things look like missing ones)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.common.time import utcnow
from tests.people import client_as

ROLES = ("anonymous", "participant", "other_facilitator", "facilitator", "moderator", "admin")
MANAGERS = {"facilitator", "admin"}
# kind -> which roles are allowed; the others get the route's denial.
ALLOWED = {
    "public": set(ROLES),
    "manage": MANAGERS,
    "answer": set(ROLES) - {"anonymous"},
    "copy": MANAGERS | {"other_facilitator"},
    "hidden_results": MANAGERS,
}


def routes(world):
    s, q = world.survey, world.questions
    sid, first = s.id, s.sections[0].id
    single, long_ = q["single"].id, q["long"].id
    question = {"kind": "short_text", "text": "追加の質問", "scale_points": "5"}
    return [  # (endpoint, method, path, data, kind)
        ("surveys.index", "GET", "/", None, "public"),
        ("surveys.detail", "GET", f"/{sid}/", None, "public"),
        ("surveys.new", "GET", "/new", None, "manage"),
        ("surveys.new", "POST", "/new", {"title": "別の調査", "results_visibility": "after_close"}, "manage"),
        ("surveys.settings", "GET", f"/{sid}/settings", None, "manage"),
        ("surveys.settings", "POST", f"/{sid}/settings", {"title": s.title, "results_visibility": "after_close"}, "manage"),
        ("surveys.change_status", "POST", f"/{sid}/status", {"action": "open"}, "manage"),
        ("surveys.build", "GET", f"/{sid}/build", None, "manage"),
        ("surveys.section_new", "POST", f"/{sid}/sections/new", {"title": "追加"}, "manage"),
        ("surveys.section_edit", "GET", f"/{sid}/sections/{first}/edit", None, "manage"),
        ("surveys.section_edit", "POST", f"/{sid}/sections/{first}/edit", {"title": "暮らし"}, "manage"),
        ("surveys.section_move", "POST", f"/{sid}/sections/{first}/move", {"direction": "up"}, "manage"),
        ("surveys.section_delete", "POST", f"/{sid}/sections/{first}/delete", {}, "manage"),
        ("surveys.question_new", "GET", f"/{sid}/sections/{first}/questions/new", None, "manage"),
        ("surveys.question_new", "POST", f"/{sid}/sections/{first}/questions/new", question, "manage"),
        ("surveys.question_edit", "GET", f"/{sid}/questions/{long_}/edit", None, "manage"),
        ("surveys.question_edit", "POST", f"/{sid}/questions/{long_}/edit", question | {"kind": "long_text"}, "manage"),
        ("surveys.question_move", "POST", f"/{sid}/questions/{long_}/move", {"direction": "up"}, "manage"),
        ("surveys.question_delete", "POST", f"/{sid}/questions/{long_}/delete", {}, "manage"),
        ("surveys.preview", "GET", f"/{sid}/preview", None, "manage"),
        ("surveys.copy", "GET", f"/{sid}/copy", None, "copy"),
        ("surveys.copy", "POST", f"/{sid}/copy", {"target_space": "elsewhere"}, "copy"),
        ("surveys.results_page", "GET", f"/{sid}/results", None, "hidden_results"),
        ("surveys.set_weight_cap", "POST", f"/{sid}/results/weighting", {"cap": "3"}, "manage"),
        ("surveys.results_breakdown", "GET", f"/{sid}/results/breakdown?by=sector", None, "manage"),
        ("surveys.results_text", "GET", f"/{sid}/results/text/{long_}", None, "manage"),
        ("surveys.export_csv", "GET", f"/{sid}/export.csv", None, "manage"),
        ("surveys.export_background", "POST", f"/{sid}/export.csv/background", {}, "manage"),
        ("surveys.delete", "POST", f"/{sid}/delete", {}, "manage"),
        ("surveys_api.survey_results", "GET", f"/api/v1/surveys/{sid}/results?weighted=1", None, "hidden_results"),
        ("surveys.answer_start", "GET", f"/{sid}/answer/", None, "answer"),
        ("surveys.answer_section", "GET", f"/{sid}/answer/{first}", None, "answer"),
        ("surveys.answer_section", "POST", f"/{sid}/answer/{first}",
         {f"q{single}": str(q["single"].options[1].id), "action": "save"}, "answer"),
        ("surveys.answer_review", "GET", f"/{sid}/answer/review", None, "answer"),
        ("surveys.answer_review", "POST", f"/{sid}/answer/review", {}, "answer"),
        ("surveys.answer_done", "GET", f"/{sid}/answer/done", None, "answer"),
    ]


@pytest.fixture
def visitor(client, world, make, request):
    role = request.param
    other_space = make.space("elsewhere")
    emails = {
        "participant": "part@example.jp",
        "other_facilitator": make.user("other@example.jp", roles=(f"facilitator:{other_space.id}",)).email,
        "facilitator": "fac@example.jp",
        "moderator": make.user("mod@example.jp", roles=(f"moderator:{world.space.id}",)).email,
        "admin": make.user("admin@example.jp", roles=("admin",)).email,
    }
    return role, client_as(client.application, emails.get(role))


@pytest.mark.parametrize("visitor", ROLES, indirect=True)
def test_every_route_with_every_role(app, world, visitor):
    role, who = visitor
    table = routes(world)
    for endpoint, method, path, data, kind in table:  # noqa: B007
        url = path if path.startswith("/api/") else f"/spaces/{world.space.slug}/surveys{path}"
        r = who.get(url) if method == "GET" else who.post(url, data=data)
        where = f"{role} {method} {url} -> {r.status_code}"
        login_redirect = r.status_code == 302 and "/auth/login" in r.headers.get("Location", "")
        if role in ALLOWED[kind]:
            assert r.status_code in (200, 302, 303, 409, 422) and not login_redirect, where
        elif kind == "hidden_results":
            assert r.status_code == 404, where
        elif role == "anonymous":
            assert login_redirect, where
        else:
            assert r.status_code == 403, where
    # the table walks every route the two survey blueprints have
    rules = {rule.endpoint for rule in app.url_map.iter_rules()
             if rule.endpoint.split(".")[0] in ("surveys", "surveys_api")}
    assert rules == {row[0] for row in table}


@pytest.mark.parametrize("visitor", ("anonymous", "participant", "facilitator"), indirect=True)
def test_switched_off_surveys_are_reached_by_their_managers_only(app, world, db, visitor):
    """Switched off, a space's surveys are absent for everyone but its managers, who still
    prepare them; a survey whose results would be public is no exception."""
    role, who = visitor
    world.survey.opens_at = utcnow() - timedelta(days=3)
    world.survey.closes_at = utcnow() - timedelta(days=1)  # closed: results open to all
    world.space.surveys_enabled = False
    db.session.commit()
    for endpoint, method, path, data, kind in routes(world):
        if endpoint in ("surveys.new", "surveys.delete"):
            continue  # no survey to hide (new), or one the walk still needs (delete)
        url = path if path.startswith("/api/") else f"/spaces/{world.space.slug}/surveys{path}"
        r = who.get(url) if method == "GET" else who.post(url, data=data)
        where = f"{role} {method} {url} -> {r.status_code}"
        if role != "facilitator":
            assert r.status_code == 404, where
        elif kind == "answer":  # the managers see why nobody can answer
            assert r.status_code in (302, 403), where
        else:
            assert r.status_code in (200, 302, 303, 422), where
