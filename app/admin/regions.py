"""Administration of areas and wide-area regions (広域リージョン).

The rules of a region are the areas module's (app.areas.services.check_region, which the form
asks for every field's problems at once); this module adds what the areas module does not
offer: editing members, deleting an unused region, and the paginated area list. Every change
writes an audit entry. Only flush, never commit."""
from __future__ import annotations

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import Session, selectinload

from app.accounts.models import User
from app.admin.services import audit
from app.areas import services as areas
from app.areas.models import Area, RegionMember
from app.common.errors import N_, DomainError
from app.common.pagination import Page, paginate
from app.common.sql import escape_like
from app.common.text import normalize
from app.spaces.models import Space

LISTED_KINDS = ("nation", "prefecture", "municipality", "ward")


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


# ---------------------------------------------------------------- changes

def create_region(session: Session, actor: User, code: str, name_ja: str, name_en: str,
                  members_text: str) -> Area:
    """Create through the areas module (which raises a DomainError for a problem) and audit."""
    region = areas.create_region(session, code, name_ja, name_en,
                                 areas.parse_area_codes(members_text))
    audit(session, actor, "region.create", f"region:{region.code}",
          name_ja=region.name_ja, members=[a.code for a in region.members])
    return region


def update_region(session: Session, actor: User, region: Area, name_ja: str, name_en: str,
                  members_text: str) -> dict:
    """Rename a region and replace its members; returns the codes added and removed. Raises
    the first of areas.check_region's problems."""
    members, problems = areas.check_region(session, areas.parse_area_codes(members_text),
                                           names=(name_ja, name_en))
    if problems:
        raise problems[0]
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
        raise DomainError(N_("%(code)s is the area of %(count)s space(s); it cannot be deleted "
                             "while they use it."), code=region.code, count=spaces)
    homes = session.scalar(select(func.count()).select_from(User)
                           .where(User.home_area_id == region.id))
    if homes:
        raise DomainError(N_("%(code)s is the home area of %(count)s account(s); it cannot be "
                             "deleted."), code=region.code, count=homes)
    codes = [a.code for a in region.members]
    # Its region_members rows go with it: ON DELETE CASCADE, which SQLite enforces too
    # (app/extensions.py turns foreign keys on for every connection).
    session.delete(region)
    session.flush()
    audit(session, actor, "region.delete", f"region:{region.code}", name_ja=region.name_ja,
          members=codes)
