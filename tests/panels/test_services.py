"""Panel calls end to end through the services: quotas, volunteering, selection, pick, reserve,
decline and replace, and the explanation of quotas no pool can meet."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.common.errors import DomainError
from app.panels import lottery, selection, services
from app.panels.models import PanelMember, PanelVolunteer
from app.representation.bodies import counts_of, get_body
from app.representation.models import Participation
from tests.panels.web_world import census, pool


@pytest.fixture
def space(make, db):
    area = make.area()
    census(db.session)
    return make.space(area=area)


def _call(db, space, **kw):
    fields = {"title": "市民パネル", "description_md": "10人を選びます。", "size": 10, **kw}
    call = services.create_call(db.session, space, **fields)
    db.session.commit()
    return call


def test_quotas_are_proposed_from_population_shares_with_slack(db, space):
    call = _call(db, space)
    bounds = {(q.feature, q.value): (q.min_count, q.max_count) for q in call.quotas}
    # Women are 10,000 of 20,000 aged 18+ (5 of 10, +-1); 18-29: 2,400 / 20,000 of 10 -> 1.
    assert bounds[("gender", "female")] == (4, 6)
    assert bounds[("gender", "male")] == (4, 6)
    assert bounds[("gender", "other")] == (0, 10)  # no population figure: left free
    assert bounds[("age_band", "18-29")] == (0, 2)
    assert bounds[("age_band", "60-69")] == (1, 3)  # 3,000 / 20,000 x 10 = 1.5 -> 2


def test_quota_validation_names_the_field(db, space):
    call = _call(db, space)
    bounds = {(q.feature, q.value): (q.min_count, q.max_count) for q in call.quotas}
    with pytest.raises(DomainError) as error:
        services.save_quotas(db.session, call, {**bounds, ("gender", "male"): (7, 3)})
    assert error.value.field == "gender__male__min"
    with pytest.raises(DomainError) as error:
        services.save_quotas(db.session, call, {**bounds, ("gender", "female"): (8, 9),
                                                ("gender", "male"): (4, 6)})
    assert error.value.field == "gender__female__min" and "more than" in error.value.msgid
    with pytest.raises(DomainError) as error:
        services.save_quotas(db.session, call, {**bounds, ("age_band", "80+"): (None, 2)})
    assert error.value.field == "age_band__80+__min"


def test_volunteering_is_unique_per_person_by_a_constraint_and_enters_the_ledger(db, make, space):
    call = _call(db, space)
    services.open_call(db.session, call)
    person = make.user(birth_year=1990, gender="female")
    row = services.volunteer(db.session, call, person, consent_contact=True)
    db.session.commit()
    assert NUMBER_RANGE[0] <= row.number <= NUMBER_RANGE[1]
    assert row.features == {"age_band": "30-39", "gender": "female", "residency": "resident"}
    ledger = db.session.scalar(select(Participation).where(Participation.user_id == person.id))
    assert ledger.panel and ledger.panel_at is not None and ledger.space_id == space.id
    with pytest.raises(DomainError, match="already volunteered"):
        services.volunteer(db.session, call, person, consent_contact=True)
    db.session.rollback()
    db.session.add(PanelVolunteer(call_id=call.id, user_id=person.id, number=123,
                                  features={}, consent_contact=True))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


NUMBER_RANGE = (services.NUMBER_LOW, services.NUMBER_HIGH)


def test_volunteering_needs_consent_and_missing_answers(db, make, space):
    call = _call(db, space)
    services.open_call(db.session, call)
    person = make.user()  # no demographic answers
    assert services.missing_features(call, person) == ["age_band", "gender"]
    with pytest.raises(DomainError) as error:
        services.volunteer(db.session, call, person, consent_contact=False)
    assert error.value.field == "consent_contact"
    with pytest.raises(DomainError) as error:
        services.volunteer(db.session, call, person, consent_contact=True,
                           answers={"gender": "female"})
    assert error.value.field == "birth_year"
    with pytest.raises(DomainError) as error:
        services.volunteer(db.session, call, person, consent_contact=True,
                           answers={"birth_year": 2020, "gender": "female"})
    assert error.value.field == "birth_year"  # under the space's minimum age
    row = services.volunteer(db.session, call, person, consent_contact=True,
                             answers={"birth_year": 2000, "gender": "other"})
    assert row.features["gender"] == "other"
    assert person.demographics is None  # the answers stay with the call


def test_withdraw_only_while_open_and_the_batches_do_not_move(db, make, space):
    call = _call(db, space)
    services.open_call(db.session, call)
    people = pool(make, call, 15)
    person = people[0]
    before = services.pool_counts(db.session, call, batch=5, min_cell=5)
    first = services.find_volunteer(db.session, call, person)
    services.withdraw(db.session, call, person)
    assert services.find_volunteer(db.session, call, person) is None
    assert services.pool_size(db.session, call) == 14
    assert services.pool_counts(db.session, call, batch=5, min_cell=5) == before
    again = services.volunteer(db.session, call, person, consent_contact=True)
    assert (again.id, again.number) == (first.id, first.number)  # the same place
    assert services.pool_size(db.session, call) == 15
    services.withdraw(db.session, call, people[1])
    services.close_call(db.session, call)
    assert selection.claim_run(db.session, call.id, "leximin")
    db.session.refresh(call)
    draw = selection.compute_draw(db.session, call, seed=1)
    gone = services.find_volunteer(db.session, call, people[1], withdrawn=True)
    assert draw.pool_size == 14 and not any(gone.number in panel for panel in draw.panels)
    with pytest.raises(DomainError):
        services.withdraw(db.session, call, person)


def _drawn(db, make, space, n=40, public_number="20261207"):
    call = _call(db, space, lottery_size=100)
    services.open_call(db.session, call)
    pool(make, call, n)
    services.close_call(db.session, call)
    selection.check_can_run(db.session, call, "leximin")
    assert selection.claim_run(db.session, call.id, "leximin")
    db.session.refresh(call)
    draw = selection.compute_draw(db.session, call, seed=7)
    selection.pick(db.session, call, public_number)
    db.session.commit()
    return call, draw


def test_selection_lottery_and_pick_are_reproducible(db, make, space):
    call, draw = _drawn(db, make, space)
    assert call.status == "drawn" and call.selection_state == "done"
    assert len(draw.panels) == 100 and all(len(p) == 10 for p in draw.panels)
    assert draw.dual_bound == pytest.approx(draw.min_probability, abs=1e-6)
    assert draw.picked == lottery.pick_number("20261207", 100)
    assert draw.public_number == "20261207"
    seated = selection.members(db.session, call, "selected")
    assert sorted(m.volunteer.number for m in seated) == sorted(draw.panels[draw.picked - 1])
    reserve = selection.members(db.session, call, "reserve")
    assert len(reserve) == 30
    keys = [selection.reserve_key("20261207", m.volunteer.number) for m in reserve]
    assert keys == sorted(keys)
    volunteers = db.session.scalars(select(PanelVolunteer)).all()
    # Everyone's lottery probability is what the published list says.
    for v in volunteers:
        held = sum(v.number in panel for panel in draw.panels)
        assert v.lottery_probability == pytest.approx(held / 100)
        assert abs(v.lottery_probability - v.selection_probability) <= draw.max_loss + 1e-9
    assert sum(v.selection_probability for v in volunteers) == pytest.approx(10)
    # Every published panel meets every quota.
    by_number = {v.number: v.features for v in volunteers}
    for panel in draw.panels:
        for q in call.quotas:
            n = sum(by_number[x][q.feature] == q.value for x in panel)
            assert q.min_count <= n <= q.max_count


def test_the_panel_is_a_body_and_a_decliner_is_replaced_in_kind(db, make, space):
    call, draw = _drawn(db, make, space)
    body = get_body(db.session, space, call.body_id)
    assert body.name == "市民パネル"
    counts = counts_of(body, {"gender": ["female", "male"]})
    assert counts["gender"]["female"] + counts["gender"]["male"] == 10
    seated = selection.members(db.session, call, "selected")
    waiting = [m.volunteer.features for m in selection.members(db.session, call, "reserve")]
    leaving = next(m for m in seated if m.volunteer.features in waiting)
    replacement = selection.decline(db.session, call, leaving.id)
    db.session.commit()
    assert leaving.status == "replaced" and replacement.status == "selected"
    assert replacement.replaces_id == leaving.id
    assert replacement.volunteer.features == leaving.volunteer.features
    body = get_body(db.session, space, call.body_id)
    assert sum(counts_of(body, {"gender": ["female", "male"]})["gender"].values()) == 10
    with pytest.raises(DomainError):
        selection.decline(db.session, call, leaving.id)


def test_a_seat_nobody_can_fill_stays_empty_and_the_body_shrinks(db, make, space):
    call, _draw = _drawn(db, make, space, n=10)  # everyone is on the panel: no reserve
    first = selection.members(db.session, call, "selected")[0]
    assert selection.decline(db.session, call, first.id) is None
    assert first.status == "declined"
    body = get_body(db.session, space, call.body_id)
    assert sum(counts_of(body, {"gender": ["female", "male"]})["gender"].values()) == 9
    assert db.session.scalar(select(PanelMember).where(PanelMember.status == "reserve")) is None


def test_quotas_no_pool_can_meet_are_explained(db, make, space):
    call = _call(db, space)
    services.open_call(db.session, call)
    pool(make, call, 12)
    bounds = {(q.feature, q.value): (q.min_count, q.max_count) for q in call.quotas}
    services.save_quotas(db.session, call, {**bounds, ("gender", "female"): (7, 7),
                                            ("gender", "male"): (3, 3)})
    services.close_call(db.session, call)
    assert selection.claim_run(db.session, call.id, "leximin")
    assert not selection.claim_run(db.session, call.id, "leximin")  # one run at a time
    db.session.refresh(call)
    assert selection.compute_draw(db.session, call) is None
    assert call.selection_state == "failed"
    text = "\n".join(explain_render(line) for line in selection.problem_lines(call))
    assert "no panel of 10 meets every quota." in text
    assert "Nearest quotas that can be met" in text
    # A failed run may be retried once the quotas change.
    assert selection.claim_run(db.session, call.id, "maximin")


def explain_render(line):
    from app.panels import explain

    return explain.render(line)


def test_the_pick_refuses_a_bad_number_and_a_second_pick(db, make, space):
    call = _call(db, space, lottery_size=50)
    services.open_call(db.session, call)
    pool(make, call, 20)
    services.close_call(db.session, call)
    selection.claim_run(db.session, call.id, "maximin")
    db.session.refresh(call)
    selection.compute_draw(db.session, call, seed=1)
    with pytest.raises(DomainError) as error:
        selection.pick(db.session, call, "12a")
    assert error.value.field == "public_number"
    selection.pick(db.session, call, "0042")
    assert call.draw.public_number == "42"
    with pytest.raises(DomainError, match="already"):
        selection.pick(db.session, call, "43")
    with pytest.raises(DomainError):
        selection.check_can_run(db.session, call, "leximin")


def test_the_volunteer_finds_their_panels_in_their_data_export(db, make, space):
    from app.accounts.export import export_user_data

    call, draw = _drawn(db, make, space, n=12)
    person = db.session.scalars(select(PanelVolunteer)).first().user
    [row] = export_user_data(db.session, person)["panel_volunteering"]
    assert row["call"] == "市民パネル" and row["outcome"] in ("selected", "reserve")
    assert row["lottery_probability"] is not None and "gender" in row["categories"]


def test_sub_areas_follow_the_wards_population_and_the_home_area(db, make):
    from app.representation import population
    from app.representation.population_files import PopulationRecord
    from tests.panels.web_world import BANDS

    city = make.area("01100", "札幌市", "Sapporo")
    chuo = make.area("01101", "中央区", "Chuo", kind="ward", parent=city)
    kita = make.area("01102", "北区", "Kita", kind="ward", parent=city)
    otaru = make.area("01203", "小樽市", "Otaru")
    records = [PopulationRecord(code, sex, low, high, count * share // 4)
               for code, share in (("01100", 4), ("01101", 1), ("01102", 3))
               for sex in ("male", "female") for low, high, count in BANDS]
    population.import_population(db.session, key="wards", kind="census", title="c",
                                 reference_date=__import__("datetime").date(2020, 10, 1),
                                 records=records)
    space = make.space(area=city)
    call = services.create_call(db.session, space, title="区のパネル", description_md="d", size=8,
                                features=["sub_area"], slack=1)
    bounds = {q.value: (q.min_count, q.max_count) for q in call.quotas}
    assert bounds == {"01101": (1, 3), "01102": (5, 7), "outside": (0, 8)}
    services.open_call(db.session, call)
    in_ward = make.user(home_area=chuo)
    elsewhere = make.user(home_area=otaru)
    city_only = make.user(home_area=city)
    assert services.volunteer(db.session, call, in_ward, consent_contact=True).features["sub_area"] == "01101"
    assert services.volunteer(db.session, call, elsewhere, consent_contact=True).features["sub_area"] == "outside"
    assert services.missing_features(call, city_only) == ["sub_area"]
    with pytest.raises(DomainError) as error:
        services.volunteer(db.session, call, city_only, consent_contact=True,
                           answers={"sub_area": "01203"})
    assert error.value.field == "sub_area"
    row = services.volunteer(db.session, call, city_only, consent_contact=True,
                             answers={"sub_area": kita.code})
    assert row.features["sub_area"] == "01102"


def test_deleting_the_account_unlinks_the_volunteer_but_keeps_the_draw(db, make, space):
    from app.accounts.services import delete_account

    call, draw = _drawn(db, make, space, n=12)
    row = db.session.scalars(select(PanelVolunteer)).first()
    number, person = row.number, row.user
    delete_account(db.session, person)
    db.session.commit()
    db.session.expire_all()
    kept = db.session.scalar(select(PanelVolunteer).where(PanelVolunteer.number == number))
    assert kept.user_id is None and kept.features
    assert any(number in panel for panel in draw.panels)
