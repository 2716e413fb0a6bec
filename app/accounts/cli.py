"""`flask users ...`: account commands for operators."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.accounts import services
from app.common.errors import DomainError
from app.common.text import normalize_email
from app.extensions import db

cli = AppGroup("users", help="Manage user accounts.")
# Which option a refusal of the services is about (DomainError.field names the form field).
_OPTIONS = {"email": "--email", "password": "--password", "display_name": "--display-name"}


@cli.command("create-admin")
@click.option("--email", help="E-mail address of the administrator.")
@click.option("--password", help="Password for a new account (prompted, hidden, when missing).")
@click.option("--display-name", help="Name shown to others (prompted when missing).")
def create_admin(email: str | None, password: str | None, display_name: str | None) -> None:
    """Create an administrator, or make an existing account one."""
    email = normalize_email(email or click.prompt("E-mail"))
    if services.email_problem(email) is not None:
        raise click.BadParameter("not a valid e-mail address", param_hint="--email")
    user = services.find_user_by_email(db.session, email)
    if user is not None:
        if not user.is_active:
            raise click.ClickException(f"{email} belongs to an inactive account; not changed.")
        if services.grant_role(db.session, user, "admin"):
            db.session.commit()
            click.echo(f"{email} already had an account and is now an administrator "
                       "(password unchanged).")
        else:
            click.echo(f"{email} is already an administrator; nothing to do.")
        return

    display_name = display_name or click.prompt("Display name")
    password = password or click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = services.register_user(db.session, email=email, password=password,
                                      display_name=display_name, home_area=None)
    except DomainError as error:
        # Operators read the services' English messages (str(error)), untranslated.
        raise click.BadParameter(str(error), param_hint=_OPTIONS.get(error.field)) from None
    services.grant_role(db.session, user, "admin")
    db.session.commit()
    click.echo(f"Administrator {email} created.")
