"""A space limited to its area's residents and furusato registrants (#13): every module's
write is refused for someone who is neither and allowed for a registrant; the ledger, which
every contribution passes, refuses on its own; the space page says why, with where to
register; the setting is a space setting with a DB constraint."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.exc import IntegrityError

from app.common.errors import DomainError
from app.forum import services as forum
from app.furusato import services as furusato
from app.panels import services as panels
from app.proposals import services as proposals
from app.proposals import supports
from app.representation.ledger import record_participation
from app.spaces import eligibility
from app.surveys import builder
from app.surveys import services as surveys
from app.surveys.answering import Given
from tests.panels.web_world import census
from tests.people import client_as


@dataclass
class Limited:
    space: object
    facilitator: object
    outsider: object
    registrant: object
    resident: object
    hokkaido: object
    sapporo: object


@pytest.fixture
def limited(make, db):
    hokkaido = make.area("01000", "北海道", "Hokkaido", kind="prefecture")
    sapporo = make.area("01100", "札幌市", "Sapporo", parent=hokkaido)
    tokyo = make.area("13000", "東京都", "Tokyo", kind="prefecture")
    shinjuku = make.area("13104", "新宿区", "Shinjuku", parent=tokyo)
    programme = furusato.save_programme(db.session, sapporo, description_ja="札幌",
                                        description_en="", categories="観光", is_open=True)
    space = make.space("limited", area=sapporo, participation="area_people")
    facilitator = make.user(roles=(f"facilitator:{space.id}",), home_area=shinjuku)
    outsider = make.user(home_area=shinjuku, birth_year=1990, gender="female")
    registrant = make.user(home_area=shinjuku, birth_year=1990, gender="female")
    furusato.register(db.session, registrant, programme, tier="basic", tie_kind="visits",
                      contact_consent=False)
    resident = make.user(home_area=sapporo)
    db.session.commit()
    return Limited(space, facilitator, outsider, registrant, resident, hokkaido, sapporo)


def _thread(db, world):
    thread = forum.create_thread(db.session, world.space, world.facilitator, "交通", "ご意見を")
    db.session.commit()
    return thread


def _proposal(db, world, author):
    category = proposals.list_categories(db.session, world.space)[0]
    return proposals.create_draft(db.session, world.space, author, title="子ども食堂",
                                  body="増やしてほしい", category_id=category.id)


def _published(db, world):
    proposal = _proposal(db, world, world.facilitator)
    proposals.publish(db.session, proposal, world.facilitator)
    db.session.commit()
    return proposal


def _survey(db, world):
    survey = builder.create_survey(db.session, world.space, world.facilitator, title="調査",
                                   description_md="")
    question = builder.add_question(db.session, survey.sections[0], kind="single",
                                    text="交通手段は？", required=True, options=["バス", "鉄道"])
    surveys.open_now(db.session, survey)
    db.session.commit()
    return survey, question


def _answer(db, world, user):
    survey, question = _survey(db, world)
    surveys.save_section(db.session, survey, user, survey.sections[0],
                         {question.id: Given(options=[question.options[0].id])},
                         resume_section_id=None)
    return surveys.submit(db.session, survey, user)


def _volunteer(db, world, user):
    census(db.session)
    call = panels.create_call(db.session, world.space, title="市民パネル", description_md="選びます",
                              size=10)
    panels.open_call(db.session, call)
    db.session.commit()
    return panels.volunteer(db.session, call, user, consent_contact=True)


WRITES = {
    "forum thread": lambda db, w, u: forum.create_thread(db.session, w.space, u, "題", "本文"),
    "forum reply": lambda db, w, u: forum.reply(db.session, _thread(db, w), u, "賛成です"),
    "forum reaction": lambda db, w, u: forum.toggle_reaction(
        db.session, _thread(db, w).posts[0], u, "agree"),
    "proposal draft": lambda db, w, u: _proposal(db, w, u),
    "proposal support": lambda db, w, u: supports.support(db.session, _published(db, w), u),
    "survey response": _answer,
    "panel volunteer": _volunteer,
}


@pytest.mark.parametrize("module", list(WRITES))
def test_each_module_refuses_an_outsider_and_takes_a_registrant(db, limited, module):
    with pytest.raises(DomainError) as refused:
        WRITES[module](db, limited, limited.outsider)
    assert refused.value.msgid == eligibility.REFUSAL
    db.session.rollback()
    assert WRITES[module](db, limited, limited.registrant) is not None
    db.session.commit()


def test_the_ledger_refuses_by_itself_and_residents_and_staff_take_part(db, limited):
    with pytest.raises(DomainError):
        record_participation(db.session, limited.space.id, limited.outsider, "forum")
    db.session.rollback()
    for person in (limited.registrant, limited.resident, limited.facilitator):
        record_participation(db.session, limited.space.id, person, "forum")
    db.session.commit()


def test_a_registration_that_was_left_no_longer_counts(db, limited):
    row = furusato.registration_of(db.session, limited.registrant.id, limited.sapporo.id)
    furusato.leave(db.session, row)
    db.session.commit()
    assert not eligibility.may_take_part(db.session, limited.registrant, limited.space)


def test_a_prefecture_space_takes_the_registrants_of_its_municipalities(db, make, limited):
    space = make.space("limited-pref", area=limited.hokkaido, participation="area_people")
    assert eligibility.may_take_part(db.session, limited.registrant, space)  # the derived row
    assert eligibility.may_take_part(db.session, limited.resident, space)
    assert not eligibility.may_take_part(db.session, limited.outsider, space)
    open_space = make.space("open-pref", area=limited.hokkaido)
    assert eligibility.may_take_part(db.session, limited.outsider, open_space)


def test_the_database_refuses_an_unknown_setting(db, limited):
    limited.space.participation = "friends"
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_page_says_why_and_where_to_register(app, db, limited):
    for locale, words in (("en", "Only residents of Sapporo"), (None, "札幌市の住民と")):
        page = client_as(app, limited.outsider, locale=locale).get("/spaces/limited/")
        html = page.get_data(as_text=True)
        assert 'id="participation-limit"' in html and words in html
        assert "/furusato/01100/register" in html
    html = client_as(app, limited.registrant).get("/spaces/limited/").get_data(as_text=True)
    assert 'id="participation-limit"' not in html
    forum_page = client_as(app, limited.outsider).get("/spaces/limited/forum/")
    assert "Only residents of this area" in forum_page.get_data(as_text=True)


def test_the_setting_is_saved_from_the_settings_form(app, db, make, limited):
    space = make.space("to-limit", area=limited.sapporo)
    facilitator = make.user(roles=(f"facilitator:{space.id}",))
    client = client_as(app, facilitator)
    form = client.get(f"/spaces/{space.slug}/edit").get_data(as_text=True)
    assert 'name="participation"' in form
    data = {"title": space.title, "slug": space.slug, "area": "01100", "description_md": "説明",
            "min_age": "18", "youth_min": "18", "youth_max": "39", "forum_enabled": "y",
            "proposals_enabled": "y", "surveys_enabled": "y", "visibility": "public",
            "reference_choice": "auto", "participation": "area_people"}
    response = client.post(f"/spaces/{space.slug}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert space.participation == "area_people"


def test_one_rule_for_who_may_take_part_and_who_the_tracker_counts_as_registered(make, db):
    """A registrant of Otaru holds Hokkaido's derived row too: it does not open a Sapporo space
    (it did), while a Sapporo registrant may take part in its Chuo ward's space and is counted
    there as registered (the tracker said "not registered")."""
    from app.areas.services import area_cover
    from app.furusato.standing import tier_for_area
    from app.common.time import utcnow
    from tests.furusato.helpers import build_map

    places = build_map(make, db)
    otaru_person = make.user(home_area=places.shinjuku)
    sapporo_person = make.user(home_area=places.shinjuku)
    furusato.register(db.session, otaru_person, places.otaru_programme, tier="basic",
                      tie_kind="visits", contact_consent=False)
    furusato.register(db.session, sapporo_person, places.sapporo_programme, tier="basic",
                      tie_kind="visits", contact_consent=False)
    city = make.space("sapporo-only", area=places.sapporo, participation="area_people")
    ward = make.space("chuo-only", area=places.chuo, participation="area_people")
    db.session.commit()

    def tier(person, space):
        return tier_for_area(db.session, person.id, space.area_id,
                             area_cover(db.session, space.area_id), utcnow())

    assert not eligibility.may_take_part(db.session, otaru_person, city)
    assert tier(otaru_person, city) == "none"
    assert eligibility.may_take_part(db.session, sapporo_person, ward)
    assert tier(sapporo_person, ward) == "basic"
    assert eligibility.may_take_part(db.session, sapporo_person, city)
    assert tier(sapporo_person, city) == "basic"
