"""Administration of areas and wide-area regions (広域リージョン).

Creating a region goes through app.areas.services.create_region (the areas module owns the
rules); this module checks a whole form first, so every field gets its own message, and adds
what the areas module does not offer: editing members, deleting an unused region, and the
paginated area list. Every change writes an audit entry. Only flush, never commit."""
from __future__ import annotations

import re

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import Session, selectinload

from app.accounts.models import User
from app.admin.services import AdminError, N_, audit, escape_like
from app.areas import services as areas
from app.areas.models import Area, RegionMember
from app.common.pagination import Page, paginate
from app.common.text import normalize
from app.spaces.models import Space

LISTED_KINDS = ("nation", "prefecture", "municipality", "ward")
# Separators people use when pasting a list of codes: new lines, commas (、 survives NFKC),
# semicolons and spaces.
_CODE_SEPARATORS = re.compile(r"[\s,、;]+")


class RegionFormError(ValueError):
    """Several fields may be wrong at once: errors maps a field name to AdminErrors."""

    def __init__(self, errors: dict[str, list[AdminError]]):
        super().__init__("; ".join(str(e) for errs in errors.values() for e in errs))
        self.errors = errors


# ---------------------------------------------------------------- listing

def search_areas(session: Session, query: str | None, kind: str | None = None,
                 page: int = 1, per_page: int = 20) -> Page:
    """Local government areas (not regions) whose code starts with, or whose Japanese or English
    name contains, the NFKC-normalised query; by code, with the parent loaded."""
    stmt = select(Area).options(selectinload(Area.parent))
    stmt = stmt.where(Area.kind == kind) if kind in LISTED_KINDS else \
        stmt.where(Area.kind != "region")
    wanted = normalize(query)
    if wanted:
        escaped = escape_like(wanted)
        stmt = stmt.where(or_(Area.code.like(f"{escaped}%", escape="\\"),
                              Area.name_ja.like(f"%{escaped}%", escape="\\"),
                              Area.name_en.ilike(f"%{escaped}%", escape="\\")))
    return paginate(session, stmt.order_by(Area.code), page, per_page)


def list_regions(session: Session) -> list[tuple[Area, int, int]]:
    """Every region with its number of member areas and of spaces using it (SQL counts)."""
    members = (select(func.count()).select_from(RegionMember)
               .where(RegionMember.region_id == Area.id).scalar_subquery())
    spaces = (select(func.count()).select_from(Space)
              .where(Space.area_id == Area.id).scalar_subquery())
    rows = session.execute(
        select(Area, members, spaces).where(Area.kind == "region").order_by(Area.code)
    )
    return [(area, n_members, n_spaces) for area, n_members, n_spaces in rows]


def get_region(session: Session, code: str) -> Area | None:
    return session.scalar(
        select(Area).where(Area.code == normalize(code).upper(), Area.kind == "region")
        .options(selectinload(Area.members))
    )


# ---------------------------------------------------------------- checking a form

def parse_member_codes(text: str | None) -> tuple[list[str], list[str]]:
    """Codes from a pasted list (one per line or comma-separated, full-width digits accepted):
    (distinct 5-digit codes in order, tokens that are not 5-digit codes)."""
    tokens = [t for t in _CODE_SEPARATORS.split(normalize(text)) if t]
    codes = [t for t in tokens if areas.AREA_CODE_RE.match(t)]
    bad = [t for t in tokens if not areas.AREA_CODE_RE.match(t)]
    return list(dict.fromkeys(codes)), list(dict.fromkeys(bad))


def _member_areas(session: Session, text: str | None) -> tuple[list[Area], list[AdminError]]:
    codes, bad = parse_member_codes(text)
    errors: list[AdminError] = []
    if bad:
        errors.append(AdminError(N_("These are not 5-digit area codes: %(codes)s."),
                                 field="members", codes=", ".join(bad)))
    found = list(session.scalars(
        select(Area).where(Area.code.in_(codes), Area.kind != "region")
        .options(selectinload(Area.parent).selectinload(Area.parent))
    )) if codes else []
    unknown = [c for c in codes if c not in {a.code for a in found}]
    if unknown:
        errors.append(AdminError(N_("Unknown area codes: %(codes)s."), field="members",
                                 codes=", ".join(unknown)))
    # A ward listed with its city (or a city with its prefecture) would count people twice.
    chosen = {a.id for a in found}
    for area in found:
        ancestor = area.parent
        while ancestor is not None:
            if ancestor.id in chosen:
                errors.append(AdminError(
                    N_("%(child)s lies within %(parent)s: list only one of them, or its "
                       "people are counted twice."),
                    field="members", child=f"{area.code} {area.name_ja}",
                    parent=f"{ancestor.code} {ancestor.name_ja}"))
                break
            ancestor = ancestor.parent
    if not errors and len(codes) < 2:
        errors.append(AdminError(N_("A region is made of at least two areas."), field="members"))
    return sorted(found, key=lambda a: a.code), errors


def _check_code(session: Session, code: str) -> list[AdminError]:
    if areas.AREA_CODE_RE.match(code):
        return [AdminError(N_("A 5-digit code belongs to a local government; a region code "
                              "starts with R-, for example R-SAPPORO-OTARU."), field="code")]
    if not areas.REGION_CODE_RE.match(code):
        return [AdminError(N_("A region code starts with R- followed by up to 18 letters, "
                              "digits or hyphens, for example R-HOKKAIDO."), field="code")]
    if session.scalar(select(Area.id).where(Area.code == code)) is not None:
        return [AdminError(N_("The code %(code)s is already used."), field="code", code=code)]
    return []


def check_region(session: Session, members_text: str | None, code: str | None = None
                 ) -> dict[str, list[AdminError]]:
    """Every problem with a region form, by field; the code is checked when given (a new region).
    Empty when the region can be saved."""
    errors = _member_areas(session, members_text)[1]
    if code is not None:
        errors = _check_code(session, normalize(code).upper()) + errors
    grouped: dict[str, list[AdminError]] = {}
    for error in errors:
        grouped.setdefault(error.field or "members", []).append(error)
    return grouped


# ---------------------------------------------------------------- changes

def create_region(session: Session, actor: User, code: str, name_ja: str, name_en: str,
                  members_text: str) -> Area:
    """Check every field, then create through the areas module and audit."""
    code = normalize(code).upper()
    problems = check_region(session, members_text, code)
    if problems:
        raise RegionFormError(problems)
    members = _member_areas(session, members_text)[0]
    try:
        region = areas.create_region(session, code, name_ja, name_en, [a.code for a in members])
    except areas.RegionError as error:  # a rule of the areas module this form did not foresee
        message = error.message
        field = ("code" if "code " in message or "code." in message else
                 "name_ja" if "name" in message else "members")
        raise RegionFormError({field: [AdminError(error.message, field=field, **error.params)]})
    audit(session, actor, "region.create", f"region:{region.code}",
          name_ja=region.name_ja, members=[a.code for a in members])
    return region


def update_region(session: Session, actor: User, region: Area, name_ja: str, name_en: str,
                  members_text: str) -> dict:
    """Rename a region and replace its members; returns the codes added and removed."""
    members, errors = _member_areas(session, members_text)
    if errors:
        raise RegionFormError({"members": errors})
    before = {a.id: a.code for a in region.members}
    after = {a.id: a.code for a in members}
    removed, added = set(before) - set(after), set(after) - set(before)
    if removed:
        session.execute(delete(RegionMember).where(RegionMember.region_id == region.id,
                                                   RegionMember.area_id.in_(removed)))
    if added:
        session.execute(insert(RegionMember),
                        [{"region_id": region.id, "area_id": area_id} for area_id in added])
    changes = {"added": sorted(after[i] for i in added),
               "removed": sorted(before[i] for i in removed)}
    old_names = (region.name_ja, region.name_en)
    region.name_ja, region.name_en = normalize(name_ja), normalize(name_en)
    if changes["added"] or changes["removed"] or old_names != (region.name_ja, region.name_en):
        audit(session, actor, "region.update", f"region:{region.code}",
              name_ja=region.name_ja, **changes)
    session.flush()
    session.expire(region, ["members"])
    return changes


def delete_region(session: Session, actor: User, region: Area) -> None:
    """Delete a region no space (and no person, as home area) refers to."""
    spaces = session.scalar(select(func.count()).select_from(Space)
                            .where(Space.area_id == region.id))
    if spaces:
        raise AdminError(N_("%(code)s is the area of %(count)s space(s); it cannot be deleted "
                            "while they use it."), code=region.code, count=spaces)
    homes = session.scalar(select(func.count()).select_from(User)
                           .where(User.home_area_id == region.id))
    if homes:
        raise AdminError(N_("%(code)s is the home area of %(count)s account(s); it cannot be "
                            "deleted."), code=region.code, count=homes)
    codes = [a.code for a in region.members]
    # Explicit: SQLite may run without foreign-key enforcement, so no ON DELETE CASCADE there.
    session.execute(delete(RegionMember).where(RegionMember.region_id == region.id))
    session.delete(region)
    session.flush()
    audit(session, actor, "region.delete", f"region:{region.code}", name_ja=region.name_ja,
          members=codes)
