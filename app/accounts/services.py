"""Account rules: registration, authentication, password reset, profile, data export, deletion.

No Flask here: each function takes the SQLAlchemy session first and only flushes; the request
boundary commits. Problems a person can fix are DomainErrors naming the form field they concern,
with an English msgid the view layer translates; the pure rules (email_problem,
password_problem, birth_year_problem) return the DomainError instead of raising it, so a form
validator can say it next to its field."""
from __future__ import annotations

import hashlib
import re

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from app.accounts.models import (BIRTH_YEAR_MIN, GENDERS, ROLES, SECTORS, Demographics,
                                 ResidencyTie, RoleAssignment, User)
from app.admin.services import audit
from app.accounts.sessions import end_all_sessions
from app.areas.models import Area
from app.common.errors import N_, DomainError
from app.common.text import normalize, normalize_email, normalize_identity
from app.common.time import today_jst, utcnow
from app.representation import tallies
from app.representation.models import Participation

PASSWORD_MIN_LENGTH = 10
DISPLAY_NAME_MAX = 40
# Areas a person can name as home: not the nation, not a wide-area region.
HOME_AREA_KINDS = ("prefecture", "municipality", "ward")
# Passwords that meet the length rule but are tried first by every attacker.
COMMON_PASSWORDS = frozenset({
    "1234567890", "0123456789", "12345678910", "1234567890a", "0987654321", "1111111111",
    "qwertyuiop", "qwertyuiop1", "1qaz2wsx3edc", "1q2w3e4r5t", "q1w2e3r4t5", "zaq12wsxcde",
    "password12", "password123", "password1234", "passw0rd123", "p@ssw0rd123", "iloveyou123",
    "abcdefghij", "abcd123456", "abc1234567", "a123456789", "qwerty1234", "qwerty12345",
    "letmein123", "welcome123", "administrator", "admin12345", "changeme123", "football123",
    "baseball123", "sunshine123", "princess123", "monkey1234", "dragon1234", "superman123",
    "trustno1234", "asdfghjkl1", "asdfghjkl;", "hiroba12345", "hiroba2025", "hiroba2026",
})
_EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_RESET_SALT = "hiroba-password-reset"


# --- input rules (pure) -------------------------------------------------------------------

def email_problem(email: str, field: str = "email") -> DomainError | None:
    """Why `email` (already normalised) is not an address, or None."""
    if len(email) > 254 or not _EMAIL_SHAPE.match(email):
        return DomainError(N_("Enter an e-mail address such as taro@example.jp."), field)
    return None


def password_problem(password: str, email: str | None = None,
                     field: str = "password") -> DomainError | None:
    """Why the password is too weak, or None. Honest and short: length, the commonest choices,
    one repeated character, and the e-mail address itself."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return DomainError(N_("Use at least %(n)s characters."), field, n=PASSWORD_MIN_LENGTH)
    lowered = password.lower()
    if len(set(password)) == 1 or lowered in COMMON_PASSWORDS:
        return DomainError(N_("This password is too easy to guess. Try a short sentence you "
                              "will remember."), field)
    if email and (lowered == normalize_email(email) or lowered == normalize_email(email).split("@")[0]):
        return DomainError(N_("Do not use your e-mail address as your password."), field)
    return None


def clean_display_name(name: str | None) -> str:
    """NFKC, without invisible characters, spaces collapsed; raises DomainError unless 1..40
    characters remain."""
    cleaned = " ".join(normalize_identity(name).split())
    if not cleaned:
        raise DomainError(N_("Enter the name others will see."), "display_name")
    if len(cleaned) > DISPLAY_NAME_MAX:
        raise DomainError(N_("Use at most %(max)s characters."), "display_name",
                          max=DISPLAY_NAME_MAX)
    return cleaned


def birth_year_problem(year: int | None) -> DomainError | None:
    if year is None:
        return None
    if not BIRTH_YEAR_MIN <= year <= today_jst().year:
        return DomainError(N_("Enter a year between %(min)s and %(max)s."), "birth_year",
                           min=BIRTH_YEAR_MIN, max=today_jst().year)
    return None


def _valid_check_digit(six_digits: str) -> bool:
    """The 6th digit of a full local government code (全国地方公共団体コード) is a checksum."""
    total = sum(int(d) * w for d, w in zip(six_digits[:5], (6, 5, 4, 3, 2), strict=True))
    return (11 - total % 11) % 10 == int(six_digits[5])


# --- areas --------------------------------------------------------------------------------

_AREA_MISSING = N_("Enter your municipality's name or its 5-digit code.")
_AREA_UNKNOWN = N_("We do not know this municipality. Check the spelling, or enter its 5-digit "
                   "local government code (e.g. 01100 for Sapporo).")


def resolve_area(session: Session, text: str | None) -> Area:
    """The home area a person typed: a 5-digit code (6 with check digit; full-width digits
    accepted), a name as written in the areas table (伊達市, Sapporo), a name without its
    suffix or district (札幌, 桑折町 for 伊達郡桑折町) or prefixed with its prefecture (福島県伊達市).
    Raises DomainError on the field home_area: nothing typed, no such area, or several."""
    query = "".join(normalize(text).split())
    if not query:
        raise DomainError(_AREA_MISSING, "home_area")
    kinds = Area.kind.in_(HOME_AREA_KINDS)
    if query.isdigit() and len(query) in (5, 6):
        if len(query) == 6 and not _valid_check_digit(query):
            raise DomainError(_AREA_UNKNOWN, "home_area")
        area = session.scalar(select(Area).where(Area.code == query[:5], kinds))
        if area is None:
            raise DomainError(_AREA_UNKNOWN, "home_area")
        return area

    candidates = _areas_named(session, query)
    if not candidates:
        # "福島県伊達市": a prefecture's name, then an area inside it (47 rows, cheap to scan).
        prefectures = session.scalars(select(Area).where(Area.kind == "prefecture"))
        prefecture = next((p for p in prefectures
                           if query.startswith(p.name_ja) and query != p.name_ja), None)
        if prefecture is not None:
            rest = query[len(prefecture.name_ja):]
            candidates = [a for a in _areas_named(session, rest)
                          if _prefecture_of(session, a) == prefecture.id]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise DomainError(_AREA_UNKNOWN, "home_area")
    raise DomainError(N_("Several places have this name: %(choices)s. Enter the 5-digit code, or "
                         "the prefecture before the name."), "home_area",
                      choices=", ".join(f"{a.name_ja} ({a.code})" for a in candidates[:8]))


def _areas_named(session: Session, name: str) -> list[Area]:
    kinds = Area.kind.in_(HOME_AREA_KINDS)
    exact = list(session.scalars(
        select(Area).where(kinds, or_(Area.name_ja == name,
                                      func.lower(Area.name_en) == name.lower()))
        .order_by(Area.code)))
    if exact or len(name) < 2:
        return exact
    # People leave off the suffix (札幌 for 札幌市) or the district of a town (桑折町 for
    # 伊達郡桑折町).
    names = [name] if name.endswith(("市", "町", "村", "区")) else [name + s for s in "市町村区"]
    return list(session.scalars(
        select(Area).where(kinds, or_(Area.name_ja.in_(names),
                                      *[Area.name_ja.like(f"%郡{n}") for n in names]))
        .order_by(Area.code)))


def _prefecture_of(session: Session, area: Area) -> int | None:
    """The id of the prefecture an area belongs to (a ward's parent is its city)."""
    current: Area | None = area
    for _ in range(3):
        if current is None or current.kind == "prefecture":
            break
        current = session.get(Area, current.parent_id) if current.parent_id else None
    return current.id if current is not None and current.kind == "prefecture" else None


def area_suggestions(session: Session, limit: int = 300) -> list[str]:
    """Names for the home-area <datalist>, or [] when the table is too big to send to a phone
    (a nationwide table holds ~2,000 areas; the field takes a name or a code anyway)."""
    kinds = Area.kind.in_(HOME_AREA_KINDS)
    if (session.scalar(select(func.count()).select_from(Area).where(kinds)) or 0) > limit:
        return []
    return list(session.scalars(select(Area.name_ja).where(kinds).distinct().order_by(Area.name_ja)))


# --- registration and authentication ---------------------------------------------------------

def find_user_by_email(session: Session, email: str | None) -> User | None:
    address = normalize_email(email)
    if not address:
        return None
    return session.scalar(select(User).where(User.email == address))


def checked_registration(email: str, password: str, display_name: str) -> tuple[str, str]:
    """The normalised address and display name of a registration, or DomainError."""
    address = normalize_email(email)
    if (problem := email_problem(address)) is not None:
        raise problem
    if (problem := password_problem(password, address)) is not None:
        raise problem
    return address, clean_display_name(display_name)


_EMAIL_TAKEN = N_("This e-mail address is already registered. Log in, or reset your password if "
                  "you forgot it.")


def register_user(session: Session, *, email: str, password: str, display_name: str,
                  home_area: Area | None, locale: str = "ja",
                  demographics: dict | None = None) -> User:
    """Create an account. `demographics` (birth_year, gender, sector) only with consent, which
    the caller has checked. Raises DomainError for a taken e-mail, also when two registrations
    race past the check: the unique constraint decides, inside a savepoint. The account is
    confirmed at once: this is for operators (CLI); people registering on the web go through
    app.accounts.registration, which confirms the address by e-mail first."""
    address, name = checked_registration(email, password, display_name)
    if find_user_by_email(session, address) is not None:
        raise DomainError(_EMAIL_TAKEN, "email")
    user = User(email=address, password_hash=generate_password_hash(password), display_name=name,
                home_area=home_area, locale=locale, active=True)
    if demographics and any(v is not None for v in demographics.values()):
        user.demographics = new_demographics(demographics)
    try:
        with session.begin_nested():
            session.add(user)
            session.flush()
    except IntegrityError:
        raise DomainError(_EMAIL_TAKEN, "email") from None
    return user


def authenticate(session: Session, email: str | None, password: str | None) -> User | None:
    """The active user with this e-mail and password, or None (whatever the reason)."""
    user = find_user_by_email(session, email)
    if user is None or not user.password_hash:
        # Spend the same time as a real check, so a wrong address looks like a wrong password.
        check_password_hash(_dummy_hash(), password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    return user if user.is_active else None


_DUMMY: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY:
        _DUMMY.append(generate_password_hash("hiroba-timing-equaliser"))
    return _DUMMY[0]


def check_password(user: User, password: str | None) -> bool:
    return bool(user.password_hash) and check_password_hash(user.password_hash, password or "")


def set_password(session: Session, user: User, password: str) -> None:
    """Replace the password (the caller checked the old one or a reset token) and end every
    session and remember-me cookie: whoever knew the old password is out. A view that keeps
    its own session logs the user in again. Raises DomainError (on the field new_password)
    when the new one is too weak."""
    if (problem := password_problem(password, user.email, field="new_password")) is not None:
        raise problem
    user.password_hash = generate_password_hash(password)
    end_all_sessions(session, user)


def reset_password(session: Session, user: User, password: str) -> None:
    """set_password() through an e-mailed link, which also proves the address: a registration
    still waiting for confirmation is confirmed."""
    set_password(session, user, password)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        session.flush()


# --- password reset ----------------------------------------------------------------------

def password_fingerprint(user: User) -> str:
    # A digest of the current hash, not the hash itself: the token is signed, not encrypted.
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def make_reset_token(user: User, secret_key: str) -> str:
    """A signed token naming the user and their current password; it dies when the password
    changes, so it works once."""
    serializer = URLSafeTimedSerializer(secret_key, salt=_RESET_SALT)
    return serializer.dumps({"user": user.id, "pw": password_fingerprint(user)})


def user_for_reset_token(session: Session, token: str, secret_key: str,
                         max_age: int) -> User | None:
    """The user (active, confirmed or not) the token was made for, if it is younger than max_age seconds and their
    password has not changed since; otherwise None."""
    return user_for_signed_token(session, token, secret_key, salt=_RESET_SALT, max_age=max_age)


def user_for_signed_token(session: Session, token: str, secret_key: str, *, salt: str,
                          max_age: int) -> User | None:
    """The recoverable account a {user, pw} token signed with `salt` names, if the token is
    younger than max_age seconds and the password has not changed since; otherwise None."""
    serializer = URLSafeTimedSerializer(secret_key, salt=salt)
    try:
        payload = serializer.loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("user"), int):
        return None
    user = session.get(User, payload["user"])
    if user is None or not user.may_recover or payload.get("pw") != password_fingerprint(user):
        return None
    return user


# --- profile and demographics ----------------------------------------------------------------

def update_profile(session: Session, user: User, *, display_name: str, home_area: Area,
                   locale: str) -> None:
    """A new home does not rewrite a ledger snapshot (it says what was true when the person
    took part). Ties to the new home or an area containing it stay recorded but never count:
    residence wins (app.areas.residency)."""
    user.display_name = clean_display_name(display_name)
    user.home_area = home_area
    user.locale = locale if locale in ("ja", "en") else user.locale
    session.flush()


_NOT_AN_OPTION = N_("Choose one of the options.")


def _check_demographics(values: dict) -> dict:
    year = values.get("birth_year")
    if (problem := birth_year_problem(year)) is not None:
        raise problem
    gender = values.get("gender") or None
    sector = values.get("sector") or None
    if gender is not None and gender not in GENDERS:
        raise DomainError(_NOT_AN_OPTION, "gender")
    if sector is not None and sector not in SECTORS:
        raise DomainError(_NOT_AN_OPTION, "sector")
    return {"birth_year": year, "gender": gender, "sector": sector}


def new_demographics(values: dict) -> Demographics:
    return Demographics(**_check_demographics(values), consented_at=utcnow())


def save_demographics(session: Session, user: User, values: dict) -> Demographics | None:
    """Store the answers (the caller has the person's consent). All empty means nothing to keep:
    the row is removed, as on withdrawal."""
    checked = _check_demographics(values)
    if all(v is None for v in checked.values()):
        withdraw_demographics(session, user)
        return None
    demo = user.demographics
    if demo is None:
        demo = user.demographics = Demographics(consented_at=utcnow())
    demo.birth_year, demo.gender, demo.sector = (checked["birth_year"], checked["gender"],
                                                 checked["sector"])
    demo.updated_at = utcnow()
    session.flush()
    return demo


def withdraw_demographics(session: Session, user: User) -> bool:
    """Delete the answers and, in the same transaction, blank age, gender and sector in every
    participation snapshot of the person (all spaces): from now on they count as "unknown".
    Figures already published stay as published (releases are frozen snapshots). Residency and
    home area are answers of registration, not consented demographics, and stay. True if there
    was something to delete or blank."""
    # Cached figures count these snapshots: the bulk UPDATE below names its spaces, so
    # tallies._bulk marks their ledgers stale when it blanks a row (app/common/fragments.py).
    spaces = list(session.scalars(select(Participation.space_id).distinct()
                                  .where(Participation.user_id == user.id)))
    # The spaces' stored tallies counted the snapshots too: all of theirs go (recounted on
    # the next view), in this transaction (app/representation/tallies).
    blanked = session.execute(
        update(Participation)
        .where(Participation.user_id == user.id,
               or_(Participation.age.is_not(None), Participation.gender.is_not(None),
                   Participation.sector.is_not(None)))
        .values(age=None, gender=None, sector=None)
        .execution_options(**{tallies.SKIP_OPTION: [
            m for space_id in spaces for m in tallies.stale_scope(space_id, None, None)]})
    ).rowcount
    had_answers = user.demographics is not None
    user.demographics = None  # delete-orphan removes the row
    session.flush()
    return had_answers or bool(blanked)


def record_personal_data_export(session: Session, user: User) -> None:
    """Audit that the person downloaded their data (who and when, never the content)."""
    audit(session, user, "export.personal_data", f"user:{user.id}")


# --- roles -------------------------------------------------------------------------------

def grant_role(session: Session, user: User, role: str, space_id: int | None = None) -> bool:
    """Give `user` a role (globally when space_id is None). False if they already had it."""
    if role not in ROLES:
        raise ValueError(f"unknown role: {role}")
    if any(a.role == role and a.space_id == space_id for a in user.roles):
        return False
    user.roles.append(RoleAssignment(role=role, space_id=space_id))
    session.flush()
    return True


# --- account deletion --------------------------------------------------------------------------

def delete_account(session: Session, user: User) -> None:
    """Erase the person and keep what must stay anonymous: the account row remains (other
    modules' rows point at it) with no e-mail, no password and no name; demographics, ties to
    areas and roles are deleted; participation snapshots stay in the ledger, unlinked, so
    published statistics do not shift (and panel volunteers stay in their published lottery,
    unlinked)."""
    session.execute(update(Participation).where(Participation.user_id == user.id)
                    .values(user_id=None)
                    .execution_options(**{tallies.SKIP_OPTION: "counts_unchanged"}))
    from app.panels.models import PanelVolunteer

    # Panel volunteers too: the published lottery keeps the number, not who it was.
    session.execute(update(PanelVolunteer).where(PanelVolunteer.user_id == user.id)
                    .values(user_id=None))
    session.execute(delete(RoleAssignment).where(RoleAssignment.user_id == user.id))
    session.execute(delete(ResidencyTie).where(ResidencyTie.user_id == user.id))
    session.execute(delete(Demographics).where(Demographics.user_id == user.id))
    from app.furusato.services import erase_person  # the furusato rows say where one is tied

    erase_person(session, user.id)
    session.expire(user, ["roles", "demographics"])
    user.email = None
    user.password_hash = None
    user.display_name = ""  # shown as "Deleted user" (User.public_name)
    user.home_area_id = None
    user.active = False
    user.deleted_at = utcnow()
    end_all_sessions(session, user)
