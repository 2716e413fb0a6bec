"""Hiroba application factory."""
from __future__ import annotations

import logging
import os
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, abort, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from config import CONFIGS, INSTANCE_DIR, ProductionConfig
from app.extensions import babel, csrf, db, limiter, login_manager, migrate

# The feature packages, in registration order. Each package's `register(app)` adds what it
# brings: its blueprints, commands, notification kinds, export sections and API paths. Nothing
# is registered as a side effect of importing a module.
MODULES = (
    "app.main",
    "app.accounts",
    "app.spaces",
    "app.admin",
    "app.areas",
    "app.representation",
    "app.api",
    "app.surveys",
    "app.notifications",
    "app.exports",
    "app.forum",
    "app.moderation",
    "app.proposals",
    "app.demo",
    "app.panels",
    "app.furusato",
)
# Packages not yet converted to register(app): their blueprint and command modules.
_LEGACY_PARTS = {
    "app.demo": ((), ("app.demo.cli",)),
}


def create_app(config_name: str = "development", overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    config_class = CONFIGS[config_name]
    if config_class is ProductionConfig:
        ProductionConfig.check()
    app.config.from_object(config_class)
    if overrides:
        app.config.update(overrides)
    _configure_host_and_proxies(app, production=config_class is ProductionConfig)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"))
    _configure_database_pool(app)

    _init_extensions(app)
    _register_modules(app)
    _register_request_hooks(app)
    from app.common import job_worker, jobs, unit_of_work

    jobs.install(app)  # before the unit of work: its status hook must see the final answer
    unit_of_work.install(app)  # one commit per request, none for a refused one
    app.cli.add_command(job_worker.cli)  # `flask jobs worker`
    from app.common import assets, http_cache, logs

    logs.configure(app)  # JSON lines in production; X-Request-ID on every response
    assets.install(app)  # fingerprinted static addresses, cached for a year
    http_cache.install(app)  # ETag and 304 for public data
    from app.common import fragments

    fragments.install(app)  # cached fragments for anonymous readers, after the code's version
    _register_template_helpers(app)
    from app.main.errors import register_error_handlers

    register_error_handlers(app)
    return app


def _configure_database_pool(app: Flask) -> None:
    """A server database gets a pool sized to the process's threads (DB_POOL_SIZE, overflow,
    recycle, timeout); explicit SQLALCHEMY_ENGINE_OPTIONS win. SQLite keeps its own pool."""
    uri = str(app.config.get("SQLALCHEMY_DATABASE_URI") or "")
    if not uri.startswith(("postgresql", "mysql", "mariadb")):
        return
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("pool_pre_ping", True)
    options.setdefault("pool_size", app.config["DB_POOL_SIZE"])
    options.setdefault("max_overflow", app.config["DB_MAX_OVERFLOW"])
    options.setdefault("pool_recycle", app.config["DB_POOL_RECYCLE"])
    options.setdefault("pool_timeout", app.config["DB_POOL_TIMEOUT"])
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _configure_host_and_proxies(app: Flask, production: bool) -> None:
    """The site's own address (HIROBA_BASE_URL) and the proxies in front of it.

    In production a request for any other Host is refused with 400 (Flask's TRUSTED_HOSTS), so
    a forged Host header can neither reach a page nor leak into a link. Behind TRUSTED_PROXIES
    reverse proxies, ProxyFix takes the client's address and scheme from the X-Forwarded-For /
    -Proto entries those proxies appended; X-Forwarded-Host is never trusted (nginx passes a
    client's own one through unless told otherwise)."""
    base_url = app.config.get("HIROBA_BASE_URL") or os.environ.get("HIROBA_BASE_URL") or ""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RuntimeError("HIROBA_BASE_URL must be an http(s) address such as "
                           "https://hiroba.example.lg.jp, not " + repr(base_url))
    app.config["HIROBA_BASE_URL"] = base_url
    if production and app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = [parts.hostname]
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies < 0:
        raise RuntimeError("TRUSTED_PROXIES must be 0 or more")
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0,
                                x_port=0, x_prefix=0)


def _select_locale() -> str:
    languages = ("ja", "en")
    if not has_request_context():  # CLI commands (cron alerts, digests) speak the default
        return "ja"
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return "ja"


def _init_extensions(app: Flask) -> None:
    import app.models as _all_models  # noqa: F401  (every model known before migrations look)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"),
                     render_as_batch=True, compare_type=True)
    babel.init_app(app, locale_selector=_select_locale,
                   default_translation_directories=str(Path(__file__).parent.parent / "translations"))
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None  # the login page itself says why
    login_manager.session_protection = "strong"

    from app.accounts.sessions import user_for_session_id

    @login_manager.user_loader
    def load_user(session_id: str):
        # "<id>:<session version>": a stale version, or an account deactivated (or deleted)
        # while logged in, loses its session at once.
        return user_for_session_id(db.session, session_id)


class _IdConverter(IntegerConverter):
    """`<int:...>` up to PostgreSQL's integer maximum: a larger number names nothing (404)
    instead of failing in the database (500)."""

    def __init__(self, map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)


def _register_modules(app: Flask) -> None:
    import importlib

    app.url_map.converters["int"] = _IdConverter  # before any rule is added
    for name in MODULES:
        package = importlib.import_module(name)
        if hasattr(package, "register"):
            package.register(app)
            continue
        blueprints, commands = _LEGACY_PARTS[name]
        for module in blueprints:
            app.register_blueprint(importlib.import_module(module).bp)
        for module in commands:
            app.cli.add_command(importlib.import_module(module).cli)


def _register_request_hooks(app: Flask) -> None:
    @app.url_value_preprocessor
    def refuse_nul_characters(endpoint, values):
        # PostgreSQL cannot store or even compare text holding NUL, and no honest form sends
        # one: refuse it here, before the blueprints' own preprocessors look a slug up.
        fields = (*request.args.items(multi=True), *request.form.items(multi=True))
        if "\x00" in request.path or any("\x00" in k or "\x00" in v for k, v in fields):
            abort(400)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'self'",
        )
        return response


def _register_template_helpers(app: Flask) -> None:
    from app.common.time import to_jst
    from app.common.urls import return_path

    # No `markdown` filter: user Markdown is rendered when written and templates show the stored
    # SanitisedHtml columns (app/common/stored_html.py).
    app.jinja_env.filters["jst"] = lambda dt, fmt="%Y-%m-%d %H:%M": to_jst(dt).strftime(fmt) if dt else ""
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def inject_globals():
        return {"current_locale": str(get_locale()), "request_path": return_path(
            app.url_map.bind(request.host), request.method, request.path,
            request.query_string.decode("latin-1"), request.referrer)}
