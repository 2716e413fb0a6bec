"""Authorisation in one place. Each action names its rule here; views use the decorators, services
may call the predicates. Anonymous users are sent to log in, logged-in users without the right get
403."""
from __future__ import annotations

import inspect
from functools import wraps
from typing import Callable

from flask import abort, g
from flask_login import current_user

from app.extensions import login_manager


def is_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_admin)


def can_facilitate(user, space) -> bool:
    """Facilitators of the space, global facilitators and admins."""
    return bool(user and user.is_authenticated and user.has_role("facilitator", space.id))


def can_moderate(user, space=None) -> bool:
    """Moderators of the space or site-wide, and admins."""
    return bool(user and user.is_authenticated
                and user.has_role("moderator", space.id if space is not None else None))


def can_create_space(user) -> bool:
    """Any facilitator (of some space or globally) may open a new space."""
    return bool(user and user.is_authenticated
                and (user.is_admin or any(r.role == "facilitator" for r in user.roles)))


def can_change_locked_age_settings(user) -> bool:
    """Once a space has participants, its minimum age and youth band are changed only by admins:
    a facilitator who moved them step by step and read the age x gender table each time would
    learn people's birth years. Admins' changes are audited and shown beside the figures."""
    return is_admin(user)


def can_reach_space_by_number(user, space) -> bool:
    """An unlisted space is found through its address only. Where a page or the API is reached
    by a number alone (a post's flag form, a proposal in the API), an unlisted space counts only
    for its team (facilitators, moderators, admins) and the people who took part in it; for
    everyone else it is as absent as a number nobody has, so walking numbers reveals no
    unlisted address or title."""
    if space.visibility == "public":
        return True
    if not (user and user.is_authenticated):
        return False
    if user.has_role("facilitator", space.id) or user.has_role("moderator", space.id):
        return True
    from sqlalchemy import select

    from app.extensions import db
    from app.representation.models import Participation

    return db.session.scalar(select(Participation.id).where(
        Participation.space_id == space.id, Participation.user_id == user.id).limit(1)) is not None


def can_copy_space(user, space) -> bool:
    """Copying a space as a template: its facilitators, and anyone who may create spaces when
    the source is public (good practice spreads to other municipalities)."""
    return can_facilitate(user, space) or (space.visibility == "public" and can_create_space(user))


# --- forum and moderation ----------------------------------------------------------------

def _authenticated(user) -> bool:
    return bool(user and user.is_authenticated)


def can_write_forum(user, space) -> bool:
    """Logged in and not blocked from the space (or site-wide). Whether the space's phase
    accepts input is a state of the space, checked by the forum services with a notice."""
    if not _authenticated(user):
        return False
    from app.extensions import db
    from app.moderation.services import is_blocked

    return not is_blocked(db.session, user, space)


def _stands_for_its_page(post) -> bool:
    """The opening post of a thread that carries another module's comments (a proposal's) is a
    copy of that item: it is changed on the item's own page, never in the forum."""
    return post.is_opening and post.thread.module != "forum"


def can_edit_post(user, post) -> bool:
    """Only the author edits their own post (within the edit window, checked by the service)."""
    return (_authenticated(user) and post.author_id == user.id and post.deleted_at is None
            and not _stands_for_its_page(post))


def can_delete_post(user, post) -> bool:
    """Only the author deletes their own post."""
    return (_authenticated(user) and post.author_id == user.id and post.deleted_at is None
            and not _stands_for_its_page(post))


def can_manage_threads(user, space) -> bool:
    """Pin, lock and close threads: the space's facilitators."""
    return can_facilitate(user, space)


def can_flag_post(user, post) -> bool:
    """Anyone logged in, except on their own post."""
    return _authenticated(user) and post.author_id != user.id


def can_see_hidden_post(user, post) -> bool:
    """The author (to see why) and the moderators of the post's space."""
    return _authenticated(user) and (post.author_id == user.id
                                     or can_moderate(user, post.thread.space))


def can_use_moderation_queue(user) -> bool:
    """Moderators of any space, site-wide moderators and admins."""
    return _authenticated(user) and any(r.role in ("moderator", "admin") for r in user.roles)


def can_block_site_wide(user) -> bool:
    """Blocking someone from the whole site: site-wide moderators and admins."""
    return can_moderate(user, None)


def can_block_user(user, person, space) -> bool:
    """Blocking `person` from `space`: its moderators, never themselves nor another moderator
    or admin of that space (roles are changed by admins, not by blocks)."""
    return (can_moderate(user, space) and person is not None and person.id != user.id
            and not person.has_role("moderator", space.id))


# --- proposals ---------------------------------------------------------------------------

def can_manage_proposals(user, space) -> bool:
    """Answer proposals officially, move them through the workflow, merge them, export them and
    set the space's threshold and categories: the space's facilitators."""
    return can_facilitate(user, space)


def is_proposal_author(user, proposal) -> bool:
    return _authenticated(user) and proposal.author_id is not None \
        and proposal.author_id == user.id


def can_view_proposal(user, proposal) -> bool:
    """A published proposal: everyone who can see the space; a draft: only its author."""
    return proposal.status != "draft" or is_proposal_author(user, proposal)


def can_edit_proposal(user, proposal) -> bool:
    """Edit, preview, publish or delete: the author, while it is a draft."""
    return proposal.status == "draft" and is_proposal_author(user, proposal)


def _deny():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    abort(403)


def admin_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not is_admin(current_user):
            return _deny()
        return view(*args, **kwargs)
    return wrapper


def require(rule: Callable[..., bool], /, **loaders: Callable) -> Callable:
    """The one authorisation decorator: load what the URL names, then ask `rule` about it.

    `@require(can_facilitate)` asks about the space the blueprint loaded (`g.space`).
    `@require(can_edit_post, post=post_from_url)` calls `post_from_url` with the URL values it
    names (e.g. `post_id`), answers 404 when it returns None, asks `can_edit_post(user, post)`,
    and passes `post=` to the view in place of those values (the way indico's handlers split
    loading the arguments from checking access). With several loaders the rule gets every
    loaded object, in order. Anonymous people are sent to log in; others without the right get
    403."""
    parameters = {name: tuple(inspect.signature(load).parameters)
                  for name, load in loaders.items()}

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            loaded = {}
            for name, load in loaders.items():
                obj = load(**{p: kwargs.pop(p) for p in parameters[name] if p in kwargs})
                if obj is None:
                    abort(404)
                loaded[name] = obj
            subjects = tuple(loaded.values()) if loaders else (getattr(g, "space", None),)
            if not rule(current_user, *subjects):
                return _deny()
            return view(*args, **kwargs, **loaded)
        return wrapper
    return decorator


# --- surveys -----------------------------------------------------------------------------

def can_manage_surveys(user, space) -> bool:
    """Build, open, close, copy into, and read every result of the space's surveys: its
    facilitators."""
    return can_facilitate(user, space)


def can_manage_survey(user, survey) -> bool:
    return can_manage_surveys(user, survey.space)


def can_reach_surveys(user, space) -> bool:
    """The space's surveys while the module is on; switched off, its managers still reach them
    (to prepare surveys before switching it on)."""
    return bool(space.surveys_enabled) or can_manage_surveys(user, space)


def can_view_survey(user, survey) -> bool:
    """Published surveys are seen by everyone who can see the space, while its surveys are on;
    drafts by its managers only."""
    return can_manage_survey(user, survey) or (bool(survey.published)
                                               and bool(survey.space.surveys_enabled))


def can_view_survey_results(user, survey) -> bool:
    """Managers always; everyone else as the survey's results visibility allows (by default
    once it has closed, never when the facilitators keep them private)."""
    return can_manage_survey(user, survey) or survey.results_open_to_all()


def can_read_survey_results_by_number(user, survey) -> bool:
    """The API reaches a survey by its number alone: its managers, and everyone once the
    results are open to all in a public space whose surveys are on (never for an unlisted
    space, whose slug and title walking the numbers would otherwise find)."""
    space = survey.space
    return can_manage_survey(user, survey) or (
        space.visibility == "public" and bool(space.surveys_enabled)
        and survey.results_open_to_all())


def can_answer_survey(user, survey) -> bool:
    """Anyone logged in who can see the survey; whether it is open is its own state, checked by
    the services."""
    return bool(user and user.is_authenticated) and can_view_survey(user, survey)


def can_copy_survey(user, survey) -> bool:
    """Copying as a template: managers of its space, and for a published survey anyone who
    manages surveys somewhere (the target space is checked again when the copy is made)."""
    return can_manage_survey(user, survey) or (bool(survey.published)
                                               and can_create_space(user))
