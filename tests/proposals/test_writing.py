"""Writing a proposal: draft, preview (with similar proposals), publish; categories and
sub-areas; bad input; mass assignment."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.areas.models import RegionMember
from app.common.errors import DomainError
from app.common.time import today_jst
from app.proposals import services
from app.proposals.models import Proposal, ProposalCategory, ProposalStatusChange
from app.representation.models import Participation
from tests.proposals.helpers import draft, first_category, published, url
from tests.people import client_for


def _new(client, space, **data):
    return client.post(url(space, "new"), data=data)


def test_default_categories_are_the_five_pillars_seeded_once(world, db):
    first = services.list_categories(db.session, world.space)
    again = services.list_categories(db.session, world.space)
    db.session.commit()
    assert [c.id for c in first] == [c.id for c in again]
    assert len(first) == 5
    assert first[0].name_ja.startswith("安心して働き")
    assert first[4].name("en") == "Wide-area regional collaboration"
    assert db.session.scalar(select(func.count()).select_from(ProposalCategory)) == 5


def test_full_flow_draft_preview_publish(app, world, db):
    client = client_for(app, world, "author")
    category = first_category(db, world.space)
    response = _new(client, world.space, title="子ども食堂を増やす", body="各区に**一つ**ずつ",
                    category=str(category.id))
    assert response.status_code == 303
    proposal = db.session.scalar(select(Proposal))
    assert proposal.status == "draft" and proposal.author_id == world.author.id
    assert response.headers["Location"].endswith(f"/proposals/{proposal.id}/preview")

    preview = client.get(url(world.space, f"{proposal.id}/preview"))
    assert preview.status_code == 200
    assert "<strong>一つ</strong>" in preview.text          # Markdown through the filter
    assert "only you can see it" in preview.text
    # Drafts are not listed and not in the ledger.
    assert "子ども食堂を増やす" not in client_for(app, world, "participant").get(url(world.space)).text
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 0

    response = client.post(url(world.space, f"{proposal.id}/publish"))
    assert response.status_code == 303
    db.session.expire_all()
    proposal = db.session.get(Proposal, proposal.id)
    assert proposal.status == "published" and proposal.published_at is not None
    history = db.session.scalars(select(ProposalStatusChange)).all()
    assert [(c.from_status, c.to_status) for c in history] == [("draft", "published")]
    row = db.session.scalar(select(Participation))
    assert row.user_id == world.author.id and row.proposals and not row.proposal_supporters
    listing = client_for(app, world, "anonymous").get(url(world.space))
    assert "子ども食堂を増やす" in listing.text


def test_publishing_twice_is_refused_without_a_second_history_entry(app, world, db):
    proposal = published(db, world.space, world.author)
    with pytest.raises(DomainError):
        services.publish(db.session, proposal, world.author)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ProposalStatusChange)) == 1


def test_edit_a_draft_keeps_it_private_and_published_cannot_be_edited(app, world, db):
    client = client_for(app, world, "author")
    proposal = draft(db, world.space, world.author)
    form = client.get(url(world.space, f"{proposal.id}/edit"))
    assert form.status_code == 200 and "子ども食堂を増やす" in form.text
    category = services.list_categories(db.session, world.space)[2]
    response = client.post(url(world.space, f"{proposal.id}/edit"),
                           data={"title": "子ども食堂を倍に", "body": "新しい本文",
                                 "category": str(category.id)})
    assert response.status_code == 303
    db.session.expire_all()
    proposal = db.session.get(Proposal, proposal.id)
    assert (proposal.title, proposal.body, proposal.category_id) == \
        ("子ども食堂を倍に", "新しい本文", category.id)

    client.post(url(world.space, f"{proposal.id}/publish"))
    response = client.post(url(world.space, f"{proposal.id}/edit"),
                           data={"title": "変更", "body": "変更", "category": str(category.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).title == "子ども食堂を倍に"


def test_deleting_a_draft_needs_confirmation(app, world, db):
    client = client_for(app, world, "author")
    proposal = draft(db, world.space, world.author)
    client.post(url(world.space, f"{proposal.id}/delete"))
    assert db.session.get(Proposal, proposal.id) is not None
    response = client.post(url(world.space, f"{proposal.id}/delete"), data={"confirm": "yes"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id) is None


@pytest.mark.parametrize("data,field,message", [
    ({"title": "", "body": "本文"}, "title", "Enter a title."),
    ({"title": "　 \u3000", "body": "本文"}, "title", "Enter a title."),
    ({"title": "あ" * 151, "body": "本文"}, "title", "Use at most 150 characters."),
    ({"title": "題", "body": "   \n "}, "body", "Describe your proposal."),
    ({"title": "題", "body": "あ" * 10_001}, "body", "Use at most 10000 characters."),
    ({"title": "題", "body": "本文", "category": ""}, "category", "Choose a category."),
    ({"title": "題", "body": "本文", "category": "999999"}, "category", "Choose a category."),
    ({"title": "題", "body": "本文", "category": "abc"}, "category", "Choose a category."),
])
def test_bad_input_is_refused_next_to_the_field_and_kept(app, world, db, data, field, message):
    client = client_for(app, world, "author")
    data = {"category": str(first_category(db, world.space).id), **data}
    response = _new(client, world.space, **data)
    assert response.status_code == 422
    assert message in response.text
    assert f'id="{field}-error"' in response.text
    if data["title"].strip():
        assert data["title"][:20] in response.text        # what was typed is kept
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0


def test_category_of_another_space_is_refused(app, world, db):
    client = client_for(app, world, "author")
    foreign = first_category(db, world.other_space)
    response = _new(client, world.space, title="題", body="本文", category=str(foreign.id))
    assert response.status_code == 422 and "Choose a category." in response.text


def test_mass_assignment_changes_nothing(app, world, db):
    client = client_for(app, world, "author")
    category = first_category(db, world.space)
    response = _new(client, world.space, title="題名", body="本文", category=str(category.id),
                    status="accepted", author_id=str(world.admin.id), support_count="999",
                    space_id=str(world.other_space.id), threshold_reached_at="2020-01-01",
                    published_at="2020-01-01", merged_into_id="1")
    assert response.status_code == 303
    proposal = db.session.scalar(select(Proposal))
    assert proposal.status == "draft"
    assert proposal.author_id == world.author.id
    assert proposal.support_count == 0
    assert proposal.space_id == world.space.id
    assert proposal.threshold_reached_at is None and proposal.published_at is None
    assert proposal.merged_into_id is None
    # Publishing with extra fields does not smuggle them in either.
    client.post(url(world.space, f"{proposal.id}/publish"),
                data={"status": "implemented", "support_count": "50"})
    db.session.expire_all()
    proposal = db.session.get(Proposal, proposal.id)
    assert (proposal.status, proposal.support_count) == ("published", 0)
    # Nor does an edit.
    other = draft(db, world.space, world.author, title="二つ目")
    client.post(url(world.space, f"{other.id}/edit"),
                data={"title": "二つ目", "body": "本文", "category": str(category.id),
                      "author_id": str(world.participant.id), "status": "published"})
    db.session.expire_all()
    other = db.session.get(Proposal, other.id)
    assert (other.author_id, other.status) == (world.author.id, "draft")


def test_writing_is_refused_when_the_phase_does_not_accept_input(app, make, db, world):
    closed = make.space("closed-space", accepts_input=False)
    client = client_for(app, world, "author")
    page = client.get(url(closed, "new"))
    assert page.status_code == 200
    assert "does not accept proposals" in page.text
    assert 'name="title"' not in page.text
    category = first_category(db, closed)
    response = _new(client, closed, title="題", body="本文", category=str(category.id))
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0


def test_publishing_is_refused_after_the_phase_closed(app, world, db):
    client = client_for(app, world, "author")
    proposal = draft(db, world.space, world.author)
    phase = world.space.phases[0]
    phase.ends_on = today_jst() - timedelta(days=1)
    db.session.commit()
    response = client.post(url(world.space, f"{proposal.id}/publish"))
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).status == "draft"
    assert "does not accept proposals" in client.get(response.headers["Location"]).text


def test_blocked_person_cannot_write(app, world, db):
    from app.moderation.services import block_user

    block_user(db.session, world.moderator, world.author, world.space, reason="spam")
    db.session.commit()
    client = client_for(app, world, "author")
    response = _new(client, world.space, title="題", body="本文",
                    category=str(first_category(db, world.space).id))
    assert response.status_code == 422
    assert "blocked" in response.text


def test_sub_areas_of_a_city_and_of_a_region(app, make, db, world):
    city = world.space.area
    ward = make.area("01101", "中央区", "Chuo-ku", kind="ward", parent=city)
    assert [a.id for a in services.sub_areas(db.session, world.space)] == [ward.id]
    client = client_for(app, world, "author")
    category = first_category(db, world.space)
    assert "Part of the area" in client.get(url(world.space, "new")).text
    response = _new(client, world.space, title="中央区の公園", body="本文",
                    category=str(category.id), area=str(ward.id))
    assert response.status_code == 303
    assert db.session.scalar(select(Proposal)).area_id == ward.id
    # An area outside the space is refused next to the field.
    elsewhere = make.area("13101", "千代田区", "Chiyoda", kind="ward")
    response = _new(client, world.space, title="他の区", body="本文", category=str(category.id),
                    area=str(elsewhere.id))
    assert response.status_code == 422 and 'id="area-error"' in response.text

    region = make.area("R-TEST", "広域", "Wide", kind="region")
    otaru = make.area("01203", "小樽市", "Otaru")
    db.session.add(RegionMember(region_id=region.id, area_id=otaru.id))
    db.session.commit()
    wide = make.space("wide", area=region)
    assert [a.code for a in services.sub_areas(db.session, wide)] == ["01203"]


def test_form_without_sub_areas_has_no_area_field(app, world):
    page = client_for(app, world, "author").get(url(world.space, "new"))
    assert 'name="title"' in page.text and 'name="body"' in page.text
    assert 'name="category"' in page.text and 'name="area"' not in page.text
    assert "proposals-similar.js" in page.text and "<script>" not in page.text


def test_similar_endpoint_returns_at_most_three_without_personal_data(app, world, db):
    for title in ("子ども食堂の拡充", "子ども食堂への補助", "子ども食堂を各区に", "子ども食堂の周知",
                  "除雪の強化"):
        published(db, world.space, world.author, title=title, body="子ども食堂について")
    hidden_draft = draft(db, world.space, world.author, title="子ども食堂の下書き")
    response = client_for(app, world, "anonymous").get(
        url(world.space, "similar"), query_string={"q": "子ども食堂を増やしたい"})
    assert response.status_code == 200
    items = response.json["items"]
    assert 1 <= len(items) <= 3
    assert all("子ども食堂" in item["title"] for item in items)
    assert hidden_draft.id not in [item["id"] for item in items]
    assert set(items[0]) == {"id", "title", "status", "status_label", "support_count", "score",
                             "support_label", "url"}
    assert client_for(app, world, "anonymous").get(
        url(world.space, "similar"), query_string={"q": ""}).json == {"items": []}


def test_similar_endpoint_excludes_the_proposal_being_edited(app, world, db):
    proposal = published(db, world.space, world.author, title="除雪の強化")
    response = client_for(app, world, "anonymous").get(
        url(world.space, "similar"), query_string={"q": "除雪の強化", "exclude": proposal.id})
    assert response.json == {"items": []}


def test_preview_shows_similar_proposals_without_javascript(app, world, db):
    existing = published(db, world.space, world.participant, title="子ども食堂の拡充",
                         body="各区に子ども食堂を")
    proposal = draft(db, world.space, world.author, title="子ども食堂を増やす",
                     body="子ども食堂を各区に増やしてほしい")
    page = client_for(app, world, "author").get(url(world.space, f"{proposal.id}/preview"))
    assert "Similar proposals already exist" in page.text
    assert f'href="/spaces/{world.space.slug}/proposals/{existing.id}"' in page.text


def test_csrf_is_required_when_enabled(app, world, db):
    client = client_for(app, world, "author")
    category = first_category(db, world.space)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = _new(client, world.space, title="題", body="本文", category=str(category.id))
        assert response.status_code == 400
        from tests.dom import csrf_token

        token = csrf_token(client.get(url(world.space, "new")).text)
        response = _new(client, world.space, title="題", body="本文", category=str(category.id),
                        csrf_token=token)
        assert response.status_code == 303
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
