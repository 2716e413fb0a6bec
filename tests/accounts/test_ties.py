"""Ties to areas: the table's constraints, the settings page, the one-tap question after a first
contribution, and the residency per area it gives the tracker."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts import ties
from app.accounts.models import ResidencyTie
from app.common.errors import DomainError
from app.representation import ledger
from app.representation.models import Participation
from tests.people import log_in


@pytest.fixture
def areas(make):
    hokkaido = make.area("01000", "北海道", "Hokkaido", kind="prefecture")
    tokyo = make.area("13000", "東京都", "Tokyo", kind="prefecture")
    return {
        "hokkaido": hokkaido, "tokyo": tokyo,
        "sapporo": make.area("01100", "札幌市", "Sapporo", parent=hokkaido),
        "otaru": make.area("01203", "小樽市", "Otaru", parent=hokkaido),
        "shinjuku": make.area("13104", "新宿区", "Shinjuku", parent=tokyo),
    }


@pytest.fixture
def hanako(make, areas):
    """Lives in Sapporo; no ties yet."""
    return make.user("hanako@example.jp", home_area=areas["sapporo"])


@pytest.fixture
def en(client, hanako):
    log_in(client, hanako)
    client.get("/lang/en")
    return client


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _row(db, space, user) -> Participation:
    db.session.expire_all()
    return db.session.scalar(select(Participation).where(Participation.space_id == space.id,
                                                         Participation.user_id == user.id))


# --- the table ---------------------------------------------------------------------------------

def test_one_tie_per_person_and_area_is_a_database_rule(db, hanako, areas):
    db.session.add(ResidencyTie(user_id=hanako.id, area_id=areas["otaru"].id, kind="visits"))
    db.session.commit()
    db.session.add(ResidencyTie(user_id=hanako.id, area_id=areas["otaru"].id, kind="family"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_an_unknown_kind_is_refused_by_the_database(db, hanako, areas):
    db.session.add(ResidencyTie(user_id=hanako.id, area_id=areas["otaru"].id, kind="tourist"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize(("area", "field_msg"), [
    ("sapporo", "so you count as its resident"),     # the home
    ("hokkaido", "so you count as its resident"),    # an area containing it
])
def test_a_tie_to_the_home_or_around_it_is_refused(db, hanako, areas, area, field_msg):
    with pytest.raises(DomainError) as refused:
        ties.add_tie(db.session, hanako, areas[area], "family")
    assert refused.value.field == "area" and field_msg in str(refused.value)


def test_a_second_tie_to_the_same_area_is_refused_with_a_message(db, hanako, areas):
    ties.add_tie(db.session, hanako, areas["otaru"], "visits")
    with pytest.raises(DomainError) as refused:
        ties.add_tie(db.session, hanako, areas["otaru"], "family")
    assert "already recorded" in str(refused.value)
    db.session.commit()  # the savepoint kept the first tie and the transaction usable
    assert [t.kind for t in ties.ties_of(db.session, hanako)] == ["visits"]


# --- the settings page -------------------------------------------------------------------------

def test_ties_page_adds_lists_and_removes(en, db, hanako, areas):
    page = en.get("/auth/profile/ties").get_data(as_text=True)
    assert "Your connections to other areas" in page and "None yet." in page
    assert 'name="area"' in page and 'value="furusato_donor"' in page
    response = en.post("/auth/profile/ties", data={"area": "小樽市", "kind": "furusato_donor"})
    assert response.status_code == 302
    page = en.get("/auth/profile/ties").get_data(as_text=True)
    assert "Otaru" in page and "I give it furusato nozei" in page
    tie = db.session.scalar(select(ResidencyTie))
    # Removing asks for confirmation first.
    response = en.post(f"/auth/profile/ties/{tie.id}/delete", data={})
    assert _count(db, ResidencyTie) == 1
    response = en.post(f"/auth/profile/ties/{tie.id}/delete", data={"confirm": "yes"})
    assert response.status_code == 302 and _count(db, ResidencyTie) == 0


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"area": "どこにもない町", "kind": "visits"}, "area", "We do not know this municipality"),
    ({"area": "", "kind": "visits"}, "area", "Enter the area's name or its 5-digit code."),
    ({"area": "札幌市", "kind": "visits"}, "area", "so you count as its resident"),
    ({"area": "小樽市"}, "kind", "Choose how you are connected to this area."),
    ({"area": "小樽市", "kind": "tourist"}, "kind", "Choose how you are connected to this area."),
])
def test_bad_input_is_refused_next_to_its_field_keeping_what_was_typed(en, db, areas, data,
                                                                      field, message):
    response = en.post("/auth/profile/ties", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(rf'id="{field}-error">(.*?)</p>', html, re.S)
    assert error and message in error.group(1)
    if data["area"]:
        assert f'value="{data["area"]}"' in html
    assert _count(db, ResidencyTie) == 0


def test_nobody_removes_anothers_tie(client, db, make, hanako, areas):
    tie = ties.add_tie(db.session, hanako, areas["otaru"], "visits")
    db.session.commit()
    other = make.user("other@example.jp", home_area=areas["shinjuku"])
    log_in(client, other)
    client.post(f"/auth/profile/ties/{tie.id}/delete", data={"confirm": "yes"})
    assert _count(db, ResidencyTie) == 1


def test_ties_page_is_in_japanese_too(client, hanako):
    log_in(client, hanako)
    html = client.get("/auth/profile/ties").get_data(as_text=True)
    assert "他の地域とのつながり" in html and "ふるさと納税をしている" in html


# --- the one-tap question ------------------------------------------------------------------

def _open_thread(client, space):
    return client.post(f"/spaces/{space.slug}/forum/new",
                       data={"title": "除雪の時間帯", "body": "早朝の除雪をお願いします。"})


def test_a_first_contribution_outside_home_asks_once_and_records_the_answer(client, db, make,
                                                                            areas):
    otaru_space = make.space("otaru-plan", area=areas["otaru"])
    taro = make.user("taro@example.jp", home_area=areas["shinjuku"], residency=None)
    log_in(client, taro)
    client.get("/lang/en")

    response = _open_thread(client, otaru_space)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/auth/connection/otaru-plan?next=")
    # The contribution is saved already; the residency waits for the answer.
    assert _row(db, otaru_space, taro).residency is None
    page = client.get(location).get_data(as_text=True)
    assert "How are you connected to Otaru?" in page and "Your thread is open." in page
    assert page.count('name="kind"') == 12  # eleven kinds and the skip button

    answered = client.post(location, data={"kind": "grew_up"})
    assert answered.status_code == 302
    assert answered.headers["Location"].startswith("/spaces/otaru-plan/forum/threads/")
    row = _row(db, otaru_space, taro)
    assert (row.residency, row.residency_asked) == ("relationship", True)
    assert [(t.area.code, t.kind) for t in ties.ties_of(db.session, taro)] == [("01203", "grew_up")]
    # Asked once: the next contribution goes straight on, and the question page steps aside.
    again = _open_thread(client, otaru_space)
    assert again.headers["Location"].startswith("/spaces/otaru-plan/forum/threads/")
    assert client.get(location).status_code == 302


def test_skipping_keeps_the_contribution_and_is_remembered(client, db, make, areas):
    otaru_space = make.space("otaru-plan", area=areas["otaru"])
    taro = make.user("taro@example.jp", home_area=areas["shinjuku"], residency=None)
    log_in(client, taro)
    location = _open_thread(client, otaru_space).headers["Location"]
    skipped = client.post(location, data={"kind": "skip"})
    assert skipped.status_code == 302
    row = _row(db, otaru_space, taro)
    assert (row.residency, row.residency_asked, row.forum) == (None, True, True)
    assert _count(db, ResidencyTie) == 0
    assert client.get(location).status_code == 302  # not asked again
    # A made-up answer is refused, with nothing written.
    other = make.user("jiro@example.jp", home_area=areas["shinjuku"], residency=None)
    log_in(client, other)
    location = _open_thread(client, otaru_space).headers["Location"]
    assert client.post(location, data={"kind": "tourist"}).status_code == 422
    assert _row(db, otaru_space, other).residency_asked is False


def test_no_question_when_the_home_or_a_tie_says(client, db, make, hanako, areas):
    sapporo_space = make.space("sapporo-plan", area=areas["sapporo"])
    otaru_space = make.space("otaru-plan", area=areas["otaru"])
    ties.add_tie(db.session, hanako, areas["otaru"], "works_or_studies")
    db.session.commit()
    log_in(client, hanako)
    for space in (sapporo_space, otaru_space):
        response = _open_thread(client, space)
        assert "/auth/connection/" not in response.headers["Location"]
    # Only people who took part reach a space's question.
    assert client.get("/auth/connection/otaru-plan").status_code == 302
    stranger = make.user("stranger@example.jp", home_area=areas["shinjuku"])
    log_in(client, stranger)
    assert client.get("/auth/connection/otaru-plan").status_code == 403


def test_an_answer_after_the_batch_closed_is_kept_as_a_tie_only(db, make, areas):
    """Once a batch that holds the person is counted, the snapshot never changes: two views of
    the dashboard would otherwise tell their answer."""
    otaru_space = make.space("otaru-plan", area=areas["otaru"])
    taro = make.user("taro@example.jp", home_area=areas["shinjuku"], residency=None)
    ledger.record_participation(db.session, otaru_space.id, taro, "forum")
    updated = ledger.answer_connection(db.session, taro, otaru_space, "visits", k=1)
    assert updated is False
    row = _row(db, otaru_space, taro)
    assert (row.residency, row.residency_asked) == (None, True)
    assert ties.tie_to(db.session, taro, areas["otaru"].id).kind == "visits"


# --- THE test of done -------------------------------------------------------------------------

def test_the_same_person_is_a_resident_in_one_space_and_relationship_population_in_another(
        client, db, make, hanako, areas):
    sapporo_space = make.space("sapporo-plan", area=areas["sapporo"])
    otaru_space = make.space("otaru-plan", area=areas["otaru"])
    hokkaido_space = make.space("hokkaido-plan", area=areas["hokkaido"])
    tokyo_space = make.space("tokyo-plan", area=areas["tokyo"])
    log_in(client, hanako)
    client.post("/auth/profile/ties", data={"area": "01203", "kind": "family"})
    for space in (sapporo_space, otaru_space, hokkaido_space, tokyo_space):
        _open_thread(client, space)
    counted = dict(db.session.execute(
        select(Participation.space_id, Participation.residency)
        .where(Participation.user_id == hanako.id)).all())
    assert counted == {sapporo_space.id: "resident",        # her home
                       otaru_space.id: "relationship",      # her family lives there
                       hokkaido_space.id: "resident",       # Sapporo lies in Hokkaido
                       tokyo_space.id: None}                # nothing says: she is asked
