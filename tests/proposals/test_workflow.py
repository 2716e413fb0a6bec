"""The facilitators' workflow: statuses, official answers, merges; history, notifications and
the audit log."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.admin.models import AuditEntry
from app.common.errors import DomainError
from app.notifications.models import Notification
from app.proposals import comments, services, workflow
from app.proposals.models import Proposal, ProposalStatusChange
from tests.proposals.helpers import draft, published, stored_count, support_rows, supported_by, url
from tests.people import client_for


def _status(client, space, proposal, **data):
    return client.post(url(space, f"{proposal.id}/status"), data=data)


def _notes(db, kind=workflow.KIND_STATUS):
    return db.session.scalars(select(Notification).where(Notification.kind == kind)
                              .order_by(Notification.user_id)).all()


def test_answer_and_status_change_notify_author_and_supporters(app, world, db, make):
    proposal = published(db, world.space, world.author)
    supporter = make.user()
    supported_by(db, proposal, supporter, world.facilitator)
    client = client_for(app, world, "facilitator")
    page = client.get(url(world.space, f"{proposal.id}/status"))
    assert page.status_code == 200
    response = _status(client, world.space, proposal, status="under_review",
                       answer="担当課で**検討**しています。")
    assert response.status_code == 303
    db.session.expire_all()
    proposal = db.session.get(Proposal, proposal.id)
    assert proposal.status == "under_review" and proposal.answered_at is not None
    notes = _notes(db)
    # The acting facilitator is not told about their own step, even as a supporter.
    assert {n.user_id for n in notes} == {world.author.id, supporter.id}
    assert {n.payload["role"] for n in notes} == {"author", "supporter"}
    assert "is now: Under review" in client_for(app, world, "author").get("/notifications/").text

    public = client_for(app, world, "anonymous").get(url(world.space, f"{proposal.id}"))
    assert 'class="official-answer"' in public.text
    assert "<strong>検討</strong>" in public.text
    assert public.text.count('class="timeline-phase"') == 2      # published, under review
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "proposal.status"))
    assert audit.actor_id == world.facilitator.id and audit.target == f"proposal:{proposal.id}"


def test_supporter_notification_reads_for_a_supporter(app, world, db):
    proposal = published(db, world.space, world.author)
    supported_by(db, proposal, world.participant)
    workflow.change_status(db.session, proposal, world.facilitator, to_status="accepted",
                           answer="実施します")
    db.session.commit()
    page = client_for(app, world, "participant").get("/notifications/")
    assert "A proposal you support, “子ども食堂を増やす”, is now: Accepted." in page.text


def test_rejection_needs_a_reason(app, world, db):
    proposal = published(db, world.space, world.author)
    client = client_for(app, world, "facilitator")
    response = _status(client, world.space, proposal, status="rejected", answer="  ")
    assert response.status_code == 422
    assert "Give the reason for rejecting this proposal." in response.text
    assert 'id="answer-error"' in response.text
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).status == "published"
    assert _notes(db) == []
    response = _status(client, world.space, proposal, status="rejected",
                       answer="予算の都合で実施できません。")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).status == "rejected"


def test_answer_without_a_move_needs_text_and_records_an_answer(app, world, db):
    proposal = published(db, world.space, world.author)
    client = client_for(app, world, "facilitator")
    response = _status(client, world.space, proposal, status="published", answer="")
    assert response.status_code == 422
    assert "Write the official answer, or choose a new status." in response.text
    response = _status(client, world.space, proposal, status="published", answer="受け付けました")
    assert response.status_code == 303
    change = db.session.scalars(select(ProposalStatusChange)
                                .order_by(ProposalStatusChange.id.desc())).first()
    assert (change.from_status, change.to_status, change.answer) == \
        ("published", "published", "受け付けました")
    assert len(_notes(db)) == 1
    assert "received an official answer" in client_for(app, world, "author").get(
        "/notifications/").text


@pytest.mark.parametrize("path,target", [
    (["published"], "implemented"),
    (["published"], "draft"),
    (["published"], "nonsense"),
    (["accepted"], "published"),
    (["accepted", "implemented"], "rejected"),
])
def test_impossible_moves_are_refused(app, world, db, path, target):
    proposal = published(db, world.space, world.author)
    for step in path[1:] if path[0] == "published" else path:
        workflow.change_status(db.session, proposal, world.facilitator, to_status=step,
                               answer="回答")
    db.session.commit()
    before = proposal.status
    response = _status(client_for(app, world, "facilitator"), world.space, proposal,
                       status=target, answer="回答")
    assert response.status_code == 422
    assert "not possible now" in response.text or "can no longer be answered" in response.text
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).status == before


def test_full_path_to_implemented_with_history_for_everyone(app, world, db):
    proposal = published(db, world.space, world.author)
    client = client_for(app, world, "facilitator")
    for status, answer in (("under_review", ""), ("accepted", "来年度に実施します。"),
                           ("implemented", "4月に開設しました。")):
        assert _status(client, world.space, proposal, status=status, answer=answer).status_code == 303
    page = client_for(app, world, "anonymous").get(url(world.space, f"{proposal.id}"))
    for label in ("Published", "Under review", "Accepted", "Implemented"):
        assert f'<span class="timeline-name">{label}</span>' in page.text
    answer_box = page.text.split('class="official-answer"')[1].split("</section>")[0]
    assert "4月に開設しました。" in answer_box and "Implemented" in answer_box
    api = client_for(app, world, "anonymous").get(f"/api/v1/proposals/{proposal.id}").json
    assert [h["to_status"] for h in api["history"]] == \
        ["published", "under_review", "accepted", "implemented"]


def test_answer_is_rendered_through_markdown_only(app, world, db):
    proposal = published(db, world.space, world.author)
    workflow.change_status(db.session, proposal, world.facilitator, to_status="under_review",
                           answer='<script>alert(1)</script>[x](javascript:alert(1))')
    db.session.commit()
    page = client_for(app, world, "anonymous").get(url(world.space, f"{proposal.id}"))
    assert "<script>alert(1)</script>" not in page.text
    assert 'href="javascript:' not in page.text


def test_answer_too_long_is_refused(app, world, db):
    proposal = published(db, world.space, world.author)
    response = _status(client_for(app, world, "facilitator"), world.space, proposal,
                       status="under_review", answer="あ" * 10_001)
    assert response.status_code == 422 and "Use at most 10000 characters." in response.text


def test_merge_carries_supports_over_without_double_counting(app, world, db, make):
    target = published(db, world.space, world.participant, title="子ども食堂の拡充")
    source = published(db, world.space, world.author, title="子ども食堂を増やす")
    both, only_source, only_target = make.user(), make.user(), make.user()
    supported_by(db, source, both, only_source)
    supported_by(db, target, both, only_target)
    comments.add_comment(db.session, source, only_source, "賛成です")
    db.session.commit()
    client = client_for(app, world, "facilitator")
    page = client.get(url(world.space, f"{source.id}/status"))
    assert "Only when merging" in page.text and target.title in page.text   # suggested
    response = _status(client, world.space, source, status="merged", merge_into=str(target.id),
                       answer="同じ趣旨の提案にまとめます。")
    assert response.status_code == 303
    db.session.expire_all()
    assert (support_rows(db, target.id), stored_count(db, target.id)) == (3, 3)
    assert (support_rows(db, source.id), stored_count(db, source.id)) == (0, 0)
    source = db.session.get(Proposal, source.id)
    assert source.status == "merged" and source.merged_into_id == target.id
    change = db.session.scalars(select(ProposalStatusChange)
                                .where(ProposalStatusChange.proposal_id == source.id)
                                .order_by(ProposalStatusChange.id.desc())).first()
    assert change.supports_carried == 1 and change.merged_into_id == target.id
    # The source's author and supporters are told; the target's are not.
    assert {n.user_id for n in _notes(db)} == {world.author.id, both.id, only_source.id}
    # Its discussion is locked (through the forum's own thread state).
    assert comments.get_thread(db.session, source).locked
    assert comments.comment_refusal(db.session, source, world.participant) is not None
    public = client_for(app, world, "anonymous")
    merged_page = public.get(url(world.space, f"{source.id}"))
    assert "This proposal was merged into another one" in merged_page.text
    assert "1 support carried over" in merged_page.text
    target_page = public.get(url(world.space, f"{target.id}"))
    assert "Merged into this proposal" in target_page.text
    # Merged proposals leave the default list but can be filtered for.
    listing = public.get(url(world.space)).text
    assert "子ども食堂を増やす" not in listing and "子ども食堂の拡充" in listing
    assert "子ども食堂を増やす" in public.get(url(world.space), query_string={"status": "merged"}).text
    assert db.session.scalar(select(AuditEntry.detail).where(
        AuditEntry.action == "proposal.merge"))["supports_carried"] == 1


def test_merge_reaching_the_threshold_marks_the_target(app, world, db, make):
    services.save_threshold(db.session, world.space, 3)
    target = published(db, world.space, world.participant, title="A")
    source = published(db, world.space, world.author, title="B")
    supported_by(db, target, make.user(), make.user())
    supported_by(db, source, make.user())
    workflow.merge(db.session, source, target, world.facilitator)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Proposal, target.id).threshold_reached_at is not None


@pytest.mark.parametrize("case", ["self", "missing", "empty", "draft", "other_space", "merged",
                                  "garbage"])
def test_bad_merge_targets_are_refused(app, world, db, case):
    proposal = published(db, world.space, world.author)
    supported_by(db, proposal, world.participant)
    targets = {
        "self": str(proposal.id),
        "missing": "999999",
        "empty": "",
        "draft": str(draft(db, world.space, world.participant, title="下書き").id),
        "other_space": str(published(db, world.other_space, world.participant).id),
        "garbage": "12abc",
    }
    if case == "merged":
        gone = published(db, world.space, world.participant, title="X")
        other = published(db, world.space, world.participant, title="Y")
        workflow.merge(db.session, gone, other, world.facilitator)
        db.session.commit()
        targets["merged"] = str(gone.id)
    response = _status(client_for(app, world, "facilitator"), world.space, proposal,
                       status="merged", merge_into=targets[case])
    assert response.status_code == 422
    assert 'id="merge_into-error"' in response.text
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).status == "published"
    assert (support_rows(db, proposal.id), stored_count(db, proposal.id)) == (1, 1)


def test_merged_and_implemented_proposals_end_the_workflow(app, world, db):
    proposal = published(db, world.space, world.author)
    other = published(db, world.space, world.author, title="別")
    workflow.merge(db.session, proposal, other, world.facilitator)
    db.session.commit()
    page = client_for(app, world, "facilitator").get(url(world.space, f"{proposal.id}/status"))
    assert "reached the end of its workflow" in page.text
    with pytest.raises(DomainError):
        workflow.change_status(db.session, proposal, world.facilitator, to_status="merged")
