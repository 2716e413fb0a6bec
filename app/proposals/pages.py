"""What the pages of the proposals blueprint share (views.py for everyone, manage.py for the
facilitators): the loaders that `require` calls with the URL's numbers, the words for statuses,
the reader's locale, and the helpers every template of the blueprint is drawn with."""
from __future__ import annotations

from functools import wraps

from flask import abort, flash, g, redirect, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import (can_delete_post, can_edit_post, can_flag_post,
                                      can_manage_proposals, can_see_hidden_post,
                                      can_view_proposal)
from app.common.unit_of_work import refuse
from app.extensions import db
from app.forum import services as forum
from app.forum.models import REACTION_KINDS
from app.proposals import services
from app.proposals.forms import STATUS_LABELS

# --- loaders for require() --------------------------------------------------------------------


def visible_proposal(proposal_id: int, *, details: bool = True):
    """The proposal of this space if the visitor may see it, else None (404): a draft of
    someone else is as absent as a proposal of another space."""
    proposal = services.get_proposal(db.session, g.space, proposal_id, details=details)
    if proposal is None or not can_view_proposal(current_user, proposal):
        return None
    return proposal


def visible_proposal_row(proposal_id: int):
    """As visible_proposal, without what only the proposal's page shows: for the support and
    its withdrawal, which answer with a redirect."""
    return visible_proposal(proposal_id, details=False)


def published_proposal(proposal_id: int):
    """The published proposal of this space (in any public status), else None (404)."""
    proposal = services.get_proposal(db.session, g.space, proposal_id)
    return None if proposal is None or proposal.is_draft else proposal


def category_in_space(category_id: int):
    """The category of this space, else None (404), also for a category of another space."""
    return services.get_category(db.session, g.space, category_id)


# --- the visitor's way to a page --------------------------------------------------------------

def log_in_back_to_proposal(view):
    """For the actions on a proposal's page (support, comment): a visitor who is not logged in
    is sent to log in and then back to the proposal, not to the action's address (a POST a
    browser cannot repeat). A proposal they may not see stays not found."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            proposal = visible_proposal(kwargs["proposal_id"])
            if proposal is None:
                abort(404)
            return redirect(url_for("accounts.login",
                                    next=url_for(".detail", proposal_id=proposal.id)))
        return view(*args, **kwargs)
    return wrapper


def draft_only(view):
    """The author's pages of a draft (edit, preview, publish, delete): once it is published,
    the author is sent to its page with a notice instead."""
    @wraps(view)
    def wrapper(*args, proposal, **kwargs):
        if not proposal.is_draft:
            flash(_("A published proposal can no longer be edited."), "error")
            refuse()
            return redirect(url_for(".detail", proposal_id=proposal.id))
        return view(*args, proposal=proposal, **kwargs)
    return wrapper


# --- words and helpers of the templates -------------------------------------------------------

def locale() -> str:
    return str(get_locale() or "ja")


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def reaction_label(kind: str) -> str:
    """The forum's words for its reactions (comments are forum posts)."""
    return {"agree": _("Agree"), "disagree": _("Disagree"), "helpful": _("Helpful")}[kind]


def template_helpers() -> dict:
    """What the blueprint's templates use. Comments are drawn with the forum's own post
    component (forum/_post.html), which asks its page for the forum's permission rules, its
    reaction kinds and whether a post may still be edited: they are given here, from their
    owners, rather than borrowed from the forum blueprint's context."""
    space = g.get("space")
    return {
        "space": space, "status_label": status_label, "locale": locale(),
        "can_manage": can_manage_proposals(current_user, space) if space else False,
        "reaction_kinds": REACTION_KINDS, "reaction_label": reaction_label,
        "can_edit_post": can_edit_post, "can_delete_post": can_delete_post,
        "can_flag_post": can_flag_post, "can_see_hidden_post": can_see_hidden_post,
        "edit_window_open": forum.edit_window_open,
    }
