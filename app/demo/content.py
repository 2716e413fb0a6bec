"""The demo space's visible content: forum threads with replies and reactions, proposals with
supports, comments and the facilitator's official steps, and an open survey with ~120
responses. Everything is created through the modules' own services, by demo participants
already in the participation ledger, so the counters, notifications and ledger flags are the
ones real use produces.

Deterministic: people are picked from the ledger with random.Random(2026), only for modules the
ledger says they used (app.demo.cast); the survey is app.demo.content_survey, the words are
app.demo.content_data. Idempotent: a thread, proposal or survey whose title is already in the
space is left alone. The services stamp "now"; the moments are then moved back into the input
window (before the demo's `today`) so lists and histories read like months of use. The services
refuse input outside an open phase, so outside it nothing is created (with a note). Only
flushes; the CLI commits."""
from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.common.time import utcnow
from app.demo import content_data as data
from app.demo.cast import Cast, Clock, Person, demo_people
from app.demo.content_survey import create_survey
from app.forum import services as forum
from app.forum.models import Reaction, Thread
from app.proposals import comments, supports, workflow
from app.proposals import services as proposals
from app.proposals.models import Proposal, ProposalSupport

SEED = 2026
COUNT_KEYS = ("forum_threads", "forum_replies", "forum_reactions", "proposals",
              "proposal_supports", "proposal_comments", "proposal_official_steps", "surveys",
              "survey_responses")


def create_demo_content(session: Session, space, facilitator: User, *, today: date,
                        note: Callable[[str], None]) -> dict[str, int]:
    """Create whatever part of the demo content is missing; returns what was created now."""
    counts = dict.fromkeys(COUNT_KEYS, 0)
    if not space.accepts_input(today):
        note(f"The demo content (forum, proposals, survey) needs the input phase to be open on "
             f"{today.isoformat()}; it was skipped.")
        return counts
    if not space.accepts_input():
        note("The demo content (forum, proposals, survey) was skipped: the modules accept input "
             "only while the input phase is open on the real date.")
        return counts
    people = demo_people(session, space)
    if not people:
        note("No demo participants in the ledger: the demo content was skipped.")
        return counts
    rng = random.Random(SEED)
    cast, clock = Cast(people, rng), Clock(today, utcnow(), rng)
    counts.update(_forum(session, space, cast, clock))
    counts.update(_proposals(session, space, facilitator, cast, clock))
    counts.update(create_survey(session, space, facilitator, cast, clock, today, note))
    return counts


# --- forum ---------------------------------------------------------------------------------

def _forum(session: Session, space, cast: Cast, clock: Clock) -> dict[str, int]:
    counts = {"forum_threads": 0, "forum_replies": 0, "forum_reactions": 0}
    existing = set(session.scalars(select(Thread.title).where(
        Thread.space_id == space.id, Thread.module == "forum")))
    openers: set[int] = set()
    for text in data.THREADS:
        if text.title in existing:
            continue
        opened = clock.at(text.at)
        opener = cast.pick("forum", text.author, opened, exclude=openers)
        openers.add(opener.user.id)
        thread = forum.create_thread(session, space, opener.user, text.title, text.body)
        posts, authors = [thread.posts[0]], [opener]
        moments = clock.spread(opened + timedelta(hours=2), opened + timedelta(days=16),
                               len(text.replies))
        for reply, moment in zip(text.replies, moments):
            person = authors[reply.author] if isinstance(reply.author, int) else cast.pick(
                "forum", reply.author, moment, exclude={a.user.id for a in authors})
            answered = posts[reply.reply_to].id if reply.reply_to is not None else None
            post = forum.reply(session, thread, person.user, reply.body, answered)
            post.created_at = moment
            posts.append(post)
            authors.append(person)
        thread.created_at = posts[0].created_at = opened
        thread.last_activity_at = max(moments, default=opened)
        for index, kind, n in text.reactions:
            post = posts[index]
            for person in cast.sample("forum", n, post.created_at,
                                      exclude={authors[index].user.id}):
                counts["forum_reactions"] += forum.toggle_reaction(session, post, person.user,
                                                                   kind)
            session.execute(update(Reaction).where(Reaction.post_id == post.id).values(
                created_at=clock.between(post.created_at, post.created_at + timedelta(days=3))))
        session.flush()
        counts["forum_threads"] += 1
        counts["forum_replies"] += len(text.replies)
    return counts


# --- proposals -----------------------------------------------------------------------------

def _proposals(session: Session, space, facilitator: User, cast: Cast,
               clock: Clock) -> dict[str, int]:
    counts = {"proposals": 0, "proposal_supports": 0, "proposal_comments": 0,
              "proposal_official_steps": 0}
    categories = proposals.list_categories(session, space)
    existing = {p.title: p for p in session.scalars(
        select(Proposal).where(Proposal.space_id == space.id))}
    decided = {}
    for key, _status, _answer, fraction in data.OFFICIAL_STEPS:
        decided.setdefault(key, clock.at(fraction))
    made: dict[str, Proposal] = {}
    created: set[str] = set()
    authors: set[int] = set()
    for text in sorted(data.PROPOSALS, key=lambda t: t.at):
        if text.title in existing:
            made[text.key] = existing[text.title]
            continue
        published = clock.at(text.at)
        author = cast.pick("proposals", text.author, published, exclude=authors)
        authors.add(author.user.id)
        proposal = proposals.create_draft(
            session, space, author.user, title=text.title, body=text.body,
            category_id=categories[min(text.pillar, len(categories) - 1)].id)
        proposals.publish(session, proposal, author.user)
        thread = comments.open_discussion(session, proposal)
        proposal.created_at = published - timedelta(minutes=25)
        proposal.published_at = proposal.updated_at = published
        for change in proposal.status_changes:
            change.created_at = published
        if thread is not None:
            thread.created_at = thread.last_activity_at = thread.posts[0].created_at = published
        until = decided.get(text.key, clock.end)
        counts["proposal_supports"] += _support(session, proposal, author, text.supports,
                                                published, until, cast, clock)
        counts["proposal_comments"] += _comment(session, proposal, author, text.comments,
                                                published, cast, clock)
        session.flush()
        made[text.key] = proposal
        created.add(text.key)
        counts["proposals"] += 1
    for key, status, answer, fraction in sorted(data.OFFICIAL_STEPS, key=lambda s: s[3]):
        if key in created:
            _official_step(session, made, key, status, answer, clock.at(fraction), facilitator)
            counts["proposal_official_steps"] += 1
    return counts


def _support(session: Session, proposal: Proposal, author: Person, n: int, published: datetime,
             until: datetime, cast: Cast, clock: Clock) -> int:
    supporters = cast.sample("proposal_supporters", n, until, exclude={author.user.id})
    moments = {}
    for person in supporters:
        if supports.support(session, proposal, person.user):
            moments[person.user.id] = clock.between(
                max(published + timedelta(minutes=30), person.first_at), until)
    rows = session.execute(select(ProposalSupport.id, ProposalSupport.user_id).where(
        ProposalSupport.proposal_id == proposal.id)).all()
    if rows:
        session.execute(update(ProposalSupport), [
            {"id": row_id, "created_at": moments.get(user_id, published)}
            for row_id, user_id in rows])
    return len(moments)


def _comment(session: Session, proposal: Proposal, author: Person, texts, published: datetime,
             cast: Cast, clock: Clock) -> int:
    posts, authors = [None], [author]
    moments = clock.spread(published + timedelta(hours=3), published + timedelta(days=20),
                           len(texts))
    for text, moment in zip(texts, moments):
        person = authors[text.author] if isinstance(text.author, int) else cast.pick(
            "proposals", text.author, moment, exclude={a.user.id for a in authors})
        answered = posts[text.reply_to].id if text.reply_to else None
        post = comments.add_comment(session, proposal, person.user, text.body, answered)
        post.created_at = moment
        post.thread.last_activity_at = moment
        posts.append(post)
        authors.append(person)
    return len(texts)


def _official_step(session: Session, made: dict[str, Proposal], key: str, status: str,
                   answer: str, moment: datetime, facilitator: User) -> None:
    proposal = made[key]
    if status.startswith("merged:"):
        target = made[status.split(":", 1)[1]]
        change = workflow.merge(session, proposal, target, facilitator, answer=answer)
        target.updated_at = moment
    else:
        change = workflow.change_status(session, proposal, facilitator, to_status=status,
                                        answer=answer)
    change.created_at = proposal.updated_at = moment
    if answer:
        proposal.answered_at = moment
    session.flush()
