"""The municipality's register: who its furusato residents are, in aggregate, and the few who
agreed to be contacted, by name. No Flask; only flushes.

The counts (by tier, kind of tie, home prefecture, age band, gender, and the month people
registered) are one GROUP BY over the area's active registrations; every figure is a sum of its
atoms (the finest combinations present) and app/representation/disclosure decides once, over the
whole page, which to hide: figures of 1 .. k-1 people, and the complements that would let them
be recovered from the total and the rest. Only combinations present are atoms, which credits an
attacker with knowing where nobody is: stricter, never looser. Age and gender come from the
optional demographic answers (unknown when not given)."""
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
from app.furusato.models import TIE_KINDS, TIERS, FurusatoRegistration
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


def _atoms(session: Session, area: Area, today: date) -> list[tuple[tuple, int]]:
    home, up1, up2 = aliased(Area), aliased(Area), aliased(Area)
    prefecture = case((home.kind == "prefecture", home.code), (up1.kind == "prefecture", up1.code),
                      (up2.kind == "prefecture", up2.code), else_=literal(UNKNOWN))
    age = literal(today.year) - Demographics.birth_year
    band = case((Demographics.birth_year.is_(None), literal("unknown")),
                (age < 30, literal("under_30")), (age < 40, literal("30s")),
                (age < 50, literal("40s")), (age < 60, literal("50s")),
                (age < 70, literal("60s")), else_=literal("70_plus"))
    gender = func.coalesce(Demographics.gender, literal(UNKNOWN))
    month = _month_of(session.get_bind().dialect.name, FurusatoRegistration.registered_on)
    keys = (FurusatoRegistration.tier, func.coalesce(FurusatoRegistration.tie_kind, UNKNOWN),
            prefecture, band, gender, month)
    rows = session.execute(
        select(*keys, func.count())
        .join(User, User.id == FurusatoRegistration.user_id)
        .outerjoin(Demographics, Demographics.user_id == User.id)
        .outerjoin(home, home.id == User.home_area_id)
        .outerjoin(up1, up1.id == home.parent_id)
        .outerjoin(up2, up2.id == up1.parent_id)
        .where(FurusatoRegistration.area_id == area.id, FurusatoRegistration.status == "active")
        .group_by(*keys)).all()
    months = set(_months(today))
    atoms: dict[tuple, int] = {}
    for tier, tie, pref, age_band, sex, registered, n in rows:
        sex = sex if sex in GENDERS else "other"
        key = (tier, tie, pref, age_band, sex, registered if registered in months else EARLIER)
        atoms[key] = atoms.get(key, 0) + int(n)
    return list(atoms.items())


# The dimensions of the page: name -> (position in the atom key, the keys always listed).
DIMENSIONS = {"tier": (0, TIERS), "tie_kind": (1, TIE_KINDS), "prefecture": (2, ()),
              "age_band": (3, AGE_BANDS), "gender": (4, GENDERS)}


def register_counts(session: Session, area: Area, k: int = 5,
                    today: date | None = None) -> RegisterCounts:
    """Every figure of the register page, protected together."""
    today = today or today_jst()
    k = max(1, int(k))
    atoms = _atoms(session, area, today)
    values = [n for _, n in atoms]
    total = sum(values)
    result = RegisterCounts(total=total, k=k)
    if total < k:  # a breakdown of fewer than k people tells about each of them
        result.too_few = True
        return result
    figures = [Figure(("total",), frozenset(range(len(atoms))), total, "total", hideable=False)]
    order: dict[str, list[str]] = {}
    for name, (position, always) in DIMENSIONS.items():
        present = sorted({key[position] for key, _ in atoms})
        keys = list(always) + [key for key in present if key not in always]
        order[name] = keys
        for key in keys:
            members = frozenset(i for i, (atom, _) in enumerate(atoms) if atom[position] == key)
            figures.append(Figure((name, key), members, sum(values[i] for i in members), name))
    month_keys = [EARLIER, *_months(today)]
    for key in month_keys:
        members = frozenset(i for i, (atom, _) in enumerate(atoms) if atom[5] == key)
        figures.append(Figure(("month", key), members, sum(values[i] for i in members), "month"))
    protection = protect(len(atoms), figures, k)
    by_key = {f.key: f.value for f in figures}

    def shown(key):
        return None if key in protection.hidden else by_key[key]

    result.tables = [Table(name, [(key, shown((name, key))) for key in order[name]])
                     for name in DIMENSIONS]
    result.months = [(key, shown(("month", key))) for key in month_keys]
    result.hidden = len(protection.hidden)
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
