"""The rules of furusato registration. No Flask here; services only flush.

- A person registers with an area that opened a programme and is not where they live: not their
  home municipality, not the city of their home ward, not a ward of their home city.
- Registering with a municipality also registers them, tier basic, with its prefecture (a
  `derived` row), unless they live in that prefecture; the prefecture's row is left when no
  registration with one of its municipalities is active any more.
- Registrations run a year (valid_from .. valid_from + 1 year - 1 day) and are renewed yearly.
- Premium (担い手) is asked for at registration and *held* only while at least
  PREMIUM_MIN_ACTIVITIES activities dated within the last PREMIUM_WINDOW_DAYS days are confirmed
  by the municipality's staff, and with at most PREMIUM_MAX_AREAS areas at a time. Granting takes
  the person's row lock first (SELECT ... FOR UPDATE on PostgreSQL; a write on SQLite, whose
  write lock serialises), then counts, so concurrent grants cannot pass the limit together.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.areas.models import Area
from app.common.errors import N_, DomainError
from app.common.text import normalize
from app.common.time import today_jst, utcnow
from app.furusato.models import (BASIC_TIES, CATEGORIES_MAX, CATEGORY_MAX, DESCRIPTION_MAX,
                                 NOTE_MAX, PREMIUM_TIES, FurusatoActivity, FurusatoProgramme,
                                 FurusatoRegistration)

PROGRAMME_KINDS = ("municipality", "ward")
PREMIUM_MIN_ACTIVITIES = 3
PREMIUM_WINDOW_DAYS = 365
PREMIUM_MAX_AREAS = 3
RENEW_WINDOW_DAYS = 60  # a registration can be renewed in its last two months
REMINDER_DAYS = 30  # the reminder goes this many days before the end


def one_year_from(start: date) -> date:
    try:
        return start.replace(year=start.year + 1) - timedelta(days=1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + 1, day=28)


def ancestors(area: Area | None) -> list[Area]:
    """The area's parents, nearest first (a ward's city, then its prefecture)."""
    chain, seen = [], set()
    current = area.parent if area is not None else None
    while current is not None and current.id not in seen:
        chain.append(current)
        seen.add(current.id)
        current = current.parent
    return chain


def prefecture_of(area: Area | None) -> Area | None:
    if area is not None and area.kind == "prefecture":
        return area
    return next((a for a in ancestors(area) if a.kind == "prefecture"), None)


def is_home(home: Area | None, area: Area) -> bool:
    """Whether `area` is where the person lives: the same area, the city of their home ward,
    or a ward of their home city."""
    if home is None:
        return False
    return home.id == area.id or any(a.id == area.id for a in ancestors(home) if
                                     a.kind != "prefecture") \
        or any(a.id == home.id for a in ancestors(area) if a.kind != "prefecture")


# --- programmes --------------------------------------------------------------------------

def programme_for(session: Session, area: Area) -> FurusatoProgramme | None:
    return session.scalar(select(FurusatoProgramme).where(FurusatoProgramme.area_id == area.id))


def open_programmes_query():
    """Programmes open for registration, by area code (for paginate())."""
    return (select(FurusatoProgramme).join(Area, Area.id == FurusatoProgramme.area_id)
            .where(FurusatoProgramme.is_open.is_(True)).order_by(Area.code))


def _categories(text: str | None) -> str:
    lines = []
    for raw in (text or "").splitlines():
        line = normalize(raw)
        if not line:
            continue
        if len(line) > CATEGORY_MAX:
            raise DomainError(N_("Each category has at most %(max)s characters."),
                              field="categories", max=CATEGORY_MAX)
        if line not in lines:
            lines.append(line)
    if not lines:
        raise DomainError(N_("Name at least one category of activity."), field="categories")
    if len(lines) > CATEGORIES_MAX:
        raise DomainError(N_("At most %(max)s categories."), field="categories",
                          max=CATEGORIES_MAX)
    return "\n".join(lines)


def save_programme(session: Session, area: Area, *, description_ja: str, description_en: str,
                   categories: str, is_open: bool) -> FurusatoProgramme:
    """Open (or edit) the area's programme."""
    if area.kind not in PROGRAMME_KINDS:
        raise DomainError(N_("Only a municipality or a ward can open furusato registration."))
    description_ja, description_en = normalize(description_ja), normalize(description_en)
    if not description_ja:
        raise DomainError(N_("Describe the programme in Japanese."), field="description_ja")
    for name, value in (("description_ja", description_ja), ("description_en", description_en)):
        if len(value) > DESCRIPTION_MAX:
            raise DomainError(N_("Use at most %(max)s characters."), field=name,
                              max=DESCRIPTION_MAX)
    programme = programme_for(session, area) or FurusatoProgramme(area_id=area.id)
    programme.description_ja, programme.description_en = description_ja, description_en
    programme.categories = _categories(categories)
    programme.is_open = bool(is_open)
    session.add(programme)
    session.flush()
    return programme


# --- registering -------------------------------------------------------------------------

def registration_of(session: Session, user_id: int, area_id: int) -> FurusatoRegistration | None:
    return session.scalar(select(FurusatoRegistration).where(
        FurusatoRegistration.user_id == user_id, FurusatoRegistration.area_id == area_id))


def registrations_of(session: Session, user_id: int) -> list[FurusatoRegistration]:
    return list(session.scalars(
        select(FurusatoRegistration).join(Area, Area.id == FurusatoRegistration.area_id)
        .where(FurusatoRegistration.user_id == user_id)
        .order_by(FurusatoRegistration.derived, Area.code)))


def _inserted(session: Session, row: FurusatoRegistration) -> bool:
    """Insert `row` in a savepoint; False when the one-per-person-and-area constraint refused it
    (a concurrent request inserted the same pair first)."""
    from sqlalchemy.exc import IntegrityError

    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True


def _number(registration: FurusatoRegistration, area: Area) -> str:
    return f"{area.code}-{registration.id:07d}"


def _activate(row: FurusatoRegistration, today: date) -> None:
    row.status, row.left_at, row.lapsed_at = "active", None, None
    row.valid_from, row.valid_until = today, one_year_from(today)


def register(session: Session, user: User, programme: FurusatoProgramme, *, tier: str,
             tie_kind: str | None, contact_consent: bool,
             today: date | None = None) -> FurusatoRegistration:
    """Register `user` with the programme's area (and its prefecture). A person who left or
    lapsed registers again on the same row (one per person and area)."""
    today = today or today_jst()
    area = programme.area
    if not programme.is_open:
        raise DomainError(N_("This municipality is not taking registrations at the moment."))
    if is_home(user.home_area, area):
        raise DomainError(N_("You live here: furusato registration is for other places."))
    if tier not in ("basic", "premium"):
        raise DomainError(N_("Choose a tier."), field="tier")
    allowed = BASIC_TIES if tier == "basic" else PREMIUM_TIES
    if not tie_kind:
        raise DomainError(N_("Choose how you are connected."), field="tie_kind")
    if tie_kind not in allowed:
        raise DomainError(N_("Choose a kind of tie of the tier you chose."), field="tie_kind")
    row = registration_of(session, user.id, area.id)
    if row is not None and row.status == "active":
        raise DomainError(N_("You are already registered here."))
    if row is None:
        row = FurusatoRegistration(user_id=user.id, area_id=area.id, registered_on=today)
    _activate(row, today)
    row.derived = False
    row.tie_kind, row.contact_consent = tie_kind, bool(contact_consent)
    row.premium_requested = tier == "premium"
    if row.id is None and not _inserted(session, row):  # a second submission, at the same time
        raise DomainError(N_("You are already registered here."))
    session.flush()
    row.number = row.number or _number(row, area)
    _register_prefecture(session, user, area, tie_kind if tier == "basic" else None, today)
    grant_premium_if_earned(session, row, today)  # back after a lapse, its activities still count
    session.flush()
    return row


def _register_prefecture(session: Session, user: User, area: Area, tie_kind: str | None,
                         today: date) -> None:
    prefecture = prefecture_of(area)
    if prefecture is None or prefecture_of(user.home_area) is prefecture:
        return
    row = registration_of(session, user.id, prefecture.id)
    if row is not None and row.status == "active":
        row.valid_until = max(row.valid_until, one_year_from(today))
        return
    if row is None:
        row = FurusatoRegistration(user_id=user.id, area_id=prefecture.id, registered_on=today,
                                   derived=True, tier="basic", tie_kind=tie_kind)
        _activate(row, today)
        if not _inserted(session, row):  # another municipality's registration made it just now
            return
    _activate(row, today)
    session.flush()
    row.number = row.number or _number(row, prefecture)


def renew(session: Session, registration: FurusatoRegistration,
          today: date | None = None) -> None:
    """Another year: after the current one when renewed in its last RENEW_WINDOW_DAYS days,
    from today when the registration had lapsed."""
    today = today or today_jst()
    if registration.status == "left":
        raise DomainError(N_("You left this registration; register again instead."))
    if registration.status == "active":
        if registration.valid_until - today >= timedelta(days=RENEW_WINDOW_DAYS):
            raise DomainError(N_("A registration can be renewed in its last %(days)s days."),
                              days=RENEW_WINDOW_DAYS)
        registration.valid_until = one_year_from(registration.valid_until + timedelta(days=1))
    else:
        _activate(registration, today)
    if not registration.derived:
        _follow_with_prefecture(session, registration)
    session.flush()


def _follow_with_prefecture(session: Session, registration: FurusatoRegistration) -> None:
    """The prefecture's row lasts as long as the longest of its municipalities' rows."""
    prefecture = prefecture_of(registration.area)
    row = registration_of(session, registration.user_id, prefecture.id) if prefecture else None
    if row is None or not row.derived or row.status == "left":
        return
    if row.status == "lapsed":
        row.status, row.lapsed_at, row.valid_from = "active", None, registration.valid_from
    row.valid_until = max(row.valid_until, registration.valid_until)




def leave(session: Session, registration: FurusatoRegistration) -> None:
    """Leave at any time; the prefecture's row goes with the last of its municipalities."""
    if registration.status == "left":
        return
    registration.status, registration.left_at = "left", utcnow()
    registration.tier, registration.premium_since = "basic", None
    session.flush()
    if registration.derived:
        return
    prefecture = prefecture_of(registration.area)
    if prefecture is None:
        return
    row = registration_of(session, registration.user_id, prefecture.id)
    if row is None or not row.derived or row.status == "left":
        return
    still = session.scalars(select(FurusatoRegistration).where(
        FurusatoRegistration.user_id == registration.user_id,
        FurusatoRegistration.status == "active", FurusatoRegistration.derived.is_(False))).all()
    if not any(prefecture_of(r.area) is prefecture for r in still):
        row.status, row.left_at = "left", utcnow()
        session.flush()


# --- activities and the premium tier --------------------------------------------------------

def record_activity(session: Session, registration: FurusatoRegistration, *, on_date: date | None,
                    category: str | None, note: str | None,
                    today: date | None = None) -> FurusatoActivity:
    today = today or today_jst()
    if registration.status != "active" or registration.derived:
        raise DomainError(N_("Activities are recorded on an active registration."))
    programme = programme_for(session, registration.area)
    categories = programme.category_list if programme is not None else []
    if on_date is None:
        raise DomainError(N_("Give the date of the activity."), field="on_date")
    if on_date > today or on_date <= today - timedelta(days=PREMIUM_WINDOW_DAYS):
        raise DomainError(N_("The date lies within the last year, today at the latest."),
                          field="on_date")
    category = normalize(category)
    if category not in categories:
        raise DomainError(N_("Choose one of the municipality's categories."), field="category")
    note = normalize(note)
    if len(note) > NOTE_MAX:
        raise DomainError(N_("Use at most %(max)s characters."), field="note", max=NOTE_MAX)
    activity = FurusatoActivity(registration=registration, on_date=on_date, category=category,
                                note=note)
    session.add(activity)
    session.flush()
    return activity


def confirmed_recently(session: Session, registration_id: int, today: date) -> int:
    return session.scalar(select(func.count()).select_from(FurusatoActivity).where(
        FurusatoActivity.registration_id == registration_id,
        FurusatoActivity.status == "confirmed",
        FurusatoActivity.on_date > today - timedelta(days=PREMIUM_WINDOW_DAYS))) or 0


def _earned(session: Session, registration: FurusatoRegistration, today: date) -> bool:
    return confirmed_recently(session, registration.id, today) >= PREMIUM_MIN_ACTIVITIES \
        if registration.id else False


def lock_person(session: Session, user_id: int) -> None:
    """Take the person's row lock for the rest of the transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(User.id).where(User.id == user_id).with_for_update())
    else:  # SQLite: a write takes the database's write lock, which serialises writers
        session.execute(update(User).where(User.id == user_id)
                        .values(session_version=User.session_version)
                        .execution_options(synchronize_session=False))


def premium_count(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).select_from(FurusatoRegistration).where(
        FurusatoRegistration.user_id == user_id, FurusatoRegistration.tier == "premium",
        FurusatoRegistration.status == "active")) or 0


def grant_premium_if_earned(session: Session, registration: FurusatoRegistration,
                            today: date | None = None) -> bool:
    """Give the premium tier when it was asked for and is earned, within the limit of
    PREMIUM_MAX_AREAS, in one locked transaction. Returns whether the registration is premium."""
    today = today or today_jst()
    if registration.tier == "premium":
        return True
    if not registration.premium_requested or registration.status != "active" \
            or not _earned(session, registration, today):
        return False
    lock_person(session, registration.user_id)
    if premium_count(session, registration.user_id) >= PREMIUM_MAX_AREAS:
        return False
    registration.tier, registration.premium_since = "premium", today
    session.flush()
    return True


def decide_activity(session: Session, activity: FurusatoActivity, staff: User, *,
                    confirm: bool, today: date | None = None) -> None:
    if activity.status != "pending":
        raise DomainError(N_("This activity was already decided."))
    staff_id, now = staff.id, utcnow()  # read before any change: no autoflush in between
    activity.status, activity.decided_by_id, activity.decided_at = \
        ("confirmed" if confirm else "rejected"), staff_id, now
    session.flush()
    if confirm:
        grant_premium_if_earned(session, activity.registration, today)


def pending_query(area: Area):
    """The area's activities awaiting a decision, oldest first (for paginate())."""
    return (select(FurusatoActivity).join(FurusatoRegistration)
            .where(FurusatoRegistration.area_id == area.id, FurusatoActivity.status == "pending")
            .order_by(FurusatoActivity.on_date, FurusatoActivity.id))


def pending_count(session: Session, area: Area) -> int:
    return session.scalar(select(func.count()).select_from(
        pending_query(area).order_by(None).subquery())) or 0


def managed_areas(session: Session, user: User) -> list[Area]:
    """The areas whose register the person keeps (the rule is can_manage_furusato): for admins
    and site-wide facilitators every area with a programme, for the others the municipalities
    and wards of the spaces they facilitate."""
    from app.accounts.roles import space_ids_with_role
    from app.spaces.models import Space

    if user.has_role("facilitator"):
        stmt = select(Area).join(FurusatoProgramme, FurusatoProgramme.area_id == Area.id)
    else:
        stmt = select(Area).join(Space, Space.area_id == Area.id).where(
            Space.id.in_(space_ids_with_role(user.id, "facilitator")),
            Area.kind.in_(PROGRAMME_KINDS)).distinct()
    return list(session.scalars(stmt.order_by(Area.code)))


def area_names(session: Session, codes: list[str]) -> dict[str, Area]:
    """Areas by code, for the labels of the prefecture table."""
    wanted = [c for c in codes if c]
    if not wanted:
        return {}
    return {a.code: a for a in session.scalars(select(Area).where(Area.code.in_(wanted)))}


def erase_person(session: Session, user_id: int) -> None:
    """Account deletion: the person's registrations and activities go (the account row stays,
    so the foreign key's cascade does not fire)."""
    from sqlalchemy import delete

    mine = select(FurusatoRegistration.id).where(FurusatoRegistration.user_id == user_id)
    session.execute(delete(FurusatoActivity).where(FurusatoActivity.registration_id.in_(mine)))
    session.execute(delete(FurusatoRegistration).where(FurusatoRegistration.user_id == user_id))
