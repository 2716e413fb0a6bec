"""The layering rules of docs/architecture.md, checked on the source.

- View modules never roll back: the unit of work does (app/common/unit_of_work.py).
- Every form derives from app.common.forms.Form, so every refusal is a 422 that writes nothing.
- Domain modules (services and the modules beside them) import no Flask: they take the session
  and whatever else they need as arguments.
"""
from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

from flask_wtf import FlaskForm

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"

# The web layer: modules that may import Flask. Everything else under app/ is domain code.
WEB_LAYER_NAMES = {"__init__.py", "views.py", "forms.py", "api.py", "cli.py", "alerts_cli.py"}
WEB_LAYER_FILES = {
    "app/extensions.py",
    "app/accounts/permissions.py",     # the decorators read current_user and answer 403
    "app/accounts/registration_views.py",
    "app/api/common.py",
    "app/common/assets.py",            # fingerprints static URLs and sets their cache headers
    "app/common/forms.py",
    "app/common/http_cache.py",        # ETag and 304 of a request
    "app/common/fragments.py",         # cached fragments of a request's page
    "app/common/jobs.py",              # runs work after the response
    "app/common/job_worker.py",        # the RQ worker and its command
    "app/exports/jobs.py",             # the export job: config, the asker's language
    "app/common/logs.py",              # request ids and JSON log lines of a request
    "app/common/mail.py",
    "app/common/markdown.py",          # returns Markup for templates
    "app/common/unit_of_work.py",
    "app/common/urls.py",
    "app/common/warm.py",              # compiles the templates and reads the catalogs of the app
    "app/main/errors.py",
    "app/health/checks.py",
    "app/health/outage.py",
    "app/notifications/kinds.py",      # renderers translate at display time, in a request
    "app/spaces/scoping.py",
    "app/accounts/mail.py",            # builds links and renders the mail templates
    "app/accounts/web_sessions.py",    # logs people in and out of the Flask session
    "app/proposals/manage.py",         # the facilitators' views of proposals
    "app/proposals/pages.py",          # loaders and template helpers of the proposals views
    "app/proposals/notifications.py",  # renderers, at display time
    "app/furusato/manage.py",          # the municipality's staff views of its register
    "app/furusato/notifications.py",   # renderers, at display time
    "app/surveys/loaders.py",          # the surveys views' URL loaders (404)
    "app/representation/labels.py",    # category labels in the reader's language
    "app/representation/presenters.py",  # what the dashboard template reads, translated
    "app/representation/prefecture_present.py",  # the prefecture page's cells, translated
}
FLASK_PACKAGES = ("flask", "flask_babel", "flask_login", "flask_wtf", "werkzeug")
# Plain library code that happens to live in those packages: password hashing, and the
# UserMixin the account model carries for Flask-Login.
ALLOWED_IMPORTS = {"werkzeug.security", "flask_login"}


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _is_web_layer(path: Path) -> bool:
    return (path.name in WEB_LAYER_NAMES or path.name.endswith("_views.py")
            or _rel(path) in WEB_LAYER_FILES or "templates" in path.parts)


def _flask_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level
                 else [])
        found += [n for n in names
                  if n.split(".")[0] in FLASK_PACKAGES and n not in ALLOWED_IMPORTS]
    return found


def test_domain_modules_import_no_flask():
    offenders = {_rel(p): _flask_imports(p) for p in sorted(APP.rglob("*.py"))
                 if not _is_web_layer(p)}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_view_modules_never_roll_back():
    views = [p for p in APP.rglob("*.py") if p.name == "views.py" or p.name.endswith("_views.py")
             or p.name == "api.py"]
    assert views
    assert [_rel(p) for p in views if "rollback(" in p.read_text(encoding="utf-8")] == []


def test_every_form_derives_from_the_base_form():
    from app.common.forms import Form

    strays = []
    for path in sorted(APP.rglob("forms.py")):
        module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and issubclass(cls, FlaskForm) \
                    and not issubclass(cls, Form):
                strays.append(f"{module.__name__}.{name}")
    assert strays == []
