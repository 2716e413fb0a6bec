"""Deliberation spaces: creating, editing, listing, phases, and copying a space as a template for
another municipality. No Flask here: callers pass the session and the acting user; every function
only flushes (the request boundary commits).

Validation errors raise DomainError (app.common.errors): an English msgid marked with N_ (so
Babel extracts it) and the form field it belongs to. Every change is written to the audit
log (app.admin.services.audit) by the function that makes it, in the same transaction."""
from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from app.accounts.models import RoleAssignment
from app.accounts.roles import space_ids_with_role
from app.admin.services import audit
from app.areas.models import Area
from app.common.errors import N_, DomainError
from app.common.pagination import Page, paginate
from app.common.text import normalize
from app.representation.models import Participation
from app.spaces.history import AGE_FIELDS, MODULE_FIELDS, changes_between
from app.spaces.models import (PARTICIPATION_RULES, REFERENCE_CHOICES, VISIBILITIES, Phase,
                               Space)

TITLE_MAX = 150
SLUG_MIN, SLUG_MAX = 3, 60
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
# Paths under /spaces/ that a slug must not shadow.
RESERVED_SLUGS = frozenset({"new"})
DESCRIPTION_MAX = 20_000
AGE_MAX = 120
PHASE_NAME_MAX = 100
POSITION_MAX = 1000

SETTING_FIELDS = ("description_md", "min_age", "youth_min", "youth_max", "visibility",
                  "forum_enabled", "proposals_enabled", "surveys_enabled", "reference_choice",
                  "transparency_public", "participation")
EDITABLE_FIELDS = ("title", "slug", "area") + SETTING_FIELDS


# --- reading -------------------------------------------------------------------------------

def _with_listing_details(stmt):
    return stmt.options(joinedload(Space.area), selectinload(Space.phases))


def get_space_by_slug(session: Session, slug: str) -> Space | None:
    """The space with its area, region members and phases loaded (no lazy loads on the page),
    in one statement: a space has a handful of phases and a region a few dozen members."""
    return session.scalars(
        select(Space).where(Space.slug == slug)
        .options(joinedload(Space.area).joinedload(Area.members), joinedload(Space.phases))
    ).unique().first()


def list_public_spaces(session: Session, limit: int | None = None) -> list[Space]:
    stmt = _with_listing_details(
        select(Space).where(Space.visibility == "public")
        .order_by(Space.created_at.desc(), Space.id.desc())
    )
    if limit:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt).unique())


def list_spaces_for(session: Session, user, page: int, per_page: int) -> Page:
    """Public spaces, newest first, plus the unlisted spaces `user` facilitates (all of them for
    site-wide facilitators and admins, who facilitate every space)."""
    stmt = select(Space).order_by(Space.created_at.desc(), Space.id.desc())
    authenticated = bool(user is not None and getattr(user, "is_authenticated", False))
    if not (authenticated and user.has_role("facilitator")):
        visible = Space.visibility == "public"
        if authenticated:
            visible = or_(visible, Space.id.in_(space_ids_with_role(user.id, "facilitator")))
        stmt = stmt.where(visible)
    return paginate(session, _with_listing_details(stmt), page, per_page)


def has_participants(session: Session, space: Space) -> bool:
    """Whether anyone has a row in the space's participation ledger."""
    return space.id is not None and session.scalar(
        select(Participation.id).where(Participation.space_id == space.id).limit(1)) is not None


def age_settings_locked(session: Session, space: Space) -> bool:
    """Once people took part, the minimum age and the youth band are fixed for all but admins:
    a facilitator who moved the minimum age one year at a time and read the age x gender table
    after each step would learn who was born in which year."""
    return has_participants(session, space)


def slug_taken(session: Session, slug: str, exclude_id: int | None = None) -> bool:
    stmt = select(Space.id).where(Space.slug == slug)
    if exclude_id is not None:
        stmt = stmt.where(Space.id != exclude_id)
    return session.scalar(stmt.limit(1)) is not None


# --- validation ----------------------------------------------------------------------------

def check_slug(session: Session, slug: str, exclude_id: int | None = None) -> None:
    if not (SLUG_MIN <= len(slug) <= SLUG_MAX) or not SLUG_RE.match(slug):
        raise DomainError(N_("Use %(min)s to %(max)s lowercase letters (a-z), digits and hyphens, "
                             "starting and ending with a letter or digit."),
                          "slug", min=SLUG_MIN, max=SLUG_MAX)
    if slug in RESERVED_SLUGS:
        raise DomainError(N_("This address is reserved. Please choose another."), "slug")
    if slug_taken(session, slug, exclude_id):
        raise DomainError(N_("This address is already used by another space. Please choose another."),
                          "slug")


def check_title(title: str) -> None:
    if not title or len(title) > TITLE_MAX:
        raise DomainError(N_("Enter a title of at most %(max)s characters."), "title", max=TITLE_MAX)


def check_area(area: Area | None) -> None:
    if area is None:
        raise DomainError(N_("Choose an area or region."), "area")


def check_settings(values: dict) -> None:
    """The rules on a space's settings, first broken rule raised."""
    if len(values.get("description_md") or "") > DESCRIPTION_MAX:
        raise DomainError(N_("The description may have at most %(max)s characters."),
                          "description_md", max=DESCRIPTION_MAX)
    for name in ("min_age", "youth_min", "youth_max"):
        if not 0 <= values[name] <= AGE_MAX:
            raise DomainError(N_("Enter an age between 0 and %(max)s."), name, max=AGE_MAX)
    if values["youth_min"] < values["min_age"]:
        raise DomainError(N_("The youth band cannot start below the minimum age."), "youth_min")
    if values["youth_min"] > values["youth_max"]:
        raise DomainError(N_("The youth band must start at or below its upper age."), "youth_max")
    if values["visibility"] not in VISIBILITIES:
        raise DomainError(N_("Choose public or unlisted."), "visibility")
    if values["reference_choice"] not in REFERENCE_CHOICES:
        raise DomainError(N_("Choose a reference population."), "reference_choice")
    if values.get("participation", "everyone") not in PARTICIPATION_RULES:
        raise DomainError(N_("Choose who may take part."), "participation")


def check_phase_dates(starts_on: date, ends_on: date) -> None:
    if starts_on > ends_on:
        raise DomainError(N_("The phase cannot end before it starts."), "ends_on")


# --- writing -------------------------------------------------------------------------------

def _default_settings() -> dict:
    return {"description_md": "", "min_age": 18, "youth_min": 18, "youth_max": 39,
            "visibility": "public", "forum_enabled": True, "proposals_enabled": True,
            "surveys_enabled": True, "reference_choice": "auto", "transparency_public": False,
            "participation": "everyone"}


def _flush_guarding_slug(session: Session, space: Space) -> None:
    """Flush in a savepoint so that losing a race for the slug becomes a form error."""
    try:
        with session.begin_nested():
            session.add(space)
            session.flush()
    except IntegrityError as error:
        if slug_taken(session, space.slug, space.id):
            raise DomainError(N_("This address is already used by another space. "
                                 "Please choose another."), "slug") from error
        raise


def create_space(session: Session, *, actor, title: str, slug: str, area: Area,
                 **settings) -> Space:
    """A new space; `actor` becomes its facilitator. Unknown setting names are a TypeError."""
    unknown = set(settings) - set(SETTING_FIELDS)
    if unknown:
        raise TypeError(f"unknown space settings: {', '.join(sorted(unknown))}")
    values = _default_settings() | settings
    # Titles keep what people wrote (NFKC would turn （ into ( ); codes and slugs are normalised.
    title, slug = (title or "").strip(), normalize(slug)
    check_title(title)
    check_slug(session, slug)
    check_area(area)
    check_settings(values)
    space = Space(title=title, slug=slug, area=area, created_by_id=actor.id, **values)
    _flush_guarding_slug(session, space)
    session.add(RoleAssignment(user_id=actor.id, role="facilitator", space_id=space.id))
    audit(session, actor, "space.create", f"space:{space.id}", space=space.slug, title=title,
          area=area.code)
    session.flush()
    return space


def update_space(session: Session, space: Space, *, actor,
                 may_change_locked_ages: bool = False, **fields) -> Space:
    """Change the given fields (any of EDITABLE_FIELDS) after checking the result as a whole.
    The age settings of a space with participants change only when the caller says the actor
    may (permissions.can_change_locked_age_settings); otherwise nothing is saved. Audited: what
    changed, old -> new (the description only as "changed"), in up to three entries so the log
    can be filtered by kind: space.update, space.modules, space.age_settings."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown space fields: {', '.join(sorted(unknown))}")
    if "title" in fields:
        fields["title"] = (fields["title"] or "").strip()
        check_title(fields["title"])
    if "slug" in fields:
        fields["slug"] = normalize(fields["slug"])
        if fields["slug"] != space.slug:
            check_slug(session, fields["slug"], space.id)
    if "area" in fields:
        check_area(fields["area"])
    check_settings({name: fields.get(name, getattr(space, name)) for name in SETTING_FIELDS})
    changes = changes_between(space, fields)
    age_changes = {name: changes.pop(name) for name in AGE_FIELDS if name in changes}
    module_changes = {name: changes.pop(name) for name in MODULE_FIELDS if name in changes}
    description_changed = changes.pop("description_md", None) is not None
    participants = _participant_count(session, space) if age_changes else 0
    if participants and not may_change_locked_ages:
        raise DomainError(N_("People have already taken part in this space, so only an "
                             "administrator can change its age settings."), next(iter(age_changes)))
    for name, value in fields.items():
        setattr(space, name, value)
    _flush_guarding_slug(session, space)
    target = f"space:{space.id}"
    if changes or description_changed:
        audit(session, actor, "space.update", target, space=space.slug, changes=changes,
              description_changed=description_changed)
    if module_changes:
        audit(session, actor, "space.modules", target, space=space.slug, changes=module_changes)
    if age_changes:
        # The participant count at the time tells age_setting_changes whether figures existed
        # before the change (and so are not comparable across it).
        audit(session, actor, "space.age_settings", target, space=space.slug,
              changes=age_changes, participants=participants)
    session.flush()
    return space


def _participant_count(session: Session, space: Space) -> int:
    return session.scalar(select(func.count()).select_from(Participation)
                          .where(Participation.space_id == space.id)) or 0


def next_phase_position(space: Space) -> int:
    return max((p.position for p in space.phases), default=-1) + 1


def _check_phase(name: str, starts_on: date, ends_on: date, position: int) -> str:
    name = (name or "").strip()
    if not name or len(name) > PHASE_NAME_MAX:
        raise DomainError(N_("Enter a name of at most %(max)s characters."), "name",
                          max=PHASE_NAME_MAX)
    check_phase_dates(starts_on, ends_on)
    if not 0 <= position <= POSITION_MAX:
        raise DomainError(N_("Enter a position between 0 and %(max)s."), "position",
                          max=POSITION_MAX)
    return name


def _phase_values(phase: Phase) -> dict:
    return {"name": phase.name, "starts_on": phase.starts_on.isoformat(),
            "ends_on": phase.ends_on.isoformat(), "accepts_input": phase.accepts_input}


def add_phase(session: Session, space: Space, *, actor, name: str, starts_on: date,
              ends_on: date, accepts_input: bool = False, position: int | None = None) -> Phase:
    position = next_phase_position(space) if position is None else position
    name = _check_phase(name, starts_on, ends_on, position)
    phase = Phase(name=name, starts_on=starts_on, ends_on=ends_on,
                  accepts_input=accepts_input, position=position)
    space.phases.append(phase)
    session.flush()
    audit(session, actor, "phase.create", f"phase:{phase.id}", space=space.slug,
          **_phase_values(phase))
    return phase


def update_phase(session: Session, phase: Phase, *, actor, name: str, starts_on: date,
                 ends_on: date, accepts_input: bool, position: int) -> Phase:
    name = _check_phase(name, starts_on, ends_on, position)
    changes = changes_between(phase, {"name": name, "starts_on": starts_on, "ends_on": ends_on,
                                      "accepts_input": accepts_input, "position": position})
    phase.name = name
    phase.starts_on, phase.ends_on = starts_on, ends_on
    phase.accepts_input, phase.position = accepts_input, position
    session.flush()
    if changes:
        audit(session, actor, "phase.update", f"phase:{phase.id}", space=phase.space.slug,
              name=phase.name, changes=changes)
    return phase


def delete_phase(session: Session, phase: Phase, *, actor) -> None:
    space = phase.space
    audit(session, actor, "phase.delete", f"phase:{phase.id}", space=space.slug,
          **_phase_values(phase))
    space.phases.remove(phase)  # delete-orphan cascade deletes the row
    session.flush()


def get_phase(session: Session, space: Space, phase_id: int) -> Phase | None:
    return session.scalar(select(Phase).where(Phase.id == phase_id, Phase.space_id == space.id))


def copy_space(session: Session, source: Space, *, slug: str, title: str, area: Area,
               start_on: date | None, actor) -> Space:
    """A new space for another area with the source's description, settings, modules and
    phases; the phases keep their lengths and gaps, shifted so the first starts on `start_on`
    (None keeps the source's dates). Participation, posts, proposals and responses are not
    copied. `actor` becomes the new space's facilitator."""
    settings = {name: getattr(source, name) for name in SETTING_FIELDS}
    copy = create_space(session, actor=actor, title=title, slug=slug, area=area, **settings)
    # The new space's creation entry says where it came from; its phases are part of the copy.
    audit(session, actor, "space.copy", f"space:{copy.id}", space=copy.slug, source=source.slug)
    phases = sorted(source.phases, key=lambda p: (p.position, p.starts_on))
    shift = timedelta(0)
    if start_on is not None and phases:
        shift = start_on - min(p.starts_on for p in phases)
    for phase in phases:
        copy.phases.append(Phase(name=phase.name, starts_on=phase.starts_on + shift,
                                 ends_on=phase.ends_on + shift, accepts_input=phase.accepts_input,
                                 position=phase.position))
    session.flush()
    return copy

