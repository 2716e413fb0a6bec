"""The world and the rules of the route walk (tests/test_every_route.py): one realistic set of
rows built through the real services, the URL arguments every route takes from it, who may use
each endpoint, and strings that only some roles may ever see.

A new route makes the walk fail until it is given its arguments (URL_ARGUMENTS or
ENDPOINT_ARGUMENTS) and its audience (ACCESS): nothing is skipped silently."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from app.accounts import registration
from app.accounts import services as accounts
from app.accounts import ties as accounts_ties
from app.accounts.models import Demographics, RoleAssignment, User
from app.admin import regions
from app.areas.models import Area
from app.exports import services as exports
from app.extensions import db
from app.forum import services as forum
from app.furusato import services as furusato
from app.moderation import services as moderation
from app.notifications.models import Notification
from app.panels import selection as panel_selection
from app.panels import services as panels
from app.panels.models import PanelMember
from app.proposals import comments
from app.proposals import services as proposals
from app.representation import bodies
from app.representation import population, releases
from app.representation.ledger import record_participation
from app.representation.population_files import PopulationRecord
from app.surveys import builder
from app.surveys import services as surveys
from app.surveys.answering import Given
from app.representation.targets import set_targets
from tests.factories import Factory

ROLES = ("anonymous", "participant", "facilitator", "other_facilitator", "moderator", "admin")

# Strings that only some roles may ever receive, in any page, JSON or CSV.
CANARY_DRAFT = "canary-draft-title-5d1e"          # the participant's unpublished proposal
CANARY_HIDDEN = "canary-hidden-reply-8b02"        # a reply a moderator hid
CANARY_FLAG = "canary-flag-note-31c7"             # the note of a flag
CANARY_ANSWER = "canary-survey-answer-c4a9"       # a free-text survey answer
CANARY_BODY = "canary-body-name-77f0"             # a deliberation body (facilitators' tool)
CANARY_MEMBER = "canary-panel-member-9e3b"        # a selected panel member's name
PARTICIPANT_EMAIL = "walk-participant@example.jp"
RESIDENT_EMAIL = "walk-resident@example.jp"
FURUSATO_EMAIL = "walk-furusato@example.jp"  # contactable: Sapporo's staff see it
CANARIES = {
    CANARY_DRAFT: {"participant"},
    CANARY_HIDDEN: {"moderator", "admin"},
    CANARY_FLAG: {"moderator", "admin"},
    CANARY_ANSWER: {"facilitator", "admin"},
    CANARY_BODY: {"facilitator", "admin"},
    CANARY_MEMBER: {"facilitator", "admin"},
    PARTICIPANT_EMAIL: {"participant", "admin"},
    RESIDENT_EMAIL: {"admin"},
    FURUSATO_EMAIL: {"facilitator", "admin"},
}

CROWD = 32  # older men, enough for the statistics and the under-representation alert
EMAILS = {"participant": PARTICIPANT_EMAIL, "facilitator": "walk-facilitator@example.jp",
          "other_facilitator": "walk-other-facilitator@example.jp",
          "moderator": "walk-moderator@example.jp", "admin": "walk-admin@example.jp"}


@dataclass
class World:
    """Plain ids and strings (never ORM objects: requests commit and expire them)."""
    values: dict[str, object] = field(default_factory=dict)


def _population(session) -> None:
    """A small census for Sapporo and Otaru, so the region's reference is the sum of the two."""
    bands = ((0, 17, 3000), (18, 29, 1200), (30, 39, 1000), (40, 49, 1300), (50, 59, 1400),
             (60, 69, 1500), (70, 79, 1300), (80, None, 800))
    records = [PopulationRecord(code, sex, low, high, count // scale)
               for code, scale in (("01100", 1), ("01203", 4))
               for sex in ("male", "female") for low, high, count in bands]
    population.import_population(session, key="walk-census", kind="census", title="Walk census",
                                 reference_date=date(2020, 10, 1), licence="test",
                                 attribution="test", records=records)


def build_world(session, secret_key: str) -> World:
    make = Factory(session)
    sapporo = make.area("01100", "札幌市", "Sapporo")
    otaru = make.area("01203", "小樽市", "Otaru")
    _population(session)
    admin = make.user(EMAILS["admin"], display_name="運営 管理", roles=("admin",))
    region = regions.create_region(session, admin, "R-WALK", "札幌小樽圏", "Sapporo-Otaru",
                                   "01100\n01203")  # audited: the log has an entry
    session.commit()

    space = make.space("walk-main", title="歩く場", area=sapporo, transparency_public=True)
    other = make.space("walk-other", title="別の場", area=region)
    participant = make.user(PARTICIPANT_EMAIL, display_name="参加 花子", birth_year=1996,
                            gender="female", sector="industry", home_area=sapporo)
    resident = make.user(RESIDENT_EMAIL, display_name="住民 太郎", birth_year=1958,
                         gender="male", sector="none", home_area=sapporo)
    troll = make.user("walk-troll@example.jp", display_name="荒らし")
    facilitator = make.user(EMAILS["facilitator"], display_name="進行 役",
                            roles=(f"facilitator:{space.id}",))
    make.user(EMAILS["other_facilitator"], display_name="他の 進行役",
              roles=(f"facilitator:{other.id}",))
    moderator = make.user(EMAILS["moderator"], display_name="見守り 役",
                          roles=(f"moderator:{space.id}",))

    # Forum: a thread, the participant's reply (flagged), an answer to it (a notification for
    # the participant), a hidden reply, and a block.
    thread = forum.create_thread(session, space, resident, "公園の整備について",
                                 "北区の公園を整備してほしいです。")
    reply = forum.reply(session, thread, participant, "賛成です。遊具も新しくしてほしい。")
    forum.reply(session, thread, resident, "ありがとうございます。", reply.id)
    hidden = forum.reply(session, thread, resident, f"隠される返信 {CANARY_HIDDEN}")
    moderation.hide_post(session, hidden, moderator, "spam")
    moderation.flag_post(session, reply, resident, "off_topic", CANARY_FLAG)
    block = moderation.block_user(session, moderator, troll, space, reason="繰り返しの荒らし")

    # Proposals: a published one with a comment, and the participant's draft.
    category = proposals.list_categories(session, space)[0]
    published = proposals.create_draft(session, space, resident, title="子ども食堂を増やす",
                                       body="各区に**子ども食堂**を。", category_id=category.id)
    proposals.publish(session, published, resident)
    comments.open_discussion(session, published)
    comments.add_comment(session, published, participant, "わたしも賛成です。")
    draft = proposals.create_draft(session, space, participant, title=CANARY_DRAFT,
                                   body="まだ下書きです。", category_id=category.id)

    # Survey: open, with a choice and a free-text question, and one submitted response.
    survey = builder.create_survey(session, space, facilitator, title="暮らしのアンケート",
                                   description_md="ご協力ください。")
    section = survey.sections[0]
    choice = builder.add_question(session, section, kind="single", text="交通手段は？",
                                  required=True, options=["バス", "地下鉄"])
    free_text = builder.add_question(session, section, kind="long_text", text="自由意見")
    surveys.open_now(session, survey)
    surveys.save_section(session, survey, resident, section,
                         {choice.id: Given(options=[choice.options[0].id]),
                          free_text.id: Given(text=CANARY_ANSWER)}, resume_section_id=None)
    surveys.submit(session, survey, resident)

    # Representation: a body, residency targets, and enough ledger rows for the statistics
    # (and the under-representation alert) to have something to say.
    body = bodies.save_body(session, space, CANARY_BODY, {"gender": {"female": 3, "male": 5}})
    set_targets(session, space, "residency", {"resident": 0.8,
                                                             "relationship": 0.2})
    crowd = [User(email=f"walk-crowd{i}@example.jp", password_hash="!", display_name=f"群衆{i}",
                  home_area=sapporo, demographics=Demographics(
                      birth_year=1940 + i % 25, gender="male", sector="none"))
             for i in range(CROWD)]
    session.add_all(crowd)
    session.flush()
    for person in crowd:
        record_participation(session, space.id, person, "forum")
    session.flush()
    release = releases.create_release(session, space, facilitator, public_k=10, batch=5)
    session.commit()
    panel = _panel(session, space, crowd[:5])

    # A registration waiting for its e-mailed link, for the confirmation page.
    waiting = registration.request_registration(
        session, email="walk-waiting@example.jp", password="a sentence to remember",
        display_name="確認 待ち", home_area=sapporo).user
    session.commit()

    tie = accounts_ties.add_tie(session, participant, otaru, "visits")
    session.commit()

    # The facilitator's background export of the space's proposals, for its status page.
    background = exports.ask(session, facilitator.id, "proposals", space.id,
                             title="歩く場の提案 (CSV)", ttl=timedelta(hours=1))
    exports.finish(session, background, "proposals-walk-main.csv", "\ufeff提案\r\n".encode(), 0,
                   ttl=timedelta(hours=1))
    session.commit()
    furusato = _furusato(session, make, sapporo, participant)

    notification_id = session.scalar(select(Notification.id).where(
        Notification.user_id == participant.id))
    assignment_id = session.scalar(select(RoleAssignment.id).where(
        RoleAssignment.user_id == facilitator.id, RoleAssignment.space_id == space.id))
    assert notification_id and assignment_id, "the world lacks a notification or a team role"
    return World({
        "slug": space.slug, "other_slug": other.slug, "region_code": region.code,
        "phase_id": space.phases[0].id, "assignment_id": assignment_id,
        "user_id": facilitator.id, "thread_id": thread.id, "post_id": reply.id,
        "block_id": block.id, "proposal_id": published.id, "draft_id": draft.id,
        "category_id": category.id, "survey_id": survey.id, "section_id": section.id,
        "question_id": free_text.id, "body_id": body.id, "notification_id": notification_id,
        "token": accounts.make_reset_token(participant, secret_key),
        "release_number": release.number, "export_id": background.id, "tie_id": tie.id,
        "confirm_token": registration.make_confirmation_token(waiting, secret_key),
        **panel,
        **furusato,
    })


def _panel(session, space, people) -> dict:
    """A drawn panel call of five from five crowd members (everyone is seated); one of them
    carries the canary name only facilitators may see."""
    people[0].display_name = CANARY_MEMBER
    call = panels.create_call(session, space, title="市民パネル", description_md="五人を選びます。",
                              size=5, lottery_size=20)
    panels.save_quotas(session, call, {(q.feature, q.value): (0, 5) for q in call.quotas})
    panels.open_call(session, call)
    for person in people:
        panels.volunteer(session, call, person, consent_contact=True)
    panels.close_call(session, call)
    assert panel_selection.claim_run(session, call.id, "leximin", "walk lottery")
    session.refresh(call)
    panel_selection.compute_draw(session, call, seed=3)
    panel_selection.pick(session, call, "2026")
    session.commit()
    member = session.scalar(select(PanelMember.id).where(PanelMember.call_id == call.id,
                                                         PanelMember.status == "selected"))
    return {"call_id": call.id, "member_id": member}


def _furusato(session, make, sapporo, participant) -> dict:
    """Sapporo and Otaru open furusato registration; someone from Otaru registers with Sapporo
    (contactable, with an activity to confirm) and the participant (from Sapporo) with Otaru."""
    otaru = session.scalar(select(Area).where(Area.code == "01203"))
    programmes = {area.code: furusato.save_programme(
        session, area, description_ja=f"{area.name_ja}のふるさと住民", description_en="",
        categories="雪かき\n観光案内", is_open=True) for area in (sapporo, otaru)}
    registrant = make.user(FURUSATO_EMAIL, display_name="小樽 ふるさと", home_area=otaru)
    theirs = furusato.register(session, registrant, programmes["01100"], tier="premium",
                               tie_kind="volunteering", contact_consent=True)
    activity = furusato.record_activity(session, theirs, on_date=date.today(),
                                        category="雪かき", note="除雪を手伝った")
    mine = furusato.register(session, participant, programmes["01203"], tier="basic",
                             tie_kind="visits", contact_consent=False)
    session.commit()
    return {"furusato_code": "01100", "registration_id": mine.id, "activity_id": activity.id}


# --- URL arguments ------------------------------------------------------------------------

# Converter argument name -> the world's value. Names that mean different things on different
# routes (`code`: a language or a region) are given per endpoint only.
URL_ARGUMENTS = {
    "slug": "slug", "phase_id": "phase_id", "assignment_id": "assignment_id",
    "user_id": "user_id", "thread_id": "thread_id", "post_id": "post_id",
    "block_id": "block_id", "proposal_id": "proposal_id", "category_id": "category_id",
    "survey_id": "survey_id", "section_id": "section_id", "question_id": "question_id",
    "body_id": "body_id", "notification_id": "notification_id", "token": "token",
    "number": "release_number", "export_id": "export_id", "call_id": "call_id",
    "member_id": "member_id",
    "area_code": "furusato_code", "registration_id": "registration_id",
    "activity_id": "activity_id",
    "tie_id": "tie_id",
}
# Per endpoint: argument -> a world key, or a literal in a one-element tuple.
_DRAFT = {"proposal_id": "draft_id"}  # the author's own draft, the only proposal these serve
ENDPOINT_ARGUMENTS = {
    "main.set_language": {"code": ("en",)},
    "admin.edit_region": {"code": "region_code"},
    "admin.delete_region": {"code": "region_code"},
    **{endpoint: {"code": "region_code"} for endpoint in (
        "representation.area_overview", "api.area_overview", "api.area_overview_csv")},
    "forum.set_state": {"state": ("pinned",)},
    "proposals.edit": _DRAFT, "proposals.preview": _DRAFT, "proposals.publish": _DRAFT,
    "proposals.delete": _DRAFT,
    "accounts.confirm_registration": {"token": "confirm_token"},
}
SKIPPED_ENDPOINTS = {"static"}


def argument_source(endpoint: str, name: str):
    """Where the value of `name` comes from for `endpoint`, or None when nobody said."""
    source = ENDPOINT_ARGUMENTS.get(endpoint, {}).get(name)
    return source if source is not None else URL_ARGUMENTS.get(name)


def arguments_for(world: World, rule, swap: dict | None = None) -> dict:
    values = {}
    for name in rule.arguments:
        source = (swap or {}).get(name) or argument_source(rule.endpoint, name)
        values[name] = source[0] if isinstance(source, tuple) else world.values[source]
    return values


def unfillable_rules(app) -> list[str]:
    return sorted(f"{rule.endpoint} {rule.rule}: {name}"
                  for rule in app.url_map.iter_rules() if rule.endpoint not in SKIPPED_ENDPOINTS
                  for name in sorted(rule.arguments)
                  if argument_source(rule.endpoint, name) is None)


# --- who may use what --------------------------------------------------------------------------

EVERYONE = frozenset(ROLES)
LOGGED_IN = EVERYONE - {"anonymous"}
SPACE_FACILITATORS = frozenset({"facilitator", "admin"})
SPACE_CREATORS = frozenset({"facilitator", "other_facilitator", "admin"})  # any facilitator
MODERATORS = frozenset({"moderator", "admin"})
ADMINS = frozenset({"admin"})
# The participant wrote the flagged reply and the draft, and owns the notification.
PARTICIPANT = frozenset({"participant"})

PUBLIC_ENDPOINTS = {
    "main.index", "main.healthz", "main.set_language", "main.accessibility",
    "accounts.login", "accounts.logout", "accounts.register", "accounts.reset_request",
    "accounts.reset_password", "accounts.registration_sent", "accounts.confirm_registration",
    "spaces.index", "spaces.detail",
    "forum.index", "forum.thread", "forum.post_link",
    "proposals.index", "proposals.detail", "proposals.similar",
    "surveys.index", "surveys.detail",
    "representation.transparency",
    "api.openapi", "api.representation", "api.representation_csv", "api.release_list",
    "api.release", "representation.area_index", "representation.area_overview",
    "api.area_overview", "api.area_overview_csv",
    "proposals_api.proposal", "proposals_api.space_proposals",
    "panels.index", "panels.detail", "panels.result", "panels.lottery_csv",
    "furusato.index",
}
# The first space's facilitators' pages: the other space's facilitator never opens them.
FACILITATOR_PAGES = {
    "spaces.edit", "spaces.phases", "spaces.edit_phase", "spaces.delete_phase",
    "spaces.team_page", "spaces.remove_member",
    "representation.dashboard", "representation.targets", "representation.body_list",
    "representation.body_new", "representation.body_edit", "representation.body_detail",
    "representation.body_delete", "representation.publish_release",
    "forum.set_state",
    "proposals.status", "proposals.export_csv", "proposals.export_background",
    "proposals.settings", "proposals.add_category",
    "proposals.edit_category", "proposals.delete_category",
    "surveys.new", "surveys.settings", "surveys.change_status", "surveys.delete", "surveys.build",
    "surveys.section_new", "surveys.section_edit", "surveys.section_move",
    "surveys.section_delete", "surveys.question_new", "surveys.question_edit",
    "surveys.question_move", "surveys.question_delete", "surveys.preview",
    "surveys.results_breakdown", "surveys.results_text", "surveys.export_csv",
    "surveys.export_background",
    "surveys.set_weight_cap",
    "panels.new", "panels.edit", "panels.quotas", "panels.propose", "panels.manage",
    "panels.change_status", "panels.run", "panels.pick", "panels.decline",
    # Results of a survey still open are the facilitators' until it closes (the default
    # results visibility), on the page and in the API alike.
    "surveys.results_page", "surveys_api.survey_results",
    # Sapporo's furusato register: staff are its spaces' facilitators (and admins).
    "furusato.manage", "furusato.programme", "furusato.activities", "furusato.decide",
    "furusato.contacts", "furusato.contacts_csv", "furusato.announce",
}

ACCESS: dict[str, frozenset] = {
    **{endpoint: EVERYONE for endpoint in PUBLIC_ENDPOINTS},
    **{endpoint: SPACE_FACILITATORS for endpoint in FACILITATOR_PAGES},
    **{endpoint: LOGGED_IN for endpoint in (
        "accounts.profile", "accounts.delete_account", "accounts.demographics",
        "accounts.withdraw_demographics", "accounts.export", "accounts.change_password",
        "accounts.logout_everywhere", "accounts.residency_ties", "accounts.delete_residency_tie",
        "forum.settings", "forum.new_thread", "forum.reply", "forum.react",
        "notifications.index", "notifications.read_all",
        "proposals.new", "proposals.support", "proposals.unsupport", "proposals.comment",
        "surveys.answer_start", "surveys.answer_section", "surveys.answer_review",
        "surveys.answer_done", "panels.volunteer", "panels.withdraw", "furusato.mine",
        "furusato.register")},
    # The one-tap "how are you connected to this area?": for the people who took part there.
    "accounts.connection": PARTICIPANT,
    # Every logged-in person may flag a post, except its author (the participant wrote it).
    "moderation.flag": LOGGED_IN - PARTICIPANT,
    **{endpoint: PARTICIPANT for endpoint in (
        "forum.edit_post", "forum.delete_post",
        "proposals.edit", "proposals.preview", "proposals.publish", "proposals.delete",
        "notifications.read", "notifications.open_",
        "furusato.card", "furusato.record_activity", "furusato.renew", "furusato.leave")},
    # The facilitator asked for the world's background export: nobody else sees it, not even
    # an administrator.
    **{endpoint: frozenset({"facilitator"}) for endpoint in ("exports.detail", "exports.download")},
    **{endpoint: SPACE_CREATORS for endpoint in ("spaces.new", "spaces.copy", "surveys.copy",
                                                 "furusato.find_register")},
    **{endpoint: MODERATORS for endpoint in (
        "moderation.queue", "moderation.hidden", "moderation.blocks", "moderation.unblock",
        "moderation.review", "moderation.hide", "moderation.restore", "moderation.dismiss",
        "moderation.block")},
    **{endpoint: ADMINS for endpoint in (
        "admin.index", "admin.users", "admin.user_detail", "admin.grant_role",
        "admin.revoke_role", "admin.deactivate_user", "admin.reactivate_user", "admin.areas",
        "admin.new_region", "admin.edit_region", "admin.delete_region", "admin.audit_log")},
}


def unclassified_endpoints(app) -> tuple[list[str], list[str]]:
    """Endpoints with no audience in ACCESS, and ACCESS entries that no longer exist."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - SKIPPED_ENDPOINTS
    return sorted(endpoints - ACCESS.keys()), sorted(ACCESS.keys() - endpoints)


# --- requests -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Visit:
    endpoint: str
    method: str
    url: str


def plan_visits(app, world: World, *, other_space: bool = False,
                missing: tuple[str, int] | None = None) -> list[Visit]:
    """Every rule with every method it allows (GET and POST): every GET first, so what a
    role's POSTs change cannot hide what its GETs would have shown.

    other_space: only the rules that name a space and something in it, with the other space's
    slug and this space's ids (what must never reach this space's rows).
    missing=(slug, id): for each slug or integer argument of each rule, one address where
    that argument alone names nothing."""
    adapter = app.url_map.bind("localhost")
    visits = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIPPED_ENDPOINTS:
            continue
        if other_space and not ("slug" in rule.arguments and len(rule.arguments) > 1):
            continue
        swap = {"slug": "other_slug"} if other_space else None
        variants = [arguments_for(world, rule, swap)]
        if missing is not None:
            variants = [{**variants[0], name: missing[0] if name == "slug" else missing[1]}
                        for name in sorted(rule.arguments)
                        if name == "slug" or isinstance(rule._converters[name],
                                                        IntegerConverter)]
        for values in variants:
            url = adapter.build(rule.endpoint, values)
            visits += [Visit(rule.endpoint, method, url) for method in ("GET", "POST")
                       if method in rule.methods]
    return sorted(visits, key=lambda v: (v.method != "GET", v.url, v.endpoint))


def row_counts(session) -> dict[str, int]:
    """The number of rows of every table, in one statement."""
    tables = db.metadata.sorted_tables
    row = session.execute(select(*[select(func.count()).select_from(table).scalar_subquery()
                                   for table in tables])).one()
    return dict(zip((table.name for table in tables), row))
