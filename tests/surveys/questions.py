"""Plain stand-ins for survey questions (no database), and what the answer checker says of a form."""
from __future__ import annotations

from types import SimpleNamespace

from werkzeug.datastructures import MultiDict

from app.surveys.answering import check, parse


def opt(i, label="o"):
    return SimpleNamespace(id=i, label=f"{label}{i}")


def question(qid=1, kind="single", **kw):
    defaults = dict(id=qid, kind=kind, required=False, allow_other=False, min_choices=None,
                    max_choices=None, scale_points=None, min_value=None, max_value=None,
                    integer_only=True, show_if_option_id=None, options=[])
    defaults.update(kw)
    return SimpleNamespace(**defaults)


def problem_of(q, form):
    p = check(q, parse(q, MultiDict(form)))
    return p.code if p else None
