"""Counters stay equal to the real counts under concurrent requests: many people reply, delete
and react at the same moment, each in their own thread with their own test client (and so their
own app context and database session). Runs on SQLite and on PostgreSQL."""
from __future__ import annotations

import re
import threading

from app.forum.models import Post, Reaction, Thread
from app.representation.models import Participation
from tests.forum.helpers import (counts, forum_url, open_thread, opening_post, real_reaction_count, real_reply_count)
from tests.people import client_for

WORKERS = 6
REPLIES_EACH = 4


def _run_all(targets) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(targets))

    def wrap(target):
        def run():
            try:
                barrier.wait(timeout=30)
                target()
            except BaseException as error:  # reported to the main thread below
                errors.append(error)
        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


def test_concurrent_replies_deletes_and_reactions_keep_counters_exact(app, db, make, world):
    thread = open_thread(db, world.space, world.author)
    opening = opening_post(db, thread)
    # Plain values only: ORM objects of the main thread's session must not be touched in workers.
    space_id, thread_id, opening_id = world.space.id, thread.id, opening.id
    base = forum_url(world.space)
    people = [make.user(f"crowd{n}@example.jp") for n in range(WORKERS)]
    clients = [client_for(app, world, "anonymous") for _ in people]
    from tests.conftest import login

    for client, person in zip(clients, people):
        login(client, person.email)
    # Two tabs of one person toggling the same reaction at the same time.
    twin_tabs = [client_for(app, world, "participant") for _ in range(2)]

    def replier(client):
        def work():
            posted = []
            for n in range(REPLIES_EACH):
                response = client.post((base + f"threads/{thread_id}/reply"),
                                       data={"body": f"同時の返信 {n}"})
                assert response.status_code == 302, response.status_code
                posted.append(int(re.search(r"#post-(\d+)", response.headers["Location"])[1]))
                react = client.post((base + f"posts/{opening_id}/react"),
                                    data={"kind": ("agree", "disagree", "helpful")[n % 3]})
                assert react.status_code == 303
            deleted = client.post((base + f"posts/{posted[0]}/delete"),
                                  data={"confirm": "yes"})
            assert deleted.status_code == 302, deleted.status_code
        return work

    def toggler(client):
        def work():
            for _ in range(3):
                assert client.post((base + f"posts/{opening_id}/react"),
                                   data={"kind": "helpful"}).status_code == 303
        return work

    errors = _run_all([replier(c) for c in clients] + [toggler(c) for c in twin_tabs])
    assert not errors, errors

    db.session.expire_all()
    thread = db.session.get(Thread, thread_id)
    assert counts(db, Post, thread_id=thread_id) == 1 + WORKERS * REPLIES_EACH
    assert thread.reply_count == real_reply_count(db, thread_id) == WORKERS * (REPLIES_EACH - 1)
    opening = db.session.get(Post, opening_id)
    for kind in ("agree", "disagree", "helpful"):
        assert opening.reaction_count(kind) == real_reaction_count(db, opening_id, kind), kind
    # Reactions by n: agree (n=0, 3), disagree (n=1), helpful (n=2): agree toggled twice → off.
    assert opening.agree_count == 0 and opening.disagree_count == WORKERS
    # helpful: once by each crowd member, and six toggles (an even number) by the twin tabs.
    assert opening.helpful_count == WORKERS
    assert counts(db, Reaction, user_id=world.participant.id) == 0
    # Each person is in the ledger exactly once, however many requests raced.
    # (the author, the crowd, and the participant of the two tabs).
    assert counts(db, Participation, space_id=space_id) == 2 + WORKERS
