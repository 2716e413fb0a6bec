"""Work a server process would otherwise do on its first requests, done once in the master
before gunicorn forks its workers (gunicorn.conf.py, when_ready), so that every worker, the
first ones and each recycled one, starts with it done: the mappers configured, every template
compiled, the message catalogs of every language read. No database, no network."""
from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import configure_mappers


def page_templates(app: Flask) -> list[str]:
    """The templates pages and e-mails are drawn from (not the static files beside them)."""
    return app.jinja_env.list_templates(filter_func=lambda n: n.endswith((".html", ".txt")))


def warm(app: Flask) -> int:
    """Returns how many templates were compiled."""
    configure_mappers()
    templates = page_templates(app)
    for name in templates:
        app.jinja_env.get_template(name)
    from flask_babel import force_locale, get_translations

    for locale in app.config.get("LANGUAGES", ("ja", "en")):
        with app.test_request_context(), force_locale(locale):
            get_translations()
    return len(templates)
