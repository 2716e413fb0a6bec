"""Authorisation in one place. Each action names its rule here, a predicate `can_...(user, obj...)`;
views use require(), services may call the predicates. Anonymous users are sent to log in,
logged-in users without the right get 403."""
from __future__ import annotations

import inspect
from functools import wraps
from typing import Callable

from flask import abort, g
from flask_login import current_user

from app.accounts.roles import holds_role_anywhere
from app.extensions import login_manager


def is_admin(user) -> bool:
    """Administrators: the admin pages, and every role everywhere."""
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
    return bool(user and user.is_authenticated and holds_role_anywhere(user, "facilitator"))


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


def can_answer_connection(user, space) -> bool:
    """The one-tap "how are you connected to this area?" of a space: for the people who took
    part in it (whether it is still to be answered is the page's business)."""
    if not (user and user.is_authenticated):
        return False
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
    accepts input is a state of the space, checked by the forum services with a notice; they
    ask the same blocks module, to say why."""
    if not _authenticated(user):
        return False
    from app.extensions import db
    from app.moderation.blocks import is_blocked

    return not is_blocked(db.session, user, space)


def can_read_forum(user, _obj=None) -> bool:
    """Everyone who can see the space reads its threads and posts, and anyone logged in may try
    to reply or react: the space's visibility and the forum's switch are checked when the space
    is loaded (app.spaces.scoping), a phase or a block by the forum services (with the reason),
    and a hidden post's text by can_see_hidden_post where it is drawn."""
    return True


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


def can_manage_thread(user, thread) -> bool:
    """Pin, lock or close this thread: the facilitators of its space."""
    return can_manage_threads(user, thread.space)


def can_flag_post(user, post) -> bool:
    """Anyone logged in, except on their own post."""
    return _authenticated(user) and post.author_id != user.id


def can_see_hidden_post(user, post) -> bool:
    """The author (to see why) and the moderators of the post's space."""
    return _authenticated(user) and (post.author_id == user.id
                                     or can_moderate(user, post.thread.space))


def can_see_thread_title(user, thread) -> bool:
    """A forum thread whose opening post a moderator hid shows "Hidden thread" instead of its
    title to everyone but that post's author and the space's moderators (the title may be what
    was hidden). A proposal's thread carries the proposal's title, which stays public."""
    if thread.module != "forum":
        return True
    from sqlalchemy import select

    from app.extensions import db
    from app.forum.models import Post

    opening = db.session.scalar(select(Post).where(Post.thread_id == thread.id,
                                                   Post.is_opening))
    return opening is None or not opening.is_hidden or can_see_hidden_post(user, opening)


def can_find_post_by_number(user, post, space_slug: str | None) -> bool:
    """Pages reached by a post's number alone (its flag form) show its text, its thread's title
    and its space. In an unlisted space the post is found only by those who came with the
    space's address (`space_slug`, as the Report links carry it) or belong to the space
    (can_reach_space_by_number), and never where its thread's title is hidden from them."""
    space = post.thread.space
    return ((space_slug == space.slug or can_reach_space_by_number(user, space))
            and can_see_thread_title(user, post.thread))


def can_moderate_post(user, post) -> bool:
    """Review, hide, restore or dismiss the flags of a post, and block its author: the
    moderators of its space (or site-wide) and admins."""
    return can_moderate(user, post.thread.space)


def can_use_moderation_queue(user, _space=None) -> bool:
    """Moderators of any space, site-wide moderators and admins (the queue, the hidden posts and
    the blocks list span every space the person moderates, so no space is asked about)."""
    from app.accounts.roles import holds_role_anywhere

    return _authenticated(user) and holds_role_anywhere(user, "moderator")


def can_block_site_wide(user) -> bool:
    """Blocking someone from the whole site: site-wide moderators and admins."""
    return can_moderate(user, None)


def can_block_user(user, person, space) -> bool:
    """Blocking `person` from `space`: its moderators, never themselves nor another moderator
    or admin of that space (roles are changed by admins, not by blocks)."""
    return (can_moderate(user, space) and person is not None and person.id != user.id
            and not person.has_role("moderator", space.id))


def can_lift_block(user, block) -> bool:
    """Lifting a block: the moderators of its space; a site-wide block, site-wide moderators
    and admins (whoever could have placed it)."""
    return can_moderate(user, block.space) if block.space_id is not None \
        else can_block_site_wide(user)


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
    """Edit, preview, publish or delete: its author. Only a draft can still be changed, a state
    of the proposal: its author is told so on its page, not refused."""
    return is_proposal_author(user, proposal)


def can_support_or_comment(user, proposal) -> bool:
    """Support a proposal, withdraw the support, comment on it: anyone logged in who can see it.
    Whether it takes supports or comments now is its own state (phase, status, blocks, the
    forum switched off), checked by the services with a notice."""
    return _authenticated(user) and can_view_proposal(user, proposal)


def can_answer_proposal(user, proposal) -> bool:
    """Move a proposal through the workflow, answer it officially, merge it: the facilitators of
    its space."""
    return can_manage_proposals(user, proposal.space)


def can_change_proposal_category(user, category) -> bool:
    """Rename, reorder or delete one of the space's categories: its facilitators."""
    return can_manage_proposals(user, category.space)


def _deny():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    abort(403)


def _takes_subject(rule: Callable) -> bool:
    """Whether `rule` asks about something besides the user (`can_facilitate(user, space)`), or
    about the user alone (`is_admin(user)`)."""
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return sum(p.kind in positional for p in inspect.signature(rule).parameters.values()) > 1


def require(rule: Callable[..., bool], /, **loaders: Callable) -> Callable:
    """The one authorisation decorator: load what the URL names, then ask `rule` about it.

    `@require(can_facilitate)` asks about the space the blueprint loaded (`g.space`);
    `@require(is_admin)`, a rule about the user alone, asks about nobody else.
    `@require(can_edit_post, post=post_from_url)` calls `post_from_url` with the URL values it
    names (e.g. `post_id`), answers 404 when it returns None, asks `can_edit_post(user, post)`,
    and passes `post=` to the view in place of those values (the way indico's handlers split
    loading the arguments from checking access). With several loaders the rule gets every
    loaded object, in order. Anonymous people are sent to log in; others without the right get
    403."""
    parameters = {name: tuple(inspect.signature(load).parameters)
                  for name, load in loaders.items()}
    takes_space = not loaders and _takes_subject(rule)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            loaded = {}
            for name, load in loaders.items():
                obj = load(**{p: kwargs.pop(p) for p in parameters[name] if p in kwargs})
                if obj is None:
                    abort(404)
                loaded[name] = obj
            subjects = tuple(loaded.values()) if loaders else \
                ((getattr(g, "space", None),) if takes_space else ())
            if not rule(current_user, *subjects):
                return _deny()
            return view(*args, **kwargs, **loaded)
        return wrapper
    return decorator


# --- background exports --------------------------------------------------------------------

def can_see_export(user, export) -> bool:
    """A background export (its progress, its file): only the person who asked for it."""
    return _authenticated(user) and export.user_id == user.id


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


# --- citizens' panels --------------------------------------------------------------------

def can_manage_panels(user, space) -> bool:
    """Create panel calls, set their quotas, open and close them, run the selection, pick the
    panel and record who declines: the space's facilitators. They alone see the members' names,
    and the contact of those who agreed to be contacted."""
    return can_facilitate(user, space)


def can_manage_panel_call(user, call) -> bool:
    return can_manage_panels(user, call.space)


def can_view_panel_call(user, call) -> bool:
    """A call is public once opened (its explanation, its published lottery, its result); a
    draft is its facilitators' only."""
    return call.status != "draft" or can_manage_panel_call(user, call)


def can_volunteer(user, call) -> bool:
    """Volunteer, see one's own number and probability, withdraw: anyone logged in who can see
    the call; whether it takes volunteers now is its own state, checked by the services."""
    return _authenticated(user) and can_view_panel_call(user, call)


# --- furusato registration ---------------------------------------------------------------

def can_manage_furusato(user, area) -> bool:
    """A municipality's furusato register (its programme, registrants, activities to confirm,
    announcements): admins, site-wide facilitators, and the facilitators of a space whose area
    is the municipality or one of its wards. Hiroba has no area role; a space of the municipality is what ties its
    staff to it."""
    if not (user and user.is_authenticated):
        return False
    if user.has_role("facilitator"):  # site-wide facilitators and admins
        return True
    from sqlalchemy import or_, select

    from app.accounts.roles import space_ids_with_role
    from app.areas.models import Area
    from app.extensions import db
    from app.spaces.models import Space

    wards = select(Area.id).where(Area.parent_id == area.id, Area.kind == "ward")
    return db.session.scalar(select(Space.id).where(
        Space.id.in_(space_ids_with_role(user.id, "facilitator")),
        or_(Space.area_id == area.id, Space.area_id.in_(wards))).limit(1)) is not None


def can_find_furusato_register(user) -> bool:
    """The form that finds a register by area code: anyone who may keep one somewhere (each
    register still asks can_manage_furusato)."""
    return bool(user and user.is_authenticated and holds_role_anywhere(user, "facilitator"))


def can_register_furusato(user, programme) -> bool:
    """Registering with a municipality's programme: anyone logged in (the services refuse the
    person's home and closed programmes, with a message)."""
    return _authenticated(user)


def is_registrant(user, registration) -> bool:
    """A furusato registration's card, activities and leaving: the registered person only."""
    return bool(user and user.is_authenticated and registration.user_id == user.id)


def can_decide_activity(user, area, activity) -> bool:
    """Confirming or rejecting an activity: the staff of its registration's municipality."""
    return activity.registration.area_id == area.id and can_manage_furusato(user, area)
