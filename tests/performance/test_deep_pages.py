"""Deep pages of long lists (issue #15): the proposal list and a thread's replies page by keyset
("after this id"), so page 500 issues the same statements as page 1 and none of them OFFSETs
past 499 pages; walking the Next (and Previous) links shows exactly the rows, in exactly the
order, that the page-number (OFFSET) pages show."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.common.markdown import render_markdown
from app.forum import services as forum
from app.forum import views as forum_views
from app.proposals.models import Proposal
from tests.dom import parse, texts
from tests.statements import recorded

START = datetime(2026, 4, 1, 9, 0)


@pytest.fixture
def long_lists(app, db, make):
    """A space with 1,004 proposals (4 merged, so left out; three share each publication time,
    so the id breaks ties; support counts repeat) and a thread with 1,000 top-level replies,
    some with nested answers (on the first and the 500th page of two)."""
    space = make.space()
    author = make.user()
    statuses = ("published", "under_review", "accepted")
    body = render_markdown("本文")
    db.session.add_all(Proposal(
        space_id=space.id, author_id=author.id, title=f"提案{i}", body="本文", body_html=body,
        status="merged" if i % 251 == 7 else statuses[i % 3], support_count=(i * 7) % 11,
        published_at=START + timedelta(minutes=i // 3)) for i in range(1004))
    thread = forum.create_thread(db.session, space, author, "長い話題", "本文")
    db.session.flush()
    top = [forum.Post(thread_id=thread.id, author_id=author.id, body=f"返信{i}")
           for i in range(1000)]
    db.session.add_all(top)
    db.session.flush()
    db.session.add_all(forum.Post(thread_id=thread.id, author_id=author.id, parent_id=p.id,
                                  reply_to_id=p.id, body=f"答え{p.id}") for p in [*top[::97], top[998]])
    db.session.commit()
    return space, thread


def _proposal_ids(html: str) -> list[int]:
    return [int(a.attributes["href"].rstrip("/").rsplit("/", 1)[1])
            for a in parse(html).css(".proposal-item-title a")]


def _reply_ids(html: str) -> list[int]:
    return [int(node.attributes["id"].removeprefix("post-"))
            for node in parse(html).css("article.post:not(.post-opening):not(.post-nested)")]


def _link(html: str, rel: str) -> str | None:
    node = parse(html).css_first(f'nav.pagination a[rel="{rel}"]')
    return node.attributes["href"] if node is not None else None


def _walk(client, url: str, ids, rel: str = "next") -> list[list[int]]:
    pages = []
    while url is not None:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        pages.append(ids(html))
        url = _link(html, rel)
        assert len(pages) < 200, "the links never end"
    return pages


def _by_number(client, url: str, ids, count: int) -> list[list[int]]:
    joiner = "&" if "?" in url else "?"
    return [ids(client.get(f"{url}{joiner}page={n}").get_data(as_text=True))
            for n in range(1, count + 1)]


@pytest.mark.parametrize("sort", ["", "?sort=supported"])
def test_proposal_pages_by_link_are_the_numbered_pages(app, client, db, long_lists, sort):
    space, _ = long_lists
    app.config["PER_PAGE"] = 40
    try:
        url = f"/spaces/{space.slug}/proposals/{sort}"
        walked = _walk(client, url, _proposal_ids)
        numbered = _by_number(client, url, _proposal_ids, len(walked))
        last = client.get(f"{url}{'&' if sort else '?'}page=25").get_data(as_text=True)
        back = _walk(client, _link(last, "prev"), _proposal_ids, "prev")
    finally:
        app.config["PER_PAGE"] = 20
    assert len(walked) == 25 and all(len(p) == 40 for p in walked)
    assert walked == numbered
    assert back == numbered[-2::-1]  # from page 24 back to page 1
    everything = [pid for page in walked for pid in page]
    key = ((lambda p: (p.support_count, p.published_at, p.id)) if sort
           else (lambda p: (p.published_at, p.id)))
    expected = sorted(db.session.query(Proposal).filter(Proposal.status != "merged"), key=key,
                      reverse=True)
    assert everything == [p.id for p in expected]


def test_thread_pages_by_link_are_the_numbered_pages(client, db, long_lists, monkeypatch):
    space, thread = long_lists
    monkeypatch.setattr(forum_views, "REPLIES_PER_PAGE", 40)
    url = f"/spaces/{space.slug}/forum/threads/{thread.id}"
    walked = _walk(client, url, _reply_ids)
    assert walked == _by_number(client, url, _reply_ids, 25)
    everything = [pid for page in walked for pid in page]
    assert len(everything) == 1000 and everything == sorted(everything)


def _statements(client, url: str) -> tuple[list[str], list[int]]:
    client.get(url)
    with recorded() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    return statements, html


@pytest.mark.parametrize("which", ["proposals", "thread"])
def test_page_500_costs_the_statements_of_page_1(app, client, db, long_lists, monkeypatch,
                                                  which):
    space, thread = long_lists
    app.config["PER_PAGE"] = 2
    monkeypatch.setattr(forum_views, "REPLIES_PER_PAGE", 2)
    try:
        if which == "proposals":
            url, ids = f"/spaces/{space.slug}/proposals/", _proposal_ids
            ordered = [p.id for p in sorted(
                db.session.query(Proposal).filter(Proposal.status != "merged"),
                key=lambda p: (p.published_at, p.id), reverse=True)]
        else:
            url, ids = f"/spaces/{space.slug}/forum/threads/{thread.id}", _reply_ids
            ordered = list(db.session.scalars(
                select(forum.Post.id).where(forum.Post.thread_id == thread.id,
                                            forum.Post.is_opening.is_(False),
                                            forum.Post.parent_id.is_(None))
                .order_by(forum.Post.id)))
        first, first_html = _statements(client, url)
        # page 500 as its Previous page's Next link gives it: after the last row of page 499
        deep, deep_html = _statements(client, f"{url}?page=500&after={ordered[997]}")
    finally:
        app.config["PER_PAGE"] = 20
    assert ids(first_html) == ordered[:2]
    assert ids(deep_html) == ordered[998:1000]
    assert texts(deep_html, "nav.pagination span")[0].count("500") == 2  # page 500 of 500
    assert _link(deep_html, "next") is None and _link(deep_html, "prev") is not None
    assert len(deep) == len(first), "\n".join(["page 1:", *first, "page 500:", *deep])
    # the same statements, but for the rows' one, which starts after the cursor
    changed = [s for s in deep if s not in first]
    assert len(changed) == 1 and (" > " in changed[0] or " < " in changed[0]), changed
    if db.engine.dialect.name == "postgresql":  # SQLite prints OFFSET 0 with every LIMIT
        assert not [s for s in first + deep if "OFFSET" in s.upper()], deep


@pytest.mark.parametrize("sort", ["latest", "newest", "replies"])
def test_thread_list_pages_by_link_are_the_numbered_pages(app, client, db, make, sort):
    space, author = make.space(), make.user()
    for i in range(45):
        thread = forum.create_thread(db.session, space, author, f"話題{i}", "本文")
        thread.pinned = i % 9 == 0
        thread.reply_count = i % 4  # ties, broken by activity and id
        thread.last_activity_at = START + timedelta(hours=i % 6)
        thread.created_at = START + timedelta(hours=i % 5)
    db.session.commit()
    app.config["PER_PAGE"] = 7
    try:
        url = f"/spaces/{space.slug}/forum/?sort={sort}"
        walked = _walk(client, url, _thread_ids)
        numbered = _by_number(client, url, _thread_ids, len(walked))
    finally:
        app.config["PER_PAGE"] = 20
    assert len(walked) == 7 and walked == numbered
    assert sorted(tid for page in walked for tid in page) == sorted(
        db.session.scalars(select(forum.Thread.id).where(forum.Thread.space_id == space.id)))


def _thread_ids(html: str) -> list[int]:
    return [int(a.attributes["href"].split("/threads/")[1].split("?")[0])
            for a in parse(html).css("main a[href*='/threads/']")
            if a.attributes["href"].split("/threads/")[1].split("?")[0].isdigit()]
