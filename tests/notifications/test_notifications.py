"""Notifications: idempotent creation, the page, the header count, marking read, ownership."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db as _db
from app.notifications import services
from app.notifications.kinds import RenderedNotification, register_kind, render
from app.notifications.models import Notification
from tests.conftest import login
from tests.dom import csrf_token


def _count(session, **where):
    return session.scalar(select(func.count()).select_from(Notification).filter_by(**where))


def test_notify_dedupes_by_key(db, make):
    user = make.user()
    assert services.notify(db.session, user.id, "test", {"a": 1}, dedupe_key="k1") is True
    assert services.notify(db.session, user.id, "test", {"a": 2}, dedupe_key="k1") is False
    assert services.notify(db.session, user.id, "test", {"a": 3}) is True
    assert services.notify(db.session, user.id, "test", {"a": 4}) is True  # no key: no dedupe
    db.session.commit()
    assert _count(db.session, user_id=user.id) == 3
    first = db.session.scalar(select(Notification).where(Notification.dedupe_key == "k1"))
    assert first.payload == {"a": 1}  # the first one stays


def test_same_key_for_another_person_is_separate(db, make):
    a, b = make.user(), make.user()
    assert services.notify(db.session, a.id, "test", {}, dedupe_key="same")
    assert services.notify(db.session, b.id, "test", {}, dedupe_key="same")
    db.session.commit()
    assert _count(db.session) == 2


def test_notify_validates(db, make):
    user = make.user()
    with pytest.raises(ValueError):
        services.notify(db.session, user.id, "", {})
    with pytest.raises(ValueError):
        services.notify(db.session, user.id, "x" * 41, {})
    with pytest.raises(ValueError):
        services.notify(db.session, user.id, "test", {}, dedupe_key="k" * 121)


def test_concurrent_notify_with_same_key_writes_once(app, db, make):
    user_id = make.user().id  # read here: the ORM object belongs to this thread's session
    barrier = threading.Barrier(4)
    errors = []

    def worker():
        with app.app_context():
            try:
                barrier.wait()
                services.notify(_db.session, user_id, "test", {}, dedupe_key="race")
                _db.session.commit()
            except Exception as exc:  # collected and asserted below
                errors.append(exc)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _count(db.session, user_id=user_id) == 1


def test_notifications_deleted_with_the_user(db, make):
    # ON DELETE CASCADE on both databases: SQLite's foreign keys are on (app/extensions.py)
    user = make.user()
    services.notify(db.session, user.id, "test", {})
    db.session.commit()
    db.session.delete(user)
    db.session.commit()
    assert _count(db.session) == 0


def test_mark_read_and_counts(db, make):
    user, other = make.user(), make.user()
    for i in range(3):
        services.notify(db.session, user.id, "test", {"i": i})
    services.notify(db.session, other.id, "test", {})
    db.session.commit()
    assert services.unread_count(db.session, user.id) == 3
    mine = db.session.scalars(select(Notification.id).where(Notification.user_id == user.id)).all()
    theirs = db.session.scalar(select(Notification.id).where(Notification.user_id == other.id))
    assert services.mark_read(db.session, user.id, mine[0]) is True
    assert services.mark_read(db.session, user.id, theirs) is False  # not mine
    assert services.unread_count(db.session, user.id) == 2
    assert services.mark_all_read(db.session, user.id) == 2
    assert services.unread_count(db.session, user.id) == 0
    assert services.unread_count(db.session, other.id) == 1


def test_renderer_registry_and_fallback(app):
    register_kind("test_kind", lambda p: RenderedNotification(f"Hello {p['name']}", "/x"))
    with app.test_request_context():
        assert render("test_kind", {"name": "A"}) == RenderedNotification("Hello A", "/x")
        # a payload the renderer cannot read, and an unknown kind: a neutral message, no error
        assert render("test_kind", {}).url is None
        assert render("never_registered", {}).message


def test_page_requires_login(client):
    r = client.get("/notifications/")
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]
    assert client.post("/notifications/read-all").status_code == 302


def test_page_lists_and_header_counts(client, db, make):
    register_kind("test_kind", lambda p: RenderedNotification(f"Message {p['n']}", "/spaces/"))
    user = make.user()
    for n in range(3):
        services.notify(db.session, user.id, "test_kind", {"n": n})
    db.session.commit()
    login(client, user.email)
    client.get("/lang/en")
    html = client.get("/notifications/").get_data(as_text=True)
    assert "Notifications (3" in html  # header
    assert "3 unread notifications" in html
    for n in range(3):
        assert f"Message {n}" in html
    r = client.post("/notifications/read-all")
    assert r.status_code == 302
    html = client.get("/notifications/").get_data(as_text=True)
    assert "Notifications (" not in html
    assert "0 unread notifications" in html
    assert "Mark all as read" not in html


def test_open_marks_read_and_follows_the_link(client, db, make):
    register_kind("test_kind", lambda p: RenderedNotification("m", p["url"]))
    user = make.user()
    services.notify(db.session, user.id, "test_kind", {"url": "/spaces/abc/"})
    services.notify(db.session, user.id, "test_kind", {"url": "https://evil.example/"})
    db.session.commit()
    ids = db.session.scalars(select(Notification.id).order_by(Notification.id)).all()
    login(client, user.email)
    r = client.post(f"/notifications/{ids[0]}/open")
    assert r.status_code == 302 and r.headers["Location"] == "/spaces/abc/"
    r = client.post(f"/notifications/{ids[1]}/open")
    assert r.headers["Location"] == "/notifications/"  # never an off-site redirect
    db.session.expire_all()
    assert services.unread_count(db.session, user.id) == 0


def test_cannot_touch_someone_elses_notification(client, db, make):
    owner, intruder = make.user(), make.user()
    services.notify(db.session, owner.id, "test", {})
    db.session.commit()
    nid = db.session.scalar(select(Notification.id))
    login(client, intruder.email)
    assert client.post(f"/notifications/{nid}/read").status_code == 404
    assert client.post(f"/notifications/{nid}/open").status_code == 404
    client.post("/notifications/read-all")
    db.session.expire_all()
    assert services.unread_count(db.session, owner.id) == 1


def test_mark_one_read_from_the_page(client, db, make):
    user = make.user()
    services.notify(db.session, user.id, "test", {})
    db.session.commit()
    nid = db.session.scalar(select(Notification.id))
    login(client, user.email)
    r = client.post(f"/notifications/{nid}/read", data={"page": "1"})
    assert r.status_code == 302
    db.session.expire_all()
    assert services.unread_count(db.session, user.id) == 0


def test_pagination(client, db, make, app):
    user = make.user()
    per_page = app.config["PER_PAGE"]
    for n in range(per_page + 2):
        services.notify(db.session, user.id, "test", {"n": n})
    db.session.commit()
    login(client, user.email)
    client.get("/lang/en")
    html = client.get("/notifications/").get_data(as_text=True)
    assert html.count('class="notification ') + html.count('class="notification"') == per_page
    assert "Page 1 of 2" in html
    html = client.get("/notifications/?page=2").get_data(as_text=True)
    assert html.count("notification-message") == 2


def test_csrf_is_required(app, client, db, make):
    user = make.user()
    services.notify(db.session, user.id, "test", {})
    db.session.commit()
    login(client, user.email)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post("/notifications/read-all").status_code == 400
        html = client.get("/notifications/").get_data(as_text=True)
        token = csrf_token(html)
        assert client.post("/notifications/read-all", data={"csrf_token": token}).status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
