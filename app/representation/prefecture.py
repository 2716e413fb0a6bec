"""The prefecture's view (issue #13): the member areas of a prefecture or a wide-area region side
by side, from public figures only.

Owned by representation, not areas: every figure here is a representation release, and
representation already depends on areas (the other way round would be a cycle).

What a row shows, and where it comes from (the rules of the public transparency page and the
public API, app/representation/views.py and app/api/views.py):
  * open spaces: public spaces on the member area or one of its wards whose current phase accepts
    input (what the space list shows anyway);
  * the figures: the *latest release* of one published space (public, transparency page on) on
    the member area itself, so its youth and women shares are against that municipality's own
    reference population. Where several such spaces publish, the one whose latest release covers
    the most people speaks for the area, and the row names it. The release's headline figures
    are copied as frozen (share, interval, verdict, hidden marks): nothing is recomputed, summed
    or combined, so the table reveals nothing its spaces' own releases do not;
  * where a published space has no release yet (fewer than the public minimum have joined), the
    row says so and shows no number.
There is deliberately no prefecture total: a total beside the rows would be a new figure (and
people in two spaces would count twice); the releases are protected one by one, a sum is not.

SQL: one statement for the members, one for open spaces, one for the latest releases, plus one
per extra column (EXTRA_COLUMNS); never per member. No Flask here.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased

from app.areas.codes import with_check_digit
from app.areas.models import Area, RegionMember
from app.representation.reports import HeadlineFigure
from app.representation.models import Release
from app.representation.releases import thaw_headline

OVERVIEW_KINDS = ("prefecture", "region")
# Why a row has no figures.
FIGURES, TOO_FEW, NOT_PUBLISHED, NO_SPACE = "figures", "too_few", "not_published", "no_space"


@dataclass(frozen=True)
class ExtraColumn:
    """A column another module adds to the table (e.g. furusato registrants): `fetch` answers
    {member area id: value} for all members in one statement; a value of None reads as hidden
    (the mark), a missing id as empty. `label` is an English msgid, `header_ja` the CSV header."""
    key: str
    label: str
    header_ja: str
    fetch: Callable[[Session, Sequence[int]], dict]


EXTRA_COLUMNS: list[ExtraColumn] = []


def register_column(column: ExtraColumn) -> None:
    """Add a column to the page, the CSV and the JSON (one call per column, e.g. from the
    owning package's register(app)). Registering a key again replaces it, so an app factory
    called once per test keeps one column."""
    for i, existing in enumerate(EXTRA_COLUMNS):
        if existing.key == column.key:
            EXTRA_COLUMNS[i] = column
            return
    EXTRA_COLUMNS.append(column)


@dataclass(frozen=True)
class MemberRow:
    area_id: int
    code: str  # 5 digits
    name_ja: str
    name_en: str
    open_spaces: int
    status: str  # FIGURES | TOO_FEW | NOT_PUBLISHED | NO_SPACE
    space_slug: str | None = None  # the space whose release speaks for the area
    space_title: str | None = None
    release_number: int | None = None
    participants: int | None = None  # as released
    min_cell: int | None = None  # the release's public minimum
    youth: HeadlineFigure | None = None
    women: HeadlineFigure | None = None
    extra: dict = field(default_factory=dict)  # ExtraColumn.key -> value

    @property
    def lg_code(self) -> str | None:
        """The 6-digit 全国地方公共団体コード (None for an area without a 5-digit code)."""
        return with_check_digit(self.code) if self.code.isdigit() and len(self.code) == 5 else None

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_ja


@dataclass(frozen=True)
class Overview:
    area: Area
    rows: list[MemberRow]
    columns: tuple[ExtraColumn, ...]


def is_overview_area(area: Area | None) -> bool:
    return area is not None and area.kind in OVERVIEW_KINDS


def overview_areas(session: Session) -> list[Area]:
    """Every prefecture and wide-area region (each has a page), prefectures first, by code."""
    return list(session.scalars(select(Area).where(Area.kind.in_(OVERVIEW_KINDS))
                                .order_by(Area.kind, Area.code)))


def _members(session: Session, area: Area) -> list:
    columns = (Area.id, Area.code, Area.name_ja, Area.name_en)
    if area.is_region:
        stmt = (select(*columns).join(RegionMember, RegionMember.area_id == Area.id)
                .where(RegionMember.region_id == area.id))
    else:
        stmt = select(*columns).where(Area.parent_id == area.id, Area.kind == "municipality")
    return list(session.execute(stmt.order_by(Area.code)))


def _open_spaces(session: Session, member_ids: list[int], today: date) -> dict[int, int]:
    from app.spaces.models import Phase, Space

    place = aliased(Area)
    member = case((place.id.in_(member_ids), place.id), else_=place.parent_id)
    accepting = (select(Phase.id).where(Phase.space_id == Space.id, Phase.accepts_input,
                                        Phase.starts_on <= today, Phase.ends_on >= today)
                 .exists())
    stmt = (select(member, func.count(Space.id)).join(place, place.id == Space.area_id)
            .where(Space.visibility == "public", accepting,
                   (place.id.in_(member_ids)) | (place.parent_id.in_(member_ids)))
            .group_by(member))
    return dict(session.execute(stmt).all())


def _published_spaces(session: Session, member_ids: list[int]) -> list:
    """Every published space on a member area with its latest release (or None): one statement."""
    from app.spaces.models import Space

    latest = (select(Release.space_id, func.max(Release.number).label("number"))
              .group_by(Release.space_id).subquery())
    stmt = (select(Space.id, Space.slug, Space.title, Space.area_id, Release.number,
                   Release.participants, Release.min_cell, Release.payload)
            .outerjoin(latest, latest.c.space_id == Space.id)
            .outerjoin(Release, and_(Release.space_id == Space.id,
                                     Release.number == latest.c.number))
            .where(Space.area_id.in_(member_ids), Space.visibility == "public",
                   Space.transparency_public)
            .order_by(Space.id))
    return list(session.execute(stmt))


def _any_public_space(session: Session, member_ids: list[int]) -> set[int]:
    from app.spaces.models import Space

    return set(session.scalars(select(Space.area_id).distinct().where(
        Space.area_id.in_(member_ids), Space.visibility == "public")))


def area_overview(session: Session, area: Area, *, today: date) -> Overview:
    """The table of a prefecture's municipalities (or a region's members), in code order."""
    if not is_overview_area(area):
        raise ValueError("an overview is of a prefecture or a wide-area region")
    members = _members(session, area)
    ids = [m.id for m in members]
    if not ids:
        return Overview(area, [], tuple(EXTRA_COLUMNS))
    open_counts = _open_spaces(session, ids, today)
    chosen: dict[int, object] = {}
    published_without_release: set[int] = set()
    for row in _published_spaces(session, ids):  # one row per published space, not per person
        if row.number is None:
            published_without_release.add(row.area_id)
            continue
        best = chosen.get(row.area_id)
        if best is None or row.participants > best.participants:
            chosen[row.area_id] = row
    unpublished = _any_public_space(session, ids)
    extras = {c.key: c.fetch(session, ids) for c in EXTRA_COLUMNS}
    rows = []
    for m in members:
        common = {"area_id": m.id, "code": m.code, "name_ja": m.name_ja, "name_en": m.name_en,
                  "open_spaces": open_counts.get(m.id, 0),
                  # an id the column did not answer is left out (empty), None is hidden
                  "extra": {key: values[m.id] for key, values in extras.items()
                            if m.id in values}}
        release = chosen.get(m.id)
        if release is not None:
            headline = thaw_headline(release.payload)
            rows.append(MemberRow(**common, status=FIGURES, space_slug=release.slug,
                                  space_title=release.title, release_number=release.number,
                                  participants=release.participants, min_cell=release.min_cell,
                                  youth=headline.get("youth"), women=headline.get("women")))
        elif m.id in published_without_release:
            rows.append(MemberRow(**common, status=TOO_FEW))
        elif m.id in unpublished:
            rows.append(MemberRow(**common, status=NOT_PUBLISHED))
        else:
            rows.append(MemberRow(**common, status=NO_SPACE))
    return Overview(area, rows, tuple(EXTRA_COLUMNS))


# --- sorting -------------------------------------------------------------------------------

SORT_KEYS = ("code", "name", "open_spaces", "participants", "youth_share", "youth_gap",
             "women_share", "women_gap")


def _share(figure: HeadlineFigure | None) -> float | None:
    return figure.share if figure is not None and not figure.suppressed else None


def _gap(figure: HeadlineFigure | None) -> float | None:
    share = _share(figure)
    return None if share is None else share - figure.population_share


def sort_value(row: MemberRow, key: str, locale: str = "ja"):
    """The value a row sorts by; None where the row shows no figure for it."""
    if key == "code":
        return row.code
    if key == "name":
        return row.name(locale)
    if key == "open_spaces":
        return row.open_spaces
    if key == "participants":
        return row.participants
    if key in ("youth_share", "women_share"):
        return _share(row.youth if key == "youth_share" else row.women)
    if key in ("youth_gap", "women_gap"):
        return _gap(row.youth if key == "youth_gap" else row.women)
    extra = row.extra.get(key)
    return extra if isinstance(extra, int | float) else None


def sort_key_names() -> tuple[str, ...]:
    return SORT_KEYS + tuple(c.key for c in EXTRA_COLUMNS)


def sort_rows(rows: Sequence[MemberRow], key: str, descending: bool = False,
              locale: str = "ja") -> list[MemberRow]:
    """Rows by `key`. Rows without a value for it (hidden, too few, no space) always come last,
    in code order, whatever the direction: their place must not hint at a value they do not
    show."""
    if key not in sort_key_names():
        key = "code"
    shown = [r for r in rows if sort_value(r, key, locale) is not None]
    blank = sorted((r for r in rows if sort_value(r, key, locale) is None), key=lambda r: r.code)
    shown.sort(key=lambda r: (sort_value(r, key, locale), r.code))
    if descending:
        # ties keep code order in both directions
        shown.sort(key=lambda r: sort_value(r, key, locale), reverse=True)
    return shown + blank


__all__ = ["EXTRA_COLUMNS", "FIGURES", "NOT_PUBLISHED", "NO_SPACE", "OVERVIEW_KINDS",
           "SORT_KEYS", "TOO_FEW", "ExtraColumn", "MemberRow", "Overview",
           "area_overview", "is_overview_area", "overview_areas", "register_column", "sort_rows", "sort_value"]
