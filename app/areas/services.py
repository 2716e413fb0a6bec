"""Areas: loading the shipped list of Japan's local governments, finding an area from what a person
typed, and wide-area regions (広域リージョン) made of several areas."""
from __future__ import annotations

import csv
import re
from pathlib import Path

from sqlalchemy import case, func, insert, or_, select, update
from sqlalchemy.orm import Session

from app.areas.models import Area, RegionMember
from app.common.text import normalize

SHIPPED_AREAS_CSV = Path(__file__).resolve().parent.parent / "representation" / "data" / "areas.csv"
LOADABLE_KINDS = ("nation", "prefecture", "municipality", "ward")
AREA_CODE_RE = re.compile(r"^\d{5}$")
# Regions get an administrator-chosen code that can never collide with a local government code.
REGION_CODE_RE = re.compile(r"^R-[A-Z0-9][A-Z0-9-]{0,17}$")
NAME_MAX = 100


def N_(message: str) -> str:
    """Marks a message for extraction (Babel's N_ keyword); the view layer translates it."""
    return message


class AreaDataError(ValueError):
    """The area CSV is malformed; the message names the line."""


class RegionError(ValueError):
    """A region could not be created. `message` is an English msgid (translate with gettext and
    `params`); str(error) is the readable English text."""

    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


def _read_area_rows(path: Path) -> list[dict]:
    rows: list[dict] = []
    seen: set[str] = set()
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {"code", "name_ja", "name_en", "kind", "parent_code"} - set(reader.fieldnames or ())
        if missing:
            raise AreaDataError(f"{path.name}: missing columns {', '.join(sorted(missing))}")
        for line, raw in enumerate(reader, start=2):
            code = normalize(raw["code"])
            parent_code = normalize(raw["parent_code"]) or None
            row = {"code": code, "name_ja": normalize(raw["name_ja"]),
                   "name_en": normalize(raw["name_en"]), "kind": normalize(raw["kind"]),
                   "parent_code": parent_code}
            if not AREA_CODE_RE.match(code):
                raise AreaDataError(f"{path.name} line {line}: code {code!r} is not 5 digits")
            if code in seen:
                raise AreaDataError(f"{path.name} line {line}: code {code} appears twice")
            if not row["name_ja"] or len(row["name_ja"]) > NAME_MAX or len(row["name_en"]) > NAME_MAX:
                raise AreaDataError(f"{path.name} line {line}: name missing or too long")
            if row["kind"] not in LOADABLE_KINDS:
                raise AreaDataError(f"{path.name} line {line}: unknown kind {row['kind']!r}")
            if parent_code is not None and not AREA_CODE_RE.match(parent_code):
                raise AreaDataError(f"{path.name} line {line}: parent_code {parent_code!r} is not 5 digits")
            seen.add(code)
            rows.append(row)
    return rows


def load_shipped_areas(session: Session, path: Path | str | None = None) -> int:
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
            raise AreaDataError(f"{path.name}: parent_code {row['parent_code']} of {row['code']} "
                                "is unknown")

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
    escaped = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
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


def create_region(session: Session, code: str, name_ja: str, name_en: str,
                  member_codes: list[str] | tuple[str, ...]) -> Area:
    """A wide-area region of at least two existing, non-region areas. Only flushes."""
    code = normalize(code).upper()
    name_ja, name_en = normalize(name_ja), normalize(name_en)
    if not REGION_CODE_RE.match(code):
        raise RegionError(N_("A region code starts with R- followed by up to 18 letters, "
                             "digits or hyphens, for example R-HOKKAIDO."))
    if session.scalar(select(Area.id).where(Area.code == code)) is not None:
        raise RegionError(N_("The code %(code)s is already used."), code=code)
    if not name_ja or len(name_ja) > NAME_MAX or len(name_en) > NAME_MAX:
        raise RegionError(N_("A region needs a Japanese name of at most %(max)s characters."),
                          max=NAME_MAX)
    codes = list(dict.fromkeys(normalize(c) for c in member_codes if normalize(c)))
    if len(codes) < 2:
        raise RegionError(N_("A region is made of at least two areas."))
    members = session.scalars(select(Area).where(Area.code.in_(codes))).all()
    unknown = sorted(set(codes) - {a.code for a in members})
    if unknown:
        raise RegionError(N_("Unknown area codes: %(codes)s."), codes=", ".join(unknown))
    nested = sorted(a.code for a in members if a.is_region)
    if nested:
        raise RegionError(N_("A region cannot contain another region: %(codes)s."),
                          codes=", ".join(nested))
    nested_pair = _member_within_member(session, members)
    if nested_pair:
        child, parent = nested_pair
        raise RegionError(N_("%(child)s lies within %(parent)s: list only one of them, or its "
                             "people are counted twice."),
                          child=f"{child.code} {child.name_ja}", parent=f"{parent.code} {parent.name_ja}")
    region = Area(code=code, name_ja=name_ja, name_en=name_en, kind="region")
    session.add(region)
    session.flush()
    session.execute(insert(RegionMember),
                    [{"region_id": region.id, "area_id": a.id} for a in members])
    session.expire(region, ["members"])
    return region


def _member_within_member(session: Session, members) -> tuple[Area, Area] | None:
    """A (ward, its city) or (city, its prefecture) pair among `members`, if any. Ancestors are
    fetched level by level (at most three levels: ward, city, prefecture, nation)."""
    by_id = {a.id: a for a in members}
    parent_of = {a.id: a.parent_id for a in members}
    frontier = {p for p in parent_of.values() if p is not None and p not in parent_of}
    while frontier:
        parent_of.update((row.id, row.parent_id) for row in session.execute(
            select(Area.id, Area.parent_id).where(Area.id.in_(frontier))))
        frontier = {p for p in parent_of.values() if p is not None and p not in parent_of}
    for area in sorted(members, key=lambda a: a.code):
        ancestor, seen = parent_of.get(area.id), {area.id}
        while ancestor is not None and ancestor not in seen:
            if ancestor in by_id:
                return area, by_id[ancestor]
            seen.add(ancestor)
            ancestor = parent_of.get(ancestor)
    return None


def region_member_ids(area: Area) -> list[int]:
    """The ids whose populations make up `area`: a region's members, or the area itself."""
    if area.is_region:
        return [member.id for member in area.members]
    return [area.id]
