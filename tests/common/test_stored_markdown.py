"""User Markdown is rendered and sanitised once, when written, and stored beside its source:
the stored HTML equals render_markdown(source) after every create and edit, pages show it, the
column refuses anything that did not come out of the sanitiser, and `flask markdown rerender`
repairs a stale rendering."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from app.common.markdown import render_markdown
from app.forum import services as forum
from app.forum.models import Post
from app.proposals import workflow
from app.proposals.models import Proposal, ProposalStatusChange
from app.spaces import services as spaces
from app.surveys import builder
from tests.forum.helpers import add_reply, forum_url, open_thread
from tests.people import client_as
from tests.proposals.helpers import draft, published
from tests.proposals.helpers import url as proposals_url

XSS = ('<script>alert(1)</script> <img src=x onerror=alert(2)> '
       '[click](javascript:alert(3)) **bold**')


def fresh(db, model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


def stored_html(db, table: str, column: str, row_id: int) -> str:
    """What the database holds, read past the ORM."""
    return db.session.execute(text(f"SELECT {column} FROM {table} WHERE id = :id"),  # nosec B608
                              {"id": row_id}).scalar_one()


def test_forum_posts_store_their_rendering_on_create_and_edit(db, world):
    thread = open_thread(db, world.space, world.author, body="最初の**投稿**")
    opening = thread.posts[0]
    reply = add_reply(db, thread, world.participant, body="- 一\n- 二")
    assert stored_html(db, "forum_posts", "body_html", opening.id) == \
        str(render_markdown("最初の**投稿**"))
    assert stored_html(db, "forum_posts", "body_html", reply.id) == \
        "<ul>\n<li>一</li>\n<li>二</li>\n</ul>\n"

    forum.edit_post(db.session, fresh(db, Post, reply.id), world.participant, "*直しました*")
    db.session.commit()
    assert stored_html(db, "forum_posts", "body_html", reply.id) == "<p><em>直しました</em></p>\n"

    forum.delete_post(db.session, fresh(db, Post, reply.id), world.participant)
    db.session.commit()
    assert stored_html(db, "forum_posts", "body_html", reply.id) == ""


def test_proposals_and_official_answers_store_their_rendering(db, world, app):
    proposal = draft(db, world.space, world.author, body="はじめの案")
    from app.proposals import services

    services.update_draft(db.session, fresh(db, Proposal, proposal.id), title="新しい題",
                          body="直した**案**", category_id=proposal.category_id)
    db.session.commit()
    assert stored_html(db, "proposals", "body_html", proposal.id) == \
        "<p>直した<strong>案</strong></p>\n"

    proposal = published(db, world.space, world.author, title="別の案", body="公開の案")
    change = workflow.take_step(db.session, fresh(db, Proposal, proposal.id), world.facilitator,
                                to_status="under_review", answer="## 回答\n\n検討します。")
    db.session.commit()
    assert stored_html(db, "proposal_status_changes", "answer_html", change.id) == \
        str(render_markdown("## 回答\n\n検討します。"))
    page = client_as(app, world.participant).get(proposals_url(world.space,
                                                                         f"{proposal.id}"))
    assert "<h2>回答</h2>" in page.get_data(as_text=True)


def test_space_and_survey_descriptions_store_their_rendering(db, world):
    spaces.update_space(db.session, world.space, actor=world.admin,
                        description_md="# 場の説明\n\n本文")
    survey = builder.create_survey(db.session, world.space, world.facilitator, title="調査",
                                   description_md="**ご協力**ください")
    section = survey.sections[0]
    builder.update_section(db.session, section, title="第1部", description_md="> 引用")
    db.session.commit()
    assert stored_html(db, "spaces", "description_html", world.space.id) == \
        str(render_markdown("# 場の説明\n\n本文"))
    assert stored_html(db, "surveys", "description_html", survey.id) == \
        "<p><strong>ご協力</strong>ください</p>\n"
    assert stored_html(db, "survey_sections", "description_html", section.id) == \
        "<blockquote>\n<p>引用</p>\n</blockquote>\n"


def test_hostile_markdown_is_stored_and_shown_sanitised(db, world, app):
    thread = open_thread(db, world.space, world.author, title="XSS", body=XSS)
    stored = stored_html(db, "forum_posts", "body_html", thread.posts[0].id)
    assert stored == str(render_markdown(XSS))
    # The tags arrive as visible text, the link as plain text: nothing a browser would run.
    for needle in ("<script", "<img", "href="):
        assert needle not in stored
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in stored
    assert "<strong>bold</strong>" in stored
    page = client_as(app, world.participant).get(
        forum_url(world.space, f"threads/{thread.id}")).get_data(as_text=True)
    assert "<strong>bold</strong>" in page
    for needle in ("<script>alert", "<img src=x", 'href="javascript'):
        assert needle not in page


def test_the_column_refuses_text_that_did_not_come_from_the_sanitiser(db, world):
    thread = open_thread(db, world.space, world.author)
    post = fresh(db, Post, thread.posts[0].id)
    post.body_html = "<script>alert(1)</script>"
    with pytest.raises(Exception, match="render_markdown"):
        db.session.flush()
    db.session.rollback()


def test_rerender_command_repairs_stale_renderings(db, world, app):
    thread = open_thread(db, world.space, world.author, body="**今の**本文")
    proposal = published(db, world.space, world.author, body="提案の*本文*")
    post_id = thread.posts[0].id
    # As if rendered by an older renderer (or loaded by a tool that skipped rendering).
    db.session.execute(text("UPDATE forum_posts SET body_html = '<p>old</p>' WHERE id = :id"),
                       {"id": post_id})
    db.session.execute(text("UPDATE proposals SET body_html = '' WHERE id = :id"),
                       {"id": proposal.id})
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["markdown", "rerender", "--batch", "1"])
    assert result.exit_code == 0, result.output
    assert "forum_posts: 2 rows checked, 1 re-rendered" in result.output
    assert "Done: 2 row(s) re-rendered." in result.output
    assert stored_html(db, "forum_posts", "body_html", post_id) == \
        "<p><strong>今の</strong>本文</p>\n"
    assert stored_html(db, "proposals", "body_html", proposal.id) == "<p>提案の<em>本文</em></p>\n"

    again = app.test_cli_runner().invoke(args=["markdown", "rerender"])
    assert "Done: 0 row(s) re-rendered." in again.output
    assert db.session.scalar(select(ProposalStatusChange.answer_html).limit(1)) == ""
