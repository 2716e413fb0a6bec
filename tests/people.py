"""People of the tests: one world with a person per role, and one client that is one person.

Every module's tests build the same world (a space, a second space, and one person per role) and
log in the same way, so an access test of any module reads like any other."""
from __future__ import annotations

from dataclasses import dataclass

from flask import g, has_app_context
from flask.testing import FlaskClient

# Every role a test can act as; an access test walks the ones it has expectations for.
ROLES = ("anonymous", "participant", "author", "other_facilitator", "facilitator", "moderator",
         "admin")


@dataclass
class RoleWorld:
    space: object
    other_space: object
    participant: object
    author: object
    other_facilitator: object
    facilitator: object
    moderator: object
    admin: object

    def person(self, role: str):
        """The person of `role`; None for anonymous."""
        return None if role == "anonymous" else getattr(self, role)


def role_world(make, slug: str = "kita-plan", *, title: str | None = "北区のまちづくり",
               moderator_everywhere: bool = False, participant_profile: dict | None = None,
               **space_fields) -> RoleWorld:
    """A space (`slug`) and another one, with one person per role: a participant (with the
    demographic answers of `participant_profile`, if any), an author, a facilitator of each
    space, a moderator (of the space, or of every space), and an admin."""
    if title is not None:
        space_fields["title"] = title
    space = make.space(slug, **space_fields)
    other = make.space(f"{slug}-other", title="別の場")
    return RoleWorld(
        space=space,
        other_space=other,
        participant=make.user("part@example.jp", display_name="参加 花子",
                              **(participant_profile or {})),
        author=make.user("author@example.jp", display_name="投稿 太郎"),
        other_facilitator=make.user("ofac@example.jp", display_name="他の進行役",
                                    roles=(f"facilitator:{other.id}",)),
        facilitator=make.user("fac@example.jp", display_name="進行 役",
                              roles=(f"facilitator:{space.id}",)),
        moderator=make.user("mod@example.jp", display_name="管理 人",
                            roles=("moderator",) if moderator_everywhere else (f"moderator:{space.id}",)),
        admin=make.user("admin@example.jp", display_name="運営", roles=("admin",)),
    )


class PersonClient(FlaskClient):
    """A test client that is one person. The `db` fixture keeps an app context open for the
    whole test and Flask reuses it for every request, so `g` (Flask-Login's cached user,
    Flask-Babel's locale, the unit of work's refusal mark) would leak from one request, or one
    client, into the next. Production has a fresh `g` per request; so does this client."""

    def open(self, *args, **kwargs):
        if has_app_context():
            for name in list(vars(g)):
                delattr(g, name)
        return super().open(*args, **kwargs)


def log_in(client, user) -> None:
    """Make `client` act as `user` without the deliberately slow password check (the login form
    has its own tests, through `tests.conftest.login`): the session keys Flask-Login's
    login_user() writes, computed for this client's address and browser."""
    app = client.application
    with app.test_request_context(environ_base=client.environ_base):
        identifier = app.login_manager._session_identifier_generator()
    with client.session_transaction() as session:
        session.update({"_user_id": str(user.id), "_fresh": True, "_id": identifier})


def client_as(app, who=None, *, locale: str | None = "en") -> PersonClient:
    """A new client that is `who` (a user, or the e-mail address of one; None: not logged in),
    reading in `locale` (None: the default, Japanese)."""
    client = PersonClient(app, app.response_class, use_cookies=True)
    if locale:
        with client.session_transaction() as session:
            session["locale"] = locale   # what the language switch stores
    if isinstance(who, str):
        who = _user_by_email(who)
    if who is not None:
        log_in(client, who)
    return client


def _user_by_email(email: str):
    from sqlalchemy import select

    from app.accounts.models import User
    from app.extensions import db

    user = db.session.scalar(select(User).where(User.email == email))
    assert user is not None, f"no user {email}"
    return user


def client_for(app, world: RoleWorld, role: str, *, locale: str | None = "en") -> PersonClient:
    """A new client that is the world's person of `role`."""
    return client_as(app, world.person(role), locale=locale)
