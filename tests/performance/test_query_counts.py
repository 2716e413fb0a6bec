"""No list page's query count grows with the number of items on it (issue #15): every list is
rendered with 5 and with 25 items (different authors, replies, supports, reactions) and must
issue the same number of SQL statements. A growing count is an N+1: one query per row."""
from __future__ import annotations


import pytest

from app.forum import services as forum
from app.notifications.services import notify
from app.proposals import services as proposals
from app.proposals import supports, workflow
from tests.conftest import login
from tests.statements import recorded




def statements_for(client, url: str, shown: str | None = None) -> int:
    """Statements of one warm GET of `url`; `shown` must appear on the page (the last item,
    so the list really holds them all)."""
    client.get(url)  # warm: memoised lookups and the first-request work are not the point
    with recorded() as statements:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    if shown is not None:
        assert shown in response.get_data(as_text=True), (url, shown)
    return len(statements)


@pytest.fixture
def reader(app, client, make):
    app.config["PER_PAGE"] = 50
    user = make.user("reader@example.jp")
    login(client, user.email)
    yield user
    app.config["PER_PAGE"] = 20


def _threads(db, make, space, n: int):
    for i in range(n):
        author = make.user(f"t{space.id}-{i}@example.jp")
        thread = forum.create_thread(db.session, space, author, f"話題 {i}", f"本文 {i}")
        forum.reply(db.session, thread, make.user(f"r{space.id}-{i}@example.jp"), "返信")
    db.session.commit()


def _replies(db, make, space, n: int) -> int:
    thread = forum.create_thread(db.session, space, make.user(f"o{space.id}@example.jp"),
                                 "長い話題", "本文")
    for i in range(n):
        post = forum.reply(db.session, thread, make.user(f"p{space.id}-{i}@example.jp"),
                           f"返信 {i}")
        forum.toggle_reaction(db.session, post, make.user(f"x{space.id}-{i}@example.jp"), "agree")
    db.session.commit()
    return thread.id


def _proposals(db, make, space, n: int):
    category = proposals.add_category(db.session, space, name_ja="交通", name_en="Transport")
    for i in range(n):
        author = make.user(f"a{space.id}-{i}@example.jp")
        draft = proposals.create_draft(db.session, space, author, title=f"提案 {i}",
                                       body=f"提案の本文 {i}", category_id=category.id)
        proposal = workflow.publish(db.session, draft, author)
        supports.support(db.session, proposal, make.user(f"s{space.id}-{i}@example.jp"))
    db.session.commit()


PAGES = {  # page: (fill, url, the text of the n-th item)
    "forum threads": (_threads, lambda space, _: f"/spaces/{space.slug}/forum/", "話題 {last}"),
    "forum thread": (_replies,
                     lambda space, thread_id: f"/spaces/{space.slug}/forum/threads/{thread_id}",
                     "返信 {last}"),
    "proposals": (_proposals, lambda space, _: f"/spaces/{space.slug}/proposals/", "提案 {last}"),
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_list_page_costs_the_same_queries_for_5_and_25_items(client, db, make, reader, page):
    fill, url, last_item = PAGES[page]
    counts = []
    for n in (5, 25):
        space = make.space()
        made = fill(db, make, space, n)
        counts.append(statements_for(client, url(space, made), last_item.format(last=n - 1)))
    assert counts[0] == counts[1], f"{page}: {counts[0]} statements for 5 items, {counts[1]} for 25"


def test_the_spaces_list_costs_the_same_for_5_and_25_spaces(client, db, make, reader):
    counts = []
    for n in (5, 20):
        for _ in range(n):
            make.space()
        counts.append(statements_for(client, "/spaces/"))
    assert counts[0] == counts[1]


def test_the_notifications_list_costs_the_same_for_5_and_25(client, db, make, reader):
    counts = []
    for n in (5, 20):
        for i in range(n):
            notify(db.session, reader.id, "forum_reply", {"thread_id": i, "space": "x"})
        db.session.commit()
        counts.append(statements_for(client, "/notifications/"))
    assert counts[0] == counts[1]


def test_one_dashboard_get_runs_a_fixed_handful_of_statements(client, db, make):
    """The representation dashboard computes its reference population, ledger counts and every
    table of the page once (issue #11): one GET of the full page, with every dimension
    (targets for residency, kinds of relationship, furusato and sector), issues fewer than 15
    SQL statements in all. Reading the ledger through its stored tallies (issue #15) takes
    five of them (heads, tails, weeks, the tallies below the cuts and the rows after them)
    whatever the size of the space."""
    from app.representation.queries import DIMENSIONS
    from app.representation.targets import set_targets
    from tests.representation.dashboard_fixtures import skewed_space

    space = skewed_space(make, db)
    set_targets(db.session, space, "residency", {"resident": 0.9, "relationship": 0.05,
                                                 "dual_region": 0.02, "commuter": 0.02,
                                                 "other": 0.01})
    set_targets(db.session, space, "sector", {"none": 0.5, "industry": 0.3, "government": 0.2})
    set_targets(db.session, space, "relationship_kind", {"family": 0.5, "visits": 0.5})
    set_targets(db.session, space, "furusato", {"none": 0.9, "basic": 0.1})
    db.session.commit()
    login(client, make.user(roles=(f"facilitator:{space.id}",)).email)
    url = f"/spaces/{space.slug}/representation/"
    client.get(url)
    # Tests keep one session across requests; production starts each request with a new one.
    db.session.remove()
    with recorded() as statements:
        response = client.get(url)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert all(f'id="dim-{d}"' in html for d in DIMENSIONS)  # every table is on the page
    assert len(statements) < 15, "\n".join([f"{len(statements)} statements:", *statements])


def test_the_facilitators_api_counts_the_ledger_once(client, db, make):
    """The representation API checks the module filter and builds the page from one count of
    the ledger's chains (it counted them twice: once for the offer, once for the page)."""
    from tests.representation.dashboard_fixtures import skewed_space

    space = skewed_space(make, db)
    login(client, make.user(roles=(f"facilitator:{space.id}",)).email)
    url = f"/api/v1/spaces/{space.slug}/representation?dimension=gender"
    client.get(url)
    db.session.remove()
    with recorded() as statements:
        response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    # the chains' sizes: one UNION ALL of a count per chain after its last tally
    chains = [s for s in statements if "SELECT 'forum', count(*)" in s]
    assert len(chains) == 1, "\n".join(chains)
