"""Demo data: idempotent, deterministic, skewed like a real consultation, accounts that work."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import case, func, select
from werkzeug.security import generate_password_hash

from app.accounts.models import Demographics, ResidencyTie, RoleAssignment, User
from app.areas.models import Area
from app.demo import content, services, towns
from app.demo.plan import plan_participants
from app.forum.models import Post, Reaction, Thread
from app.proposals.models import Proposal, ProposalStatusChange, ProposalSupport
from app.representation.models import Participation
from app.spaces.models import Phase, Space
from app.surveys import results
from app.surveys.models import Survey, SurveyAnswer, SurveyResponse
from tests.conftest import login

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 3, 0)  # noon in Japan on TODAY, naive UTC


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    """The modules refuse input outside an open phase by the real date, and the demo survey
    closes with the input phase: pin every clock the demo content meets to TODAY, so these
    tests read the same whatever day they run."""
    monkeypatch.setattr("app.spaces.models.today_jst", lambda: TODAY)
    monkeypatch.setattr("app.surveys.models.utcnow", lambda: NOW)
    monkeypatch.setattr(content, "utcnow", lambda: NOW)


@pytest.fixture
def without_population(monkeypatch):
    """Most tests do not need the ~100,000 census rows (one test loads them for real), nor
    deliberately slow password hashes: a one-round PBKDF2 hash still verifies at login."""
    monkeypatch.setattr(services, "POPULATION_LOADERS", ())
    monkeypatch.setattr(services, "generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1"))


@pytest.fixture
def without_content(monkeypatch):
    """Tests of the accounts, space and ledger skip the forum, proposals and survey content
    (a few seconds each); test_load_demo_returns_what_it_created covers it."""
    monkeypatch.setattr(content, "create_demo_content", lambda *args, **kwargs: {})


def _table_counts(session) -> dict[str, int]:
    models = {"users": User, "demographics": Demographics, "roles": RoleAssignment,
              "areas": Area, "spaces": Space, "phases": Phase, "participations": Participation,
              "threads": Thread, "posts": Post, "reactions": Reaction, "proposals": Proposal,
              "supports": ProposalSupport, "status_changes": ProposalStatusChange,
              "surveys": Survey, "responses": SurveyResponse, "answers": SurveyAnswer}
    return {name: session.scalar(select(func.count()).select_from(model))
            for name, model in models.items()}


def test_cli_load_twice_changes_nothing(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load", "--today", "2026-11-28"])
    assert first.exit_code == 0, first.output
    assert "demo participants created: 300" in first.output
    assert "admin@example.jp / hiroba-admin-2026" in first.output
    db.session.expire_all()
    after_first = _table_counts(db.session)
    plans = plan_participants(date(2026, 11, 28))
    town_rows = sum(len(towns._chosen(plans, young, others, offset))
                    for offset, (_s, _t, _c, young, others) in enumerate(towns.TOWN_SPACES))
    assert after_first["participations"] == 300 + town_rows
    _hokkaido_compares_its_municipalities(db.session)
    assert after_first["users"] == 303
    assert after_first["areas"] > 1000  # the shipped list of local governments
    assert "forum threads opened: 5" in first.output
    assert "survey responses submitted: 120" in first.output
    assert after_first["threads"] == 5 + 8  # forum threads and the proposals' comment threads
    assert after_first["responses"] == 120
    _weighted_results_differ(db.session)

    second = runner.invoke(args=["demo", "load", "--today", "2026-11-28"])
    assert second.exit_code == 0, second.output
    assert "nothing changed" in second.output
    db.session.expire_all()
    assert _table_counts(db.session) == after_first


def _hokkaido_compares_its_municipalities(session):
    """The prefecture page has Sapporo and Otaru with figures (shares shown, not hidden) and
    Hakodate's four people as too few."""
    from app.representation.prefecture import FIGURES, TOO_FEW, area_overview

    hokkaido = session.scalar(select(Area).where(Area.code == "01000"))
    rows = {r.code: r for r in area_overview(session, hokkaido, today=TODAY).rows}
    with_figures = [code for code, r in rows.items() if r.status == FIGURES]
    assert with_figures == ["01100", "01203"]
    for code in with_figures:
        assert rows[code].youth.share is not None and rows[code].women.share is not None, code
    assert rows["01202"].status == TOO_FEW
    assert rows["01203"].participants >= 40


def test_load_demo_returns_what_it_created(client, db, without_population):
    notes: list[str] = []
    first = services.load_demo(db.session, today=TODAY, note=notes.append)
    db.session.commit()
    assert first["participants"] == 300 and first["participations"] == 300 and first["targets"] == 1
    assert first["participants"] == 300 and first["participations"] == 300
    assert {key: first[key] for key in content.COUNT_KEYS} == {
        "forum_threads": 5, "forum_replies": 22, "forum_reactions": 43, "proposals": 8,
        "proposal_supports": 231, "proposal_comments": 5, "proposal_official_steps": 4,
        "surveys": 1, "survey_responses": 120}
    assert any("population" in n for n in notes)
    assert not any("content" in n for n in notes)
    _check_forum(db.session)
    _check_proposals(db.session)
    _check_survey(db.session, client)
    _check_ledger_as_planned(db.session)
    second = services.load_demo(db.session, today=TODAY)
    db.session.commit()
    assert set(second.values()) == {0}


def test_skew_is_really_present(db, without_population, without_content):
    services.load_demo(db.session, today=TODAY)
    db.session.commit()
    space_id = db.session.scalar(select(Space.id).where(Space.slug == "sapporo-plan-review"))
    p = Participation
    row = db.session.execute(
        select(
            func.count(),
            func.count(p.gender),  # those who answered about gender
            func.sum(case((p.gender == "female", 1), else_=0)),
            func.count(p.age),
            func.sum(case((p.age.between(18, 39), 1), else_=0)),
            func.sum(case(((p.gender == "female") & p.age.between(18, 39), 1), else_=0)),
            func.sum(case(((p.gender == "male") & (p.age >= 60), 1), else_=0)),
            func.sum(case((p.residency == "resident", 1), else_=0)),
            func.sum(case((p.residency == "relationship", 1), else_=0)),
            func.min(p.age),
        ).where(p.space_id == space_id)
    ).one()
    total, gendered, women, aged, youth, young_women, older_men, residents, relationship, youngest = row
    assert total == 300
    assert women / gendered < 0.4
    assert youth / aged < 0.2
    assert young_women / gendered < 0.07
    assert older_men / gendered > 0.25
    assert 0.7 < residents / total < 0.85 and 0.08 <= relationship / total <= 0.12
    assert youngest >= 18
    # Everyone who lives elsewhere is counted through a tie to Sapporo, none asked the question.
    tie_kinds = dict(db.session.execute(select(ResidencyTie.kind, func.count())
                                        .group_by(ResidencyTie.kind)).all())
    assert sum(tie_kinds.values()) == total - residents and len(tie_kinds) >= 8
    assert db.session.scalar(select(func.count()).select_from(p).where(
        p.space_id == space_id, p.residency.is_(None))) == 0
    assert gendered == 270  # ~10% gave no demographics
    genders = set(db.session.scalars(select(p.gender).distinct()))
    assert {"other", "no_answer"} <= genders
    sectors = dict(db.session.execute(
        select(p.sector, func.count()).group_by(p.sector)).all())
    assert max(sectors, key=sectors.get) == "none" and len(sectors) >= 8
    # Modules: most used the forum, many the surveys, some proposals.
    forum, surveys, proposals, supporters = db.session.execute(select(
        func.sum(case((p.forum, 1), else_=0)), func.sum(case((p.surveys, 1), else_=0)),
        func.sum(case((p.proposals, 1), else_=0)),
        func.sum(case((p.proposal_supporters, 1), else_=0)))).one()
    assert forum > surveys > supporters > proposals > 20
    # The time series has shape: the launch week outweighs a quiet mid-September week.
    first_at = list(db.session.scalars(select(p.first_at)))
    assert min(first_at).date() >= date(2026, 6, 30) and max(first_at).date() < TODAY
    launch = sum(1 for t in first_at if t.date() < date(2026, 7, 8))
    quiet = sum(1 for t in first_at if date(2026, 9, 21) <= t.date() < date(2026, 9, 28))
    assert launch > 3 * quiet
    # Residents live in Sapporo's wards or the city; nobody in the ledger lacks a snapshot.
    home_codes = set(db.session.scalars(
        select(Area.code).join(p, p.home_area_id == Area.id).where(
            p.space_id == space_id, p.residency == "resident")))
    assert home_codes and all(c.startswith("011") for c in home_codes)


def test_space_and_phases(db, without_population, without_content):
    services.load_demo(db.session, today=TODAY)
    db.session.commit()
    space = db.session.scalar(select(Space).where(Space.slug == "sapporo-plan-review"))
    assert space.title == "第3期さっぽろ未来創生プラン見直し"
    assert space.area.code == "01100" and space.area.parent.code == "01000"
    assert (space.min_age, space.youth_min, space.youth_max) == (18, 18, 39)
    assert space.visibility == "public" and space.transparency_public
    assert space.enabled_modules == ["forum", "proposals", "surveys"]
    assert [ph.name for ph in space.phases] == ["論点整理", "意見募集", "取りまとめ"]
    assert space.accepts_input(TODAY)
    assert not space.accepts_input(date(2026, 5, 1)) and not space.accepts_input(date(2027, 3, 1))
    assert "地方創生2.0" in space.description_md and "デモ" in space.description_md


def test_demo_accounts_can_log_in(client, db, without_population, without_content):
    services.load_demo(db.session, today=TODAY)
    db.session.commit()
    login(client, "admin@example.jp", "hiroba-admin-2026")
    assert client.get("/admin/").status_code == 200
    client.post("/auth/logout")
    login(client, "facilitator@example.jp", "hiroba-facilitator-2026")
    assert client.get("/admin/").status_code == 403
    client.post("/auth/logout")
    login(client, "participant@example.jp", "hiroba-participant-2026")
    client.post("/auth/logout")
    login(client, "demo-042@example.jp", "hiroba-demo-2026")
    client.post("/auth/logout")
    facilitator = db.session.scalar(select(User).where(User.email == "facilitator@example.jp"))
    space = db.session.scalar(select(Space).where(Space.slug == "sapporo-plan-review"))
    assert facilitator.has_role("facilitator", space.id) and not facilitator.is_admin
    participant = db.session.scalar(select(User).where(User.email == "participant@example.jp"))
    assert participant.roles == [] and participant.demographics is not None
    # One hash for all 300 demo participants.
    hashes = db.session.scalar(select(func.count(User.password_hash.distinct()))
                               .where(User.email.like("demo-%")))
    assert hashes == 1


def test_without_any_loader_hokkaido_and_sapporo_are_created(db, monkeypatch, without_population,
                                                             without_content):
    monkeypatch.setattr(services, "_optional", lambda module, name: None)
    notes: list[str] = []
    counts = services.load_demo(db.session, today=TODAY, note=notes.append)
    db.session.commit()
    assert counts["areas"] == 2 and len(notes) == 2
    codes = dict(db.session.execute(select(Area.code, Area.kind)).all())
    assert codes == {"01000": "prefecture", "01100": "municipality"}
    # Homes whose areas are missing fall back to Sapporo (residents) or stay empty.
    homes = set(db.session.scalars(select(Participation.home_area_id).distinct()))
    sapporo_id = db.session.scalar(select(Area.id).where(Area.code == "01100"))
    assert homes == {sapporo_id, None}


def test_plan_is_deterministic_and_stays_in_the_window():
    first, again = plan_participants(TODAY), plan_participants(TODAY)
    assert first == again and len(first) == 300
    assert len({p.email for p in first}) == 300
    # Before the input phase has run two weeks, the demo pretends twenty weeks passed.
    early = plan_participants(date(2026, 3, 1))
    assert [p.email for p in early] == [p.email for p in first]
    assert [p.gender for p in early] == [p.gender for p in first]
    assert max(p.first_at for p in early).date() <= date(2026, 11, 18)


def _weighted_results_differ(session) -> None:
    """With the census loaded, weighting the survey to Sapporo's age and gender mix moves its
    results visibly: the demo's respondents are older and more male than the city."""
    space = session.scalar(select(Space).where(Space.slug == "sapporo-plan-review"))
    survey = session.scalar(select(Survey).where(Survey.space_id == space.id))
    weighting = results.compute_weighting(session, survey, space)
    assert weighting.available
    assert {m.dimension for m in weighting.margins} >= {"age_band", "gender"}
    by_kind = {r.question.kind: r for r in results.question_results(session, survey, space,
                                                                     weighting)}
    stay = by_kind["single"].options
    assert max(abs(o.weighted_share - o.share) for o in stay) > 0.04
    satisfaction = by_kind["likert"]
    assert satisfaction.weighted_mean < satisfaction.mean - 0.1
    assert by_kind["number"].weighted_mean < by_kind["number"].mean


def _space(session) -> Space:
    return session.scalar(select(Space).where(Space.slug == "sapporo-plan-review"))


def _check_forum(session) -> None:
    space = _space(session)
    threads = list(session.scalars(select(Thread).where(Thread.space_id == space.id,
                                                           Thread.module == "forum")))
    assert len(threads) == 5
    assert any("除雪" in t.title for t in threads) and any("関係人口" in t.title for t in threads)
    for thread in threads:
        replies = [p for p in thread.posts if not p.is_opening]
        assert 2 <= thread.reply_count == len(replies) <= 6
        assert all(p.created_at >= thread.created_at for p in replies)
        assert thread.last_activity_at == max(p.created_at for p in replies)
    # At least one reply answers another reply (not the thread), and sits under it.
    nested = session.scalars(select(Post).join(Thread, Post.thread_id == Thread.id).where(
        Thread.space_id == space.id, Thread.module == "forum", Post.reply_to_id.is_not(None)))
    assert any(not p.reply_to.is_opening and p.parent_id is not None for p in nested)
    # Different people opened the threads; reaction counters match the reaction rows.
    assert len({t.author_id for t in threads}) == 5
    for kind in ("agree", "disagree", "helpful"):
        stored = session.scalar(select(func.sum(getattr(Post, f"{kind}_count"))))
        rows = session.scalar(select(func.count()).select_from(Reaction)
                                 .where(Reaction.kind == kind))
        assert stored == rows
    assert session.scalar(select(func.count()).select_from(Reaction)) == 43
    # Authors are demo participants, and nothing is dated on or after the demo's today.
    authors = set(session.scalars(select(User.email).join(Post, Post.author_id == User.id)))
    assert authors and all(e.startswith("demo-") for e in authors)
    latest = session.scalar(select(func.max(Post.created_at)))
    assert latest < datetime(2026, 11, 27, 15, 0)


def _check_proposals(session) -> None:
    space = _space(session)
    proposals = list(session.scalars(select(Proposal).where(Proposal.space_id == space.id)))
    assert len(proposals) == 8
    assert len({p.category_id for p in proposals}) == 5  # every pillar has one
    statuses = sorted(p.status for p in proposals)
    assert statuses.count("under_review") == 1 and statuses.count("accepted") == 1
    assert statuses.count("merged") == 1 and statuses.count("published") == 5
    for proposal in proposals:
        assert proposal.support_count == session.scalar(
            select(func.count()).select_from(ProposalSupport)
            .where(ProposalSupport.proposal_id == proposal.id))
        assert proposal.author.email.startswith("demo-")
    counts = sorted(p.support_count for p in proposals)
    assert 20 <= counts[-1] <= 60 and counts[-3] > 20 and counts[0] == 0  # the merged one
    facilitator = session.scalar(select(User).where(User.email == "facilitator@example.jp"))
    accepted = next(p for p in proposals if p.status == "accepted")
    answer = accepted.status_changes[-1]
    assert answer.to_status == "accepted" and answer.actor_id == facilitator.id
    assert "冬の安全ルート" in answer.answer and accepted.answered_at == answer.created_at
    merged = next(p for p in proposals if p.status == "merged")
    target = session.get(Proposal, merged.merged_into_id)
    assert target.space_id == space.id and target.status == "published"
    assert merged.status_changes[-1].supports_carried >= 1
    # Comments on two proposals, one of them answering another comment.
    commented = [p for p in proposals if p.comment_thread_id and session.get(
        Thread, p.comment_thread_id).reply_count > 0]
    assert len(commented) == 2
    answers = session.scalar(select(func.count()).select_from(Post).where(
        Post.thread_id.in_([p.comment_thread_id for p in commented]), Post.parent_id.is_not(None)))
    assert answers >= 1
    # Supports come after publication and before the demo's today.
    first_support = session.execute(select(Proposal.published_at, func.min(
        ProposalSupport.created_at)).join(ProposalSupport).group_by(Proposal.id)).all()
    assert all(published <= supported for published, supported in first_support)


def _check_survey(session, client) -> None:
    space = _space(session)
    survey = session.scalar(select(Survey).where(Survey.space_id == space.id))
    assert survey.title == "プラン見直しに関する市民アンケート"
    assert survey.published and survey.status(NOW) == "open"
    assert [len(s.questions) for s in survey.sections] == [3, 3]
    assert {q.kind for q in survey.questions()} == {"single", "multiple", "likert", "ranking",
                                                    "number", "long_text"}
    submitted = SurveyResponse.submitted_at.is_not(None)
    assert session.scalar(select(func.count()).select_from(SurveyResponse)
                             .where(SurveyResponse.survey_id == survey.id, submitted)) == 120
    assert session.scalar(select(func.count()).select_from(SurveyResponse)
                             .where(SurveyResponse.participation_id.is_(None))) == 0
    participant = session.scalar(select(User).where(User.email == "participant@example.jp"))
    assert session.scalar(select(func.count()).select_from(SurveyResponse)
                             .where(SurveyResponse.user_id == participant.id)) == 0
    # Every required question is answered by all; answers differ between age groups.
    required = [q for q in survey.questions() if q.required]
    for question in required:
        assert session.scalar(select(func.count(SurveyAnswer.response_id.distinct()))
                                 .where(SurveyAnswer.question_id == question.id)) == 120
    likert = next(q for q in survey.questions() if q.kind == "likert")
    young = (Participation.age < 40).label("young")
    by_band = dict(session.execute(
        select(young, func.avg(SurveyAnswer.value_number))
        .join(SurveyResponse, SurveyResponse.participation_id == Participation.id)
        .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .where(SurveyAnswer.question_id == likert.id, Participation.age.is_not(None))
        .group_by(young)).all())
    assert by_band[True] < by_band[False] - 0.3
    # The demo participant can still answer it.
    login(client, "participant@example.jp", "hiroba-participant-2026")
    start = client.get(f"/spaces/sapporo-plan-review/surveys/{survey.id}/answer/")
    assert start.status_code == 302 and "/answer/" in start.headers["Location"]
    assert client.get(start.headers["Location"]).status_code == 200


def _check_ledger_as_planned(session) -> None:
    """Everyone writes only in modules their planned ledger row already has, so the content
    changes no participation figure."""
    plans = plan_participants(TODAY)
    p = Participation
    flags = session.execute(select(
        func.count(), func.sum(case((p.forum, 1), else_=0)),
        func.sum(case((p.surveys, 1), else_=0)),
        func.sum(case((p.proposal_supporters, 1), else_=0)),
        func.sum(case((p.proposals, 1), else_=0))).where(  # the Sapporo space's ledger
            p.space_id == select(Space.id).where(Space.slug == services.SPACE_SLUG)
            .scalar_subquery())).one()
    assert tuple(flags) == (300, *(sum(m in plan.modules for plan in plans) for m in (
        "forum", "surveys", "proposal_supporters", "proposals")))


def test_content_is_skipped_outside_the_input_phase(db, monkeypatch, without_population):
    notes: list[str] = []
    counts = services.load_demo(db.session, today=date(2027, 3, 1), note=notes.append)
    db.session.commit()
    assert counts["participants"] == 300
    assert all(counts[key] == 0 for key in content.COUNT_KEYS)
    assert any("input phase" in n and "2027-03-01" in n for n in notes)
    assert db.session.scalar(select(func.count()).select_from(Thread)) == 0
    # Today inside the phase, but the real date (which the services check) outside it.
    monkeypatch.setattr("app.spaces.models.today_jst", lambda: date(2027, 3, 1))
    notes.clear()
    counts = services.load_demo(db.session, today=TODAY, note=notes.append)
    assert all(counts[key] == 0 for key in content.COUNT_KEYS)
    assert any("real date" in n for n in notes)
    # Once the phase is open, a later run adds the content.
    monkeypatch.setattr("app.spaces.models.today_jst", lambda: TODAY)
    counts = services.load_demo(db.session, today=TODAY)
    assert counts["forum_threads"] == 5 and counts["survey_responses"] == 120


def test_furusato_programmes_and_registrants_from_elsewhere(db, without_population,
                                                            without_content):
    from app.furusato import services as furusato
    from app.furusato.models import FurusatoActivity, FurusatoProgramme, FurusatoRegistration

    counts = services.load_demo(db.session, today=TODAY)
    db.session.commit()
    assert counts["furusato_programmes"] == 3 and counts["furusato_registrations"] > 30
    opened = set(db.session.scalars(select(Area.code).join(
        FurusatoProgramme, FurusatoProgramme.area_id == Area.id)))
    assert opened == {"01100", "01408", "01395"}
    rows = db.session.scalars(select(FurusatoRegistration)).all()
    assert all(services_home_elsewhere(furusato, r) for r in rows)
    tiers = {(r.area.code, r.tier) for r in rows}
    assert ("01100", "premium") in tiers and ("01100", "basic") in tiers
    assert ("01000", "basic") in tiers  # Hokkaido's rows, through its municipalities
    assert db.session.scalar(select(func.count()).select_from(FurusatoActivity).where(
        FurusatoActivity.status == "pending")) > 0
    again = services.load_demo(db.session, today=TODAY)
    assert again["furusato_programmes"] == 0 and again["furusato_registrations"] == 0


def services_home_elsewhere(furusato, registration) -> bool:
    home = registration.user.home_area
    return furusato.prefecture_of(home).code != "01000" and registration.user.email.startswith(
        "demo-")
