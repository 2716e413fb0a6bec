"""Lists with filters, sorting (newest, most supported, recently answered, random with a stable
seed per visitor) and pagination; the facilitators' CSV export."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from sqlalchemy import update

from app.proposals import services, workflow
from app.proposals.models import Proposal
from tests.proposals.helpers import draft, published, supported_by, url
from tests.people import client_for
from tests.dom import texts


def _titles(html: str) -> list[str]:
    return texts(html, ".proposal-item-title > a")


def _space_with(db, world, make, count=5):
    proposals = []
    for i in range(count):
        proposals.append(published(db, world.space, world.author, title=f"提案{i}"))
    # Distinct publication times, oldest first.
    for i, proposal in enumerate(proposals):
        db.session.execute(update(Proposal).where(Proposal.id == proposal.id)
                           .values(published_at=datetime(2026, 5, 1) + timedelta(days=i)))
    db.session.commit()
    return proposals


def test_sorting_newest_most_supported_and_recently_answered(app, world, db, make):
    p = _space_with(db, world, make)
    supported_by(db, p[1], make.user(), make.user(), make.user())
    supported_by(db, p[3], make.user())
    workflow.change_status(db.session, p[0], world.facilitator, to_status="under_review",
                           answer="古い回答")
    db.session.commit()
    workflow.change_status(db.session, p[2], world.facilitator, to_status="under_review",
                           answer="新しい回答")
    db.session.commit()
    client = client_for(app, world, "anonymous")
    assert _titles(client.get(url(world.space)).text) == ["提案4", "提案3", "提案2", "提案1", "提案0"]
    assert _titles(client.get(url(world.space), query_string={"sort": "supported"}).text)[:2] == \
        ["提案1", "提案3"]
    answered = _titles(client.get(url(world.space), query_string={"sort": "answered"}).text)
    assert answered[:2] == ["提案2", "提案0"] and sorted(answered) == sorted(f"提案{i}" for i in range(5))
    # An unknown sort falls back to newest rather than failing.
    assert client.get(url(world.space), query_string={"sort": "DROP"}).status_code == 200


def test_random_order_is_stable_per_visitor_and_differs_between_visitors(app, world, db, make):
    for i in range(12):
        published(db, world.space, world.author, title=f"案{i:02d}")
    orders = []
    for _ in range(6):
        client = client_for(app, world, "anonymous")
        first = _titles(client.get(url(world.space), query_string={"sort": "random"}).text)
        again = _titles(client.get(url(world.space), query_string={"sort": "random"}).text)
        assert first == again                       # stable for this visitor
        assert sorted(first) == sorted(f"案{i:02d}" for i in range(12))
        orders.append(tuple(first))
    assert len(set(orders)) > 1                     # visitors see different orders
    assert len({order[-1] for order in orders}) > 1  # no proposal is always last


def test_random_pages_do_not_repeat_or_skip(app, world, db, make):
    app.config["PER_PAGE"], per_page = 4, app.config["PER_PAGE"]
    try:
        for i in range(10):
            published(db, world.space, world.author, title=f"頁{i:02d}")
        client = client_for(app, world, "anonymous")
        seen = []
        for page in (1, 2, 3):
            seen += _titles(client.get(url(world.space),
                                       query_string={"sort": "random", "page": page}).text)
        assert sorted(seen) == sorted(f"頁{i:02d}" for i in range(10))
    finally:
        app.config["PER_PAGE"] = per_page


def test_shuffle_key_differs_by_seed(app, world, db):
    for i in range(8):
        published(db, world.space, world.author, title=f"S{i}")
    orders = {tuple(p.id for p in services.list_proposals(
        db.session, world.space, sort="random", seed=seed, per_page=50).items)
        for seed in (1, 2, 3, 2**40 + 7, 2**61)}
    assert len(orders) >= 4


def test_filters_by_category_and_status(app, world, db):
    categories = services.list_categories(db.session, world.space)
    a = published(db, world.space, world.author, title="生活の提案", category=categories[0])
    b = published(db, world.space, world.author, title="広域の提案", category=categories[4])
    workflow.change_status(db.session, b, world.facilitator, to_status="accepted", answer="OK")
    db.session.commit()
    client = client_for(app, world, "anonymous")
    assert _titles(client.get(url(world.space),
                              query_string={"category": categories[4].id}).text) == ["広域の提案"]
    assert _titles(client.get(url(world.space), query_string={"status": "published"}).text) == \
        ["生活の提案"]
    assert _titles(client.get(url(world.space), query_string={"status": "accepted"}).text) == \
        ["広域の提案"]
    # Garbage filters are ignored, not errors; drafts never appear.
    draft(db, world.space, world.author, title="下書き")
    page = client.get(url(world.space), query_string={"status": "draft", "category": "x'--"})
    assert page.status_code == 200 and sorted(_titles(page.text)) == sorted([a.title, b.title])


def test_pagination(app, world, db):
    app.config["PER_PAGE"], per_page = 3, app.config["PER_PAGE"]
    try:
        for i in range(7):
            published(db, world.space, world.author, title=f"P{i}")
        client = client_for(app, world, "anonymous")
        first = client.get(url(world.space))
        assert len(_titles(first.text)) == 3 and "Page 1 of 3" in first.text
        last = client.get(url(world.space), query_string={"page": 3})
        assert _titles(last.text) == ["P0"]
        beyond = client.get(url(world.space), query_string={"page": 99})
        assert _titles(beyond.text) == ["P0"]
    finally:
        app.config["PER_PAGE"] = per_page


def test_own_drafts_are_listed_for_their_author_only(app, world, db):
    draft(db, world.space, world.author, title="私の下書き")
    assert "私の下書き" in client_for(app, world, "author").get(url(world.space)).text
    assert "私の下書き" not in client_for(app, world, "participant").get(url(world.space)).text
    assert "私の下書き" not in client_for(app, world, "admin").get(url(world.space)).text


def test_csv_export_with_bom_counts_and_statuses(app, world, db, make):
    ward = make.area("01101", "中央区", "Chuo-ku", kind="ward", parent=world.space.area)
    first = published(db, world.space, world.author, title="=HYPERLINK(\"x\")")
    first.area_id = ward.id
    second = published(db, world.space, world.participant, title="除雪")
    supported_by(db, second, make.user(), make.user())
    workflow.change_status(db.session, second, world.facilitator, to_status="rejected",
                           answer="予算不足")
    draft(db, world.space, world.author, title="下書きは出ない")
    db.session.commit()
    response = client_for(app, world, "facilitator").get(url(world.space, "export.csv"))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:8] == ["Proposal no.", "Title", "Status", "Category", "Part of the area", "Author",
                          "Supports", "Comments"]
    assert len(body) == 2
    by_id = {int(row[0]): row for row in body}
    assert by_id[first.id][1].startswith("'=")          # no formula injection
    assert by_id[first.id][4] == "Chuo-ku"
    assert by_id[second.id][2] == "Rejected" and by_id[second.id][6] == "2"
    assert by_id[second.id][11] == "予算不足"
    assert by_id[second.id][13].endswith(f"/spaces/{world.space.slug}/proposals/{second.id}")
    # Every export is in the audit log, and never kept by a shared cache.
    from app.admin.models import AuditEntry

    db.session.expire_all()
    entry = db.session.query(AuditEntry).filter_by(action="proposals.export").one()
    assert entry.actor_id == world.facilitator.id and entry.detail["rows"] == 2
    assert "no-store" in response.headers["Cache-Control"]


def test_csv_export_in_japanese(app, world, db):
    published(db, world.space, world.author)
    client = client_for(app, world, "facilitator", locale=None)
    client.get("/lang/ja")
    response = client.get(url(world.space, "export.csv"))
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig")
    assert "子ども食堂を増やす" in text
    assert "安心して働き" in text                       # category in the reader's language


def test_every_page_renders_in_japanese_too(app, world, db):
    proposal = published(db, world.space, world.author)
    hidden = draft(db, world.space, world.author, title="下書き")
    pages = {"author": ["", "new", f"{hidden.id}/edit", f"{hidden.id}/preview", f"{proposal.id}"],
             "facilitator": [f"{proposal.id}/status", "settings"]}
    for role, paths in pages.items():
        client = client_for(app, world, role, locale=None)
        client.get("/lang/ja")
        for path in paths:
            response = client.get(url(world.space, path))
            assert response.status_code == 200, path
            assert '<html lang="ja">' in response.text
