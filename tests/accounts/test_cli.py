"""`flask users create-admin`."""
from __future__ import annotations

from sqlalchemy import select

from app.accounts.cli import cli as users_cli
from app.accounts.models import User
from tests.conftest import TEST_PASSWORD, login


def _user(db, email):
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def test_create_admin_with_options(app, db, client):
    result = app.test_cli_runner().invoke(users_cli, [
        "create-admin", "--email", "ＡＤＭＩＮ＠example.jp", "--password", "an admin passphrase",
        "--display-name", "管理者"])
    assert result.exit_code == 0, result.output
    assert "Administrator admin@example.jp created." in result.output
    user = _user(db, "admin@example.jp")
    assert user.is_admin and user.display_name == "管理者" and user.home_area_id is None
    login(client, "admin@example.jp", "an admin passphrase")


def test_create_admin_prompts_for_what_is_missing(app, db):
    result = app.test_cli_runner().invoke(
        users_cli, ["create-admin"],
        input="admin@example.jp\n管理者\nan admin passphrase\nan admin passphrase\n")
    assert result.exit_code == 0, result.output
    assert _user(db, "admin@example.jp").is_admin


def test_create_admin_promotes_an_existing_user_once(app, db, make):
    make.user("taro@example.jp")
    runner = app.test_cli_runner()
    first = runner.invoke(users_cli, ["create-admin", "--email", "taro@example.jp"])
    assert first.exit_code == 0 and "is now an administrator" in first.output
    second = runner.invoke(users_cli, ["create-admin", "--email", "taro@example.jp"])
    assert second.exit_code == 0 and "already an administrator" in second.output
    user = _user(db, "taro@example.jp")
    assert user.is_admin and len(user.roles) == 1
    from werkzeug.security import check_password_hash
    assert check_password_hash(user.password_hash, TEST_PASSWORD)  # unchanged


def test_create_admin_refuses_bad_input_clearly(app, db, make):
    runner = app.test_cli_runner()
    weak = runner.invoke(users_cli, ["create-admin", "--email", "a@example.jp",
                                     "--password", "short", "--display-name", "A"])
    assert weak.exit_code != 0 and "at least 10 characters" in weak.output
    bad_email = runner.invoke(users_cli, ["create-admin", "--email", "not-an-email"])
    assert bad_email.exit_code != 0 and "not a valid e-mail address" in bad_email.output
    assert db.session.scalar(select(User)) is None
    inactive = make.user("gone@example.jp")
    inactive.active = False
    db.session.commit()
    refused = runner.invoke(users_cli, ["create-admin", "--email", "gone@example.jp"])
    assert refused.exit_code != 0 and "inactive" in refused.output
    assert not _user(db, "gone@example.jp").is_admin
