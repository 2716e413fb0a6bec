"""The panel pages: the whole flow through HTTP, refusals that keep what was typed (422), CSRF,
who sees what, and a public page with no names."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.panels import selection, services
from app.panels.models import PanelCall, PanelVolunteer
from tests.conftest import login
from tests.dom import csrf_token
from tests.panels.web_world import census, pool


@pytest.fixture
def space(make, db):
    area = make.area()
    census(db.session)
    return make.space("panel-space", area=area)


@pytest.fixture
def facilitator(make, space):
    return make.user("fac@example.jp", roles=(f"facilitator:{space.id}",))


def _create(client, **overrides):
    data = {"title": "市民パネル", "description_md": "10人を選びます。", "size": "10",
            "features": ["age_band", "gender"], "lottery_size": "100", "slack": "1", **overrides}
    return client.post("/spaces/panel-space/panels/new", data=data)


def test_the_whole_flow_through_the_pages(client, db, make, space, facilitator):
    login(client, "fac@example.jp")
    response = _create(client)
    assert response.status_code == 302
    call = db.session.scalar(select(PanelCall))
    assert "/quotas" in response.headers["Location"]
    page = client.get(f"/spaces/panel-space/panels/{call.id}/quotas").get_data(as_text=True)
    assert 'name="gender__female__min"' in page and 'value="4"' in page
    assert client.post(f"/spaces/panel-space/panels/{call.id}/status",
                       data={"action": "open", "confirm": "y"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(PanelCall, call.id).status == "open"

    # A participant with no demographic answers volunteers, answering on the form.
    make.user("vol@example.jp")
    client.post("/auth/logout")
    login(client, "vol@example.jp")
    form = client.get(f"/spaces/panel-space/panels/{call.id}/volunteer").get_data(as_text=True)
    assert 'name="birth_year"' in form and 'name="consent_contact"' in form
    refused = client.post(f"/spaces/panel-space/panels/{call.id}/volunteer",
                          data={"birth_year": "1995", "gender": "female"})
    assert refused.status_code == 422  # no consent: refused, what was typed kept
    html = refused.get_data(as_text=True)
    assert 'value="1995"' in html and re.search(r'<option selected value="female"|value="female" selected', html)
    assert client.post(f"/spaces/panel-space/panels/{call.id}/volunteer",
                       data={"birth_year": "1995", "gender": "female",
                             "consent_contact": "y"}).status_code == 302
    mine = client.get(f"/spaces/panel-space/panels/{call.id}").get_data(as_text=True)
    number = db.session.scalar(select(PanelVolunteer.number))
    assert str(number) in mine

    pool(make, db.session.get(PanelCall, call.id), 39)
    client.post("/auth/logout")
    login(client, "fac@example.jp")
    client.post(f"/spaces/panel-space/panels/{call.id}/status", data={"action": "close",
                                                                       "confirm": "y"})
    manage = client.get(f"/spaces/panel-space/panels/{call.id}/manage").get_data(as_text=True)
    assert "40" in manage
    refused = client.post(f"/spaces/panel-space/panels/{call.id}/run",
                          data={"algorithm": "maximin", "confirm": "y", "number_source": " "})
    assert refused.status_code == 422 and 'id="number_source-error"' in refused.get_data(as_text=True)
    ran = client.post(f"/spaces/panel-space/panels/{call.id}/run",
                      data={"algorithm": "leximin", "confirm": "y",
                            "number_source": "宝くじ 1等の下4桁"})
    assert ran.status_code == 302  # the job ran inline (JOBS_INLINE in tests)
    db.session.expire_all()
    call = db.session.get(PanelCall, call.id)
    assert call.selection_state == "done" and len(call.draw.panels) == 100

    bad = client.post(f"/spaces/panel-space/panels/{call.id}/pick",
                      data={"public_number": "12x", "confirm": "y"})
    assert bad.status_code == 422 and 'value="12x"' in bad.get_data(as_text=True)
    assert client.post(f"/spaces/panel-space/panels/{call.id}/pick",
                       data={"public_number": "4711", "confirm": "y"}).status_code == 302
    db.session.expire_all()
    call = db.session.get(PanelCall, call.id)
    assert call.status == "drawn" and call.body_id is not None
    manage = client.get(f"/spaces/panel-space/panels/{call.id}/manage").get_data(as_text=True)
    seated = selection.members(db.session, call, "selected")
    assert seated[0].volunteer.user.display_name in manage

    # Public result: no names, no e-mail addresses; the lottery downloads as numbers.
    client.post("/auth/logout")
    public = client.get(f"/spaces/panel-space/panels/{call.id}/result").get_data(as_text=True)
    assert "4711" in public and "レキシミン" in public and "宝くじ 1等の下4桁" in public
    for member in seated:
        assert member.volunteer.user.display_name not in public
        assert member.volunteer.user.email not in public
    assert "@example.jp" not in public
    csv_text = client.get(f"/spaces/panel-space/panels/{call.id}/lottery.csv").get_data(as_text=True)
    lines = csv_text.strip().splitlines()
    assert len(lines) == 101 and "@" not in csv_text
    assert lines[call.draw.picked].split(",")[1:] == [str(n) for n in call.draw.panels[call.draw.picked - 1]]

    # The volunteer sees their own number and probability (and where they stand) after the pick.
    login(client, "vol@example.jp")
    mine = client.get(f"/spaces/panel-space/panels/{call.id}").get_data(as_text=True)
    assert "公開された抽選表であなたが選ばれる確率" in mine and str(number) in mine
    assert "あなたはパネルのメンバーに選ばれました。" in mine or "補欠の" in mine
    client.post("/auth/logout")

    # A member declines: replaced from the reserve, the body follows.
    login(client, "fac@example.jp")
    member = seated[0]
    assert client.post(f"/spaces/panel-space/panels/{call.id}/members/{member.id}/decline",
                       data={"confirm": "y"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(type(member), member.id).status in ("replaced", "declined")


def test_bad_call_input_is_refused_next_to_the_field(client, db, space, facilitator):
    login(client, "fac@example.jp")
    response = _create(client, size="0", title="残す題名")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "残す題名" in html and 'id="size-error"' in html
    assert db.session.scalar(select(PanelCall)) is None


def test_quota_editor_keeps_typed_values_on_refusal(client, db, space, facilitator):
    login(client, "fac@example.jp")
    _create(client)
    call = db.session.scalar(select(PanelCall))
    data = {services.quota_field(q.feature, q.value, b): str(getattr(q, f"{b}_count"))
            for q in call.quotas for b in ("min", "max")}
    data["gender__male__min"], data["gender__male__max"] = "7", "3"
    response = client.post(f"/spaces/panel-space/panels/{call.id}/quotas", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="gender__male__min-error"' in html and 'value="7"' in html


def test_the_pool_table_suppresses_small_counts(client, db, make, space, facilitator):
    call = services.create_call(db.session, space, title="t", description_md="d", size=4)
    services.open_call(db.session, call)
    db.session.commit()
    pool(make, call, 7)  # 4 women and 3 men; counted: the first batch of 5
    login(client, "fac@example.jp")
    html = client.get(f"/spaces/panel-space/panels/{call.id}/manage").get_data(as_text=True)
    assert "最初に応募した 5 人" in html
    gender_table = html[html.index("<caption>性別"):]
    gender_table = gender_table[:gender_table.index("</table>")]
    assert re.findall(r'class="num">(\d+)</td>', gender_table) == []  # 3/2 split: both hidden


def test_drafts_are_the_facilitators_and_csrf_is_checked(app, client, db, make, space,
                                                         facilitator):
    call = services.create_call(db.session, space, title="下書きの呼びかけ", description_md="d",
                                size=4)
    db.session.commit()
    make.user("someone@example.jp")
    login(client, "someone@example.jp")
    assert client.get(f"/spaces/panel-space/panels/{call.id}").status_code == 403
    assert "下書きの呼びかけ" not in client.get("/spaces/panel-space/panels/").get_data(as_text=True)
    client.post("/auth/logout")
    login(client, "fac@example.jp")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(f"/spaces/panel-space/panels/{call.id}/status",
                               data={"action": "open", "confirm": "y"})
        assert response.status_code == 400
        page = client.get(f"/spaces/panel-space/panels/{call.id}/manage").get_data(as_text=True)
        token = csrf_token(page)
        assert client.post(f"/spaces/panel-space/panels/{call.id}/status", data={
            "action": "open", "confirm": "y", "csrf_token": token}).status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    db.session.expire_all()
    assert db.session.get(PanelCall, call.id).status == "open"


def test_infeasible_quotas_are_explained_on_the_page(client, db, make, space, facilitator):
    call = services.create_call(db.session, space, title="t", description_md="d", size=10)
    services.open_call(db.session, call)
    db.session.commit()
    pool(make, call, 8)
    services.close_call(db.session, call)
    db.session.commit()
    login(client, "fac@example.jp")
    client.post(f"/spaces/panel-space/panels/{call.id}/run",
                data={"algorithm": "maximin", "confirm": "y", "number_source": "宝くじの当選番号"})
    html = client.get(f"/spaces/panel-space/panels/{call.id}/manage").get_data(as_text=True)
    assert "Traceback" not in html
    assert "すべての割当てを満たす 10 人のパネルはありません。" in html
    assert "応募者がパネルの人数 10 人に 2 人足りません" in html


def test_the_explanation_reads_in_english_too(client, db, make, space, facilitator):
    call = services.create_call(db.session, space, title="t", description_md="d", size=10)
    services.open_call(db.session, call)
    db.session.commit()
    pool(make, call, 8)
    services.close_call(db.session, call)
    db.session.commit()
    login(client, "fac@example.jp")
    client.post("/lang/en")
    client.post(f"/spaces/panel-space/panels/{call.id}/run",
                data={"algorithm": "leximin", "confirm": "y", "number_source": "宝くじの当選番号"})
    html = client.get(f"/spaces/panel-space/panels/{call.id}/manage").get_data(as_text=True)
    assert "no panel of 10 meets every quota." in html
    assert "the pool is 2 short of the panel size 10" in html
    assert "The pool by category" in html


def test_a_selection_that_crashes_says_so_without_a_trace(client, db, make, space, facilitator,
                                                          monkeypatch, caplog):
    from app.representation import sortition

    call = services.create_call(db.session, space, title="t", description_md="d", size=4)
    services.open_call(db.session, call)
    db.session.commit()
    pool(make, call, 10)
    services.close_call(db.session, call)
    db.session.commit()

    def broken(*args, **kwargs):
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(sortition, "find_distribution", broken)
    login(client, "fac@example.jp")
    client.post(f"/spaces/panel-space/panels/{call.id}/run",
                data={"algorithm": "leximin", "confirm": "y", "number_source": "宝くじの当選番号"})
    db.session.expire_all()
    assert db.session.get(PanelCall, call.id).selection_state == "failed"
    html = client.get(f"/spaces/panel-space/panels/{call.id}/manage").get_data(as_text=True)
    assert "選出の計算を完了できませんでした" in html and "solver exploded" not in html
    assert "panel selection of call" in caplog.text
    monkeypatch.undo()
    client.post(f"/spaces/panel-space/panels/{call.id}/run",  # a failed run may be retried
                data={"algorithm": "leximin", "confirm": "y", "number_source": "宝くじの当選番号"})
    db.session.expire_all()
    assert db.session.get(PanelCall, call.id).selection_state == "done"


def test_the_volunteer_form_says_what_the_profile_already_answers(client, db, make, space):
    call = services.create_call(db.session, space, title="t", description_md="d", size=4)
    services.open_call(db.session, call)
    db.session.commit()
    make.user("known@example.jp", birth_year=1990, gender="male")
    login(client, "known@example.jp")
    html = client.get(f"/spaces/panel-space/panels/{call.id}/volunteer").get_data(as_text=True)
    assert "プロフィールの回答から" in html and "30〜39歳" in html
    assert 'name="birth_year"' not in html and 'name="gender"' not in html
    assert client.post(f"/spaces/panel-space/panels/{call.id}/volunteer",
                       data={"consent_contact": "y"}).status_code == 302
    assert client.post(f"/spaces/panel-space/panels/{call.id}/volunteer",
                       data={"consent_contact": "y"}).status_code == 302  # already in: to the call
    assert len(db.session.scalars(select(PanelVolunteer)).all()) == 1


def test_withdraw_asks_for_confirmation_and_one_can_come_back(client, db, make, space):
    call = services.create_call(db.session, space, title="t", description_md="d", size=4)
    services.open_call(db.session, call)
    db.session.commit()
    make.user("back@example.jp", birth_year=1980, gender="female")
    login(client, "back@example.jp")
    client.post(f"/spaces/panel-space/panels/{call.id}/volunteer", data={"consent_contact": "y"})
    client.post(f"/spaces/panel-space/panels/{call.id}/withdraw", data={})  # not confirmed
    assert services.pool_size(db.session, call) == 1
    client.post(f"/spaces/panel-space/panels/{call.id}/withdraw", data={"confirm": "y"})
    assert services.pool_size(db.session, call) == 0
    page = client.get(f"/spaces/panel-space/panels/{call.id}").get_data(as_text=True)
    assert f'href="/spaces/panel-space/panels/{call.id}/volunteer"' in page
    client.post(f"/spaces/panel-space/panels/{call.id}/volunteer", data={"consent_contact": "y"})
    assert services.pool_size(db.session, call) == 1
