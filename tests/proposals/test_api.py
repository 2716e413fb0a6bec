"""The read-only JSON API of proposals: pagination, filters, no personal data beyond the
author's display name, drafts invisible, errors as JSON, OpenAPI entries."""
from __future__ import annotations

import json

from app.proposals import services, workflow
from tests.proposals.helpers import draft, published, supported_by, url
from tests.people import client_for

SUMMARY_KEYS = {"id", "space", "title", "status", "category", "area", "author", "support_count",
                "threshold_reached_at", "published_at", "answered_at", "merged_into", "url"}


def test_space_list_is_paginated_and_filterable(app, world, db, make):
    categories = services.list_categories(db.session, world.space)
    for i in range(5):
        published(db, world.space, world.author, title=f"案{i}", category=categories[i % 2])
    accepted = published(db, world.space, world.author, title="採択", category=categories[1])
    workflow.change_status(db.session, accepted, world.facilitator, to_status="accepted",
                           answer="はい")
    draft(db, world.space, world.author, title="下書き")
    db.session.commit()
    client = client_for(app, world, "anonymous")
    data = client.get(f"/api/v1/spaces/{world.space.slug}/proposals",
                      query_string={"per_page": 4}).json
    assert (data["total"], data["pages"], data["page"], data["per_page"]) == (6, 2, 1, 4)
    assert len(data["items"]) == 4 and set(data["items"][0]) == SUMMARY_KEYS
    page2 = client.get(f"/api/v1/spaces/{world.space.slug}/proposals",
                       query_string={"per_page": 4, "page": 2}).json
    assert len(page2["items"]) == 2
    titles = {i["title"] for i in data["items"]} | {i["title"] for i in page2["items"]}
    assert "下書き" not in titles and len(titles) == 6
    only = client.get(f"/api/v1/spaces/{world.space.slug}/proposals",
                      query_string={"status": "accepted"}).json
    assert [i["title"] for i in only["items"]] == ["採択"]
    by_category = client.get(f"/api/v1/spaces/{world.space.slug}/proposals",
                             query_string={"category": categories[1].id}).json
    assert by_category["total"] == 3


def test_no_personal_data_beyond_the_display_name(app, world, db, make):
    author = make.user("secret@example.jp", display_name="公開名", birth_year=1990,
                       gender="female", sector="academia")
    proposal = published(db, world.space, author)
    supported_by(db, proposal, world.participant)
    workflow.change_status(db.session, proposal, world.facilitator, to_status="under_review",
                           answer="検討中")
    db.session.commit()
    client = client_for(app, world, "anonymous")
    listing = client.get(f"/api/v1/spaces/{world.space.slug}/proposals").json
    detail = client.get(f"/api/v1/proposals/{proposal.id}")
    for text in (json.dumps(listing, ensure_ascii=False),
                 json.dumps(detail.json, ensure_ascii=False)):
        assert "公開名" in text
        for secret in ("secret@example.jp", "1990", "female", "academia", "進行 役",
                       "参加 花子", '"user_id"', '"author_id"', '"email"'):
            assert secret not in text
    data = detail.json
    assert data["author"] == "公開名"
    assert data["support_count"] == 1 and data["status"] == "under_review"
    assert data["official_answer"]["text"] == "検討中"
    assert set(data["history"][0]) == {"from_status", "to_status", "at", "answer", "merged_into"}


def test_deleted_author_is_null(app, world, db):
    from app.common.time import utcnow

    proposal = published(db, world.space, world.author)
    world.author.deleted_at = utcnow()
    db.session.commit()
    data = client_for(app, world, "anonymous").get(f"/api/v1/proposals/{proposal.id}").json
    assert data["author"] is None


def test_drafts_and_unknown_ids_are_404_json(app, world, db):
    hidden = draft(db, world.space, world.author)
    client = client_for(app, world, "author")          # even for the draft's own author
    for path in (f"/api/v1/proposals/{hidden.id}", "/api/v1/proposals/999999",
                 "/api/v1/spaces/nope/proposals"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json["status"] == 404 and response.json["error"]


def test_disabled_module_is_404(app, make, db, world):
    space = make.space("no-proposals", proposals_enabled=False)
    assert client_for(app, world, "anonymous").get(
        f"/api/v1/spaces/{space.slug}/proposals").status_code == 404


def test_bad_parameters_are_400_json(app, world, db):
    client = client_for(app, world, "anonymous")
    base = f"/api/v1/spaces/{world.space.slug}/proposals"
    for params in ({"status": "draft"}, {"status": "x"}, {"category": "abc"}, {"page": "-1"},
                   {"per_page": "0"}, {"per_page": "101"}, {"sort": "random"}):
        response = client.get(base, query_string=params)
        assert response.status_code == 400, params
        assert response.json["status"] == 400 and response.json["error"]


def test_openapi_document_lists_the_proposal_paths(app, world):
    from app.api.openapi import openapi_document

    document = openapi_document()
    assert "/spaces/{slug}/proposals" in document["paths"]
    assert "/proposals/{id}" in document["paths"]
    assert "ProposalSummary" in document["components"]["schemas"]


def test_api_and_page_agree_on_the_count(app, world, db, make):
    proposal = published(db, world.space, world.author)
    supported_by(db, proposal, *[make.user() for _ in range(3)])
    client = client_for(app, world, "anonymous")
    assert client.get(f"/api/v1/proposals/{proposal.id}").json["support_count"] == 3
    assert "<strong>3</strong>" in client.get(url(world.space, f"{proposal.id}")).text
