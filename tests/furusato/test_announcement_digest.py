"""Furusato announcements reach the daily e-mail digest of the people who opted into it, and
only theirs (#13: "through Hiroba's notifications and e-mail digest")."""
from __future__ import annotations


from app.accounts.models import User
from app.forum import cli as forum_cli
from app.furusato import roster, services
from tests.furusato.helpers import build_map

BASE = "https://hiroba.example.jp/"


def _registrant(db, make, places, *, digest: bool, locale: str = "ja"):
    person = make.user(home_area=places.shinjuku, locale=locale)
    services.register(db.session, person, places.sapporo_programme, tier="basic",
                      tie_kind="visits", contact_consent=True)
    db.session.get(User, person.id).forum_email_digest = digest
    db.session.commit()
    return person


def test_an_announcement_is_in_the_digest_of_those_who_opted_in(app, db, make, outbox):
    places = build_map(make, db)
    reader = _registrant(db, make, places, digest=True, locale="en")
    _registrant(db, make, places, digest=False)
    sent = roster.announce(db.session, places.sapporo, title="雪まつりのボランティア募集",
                           text="2月に会場の案内をお願いします。", link="/furusato/",
                           announcement_key="snow-2027")
    db.session.commit()
    assert sent == 2  # both are notified on Hiroba
    assert forum_cli.send_digests(BASE) == 1
    [(to, subject, body)] = outbox
    assert to == reader.email
    assert subject == "Hiroba: 1 new notification"
    assert "Sapporo: 雪まつりのボランティア募集. 2月に会場の案内をお願いします。" in body
    assert f"{BASE}furusato/" in body
    assert forum_cli.send_digests(BASE) == 0  # once a day, whatever the kind


def test_without_the_opt_in_no_e_mail(app, db, make, outbox):
    places = build_map(make, db)
    _registrant(db, make, places, digest=False)
    roster.announce(db.session, places.sapporo, title="お知らせ", text="本文",
                    link="", announcement_key="plain")
    db.session.commit()
    assert forum_cli.send_digests(BASE) == 0 and outbox == []


def test_the_settings_page_names_every_notification(app, db, make):
    from tests.people import client_as

    person = make.user()
    page = client_as(app, person).get("/forum/settings").get_data(as_text=True)
    assert "E-mail digest of notifications" in page and "furusato" in page
