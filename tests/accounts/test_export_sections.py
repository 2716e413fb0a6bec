"""'Download all my data' holds every contribution a person made, each section registered by the
module that owns it: forum threads, posts and reactions, flags filed, blocks, proposals and
supports with their official answers, survey responses, notifications. Everything is written
through the real services; the export is read through the route, as the person downloads it."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from app.accounts.export import export_user_data
from app.forum import services as forum
from app.moderation import services as moderation
from app.proposals import comments, supports, workflow
from app.proposals import services as proposals
from app.surveys import builder
from app.surveys import services as surveys
from app.surveys.answering import Given
from tests.conftest import login
from tests.statements import recorded

SECTIONS = ("forum", "flags_filed", "blocks", "proposals", "survey_responses", "notifications",
            "panel_volunteering", "furusato")
# Words only the exporting person wrote (or that only concern them).
HANAKO_ONLY = ("バスを増やしてほしい", "同感です。追記します", "高齢者が休める場所を", "まだ下書きの提案",
               "地下鉄の終電を延ばして", "荒らしの繰り返し", "話題から外れています", "hanako@example.jp",
               "花子")


def _answer_survey(session, survey, user, answers: dict) -> None:
    for section in survey.sections:
        given = {q.id: answers[q.id] for q in section.questions if q.id in answers}
        surveys.save_section(session, survey, user, section, given, resume_section_id=None)
    surveys.submit(session, survey, user)


@pytest.fixture
def world(db, make):
    """Hanako contributes once in every way; Jiro, a facilitator and a moderator act around her."""
    session = db.session
    space = make.space("sapporo-plan", title="札幌の未来")
    hanako = make.user("hanako@example.jp", display_name="花子")
    jiro = make.user("jiro@example.jp", display_name="次郎")
    staff = make.user("staff@example.jp", display_name="進行役",
                      roles=(f"facilitator:{space.id}", f"moderator:{space.id}"))
    nobody = make.user("nobody@example.jp", display_name="見学者")

    # Forum: her thread, a reply she edits, one she deletes, one a moderator hides, a reply in a
    # thread whose opening a moderator hides (its title must not leak), a reaction and a flag.
    own = forum.create_thread(session, space, hanako, "バスの本数", "バスを増やしてほしい **強く**")
    deleted = forum.reply(session, own, hanako, "消すつもりの返信")
    theirs = forum.create_thread(session, space, jiro, "除雪について", "歩道の除雪が遅い")
    edited = forum.reply(session, theirs, hanako, "同感です")
    forum.edit_post(session, edited, hanako, "同感です。追記します")
    hidden = forum.reply(session, theirs, hanako, "関係ない宣伝")
    answer = forum.reply(session, theirs, jiro, "ありがとう", reply_to_id=edited.id)
    secret = forum.create_thread(session, space, jiro, "秘密の題名", "誰かの電話番号")
    in_secret = forum.reply(session, secret, hanako, "それは載せないほうが")
    forum.toggle_reaction(session, theirs.posts[0], hanako, "helpful")
    flag = moderation.flag_post(session, answer, hanako, "spam")
    forum.delete_post(session, deleted, hanako)
    moderation.hide_post(session, hidden, staff, "off_topic", "話題から外れています")
    moderation.hide_post(session, secret.posts[0], staff, "personal_information")

    # Proposals: one published and answered (Jiro supports it), one draft, a support she gives
    # and a comment she writes on Jiro's proposal.
    category = proposals.list_categories(session, space)[0]
    published = proposals.create_draft(session, space, hanako, title="公園にベンチを",
                                       body="高齢者が休める場所を", category_id=category.id)
    proposals.publish(session, published, hanako)
    comments.open_discussion(session, published)
    draft = proposals.create_draft(session, space, hanako, title="まだ下書きの提案",
                                   body="考え中", category_id=category.id)
    supports.support(session, published, jiro)
    workflow.change_status(session, published, staff, to_status="under_review",
                           answer="担当課で検討します")
    jiros = proposals.create_draft(session, space, jiro, title="図書館の開館時間",
                                   body="夜も開けてほしい", category_id=category.id)
    proposals.publish(session, jiros, jiro)
    comments.open_discussion(session, jiros)
    supports.support(session, jiros, hanako)
    comment = comments.add_comment(session, jiros, hanako, "賛成、平日も")

    # Survey: every kind of question; she and Jiro both answer.
    survey = builder.create_survey(session, space, staff, title="交通アンケート")
    section = survey.sections[0]
    q = SimpleNamespace(
        single=builder.add_question(session, section, kind="single", text="主な交通手段",
                                    allow_other=True, options=["バス", "地下鉄", "自動車"]),
        multiple=builder.add_question(session, section, kind="multiple", text="困っていること",
                                      allow_other=True, options=["本数", "運賃", "混雑"]),
        likert=builder.add_question(session, section, kind="likert", text="満足度",
                                    scale_points=5, label_low="不満", label_high="満足"),
        number=builder.add_question(session, section, kind="number", text="通勤時間(分)"),
        text=builder.add_question(session, section, kind="long_text", text="ご意見"),
        ranking=builder.add_question(session, section, kind="ranking", text="優先順位",
                                     options=["道路", "公園", "図書館"]),
    )
    surveys.open_now(session, survey)
    session.commit()
    bus, subway, car = (o.id for o in q.single.options)
    frequency, fare, crowding = (o.id for o in q.multiple.options)
    road, park, library = (o.id for o in q.ranking.options)
    _answer_survey(session, survey, hanako, {
        q.single.id: Given(options=[subway]),
        q.multiple.id: Given(options=[crowding, frequency], other="冬の遅延"),
        q.likert.id: Given(number=4.0),
        q.number.id: Given(number=35.0, raw="35"),
        q.text.id: Given(text="地下鉄の終電を延ばして"),
        q.ranking.id: Given(ranks={road: 3, park: 1, library: 2}),
    })
    _answer_survey(session, survey, jiro, {
        q.single.id: Given(other="自転車"),
        q.text.id: Given(text="次郎だけの意見"),
    })

    # Blocks last: a blocked person can no longer write.
    moderation.block_user(session, staff, hanako, space, reason="荒らしの繰り返し")
    moderation.block_user(session, staff, jiro, None, reason="次郎への措置")
    session.commit()
    return SimpleNamespace(space=space, hanako=hanako, jiro=jiro, staff=staff, nobody=nobody,
                           own=own, theirs=theirs, secret=secret, deleted=deleted, edited=edited,
                           hidden=hidden, answer=answer, in_secret=in_secret, flag=flag,
                           published=published, draft=draft, jiros=jiros, comment=comment,
                           survey=survey)


def _download(app, email: str) -> tuple[dict, str]:
    client = app.test_client()
    login(client, email)
    response = client.get("/auth/profile/export")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    return json.loads(text), text


def test_forum_section_has_threads_posts_and_reactions(app, world):
    data, text = _download(app, "hanako@example.jp")
    forum_data = data["forum"]

    threads = {t["id"]: t for t in forum_data["threads"]}
    assert threads[world.own.id] == {
        "id": world.own.id, "space": "sapporo-plan", "module": "forum", "title": "バスの本数",
        "created_at": threads[world.own.id]["created_at"], "pinned": False, "locked": False,
        "closed": False}
    assert threads[world.own.id]["created_at"].endswith("Z")
    # Her proposal's comment thread is hers too, marked as belonging to proposals.
    assert [t["module"] for t in forum_data["threads"]] == ["forum", "proposals"]
    assert world.theirs.id not in threads and world.secret.id not in threads

    posts = {p["id"]: p for p in forum_data["posts"]}
    opening = posts[world.own.posts[0].id]
    assert opening["is_opening"] and opening["body"] == "バスを増やしてほしい **強く**"
    assert opening["thread"] == {"id": world.own.id, "title": "バスの本数", "module": "forum"}
    assert opening["edited_at"] is None and opening["deleted_at"] is None
    assert opening["hidden"] is None

    edited = posts[world.edited.id]
    assert edited["body"] == "同感です。追記します" and edited["edited_at"]
    assert edited["thread"]["title"] == "除雪について" and not edited["is_opening"]

    deleted = posts[world.deleted.id]
    assert deleted["deleted_at"] and deleted["body"] == ""

    hidden = posts[world.hidden.id]
    assert hidden["body"] == "関係ない宣伝"
    assert hidden["hidden"]["reason"] == "off_topic"
    assert hidden["hidden"]["note"] == "話題から外れています" and hidden["hidden"]["at"]

    # A thread hidden for personal information: her reply is there, its title is not.
    in_secret = posts[world.in_secret.id]
    assert in_secret["body"] == "それは載せないほうが"
    assert in_secret["thread"] == {"id": world.secret.id, "title": None, "module": "forum"}
    assert "秘密の題名" not in text and "誰かの電話番号" not in text

    comment = posts[world.comment.id]
    assert comment["body"] == "賛成、平日も" and comment["thread"]["module"] == "proposals"
    assert comment["thread"]["title"] == "図書館の開館時間"

    assert forum_data["reactions"] == [{
        "kind": "helpful", "created_at": forum_data["reactions"][0]["created_at"],
        "post_id": world.theirs.posts[0].id, "thread_id": world.theirs.id,
        "space": "sapporo-plan"}]
    # Nobody else's words or names: Jiro's posts are referred to by id only.
    for theirs in ("歩道の除雪が遅い", "ありがとう", "次郎", "jiro@example.jp", "進行役"):
        assert theirs not in text


def test_moderation_sections_have_flags_filed_and_blocks(app, world):
    data, text = _download(app, "hanako@example.jp")
    assert data["flags_filed"] == [{
        "post_id": world.answer.id, "thread_id": world.theirs.id, "space": "sapporo-plan",
        "reason": "spam", "note": "", "status": "open",
        "created_at": data["flags_filed"][0]["created_at"], "resolved_at": None}]
    assert data["blocks"] == [{
        "space": {"slug": "sapporo-plan", "title": "札幌の未来"}, "site_wide": False,
        "reason": "荒らしの繰り返し", "created_at": data["blocks"][0]["created_at"]}]
    assert "次郎への措置" not in text and "staff@example.jp" not in text


def test_proposals_section_has_authored_drafts_answers_and_supports(app, world):
    data, text = _download(app, "hanako@example.jp")
    authored = {p["id"]: p for p in data["proposals"]["authored"]}
    assert set(authored) == {world.published.id, world.draft.id}

    published = authored[world.published.id]
    assert published["title"] == "公園にベンチを" and published["body"] == "高齢者が休める場所を"
    assert published["status"] == "under_review" and published["support_count"] == 1
    assert published["space"] == "sapporo-plan" and published["published_at"]
    assert published["category"]["name_en"] == "Living environment where people can work and " \
                                                 "live with peace of mind"
    assert [(h["from_status"], h["to_status"], h["official_answer"])
            for h in published["history"]] == [("draft", "published", None),
                                                ("published", "under_review", "担当課で検討します")]

    draft = authored[world.draft.id]
    assert draft["status"] == "draft" and draft["title"] == "まだ下書きの提案"
    assert draft["published_at"] is None and draft["history"] == []

    assert data["proposals"]["supported"] == [{
        "proposal_id": world.jiros.id, "space": "sapporo-plan", "title": "図書館の開館時間",
        "status": "published", "supported_at": data["proposals"]["supported"][0]["supported_at"]}]
    # Who supported her proposal and who answered it are not hers to download.
    assert "jiro@example.jp" not in text and "進行役" not in text and "夜も開けてほしい" not in text


def test_survey_section_has_each_answer_by_question_text(app, world):
    data, text = _download(app, "hanako@example.jp")
    [response] = data["survey_responses"]
    assert response["survey"] == {"id": world.survey.id, "title": "交通アンケート",
                                  "space": "sapporo-plan"}
    assert response["submitted_at"] and response["submitted_at"].endswith("Z")
    assert response["answers"] == [
        {"question": "主な交通手段", "kind": "single", "value": "地下鉄", "other": None},
        # Chosen options in the order the question lists them, the "other" text apart.
        {"question": "困っていること", "kind": "multiple", "value": ["本数", "混雑"],
         "other": "冬の遅延"},
        {"question": "満足度", "kind": "likert", "value": 4},
        {"question": "通勤時間(分)", "kind": "number", "value": 35},
        {"question": "ご意見", "kind": "long_text", "value": "地下鉄の終電を延ばして"},
        # A ranking by rank, first first.
        {"question": "優先順位", "kind": "ranking", "value": ["公園", "図書館", "道路"]},
    ]
    assert "自転車" not in text and "次郎だけの意見" not in text


def test_notifications_section_leaves_out_who_replied(app, world):
    data, text = _download(app, "hanako@example.jp")
    kinds = [n["kind"] for n in data["notifications"]]
    assert sorted(kinds) == ["forum_moderation", "forum_reply", "proposal_status"]
    reply = next(n for n in data["notifications"] if n["kind"] == "forum_reply")
    assert reply["payload"]["post_id"] == world.answer.id
    assert reply["payload"]["thread_title"] == "除雪について"
    assert "replier" not in reply["payload"] and "次郎" not in text
    assert reply["read_at"] is None and reply["created_at"].endswith("Z")
    decision = next(n for n in data["notifications"] if n["kind"] == "forum_moderation")
    assert decision["payload"]["decision"] == "hidden"
    assert decision["payload"]["post_id"] == world.hidden.id
    status = next(n for n in data["notifications"] if n["kind"] == "proposal_status")
    assert status["payload"]["proposal_id"] == world.published.id
    assert status["payload"]["role"] == "author" and status["payload"]["answered"] is True


def test_another_persons_export_holds_none_of_it(app, world):
    data, text = _download(app, "jiro@example.jp")
    for words in HANAKO_ONLY:
        assert words not in text, words
    # Jiro's own things are there; hers are not.
    assert {t["id"] for t in data["forum"]["threads"]} == {world.theirs.id, world.secret.id,
                                                            world.jiros.comment_thread_id}
    assert world.edited.id not in {p["id"] for p in data["forum"]["posts"]}
    assert data["forum"]["reactions"] == [] and data["flags_filed"] == []
    assert [b["site_wide"] for b in data["blocks"]] == [True]
    assert [p["id"] for p in data["proposals"]["authored"]] == [world.jiros.id]
    # He supported her published proposal: its public title is in his supports, nothing more.
    assert [s["proposal_id"] for s in data["proposals"]["supported"]] == [world.published.id]
    assert [a["value"] for a in data["survey_responses"][0]["answers"]] == [None, "次郎だけの意見"]
    assert data["survey_responses"][0]["answers"][0]["other"] == "自転車"
    # His notifications (her replies in his threads, the answer to the proposal he supports,
    # the hiding of his thread) do not name her.
    notes = {n["kind"]: n["payload"] for n in data["notifications"]}
    assert set(notes) == {"forum_reply", "proposal_status", "forum_moderation"}
    assert "replier" not in notes["forum_reply"] and notes["proposal_status"]["role"] == "supporter"


def test_someone_who_did_nothing_gets_empty_sections(app, world):
    data, text = _download(app, "nobody@example.jp")
    # Every module registered its section when the app started.
    assert set(data) == {"profile", "demographics", "residency_ties", "roles", "participations",
                         *SECTIONS}
    assert data["residency_ties"] == []
    assert data["forum"] == {"threads": [], "posts": [], "reactions": []}
    assert data["proposals"] == {"authored": [], "supported": []}
    for name in ("flags_filed", "blocks", "survey_responses", "notifications", "panel_volunteering", "furusato"):
        assert data[name] == []
    for words in HANAKO_ONLY:
        assert words not in text, words


def _one_of_each(session, space, person, other, staff) -> None:
    """`person` contributes once in every way in `space`, around things `other` wrote."""
    mine = forum.create_thread(session, space, person, "話題", "本文")
    forum.reply(session, mine, person, "補足")
    theirs = forum.create_thread(session, space, other, "別の話題", "別の本文")
    forum.reply(session, theirs, person, "返信")
    their_reply = forum.reply(session, theirs, other, "返信への返信")
    forum.toggle_reaction(session, theirs.posts[0], person, "agree")
    moderation.flag_post(session, their_reply, person, "spam")
    category = proposals.list_categories(session, space)[0]
    proposal = proposals.create_draft(session, space, person, title="提案", body="本文",
                                      category_id=category.id)
    proposals.publish(session, proposal, person)
    workflow.change_status(session, proposal, staff, to_status="under_review", answer="検討")
    their_proposal = proposals.create_draft(session, space, other, title="他の提案", body="本文",
                                            category_id=category.id)
    proposals.publish(session, their_proposal, other)
    supports.support(session, their_proposal, person)
    survey = builder.create_survey(session, space, staff, title="調査")
    choice = builder.add_question(session, survey.sections[0], kind="multiple", text="選択",
                                  options=["一", "二", "三"])
    builder.add_question(session, survey.sections[0], kind="short_text", text="記述")
    surveys.open_now(session, survey)
    _answer_survey(session, survey, person, {
        choice.id: Given(options=[o.id for o in choice.options[:2]]),
        survey.sections[0].questions[1].id: Given(text="記述の答え")})
    moderation.block_user(session, staff, person, space, reason="理由")
    session.commit()


def test_export_queries_do_not_grow_with_contributions(db, make):
    """A constant number of queries however much a person contributed, wherever (no query per
    row, and none per thread, space or proposal either)."""
    session = db.session
    person = make.user("mika@example.jp")
    other = make.user("ken@example.jp")
    staff = make.user("staff@example.jp", roles=("facilitator", "moderator"))
    User, ids = type(person), (person.id, other.id, staff.id)
    def queries() -> int:
        session.expunge_all()  # nothing already loaded may spare a lazy load
        user = session.get(User, ids[0])
        with recorded() as statements:
            data = export_user_data(session, user)
        assert data["forum"]["posts"] and data["survey_responses"]
        return len(statements)

    _one_of_each(session, make.space("first"), person, other, staff)
    once = queries()
    for slug in ("second", "third", "fourth"):
        _one_of_each(session, make.space(slug), *(session.get(User, i) for i in ids))
    assert len(export_user_data(session, session.get(User, ids[0]))["forum"]["posts"]) == 4 * 3
    assert queries() == once
