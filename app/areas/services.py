"""Areas: loading the shipped list of Japan's local governments, finding an area from what a person
typed, and wide-area regions (広域リージョン) made of several areas: the one place their rules are
checked (check_region), each problem a DomainError naming the form field it concerns. No Flask
here; only flushes."""
from __future__ import annotations

import csv
import re
from pathlib import Path

from sqlalchemy import case, func, insert, or_, select, update
from sqlalchemy.orm import Session, aliased

from app.areas.models import Area, RegionMember
from app.common.errors import N_, DomainError
from app.common.sql import escape_like
from app.common.text import normalize

SHIPPED_AREAS_CSV = Path(__file__).resolve().parent.parent / "representation" / "data" / "areas.csv"
LOADABLE_KINDS = ("nation", "prefecture", "municipality", "ward")
AREA_CODE_RE = re.compile(r"^\d{5}$")
# Regions get an administrator-chosen code that can never collide with a local government code.
REGION_CODE_RE = re.compile(r"^R-[A-Z0-9][A-Z0-9-]{0,17}$")
NAME_MAX = 100
# Separators people use when pasting a list of codes: new lines, commas (、 survives NFKC),
# semicolons and spaces.
_CODE_SEPARATORS = re.compile(r"[\s,、;]+")


def _read_area_rows(path: Path) -> list[dict]:
    rows: list[dict] = []
    seen: set[str] = set()
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {"code", "name_ja", "name_en", "kind", "parent_code"} - set(reader.fieldnames or ())
        if missing:
            raise DomainError(N_("%(file)s: missing columns %(columns)s"), file=path.name,
                              columns=", ".join(sorted(missing)))
        for line, raw in enumerate(reader, start=2):
            code = normalize(raw["code"])
            parent_code = normalize(raw["parent_code"]) or None
            row = {"code": code, "name_ja": normalize(raw["name_ja"]),
                   "name_en": normalize(raw["name_en"]), "kind": normalize(raw["kind"]),
                   "parent_code": parent_code}
            if not AREA_CODE_RE.match(code):
                raise DomainError(N_("%(file)s line %(line)s: code %(code)r is not 5 digits"),
                                  file=path.name, line=line, code=code)
            if code in seen:
                raise DomainError(N_("%(file)s line %(line)s: code %(code)s appears twice"),
                                  file=path.name, line=line, code=code)
            if not row["name_ja"] or len(row["name_ja"]) > NAME_MAX or len(row["name_en"]) > NAME_MAX:
                raise DomainError(N_("%(file)s line %(line)s: name missing or too long"),
                                  file=path.name, line=line)
            if row["kind"] not in LOADABLE_KINDS:
                raise DomainError(N_("%(file)s line %(line)s: unknown kind %(kind)r"),
                                  file=path.name, line=line, kind=row["kind"])
            if parent_code is not None and not AREA_CODE_RE.match(parent_code):
                raise DomainError(
                    N_("%(file)s line %(line)s: parent_code %(code)r is not 5 digits"),
                    file=path.name, line=line, code=parent_code)
            seen.add(code)
            rows.append(row)
    return rows


def load_shipped_areas(session: Session, path: Path | str | None = None) -> int:  # noqa: C901
    """Upsert the areas of `path` (default: the shipped areas.csv) by code and return how many rows
    the file holds. Idempotent: unchanged rows are not touched. Bulk statements only: one SELECT,
    one INSERT, one UPDATE for names and kinds, then a second pass that sets parent_id from
    parent_code (parents may come after their children in the file). Only flushes."""
    path = Path(path) if path else SHIPPED_AREAS_CSV
    rows = _read_area_rows(path)
    columns = (Area.id, Area.code, Area.name_ja, Area.name_en, Area.kind, Area.parent_id)
    existing = {r.code: r for r in session.execute(select(*columns).where(Area.kind != "region"))}

    known_codes = set(existing) | {row["code"] for row in rows}
    for row in rows:  # checked before anything is written
        if row["parent_code"] is not None and row["parent_code"] not in known_codes:
            raise DomainError(N_("%(file)s: parent_code %(parent)s of %(code)s is unknown"),
                              file=path.name, parent=row["parent_code"], code=row["code"])

    new_rows, changed = [], []
    for row in rows:
        current = existing.get(row["code"])
        values = {"name_ja": row["name_ja"], "name_en": row["name_en"], "kind": row["kind"]}
        if current is None:
            new_rows.append({"code": row["code"], **values})
        elif (current.name_ja, current.name_en, current.kind) != tuple(values.values()):
            changed.append({"id": current.id, **values})
    session.flush()
    if new_rows:
        session.execute(insert(Area), new_rows)
    if changed:
        session.execute(update(Area), changed)

    ids = {code: area_id for code, area_id in session.execute(
        select(Area.code, Area.id).where(Area.kind != "region"))}
    parents = []
    for row in rows:
        parent_code = row["parent_code"]
        parent_id = ids[parent_code] if parent_code else None
        current = existing.get(row["code"])
        stored_parent_id = current.parent_id if current is not None else None
        if parent_id != stored_parent_id:
            parents.append({"id": ids[row["code"]], "parent_id": parent_id})
    if parents:
        session.execute(update(Area), parents)
    # Bulk statements bypass the identity map: make loaded areas re-read their columns.
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Area):
            session.expire(obj)
    session.flush()
    return len(rows)


def find_area(session: Session, text: str | None) -> Area | None:
    """The area a person meant: a 5-digit code (full-width digits accepted), a region code
    (R-…, any case), or an exact name in Japanese or English. None when nothing or more than
    one area matches (伊達市 and 府中市 exist twice: the code disambiguates)."""
    wanted = normalize(text)
    if not wanted:
        return None
    if AREA_CODE_RE.match(wanted) or wanted.upper().startswith("R-"):
        return session.scalar(select(Area).where(Area.code == wanted.upper()))
    matches = session.scalars(
        select(Area).where(or_(Area.name_ja == wanted,
                               func.lower(Area.name_en) == wanted.lower()))
        .order_by(Area.code).limit(2)
    ).all()
    return matches[0] if len(matches) == 1 else None


def search_areas(session: Session, query: str | None, limit: int = 20) -> list[Area]:
    """Areas whose code starts with, or whose name contains, the query: exact matches first,
    wards after prefectures and municipalities, then by code."""
    wanted = normalize(query)
    if not wanted:
        return []
    escaped = escape_like(wanted)
    exact_first = case((or_(Area.code == wanted.upper(), Area.name_ja == wanted,
                            func.lower(Area.name_en) == wanted.lower()), 0), else_=1)
    wards_last = case((Area.kind == "ward", 1), else_=0)
    stmt = (
        select(Area)
        .where(or_(Area.code.like(f"{escaped.upper()}%", escape="\\"),
                   Area.name_ja.like(f"%{escaped}%", escape="\\"),
                   func.lower(Area.name_en).like(f"%{escaped.lower()}%", escape="\\")))
        .order_by(exact_first, wards_last, Area.code)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def parse_area_codes(text: str | None) -> list[str]:
    """The distinct codes of a pasted list (one per line, or separated by commas, 、, semicolons
    or spaces; full-width digits accepted), in the order given."""
    return list(dict.fromkeys(t for t in _CODE_SEPARATORS.split(normalize(text)) if t))


def check_region(session: Session, member_codes, *, code: str | None = None,
                 names: tuple[str | None, str | None] | None = None
                 ) -> tuple[list[Area], list[DomainError]]:
    """The member areas of a region (by code) and every problem with it, each a DomainError
    naming its field: `code`, `name_ja`, `name_en` or `members`. The code is checked when given
    (a new region; a region's code never changes), the Japanese and English names when given.
    No problems: the region can be saved."""
    problems = []
    if code is not None:
        problems += _code_problems(session, normalize(code).upper())
    if names is not None:
        problems += _name_problems(normalize(names[0]), normalize(names[1]))
    members, member_problems = _member_areas(session, member_codes)
    return members, problems + member_problems


def _code_problems(session: Session, code: str) -> list[DomainError]:
    if AREA_CODE_RE.match(code):
        return [DomainError(N_("A 5-digit code belongs to a local government; a region code "
                               "starts with R-, for example R-SAPPORO-OTARU."), "code")]
    if not REGION_CODE_RE.match(code):
        return [DomainError(N_("A region code starts with R- followed by up to 18 letters, "
                               "digits or hyphens, for example R-HOKKAIDO."), "code")]
    if session.scalar(select(Area.id).where(Area.code == code)) is not None:
        return [DomainError(N_("The code %(code)s is already used."), "code", code=code)]
    return []


def _name_problems(name_ja: str, name_en: str) -> list[DomainError]:
    problems = []
    if not name_ja or len(name_ja) > NAME_MAX:
        problems.append(DomainError(N_("A region needs a Japanese name of at most %(max)s "
                                       "characters."), "name_ja", max=NAME_MAX))
    if len(name_en) > NAME_MAX:
        problems.append(DomainError(N_("Use at most %(max)d characters."), "name_en",
                                    max=NAME_MAX))
    return problems


def _member_areas(session: Session, member_codes) -> tuple[list[Area], list[DomainError]]:
    tokens = list(dict.fromkeys(normalize(c) for c in member_codes if normalize(c)))
    codes = [t for t in tokens if AREA_CODE_RE.match(t)]
    others = [t for t in tokens if not AREA_CODE_RE.match(t)]
    problems = []
    regions = sorted(session.scalars(select(Area.code).where(
        Area.code.in_([t.upper() for t in others]), Area.kind == "region"))) if others else []
    if regions:
        problems.append(DomainError(N_("A region cannot contain another region: %(codes)s."),
                                    "members", codes=", ".join(regions)))
    bad = [t for t in others if t.upper() not in regions]
    if bad:
        problems.append(DomainError(N_("These are not 5-digit area codes: %(codes)s."),
                                    "members", codes=", ".join(bad)))
    found = sorted(session.scalars(select(Area).where(Area.code.in_(codes),
                                                      Area.kind != "region")),
                   key=lambda a: a.code) if codes else []
    known = {a.code for a in found}
    unknown = [c for c in codes if c not in known]
    if unknown:
        problems.append(DomainError(N_("Unknown area codes: %(codes)s."), "members",
                                    codes=", ".join(unknown)))
    # A ward listed with its city (or a city with its prefecture) would count people twice.
    for child, parent in _members_within_members(session, found):
        problems.append(DomainError(
            N_("%(child)s lies within %(parent)s: list only one of them, or its people are "
               "counted twice."), "members",
            child=f"{child.code} {child.name_ja}", parent=f"{parent.code} {parent.name_ja}"))
    if not problems and len(codes) < 2:
        problems.append(DomainError(N_("A region is made of at least two areas."), "members"))
    return found, problems


def create_region(session: Session, code: str, name_ja: str, name_en: str,
                  member_codes: list[str] | tuple[str, ...]) -> Area:
    """A wide-area region of at least two existing, non-region areas; raises the first of
    check_region's problems. Only flushes."""
    code = normalize(code).upper()
    members, problems = check_region(session, member_codes, code=code, names=(name_ja, name_en))
    if problems:
        raise problems[0]
    region = Area(code=code, name_ja=normalize(name_ja), name_en=normalize(name_en),
                  kind="region")
    session.add(region)
    session.flush()
    session.execute(insert(RegionMember),
                    [{"region_id": region.id, "area_id": a.id} for a in members])
    session.expire(region, ["members"])
    return region


def _members_within_members(session: Session, members: list[Area]) -> list[tuple[Area, Area]]:
    """Each (ward, its city) or (city, its prefecture) pair among `members`, by the child's
    code. Ancestors are fetched level by level (at most three levels: ward, city, prefecture,
    nation)."""
    by_id = {a.id: a for a in members}
    parent_of = {a.id: a.parent_id for a in members}
    frontier = {p for p in parent_of.values() if p is not None and p not in parent_of}
    while frontier:
        parent_of.update((row.id, row.parent_id) for row in session.execute(
            select(Area.id, Area.parent_id).where(Area.id.in_(frontier))))
        frontier = {p for p in parent_of.values() if p is not None and p not in parent_of}
    pairs = []
    for area in sorted(members, key=lambda a: a.code):
        ancestor, seen = parent_of.get(area.id), {area.id}
        while ancestor is not None and ancestor not in seen:
            if ancestor in by_id:
                pairs.append((area, by_id[ancestor]))
                break
            seen.add(ancestor)
            ancestor = parent_of.get(ancestor)
    return pairs


def region_member_ids(area: Area) -> list[int]:
    """The ids whose populations make up `area`: a region's members, or the area itself."""
    if area.is_region:
        return [member.id for member in area.members]
    return [area.id]


# A chain is an area's id, then its parent's, up to the nation (app.areas.residency): a ward has
# four levels (ward, city, prefecture, nation); one spare level costs an outer join only.
CHAIN_DEPTH = 5


def chain_levels():
    """Aliases of the areas table for one chain: level 0 is the area, each next its parent."""
    return [aliased(Area, name=f"chain_{i}") for i in range(CHAIN_DEPTH)]


def join_chain(stmt, levels):
    """`stmt` (which has joined levels[0]) with the outer joins that climb to the top."""
    for lower, upper in zip(levels, levels[1:], strict=False):
        stmt = stmt.outerjoin(upper, upper.id == lower.parent_id)
    return stmt


def chain_from_row(ids) -> tuple[int, ...]:
    return tuple(area_id for area_id in ids if area_id is not None)


def area_chain(session: Session, area_id: int | None) -> tuple[int, ...] | None:
    """The chain of one area in one query; None for no area."""
    if area_id is None:
        return None
    levels = chain_levels()
    stmt = join_chain(select(*(level.id for level in levels)).select_from(levels[0]), levels)
    row = session.execute(stmt.where(levels[0].id == area_id)).first()
    return chain_from_row(row) if row is not None else None


def area_cover(session: Session, area_id: int) -> frozenset[int]:
    """The area and, for a wide-area region, its member areas (one query)."""
    members = session.scalars(select(RegionMember.area_id)
                              .where(RegionMember.region_id == area_id))
    return frozenset(members) | {area_id}
