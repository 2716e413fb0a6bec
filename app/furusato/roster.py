"""The municipality's register: who its furusato residents are, in aggregate, and the few who
agreed to be contacted, by name. No Flask; only flushes.

The counts (by tier, kind of tie, home prefecture, age band, gender, status, and the month people
first registered) are GROUP BYs over the area's registrations in *closed batches*, one per table:
registrations are ranked by when they were made, and only the first multiple of k are counted,
whatever their status now. Staff see their registrants' names (the contactable list), so a
register counted live would give away the age and gender of the person who registered or left
a minute ago; counted in closed batches, two views of the page differ by at least k people, and a
person who leaves moves only the status table. The audit of
app/representation/disclosure hides the figures of 1 .. k-1 people and the complements that would
let them be recovered from the total (see register_counts for why one table at a time is the
whole page's audit). Age and gender come from the optional demographic answers (unknown when not
given)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session, aliased

from app.accounts.models import Demographics, User
from app.areas.models import Area
from app.common.errors import N_, DomainError
from app.common.text import normalize
from app.common.time import today_jst
from app.furusato.models import STATUSES, TIE_KINDS, TIERS, FurusatoRegistration
from app.notifications.services import notify
from app.representation.disclosure import Figure, protect

AGE_BANDS = ("under_30", "30s", "40s", "50s", "60s", "70_plus", "unknown")
GENDERS = ("female", "male", "other", "unknown")
UNKNOWN = "unknown"
EARLIER = "earlier"
MONTHS = 12
KIND_ANNOUNCEMENT = "furusato_announcement"
ANNOUNCEMENT_TITLE_MAX = 120
ANNOUNCEMENT_TEXT_MAX = 1000
LINK_MAX = 500


@dataclass
class Table:
    dimension: str
    rows: list[tuple[str, int | None]]  # (key, count or None when hidden)


@dataclass
class RegisterCounts:
    total: int
    k: int
    tables: list[Table] = field(default_factory=list)
    months: list[tuple[str, int | None]] = field(default_factory=list)
    too_few: bool = False
    hidden: int = 0
    active: int = 0  # active registrations now (a count of people staff can list, no breakdown)
    made: int = 0  # registrations ever made with the area; `total` of them are counted


def _closed_cut(session: Session, area: Area, k: int) -> tuple[int, int, int | None]:
    """How many registrations were ever made with `area`, how many are active now, and the id of
    the last one inside a closed batch of k (None while fewer than k were made). Ids rise with time, and a person who
    leaves and comes back keeps their row, so the batches never reshuffle."""
    made, active = session.execute(
        select(func.count(), func.coalesce(func.sum(case(
            (FurusatoRegistration.status == "active", 1), else_=0)), 0))
        .where(FurusatoRegistration.area_id == area.id)).one()
    closed = made // k * k
    if not closed:
        return made, active, None
    cut = session.scalar(select(FurusatoRegistration.id)
                         .where(FurusatoRegistration.area_id == area.id)
                         .order_by(FurusatoRegistration.id).offset(closed - 1).limit(1))
    return made, active, cut


def _months(today: date) -> list[str]:
    year, month, keys = today.year, today.month, []
    for _ in range(MONTHS):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(keys))


def _month_of(dialect: str, column):
    if dialect == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _dimensions(session: Session, today: date) -> dict:
    """SQL expressions of each dimension of the page, over the joins of _counts()."""
    home, up1, up2 = aliased(Area), aliased(Area), aliased(Area)
    prefecture = case((home.kind == "prefecture", home.code), (up1.kind == "prefecture", up1.code),
                      (up2.kind == "prefecture", up2.code), else_=literal(UNKNOWN))
    age = literal(today.year) - Demographics.birth_year
    band = case((Demographics.birth_year.is_(None), literal(UNKNOWN)),
                (age < 30, literal("under_30")), (age < 40, literal("30s")),
                (age < 50, literal("40s")), (age < 60, literal("50s")),
                (age < 70, literal("60s")), else_=literal("70_plus"))
    gender = case((Demographics.gender.in_(("female", "male")), Demographics.gender),
                  (Demographics.gender.is_(None), literal(UNKNOWN)), else_=literal("other"))
    month = _month_of(session.get_bind().dialect.name, FurusatoRegistration.registered_on)
    joins = (home, up1, up2)
    return {"tier": FurusatoRegistration.tier,
            "tie_kind": func.coalesce(FurusatoRegistration.tie_kind, literal(UNKNOWN)),
            "prefecture": prefecture, "age_band": band, "gender": gender,
            "status": FurusatoRegistration.status, "month": month}, joins


def _counts(session: Session, area: Area, today: date, cut: int) -> dict[str, dict[str, int]]:
    """One GROUP BY per dimension over the area's registrations up to `cut` (closed batches)."""
    expressions, (home, up1, up2) = _dimensions(session, today)
    counts = {}
    for name, expression in expressions.items():
        key = expression.label("key")
        rows = session.execute(
            select(key, func.count())
            .select_from(FurusatoRegistration)
            .join(User, User.id == FurusatoRegistration.user_id)
            .outerjoin(Demographics, Demographics.user_id == User.id)
            .outerjoin(home, home.id == User.home_area_id)
            .outerjoin(up1, up1.id == home.parent_id)
            .outerjoin(up2, up2.id == up1.parent_id)
            .where(FurusatoRegistration.area_id == area.id, FurusatoRegistration.id <= cut)
            .group_by(key)).all()
        counts[name] = {str(value): int(n) for value, n in rows}
    months = set(_months(today))
    by_month: dict[str, int] = {}
    for month, n in counts["month"].items():
        bucket = month if month in months else EARLIER
        by_month[bucket] = by_month.get(bucket, 0) + n
    counts["month"] = by_month
    return counts


# The tables of the page and the keys always listed (a prefecture appears when someone lives there).
DIMENSIONS = {"tier": TIERS, "tie_kind": TIE_KINDS, "prefecture": (), "age_band": AGE_BANDS,
              "gender": GENDERS, "status": STATUSES}


def _protected(keys: list[str], values: dict[str, int], total: int, k: int) -> list:
    """One table beside the total the page states: each cell an atom, the audit of
    app/representation/disclosure decides what to hide (the cells below k and the complements
    that the total would give away)."""
    figures = [Figure(("cell", key), frozenset({i}), values.get(key, 0), "cell")
               for i, key in enumerate(keys)]
    figures.append(Figure(("total",), frozenset(range(len(keys))), total, "total",
                          hideable=False))
    hidden = protect(len(keys), figures, k).hidden
    return [(key, None if ("cell", key) in hidden else values.get(key, 0)) for key in keys]


def register_counts(session: Session, area: Area, k: int = 5,
                    today: date | None = None) -> RegisterCounts:
    """Every figure of the register page. Each table is a one-way breakdown of the same
    registrants, beside their total: any breakdown consistent with that total can be combined
    with any other, so no figure of one table narrows a cell of another, and auditing each
    table with the total is the audit of the whole page (the representation dashboard, which
    also shows cross tables and a series, needs its joint audit)."""
    today = today or today_jst()
    k = max(1, int(k))
    made, active, cut = _closed_cut(session, area, k)
    if cut is None:  # a breakdown of fewer than k people tells about each of them
        return RegisterCounts(total=0, k=k, too_few=True, active=active, made=made)
    counts = _counts(session, area, today, cut)
    total = sum(counts["tier"].values())
    result = RegisterCounts(total=total, k=k, active=active, made=made)
    for name, always in DIMENSIONS.items():
        keys = list(always) + sorted(key for key in counts[name] if key not in always)
        result.tables.append(Table(name, _protected(keys, counts[name], total, k)))
    result.months = _protected([EARLIER, *_months(today)], counts["month"], total, k)
    result.hidden = sum(value is None for table in result.tables for _, value in table.rows) \
        + sum(value is None for _, value in result.months)
    return result


# --- the contactable registrants ---------------------------------------------------------

def contactable_query(area: Area):
    """Active registrants who agreed to be contacted: (registration, user) rows by number."""
    return (select(FurusatoRegistration, User).join(User, User.id == FurusatoRegistration.user_id)
            .where(FurusatoRegistration.area_id == area.id,
                   FurusatoRegistration.status == "active",
                   FurusatoRegistration.contact_consent.is_(True),
                   User.deleted_at.is_(None))
            .order_by(FurusatoRegistration.number))


def contactable(session: Session, area: Area) -> list:
    return session.execute(contactable_query(area)).all()


def contactable_count(session: Session, area: Area) -> int:
    return session.scalar(
        select(func.count()).select_from(FurusatoRegistration)
        .join(User, User.id == FurusatoRegistration.user_id)
        .where(FurusatoRegistration.area_id == area.id, FurusatoRegistration.status == "active",
               FurusatoRegistration.contact_consent.is_(True), User.deleted_at.is_(None))) or 0


def announce(session: Session, area: Area, *, title: str, text: str, link: str,
             announcement_key: str) -> int:
    """Notify every contactable registrant once per announcement (dedupe by its key); returns
    how many were notified."""
    title, text, link = normalize(title), normalize(text), normalize(link)
    if not title or len(title) > ANNOUNCEMENT_TITLE_MAX:
        raise DomainError(N_("Give a title of at most %(max)s characters."), field="title",
                          max=ANNOUNCEMENT_TITLE_MAX)
    if not text or len(text) > ANNOUNCEMENT_TEXT_MAX:
        raise DomainError(N_("Write the announcement in at most %(max)s characters."),
                          field="text", max=ANNOUNCEMENT_TEXT_MAX)
    # A page of Hiroba only: notifications open their link through safe_next, which follows
    # no address on another host.
    if link and (len(link) > LINK_MAX or not link.startswith("/") or link.startswith("//")
                 or "\\" in link or any(ord(c) < 33 for c in link)):
        raise DomainError(N_("The link is the address of a page of Hiroba, starting with /."),
                          field="link")
    sent = 0
    payload = {"area_id": area.id, "title": title, "text": text, "link": link}
    for _registration, user in contactable(session, area):
        sent += notify(session, user.id, KIND_ANNOUNCEMENT, payload,
                       dedupe_key=f"furusato-news:{announcement_key}")
    return sent
